/*
 * hs_render.c: the bytes of a response head and of entity chunks.
 * All output goes through hs_put, which counts every byte and writes only
 * what fits, so a caller can measure first and render second.
 */
#include "hs_model.h"
#include "hs_render.h"

/* Where output goes. need counts every byte asked for, written or not. */
struct hs_out {
    hs_byte *buf;
    size_t cap;
    size_t need;
};

/*@ predicate out_ok(struct hs_out *o) = out_buffer(o->buf, o->cap) && o->cap < SIZE_MAX;
    // Bytes below `below` are as they were at label L.
    predicate kept{L1, L2}(struct hs_out *o, integer below) =
        \forall integer i; 0 <= i < below && i < \at(o->cap, L1) ==>
            \at(o->buf[i], L2) == \at(o->buf[i], L1);

    // Kept bytes stay kept over two steps of a writer that does not move its buffer.
    lemma kept_trans{L1, L2, L3}:
      \forall struct hs_out *o, integer a, integer b;
        a <= b ==> \at(o->cap, L1) == \at(o->cap, L2) ==>
        \at(o->buf, L1) == \at(o->buf, L2) ==> \at(o->buf, L2) == \at(o->buf, L3) ==>
        kept{L1, L2}(o, a) ==> kept{L2, L3}(o, b) ==> kept{L1, L3}(o, a);
    predicate fits(struct hs_out *o, integer n) =
        o->buf != \null && o->need <= o->cap && n <= o->cap - o->need;
*/

/*@ requires \valid(o) && out_ok(o);
    requires \valid_read(src + (0 .. n - 1));
    requires apart(src, n, o->buf, o->cap);
    requires o->buf == \null || \separated(o, o->buf + (0 .. o->cap - 1));
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures grows: o->need >= \old(o->need);
    ensures counts: \old(o->need) + n <= SIZE_MAX ==> o->need == \old(o->need) + n;
    ensures kept: kept{Pre, Post}(o, \old(o->need));

    behavior fits:
      assumes fits(o, n);
      ensures copied: \forall integer i; 0 <= i < n ==> o->buf[\old(o->need) + i] == src[i];
    behavior spills:
      assumes !fits(o, n);
      assigns o->need;
      ensures over: o->buf != \null ==> o->need > o->cap;
    complete behaviors;
    disjoint behaviors;
*/
static void hs_put(struct hs_out *o, const hs_byte *src, size_t n)
{
    if (o->buf != NULL && o->need <= o->cap && n <= o->cap - o->need) {
        /*@ loop invariant 0 <= i <= n;
            loop invariant \forall integer j; 0 <= j < i ==> o->buf[o->need + j] == src[j];
            loop invariant \forall integer j; 0 <= j < o->need ==> o->buf[j] == \at(o->buf[j], Pre);
            loop assigns i, o->buf[o->need .. o->need + n - 1];
            loop variant n - i;
        */
        for (size_t i = 0; i < n; i++)
            o->buf[o->need + i] = src[i];
    }
    /* Saturates instead of wrapping; real heads stay far below 2^31 bytes. */
    o->need = (n > SIZE_MAX - o->need) ? SIZE_MAX : o->need + n;
}

static const hs_byte HS_SP[] = " ";
static const hs_byte HS_CRLF[] = "\r\n";
static const hs_byte HS_COLON_SP[] = ": ";
static const hs_byte HS_DATE[] = "Date: ";
static const hs_byte HS_SERVER[] = "Server: ";
static const hs_byte HS_CLOSE[] = "Connection: close";
static const hs_byte HS_LENGTH[] = "Content-Length: ";

/* The names of known response headers 0..29 (HTTP_HEADER_ID), each in a
 * NUL-padded row. */
#define HS_NAME_ROW 20
static const hs_byte hs_names[HttpHeaderResponseMaximum][HS_NAME_ROW] = { HS_KNOWN_HEADER_NAMES };

#define HS_PUT_LIT(o, lit) hs_put((o), (lit), sizeof(lit) - 1u)

/* Byte k of the name of header id. Reading the table here, in a function
 * with no pointer parameter, keeps it apart from every caller's memory
 * without any hypothesis. */
