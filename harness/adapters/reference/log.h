/*
 * log.h: the adapter's log. It goes to standard error, which the harness
 * keeps as the adapter's log; never to the control channel.
 */
#ifndef LOG_H
#define LOG_H

extern int log_verbose;   /* 1: also log every control line */

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void log_msg(const char *fmt, ...);

#endif
