/*
 * hs_head_facts.c: what the specification promises of every head an
 * accepted call renders, as bytes (spec 7.4): no NUL, and CR and LF only as
 * line ends; one empty line, the last; one Date field; one Server field when
 * the plan has a Server line, none otherwise. hs_fact_head_lines states and
 * proves it of the head hs_render_head describes (hs_head_facts.h). Ghost
 * code and lemmas only: this file generates no code, and its lemmas weigh
 * on no other file's goals (spec 7.3).
 *
 * The lemmas give the bytes of each kind of line; the ghost functions walk
 * the head line by line to reach every byte by its position.
 */
#include "hs_model.h"
#include "hs_line_facts.h"

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

/*@
    // Where the known slots and the unknown header lines of a head start.
    logic integer known_at(struct hs_response *r, integer server, struct hs_config *cfg, integer id) =
        status_line_length(r) + known_slots_length(r, server, cfg, id);
    logic integer unknown_at(struct hs_response *r, integer server, struct hs_config *cfg, integer k) =
        known_at(r, server, cfg, HttpHeaderResponseMaximum) + unknown_lines_length(r->unknown, k);
*/

/*@ ghost
  /@ requires 0 <= id < HttpHeaderResponseMaximum;
     terminates \true;
     assigns \nothing;
     ensures \result == known_name_length(id);
  @/
  size_t hs_fact_name_length(int id)
  {
    switch (id) {
    case 0: return 13;  case 1: return 10;  case 2: return 4;   case 3: return 10;
    case 4: return 6;   case 5: return 7;   case 6: return 17;  case 7: return 7;
    case 8: return 3;   case 9: return 7;   case 10: return 5;  case 11: return 14;
    case 12: return 12; case 13: return 16; case 14: return 16; case 15: return 16;
    case 16: return 11; case 17: return 13; case 18: return 7;  case 19: return 13;
    case 20: return 13; case 21: return 3;  case 22: return 4;  case 23: return 8;
    case 24: return 18; case 25: return 11; case 26: return 6;  case 27: return 10;
    case 28: return 4;  default: return 16;
    }
  }
*/

/*@ ghost
  /@ requires \valid_read(r) && \valid_read(cfg) && 0 <= id < HttpHeaderResponseMaximum &&
              server <= HS_SERVER_APP_TOKEN;
     terminates \true;
     assigns \nothing;
     ensures \result == known_slot_length(r, server, cfg, id) && \result <= 262144;
     ensures \result != 0 ==> 8 <= \result &&
       known_slot_byte(r, server, cfg, id, \result - 2) == '\r' &&
       known_slot_byte(r, server, cfg, id, \result - 1) == '\n';
  @/
  size_t hs_fact_slot_length(const struct hs_response *r, uint8_t server, const struct hs_config *cfg, int id)
  {
    if (id == HttpHeaderDate)
        return 0;
    if (id == HttpHeaderServer) {
        if (server == HS_SERVER_NONE)
            return 0;
        size_t n = 10;
        if (server == HS_SERVER_APP || server == HS_SERVER_APP_TOKEN)
            n += r->known[id].len;
        if (server == HS_SERVER_APP_TOKEN)
            n += 1;
        if (server == HS_SERVER_TOKEN || server == HS_SERVER_APP_TOKEN)
            n += cfg->token_len;
        return n;
    }
    if (r->known[id].len == 0)
        return 0;
    return hs_fact_name_length(id) + 4 + r->known[id].len;
  }
*/

