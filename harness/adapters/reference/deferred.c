/*
 * deferred.c: deferred operations (see deferred.h).
 */
#include <stdlib.h>
#include <string.h>
#include "bigbuf.h"
#include "deferred.h"
#include "faults.h"
#include "hs_sdk.h"
#include "timeutil.h"

#define ERROR_OPERATION_ABORTED_RC 995u

static struct op **ops;          /* pointers: an op's net_out must not move */
static size_t n_ops, cap_ops;

struct op *op_find(const char *name)
{
    for (size_t i = 0; i < n_ops; i++) {
        if (strcmp(ops[i]->name, name) == 0)
            return ops[i];
    }
    return NULL;
}

struct op *op_add(const char *name, uint64_t request_id, uint64_t conn, hs_byte *buf, size_t len)
{
    struct op *o;
    if (n_ops == cap_ops) {
        size_t cap = cap_ops ? cap_ops * 2 : 8;
        struct op **no = realloc(ops, cap * sizeof *no);
        if (no == NULL) {
            big_free(buf);
            return NULL;
        }
        ops = no;
        cap_ops = cap;
    }
    o = calloc(1, sizeof *o);
    if (o == NULL) {
        big_free(buf);
        return NULL;
    }
    strncpy(o->name, name, sizeof o->name - 1);
    o->request_id = request_id;
    o->conn = conn;
    o->buf = buf;
    o->out.buf = buf;
    o->out.len = len;
    o->out.state = NET_OUT_PENDING;
    ops[n_ops++] = o;
    return o;
}

int op_pending_for(uint64_t request_id)
{
    for (size_t i = 0; i < n_ops; i++) {
        if (ops[i]->request_id == request_id && ops[i]->out.state == NET_OUT_PENDING)
            return 1;
    }
    return 0;
}

/* 1 when o cannot complete before its client reads: its connection is listed as
 * stalled and what is unsent is more than the socket buffers of both ends hold. */
static int cannot_complete(const struct op *o, const struct net_sent *stalled, size_t n)
{
    const struct conn *c = net_find(o->conn);
    unsigned port;
    size_t i, send = net_send_bound();
    if (c == NULL || o->out.state != NET_OUT_PENDING || c->out != &o->out)
        return 0;
    port = net_peer_port(c);
    for (i = 0; i < n && stalled[i].port != port; i++)
        ;
    if (i == n || port == 0 || send == SIZE_MAX || stalled[i].bytes > SIZE_MAX - send)
        return 0;
    return o->out.len - o->out.off > send + (size_t)stalled[i].bytes;
}

int op_wait(struct op *o, int timeout_ms, const struct net_sent *stalled, size_t n,
            uint32_t *rc, uint64_t *count)
{
    int64_t deadline = now_ms() + timeout_ms;
    net_wait(0, -1);
    while (o->out.state == NET_OUT_PENDING) {
        if (ms_until(deadline) == 0 || cannot_complete(o, stalled, n))
            return 0;
        net_wait(ms_until(deadline), -1);
    }
    if (o->out.state == NET_OUT_DONE) {
        *rc = fault_rc(NO_ERROR);
        *count = o->out.len - (fault_mode == FAULT_SHORT_COMPLETION && o->out.len > 0);
    } else {
        /* CALL-CANCELLED; otherwise the client went away (CALL-CONN-GONE) */
        *rc = fault_rc(o->cancelled ? ERROR_OPERATION_ABORTED_RC : ERROR_CONNECTION_INVALID);
        *count = o->out.off;
    }
    return 1;
}

void op_cancel(struct op *o)
{
    struct conn *c;
    if (o->out.state != NET_OUT_PENDING)
        return;                       /* CancelIoEx: ERROR_NOT_FOUND, no error here */
    o->cancelled = 1;
    c = net_find(o->conn);
    if (c != NULL)
        net_drop(c);                  /* fails the send: the response is not completed */
    o->out.state = NET_OUT_FAILED;
}

void op_reset(void)
{
    for (size_t i = 0; i < n_ops; i++) {
        big_free(ops[i]->buf);
        free(ops[i]);
    }
    free(ops);
    ops = NULL;
    n_ops = cap_ops = 0;
}
