/*
 * api.c: request ids and their exchanges, and the two send functions as
 * the model's four steps (hs_model.h): check, plan, render, commit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "bigbuf.h"
#include "deferred.h"
#include "faults.h"
#include "hs_model.h"
#include "hs_render.h"
#include "hs_render_accepted.h"
#include "http_conn.h"
#include "log.h"
#include "protocol_refs.h"
#include "response_info.h"
#include "timeutil.h"

#define FIRST_REQUEST_ID 0x1000000000000001ull

/* One request id: the model's exchange and the connection it came on. */
struct xrec {
    struct hs_exchange x;
    uint64_t conn;                      /* serial of the connection */
    char method[HP_MAX_METHOD + 1];
};

static struct xrec *xs;
static size_t n_xs, cap_xs;
static uint64_t next_id = FIRST_REQUEST_ID;   /* never reused, not even after RESET */

static hs_byte token[65535];
static struct hs_config cfg = { 0, 0, token };

void api_configure(uint8_t server_mode, const char *tok)
{
    size_t n = strlen(tok);
    if (n > sizeof token)
        n = sizeof token;
    memcpy(token, tok, n);
    cfg.server_mode = server_mode;
    cfg.token_len = (uint16_t)n;
    cfg.token = token;
}

/* ---- ids and refs ------------------------------------------------------------------- */

static struct xrec *find_x(uint64_t id)
{
    for (size_t i = n_xs; i-- > 0;) {
        if (xs[i].x.id == id)
            return &xs[i];
    }
    return NULL;
}

/* HttpReceiveHttpRequest: a new id for the request, state RECEIVED. */
static struct xrec *deliver(struct conn *c)
{
    struct xrec *r;
    if (n_xs == cap_xs) {
        size_t cap = cap_xs ? cap_xs * 2 : 64;
        struct xrec *nx = realloc(xs, cap * sizeof *nx);
        if (nx == NULL)
            return NULL;
        xs = nx;
        cap_xs = cap;
    }
    r = &xs[n_xs++];
    memset(r, 0, sizeof *r);
    r->x.id = next_id++;
    r->x.state = HS_ST_RECEIVED;
    r->x.request.verb = c->req.verb;
    r->x.request.major = c->req.major;
    r->x.request.minor = c->req.minor;
    r->x.request.conn_close = c->req.conn_close;
    r->x.request.conn_keep_alive = c->req.conn_keep_alive;
    r->conn = c->serial;
    memcpy(r->method, c->req.method, sizeof r->method);
    c->phase = CP_ACTIVE;
    return r;
}

static int live(const struct xrec *r)
{
    return r->x.state == HS_ST_RECEIVED || r->x.state == HS_ST_STREAMING || r->x.state == HS_ST_OPAQUE;
}

/* CALL-CONN-GONE: a live exchange whose client has closed becomes GONE. */
static void refresh(struct xrec *r)
{
    struct conn *c;
    if (!live(r))
        return;
    c = net_find(r->conn);
    if (c == NULL || net_peer_gone(c)) {
        r->x.state = HS_ST_GONE;
        if (c != NULL)
            net_drop(c);
    }
}

/* ---- RECEIVE ------------------------------------------------------------------------- */

int api_receive(const char *ref, int timeout_ms, const struct net_sent *sent, size_t n_sent,
                struct api_request *out)
{
    int64_t deadline = now_ms() + timeout_ms;
    net_wait(0, -1);
    for (;;) {
        struct conn *c = net_ready();
        if (c != NULL) {
            struct xrec *r = deliver(c);
            if (r == NULL || refs_set(ref, r->x.id) != 0) {
                log_msg("out of memory delivering a request");
                net_drop(c);
                return 0;
            }
            out->method = r->method;
            out->major = r->x.request.major;
            out->minor = r->x.request.minor;
            out->peer_port = net_peer_port(c);
            return 1;
        }
        if (ms_until(deadline) == 0)
            return 0;
        /* sent=: all the client wrote is read and nothing is ready, so nothing
         * can be delivered before it writes again: TIMEOUT is certain now */
        if (sent != NULL && net_settled(sent, n_sent))
            return 0;
        net_wait(ms_until(deadline), -1);
    }
}

/* ---- CALL ---------------------------------------------------------------------------- */

/* overlapped=defer: the model commits now, the bytes go out from the poll loop
 * (deferred.h); the completion comes with WAIT. Takes buf over. */