/*@ requires 0 <= id < HttpHeaderResponseMaximum && 0 <= k < HS_NAME_ROW;
    terminates \true;
    assigns \nothing;
*/
static hs_byte hs_name_at(int id, size_t k)
{
    return hs_names[id][k];
}

/*@ requires \valid(o) && out_ok(o);
    requires o->buf == \null || \separated(o, o->buf + (0 .. o->cap - 1));
    requires 0 <= id < HttpHeaderResponseMaximum;
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_name(struct hs_out *o, int id)
{
    hs_byte row[HS_NAME_ROW];   /* a local copy cannot overlap the output */
    size_t n = 0;
    /*@ loop invariant 0 <= n <= HS_NAME_ROW;
        loop assigns n, row[0 .. HS_NAME_ROW - 1];
        loop variant HS_NAME_ROW - n;
    */
    while (n < HS_NAME_ROW) {
        hs_byte b = hs_name_at(id, n);
        if (b == 0u)
            break;
        row[n] = b;
        n++;
    }
    hs_put(o, row, n);
}

/* 10^k. The table is local: a global array of 64-bit words would share
 * WP's memory of 64-bit values with every caller's counts and weigh on
 * their proofs. */
/*@ requires k < 20;
    terminates \true;
    assigns \nothing;
    ensures \result == pow10(k);
*/
static uint64_t hs_pow10_at(size_t k)
{
    const uint64_t p10[20] = {
        1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u, 100000000u,
        1000000000u, 10000000000u, 100000000000u, 1000000000000u, 10000000000000u,
        100000000000000u, 1000000000000000u, 10000000000000000u, 100000000000000000u,
        1000000000000000000u, 10000000000000000000u,
    };
    return p10[k];
}

/* The decimal numeral of v in d, most significant digit first; returns its
 * length. First the length (the smallest n with v < 10^n), then each digit. */
/*@ requires \valid(d + (0 .. 19));
    terminates \true;
    assigns d[0 .. 19];
    ensures length: \result == decimal_length(v) && 1 <= \result <= 20;
    ensures digits: decimal(d, v);
*/
static size_t hs_decimal(uint64_t v, hs_byte *d)
{
    size_t n = 1;
    /*@ loop invariant 1 <= n <= 20;
        loop invariant \forall integer k; 1 <= k < n ==> v >= pow10(k);
        loop assigns n;
        loop variant 20 - n;
    */
    while (n < 20u && v >= hs_pow10_at(n))
        n++;
    //@ assert n == decimal_length(v);
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> d[j] == decimal_digit(v, j);
        loop assigns i, d[0 .. 19];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        d[i] = (hs_byte)('0' + (int)(v / hs_pow10_at(n - 1u - i) % 10u));
    return n;
}

/* Every writer below appends to o, keeps what is already there, and never
 * reads outside the spans its contract names. */
/*@ predicate writer(struct hs_out *o) =
        \valid(o) && out_ok(o) && (o->buf == \null || \separated(o, o->buf + (0 .. o->cap - 1)));
*/

