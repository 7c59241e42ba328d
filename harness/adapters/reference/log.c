/* log.c: one line per message on standard error. */
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

int log_verbose = 0;

void log_msg(const char *fmt, ...)
{
    va_list ap;
    fputs("hs-reference-adapter: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}
