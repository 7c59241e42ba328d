/*
 * requests.h: HttpReceiveHttpRequest and HttpReceiveRequestEntityBody as the
 * protocol's RECEIVE and RECV_BODY, and the harness's names (refs) for the
 * request ids they deliver.
 */
#ifndef REQUESTS_H
#define REQUESTS_H

#include <stddef.h>
#include "sdk.h"

struct received {
    char verb[64];
    unsigned major, minor;
    unsigned peer_port;          /* the client's port (0: unknown) */
};

/* Waits up to timeout_ms for the next request and names it ref. 1: a
 * request (described in *out); 0: none in time; -1: the receive failed
 * (*rc holds the code). */
int req_receive(const char *ref, DWORD timeout_ms, struct received *out, ULONG *rc);

/* The request id named ref; 0 when there is none. */
int req_lookup(const char *ref, HTTP_REQUEST_ID *id);

/* Up to max bytes of the entity body of ref. 1: bytes (possibly none, at
 * the end of the body or when the call fails: *rc says which); 0: none in
 * time; -1: unknown ref. */
int req_recv_body(const char *ref, DWORD max, DWORD timeout_ms, BYTE *buf, DWORD *got, ULONG *rc);

/* Forgets every ref and drops requests delivered but never asked for. */
void req_reset(void);

#endif