/* WIRE-STATUS-LINE after "HTTP/1.1 ": code, SP, reason, CRLF. */
/*@ requires writer(o);
    requires \valid_read(r) && \separated(o, r) && (o->buf == \null || \separated(r, o->buf + (0 .. o->cap - 1)));
    requires span(r->reason, r->reason_len) && !null_span(r->reason, r->reason_len);
    requires apart(r->reason, r->reason_len, o->buf, o->cap);
    requires o->need <= 9;
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need) + 4;
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_status(struct hs_out *o, const struct hs_response *r)
{
    hs_byte digits[20];
    size_t nd = hs_decimal(r->status, digits);
    hs_put(o, digits, nd);
    HS_PUT_LIT(o, HS_SP);
    if (r->reason_len > 0u)
        hs_put(o, r->reason, r->reason_len);
    HS_PUT_LIT(o, HS_CRLF);
}

/* WIRE-SERVER, WIRE-SERVER-DISABLED: the Server line, if any. */
/*@ requires writer(o);
    requires \valid_read(h) && span(h->value, h->len) && !null_span(h->value, h->len);
    requires apart(h->value, h->len, o->buf, o->cap);
    requires \valid_read(cfg) && span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires apart(cfg->token, cfg->token_len, o->buf, o->cap);
    requires \separated(o, h) && \separated(o, cfg);
    requires o->buf == \null || (\separated(h, o->buf + (0 .. o->cap - 1)) && \separated(cfg, o->buf + (0 .. o->cap - 1)));
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_server(struct hs_out *o, const struct hs_known_header *h, uint8_t server,
                          const struct hs_config *cfg)
{
    if (server == HS_SERVER_NONE)
        return;
    HS_PUT_LIT(o, HS_SERVER);
    if ((server == HS_SERVER_APP || server == HS_SERVER_APP_TOKEN) && h->len > 0u)
        hs_put(o, h->value, h->len);
    if (server == HS_SERVER_APP_TOKEN)
        HS_PUT_LIT(o, HS_SP);
    if ((server == HS_SERVER_TOKEN || server == HS_SERVER_APP_TOKEN) && cfg->token_len > 0u)
        hs_put(o, cfg->token, cfg->token_len);
    HS_PUT_LIT(o, HS_CRLF);
}

/* WIRE-KNOWN-HEADER in id order; WIRE-KNOWN-EMPTY-OMITTED; Date is replaced
 * (WIRE-DATE); the Server slot follows the plan. */
/*@ requires writer(o);
    requires renderable(r) && \separated(o, r);
    requires response_apart(r, o->buf, o->cap);
    requires \valid_read(cfg) && span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires apart(cfg->token, cfg->token_len, o->buf, o->cap) && \separated(o, cfg);
    requires o->buf == \null || \separated(cfg, o->buf + (0 .. o->cap - 1));
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_known(struct hs_out *o, const struct hs_response *r, uint8_t server,
                         const struct hs_config *cfg)
{
    /*@ loop invariant 0 <= i <= HttpHeaderResponseMaximum;
        loop invariant o->need >= \at(o->need, Pre);
        loop invariant kept{Pre, Here}(o, \at(o->need, Pre));
        loop assigns i, o->need, o->buf[0 .. o->cap - 1];
        loop variant HttpHeaderResponseMaximum - i;
    */
    for (int i = 0; i < HttpHeaderResponseMaximum; i++) {
        const struct hs_known_header *h = &r->known[i];
        if (i == HttpHeaderDate)
            continue;
        if (i == HttpHeaderServer) {
            hs_put_server(o, h, server, cfg);
            continue;
        }
        if (h->len == 0u)
            continue;
        hs_put_name(o, i);
        HS_PUT_LIT(o, HS_COLON_SP);
        hs_put(o, h->value, h->len);
        HS_PUT_LIT(o, HS_CRLF);
    }
}

/* WIRE-UNKNOWN-HEADER: array order, verbatim. */
/*@ requires writer(o);
    requires renderable(r) && \separated(o, r);
    requires response_apart(r, o->buf, o->cap);
    requires r->unknown != \null ==> \separated(o, r->unknown + (0 .. r->unknown_count - 1));
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_unknown(struct hs_out *o, const struct hs_response *r)
{
    if (r->unknown == NULL)
        return;
    /*@ loop invariant 0 <= i <= r->unknown_count;
        loop invariant o->need >= \at(o->need, Pre);
        loop invariant kept{Pre, Here}(o, \at(o->need, Pre));
        loop assigns i, o->need, o->buf[0 .. o->cap - 1];
        loop variant r->unknown_count - i;
    */
    for (uint32_t i = 0; i < r->unknown_count; i++) {
        const struct hs_unknown_header *u = &r->unknown[i];
        if (u->name_len > 0u)
            hs_put(o, u->name, u->name_len);
        HS_PUT_LIT(o, HS_COLON_SP);
        if (u->value_len > 0u)
            hs_put(o, u->value, u->value_len);
        HS_PUT_LIT(o, HS_CRLF);
    }
}

