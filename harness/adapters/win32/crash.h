/* crash.h: an unhandled exception ends the adapter at once with a log line. */
#ifndef CRASH_H
#define CRASH_H

void crash_install(void);

#endif