/*@ ghost
  /@ requires known_lines{Pre, Pre}(b, status_line_length(r), r, server, cfg, HttpHeaderResponseMaximum);
     requires 0 <= id < HttpHeaderResponseMaximum;
     requires at == known_at(r, server, cfg, id) && len == known_slot_length(r, server, cfg, id);
     requires at + len <= SIZE_MAX;
     terminates \true;
     assigns \nothing;
     ensures \forall integer i; at <= i < at + len ==> b[i] == known_slot_byte(r, server, cfg, id, i - at);
  @/
  void hs_fact_slot_bytes(const hs_byte *b, const struct hs_response *r, uint8_t server,
                          const struct hs_config *cfg, int id, size_t at, size_t len)
  {
    /@ assert slot: known_slot_in{Here, Here}(b, status_line_length(r), r, server, cfg, id); @/
    /@ loop invariant 0 <= j <= len;
       loop invariant \forall integer i; at <= i < at + j ==> b[i] == known_slot_byte(r, server, cfg, id, i - at);
       loop assigns j;
       loop variant len - j;
    @/
    for (size_t j = 0; j < len; j++) {
        /@ assert b[at + j] == known_slot_byte(r, server, cfg, id, j); @/
    }
  }
*/

/*@ ghost
  /@ requires known_lines{Pre, Pre}(b, status_line_length(r), r, server, cfg, HttpHeaderResponseMaximum);
     requires \valid_read(r) && \valid_read(cfg) && server <= HS_SERVER_APP_TOKEN;
     requires !headers_dirty(r) && !dirty_span(cfg->token, cfg->token_len);
     requires lines_before(b, status_line_length(r)) &&
              date_only_at(b, 0, status_line_length(r), -1) && server_only_at(b, 0, status_line_length(r), -1);
     terminates \true;
     assigns \nothing;
     ensures \let end = known_at(r, server, cfg, HttpHeaderResponseMaximum);
       lines_before(b, end) && date_only_at(b, 0, end, -1) && end == \result && end <= 8000000 &&
       (server == HS_SERVER_NONE ==> server_only_at(b, 0, end, -1)) &&
       (server != HS_SERVER_NONE ==>
          server_field(b, known_at(r, server, cfg, HttpHeaderServer)) &&
          known_at(r, server, cfg, HttpHeaderServer) < end &&
          server_only_at(b, 0, end, known_at(r, server, cfg, HttpHeaderServer)));
  @/
  size_t hs_fact_known_lines(const hs_byte *b, const struct hs_response *r, uint8_t server,
                             const struct hs_config *cfg)
  {
    size_t at = 15 + (size_t)r->reason_len;
    long long s = -1;
    /@ loop invariant 0 <= id <= HttpHeaderResponseMaximum;
       loop invariant at == known_at(r, server, cfg, id) && at <= 70000 + id * 262144;
       loop invariant lines_before(b, at) && date_only_at(b, 0, at, -1) && server_only_at(b, 0, at, s);
       loop invariant id <= HttpHeaderServer ==> s == -1;
       loop invariant id > HttpHeaderServer && server == HS_SERVER_NONE ==> s == -1;
       loop invariant id > HttpHeaderServer && server != HS_SERVER_NONE ==>
           s == known_at(r, server, cfg, HttpHeaderServer) && server_field(b, s) && s < at;
       loop assigns id, at, s;
       loop variant HttpHeaderResponseMaximum - id;
    @/
    for (int id = 0; id < HttpHeaderResponseMaximum; id++) {
        size_t len = hs_fact_slot_length(r, server, cfg, id);
        /@ assert next: known_at(r, server, cfg, id + 1) == at + len; @/
        if (len != 0) {
            hs_fact_slot_bytes(b, r, server, cfg, id, at, len);
            /@ assert ends: b[at + len - 2] == known_slot_byte(r, server, cfg, id, len - 2) &&
                            b[at + len - 1] == known_slot_byte(r, server, cfg, id, len - 1); @/
            /@ assert plain: \forall integer i; at <= i < at + len - 2 ==> plain(b[i]); @/
            /@ assert first: b[at] == known_slot_byte(r, server, cfg, id, 0) &&
                             b[at + 1] == known_slot_byte(r, server, cfg, id, 1) &&
                             b[at + 2] == known_slot_byte(r, server, cfg, id, 2) &&
                             b[at + 3] == known_slot_byte(r, server, cfg, id, 3) &&
                             b[at + 4] == known_slot_byte(r, server, cfg, id, 4) &&
                             b[at + 5] == known_slot_byte(r, server, cfg, id, 5) &&
                             b[at + 6] == known_slot_byte(r, server, cfg, id, 6); @/
            /@ assert not_date: !date_field_name(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4]); @/
            /@ assert server_here: server_field_name(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4],
                                                      b[at + 5], b[at + 6]) <==> id == HttpHeaderServer; @/
            hs_fact_line(b, at, len, 0, -1, id == HttpHeaderServer ? (long long)at : s);
            if (id == HttpHeaderServer)
                s = (long long)at;
        }
        at += len;
    }
    return at;
  }
*/