/* WIRE-DATE */
/*@ requires writer(o);
    requires \valid_read(date + (0 .. HS_DATE_LEN - 1)) && apart(date, HS_DATE_LEN, o->buf, o->cap);
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_date(struct hs_out *o, const hs_byte *date)
{
    HS_PUT_LIT(o, HS_DATE);
    hs_put(o, date, HS_DATE_LEN);
    HS_PUT_LIT(o, HS_CRLF);
}

/* WIRE-CONNECTION-CLOSE */
/*@ requires writer(o);
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_close(struct hs_out *o)
{
    HS_PUT_LIT(o, HS_CLOSE);
    HS_PUT_LIT(o, HS_CRLF);
}

/* WIRE-CL-AUTO */
/*@ requires writer(o);
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_length(struct hs_out *o, uint64_t body_len)
{
    hs_byte digits[20];
    size_t nd = hs_decimal(body_len, digits);
    HS_PUT_LIT(o, HS_LENGTH);
    hs_put(o, digits, nd);
    HS_PUT_LIT(o, HS_CRLF);
}

/* WIRE-DATE, WIRE-CONNECTION-CLOSE, WIRE-CL-AUTO, then the empty line. */
/*@ requires writer(o);
    requires \valid_read(date + (0 .. HS_DATE_LEN - 1)) && apart(date, HS_DATE_LEN, o->buf, o->cap);
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures kept{Pre, Post}(o, \old(o->need));
*/
static void hs_put_tail(struct hs_out *o, uint8_t connection_close, uint8_t auto_length,
                        uint64_t body_len, const hs_byte *date)
{
    hs_put_date(o, date);
    if (connection_close)
        hs_put_close(o);
    if (auto_length)
        hs_put_length(o, body_len);
    HS_PUT_LIT(o, HS_CRLF);
}

size_t hs_render_head(const struct hs_response *r, struct hs_plan p, const struct hs_config *cfg,
                      const hs_byte *date, hs_byte *buf, size_t cap)
{
    /* A local copy: the proof then knows its bytes and that it is not buf. */
    const hs_byte http11[9] = { 'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ' };
    struct hs_out o = { buf, buf == NULL ? 0u : cap, 0u };
    hs_put(&o, http11, sizeof http11);   /* WIRE-STATUS-LINE, WIRE-VERSION-IGNORED */
Status: __attribute__((unused));
    //@ assert status_prefix: buf != \null && 9 <= o.cap ==> head_prefix(buf);
    hs_put_status(&o, r);
    hs_put_known(&o, r, p.server, cfg);
    hs_put_unknown(&o, r);
    hs_put_tail(&o, p.connection_close, p.auto_length, p.body_len, date);
    //@ assert kept{Status, Here}(&o, 9);
    return o.need;
}

size_t hs_render_body(const struct hs_chunk *k, uint16_t n, hs_byte *buf, size_t cap)
{
    struct hs_out o = { buf, buf == NULL ? 0u : cap, 0u };
    if (k == NULL)
        return 0u;
    /* WIRE-BODY: the chunks' bytes back to back, no framing. */
    /*@ loop invariant 0 <= i <= n;
        loop invariant o.buf == buf && o.cap == (buf == \null ? 0 : cap);
        loop assigns i, o.need, buf[0 .. cap - 1];
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        const struct hs_chunk *c = &k[i];
        uint64_t off = 0u;
        uint64_t len = c->len;
        //@ assert usable: !(ranged(c) && range_bad(c)) && !null_span(c->data, c->len);
        if (c->type == HttpDataChunkFromFileHandle || c->type == HttpDataChunkFromFragmentCacheEx) {
            off = c->start;
            len = (c->length == HTTP_BYTE_RANGE_TO_EOF) ? (uint64_t)c->len - c->start : c->length;
        }
        //@ assert inside: off + len <= c->len;
        if (len > 0u) {
            //@ assert c->data != \null && \valid_read(c->data + (off .. off + len - 1));
            //@ assert apart(c->data + off, len, o.buf, o.cap);
            hs_put(&o, c->data + off, (size_t)len);
        }
    }
    return o.need;
}
