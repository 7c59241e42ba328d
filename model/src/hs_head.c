/*
 * hs_head.c: the lines of a response head but the known ones (hs_known.c):
 * the status line, the unknown header lines and the last lines (contracts
 * of the ones hs_render_head calls in hs_head.h). Every writer appends to
 * buf from need, changes no other byte, and never reads outside the spans
 * its contract names.
 */
#include "hs_unknown_lemmas.h"

/* Lemmas of the line writers' proofs (spec 7.3). */
/*@
    // One more unknown header line: lines [0, i) in place and line i in
    // place make lines [0, i + 1).
    lemma unknown_extend{L1, L2}:
      \forall hs_byte *buf, struct hs_unknown_header *u, integer at, integer i;
        0 <= i ==>
        unknown_lines{L1, L2}(buf, at, u, i) ==> unknown_line_in{L1, L2}(buf, at, u, i) ==>
        unknown_lines{L1, L2}(buf, at, u, i + 1);

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
*/

static const hs_byte HS_DATE[] = "Date: ";
static const hs_byte HS_CLOSE[] = "Connection: close";
static const hs_byte HS_LENGTH[] = "Content-Length: ";

/* WIRE-STATUS-LINE, WIRE-VERSION-IGNORED: "HTTP/1.1 ", code, SP, reason,
 * CRLF, from the start of the head. */
size_t hs_put_status(hs_byte *buf, size_t room, const struct hs_response *r)
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
size_t hs_put_unknown(hs_byte *buf, size_t room, size_t need, const struct hs_response *r)
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
size_t hs_put_tail(hs_byte *buf, size_t room, size_t need, uint8_t connection_close,
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