/*@ ghost
  /@ requires unknown_line_in{Pre, Pre}(b, unknown_at(r, server, cfg, 0), r->unknown, k);
     requires \valid_read(r) && 0 <= k;
     requires at == unknown_at(r, server, cfg, k) && len == unknown_line_length(r->unknown + k);
     requires at + len <= SIZE_MAX;
     terminates \true;
     assigns \nothing;
     ensures \forall integer i; at <= i < at + len ==> b[i] == unknown_line_byte(r->unknown + k, i - at);
  @/
  void hs_fact_unknown_bytes(const hs_byte *b, const struct hs_response *r, uint8_t server,
                             const struct hs_config *cfg, int k, size_t at, size_t len)
  {
    /@ assert base: unknown_at(r, server, cfg, 0) + unknown_lines_length(r->unknown, k) == at; @/
    /@ loop invariant 0 <= j <= len;
       loop invariant \forall integer i; at <= i < at + j ==> b[i] == unknown_line_byte(r->unknown + k, i - at);
       loop assigns j;
       loop variant len - j;
    @/
    for (size_t j = 0; j < len; j++) {
        /@ assert b[at + j] == unknown_line_byte(r->unknown + k, j); @/
    }
  }
*/

/*@ ghost
  /@ requires 0 <= k;
     terminates \true;
     assigns \nothing;
     ensures unknown_lines_length(u, k + 1) == unknown_lines_length(u, k) + unknown_line_length(u + k);
  @/
  void hs_fact_unknown_step(const struct hs_unknown_header *u, int k)
  {
  }
*/

