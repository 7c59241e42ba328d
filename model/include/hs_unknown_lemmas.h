/*
 * hs_unknown_lemmas.h: unknown header lines written before stay as they are
 * while later writers append (hs_head.c, hs_render.c).
 * Each is proven by WP like any other goal (spec 7.3), in the run of every
 * file that includes it.
 */
#ifndef HS_UNKNOWN_LEMMAS_H
#define HS_UNKNOWN_LEMMAS_H

#include "hs_head.h"

/*@
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
*/

#endif
