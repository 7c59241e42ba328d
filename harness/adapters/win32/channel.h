/*
 * channel.h: the control channel of spec/adapter-protocol.md: standard input
 * and output, or one harness at a time on a TCP port. Lines in, lines out.
 */
#ifndef CHANNEL_H
#define CHANNEL_H

#include <stddef.h>
#include "sdk.h"

/* port 0: standard input and output; else TCP on address (an IPv4 literal)
 * and port. 0 on success. */
int chan_open(unsigned port, const char *address);

/* The next line without its LF (and CR), NUL-terminated, valid until the
 * next call; NULL when the harness went away (stdio: end of input). */
char *chan_read_line(size_t *len);

/* A TCP harness left: wait for the next one. 0 on success. */
int chan_next_harness(void);
int chan_is_tcp(void);

/* One reply line; a LF is added. */
void chan_reply(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* "PREFIX <hex>" ("PREFIX -" when there are no bytes). */
void chan_reply_hex(const char *prefix, const unsigned char *p, size_t n);

#endif
