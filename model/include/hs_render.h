/*
 * hs_render.h: the bytes of a successful call (spec chapter "The bytes on
 * the wire"). Both functions return how many bytes the output has; with a
 * NULL buf they only measure. With a buffer they write whole pieces while
 * they fit and never past cap, so the output is complete exactly when the
 * returned size is at most cap.
 *
 * The proof shows these functions never read or write outside the spans
 * they are given; that the body is exactly the entity bytes of the chunks
 * (entity, below) and its size their sum (chunks_total); and that a head
 * changes no byte past its size and, when it fits, is its status line
 * (status_line), the known slots in id order with the Server line the plan
 * chose (known_lines), the unknown header lines (unknown_lines), then the
 * Date line, the generated Connection: close and Content-Length lines the
 * plan asks for, and the empty line (tail), head_length bytes in all.
 */
#ifndef HS_RENDER_H
#define HS_RENDER_H

#include "hs_types.h"
#include "hs_logic.h"
#include "hs_header_names.h"

/*@
  // The output buffer: none (measure only) or cap writable bytes.
  predicate out_buffer(hs_byte *buf, integer cap) = buf == \null || \valid(buf + (0 .. cap - 1));

  // The output does not overlap a span the renderer reads.
  predicate apart(hs_byte *p, integer n, hs_byte *buf, integer cap) =
      buf == \null || p == \null || \separated(p + (0 .. n - 1), buf + (0 .. cap - 1));

  predicate response_apart(struct hs_response *r, hs_byte *buf, integer cap) =
      buf == \null ||
      (\separated(r, buf + (0 .. cap - 1)) &&
       apart(r->reason, r->reason_len, buf, cap) &&
       (\forall integer i; 0 <= i < HttpHeaderResponseMaximum ==>
            apart(r->known[i].value, r->known[i].len, buf, cap)) &&
       (r->unknown == \null ||
        (\separated(r->unknown + (0 .. r->unknown_count - 1), buf + (0 .. cap - 1)) &&
         \forall integer i; 0 <= i < r->unknown_count ==>
             apart(r->unknown[i].name, r->unknown[i].name_len, buf, cap) &&
             apart(r->unknown[i].value, r->unknown[i].value_len, buf, cap))));

  predicate chunks_apart(struct hs_chunk *k, integer n, hs_byte *buf, integer cap) =
      buf == \null || k == \null ||
      (\separated(k + (0 .. n - 1), buf + (0 .. cap - 1)) &&
       \forall integer i; 0 <= i < n ==> apart(k[i].data, k[i].len, buf, cap));

  // A head that a successful HttpSendHttpResponse may render.
  predicate renderable(struct hs_response *r) =
      response_readable(r) && !headers_null(r) &&
      100 <= r->status <= 999 && r->unknown_count <= HS_MAX_UNKNOWN_HEADERS;

  // Chunks that a successful call may render.
  // The host resolves file and fragment chunks: each has its bytes.
  predicate sendable(struct hs_chunk *k, integer n) =
      chunks_readable(k, n) && !chunks_null(k, n) && chunks_rule(k, n, HS_RULE_NONE) &&
      (k != \null ==> \forall integer i; 0 <= i < n ==> !null_span(k[i].data, k[i].len));

  // ---- Numbers on the wire: the status code (WIRE-STATUS-LINE) and the
  // automatic Content-Length (WIRE-CL-AUTO) are decimal numerals.

  // 10 to the power k, for the 20 decimal places of a 64-bit value.
  logic integer pow10(integer k) =
      k <= 0 ? 1 : k == 1 ? 10 : k == 2 ? 100 : k == 3 ? 1000 : k == 4 ? 10000 :
      k == 5 ? 100000 : k == 6 ? 1000000 : k == 7 ? 10000000 : k == 8 ? 100000000 :
      k == 9 ? 1000000000 : k == 10 ? 10000000000 : k == 11 ? 100000000000 :
      k == 12 ? 1000000000000 : k == 13 ? 10000000000000 : k == 14 ? 100000000000000 :
      k == 15 ? 1000000000000000 : k == 16 ? 10000000000000000 :
      k == 17 ? 100000000000000000 : k == 18 ? 1000000000000000000 :
      k == 19 ? 10000000000000000000 : 100000000000000000000;

  // How many digits the decimal numeral of v has: no leading zero, and one
  // digit for 0.
  logic integer decimal_length(integer v) =
      v < pow10(1) ? 1 : v < pow10(2) ? 2 : v < pow10(3) ? 3 : v < pow10(4) ? 4 :
      v < pow10(5) ? 5 : v < pow10(6) ? 6 : v < pow10(7) ? 7 : v < pow10(8) ? 8 :
      v < pow10(9) ? 9 : v < pow10(10) ? 10 : v < pow10(11) ? 11 : v < pow10(12) ? 12 :
      v < pow10(13) ? 13 : v < pow10(14) ? 14 : v < pow10(15) ? 15 : v < pow10(16) ? 16 :
      v < pow10(17) ? 17 : v < pow10(18) ? 18 : v < pow10(19) ? 19 : 20;

  // Byte i, counted from the left, of the decimal numeral of v.
  logic integer decimal_digit(integer v, integer i) =
      '0' + (v / pow10(decimal_length(v) - 1 - i)) % 10;

  // d holds the decimal numeral of v.
  predicate decimal{L}(hs_byte *d, integer v) =
      \forall integer i; 0 <= i < decimal_length(v) ==> d[i] == decimal_digit(v, i);

  // b[at ..] holds the decimal numeral of v.
  predicate decimal_at{L}(hs_byte *b, integer at, integer v) =
      \forall integer i; 0 <= i < decimal_length(v) ==> b[at + i] == decimal_digit(v, i);

  // ---- Writing: a writer appends and changes nothing else.

  // From state L1 to L2, no byte buf[i] with i < cap outside [from, to) changed.
  predicate appended{L1, L2}(hs_byte *buf, integer cap, integer from, integer to) =
      \forall integer i; i < cap && (i < from || to <= i) ==>
          \at(buf[i], L2) == \at(buf[i], L1);

  // ---- The entity bytes (WIRE-BODY) -------------------------------------

  // Byte j of the entity bytes of chunk c: its data from its range's start.
  // Its type is integer, not hs_byte: WP would give a logic function of a C
  // integer type a range fact about the value it reads from any memory
  // state, which no memory of arbitrary values meets (a smoke test found it).
  logic integer chunk_byte{L}(struct hs_chunk *c, integer j) = c->data[chunk_offset(c) + j];

  // At L1, b holds the entity bytes of chunks [0, n) as they were at L2:
  // the chunk_size(k + i) bytes of each chunk i, in array order, each right
  // after the bytes of the chunks before it (at chunks_total(k, i)).
  predicate entity{L1, L2}(hs_byte *b, struct hs_chunk *k, integer n) =
      \forall integer i, j; 0 <= i < n && 0 <= j < \at(chunk_size(k + i), L2) ==>
          \at(b[\at(chunks_total(k, i), L2) + j], L1) == chunk_byte{L2}(k + i, j);

  // ---- The status line (WIRE-STATUS-LINE, WIRE-VERSION-IGNORED) ----------

  predicate head_prefix(hs_byte *b) =
      b[0] == 'H' && b[1] == 'T' && b[2] == 'T' && b[3] == 'P' && b[4] == '/' &&
      b[5] == '1' && b[6] == '.' && b[7] == '1' && b[8] == ' ';

  // "HTTP/1.1 <code> <reason>\r\n": the prefix, three digits, one space,
  // the reason bytes, CRLF.
  logic integer status_line_length(struct hs_response *r) = 9 + 3 + 1 + r->reason_len + 2;

  // A line end at b[at].
  predicate crlf{L}(hs_byte *b, integer at) = b[at] == '\r' && b[at + 1] == '\n';

  // At L1, b starts with the status line of r: the prefix, the status
  // code's three digits, a space, the reason phrase as it was at L2 (when
  // the call was made), CRLF.
  predicate status_line{L1, L2}(hs_byte *b, struct hs_response *r) =
      head_prefix{L1}(b) && decimal_at{L1}(b, 9, \at(r->status, L1)) && \at(b[12], L1) == ' ' &&
      (\forall integer j; 0 <= j < \at(r->reason_len, L1) ==>
           \at(b[13 + j], L1) == \at(r->reason[j], L2)) &&
      crlf{L1}(b, 13 + \at(r->reason_len, L1));

  // ---- The known headers (WIRE-KNOWN-HEADER, WIRE-KNOWN-EMPTY-OMITTED) ---

  // "<name>: <value>\r\n" for known header h of id id: its wire name
  // (hs_header_names.h), the value as given; no line when the value is empty.
  logic integer known_line_length(struct hs_known_header *h, integer id) =
      h->len == 0 ? 0 : known_name_length(id) + 2 + h->len + 2;

  // Byte j of that line (an integer, as chunk_byte).
  logic integer known_line_byte{L}(struct hs_known_header *h, integer id, integer j) =
      j < known_name_length(id) ? known_name_byte(id, j) :
      j == known_name_length(id) ? ':' :
      j == known_name_length(id) + 1 ? ' ' :
      j < known_name_length(id) + 2 + h->len ? h->value[j - known_name_length(id) - 2] :
      j == known_name_length(id) + 2 + h->len ? '\r' : '\n';

  // ---- The Server line (WIRE-SERVER, WIRE-SERVER-DISABLED) ---------------

  // What the plan puts after "Server: ": the application's value (APP,
  // APP_TOKEN), one space (APP_TOKEN), the product token (TOKEN, APP_TOKEN).
  logic integer server_app_length(struct hs_known_header *h, integer server) =
      server == HS_SERVER_APP || server == HS_SERVER_APP_TOKEN ? h->len : 0;
  logic integer server_space_length(integer server) = server == HS_SERVER_APP_TOKEN ? 1 : 0;
  logic integer server_token_length(struct hs_config *cfg, integer server) =
      server == HS_SERVER_TOKEN || server == HS_SERVER_APP_TOKEN ? cfg->token_len : 0;

  // "Server: ", those parts, CRLF; no line for HS_SERVER_NONE.
  logic integer server_line_length(struct hs_known_header *h, integer server, struct hs_config *cfg) =
      server == HS_SERVER_NONE ? 0 :
      8 + server_app_length(h, server) + server_space_length(server) +
      server_token_length(cfg, server) + 2;

  logic integer server_name_byte(integer j) =
      j == 0 ? 'S' : j == 1 ? 'e' : j == 2 ? 'r' : j == 3 ? 'v' : j == 4 ? 'e' : j == 5 ? 'r' :
      j == 6 ? ':' : ' ';

  // Byte j of the Server line.
  logic integer server_line_byte{L}(struct hs_known_header *h, integer server, struct hs_config *cfg,
                                    integer j) =
      \let a = 8 + server_app_length(h, server);
      \let s = a + server_space_length(server);
      \let t = s + server_token_length(cfg, server);
      j < 8 ? server_name_byte(j) :
      j < a ? h->value[j - 8] :
      j < s ? ' ' :
      j < t ? cfg->token[j - s] :
      j == t ? '\r' : '\n';

  // ---- The known slots in id order (WIRE-HEADER-ORDER) -------------------

  // Slot id of the head: none for Date (WIRE-DATE writes it at the end),
  // the Server line for Server, else the known header line.
  logic integer known_slot_length(struct hs_response *r, integer server, struct hs_config *cfg,
                                  integer id) =
      id == HttpHeaderDate ? 0 :
      id == HttpHeaderServer ? server_line_length(r->known + id, server, cfg) :
      known_line_length(r->known + id, id);
  logic integer known_slots_length(struct hs_response *r, integer server, struct hs_config *cfg,
                                   integer n) =
      n <= 0 ? 0 : known_slots_length(r, server, cfg, n - 1) + known_slot_length(r, server, cfg, n - 1);
  logic integer known_slot_byte{L}(struct hs_response *r, integer server, struct hs_config *cfg,
                                   integer id, integer j) =
      id == HttpHeaderServer ? server_line_byte(r->known + id, server, cfg, j) :
      known_line_byte(r->known + id, id, j);

  // At L1, b holds slot i of r, as it was at L2, right after slots [0, i),
  // which start at at.
  predicate known_slot_in{L1, L2}(hs_byte *b, integer at, struct hs_response *r, integer server,
                                  struct hs_config *cfg, integer i) =
      \forall integer j; 0 <= j < \at(known_slot_length(r, server, cfg, i), L2) ==>
          \at(b[at + \at(known_slots_length(r, server, cfg, i), L2) + j], L1) ==
              known_slot_byte{L2}(r, server, cfg, i, j);

  // At L1, b holds from at the slots [0, n) of r as they were at L2.
  predicate known_lines{L1, L2}(hs_byte *b, integer at, struct hs_response *r, integer server,
                                struct hs_config *cfg, integer n) =
      \forall integer i; 0 <= i < n ==> known_slot_in{L1, L2}(b, at, r, server, cfg, i);

  // ---- The unknown headers (WIRE-UNKNOWN-HEADER) -------------------------

  // "<name>: <value>\r\n": the name and the value as given, in array order.
  logic integer unknown_line_length(struct hs_unknown_header *u) =
      u->name_len + 2 + u->value_len + 2;
  logic integer unknown_lines_length(struct hs_unknown_header *u, integer n) =
      n <= 0 ? 0 : unknown_lines_length(u, n - 1) + unknown_line_length(u + (n - 1));

  // Byte j of the line of unknown header u (an integer, as chunk_byte).
  logic integer unknown_line_byte{L}(struct hs_unknown_header *u, integer j) =
      j < u->name_len ? u->name[j] :
      j == u->name_len ? ':' :
      j == u->name_len + 1 ? ' ' :
      j < u->name_len + 2 + u->value_len ? u->value[j - u->name_len - 2] :
      j == u->name_len + 2 + u->value_len ? '\r' : '\n';

  // At L1, b holds line i of the unknown headers u, as it was at L2, right
  // after lines [0, i), which start at at.
  predicate unknown_line_in{L1, L2}(hs_byte *b, integer at, struct hs_unknown_header *u, integer i) =
      \forall integer j; 0 <= j < \at(unknown_line_length(u + i), L2) ==>
          \at(b[at + \at(unknown_lines_length(u, i), L2) + j], L1) == unknown_line_byte{L2}(u + i, j);

  // At L1, b holds from at the lines of unknown headers [0, n) as they were
  // at L2, each right after the lines before it.
  predicate unknown_lines{L1, L2}(hs_byte *b, integer at, struct hs_unknown_header *u, integer n) =
      \forall integer i; 0 <= i < n ==> unknown_line_in{L1, L2}(b, at, u, i);

  // ---- The lines that end every head (WIRE-DATE, WIRE-CONNECTION-CLOSE,
  // WIRE-CL-AUTO) and the empty line.

  // "Date: ", the 29 bytes of the IMF-fixdate, CRLF.
  logic integer date_line_length = 6 + HS_DATE_LEN + 2;
  predicate date_name{L}(hs_byte *b, integer at) =
      b[at] == 'D' && b[at + 1] == 'a' && b[at + 2] == 't' && b[at + 3] == 'e' &&
      b[at + 4] == ':' && b[at + 5] == ' ';
  predicate date_line{L}(hs_byte *b, integer at, struct hs_date date) =
      date_name(b, at) &&
      (\forall integer j; 0 <= j < HS_DATE_LEN ==> b[at + 6 + j] == date.text[j]) &&
      crlf(b, at + 6 + HS_DATE_LEN);

  // "Connection: close" CRLF.
  logic integer close_line_length = 17 + 2;
  predicate close_name{L}(hs_byte *b, integer at) =
      b[at] == 'C' && b[at + 1] == 'o' && b[at + 2] == 'n' && b[at + 3] == 'n' &&
      b[at + 4] == 'e' && b[at + 5] == 'c' && b[at + 6] == 't' && b[at + 7] == 'i' &&
      b[at + 8] == 'o' && b[at + 9] == 'n' && b[at + 10] == ':' && b[at + 11] == ' ' &&
      b[at + 12] == 'c' && b[at + 13] == 'l' && b[at + 14] == 'o' && b[at + 15] == 's' &&
      b[at + 16] == 'e';
  predicate close_line{L}(hs_byte *b, integer at) = close_name(b, at) && crlf(b, at + 17);

  // "Content-Length: ", the decimal numeral of v, CRLF.
  logic integer length_line_length(integer v) = 16 + decimal_length(v) + 2;
  predicate length_name{L}(hs_byte *b, integer at) =
      b[at] == 'C' && b[at + 1] == 'o' && b[at + 2] == 'n' && b[at + 3] == 't' &&
      b[at + 4] == 'e' && b[at + 5] == 'n' && b[at + 6] == 't' && b[at + 7] == '-' &&
      b[at + 8] == 'L' && b[at + 9] == 'e' && b[at + 10] == 'n' && b[at + 11] == 'g' &&
      b[at + 12] == 't' && b[at + 13] == 'h' && b[at + 14] == ':' && b[at + 15] == ' ';
  predicate length_line{L}(hs_byte *b, integer at, integer v) =
      length_name(b, at) && decimal_at(b, at + 16, v) && crlf(b, at + 16 + decimal_length(v));

  // The end of a head: the Date line; Connection: close when close is set;
  // Content-Length: <len> when length is set; the empty line.
  logic integer tail_length(integer close, integer length, integer len) =
      date_line_length + (close != 0 ? close_line_length : 0) +
      (length != 0 ? length_line_length(len) : 0) + 2;
  predicate tail{L}(hs_byte *b, integer at, integer close, integer length, integer len,
                    struct hs_date date) =
      date_line(b, at, date) &&
      (close != 0 ==> close_line(b, at + date_line_length)) &&
      (length != 0 ==>
         length_line(b, at + date_line_length + (close != 0 ? close_line_length : 0), len)) &&
      crlf(b, at + tail_length(close, length, len) - 2);
*/

