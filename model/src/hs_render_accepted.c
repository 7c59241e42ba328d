/*
 * hs_render_accepted.c: the head of an accepted call and its facts
 * (contract in hs_render_accepted.h). hs_render_head states the bytes it
 * writes as they relate to the response before the call; the head facts
 * are stated of bytes and response in one state. The two agree because the
 * renderer writes only its buffer, which lies apart from all it reads: the
 * assertions below carry each part of the head across the call.
 */
#include "hs_render_accepted.h"
#include "hs_known_lemmas.h"
#include "hs_render_lemmas.h"

/*@
    // A span keeps no NUL, CR or LF while its bytes stay the same.
    lemma clean_kept{L1, L2}:
      \forall hs_byte *p, integer n;
        same_bytes{L1, L2}(p, 0, n) ==> !dirty_span{L1}(p, n) ==> !dirty_span{L2}(p, n);

    // unknown_byte_same for each line of headers [0, n).
    lemma unknown_bytes_same{L1, L2}:
      \forall struct hs_unknown_header *u, integer n;
        (\forall integer i; 0 <= i < n ==>
            same_bytes{L2, L1}(\at(u[i].name, L1), 0, \at(u[i].name_len, L1)) &&
            same_bytes{L2, L1}(\at(u[i].value, L1), 0, \at(u[i].value_len, L1))) ==>
        (\forall integer i; 0 <= i < n ==>
            \at(u[i].name_len, L2) == \at(u[i].name_len, L1) &&
            \at(u[i].value_len, L2) == \at(u[i].value_len, L1) &&
            \at(u[i].name, L2) == \at(u[i].name, L1) &&
            \at(u[i].value, L2) == \at(u[i].value, L1)) ==>
        \forall integer i, j; 0 <= i < n && 0 <= j ==>
            unknown_line_byte{L1}(u + i, j) == unknown_line_byte{L2}(u + i, j);

    // Lines written from the headers as they were at L2 are the lines of the
    // headers as they are at L1 when the lines' lengths and bytes are the
    // same in both states.
    lemma unknown_lines_now{L1, L2}:
      \forall hs_byte *buf, struct hs_unknown_header *u, integer at, integer n;
        unknown_lines{L1, L2}(buf, at, u, n) ==>
        (\forall integer i; 0 <= i < n ==>
            \at(unknown_line_length(u + i), L1) == \at(unknown_line_length(u + i), L2) &&
            \at(unknown_lines_length(u, i), L1) == \at(unknown_lines_length(u, i), L2)) ==>
        (\forall integer i, j; 0 <= i < n && 0 <= j ==>
            unknown_line_byte{L1}(u + i, j) == unknown_line_byte{L2}(u + i, j)) ==>
        unknown_lines{L1, L1}(buf, at, u, n);

    // The same for the known slots.
    lemma known_lines_now{L1, L2}:
      \forall hs_byte *buf, struct hs_response *r, integer server, struct hs_config *cfg,
              integer at, integer n;
        known_lines{L1, L2}(buf, at, r, server, cfg, n) ==>
        (\forall integer i; 0 <= i < n ==>
            \at(known_slot_length(r, server, cfg, i), L1) == \at(known_slot_length(r, server, cfg, i), L2) &&
            \at(known_slots_length(r, server, cfg, i), L1) == \at(known_slots_length(r, server, cfg, i), L2)) ==>
        (\forall integer i, j; 0 <= i < n && 0 <= j ==>
            known_slot_byte{L1}(r, server, cfg, i, j) == known_slot_byte{L2}(r, server, cfg, i, j)) ==>
        known_lines{L1, L1}(buf, at, r, server, cfg, n);
*/

