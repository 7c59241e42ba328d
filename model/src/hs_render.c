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

/*@ predicate out_ok(struct hs_out *o) = out_buffer(o->buf, o->cap);
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

    behavior fits:
      assumes fits(o, n);
      ensures copied: \forall integer i; 0 <= i < n ==> o->buf[\old(o->need) + i] == src[i];
      ensures kept: \forall integer i; 0 <= i < \old(o->need) ==> o->buf[i] == \old(o->buf[i]);
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

static const hs_byte HS_HTTP11[] = "HTTP/1.1 ";
static const hs_byte HS_SP[] = " ";
static const hs_byte HS_CRLF[] = "\r\n";
static const hs_byte HS_COLON_SP[] = ": ";
static const hs_byte HS_DATE[] = "Date: ";
static const hs_byte HS_SERVER[] = "Server: ";
static const hs_byte HS_CLOSE[] = "Connection: close";
static const hs_byte HS_LENGTH[] = "Content-Length: ";

/* The names of known response headers 0..29 (HTTP_HEADER_ID). */
static const hs_byte N00[] = "Cache-Control";
static const hs_byte N01[] = "Connection";
static const hs_byte N02[] = "Date";
static const hs_byte N03[] = "Keep-Alive";
static const hs_byte N04[] = "Pragma";
static const hs_byte N05[] = "Trailer";
static const hs_byte N06[] = "Transfer-Encoding";
static const hs_byte N07[] = "Upgrade";
static const hs_byte N08[] = "Via";
static const hs_byte N09[] = "Warning";
static const hs_byte N10[] = "Allow";
static const hs_byte N11[] = "Content-Length";
static const hs_byte N12[] = "Content-Type";
static const hs_byte N13[] = "Content-Encoding";
static const hs_byte N14[] = "Content-Language";
static const hs_byte N15[] = "Content-Location";
static const hs_byte N16[] = "Content-MD5";
static const hs_byte N17[] = "Content-Range";
static const hs_byte N18[] = "Expires";
static const hs_byte N19[] = "Last-Modified";
static const hs_byte N20[] = "Accept-Ranges";
static const hs_byte N21[] = "Age";
static const hs_byte N22[] = "ETag";
static const hs_byte N23[] = "Location";
static const hs_byte N24[] = "Proxy-Authenticate";
static const hs_byte N25[] = "Retry-After";
static const hs_byte N26[] = "Server";
static const hs_byte N27[] = "Set-Cookie";
static const hs_byte N28[] = "Vary";
static const hs_byte N29[] = "WWW-Authenticate";

#define HS_PUT_LIT(o, lit) hs_put((o), (lit), sizeof(lit) - 1u)

/*@ requires \valid(o) && out_ok(o);
    requires o->buf == \null || \separated(o, o->buf + (0 .. o->cap - 1));
    requires 0 <= id < HttpHeaderResponseMaximum;
    terminates \true;
    assigns o->need, o->buf[0 .. o->cap - 1];
    ensures o->need >= \old(o->need);
    ensures \forall integer i; 0 <= i < \old(o->need) && (o->buf != \null && o->need <= o->cap) ==>
                o->buf[i] == \old(o->buf[i]);
*/
static void hs_put_name(struct hs_out *o, int id)
{
    switch (id) {
    case 0: HS_PUT_LIT(o, N00); break;
    case 1: HS_PUT_LIT(o, N01); break;
    case 2: HS_PUT_LIT(o, N02); break;
    case 3: HS_PUT_LIT(o, N03); break;
    case 4: HS_PUT_LIT(o, N04); break;
    case 5: HS_PUT_LIT(o, N05); break;
    case 6: HS_PUT_LIT(o, N06); break;
    case 7: HS_PUT_LIT(o, N07); break;
    case 8: HS_PUT_LIT(o, N08); break;
    case 9: HS_PUT_LIT(o, N09); break;
    case 10: HS_PUT_LIT(o, N10); break;
    case 11: HS_PUT_LIT(o, N11); break;
    case 12: HS_PUT_LIT(o, N12); break;
    case 13: HS_PUT_LIT(o, N13); break;
    case 14: HS_PUT_LIT(o, N14); break;
    case 15: HS_PUT_LIT(o, N15); break;
    case 16: HS_PUT_LIT(o, N16); break;
    case 17: HS_PUT_LIT(o, N17); break;
    case 18: HS_PUT_LIT(o, N18); break;
    case 19: HS_PUT_LIT(o, N19); break;
    case 20: HS_PUT_LIT(o, N20); break;
    case 21: HS_PUT_LIT(o, N21); break;
    case 22: HS_PUT_LIT(o, N22); break;
    case 23: HS_PUT_LIT(o, N23); break;
    case 24: HS_PUT_LIT(o, N24); break;
    case 25: HS_PUT_LIT(o, N25); break;
    case 26: HS_PUT_LIT(o, N26); break;
    case 27: HS_PUT_LIT(o, N27); break;
    case 28: HS_PUT_LIT(o, N28); break;
    default: HS_PUT_LIT(o, N29); break;
    }
}

