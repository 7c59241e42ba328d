/* log.h: messages on standard error (the harness keeps them as the adapter's log). */
#ifndef LOG_H
#define LOG_H

#include "sdk.h"

extern int log_verbose;
void log_msg(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
