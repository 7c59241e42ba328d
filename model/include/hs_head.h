/*
 * hs_head.h: the lines of a response head, each written by one writer
 * (model/src/hs_head.c): the status line, the known slots, the unknown
 * header lines and the last lines. hs_render_head calls them in that order.
 */
#ifndef HS_HEAD_H
#define HS_HEAD_H

#include "hs_write.h"

/*@
    // The lines of unknown headers [0, i) end within len bytes of their start.
    predicate unknown_ends_before{L}(struct hs_unknown_header *u, integer i, integer len) =
        \forall integer m; 0 <= m < i ==>
            unknown_lines_length(u, m) + unknown_line_length(u + m) <= len;

    // The known slots [0, i) end within len bytes of their start.
    predicate known_ends_before{L}(struct hs_response *r, integer server, struct hs_config *cfg,
                                   integer i, integer len) =
        \forall integer m; 0 <= m < i ==>
            known_slots_length(r, server, cfg, m) + known_slot_length(r, server, cfg, m) <= len;
*/

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
size_t hs_put_status(hs_byte *buf, size_t room, const struct hs_response *r);

/* WIRE-KNOWN-HEADER in id order (WIRE-HEADER-ORDER); WIRE-KNOWN-EMPTY-OMITTED;
 * Date is replaced (WIRE-DATE); the Server slot follows the plan. */
/*@ requires writer(buf, room) && (buf == \null ==> room == 0);
    requires renderable(r);
    requires response_apart(r, buf, room);
    requires \valid_read(cfg) && span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires apart(cfg->token, cfg->token_len, buf, room);
    requires buf == \null || \separated(cfg, buf + (0 .. room - 1));
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==>
        \result == need + known_slots_length{Pre}(r, server, cfg, HttpHeaderResponseMaximum);
    ensures ends: \result < SIZE_MAX ==>
        known_ends_before{Pre}(r, server, cfg, HttpHeaderResponseMaximum, \result - need);
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures lines: buf != \null && \result <= room ==>
        known_lines{Post, Pre}(buf, need, r, server, cfg, HttpHeaderResponseMaximum);
*/
size_t hs_put_known(hs_byte *buf, size_t room, size_t need, const struct hs_response *r,
                           uint8_t server, const struct hs_config *cfg);

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
size_t hs_put_unknown(hs_byte *buf, size_t room, size_t need, const struct hs_response *r);

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
size_t hs_put_tail(hs_byte *buf, size_t room, size_t need, uint8_t connection_close,
                          uint8_t auto_length, uint64_t body_len, struct hs_date date);

#endif