/* Decimal digits of v, most significant first; returns how many. */
/*@ requires \valid(d + (0 .. 19));
    terminates \true;
    assigns d[0 .. 19];
    ensures 1 <= \result <= 20;
*/
static size_t hs_decimal(uint64_t v, hs_byte *d)
{
    hs_byte rev[20];
    size_t n = 0;
    /*@ loop invariant 0 <= n <= 20;
        loop assigns n, v, rev[0 .. 19];
        loop variant 20 - n;
    */
    while (n < 20u) {
        rev[n] = (hs_byte)('0' + (int)(v % 10u));
        n++;
        v /= 10u;
        if (v == 0u)
            break;
    }
    /*@ loop invariant 0 <= i <= n;
        loop assigns i, d[0 .. 19];
        loop variant n - i;
    */
    for (size_t i = 0; i < n; i++)
        d[i] = rev[n - 1u - i];
    return n;
}

size_t hs_render_head(const struct hs_response *r, struct hs_plan p, const struct hs_config *cfg,
                      const hs_byte *date, hs_byte *buf, size_t cap)
{
    struct hs_out o = { buf, buf == NULL ? 0u : cap, 0u };
    hs_byte digits[20];
    size_t nd;

    /* WIRE-STATUS-LINE, WIRE-VERSION-IGNORED */
    HS_PUT_LIT(&o, HS_HTTP11);
    nd = hs_decimal(r->status, digits);
    hs_put(&o, digits, nd);
    HS_PUT_LIT(&o, HS_SP);
    if (r->reason_len > 0u)
        hs_put(&o, r->reason, r->reason_len);
    HS_PUT_LIT(&o, HS_CRLF);

    /* WIRE-KNOWN-HEADER in id order; Date is replaced (WIRE-DATE) and
     * Server follows WIRE-SERVER / WIRE-SERVER-DISABLED. */
    /*@ loop invariant 0 <= i <= HttpHeaderResponseMaximum;
        loop invariant o.need >= 11;
        loop invariant o.buf == buf && o.cap == (buf == \null ? 0 : cap);
        loop invariant buf != \null && o.need <= o.cap ==> head_prefix(buf);
        loop assigns i, o.need, buf[0 .. cap - 1];
        loop variant HttpHeaderResponseMaximum - i;
    */
    for (int i = 0; i < HttpHeaderResponseMaximum; i++) {
        const struct hs_known_header *h = &r->known[i];
        if (i == HttpHeaderDate)
            continue;
        if (i == HttpHeaderServer) {
            if (p.server == HS_SERVER_NONE)
                continue;
            HS_PUT_LIT(&o, HS_SERVER);
            if (p.server == HS_SERVER_APP || p.server == HS_SERVER_APP_TOKEN) {
                if (h->len > 0u)
                    hs_put(&o, h->value, h->len);
            }
            if (p.server == HS_SERVER_APP_TOKEN)
                HS_PUT_LIT(&o, HS_SP);
            if ((p.server == HS_SERVER_TOKEN || p.server == HS_SERVER_APP_TOKEN) && cfg->token_len > 0u)
                hs_put(&o, cfg->token, cfg->token_len);
            HS_PUT_LIT(&o, HS_CRLF);
            continue;
        }
        if (h->len == 0u)
            continue;               /* WIRE-KNOWN-EMPTY-OMITTED */
        hs_put_name(&o, i);
        HS_PUT_LIT(&o, HS_COLON_SP);
        hs_put(&o, h->value, h->len);
        HS_PUT_LIT(&o, HS_CRLF);
    }

    /* WIRE-UNKNOWN-HEADER: array order, verbatim. */
    /*@ loop invariant 0 <= i <= r->unknown_count;
        loop invariant o.need >= 11;
        loop invariant o.buf == buf && o.cap == (buf == \null ? 0 : cap);
        loop invariant buf != \null && o.need <= o.cap ==> head_prefix(buf);
        loop assigns i, o.need, buf[0 .. cap - 1];
        loop variant r->unknown_count - i;
    */
    for (uint32_t i = 0; i < r->unknown_count; i++) {
        const struct hs_unknown_header *u = &r->unknown[i];
        if (u->name_len > 0u)
            hs_put(&o, u->name, u->name_len);
        HS_PUT_LIT(&o, HS_COLON_SP);
        if (u->value_len > 0u)
            hs_put(&o, u->value, u->value_len);
        HS_PUT_LIT(&o, HS_CRLF);
    }

    /* WIRE-DATE */
    HS_PUT_LIT(&o, HS_DATE);
    hs_put(&o, date, HS_DATE_LEN);
    HS_PUT_LIT(&o, HS_CRLF);

    /* WIRE-CONNECTION-CLOSE */
    if (p.connection_close) {
        HS_PUT_LIT(&o, HS_CLOSE);
        HS_PUT_LIT(&o, HS_CRLF);
    }

    /* WIRE-CL-AUTO */
    if (p.auto_length) {
        HS_PUT_LIT(&o, HS_LENGTH);
        nd = hs_decimal(p.body_len, digits);
        hs_put(&o, digits, nd);
        HS_PUT_LIT(&o, HS_CRLF);
    }

    HS_PUT_LIT(&o, HS_CRLF);
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
        if (c->type == HttpDataChunkFromFileHandle || c->type == HttpDataChunkFromFragmentCacheEx) {
            off = c->start;
            len = (c->length == HTTP_BYTE_RANGE_TO_EOF) ? (uint64_t)c->len - c->start : c->length;
        }
        if (len > 0u)
            hs_put(&o, c->data + off, (size_t)len);
    }
    return o.need;
}
