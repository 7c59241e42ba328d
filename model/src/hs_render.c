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

    // The lines of unknown headers [0, i) end within len bytes of their start.
    predicate unknown_ends_before{L}(struct hs_unknown_header *u, integer i, integer len) =
        \forall integer m; 0 <= m < i ==>
            unknown_lines_length(u, m) + unknown_line_length(u + m) <= len;

    // One more unknown header line: lines [0, i) in place and line i in
    // place make lines [0, i + 1).
    lemma unknown_extend{L1, L2}:
      \forall hs_byte *buf, struct hs_unknown_header *u, integer at, integer i;
        0 <= i ==>
        unknown_lines{L1, L2}(buf, at, u, i) ==> unknown_line_in{L1, L2}(buf, at, u, i) ==>
        unknown_lines{L1, L2}(buf, at, u, i + 1);

    // One line that lies below lim stays in place when a writer changes
    // only bytes from lim on.
    lemma unknown_line_kept{L1, L2, L3}:
      \forall hs_byte *buf, struct hs_unknown_header *u, integer at, integer i, integer room,
              integer lim, integer to;
        lim <= room ==>
        unknown_line_in{L1, L3}(buf, at, u, i) ==>
        at + \at(unknown_lines_length(u, i) + unknown_line_length(u + i), L3) <= lim ==>
        appended{L1, L2}(buf, room, lim, to) ==>
        unknown_line_in{L2, L3}(buf, at, u, i);

    // Lines that lie below lim stay in place when a writer changes only
    // bytes from lim on.
    lemma unknown_kept{L1, L2, L3}:
      \forall hs_byte *buf, struct hs_unknown_header *u, integer at, integer n, integer room,
              integer lim, integer to;
        lim <= room ==>
        unknown_lines{L1, L3}(buf, at, u, n) ==>
        unknown_ends_before{L3}(u, n, lim - at) ==>
        appended{L1, L2}(buf, room, lim, to) ==>
        unknown_lines{L2, L3}(buf, at, u, n);

    // The lines, byte by byte.
    lemma unknown_lines_bytes{L1, L2}:
      \forall hs_byte *buf, struct hs_unknown_header *u, integer at, integer n;
        unknown_lines{L1, L2}(buf, at, u, n) ==>
        \forall integer i, j; 0 <= i < n && 0 <= j < \at(unknown_line_length(u + i), L2) ==>
            \at(buf[at + \at(unknown_lines_length(u, i), L2) + j], L1) == unknown_line_byte{L2}(u + i, j);

    // A line's bytes are the same in two states that agree on its header
    // (the headers are in memory the renderer's writers never change) and on
    // its name's and value's bytes.
    lemma unknown_byte_same{L1, L2}:
      \forall struct hs_unknown_header *u, integer i, integer j;
        0 <= j ==>
        \at(u[i].name_len, L1) == \at(u[i].name_len, L2) ==>
        \at(u[i].value_len, L1) == \at(u[i].value_len, L2) ==>
        \at(u[i].name, L1) == \at(u[i].name, L2) ==>
        \at(u[i].value, L1) == \at(u[i].value, L2) ==>
        same_bytes{L2, L1}(\at(u[i].name, L1), 0, \at(u[i].name_len, L1)) ==>
        same_bytes{L2, L1}(\at(u[i].value, L1), 0, \at(u[i].value_len, L1)) ==>
        unknown_line_byte{L1}(u + i, j) == unknown_line_byte{L2}(u + i, j);

    // From L1 to L2 no byte changed but those of buf[0 .. cap - 1].
    predicate only_buf_changed{L1, L2}(hs_byte *buf, integer cap) =
        \forall hs_byte *p; \separated(p, buf + (0 .. cap - 1)) ==> \at(*p, L1) == \at(*p, L2);

    // So a span apart from buf kept its bytes.
    lemma apart_unchanged{L1, L2}:
      \forall hs_byte *buf, integer cap, hs_byte *src, integer n;
        buf != \null ==> !null_span(src, n) ==>
        only_buf_changed{L1, L2}(buf, cap) ==> apart(src, n, buf, cap) ==>
        same_bytes{L1, L2}(src, 0, n);

    // At L1, the pieces of the line of unknown header u, as it was at L2:
    // the name, ": ", the value, CRLF.
    predicate unknown_line_parts{L1, L2}(hs_byte *buf, integer at, struct hs_unknown_header *u) =
        \let nl = \at(u->name_len, L2); \let vl = \at(u->value_len, L2);
        (\forall integer j; 0 <= j < nl ==> \at(buf[at + j], L1) == \at(u->name[j], L2)) &&
        \at(buf[at + nl], L1) == ':' && \at(buf[at + nl + 1], L1) == ' ' &&
        (\forall integer j; 0 <= j < vl ==> \at(buf[at + nl + 2 + j], L1) == \at(u->value[j], L2)) &&
        \at(buf[at + nl + 2 + vl], L1) == '\r' && \at(buf[at + nl + 3 + vl], L1) == '\n';

    // The pieces make the line, byte for byte.
    lemma unknown_line_from_parts{L1, L2}:
      \forall hs_byte *buf, integer at, struct hs_unknown_header *u;
        unknown_line_parts{L1, L2}(buf, at, u) ==>
        \forall integer j; 0 <= j < \at(unknown_line_length(u), L2) ==>
            \at(buf[at + j], L1) == unknown_line_byte{L2}(u, j);

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

    // A copy of a decimal numeral is that numeral where it was copied to.
    lemma decimal_copied{L1, L2}:
      \forall hs_byte *buf, integer at, hs_byte *d, integer v;
        decimal{L2}(d, v) ==> copied{L1, L2}(buf, at, d, 0, decimal_length(v)) ==>
        decimal_at{L1}(buf, at, v);