/*@ ghost
  /@ requires unknown_lines{Pre, Pre}(b, unknown_at(r, server, cfg, 0), r->unknown, r->unknown_count);
     requires \valid_read(r) && renderable(r) && !headers_dirty(r);
     requires at0 == unknown_at(r, server, cfg, 0) && at0 <= 8000000;
     requires lines_before(b, at0);
     terminates \true;
     assigns \nothing;
     ensures \result == unknown_at(r, server, cfg, r->unknown_count) && at0 <= \result <= 17179869184;
     ensures lines_before(b, \result);
     ensures !some_unknown_date(r) ==> date_only_at(b, at0, \result, -1);
     ensures !some_unknown_server(r) ==> server_only_at(b, at0, \result, -1);
  @/
  size_t hs_fact_unknown_lines(const hs_byte *b, const struct hs_response *r, uint8_t server,
                               const struct hs_config *cfg, size_t at0)
  {
    size_t at = at0;
    /@ assert readable: r->unknown_count != 0 ==>
           r->unknown != \null && \valid_read(r->unknown + (0 .. r->unknown_count - 1)); @/
    /@ loop invariant 0 <= k <= r->unknown_count;
       loop invariant at == unknown_at(r, server, cfg, k) && at0 <= at <= 8000000 + k * 131076;
       loop invariant lines_before(b, at);
       loop invariant !some_unknown_date(r) ==> date_only_at(b, at0, at, -1);
       loop invariant !some_unknown_server(r) ==> server_only_at(b, at0, at, -1);
       loop assigns k, at;
       loop variant r->unknown_count - k;
    @/
    for (int k = 0; k < r->unknown_count; k++) {
        size_t len = (size_t)r->unknown[k].name_len + 4 + r->unknown[k].value_len;
        /@ assert length: len == unknown_line_length(r->unknown + k); @/
        hs_fact_unknown_step(r->unknown, k);
        /@ assert next: unknown_at(r, server, cfg, k + 1) == at + len; @/
        /@ assert unknown_line_in{Here, Here}(b, unknown_at(r, server, cfg, 0), r->unknown, k); @/
        hs_fact_unknown_bytes(b, r, server, cfg, k, at, len);
        /@ assert clean: r->unknown[k].name_len != 0 &&
                         !dirty_span(r->unknown[k].name, r->unknown[k].name_len) &&
                         !dirty_span(r->unknown[k].value, r->unknown[k].value_len); @/
        /@ assert plain: \forall integer i; at <= i < at + len - 2 ==> plain(b[i]); @/
        /@ assert ends: b[at + len - 2] == unknown_line_byte(r->unknown + k, len - 2) &&
                        b[at + len - 1] == unknown_line_byte(r->unknown + k, len - 1); @/
        /@ assert first: b[at] == unknown_line_byte(r->unknown + k, 0) &&
                         b[at + 1] == unknown_line_byte(r->unknown + k, 1) &&
                         b[at + 2] == unknown_line_byte(r->unknown + k, 2) &&
                         b[at + 3] == unknown_line_byte(r->unknown + k, 3) &&
                         b[at + 4] == unknown_line_byte(r->unknown + k, 4) &&
                         (5 < len ==> b[at + 5] == unknown_line_byte(r->unknown + k, 5)) &&
                         (6 < len ==> b[at + 6] == unknown_line_byte(r->unknown + k, 6)); @/
        /@ assert not_date: !some_unknown_date(r) ==>
               !date_field_name(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4]); @/
        /@ assert not_server: !some_unknown_server(r) ==>
               !server_field_name(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5], b[at + 6]); @/
        hs_fact_line(b, at, len, at0, -1, -1);
        /@ assert dates: !some_unknown_date(r) ==> date_only_at(b, at0, at + len, -1); @/
        /@ assert servers: !some_unknown_server(r) ==> server_only_at(b, at0, at + len, -1); @/
        at += len;
    }
    return at;
  }
*/

/*@ ghost
  /@ requires \valid_read(r) && \valid_read(cfg) && HS_SERVER_NONE < server <= HS_SERVER_APP_TOKEN;
     terminates \true;
     assigns \nothing;
     ensures \result == known_at(r, server, cfg, HttpHeaderServer) && \result <= 8000000;
  @/
  size_t hs_fact_server_at(const struct hs_response *r, uint8_t server, const struct hs_config *cfg)
  {
    size_t at = 15 + (size_t)r->reason_len;
    /@ loop invariant 0 <= id <= HttpHeaderServer;
       loop invariant at == known_at(r, server, cfg, id) && at <= 70000 + id * 262144;
       loop assigns id, at;
       loop variant HttpHeaderServer - id;
    @/
    for (int id = 0; id < HttpHeaderServer; id++)
        at += hs_fact_slot_length(r, server, cfg, id);
    return at;
  }
*/

/*@ ghost
  /@ requires 0 <= m <= z;
     requires !some_unknown_date(r) ==> date_only_at(b, 0, m, -1) && date_only_at(b, m, z, d);
     terminates \true;
     assigns \nothing;
     ensures !some_unknown_date(r) ==> date_only_at(b, 0, z, d);
  @/
  void hs_fact_date_join(const hs_byte *b, const struct hs_response *r, size_t m, size_t z, long long d)
  {
  }
*/

/*@ ghost
  /@ requires 0 <= m <= z;
     requires !some_unknown_server(r) ==> server_only_at(b, 0, m, s) && server_only_at(b, m, z, -1);
     terminates \true;
     assigns \nothing;
     ensures !some_unknown_server(r) ==> server_only_at(b, 0, z, s);
  @/
  void hs_fact_server_join(const hs_byte *b, const struct hs_response *r, size_t m, size_t z, long long s)
  {
  }
*/

