/*
 * hs_render.c: the bytes of a response head and of entity chunks.
 * All output goes through hs_put, which counts every byte and writes only
 * what fits, so a caller can measure first and render second.
 */
#include "hs_model.h"
#include "hs_render.h"

/* The output is a buffer buf with room writable bytes (room is 0 when buf is
 * NULL) and need, the bytes asked for so far, written or not. Every writer
 * takes need and returns the new need: the count is a value, never memory
 * that the chunks or headers it reads could share. */

/*@ predicate writer(hs_byte *buf, integer room) = out_buffer(buf, room) && room < SIZE_MAX;

    // n more bytes fit after need.
    predicate fits(hs_byte *buf, integer room, integer need, integer n) =
        buf != \null && need <= room && n <= room - need;

    // At L1, buf[at .. at + n - 1] holds src[from .. from + n - 1] as it was at L2.
    predicate copied{L1, L2}(hs_byte *buf, integer at, hs_byte *src, integer from, integer n) =
        \forall integer q; at <= q < at + n ==> \at(buf[q], L1) == \at(src[from + (q - at)], L2);

    // src[from .. from + n - 1] is the same at L1 and L2.
    predicate same_bytes{L1, L2}(hs_byte *src, integer from, integer n) =
        \forall integer q; from <= q < from + n ==> \at(src[q], L1) == \at(src[q], L2);

    // The chunks [0, i) end at or before need (their bytes lie below need).
    predicate ends_before{L}(struct hs_chunk *k, integer i, integer need) =
        \forall integer m; 0 <= m < i ==> chunks_total(k, m) + chunk_size(k + m) <= need;

    // A chunk with no bytes is in place as soon as the chunks before it are.
    lemma entity_empty{L1, L2}:
      \forall hs_byte *buf, struct hs_chunk *k, integer i;
        0 <= i ==> \at(chunk_size(k + i), L2) == 0 ==>
        entity{L1, L2}(buf, k, i) ==> entity{L1, L2}(buf, k, i + 1);

    // One more chunk in place: the bytes of chunks [0, i) were in place at
    // L1 below need; a writer that changed only [need, need2) from L1 to L2
    // put chunk i at need = chunks_total(k, i). Then chunks [0, i + 1) are
    // in place at L2. (Chunk m < i lies below need, so the writer left it
    // alone; chunk i is the copy.)
    lemma entity_step{L1, L2, L3}:
      \forall hs_byte *buf, struct hs_chunk *k, integer i, integer room, integer need, integer need2;
        0 <= i ==> need <= need2 <= room ==>
        entity{L1, L3}(buf, k, i) ==>
        ends_before{L3}(k, i, need) ==>
        \at(chunks_total(k, i), L3) == need ==>
        appended{L1, L2}(buf, room, need, need2) ==>
        copied{L2, L3}(buf, need, \at(k[i].data, L3), \at(chunk_offset(k + i), L3),
                       \at(chunk_size(k + i), L3)) ==>
        entity{L2, L3}(buf, k, i + 1);

    // Two appends in a row are one append: what the first left alone below
    // a, the second left alone too, since it wrote at b >= a; likewise past c.
    lemma appended_trans{L1, L2, L3}:
      \forall hs_byte *buf, integer cap, integer a, integer b, integer c;
        a <= b <= c ==>
        appended{L1, L2}(buf, cap, a, b) ==> appended{L2, L3}(buf, cap, b, c) ==>
        appended{L1, L3}(buf, cap, a, c);

    // A copy of bytes that did not change since is a copy of them as they
    // are: the two equalities chain at every index.
    lemma copied_same{L1, L2, L3}:
      \forall hs_byte *buf, integer at, hs_byte *src, integer from, integer n;
        copied{L1, L2}(buf, at, src, from, n) ==> same_bytes{L2, L3}(src, from, n) ==>
        copied{L1, L3}(buf, at, src, from, n);
*/

