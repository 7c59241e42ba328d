/*
 * hs_plan.c: what a successful call does (spec chapters "The bytes on the
 * wire" and "The connection"), decided before any byte is written, and the
 * exchange's next state.
 */
#include "hs_model.h"

/*@ requires chunks_readable(k, n) && !chunks_null(k, n) && chunks_rule(k, n, HS_RULE_NONE);
    terminates \true;
    assigns \nothing;
    ensures \result == chunks_total(k, n);
*/
static uint64_t hs_chunks_total(const struct hs_chunk *k, uint16_t n)
{
    uint64_t total = 0u;
    if (k == NULL)
        return 0u;
    /*@ loop invariant 0 <= i <= n;
        loop invariant total == chunks_total(k, i);
        loop invariant total <= i * 0xFFFFFFFF;
        loop assigns i, total;
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        const struct hs_chunk *c = &k[i];
        uint64_t len = c->len;
        //@ assert !(ranged(c) && range_bad(c));
        if (c->type == HttpDataChunkFromFileHandle || c->type == HttpDataChunkFromFragmentCacheEx)
            len = (c->length == HTTP_BYTE_RANGE_TO_EOF) ? (uint64_t)c->len - c->start : c->length;
        total += len;
    }
    return total;
}

/*@ requires 'a' <= lower <= 'z';
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result != 0 <==> ci(b, lower);
*/
static int hs_ci(hs_byte b, int lower)
{
    return b == lower || b == lower - 32;
}

/* CONN-APP-CLOSE: the application's known Connection value is "close". */
/*@ requires \valid_read(h) && span(h->value, h->len) && !null_span(h->value, h->len);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result != 0 <==> (h->len == 5 && ci(h->value[0], 'c') && ci(h->value[1], 'l') &&
                               ci(h->value[2], 'o') && ci(h->value[3], 's') && ci(h->value[4], 'e'));
*/
static int hs_is_close(const struct hs_known_header *h)
{
    return h->len == 5u && hs_ci(h->value[0], 'c') && hs_ci(h->value[1], 'l') &&
           hs_ci(h->value[2], 'o') && hs_ci(h->value[3], 's') && hs_ci(h->value[4], 'e');
}

/* WIRE-CL-AUTO; WIRE-CL-NONE-MORE-DATA, -HEAD, -NO-CONTENT, -1XX-304, -TE; WIRE-CL-APP */
/*@ requires \valid_read(c) && \valid_read(c->response) && \valid_read(x);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result != 0 <==> auto_length(c, x);
*/
static int hs_auto_length(const struct hs_call *c, const struct hs_exchange *x)
{
    const struct hs_response *r = c->response;
    if ((c->flags & HTTP_SEND_RESPONSE_FLAG_MORE_DATA) != 0u)
        return 0;
    if (r->known[HttpHeaderContentLength].len != 0u || r->known[HttpHeaderTransferEncoding].len != 0u)
        return 0;
    if (x->request.verb == HttpVerbHEAD)
        return 0;
    return !(r->status < 200u || r->status == 204u || r->status == 304u);
}

/* WIRE-SERVER, WIRE-SERVER-DISABLED */
/*@ requires \valid_read(r) && \valid_read(cfg);
    terminates \true;
    assigns \nothing;
    ensures cfg->server_mode != HS_SERVER_MODE_NO_TOKEN && !app_has(r, HttpHeaderServer) ==> \result == HS_SERVER_TOKEN;
    ensures cfg->server_mode != HS_SERVER_MODE_NO_TOKEN && app_has(r, HttpHeaderServer) ==> \result == HS_SERVER_APP_TOKEN;
    ensures cfg->server_mode == HS_SERVER_MODE_NO_TOKEN && app_has(r, HttpHeaderServer) ==> \result == HS_SERVER_APP;
    ensures cfg->server_mode == HS_SERVER_MODE_NO_TOKEN && !app_has(r, HttpHeaderServer) ==> \result == HS_SERVER_NONE;
*/
static uint8_t hs_server_line(const struct hs_response *r, const struct hs_config *cfg)
{
    int app = r->known[HttpHeaderServer].len != 0u;
    if (cfg->server_mode == HS_SERVER_MODE_NO_TOKEN)
        return app ? HS_SERVER_APP : HS_SERVER_NONE;
    return app ? HS_SERVER_APP_TOKEN : HS_SERVER_TOKEN;
}

/*@ requires \valid_read(q);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result != 0 <==> http10(q);
*/
static int hs_http10(const struct hs_request *q)
{
    return q->major < 1u || (q->major == 1u && q->minor == 0u);
}

/* WIRE-CONNECTION-CLOSE, WIRE-CONNECTION-CLOSE-OTHER */
/*@ requires \valid_read(c) && \valid_read(c->response) && \valid_read(x);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result != 0 <==> close_line(c, x);
*/
static int hs_close_line(const struct hs_call *c, const struct hs_exchange *x)
{
    if (c->response->known[HttpHeaderConnection].len != 0u)
        return 0;
    return hs_http10(&x->request) || x->request.conn_close != 0u ||
           (c->flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0u;
}

/* CONN-HTTP10-CLOSE, CONN-REQUEST-CLOSE, CONN-APP-CLOSE, CONN-DISCONNECT, CONN-OPAQUE */
/*@ requires \valid_read(c) && response_readable(c->response) && !headers_null(c->response);
    requires \valid_read(x);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == 1;
    ensures \result != 0 <==> closes_at_head(c, x);
*/
static int hs_closes_at_head(const struct hs_call *c, const struct hs_exchange *x)
{
    if (hs_http10(&x->request) || x->request.conn_close != 0u)
        return 1;
    if ((c->flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0u)
        return 1;
    if ((c->flags & HTTP_SEND_RESPONSE_FLAG_OPAQUE) != 0u)
        return 1;
    return hs_is_close(&c->response->known[HttpHeaderConnection]);
}

/* CONN-MORE-DATA, CONN-OPAQUE, CONN-ID-DIES */
/*@ requires \valid_read(c);
    terminates \true;
    assigns \nothing;
    ensures more_data(c) && !opaque(c) ==> \result == HS_ST_STREAMING;
    ensures more_data(c) && opaque(c) ==> \result == HS_ST_OPAQUE;
    ensures !more_data(c) ==> \result == HS_ST_DONE;
*/
static uint8_t hs_next_state(const struct hs_call *c)
{
    if ((c->flags & HTTP_SEND_RESPONSE_FLAG_MORE_DATA) == 0u)
        return HS_ST_DONE;
    if ((c->flags & HTTP_SEND_RESPONSE_FLAG_OPAQUE) != 0u)
        return HS_ST_OPAQUE;
    return HS_ST_STREAMING;
}

struct hs_plan hs_plan_response(const struct hs_call *c, const struct hs_exchange *x,
                                const struct hs_config *cfg)
{
    struct hs_plan p;
    p.body_len = hs_chunks_total(c->response->chunks, c->response->chunk_count);
    p.auto_length = (uint8_t)hs_auto_length(c, x);
    p.server = hs_server_line(c->response, cfg);
    p.connection_close = (uint8_t)hs_close_line(c, x);
    p.close_after = (uint8_t)hs_closes_at_head(c, x);
    p.next_state = hs_next_state(c);
    return p;
}

struct hs_plan hs_plan_body(const struct hs_call *c, const struct hs_exchange *x)
{
    struct hs_plan p;
    p.server = HS_SERVER_NONE;
    p.connection_close = 0u;
    p.auto_length = 0u;
    p.body_len = hs_chunks_total(c->chunks, c->chunk_count);
    /* CONN-DISCONNECT: the last call may still ask for the close. */
    p.close_after = x->close_after != 0u || (c->flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0u;
    /* CONN-MORE-DATA, CONN-ID-DIES */
    p.next_state = (c->flags & HTTP_SEND_RESPONSE_FLAG_MORE_DATA) != 0u ? x->state : HS_ST_DONE;
    return p;
}

uint8_t hs_commit(struct hs_exchange *x, struct hs_plan p, uint64_t wire)
{
    x->state = p.next_state;
    x->close_after = p.close_after;
    x->wire_bytes += wire;
    return x->state;
}

struct hs_counts hs_call_counts(uint8_t fn, struct hs_plan p, uint64_t wire)
{
    struct hs_counts n;
    n.completion = wire;
    n.bytes_sent = fn == HS_FN_SEND_RESPONSE ? wire : p.body_len;
    return n;
}