/*@
  // ---- The whole head -----------------------------------------------------

  // Its size: the status line, the known slots, the unknown header lines,
  // and the tail.
  logic integer head_length(struct hs_response *r, struct hs_plan p, struct hs_config *cfg) =
      status_line_length(r) + known_slots_length(r, p.server, cfg, HttpHeaderResponseMaximum) +
      unknown_lines_length(r->unknown, r->unknown_count) +
      tail_length(p.connection_close, p.auto_length, p.body_len);
*/

/*@ requires renderable(r);
    requires \valid_read(cfg) && span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires out_buffer(buf, cap) && cap < SIZE_MAX;
    requires response_apart(r, buf, cap) &&
             apart(cfg->token, cfg->token_len, buf, cap) && (buf == \null || \separated(cfg, buf + (0 .. cap - 1)));
    terminates \true;
    assigns buf[0 .. cap - 1];
    ensures \result >= status_line_length(r);
    ensures length: \result < SIZE_MAX ==> \result == head_length(r, p, cfg);

    behavior measure:               // count only
      assumes buf == \null;
      assigns \nothing;
    behavior write:
      assumes buf != \null;
      ensures only_head: appended{Pre, Post}(buf, cap, 0, \result);
      ensures status: \result <= cap ==> status_line{Post, Pre}(buf, r);  // WIRE-STATUS-LINE, WIRE-VERSION-IGNORED
      ensures known: \result <= cap ==>       // WIRE-KNOWN-HEADER, WIRE-KNOWN-EMPTY-OMITTED, WIRE-SERVER, WIRE-SERVER-DISABLED, WIRE-HEADER-ORDER
          known_lines{Post, Pre}(buf, status_line_length(r), r, p.server, cfg, HttpHeaderResponseMaximum);
      ensures ends: \result <= cap ==>                             // WIRE-DATE, WIRE-CONNECTION-CLOSE, WIRE-CL-AUTO
          \result >= status_line_length(r) + tail_length(p.connection_close, p.auto_length, p.body_len) &&
          tail(buf, \result - tail_length(p.connection_close, p.auto_length, p.body_len),
               p.connection_close, p.auto_length, p.body_len, date);
      ensures unknown: \result <= cap ==>                          // WIRE-UNKNOWN-HEADER
          unknown_lines{Post, Pre}(buf, \result - tail_length(p.connection_close, p.auto_length, p.body_len) -
                                        unknown_lines_length(r->unknown, r->unknown_count),
                                   r->unknown, r->unknown_count);
    complete behaviors;
    disjoint behaviors;
*/
size_t hs_render_head(const struct hs_response *r, struct hs_plan p, const struct hs_config *cfg,
                      struct hs_date date, hs_byte *buf, size_t cap);

/*@ requires sendable(k, n);
    requires out_buffer(buf, cap) && cap < SIZE_MAX && chunks_apart(k, n, buf, cap);
    terminates \true;
    assigns buf[0 .. cap - 1];
    ensures size: \result == chunks_total(k, n);     // WIRE-BODY

    behavior measure:               // count only
      assumes buf == \null;
      assigns \nothing;
    behavior write:                 // WIRE-BODY
      assumes buf != \null;
      ensures bytes: \result <= cap ==> entity{Post, Pre}(buf, k, n);
    complete behaviors;
    disjoint behaviors;
*/
size_t hs_render_body(const struct hs_chunk *k, uint16_t n, hs_byte *buf, size_t cap);

#endif
