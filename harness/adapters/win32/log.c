/* log.c: one line per message on standard error, written at once. */
#include <stdarg.h>
#include <stdio.h>
#include "sdk.h"
#include "log.h"

int log_verbose;

void log_msg(const char *fmt, ...)
{
    char line[600];
    va_list ap;
    int n = snprintf(line, sizeof line, "hs-win32-adapter: ");
    DWORD w;
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    WriteFile(GetStdHandle(STD_ERROR_HANDLE), line, (DWORD)n, &w, NULL);
}
