/*
 * http_conn.h: the HTTP side of the adapter: one listener on 127.0.0.1,
 * many non-blocking connections served by a single poll() loop.
 *
 * A connection reads request heads one at a time (CONN-PIPELINE: the next
 * head is parsed only once the previous response is complete), answers
 * malformed requests itself with a 400 and closes (CONN-BAD-REQUEST),
 * discards unread request bodies (CONN-REQUEST-BODY-DISCARDED) and closes in
 * an orderly way (shutdown, drain, close).
 */
#ifndef HTTP_CONN_H
#define HTTP_CONN_H

#include <stddef.h>
#include <stdint.h>
#include "hs_types.h"
#include "http_parse.h"

#define CONN_IN_CAP      (64u * 1024u)   /* input buffer of a connection */
#define CONN_MAX         512             /* open connections at most */
#define CONN_LINGER_MS   2000            /* draining before the final close */
#define CONN_SEND_MS     5000            /* a send gives up after this */
#define CONN_HEAD_MS     10000           /* a request head must be complete within this */

enum conn_phase {
    CP_HEAD,      /* reading the next request head */
    CP_READY,     /* head parsed, waiting for RECEIVE */
    CP_ACTIVE,    /* delivered: its response is being sent */
    CP_OPAQUE,    /* after a 101 with OPAQUE: raw bytes both ways */
    CP_DISCARD,   /* response complete: skipping the rest of the request body */
    CP_LINGER,    /* closing: shut down for writing, draining until EOF */
    CP_KEPT       /* fault keep-open: should be closed, is not */
};

/* The bytes of one deferred send (protocol 1.1 defer), written from the poll
 * loop whenever the connection is writable. Owned by the caller, which keeps
 * it alive while state is NET_OUT_PENDING. */
enum net_out_state { NET_OUT_PENDING, NET_OUT_DONE, NET_OUT_FAILED };
enum net_out_then  { NET_THEN_NOTHING, NET_THEN_DONE, NET_THEN_OPAQUE };

struct net_out {
    const hs_byte *buf;
    size_t len, off;             /* off: bytes written so far */
    enum net_out_state state;
    enum net_out_then then;      /* once all is written: the response is done, or opaque */
    int close_after;             /* with NET_THEN_DONE: close the connection */
};

struct conn {
    uint64_t serial;             /* never reused */
    int fd;
    enum conn_phase phase;
    hs_byte *in;                 /* CONN_IN_CAP bytes */
    size_t in_len;
    int peer_closed;             /* EOF or error seen on input */
    int body_broken;             /* bad chunked framing in the request body */
    struct hp_request req;       /* the current request (CP_READY on) */
    struct hp_body body;         /* its body, still to be read */
    uint64_t ready_seq;          /* delivery order of CP_READY connections */
    int64_t linger_until;        /* CP_LINGER deadline */
    int64_t head_since;          /* when CP_HEAD began: the head is due CONN_HEAD_MS later */
    struct net_out *out;         /* a deferred send still writing, or NULL */
    uint64_t in_total;           /* bytes read from the client, all told */
    struct conn *next;
};

/* What the client says it has written on one connection (RECEIVE sent=). */
struct net_sent {
    unsigned port;               /* the client's TCP port */
    uint64_t bytes;
};

/* A TCP listener on 127.0.0.1:port (0: any free port); -1 on failure. */
int net_listen_loopback(uint16_t port, int backlog);

/* Binds 127.0.0.1:0 once (later calls return the same port); -1 on error. */
int net_listen(uint16_t *port);

/* One round of the poll loop: accepts, reads, parses, closes. Waits at most
 * timeout_ms (-1: no limit) for activity. watch_fd (or -1) is polled too;
 * returns 1 when it is readable or hung up, else 0. */
int net_wait(int timeout_ms, int watch_fd);

/* The connection whose complete request head came first, or NULL. */
struct conn *net_ready(void);

/* 1 when no request can become ready without more input: every open connection
 * is listed in s[0..n) (by client port) and has been read to the count the client
 * says it wrote, and no connection waits to be accepted (a listed one that is
 * gone was closed). Call after net_wait, which reads and parses what came. */
int net_settled(const struct net_sent *s, size_t n);

/* The client's TCP port of c (the RECEIVE reply's peer=), 0 when unknown. */
unsigned net_peer_port(const struct conn *c);

/* More bytes than the send side of a TCP connection can ever hold, from the
 * kernel's limits: the largest send buffer that setsockopt (twice wmem_max) or
 * autotuning (tcp_wmem's maximum) may make, plus 1 MiB for what the accounting
 * lets pass; SIZE_MAX when the limits are not known. */
size_t net_send_bound(void);

/* The open connection with this serial, or NULL. */
struct conn *net_find(uint64_t serial);

/* Reads what is there without waiting; returns 1 when the client has closed
 * or reset the connection (CALL-CONN-GONE), else 0. */
int net_peer_gone(struct conn *c);

/* Writes all n bytes, waiting up to timeout_ms in total; *written says how
 * many went out. Returns 0 when all did, -1 otherwise. */
int net_send(struct conn *c, const hs_byte *p, size_t n, int timeout_ms, size_t *written);

/* Starts a deferred send of o on c: what fits goes out now, the rest from the
 * poll loop. When all is written, o->state becomes NET_OUT_DONE and o->then is
 * carried out; when the connection fails or is dropped first, NET_OUT_FAILED. */
void net_send_deferred(struct conn *c, struct net_out *o);

/* Up to cap bytes of request body (or of raw bytes in CP_OPAQUE) from what
 * has arrived. *end is set when no more will come. */
size_t net_take_body(struct conn *c, hs_byte *out, size_t cap, int *end);

/* The response is complete: close the connection (close != 0) or go on with
 * the next request on it. */
void net_response_done(struct conn *c, int close);

/* The connection carries raw bytes from now on. */
void net_go_opaque(struct conn *c);

/* Closes at once and forgets the connection (a deferred send on it fails). */
void net_drop(struct conn *c);

/* Closes every connection (and any waiting in the backlog); keeps the listener. */
void net_reset(void);

#endif