*/

/*@ requires writer(buf, room);
    requires \valid_read(src + (0 .. n - 1));
    requires apart(src, n, buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures grows: \result >= need;
    ensures counts: need + n <= SIZE_MAX ==> \result == need + n;
    ensures saturates: need + n > SIZE_MAX ==> \result == SIZE_MAX;
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

/* One byte, from a local. */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures grows: \result >= need;
    ensures counts: need + 1 <= SIZE_MAX ==> \result == need + 1;
    ensures saturates: need + 1 > SIZE_MAX ==> \result == SIZE_MAX;
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures byte: buf != \null && \result <= room ==> buf[need] == c;
*/
static size_t hs_put_byte(hs_byte *buf, size_t room, size_t need, hs_byte c)
{
    hs_byte one[1];
    one[0] = c;
    return hs_put(buf, room, need, one, sizeof one);
}

/* A line end. Its two bytes come from a local array, whose contents the
 * proof knows at once; a global literal read after an earlier write to buf
 * would need the proof to show that the write left it alone. */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures grows: \result >= need;
    ensures counts: need + 2 <= SIZE_MAX ==> \result == need + 2;
    ensures saturates: need + 2 > SIZE_MAX ==> \result == SIZE_MAX;
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures line_end: buf != \null && \result <= room ==> crlf(buf, need);
*/
static size_t hs_put_crlf(hs_byte *buf, size_t room, size_t need)
{
    const hs_byte crlf[2] = { '\r', '\n' };
    return hs_put(buf, room, need, crlf, sizeof crlf);
}

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

