/*
 * hs_head_facts.h: what a response head is, in words taken from the RFCs and
 * not from the renderer: lines that end in CRLF, no NUL and no CR or LF but
 * in a line end (RFC 9112 section 2.2, RFC 9110 section 5.5), an empty line
 * that ends the head (RFC 9112 section 2.1), fields found by their names in
 * any case (RFC 9110 section 5.1). model/src/hs_head_facts.c proves that the
 * head hs_render_head describes is such a head (spec 7.4).
 */
#ifndef HS_HEAD_FACTS_H
#define HS_HEAD_FACTS_H

#include "hs_render.h"

/*@
  // A byte that may stand inside a line: no NUL, CR or LF.
  predicate plain(integer x) = x != 0 && x != '\r' && x != '\n';

  // x is the letter upper in either case.
  predicate letter(integer x, integer upper) = x == upper || x == upper + ('a' - 'A');

  // Bytes that begin a field named Date, or Server: the name in any case,
  // then the colon.
  predicate date_field_name(integer x0, integer x1, integer x2, integer x3, integer x4) =
      letter(x0, 'D') && letter(x1, 'A') && letter(x2, 'T') && letter(x3, 'E') && x4 == ':';
  predicate server_field_name(integer x0, integer x1, integer x2, integer x3, integer x4, integer x5,
                              integer x6) =
      letter(x0, 'S') && letter(x1, 'E') && letter(x2, 'R') && letter(x3, 'V') &&
      letter(x4, 'E') && letter(x5, 'R') && x6 == ':';

  // ---- The bytes of a head, whatever wrote them ---------------------------

  // b[i] is no NUL, a CR there is followed by an LF, an LF there follows a CR.
  predicate framed_at{L}(hs_byte *b, integer i) =
      b[i] != 0 &&
      (b[i] == '\r' ==> b[i + 1] == '\n') &&
      (b[i] == '\n' ==> 0 < i && b[i - 1] == '\r');

  // The n bytes at b have CR and LF only as line ends and no NUL, and the
  // last of them ends a line.
  predicate framed{L}(hs_byte *b, integer n) =
      0 < n && b[n - 1] == '\n' && \forall integer i; 0 <= i < n ==> framed_at(b, i);

  // A line starts at b[i]: at the start, or right after a CRLF.
  predicate line_start{L}(hs_byte *b, integer i) = i == 0 || (2 <= i && crlf(b, i - 2));

  // An empty line starts at b[i].
  predicate empty_line{L}(hs_byte *b, integer i) = line_start(b, i) && crlf(b, i);

  // A Date field, or a Server field, starts at b[i].
  predicate date_field{L}(hs_byte *b, integer i) =
      line_start(b, i) && date_field_name(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4]);
  predicate server_field{L}(hs_byte *b, integer i) =
      line_start(b, i) &&
      server_field_name(b[i], b[i + 1], b[i + 2], b[i + 3], b[i + 4], b[i + 5], b[i + 6]);

  // One empty line in the n bytes at b, and it is the last line.
  predicate last_empty_line{L}(hs_byte *b, integer n) =
      empty_line(b, n - 2) && \forall integer i; 0 <= i < n - 2 ==> !empty_line(b, i);

  // Exactly one Date field, or one Server field, or none, in the n bytes at b.
  predicate one_date_field{L}(hs_byte *b, integer n) =
      \exists integer d; 0 <= d < n && date_field(b, d) &&
        \forall integer i; 0 <= i < n && date_field(b, i) ==> i == d;
  predicate one_server_field{L}(hs_byte *b, integer n) =
      \exists integer s; 0 <= s < n && server_field(b, s) &&
        \forall integer i; 0 <= i < n && server_field(b, i) ==> i == s;
  predicate no_server_field{L}(hs_byte *b, integer n) =
      \forall integer i; 0 <= i < n ==> !server_field(b, i);

  // ---- What the application chose -----------------------------------------

  // The line of unknown header u begins a Date field, or a Server field
  // (WIRE-UNKNOWN-HEADER writes such a header like any other).
  predicate unknown_named_date{L}(struct hs_unknown_header *u) =
      date_field_name(unknown_line_byte(u, 0), unknown_line_byte(u, 1), unknown_line_byte(u, 2),
                      unknown_line_byte(u, 3), unknown_line_byte(u, 4));
  predicate unknown_named_server{L}(struct hs_unknown_header *u) =
      server_field_name(unknown_line_byte(u, 0), unknown_line_byte(u, 1), unknown_line_byte(u, 2),
                        unknown_line_byte(u, 3), unknown_line_byte(u, 4), unknown_line_byte(u, 5),
                        unknown_line_byte(u, 6));
  predicate some_unknown_date{L}(struct hs_response *r) =
      \exists integer k; 0 <= k < r->unknown_count && unknown_named_date(r->unknown + k);
  predicate some_unknown_server{L}(struct hs_response *r) =
      \exists integer k; 0 <= k < r->unknown_count && unknown_named_server(r->unknown + k);

  // The facts of a head of r, where s is where its Server line starts, or -1
  // when it has none (WIRE-FIELD-BYTES, WIRE-DATE, WIRE-SERVER,
  // WIRE-SERVER-DISABLED; hs_fact_head_lines states them one by one).
  predicate head_facts{L}(hs_byte *b, integer n, struct hs_response *r, integer s) =
      framed(b, n) && last_empty_line(b, n) &&
      (!some_unknown_date(r) ==> one_date_field(b, n)) &&
      (s != -1 && !some_unknown_server(r) ==> one_server_field(b, n)) &&
      (s == -1 && !some_unknown_server(r) ==> no_server_field(b, n));

  // ---- The head hs_render_head describes -----------------------------------

  // The n bytes at b are the head of r under plan p, as hs_render_head's
  // write behaviour ensures when the head fits, read after the call (the
  // call changes only its buffer, which lies apart from the response, the
  // configuration and the date, so these hold what they held before it).
  predicate rendered_head{L}(hs_byte *b, integer n, struct hs_response *r, struct hs_plan p,
                             struct hs_config *cfg, struct hs_date date) =
      n == head_length(r, p, cfg) &&
      status_line{L, L}(b, r) &&
      known_lines{L, L}(b, status_line_length(r), r, p.server, cfg, HttpHeaderResponseMaximum) &&
      unknown_lines{L, L}(b, n - tail_length(p.connection_close, p.auto_length, p.body_len) -
                              unknown_lines_length(r->unknown, r->unknown_count),
                          r->unknown, r->unknown_count) &&
      tail(b, n - tail_length(p.connection_close, p.auto_length, p.body_len),
           p.connection_close, p.auto_length, p.body_len, date);

  // What an accepted call renders: a response that passed the checks
  // (WIRE-FIELD-BYTES among them), a plan's Server line, and a product
  // token and a date of plain bytes.
  predicate head_inputs{L}(struct hs_response *r, struct hs_plan p, struct hs_config *cfg,
                           struct hs_date date) =
      renderable(r) && !headers_dirty(r) &&
      \valid_read(cfg) && !dirty_span(cfg->token, cfg->token_len) &&
      p.server <= HS_SERVER_APP_TOKEN &&
      (\forall integer j; 0 <= j < HS_DATE_LEN ==> plain(date.text[j]));
*/