static int send_deferred(struct call_spec *s, struct xrec *r, struct conn *c, struct hs_plan p,
                         hs_byte *buf, size_t n, struct api_result *out, const char **err)
{
    struct op *o = op_add(s->op, r->x.id, c->serial, buf, n);
    if (o == NULL) {
        *err = "out of memory";
        return -1;
    }
    switch (hs_commit(&r->x, p, n)) {
    case HS_ST_DONE:
        o->out.then = NET_THEN_DONE;
        o->out.close_after = p.close_after;
        break;
    case HS_ST_OPAQUE:
        o->out.then = NET_THEN_OPAQUE;
        break;
    default:
        o->out.then = NET_THEN_NOTHING;
        break;
    }
    net_send_deferred(c, &o->out);
    /* CONN-ASYNC-RESULT: pending; BytesSent is not written for it */
    out->rc = fault_rc(ERROR_IO_PENDING);
    out->completion_pending = 1;
    return 0;
}

/* Steps 2 to 5 of an accepted call: plan, render, send, commit, report. */
static int send_accepted(struct call_spec *s, struct xrec *r, struct conn *c, int ctl_fd,
                         struct api_result *out, const char **err)
{
    struct hs_exchange *x = &r->x;
    int is_head = s->call.function == HS_FN_SEND_RESPONSE;
    const struct hs_chunk *k = is_head ? s->resp.chunks : s->call.chunks;
    uint16_t kn = is_head ? s->resp.chunk_count : s->call.chunk_count;
    struct hs_date date;
    struct hs_plan p;
    struct hs_counts counts;
    size_t head = 0, body, n, w = 0, info = 0;
    hs_byte *buf;
    int rc;

    imf_fixdate(date.text);
    if (is_head) {
        p = hs_plan_response(&s->call, x, &cfg);
        head = hs_render_head(&s->resp, p, &cfg, date, NULL, 0);
    } else {
        p = hs_plan_body(&s->call, x);
    }
    body = hs_render_body(k, kn, NULL, 0);
    if (is_head)
        info = info_render(s->multi, s->n_multi, NULL);   /* RESP-INFO-MULTIPLE-KNOWN */
    if ((uint64_t)body != p.body_len || head > SIZE_MAX / 4 || body > SIZE_MAX / 4 ||
        info > SIZE_MAX / 4) {
        *err = "internal error: plan and rendering disagree";
        return -1;
    }
    buf = big_alloc(head + info + body + 65);  /* + room for the byte faults */
    if (buf == NULL) {
        *err = "out of memory";
        return -1;
    }
    if (is_head) {
        /* hs_render_head, with the head facts of spec 7.4 proven of its bytes */
        hs_render_accepted_head(&s->resp, p, &cfg, date, buf, head);
        head = info_insert(s->multi, s->n_multi, buf, head, info);
    }
    hs_render_body(k, kn, buf + head, body);
    n = fault_bytes(buf, head + body, head, date.text, p.next_state == HS_ST_DONE);

    if (s->defer)
        return send_deferred(s, r, c, p, buf, n, out, err);

    if (fault_mode == FAULT_ENDLESS && is_head) {
        uint64_t total;
        net_send(c, buf, head, CONN_SEND_MS, &w);
        big_free(buf);
        total = w + fault_endless(c, ctl_fd);
        x->state = HS_ST_GONE;
        net_drop(c);
        out->bytes_sent_set = s->bytes_sent;
        out->bytes_sent = total;
        return 0;
    }

    rc = net_send(c, buf, n, CONN_SEND_MS, &w);
    big_free(buf);
    if (rc != 0) {
        /* CALL-SYSTEM-ERROR: never report success for bytes not written. */
        log_msg("request 0x%llx: sent %zu of %zu bytes, then the client was gone or stalled",
                (unsigned long long)x->id, w, n);
        x->state = HS_ST_GONE;
        net_drop(c);
        out->rc = fault_rc(ERROR_CONNECTION_INVALID);
        return 0;
    }

    switch (hs_commit(x, p, w)) {
    case HS_ST_DONE:
        net_response_done(c, p.close_after);
        break;
    case HS_ST_OPAQUE:
        net_go_opaque(c);
        break;
    default:
        break;
    }
    /* Step 5: the counts the call returns (CONN-BYTES-SENT, CONN-BYTES-SENT-HEAD,
     * CONN-ASYNC-RESULT), from the bytes it put on the wire. */
    counts = hs_call_counts(s->call.function, p, (uint64_t)w);
    out->rc = NO_ERROR;
    out->bytes_sent_set = s->bytes_sent;
    out->bytes_sent = counts.bytes_sent;
    out->completion_set = s->overlapped;
    out->completion = counts.completion;
    return 0;
}