/* The decimal numeral of v. Its digits are made in a local array here, so
 * that a caller sees no write but to buf. */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures grows: \result >= need;
    ensures counts: need + decimal_length(v) <= SIZE_MAX ==> \result == need + decimal_length(v);
    ensures saturates: need + decimal_length(v) > SIZE_MAX ==> \result == SIZE_MAX;
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures digits: buf != \null && \result <= room ==> decimal_at(buf, need, v);
*/
static size_t hs_put_decimal(hs_byte *buf, size_t room, size_t need, uint64_t v)
{
    hs_byte digits[20];
    size_t nd = hs_decimal(v, digits);
    return hs_put(buf, room, need, digits, nd);
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
    ensures line: buf != \null && \result <= room ==> status_line{Post, Pre}(buf, r);
*/
static size_t hs_put_status(hs_byte *buf, size_t room, const struct hs_response *r)
{
    /* A local copy: the proof then knows its bytes and that it is not buf. */
    const hs_byte http11[9] = { 'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ' };
    size_t need = hs_put(buf, room, 0u, http11, sizeof http11);
Prefix: __attribute__((unused));
    //@ assert prefix: buf != \null && 9 <= room ==> head_prefix(buf);
    //@ assert three: decimal_length(r->status) == 3;
    need = hs_put_decimal(buf, room, need, r->status);
    //@ assert code: buf != \null && 12 <= room ==> head_prefix(buf) && decimal_at(buf, 9, r->status);
    need = hs_put_byte(buf, room, need, ' ');
    /*@ assert space: buf != \null && 13 <= room ==>
            head_prefix(buf) && decimal_at(buf, 9, r->status) && buf[12] == ' '; */
    //@ assert as_given: same_bytes{Here, Pre}(r->reason, 0, r->reason_len);
Reason: __attribute__((unused));
    if (r->reason_len > 0u)
        need = hs_put(buf, room, need, r->reason, r->reason_len);
    /*@ assert reason: buf != \null && 13 + r->reason_len <= room ==>
            head_prefix(buf) && decimal_at(buf, 9, r->status) && buf[12] == ' ' &&
            \forall integer j; 0 <= j < r->reason_len ==> buf[13 + j] == \at(r->reason[j], Reason); */
    //@ assert at_crlf: need < SIZE_MAX ==> need == 13 + r->reason_len;
Crlf: __attribute__((unused));
    need = hs_put_crlf(buf, room, need);
    //@ assert end: buf != \null && need <= room ==> crlf(buf, 13 + r->reason_len);
    /*@ assert kept_code: buf != \null && need <= room ==>
            head_prefix(buf) && decimal_at(buf, 9, r->status) && buf[12] == ' '; */
    /*@ assert kept_reason: buf != \null && need <= room ==>
            \forall integer j; 0 <= j < r->reason_len ==> buf[13 + j] == \at(buf[13 + j], Crlf); */
    /*@ assert kept: buf != \null && need <= room ==>
            head_prefix(buf) && decimal_at(buf, 9, r->status) && buf[12] == ' ' &&
            \forall integer j; 0 <= j < r->reason_len ==> buf[13 + j] == \at(r->reason[j], Pre); */
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
    need = hs_put_crlf(buf, room, need);
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
        //@ assert need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
        need = HS_PUT_LIT(buf, room, need, HS_COLON_SP);
        //@ assert need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
        need = hs_put(buf, room, need, h->value, h->len);
        //@ assert need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
        need = hs_put_crlf(buf, room, need);
        //@ assert need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    }
    return need;
}

/* WIRE-UNKNOWN-HEADER: one line, the name and the value verbatim. */
/*@ requires writer(buf, room);
    requires \valid_read(u) && span(u->name, u->name_len) && span(u->value, u->value_len);
    requires !null_span(u->name, u->name_len) && !null_span(u->value, u->value_len);
    requires apart(u->name, u->name_len, buf, room) && apart(u->value, u->value_len, buf, room);
    requires buf == \null || \separated(u, buf + (0 .. room - 1));
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==> \result == need + unknown_line_length(u);
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures line: buf != \null && \result <= room ==>
        \forall integer j; 0 <= j < \old(unknown_line_length(u)) ==>
            buf[need + j] == unknown_line_byte{Pre}(u, j);
*/
static size_t hs_put_unknown_line(hs_byte *buf, size_t room, size_t need,
                                  const struct hs_unknown_header *u)
{
    if (u->name_len > 0u)
        need = hs_put(buf, room, need, u->name, u->name_len);
Colon: __attribute__((unused));
    /*@ assert name: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Pre) + u->name_len &&
            \forall integer j; 0 <= j < u->name_len ==> buf[\at(need, Pre) + j] == \at(u->name[j], Pre); */
    //@ assert grown_name: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    need = hs_put_byte(buf, room, need, ':');
    need = hs_put_byte(buf, room, need, ' ');
    //@ assert grown_colon: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
Value: __attribute__((unused));
    /*@ assert colon: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Colon) + 2 && buf[\at(need, Colon)] == ':' && buf[\at(need, Colon) + 1] == ' '; */
    /*@ assert name_kept: buf != \null && need <= room && need < SIZE_MAX ==>
            \forall integer j; 0 <= j < u->name_len ==> buf[\at(need, Pre) + j] == \at(u->name[j], Pre); */
    //@ assert as_given: same_bytes{Here, Pre}(u->value, 0, u->value_len);
    if (u->value_len > 0u)
        need = hs_put(buf, room, need, u->value, u->value_len);
Crlf: __attribute__((unused));
    /*@ assert value: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Value) + u->value_len &&
            \forall integer j; 0 <= j < u->value_len ==> buf[\at(need, Value) + j] == \at(u->value[j], Pre); */
    /*@ assert below_value: buf != \null && need <= room && need < SIZE_MAX ==>
            \forall integer q; q < \at(need, Value) ==> buf[q] == \at(buf[q], Value); */
    //@ assert grown_value: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    need = hs_put_crlf(buf, room, need);
    //@ assert grown: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    /*@ assert below_crlf: buf != \null && need <= room ==>
            \forall integer q; q < \at(need, Crlf) ==> buf[q] == \at(buf[q], Crlf); */
    //@ assert end: buf != \null && need <= room ==> crlf(buf, \at(need, Crlf));
    /*@ assert at_value: buf != \null && need <= room ==>
            \forall integer j; 0 <= j < u->value_len ==> buf[\at(need, Value) + j] == \at(u->value[j], Pre); */
    /*@ assert at_colon: buf != \null && need <= room ==>
            buf[\at(need, Colon)] == ':' && buf[\at(need, Colon) + 1] == ' '; */
    /*@ assert at_name: buf != \null && need <= room ==>
            \forall integer j; 0 <= j < u->name_len ==> buf[\at(need, Pre) + j] == \at(u->name[j], Pre); */
    /*@ assert offsets: buf != \null && need <= room ==>
            \at(need, Colon) == \at(need, Pre) + u->name_len &&
            \at(need, Value) == \at(need, Pre) + u->name_len + 2 &&
            \at(need, Crlf) == \at(need, Pre) + u->name_len + 2 + u->value_len; */
    /*@ assert parts: buf != \null && need <= room ==>
            unknown_line_parts{Here, Pre}(buf, \at(need, Pre), u); */
    return need;
}

/* WIRE-UNKNOWN-HEADER: array order, verbatim. */
/*@ requires writer(buf, room) && (buf == \null ==> room == 0);
    requires renderable(r);
    requires response_apart(r, buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==>
        \result == need + unknown_lines_length(\old(r->unknown), \old(r->unknown_count));
    ensures ends: \result < SIZE_MAX ==>
        unknown_ends_before{Pre}(\old(r->unknown), \old(r->unknown_count), \result - need);
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures lines: buf != \null && \result <= room ==>
        unknown_lines{Post, Pre}(buf, need, \old(r->unknown), \old(r->unknown_count));
*/
static size_t hs_put_unknown(hs_byte *buf, size_t room, size_t need, const struct hs_response *r)
{
    if (r->unknown == NULL)
        return need;
    /*@ loop invariant 0 <= i <= r->unknown_count;
        loop invariant need >= \at(need, Pre);
        loop invariant appended{Pre, Here}(buf, room, \at(need, Pre), need);
        loop invariant exact: need < SIZE_MAX ==>
            need == \at(need, Pre) + unknown_lines_length{Pre}(r->unknown, i);
        loop invariant ends: need < SIZE_MAX ==>
            unknown_ends_before{Pre}(r->unknown, i, need - \at(need, Pre));
        loop invariant lines: buf != \null && need <= room ==>
            unknown_lines{Here, Pre}(buf, \at(need, Pre), r->unknown, i);
        loop assigns i, need, buf[0 .. room - 1];
        loop variant r->unknown_count - i;
    */
    for (uint32_t i = 0; i < r->unknown_count; i++) {
    Line: __attribute__((unused));
        //@ assert !null_span(r->unknown[i].name, r->unknown[i].name_len) && !null_span(r->unknown[i].value, r->unknown[i].value_len);
        //@ assert apart(r->unknown[i].name, r->unknown[i].name_len, buf, room);
        //@ assert apart(r->unknown[i].value, r->unknown[i].value_len, buf, room);
        //@ assert as_given: same_bytes{Here, Pre}(r->unknown[i].name, 0, r->unknown[i].name_len);
        //@ assert as_given_value: same_bytes{Here, Pre}(r->unknown[i].value, 0, r->unknown[i].value_len);
        //@ assert line_at: need < SIZE_MAX ==> need == \at(need, Pre) + unknown_lines_length{Pre}(r->unknown, i);
        need = hs_put_unknown_line(buf, room, need, &r->unknown[i]);
        /*@ assert written: buf != \null && need <= room ==>
                \forall integer j; 0 <= j < unknown_line_length{Pre}(r->unknown + i) ==>
                    buf[\at(need, Line) + j] == unknown_line_byte{Pre}(r->unknown + i, j); */
        /*@ assert kept: buf != \null && need <= room ==>
                unknown_lines{Here, Pre}(buf, \at(need, Pre), r->unknown, i); */
        /*@ assert new_line: buf != \null && need <= room ==>
                unknown_line_in{Here, Pre}(buf, \at(need, Pre), r->unknown, i); */
    }
    return need;
}

/* WIRE-DATE */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==> \result == need + date_line_length;
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures line: buf != \null && \result <= room ==> date_line(buf, need, date);
*/
static size_t hs_put_date(hs_byte *buf, size_t room, size_t need, struct hs_date date)
{
    need = HS_PUT_LIT(buf, room, need, HS_DATE);
Value: __attribute__((unused));
    //@ assert name: buf != \null && need <= room && need < SIZE_MAX ==> date_name(buf, \at(need, Pre));
    //@ assert as_given: same_bytes{Here, Pre}(&date.text[0], 0, HS_DATE_LEN);
    need = hs_put(buf, room, need, date.text, HS_DATE_LEN);
    /*@ assert offsets: need < SIZE_MAX ==>
            \at(need, Value) == \at(need, Pre) + 6 && need == \at(need, Pre) + 6 + HS_DATE_LEN; */
    /*@ assert value: buf != \null && need <= room && need < SIZE_MAX ==>
            date_name(buf, \at(need, Pre)) &&
            \forall integer q; \at(need, Value) <= q < need ==>
                buf[q] == \at(date.text[q - \at(need, Value)], Pre); */
Crlf: __attribute__((unused));
    need = hs_put_crlf(buf, room, need);
    //@ assert kept_name: buf != \null && need <= room ==> date_name(buf, \at(need, Pre));
    /*@ assert kept_value: buf != \null && need <= room ==>
            \forall integer q; \at(need, Value) <= q < \at(need, Crlf) ==>
                buf[q] == \at(date.text[q - \at(need, Value)], Pre); */
    //@ assert end: buf != \null && need <= room ==> crlf(buf, \at(need, Pre) + 6 + HS_DATE_LEN);
    return need;
}

/* WIRE-CONNECTION-CLOSE */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==> \result == need + close_line_length;
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures line: buf != \null && \result <= room ==> close_line(buf, need);
*/
static size_t hs_put_close(hs_byte *buf, size_t room, size_t need)
{
    need = HS_PUT_LIT(buf, room, need, HS_CLOSE);
Crlf: __attribute__((unused));
    //@ assert name: buf != \null && need <= room && need < SIZE_MAX ==> close_name(buf, \at(need, Pre));
    need = hs_put_crlf(buf, room, need);
    //@ assert kept: buf != \null && need <= room ==> close_name{Crlf}(buf, \at(need, Pre));
    //@ assert crlf: buf != \null && need <= room ==> crlf(buf, \at(need, Crlf));
    return need;
}

/* WIRE-CL-AUTO */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==> \result == need + length_line_length(body_len);
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures line: buf != \null && \result <= room ==> length_line(buf, need, body_len);
*/
static size_t hs_put_length(hs_byte *buf, size_t room, size_t need, uint64_t body_len)
{
    need = HS_PUT_LIT(buf, room, need, HS_LENGTH);
Value: __attribute__((unused));
    //@ assert name: buf != \null && need <= room && need < SIZE_MAX ==> length_name(buf, \at(need, Pre));
    need = hs_put_decimal(buf, room, need, body_len);
    /*@ assert value: buf != \null && need <= room && need < SIZE_MAX ==>
            length_name(buf, \at(need, Pre)) && decimal_at(buf, \at(need, Value), body_len); */
    need = hs_put_crlf(buf, room, need);
    /*@ assert kept: buf != \null && need <= room ==>
            length_name(buf, \at(need, Pre)) && decimal_at(buf, \at(need, Value), body_len); */
    return need;
}

/* WIRE-DATE, WIRE-CONNECTION-CLOSE, WIRE-CL-AUTO, then the empty line. */
/*@ requires writer(buf, room);
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==>
        \result == need + tail_length(connection_close, auto_length, body_len);
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures lines: buf != \null && \result <= room ==>
        tail(buf, need, connection_close, auto_length, body_len, date);
*/
static size_t hs_put_tail(hs_byte *buf, size_t room, size_t need, uint8_t connection_close,
                          uint8_t auto_length, uint64_t body_len, struct hs_date date)
{
    need = hs_put_date(buf, room, need, date);
Close: __attribute__((unused));
    //@ assert date: buf != \null && need <= room ==> date_line(buf, \at(need, Pre), date);
    if (connection_close)
        need = hs_put_close(buf, room, need);
Length: __attribute__((unused));
    /*@ assert below_close: buf != \null && need <= room ==>
            \forall integer q; 0 <= q < \at(need, Close) ==> buf[q] == \at(buf[q], Close); */
    /*@ assert close: buf != \null && need <= room ==> date_line(buf, \at(need, Pre), date) &&
            (connection_close != 0 ==> close_line(buf, \at(need, Close))); */
    if (auto_length)
        need = hs_put_length(buf, room, need, body_len);
    /*@ assert below_length: buf != \null && need <= room ==>
            \forall integer q; 0 <= q < \at(need, Length) ==> buf[q] == \at(buf[q], Length); */
    //@ assert length_date: buf != \null && need <= room ==> date_line(buf, \at(need, Pre), date);
    /*@ assert length_close: buf != \null && need <= room ==>
            (connection_close != 0 ==> close_line(buf, \at(need, Close))); */
    /*@ assert length: buf != \null && need <= room ==> date_line(buf, \at(need, Pre), date) &&
            (connection_close != 0 ==> close_line(buf, \at(need, Close))) &&
            (auto_length != 0 ==> length_line(buf, \at(need, Length), body_len)); */
    /*@ assert offsets: need < SIZE_MAX ==>
            \at(need, Close) == \at(need, Pre) + date_line_length &&
            \at(need, Length) == \at(need, Close) + (connection_close != 0 ? close_line_length : 0) &&
            need == \at(need, Length) + (auto_length != 0 ? length_line_length(body_len) : 0); */
Crlf: __attribute__((unused));
    need = hs_put_crlf(buf, room, need);
    /*@ assert below_crlf: buf != \null && need <= room ==>
            \forall integer q; 0 <= q < \at(need, Crlf) ==> buf[q] == \at(buf[q], Crlf); */
    //@ assert kept_date: buf != \null && need <= room ==> date_line(buf, \at(need, Pre), date);
    /*@ assert kept_close: buf != \null && need <= room ==>
            (connection_close != 0 ==> close_line(buf, \at(need, Close))); */
    /*@ assert kept_length: buf != \null && need <= room ==>
            (auto_length != 0 ==> length_line(buf, \at(need, Length), body_len)); */
    /*@ assert kept: buf != \null && need <= room ==> date_line(buf, \at(need, Pre), date) &&
            (connection_close != 0 ==> close_line(buf, \at(need, Close))) &&
            (auto_length != 0 ==> length_line(buf, \at(need, Length), body_len)); */
    //@ assert end: buf != \null && need <= room ==> crlf(buf, \at(need, Crlf)) && need == \at(need, Crlf) + 2;
    /*@ assert where: buf != \null && need <= room ==>
            \at(need, Close) == \at(need, Pre) + date_line_length &&
            \at(need, Length) == \at(need, Pre) + date_line_length +
                                  (connection_close != 0 ? close_line_length : 0) &&
            \at(need, Crlf) == \at(need, Pre) + tail_length(connection_close, auto_length, body_len) - 2; */
    return need;
}

size_t hs_render_head(const struct hs_response *r, struct hs_plan p, const struct hs_config *cfg,
                      struct hs_date date, hs_byte *buf, size_t cap)
{
    size_t room = buf == NULL ? 0u : cap;
    size_t need;
    /*@ assert unknown_apart: buf != \null ==>
            \forall integer i; 0 <= i < r->unknown_count ==>
                !null_span(r->unknown[i].name, r->unknown[i].name_len) &&
                !null_span(r->unknown[i].value, r->unknown[i].value_len) &&
                apart(r->unknown[i].name, r->unknown[i].name_len, buf, room) &&
                apart(r->unknown[i].value, r->unknown[i].value_len, buf, room); */
    need = hs_put_status(buf, room, r);   /* WIRE-STATUS-LINE, WIRE-VERSION-IGNORED */
Status: __attribute__((unused));
    //@ assert only_buf: buf != \null ==> only_buf_changed{Pre, Here}(buf, room);
    /*@ assert headers_after_status: buf != \null ==>
            \forall integer i; 0 <= i < r->unknown_count ==>
                same_bytes{Pre, Here}(r->unknown[i].name, 0, r->unknown[i].name_len) &&
                same_bytes{Pre, Here}(r->unknown[i].value, 0, r->unknown[i].value_len); */
    need = hs_put_known(buf, room, need, r, p.server, cfg);
Unknown: __attribute__((unused));
    //@ assert only_buf_known: buf != \null ==> only_buf_changed{Pre, Here}(buf, room);
    /*@ assert headers_as_given: buf != \null ==>
            \forall integer i; 0 <= i < r->unknown_count ==>
                same_bytes{Pre, Here}(r->unknown[i].name, 0, r->unknown[i].name_len) &&
                same_bytes{Pre, Here}(r->unknown[i].value, 0, r->unknown[i].value_len); */
    /*@ assert line_bytes_as_given: buf != \null ==>
            \forall integer i, j; 0 <= i < r->unknown_count && 0 <= j ==>
                unknown_line_byte{Here}(r->unknown + i, j) == unknown_line_byte{Pre}(r->unknown + i, j); */
    need = hs_put_unknown(buf, room, need, r);
Tail: __attribute__((unused));
    /*@ assert unknown_written: buf != \null && need <= room ==>
            unknown_lines{Here, Unknown}(buf, \at(need, Unknown), r->unknown, r->unknown_count) &&
            need == \at(need, Unknown) + unknown_lines_length(r->unknown, r->unknown_count) &&
            unknown_ends_before(r->unknown, r->unknown_count, need - \at(need, Unknown)); */
    /*@ assert unknown_written_bytes: buf != \null && need <= room ==>
            \forall integer i, j; 0 <= i < r->unknown_count && 0 <= j < unknown_line_length(r->unknown + i) ==>
                buf[\at(need, Unknown) + unknown_lines_length(r->unknown, i) + j] ==
                    unknown_line_byte{Unknown}(r->unknown + i, j); */
    need = hs_put_tail(buf, room, need, p.connection_close, p.auto_length, p.body_len, date);
    //@ assert appended{Status, Here}(buf, room, status_line_length(r), need);
    //@ assert 9 <= status_line_length(r) <= \at(need, Tail);
    //@ assert three: decimal_length(r->status) == 3;
    //@ assert status: buf != \null && need <= room ==> status_line{Status, Pre}(buf, r);
    /*@ assert status_kept: buf != \null && need <= room ==>
            \forall integer q; 0 <= q < status_line_length(r) ==> buf[q] == \at(buf[q], Status); */
    /*@ assert tail_at: buf != \null && need <= room ==>
            \at(need, Tail) == need - tail_length(p.connection_close, p.auto_length, p.body_len); */
    /*@ assert unknown_same_lengths:
            \forall integer i; 0 <= i < r->unknown_count ==>
                \at(unknown_lines_length(r->unknown, i), Unknown) == \at(unknown_lines_length(r->unknown, i), Pre) &&
                \at(unknown_line_length(r->unknown + i), Unknown) == \at(unknown_line_length(r->unknown + i), Pre); */
    /*@ assert unknown_bytes_from_pre: buf != \null && need <= room ==>
            \forall integer i, j; 0 <= i < r->unknown_count && 0 <= j < unknown_line_length(r->unknown + i) ==>
                \at(buf[\at(need, Unknown) + unknown_lines_length(r->unknown, i) + j], Tail) ==
                    unknown_line_byte{Pre}(r->unknown + i, j); */
    /*@ assert unknown_from_pre: buf != \null && need <= room ==>
            \forall integer i; 0 <= i < r->unknown_count ==>
                unknown_line_in{Tail, Pre}(buf, \at(need, Unknown), r->unknown, i); */
    /*@ assert unknown_kept: buf != \null && need <= room ==>
            unknown_lines{Here, Pre}(buf, \at(need, Unknown), r->unknown, r->unknown_count); */
    /*@ assert unknown_at: buf != \null && need <= room ==>
            \at(need, Unknown) == need - tail_length(p.connection_close, p.auto_length, p.body_len) -
                                   unknown_lines_length(r->unknown, r->unknown_count); */
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