/* What any HTTP/1.1 response head must be (RFC 9112, RFC 9110), proven of
 * every head hs_render_head describes for an accepted call (spec 7.4);
 * ghost code, proven in hs_head_facts.c. */
/*@ ghost
  /@ requires head_inputs(r, p, cfg, date) && rendered_head(b, n, r, p, cfg, date);
     terminates \true;
     assigns \nothing;
     // WIRE-FIELD-BYTES: no NUL, and CR and LF only as line ends.
     ensures framed: framed(b, n);
     // One empty line, the last.
     ensures one_empty_line: last_empty_line(b, n);
     // WIRE-DATE: one Date field, unless the application adds one as an
     // unknown header.
     ensures one_date: !some_unknown_date(r) ==> one_date_field(b, n);
     // WIRE-SERVER, WIRE-SERVER-DISABLED: one Server field when the plan has
     // a Server line (always in DisableServerHeader modes 0 and 1), none when
     // it has none, unless the application adds one as an unknown header.
     ensures one_server: p.server != HS_SERVER_NONE && !some_unknown_server(r) ==> one_server_field(b, n);
     ensures no_server: p.server == HS_SERVER_NONE && !some_unknown_server(r) ==> no_server_field(b, n);
  @/
  void hs_fact_head_lines(const hs_byte *b, size_t n, const struct hs_response *r, struct hs_plan p,
                          const struct hs_config *cfg, struct hs_date date);
*/

#endif
