/*
 * hs_render_lemmas.h: what a renderer's caller knows after the call. The
 * renderer writes only its buffer, which lies apart from the response and
 * the configuration it reads, so their bytes, and the lines made of them,
 * are what they were (hs_render.c, hs_render_accepted.c). Each is proven by
 * WP like any other goal (spec 7.3), in the run of every file that includes
 * it.
 */
#ifndef HS_RENDER_LEMMAS_H
#define HS_RENDER_LEMMAS_H

#include "hs_head.h"

/*@
    // The lines, byte by byte.
    lemma unknown_lines_bytes{L1, L2}:
      \forall hs_byte *buf, struct hs_unknown_header *u, integer at, integer n;
        unknown_lines{L1, L2}(buf, at, u, n) ==>
        \forall integer i, j; 0 <= i < n && 0 <= j < \at(unknown_line_length(u + i), L2) ==>
            \at(buf[at + \at(unknown_lines_length(u, i), L2) + j], L1) == unknown_line_byte{L2}(u + i, j);

    // The slots, byte by byte.
    lemma known_lines_bytes{L1, L2}:
      \forall hs_byte *buf, struct hs_response *r, integer server, struct hs_config *cfg,
              integer at, integer n;
        known_lines{L1, L2}(buf, at, r, server, cfg, n) ==>
        \forall integer i, j; 0 <= i < n && 0 <= j < \at(known_slot_length(r, server, cfg, i), L2) ==>
            \at(buf[at + \at(known_slots_length(r, server, cfg, i), L2) + j], L1) ==
                known_slot_byte{L2}(r, server, cfg, i, j);

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
*/

#endif
