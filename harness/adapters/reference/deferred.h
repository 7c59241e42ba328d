/*
 * deferred.h: the operations of protocol 1.1 `overlapped=defer`: a send that
 * the CALL reply does not wait for, known by the harness's name for it until
 * the next RESET, with WAIT and CANCEL.
 *
 * In the reference a deferred send has passed the model's check, plan and
 * commit when the call returns; its bytes are queued on the connection and
 * written from the poll loop (http_conn.h, struct net_out). It is pending
 * while bytes remain.
 */
#ifndef DEFERRED_H
#define DEFERRED_H

#include <stdint.h>
#include "http_conn.h"

struct op {
    char name[65];
    uint64_t request_id;         /* the id it sends on (CALL-CONCURRENT-SEND) */
    uint64_t conn;               /* serial of its connection */
    hs_byte *buf;                /* the bytes, owned */
    struct net_out out;
    int cancelled;
};

/* The operation with this name, or NULL. */
struct op *op_find(const char *name);

/* A new operation (buf is taken over, also on failure); NULL when out of memory. */
struct op *op_add(const char *name, uint64_t request_id, uint64_t conn, hs_byte *buf, size_t len);

/* 1 when a send on request_id is still pending. */
int op_pending_for(uint64_t request_id);

/* Waits up to timeout_ms for the completion. 1: completed, *rc and *count set
 * (Win32 code and bytes transferred); 0: still pending. stalled[0..n) lists the
 * connections (client port, the client's receive buffer in bytes) whose client
 * reads nothing until the next command (WAIT stalled=): when o's connection is
 * one, and more of its bytes remain unsent than that receive buffer and the
 * largest send buffer can hold (net_send_bound), o cannot complete before the
 * client reads, and 0 comes at once. */
int op_wait(struct op *o, int timeout_ms, const struct net_sent *stalled, size_t n,
            uint32_t *rc, uint64_t *count);

/* Cancels a pending operation: what is unsent is dropped and the connection
 * closed; its completion reports ERROR_OPERATION_ABORTED. No effect once it
 * has completed. */
void op_cancel(struct op *o);

/* Forgets every operation; call after the connections are gone (net_reset),
 * which fails whatever was still pending. */
void op_reset(void);

#endif