/*@ ghost
  /@ requires 4 <= n && lines_before(b, n - 2) && crlf(b, n - 2);
     requires dates: !some_unknown_date(r) ==> 0 <= d < n - 2 && date_field(b, d) && date_only_at(b, 0, n - 2, d);
     requires servers: !some_unknown_server(r) ==>
       (s == -1 || (0 <= s < n - 2 && server_field(b, s))) && server_only_at(b, 0, n - 2, s);
     terminates \true;
     assigns \nothing;
     ensures facts: head_facts(b, n, r, s);
  @/
  void hs_fact_head_end(const hs_byte *b, size_t n, const struct hs_response *r, long long d, long long s)
  {
    hs_fact_empty_line(b, n - 2, d, s);
    /@ assert b[n - 1] == '\n' && !empty_line(b, n - 1) && empty_line(b, n - 2); @/
    // Each fact on its own: the provers do not split head_facts into its parts.
    /@ assert framed: framed(b, n); @/
    /@ assert last: last_empty_line(b, n); @/
    /@ assert date: !some_unknown_date(r) ==> one_date_field(b, n); @/
    /@ assert server: s != -1 && !some_unknown_server(r) ==> one_server_field(b, n); @/
    /@ assert no_server: s == -1 && !some_unknown_server(r) ==> no_server_field(b, n); @/
  }
*/

/*@ ghost
  /@ requires 0 <= k <= u && u + 37 <= n - 2 && u <= 17179869184;
     requires lines_before(b, n - 2) && crlf(b, n - 2);
     requires date_only_at(b, 0, k, -1) && (!some_unknown_date(r) ==> date_only_at(b, k, u, -1));
     requires date_only_at(b, u, n - 2, u) && date_field(b, u);
     requires s == -1 || (0 <= s < k && server_field(b, s));
     requires server_only_at(b, 0, k, s) && (!some_unknown_server(r) ==> server_only_at(b, k, u, -1));
     requires server_only_at(b, u, n - 2, -1);
     terminates \true;
     assigns \nothing;
     ensures facts: head_facts(b, n, r, s);
  @/
  void hs_fact_head_finish(const hs_byte *b, size_t n, const struct hs_response *r, size_t k, size_t u,
                           long long s)
  {
    hs_fact_date_join(b, r, k, u, -1);
    hs_fact_date_join(b, r, u, n - 2, (long long)u);
    hs_fact_server_join(b, r, k, u, s);
    hs_fact_server_join(b, r, u, n - 2, s);
    hs_fact_head_end(b, n, r, (long long)u, s);
  }
*/

/* The five facts of a rendered head (contract in hs_head_facts.h). */
/*@ ghost
  void hs_fact_head_lines(const hs_byte *b, size_t n, const struct hs_response *r, struct hs_plan p,
                          const struct hs_config *cfg, struct hs_date date)
  {
    hs_fact_status_line(b, r);
    size_t k = hs_fact_known_lines(b, r, p.server, cfg);
    /@ assert unknown_start: k == unknown_at(r, p.server, cfg, 0); @/
    /@ assert unknown_where: k == n - tail_length(p.connection_close, p.auto_length, p.body_len) -
                                  unknown_lines_length(r->unknown, r->unknown_count); @/
    size_t u = hs_fact_unknown_lines(b, r, p.server, cfg, k);
    /@ assert tail_start: u == n - tail_length(p.connection_close, p.auto_length, p.body_len); @/
    hs_fact_tail(b, u, p, date);
    /@ assert last: n - 2 == u + tail_length(p.connection_close, p.auto_length, p.body_len) - 2; @/
    long long s = p.server == HS_SERVER_NONE ? -1 : (long long)hs_fact_server_at(r, p.server, cfg);
    /@ assert servers: p.server == HS_SERVER_NONE ==> s == -1 && server_only_at(b, 0, k, -1); @/
    /@ assert server: p.server != HS_SERVER_NONE ==> 0 <= s < k && server_field(b, s) && server_only_at(b, 0, k, s); @/
    hs_fact_head_finish(b, n, r, k, u, s);
  }
*/
