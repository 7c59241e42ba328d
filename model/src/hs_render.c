/*
 * hs_render.c: the bytes of a response head (contract in hs_render.h): its
 * lines one after the other (hs_head.c, hs_known.c).
 */
#include "hs_model.h"
#include "hs_unknown_lemmas.h"
#include "hs_known_lemmas.h"
#include "hs_render_lemmas.h"

/* Lemmas of the proof of hs_render_head (spec 7.3). */
/*@
    // A status line stays in place when a writer changes only bytes past it.
    lemma status_line_kept{L1, L2, L3}:
      \forall hs_byte *buf, struct hs_response *r, integer cap, integer to;
        \at(r->reason_len, L1) == \at(r->reason_len, L2) ==> \at(r->status, L1) == \at(r->status, L2) ==>
        \at(status_line_length(r), L1) <= cap ==>
        status_line{L1, L3}(buf, r) ==>
        appended{L1, L2}(buf, cap, \at(status_line_length(r), L1), to) ==>
        status_line{L2, L3}(buf, r);
*/

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
    /*@ assert known_after_status: buf != \null ==>
            (\forall integer i; 0 <= i < HttpHeaderResponseMaximum ==>
                same_bytes{Pre, Here}(r->known[i].value, 0, r->known[i].len)) &&
            same_bytes{Pre, Here}(cfg->token, 0, cfg->token_len); */
    /*@ assert known_slot_bytes_as_given: buf != \null ==>
            \forall integer i, j; 0 <= i < HttpHeaderResponseMaximum && 0 <= j ==>
                known_slot_byte{Here}(r, p.server, cfg, i, j) == known_slot_byte{Pre}(r, p.server, cfg, i, j); */
    need = hs_put_known(buf, room, need, r, p.server, cfg);
Unknown: __attribute__((unused));
    /*@ assert known_written: buf != \null && need <= room ==>
            known_lines{Here, Status}(buf, status_line_length(r), r, p.server, cfg, HttpHeaderResponseMaximum); */
    /*@ assert known_end: need < SIZE_MAX ==>
            need == status_line_length(r) + known_slots_length{Pre}(r, p.server, cfg, HttpHeaderResponseMaximum) &&
            known_ends_before{Pre}(r, p.server, cfg, HttpHeaderResponseMaximum, need - status_line_length(r)); */
    /*@ assert known_written_bytes: buf != \null && need <= room ==>
            \forall integer i, j; 0 <= i < HttpHeaderResponseMaximum &&
                                 0 <= j < known_slot_length{Status}(r, p.server, cfg, i) ==>
                buf[status_line_length(r) + known_slots_length{Status}(r, p.server, cfg, i) + j] ==
                    known_slot_byte{Status}(r, p.server, cfg, i, j); */
    /*@ assert known_from_pre: buf != \null && need <= room ==>
            \forall integer i; 0 <= i < HttpHeaderResponseMaximum ==>
                known_slot_in{Here, Pre}(buf, status_line_length(r), r, p.server, cfg, i); */
    /*@ assert known_lines_from_pre: buf != \null && need <= room ==>
            known_lines{Here, Pre}(buf, status_line_length(r), r, p.server, cfg, HttpHeaderResponseMaximum); */
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
    //@ assert status_here: buf != \null && need <= room ==> status_line{Here, Pre}(buf, r);
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
    /*@ assert unknown_lines_pre: buf != \null && need <= room ==>
            unknown_lines{Tail, Pre}(buf, \at(need, Unknown), r->unknown, r->unknown_count); */
    /*@ assert unknown_ends_pre: buf != \null && need <= room ==>
            unknown_ends_before{Pre}(r->unknown, r->unknown_count, \at(need, Tail) - \at(need, Unknown)); */
    //@ assert after_unknown: appended{Tail, Here}(buf, room, \at(need, Tail), need);
    /*@ assert unknown_kept: buf != \null && need <= room ==>
            unknown_lines{Here, Pre}(buf, \at(need, Unknown), r->unknown, r->unknown_count); */
    /*@ assert unknown_at: buf != \null && need <= room ==>
            \at(need, Unknown) == need - tail_length(p.connection_close, p.auto_length, p.body_len) -
                                   unknown_lines_length(r->unknown, r->unknown_count); */
    //@ assert after_known: appended{Unknown, Here}(buf, room, \at(need, Unknown), need);
    /*@ assert known_kept: buf != \null && need <= room ==>
            known_lines{Here, Pre}(buf, status_line_length(r), r, p.server, cfg, HttpHeaderResponseMaximum); */
    /*@ assert length: need < SIZE_MAX ==>
            need == status_line_length(r) + known_slots_length{Pre}(r, p.server, cfg, HttpHeaderResponseMaximum) +
                    unknown_lines_length{Pre}(r->unknown, r->unknown_count) +
                    tail_length(p.connection_close, p.auto_length, p.body_len); */
    return need;
}
