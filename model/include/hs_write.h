/*
 * hs_write.h: the writers every byte of a head or a body goes through
 * (model/src/hs_write.c). The output is a buffer buf with room writable
 * bytes (room is 0 when buf is NULL) and need, the bytes asked for so far,
 * written or not. Every writer takes need and returns the new need: the
 * count is a value, never memory that the chunks or headers it reads could
 * share. A writer writes only what fits, so a caller can measure first and
 * render second.
 */
#ifndef HS_WRITE_H
#define HS_WRITE_H

#include "hs_render.h"

/*@
    predicate writer(hs_byte *buf, integer room) = out_buffer(buf, room) && room < SIZE_MAX;

    // n more bytes fit after need.
    predicate fits(hs_byte *buf, integer room, integer need, integer n) =
        buf != \null && need <= room && n <= room - need;

    // At L1, buf[at .. at + n - 1] holds src[from .. from + n - 1] as it was at L2.
    predicate copied{L1, L2}(hs_byte *buf, integer at, hs_byte *src, integer from, integer n) =
        \forall integer q; at <= q < at + n ==> \at(buf[q], L1) == \at(src[from + (q - at)], L2);

    // src[from .. from + n - 1] is the same at L1 and L2.
    predicate same_bytes{L1, L2}(hs_byte *src, integer from, integer n) =
        \forall integer q; from <= q < from + n ==> \at(src[q], L1) == \at(src[q], L2);

    // At L, b holds from at the wire name of header id.
    predicate known_name_at{L}(hs_byte *b, integer at, integer id) =
        \forall integer j; 0 <= j < known_name_length(id) ==> b[at + j] == known_name_byte(id, j);

    // Two appends in a row are one append: what the first left alone below
    // a, the second left alone too, since it wrote at b >= a; likewise past c.
    lemma appended_trans{L1, L2, L3}:
      \forall hs_byte *buf, integer cap, integer a, integer b, integer c;
        a <= b <= c ==>
        appended{L1, L2}(buf, cap, a, b) ==> appended{L2, L3}(buf, cap, b, c) ==>
        appended{L1, L3}(buf, cap, a, c);
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
size_t hs_put(hs_byte *buf, size_t room, size_t need, const hs_byte *src, size_t n);

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
size_t hs_put_byte(hs_byte *buf, size_t room, size_t need, hs_byte c);

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
size_t hs_put_crlf(hs_byte *buf, size_t room, size_t need);

/*@ requires writer(buf, room);
    requires 0 <= id < HttpHeaderResponseMaximum;
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures grows: \result >= need;
    ensures exact: \result < SIZE_MAX ==> \result == need + known_name_length(id);
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures name: buf != \null && \result <= room ==> known_name_at(buf, need, id);
*/
size_t hs_put_name(hs_byte *buf, size_t room, size_t need, int id);

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
size_t hs_put_decimal(hs_byte *buf, size_t room, size_t need, uint64_t v);

#endif