/* The spec id of a rule of the model (hs_rules.h). */
static const char *rule_id(enum hs_rule rule)
{
#define HS_RULE_ID(sym, id, cls) id,
    static const char *const ids[] = { HS_RULE_LIST(HS_RULE_ID) };
#undef HS_RULE_ID
    return (unsigned)rule < sizeof ids / sizeof ids[0] ? ids[rule] : "NONE";
}

int api_call(struct call_spec *s, int ctl_fd, struct api_result *out, const char **err)
{
    struct xrec *r = NULL;
    struct conn *c;
    enum hs_rule rule;
    uint64_t id = 0;

    memset(out, 0, sizeof *out);
    if (s->id_kind == CTL_ID_REF && !refs_get(s->ref, &id)) {
        *err = "unknown ref";
        return -1;
    }
    if (s->defer && op_find(s->op) != NULL) {
        static char msg[CTL_ERR_LEN];
        snprintf(msg, sizeof msg, "op '%s' is already used since the last RESET", s->op);
        *err = msg;
        return -1;
    }
    if (s->id_kind == CTL_ID_LITERAL)
        id = refs_unissued(s->id_literal);
    s->call.request_id = id;
    if (id != HTTP_NULL_ID)
        r = find_x(id);
    if (r != NULL)
        refresh(r);
    if (r != NULL && op_pending_for(r->x.id)) {
        /* CALL-CONCURRENT-SEND: an earlier send on this id is still pending */
        out->rc = fault_rc(ERROR_BAD_COMMAND);
        out->rule = "CALL-CONCURRENT-SEND";
        return 0;
    }

    if (fault_mode == FAULT_IGNORE_UNKNOWN_FLAGS)
        s->call.flags &= HS_FLAGS_KNOWN;
    if (s->call.function == HS_FN_SEND_RESPONSE)
        rule = hs_check_send_response(&s->call, r != NULL ? &r->x : NULL);
    else
        rule = hs_check_send_body(&s->call, r != NULL ? &r->x : NULL);
    out->rule = rule_id(rule);
    if (rule != HS_RULE_CALL_OK) {
        out->rc = fault_rc(hs_rule_error(rule));     /* nothing is sent */
        return 0;
    }
    c = net_find(r->conn);            /* refresh() made sure it is there */
    if (c == NULL) {
        *err = "internal error: live request without a connection";
        return -1;
    }
    return send_accepted(s, r, c, ctl_fd, out, err);
}

/* ---- RECV_BODY ----------------------------------------------------------------------- */

int api_recv_body(const char *ref, size_t max, int timeout_ms, hs_byte *buf, size_t *n, const char **err)
{
    int64_t deadline = now_ms() + timeout_ms;
    uint64_t id;

    *n = 0;
    if (!refs_get(ref, &id)) {
        *err = "unknown ref";
        return -1;
    }
    net_wait(0, -1);
    for (;;) {
        struct xrec *r = find_x(id);
        struct conn *c = (r != NULL && live(r)) ? net_find(r->conn) : NULL;
        int end = 0;
        if (c == NULL)
            return 1;                      /* finished or gone: no more bytes */
        *n = net_take_body(c, buf, max, &end);
        if (*n > 0 || end)
            return 1;
        if (ms_until(deadline) == 0)
            return 0;
        net_wait(ms_until(deadline), -1);
    }
}

int api_wait(const char *op, int timeout_ms, const struct net_sent *stalled, size_t n,
             uint32_t *rc, uint64_t *count, const char **err)
{
    struct op *o = op_find(op);
    if (o == NULL) {
        *err = "unknown op";
        return -1;
    }
    return op_wait(o, timeout_ms, stalled, n, rc, count);
}

int api_cancel(const char *op, const char **err)
{
    struct op *o = op_find(op);
    if (o == NULL) {
        *err = "unknown op";
        return -1;
    }
    op_cancel(o);
    return 0;
}

void api_reset(void)
{
    net_reset();
    op_reset();
    free(xs);
    xs = NULL;
    n_xs = cap_xs = 0;
    refs_clear();
}