/*@ requires writer(buf, room);
    requires \valid_read(src + (0 .. n - 1));
    requires apart(src, n, buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures grows: \result >= need;
    ensures counts: need + n <= SIZE_MAX ==> \result == need + n;
    ensures appended: appended{Pre, Post}(buf, room, need, \result);

    behavior fits:
      assumes fits(buf, room, need, n);
      ensures copied: copied{Post, Pre}(buf, need, src, 0, n);
    behavior spills:
      assumes !fits(buf, room, need, n);
      assigns \nothing;
      ensures over: buf != \null ==> \result > room;
    complete behaviors;
    disjoint behaviors;
*/
static size_t hs_put(hs_byte *buf, size_t room, size_t need, const hs_byte *src, size_t n)
{
    if (buf != NULL && need <= room && n <= room - need) {
        /*@ loop invariant 0 <= i <= n;
            loop invariant \forall integer q; need <= q < need + i ==> buf[q] == \at(src[q - need], Pre);
            loop invariant same_bytes{Here, Pre}(src, 0, n);
            loop invariant appended{Pre, Here}(buf, room, need, need + n);
            loop assigns i, buf[need .. need + n - 1];
            loop variant n - i;
        */
        for (size_t i = 0; i < n; i++)
            buf[need + i] = src[i];
    }
    /* Saturates instead of wrapping; real heads stay far below 2^31 bytes. */
    return (n > SIZE_MAX - need) ? SIZE_MAX : need + n;
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

#define HS_PUT_LIT(buf, room, need, lit) hs_put((buf), (room), (need), (lit), sizeof(lit) - 1u)

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

/*@ requires writer(buf, room);
    requires 0 <= id < HttpHeaderResponseMaximum;
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures appended{Pre, Post}(buf, room, need, \result);
*/
static size_t hs_put_name(hs_byte *buf, size_t room, size_t need, int id)
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
    return hs_put(buf, room, need, row, n);
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

/* Every writer below appends to buf from need, changes no other byte, and
 * never reads outside the spans its contract names. */

/* WIRE-STATUS-LINE, WIRE-VERSION-IGNORED: "HTTP/1.1 ", code, SP, reason,
 * CRLF, from the start of the head. */
/*@ requires writer(buf, room);
    requires \valid_read(r) && (buf == \null || \separated(r, buf + (0 .. room - 1)));
    requires span(r->reason, r->reason_len) && !null_span(r->reason, r->reason_len);
    requires apart(r->reason, r->reason_len, buf, room);
    requires 100 <= r->status <= 999;
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures length: \result == status_line_length(r);
    ensures appended{Pre, Post}(buf, room, 0, \result);
    ensures prefix: buf != \null && \result <= room ==> head_prefix(buf);
*/
static size_t hs_put_status(hs_byte *buf, size_t room, const struct hs_response *r)
{
    /* A local copy: the proof then knows its bytes and that it is not buf. */
    const hs_byte http11[9] = { 'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ' };
    hs_byte digits[20];
    size_t nd;
    size_t need = hs_put(buf, room, 0u, http11, sizeof http11);
Prefix: __attribute__((unused));
    //@ assert prefix: buf != \null && 9 <= room ==> head_prefix(buf);
    nd = hs_decimal(r->status, digits);
    need = hs_put(buf, room, need, digits, nd);
    need = HS_PUT_LIT(buf, room, need, HS_SP);
    if (r->reason_len > 0u)
        need = hs_put(buf, room, need, r->reason, r->reason_len);
    need = HS_PUT_LIT(buf, room, need, HS_CRLF);
    //@ assert appended{Prefix, Here}(buf, room, 9, need);
    return need;
}

/* WIRE-SERVER, WIRE-SERVER-DISABLED: the Server line, if any. */
/*@ requires writer(buf, room);
    requires \valid_read(h) && span(h->value, h->len) && !null_span(h->value, h->len);
    requires apart(h->value, h->len, buf, room);
    requires \valid_read(cfg) && span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires apart(cfg->token, cfg->token_len, buf, room);
    requires buf == \null || (\separated(h, buf + (0 .. room - 1)) && \separated(cfg, buf + (0 .. room - 1)));
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures appended{Pre, Post}(buf, room, need, \result);
*/
static size_t hs_put_server(hs_byte *buf, size_t room, size_t need, const struct hs_known_header *h,
                            uint8_t server, const struct hs_config *cfg)
{
    if (server == HS_SERVER_NONE) {
        //@ assert appended{Pre, Here}(buf, room, need, need);
        return need;
    }
    need = HS_PUT_LIT(buf, room, need, HS_SERVER);
    if ((server == HS_SERVER_APP || server == HS_SERVER_APP_TOKEN) && h->len > 0u)
        need = hs_put(buf, room, need, h->value, h->len);
    //@ assert need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    if (server == HS_SERVER_APP_TOKEN)
        need = HS_PUT_LIT(buf, room, need, HS_SP);
    //@ assert need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    if ((server == HS_SERVER_TOKEN || server == HS_SERVER_APP_TOKEN) && cfg->token_len > 0u)
        need = hs_put(buf, room, need, cfg->token, cfg->token_len);
    //@ assert need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    need = HS_PUT_LIT(buf, room, need, HS_CRLF);
    //@ assert need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    return need;
}

/* WIRE-KNOWN-HEADER in id order; WIRE-KNOWN-EMPTY-OMITTED; Date is replaced
 * (WIRE-DATE); the Server slot follows the plan. */
/*@ requires writer(buf, room);
    requires renderable(r);
    requires response_apart(r, buf, room);
    requires \valid_read(cfg) && span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires apart(cfg->token, cfg->token_len, buf, room);
    requires buf == \null || \separated(cfg, buf + (0 .. room - 1));
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures appended{Pre, Post}(buf, room, need, \result);
*/
static size_t hs_put_known(hs_byte *buf, size_t room, size_t need, const struct hs_response *r,
                           uint8_t server, const struct hs_config *cfg)
{
    /*@ loop invariant 0 <= i <= HttpHeaderResponseMaximum;
        loop invariant need >= \at(need, Pre);
        loop invariant appended{Pre, Here}(buf, room, \at(need, Pre), need);
        loop assigns i, need, buf[0 .. room - 1];
        loop variant HttpHeaderResponseMaximum - i;
    */
    for (int i = 0; i < HttpHeaderResponseMaximum; i++) {
        const struct hs_known_header *h = &r->known[i];
        if (i == HttpHeaderDate)
            continue;
        if (i == HttpHeaderServer) {
            need = hs_put_server(buf, room, need, h, server, cfg);
            continue;
        }
        if (h->len == 0u)
            continue;
        need = hs_put_name(buf, room, need, i);
        need = HS_PUT_LIT(buf, room, need, HS_COLON_SP);
        need = hs_put(buf, room, need, h->value, h->len);
        need = HS_PUT_LIT(buf, room, need, HS_CRLF);
    }
    return need;
}

/* WIRE-UNKNOWN-HEADER: array order, verbatim. */
/*@ requires writer(buf, room);
    requires renderable(r);
    requires response_apart(r, buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures appended{Pre, Post}(buf, room, need, \result);
*/
static size_t hs_put_unknown(hs_byte *buf, size_t room, size_t need, const struct hs_response *r)
{
    if (r->unknown == NULL)
        return need;
    /*@ loop invariant 0 <= i <= r->unknown_count;
        loop invariant need >= \at(need, Pre);
        loop invariant appended{Pre, Here}(buf, room, \at(need, Pre), need);
        loop assigns i, need, buf[0 .. room - 1];
        loop variant r->unknown_count - i;
    */
    for (uint32_t i = 0; i < r->unknown_count; i++) {
        const struct hs_unknown_header *u = &r->unknown[i];
        if (u->name_len > 0u)
            need = hs_put(buf, room, need, u->name, u->name_len);
        need = HS_PUT_LIT(buf, room, need, HS_COLON_SP);
        if (u->value_len > 0u)
            need = hs_put(buf, room, need, u->value, u->value_len);
        need = HS_PUT_LIT(buf, room, need, HS_CRLF);
    }
    return need;
}

/* WIRE-DATE */
/*@ requires writer(buf, room);
    requires \valid_read(date + (0 .. HS_DATE_LEN - 1)) && apart(date, HS_DATE_LEN, buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures appended{Pre, Post}(buf, room, need, \result);
*/
static size_t hs_put_date(hs_byte *buf, size_t room, size_t need, const hs_byte *date)
{
    need = HS_PUT_LIT(buf, room, need, HS_DATE);
    need = hs_put(buf, room, need, date, HS_DATE_LEN);
    return HS_PUT_LIT(buf, room, need, HS_CRLF);
}

/* WIRE-CONNECTION-CLOSE */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures appended{Pre, Post}(buf, room, need, \result);
*/
static size_t hs_put_close(hs_byte *buf, size_t room, size_t need)
{
    need = HS_PUT_LIT(buf, room, need, HS_CLOSE);
    return HS_PUT_LIT(buf, room, need, HS_CRLF);
}

/* WIRE-CL-AUTO */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures appended{Pre, Post}(buf, room, need, \result);
*/
static size_t hs_put_length(hs_byte *buf, size_t room, size_t need, uint64_t body_len)
{
    hs_byte digits[20];
    size_t nd = hs_decimal(body_len, digits);
    need = HS_PUT_LIT(buf, room, need, HS_LENGTH);
    need = hs_put(buf, room, need, digits, nd);
    return HS_PUT_LIT(buf, room, need, HS_CRLF);
}

/* WIRE-DATE, WIRE-CONNECTION-CLOSE, WIRE-CL-AUTO, then the empty line. */
/*@ requires writer(buf, room);
    requires \valid_read(date + (0 .. HS_DATE_LEN - 1)) && apart(date, HS_DATE_LEN, buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures appended{Pre, Post}(buf, room, need, \result);
*/
static size_t hs_put_tail(hs_byte *buf, size_t room, size_t need, uint8_t connection_close,
                          uint8_t auto_length, uint64_t body_len, const hs_byte *date)
{
    need = hs_put_date(buf, room, need, date);
    if (connection_close)
        need = hs_put_close(buf, room, need);
    if (auto_length)
        need = hs_put_length(buf, room, need, body_len);
    return HS_PUT_LIT(buf, room, need, HS_CRLF);
}

size_t hs_render_head(const struct hs_response *r, struct hs_plan p, const struct hs_config *cfg,
                      const hs_byte *date, hs_byte *buf, size_t cap)
{
    size_t room = buf == NULL ? 0u : cap;
    size_t need = hs_put_status(buf, room, r);   /* WIRE-STATUS-LINE, WIRE-VERSION-IGNORED */
Status: __attribute__((unused));
    need = hs_put_known(buf, room, need, r, p.server, cfg);
    need = hs_put_unknown(buf, room, need, r);
    need = hs_put_tail(buf, room, need, p.connection_close, p.auto_length, p.body_len, date);
    //@ assert appended{Status, Here}(buf, room, status_line_length(r), need);
    //@ assert 9 <= status_line_length(r);
    return need;
}

size_t hs_render_body(const struct hs_chunk *k, uint16_t n, hs_byte *buf, size_t cap)
{
    size_t room = buf == NULL ? 0u : cap;
    size_t need = 0u;
    if (k == NULL)
        return 0u;
    /* WIRE-BODY: the chunks' bytes back to back, no framing. */
    /*@ loop invariant 0 <= i <= n;
        loop invariant total: need == chunks_total(k, i) && need <= i * 0xFFFFFFFF;
        loop invariant before: ends_before(k, i, need);
        loop invariant bytes: buf != \null && need <= room ==> entity{Here, Pre}(buf, k, i);
        loop assigns i, need, buf[0 .. room - 1];
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
        //@ assert inside: off == chunk_offset(c) && len == chunk_size(c) && off + len <= c->len;
        if (len > 0u) {
            //@ assert c->data != \null && \valid_read(c->data + (off .. off + len - 1));
            //@ assert apart(c->data + off, len, buf, room);
            //@ assert as_given: same_bytes{Here, Pre}(c->data, off, len);
        Put: __attribute__((unused));
            need = hs_put(buf, room, need, c->data + off, (size_t)len);
            //@ assert copy: buf != \null && need <= room ==> copied{Here, Put}(buf, \at(need, Put), c->data, off, len);
            //@ assert in_place: buf != \null && need <= room ==> copied{Here, Pre}(buf, \at(need, Put), c->data, off, len);
            //@ assert one_more: buf != \null && need <= room ==> entity{Here, Pre}(buf, k, i + 1);
        } else {
            //@ assert empty: buf != \null && need <= room ==> entity{Here, Pre}(buf, k, i + 1);
        }
    }
    return need;
}
