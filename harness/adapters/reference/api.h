/*
 * api.h: the HTTP Server API on top of the model and the HTTP side:
 * HttpReceiveHttpRequest (request ids, one hs_exchange each),
 * HttpSendHttpResponse / HttpSendResponseEntityBody (check, plan, render,
 * send, commit) and HttpReceiveRequestEntityBody.
 */
#ifndef API_H
#define API_H

#include <stddef.h>
#include <stdint.h>
#include "control.h"
#include "hs_types.h"
#include "http_conn.h"

/* Server configuration (WIRE-SERVER, WIRE-SERVER-DISABLED). */
void api_configure(uint8_t server_mode, const char *token);

/* What RECEIVE reports. */
struct api_request {
    const char *method;
    unsigned major, minor;
    unsigned peer_port;          /* the client's port of its connection (0: unknown) */
};

/* Waits up to timeout_ms for the next request and names it ref.
 * 1: got one (*out filled); 0: timed out. With sent (RECEIVE sent=: what the
 * client has written on each connection), 0 as soon as nothing can come. */
int api_receive(const char *ref, int timeout_ms, const struct net_sent *sent, size_t n_sent,
                struct api_request *out);

/* What CALL reports; *_set 0 means "unset". */
struct api_result {
    uint32_t rc;
    int bytes_sent_set;
    uint64_t bytes_sent;
    int completion_set;
    uint64_t completion;
    int completion_pending;     /* overlapped=defer: "completion=pending" */
    const char *rule;           /* the spec id of the rule that decided rc ("rule=") */
};

/* Makes the call. -1 with *err when the command cannot be carried out.
 * ctl_fd: the control channel (the endless fault watches it). */
int api_call(struct call_spec *s, int ctl_fd, struct api_result *out, const char **err);

/* Up to max bytes of request body (or opaque bytes) of ref, waiting up to
 * timeout_ms for one. 1: *n bytes in buf (0: no more will come);
 * 0: timed out; -1: *err. */
int api_recv_body(const char *ref, size_t max, int timeout_ms, hs_byte *buf, size_t *n,
                  const char **err);

/* WAIT (protocol 1.1): 1 with the completion's rc and count, 0 when still
 * pending after timeout_ms (or certain to stay pending: op_wait's stalled),
 * -1 with *err for an unknown op. */
int api_wait(const char *op, int timeout_ms, const struct net_sent *stalled, size_t n,
             uint32_t *rc, uint64_t *count, const char **err);

/* CANCEL (protocol 1.1): 0, or -1 with *err for an unknown op. */
int api_cancel(const char *op, const char **err);

/* Forgets every request id and operation and closes every connection. */
void api_reset(void);

#endif
