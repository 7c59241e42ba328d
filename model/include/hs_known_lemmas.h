/*
 * hs_known_lemmas.h: known header lines written before stay as they are
 * while later writers append, and keep their bytes while the headers they
 * come from do (hs_known.c, hs_render.c).
 * Each is proven by WP like any other goal (spec 7.3), in the run of every
 * file that includes it.
 */
#ifndef HS_KNOWN_LEMMAS_H
#define HS_KNOWN_LEMMAS_H

#include "hs_head.h"

/*@
    // A slot that lies below lim stays in place when a writer changes only
    // bytes from lim on.
    lemma known_slot_kept{L1, L2, L3}:
      \forall hs_byte *buf, struct hs_response *r, integer server, struct hs_config *cfg,
              integer at, integer i, integer room, integer lim, integer to;
        lim <= room ==>
        known_slot_in{L1, L3}(buf, at, r, server, cfg, i) ==>
        at + \at(known_slots_length(r, server, cfg, i) + known_slot_length(r, server, cfg, i), L3) <= lim ==>
        appended{L1, L2}(buf, room, lim, to) ==>
        known_slot_in{L2, L3}(buf, at, r, server, cfg, i);

    // Slots that lie below lim stay in place when a writer changes only
    // bytes from lim on.
    lemma known_kept{L1, L2, L3}:
      \forall hs_byte *buf, struct hs_response *r, integer server, struct hs_config *cfg,
              integer at, integer n, integer room, integer lim, integer to;
        lim <= room ==>
        known_lines{L1, L3}(buf, at, r, server, cfg, n) ==>
        known_ends_before{L3}(r, server, cfg, n, lim - at) ==>
        appended{L1, L2}(buf, room, lim, to) ==>
        known_lines{L2, L3}(buf, at, r, server, cfg, n);

    // A slot's bytes are the same in two states that agree on the response
    // and the configuration (memory the renderer's writers never change) and
    // on the bytes of the slot's value and of the product token.
    lemma known_byte_same{L1, L2}:
      \forall struct hs_response *r, integer server, struct hs_config *cfg, integer i, integer j;
        0 <= j ==>
        \at(r->known[i].len, L1) == \at(r->known[i].len, L2) ==>
        \at(r->known[i].value, L1) == \at(r->known[i].value, L2) ==>
        \at(cfg->token_len, L1) == \at(cfg->token_len, L2) ==>
        \at(cfg->token, L1) == \at(cfg->token, L2) ==>
        same_bytes{L2, L1}(\at(r->known[i].value, L1), 0, \at(r->known[i].len, L1)) ==>
        same_bytes{L2, L1}(\at(cfg->token, L1), 0, \at(cfg->token_len, L1)) ==>
        known_slot_byte{L1}(r, server, cfg, i, j) == known_slot_byte{L2}(r, server, cfg, i, j);
*/

#endif
