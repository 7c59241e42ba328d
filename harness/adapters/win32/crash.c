/*
 * crash.c: a fault inside the implementation must end the process, so the
 * harness sees the control channel close (a CRASH verdict) and restarts the
 * adapter. Without this filter Wine starts its debugger, which writes its
 * report on standard output, the control channel, and waits; Windows may
 * show an error dialog.
 */
#include "sdk.h"
#include "crash.h"
#include "log.h"

/* Wine raises this for a call to a function it exports as a stub. */
#define EXCEPTION_WINE_STUB 0x80000100u

static LONG WINAPI on_crash(EXCEPTION_POINTERS *ep)
{
    const EXCEPTION_RECORD *r = ep->ExceptionRecord;
    if (r->ExceptionCode == EXCEPTION_WINE_STUB && r->NumberParameters >= 2)
        log_msg("crash: call to the unimplemented function %s.%s",
                (const char *)r->ExceptionInformation[0], (const char *)r->ExceptionInformation[1]);
    else
        log_msg("crash: exception 0x%08lx at %p", (unsigned long)r->ExceptionCode, r->ExceptionAddress);
    TerminateProcess(GetCurrentProcess(), 3);
    return EXCEPTION_EXECUTE_HANDLER;
}

void crash_install(void)
{
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
    SetUnhandledExceptionFilter(on_crash);
}
