/*
 * hs_head_facts.c: facts the specification promises of the header lines of
 * a head an accepted call renders (spec 7.4), proven from chapter 03's
 * definitions in logic (hs_render.h) and the checks' (hs_logic.h). Lemmas
 * only: this file generates no code, and its lemmas weigh on no other
 * file's goals (spec 7.3).
 *
 * Of each known slot and each unknown header line, where hs_render_head's
 * contract places them: plain bytes, then CRLF (no NUL, CR or LF inside,
 * since WIRE-FIELD-BYTES keeps them out of what the application gives);
 * content in each; which of them begins a field named Date or Server.
 */
#include "hs_model.h"
#include "hs_head_facts.h"

/*@
    // ---- The wire names ---------------------------------------------------------

    // The wire names are letters and dashes.
    lemma known_name_plain:
      \forall integer id, j; 0 <= id < HttpHeaderResponseMaximum && 0 <= j < known_name_length(id) ==>
        plain(known_name_byte(id, j));

    // ---- The known slots --------------------------------------------------------

    // A slot of an accepted head has no bytes, or eight at least: plain
    // bytes, then CRLF.
    lemma head_known_slot{L}:
      \forall struct hs_response *r, integer server, struct hs_config *cfg, integer id, integer j;
        !headers_dirty(r) ==> !dirty_span(cfg->token, cfg->token_len) ==>
        0 <= server <= HS_SERVER_APP_TOKEN ==> 0 <= id < HttpHeaderResponseMaximum ==>
        0 <= j < known_slot_length(r, server, cfg, id) - 2 ==>
        plain(known_slot_byte(r, server, cfg, id, j));
    lemma head_known_slot_ends{L}:
      \forall struct hs_response *r, integer server, struct hs_config *cfg, integer id;
        0 <= server <= HS_SERVER_APP_TOKEN ==> 0 <= id < HttpHeaderResponseMaximum ==>
        \let n = known_slot_length(r, server, cfg, id);
        n != 0 ==>
        8 <= n && known_slot_byte(r, server, cfg, id, n - 2) == '\r' &&
        known_slot_byte(r, server, cfg, id, n - 1) == '\n';

    // No slot begins a Date field (WIRE-DATE writes the Date line last);
    // only the Server slot begins a Server field, and it does whenever it
    // has bytes (WIRE-SERVER).
    lemma head_known_slot_fields{L}:
      \forall struct hs_response *r, integer server, struct hs_config *cfg, integer id;
        0 <= server <= HS_SERVER_APP_TOKEN ==> 0 <= id < HttpHeaderResponseMaximum ==>
        known_slot_length(r, server, cfg, id) != 0 ==>
        !date_field_name(known_slot_byte(r, server, cfg, id, 0), known_slot_byte(r, server, cfg, id, 1),
                         known_slot_byte(r, server, cfg, id, 2), known_slot_byte(r, server, cfg, id, 3),
                         known_slot_byte(r, server, cfg, id, 4)) &&
        (server_field_name(known_slot_byte(r, server, cfg, id, 0), known_slot_byte(r, server, cfg, id, 1),
                           known_slot_byte(r, server, cfg, id, 2), known_slot_byte(r, server, cfg, id, 3),
                           known_slot_byte(r, server, cfg, id, 4), known_slot_byte(r, server, cfg, id, 5),
                           known_slot_byte(r, server, cfg, id, 6)) <==>
         id == HttpHeaderServer);

    // The Server slot has bytes exactly when the plan has a Server line,
    // which it has in DisableServerHeader modes 0 and 1 (hs_plan_response).
    lemma head_server_slot{L}:
      \forall struct hs_response *r, integer server, struct hs_config *cfg;
        0 <= server <= HS_SERVER_APP_TOKEN ==>
        (known_slot_length(r, server, cfg, HttpHeaderServer) != 0 <==> server != HS_SERVER_NONE);

    // ---- The unknown header lines -------------------------------------------

    // A line of an accepted head has five bytes at least: plain bytes, then
    // CRLF. Whether it begins a Date or Server field is the application's
    // choice of name (spec 03, WIRE-UNKNOWN-HEADER).
    lemma head_unknown_line{L}:
      \forall struct hs_response *r, integer k, integer j;
        !headers_dirty(r) ==> 0 <= k < r->unknown_count ==>
        5 <= unknown_line_length(r->unknown + k) &&
        (0 <= j < unknown_line_length(r->unknown + k) - 2 ==> plain(unknown_line_byte(r->unknown + k, j)));
    lemma head_unknown_line_ends{L}:
      \forall struct hs_unknown_header *u;
        \let n = unknown_line_length(u);
        0 <= u->name_len ==> 0 <= u->value_len ==>
        unknown_line_byte(u, n - 2) == '\r' && unknown_line_byte(u, n - 1) == '\n';
*/
