/*
 * send.h: one CALL: HttpSendHttpResponse or HttpSendResponseEntityBody with
 * exactly the arguments the harness asked for.
 */
#ifndef SEND_H
#define SEND_H

#include "args.h"

struct send_result {
    ULONG rc;
    int bytes_sent_set;         /* BytesSent no longer holds the preset */
    ULONG bytes_sent;
    int completion_set;
    int completion_pending;     /* a deferred call, now an operation */
    ULONG completion;
};

/* 0 with the call's result; -1 when the call could not be made (why says
 * what went wrong; nothing was called). */
int send_call(struct call_args *c, struct send_result *out, const char **why);

/* Drops the fragments cached for earlier cases. */
void send_reset(void);

#endif