size_t hs_render_accepted_head(const struct hs_response *r, struct hs_plan p, const struct hs_config *cfg,
                               struct hs_date date, hs_byte *buf, size_t cap)
{
    // What the call is given, part by part: the provers do not open
    // head_inputs and headers_dirty by themselves.
    //@ assert given: renderable(r) && !headers_dirty(r) && !dirty_span(cfg->token, cfg->token_len);
    //@ assert given_not_null: !headers_null(r);
    /*@ assert known_given_clean: \forall integer i; 0 <= i < HttpHeaderResponseMaximum ==>
            !dirty_span(r->known[i].value, r->known[i].len); */
    /*@ assert unknown_given_clean: \forall integer i; 0 <= i < r->unknown_count ==>
            r->unknown[i].name_len != 0 &&
            !dirty_span(r->unknown[i].name, r->unknown[i].name_len) &&
            !dirty_span(r->unknown[i].value, r->unknown[i].value_len); */
    /*@ assert known_apart: \forall integer i; 0 <= i < HttpHeaderResponseMaximum ==>
            !null_span(r->known[i].value, r->known[i].len) &&
            apart(r->known[i].value, r->known[i].len, buf, cap); */
    /*@ assert unknown_apart: \forall integer i; 0 <= i < r->unknown_count ==>
            !null_span(r->unknown[i].name, r->unknown[i].name_len) &&
            !null_span(r->unknown[i].value, r->unknown[i].value_len) &&
            apart(r->unknown[i].name, r->unknown[i].name_len, buf, cap) &&
            apart(r->unknown[i].value, r->unknown[i].value_len, buf, cap); */
    size_t n = hs_render_head(r, p, cfg, date, buf, cap);
    // The bytes the head is made of are as they were.
    //@ assert only_buf: only_buf_changed{Pre, Here}(buf, cap);
    //@ assert reason_kept: same_bytes{Pre, Here}(r->reason, 0, r->reason_len);
    /*@ assert known_kept: (\forall integer i; 0 <= i < HttpHeaderResponseMaximum ==>
                              same_bytes{Pre, Here}(r->known[i].value, 0, r->known[i].len)) &&
                          same_bytes{Pre, Here}(cfg->token, 0, cfg->token_len); */
    /*@ assert unknown_kept: \forall integer i; 0 <= i < r->unknown_count ==>
            same_bytes{Pre, Here}(r->unknown[i].name, 0, r->unknown[i].name_len) &&
            same_bytes{Pre, Here}(r->unknown[i].value, 0, r->unknown[i].value_len); */
    // The same both ways, for either way the provers apply unknown_bytes_same.
    /*@ assert unknown_kept_back: \forall integer i; 0 <= i < r->unknown_count ==>
            same_bytes{Here, Pre}(r->unknown[i].name, 0, r->unknown[i].name_len) &&
            same_bytes{Here, Pre}(r->unknown[i].value, 0, r->unknown[i].value_len); */
    /*@ assert known_bytes_kept: \forall integer i, j; 0 <= i < HttpHeaderResponseMaximum && 0 <= j ==>
            known_slot_byte{Here}(r, p.server, cfg, i, j) == known_slot_byte{Pre}(r, p.server, cfg, i, j); */
    /*@ assert unknown_bytes_kept: \forall integer i, j; 0 <= i < r->unknown_count && 0 <= j ==>
            unknown_line_byte{Here}(r->unknown + i, j) == unknown_line_byte{Pre}(r->unknown + i, j); */
    // So each part of the head reads the same against the response now.
    //@ assert status_now: n <= cap ==> status_line{Here, Here}(buf, r);
    /*@ assert known_now: n <= cap ==>
            known_lines{Here, Here}(buf, status_line_length(r), r, p.server, cfg, HttpHeaderResponseMaximum); */
    /*@ assert unknown_now: n <= cap ==>
            unknown_lines{Here, Here}(buf, n - tail_length(p.connection_close, p.auto_length, p.body_len) -
                                           unknown_lines_length(r->unknown, r->unknown_count),
                                      r->unknown, r->unknown_count); */
    //@ assert head: n <= cap ==> rendered_head(buf, n, r, p, cfg, date);
    // And the response still passes WIRE-FIELD-BYTES, as head_inputs asks.
    //@ assert reason_clean: !dirty_span(r->reason, r->reason_len);
    /*@ assert known_clean: \forall integer i; 0 <= i < HttpHeaderResponseMaximum ==>
            !dirty_span(r->known[i].value, r->known[i].len); */
    /*@ assert unknown_clean: \forall integer i; 0 <= i < r->unknown_count ==>
            r->unknown[i].name_len != 0 &&
            !dirty_span(r->unknown[i].name, r->unknown[i].name_len) &&
            !dirty_span(r->unknown[i].value, r->unknown[i].value_len); */
    //@ assert token_clean: !dirty_span(cfg->token, cfg->token_len);
    //@ assert clean_now: !headers_dirty(r) && !dirty_span(cfg->token, cfg->token_len);
    //@ assert inputs_now: head_inputs(r, p, cfg, date);
    /*@ ghost
      if (n <= cap)
          hs_fact_head_lines(buf, n, r, p, cfg, date);
    */
    return n;
}
