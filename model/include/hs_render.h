/*
 * hs_render.h: the bytes of a successful call (spec chapter "The bytes on
 * the wire"). Both functions return how many bytes the output has; with a
 * NULL buf they only measure. With a buffer they write whole pieces while
 * they fit and never past cap, so the output is complete exactly when the
 * returned size is at most cap.
 *
 * The proof shows these functions never read or write outside the spans
 * they are given, and the shape of a head that fits (status-line prefix,
 * final empty line); the exact bytes are checked by the unit tests and the
 * conformance suite, which compare them with the spec's examples.
 */
#ifndef HS_RENDER_H
#define HS_RENDER_H

#include "hs_types.h"
#include "hs_logic.h"

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

  predicate head_prefix(hs_byte *b) =
      b[0] == 'H' && b[1] == 'T' && b[2] == 'T' && b[3] == 'P' && b[4] == '/' &&
      b[5] == '1' && b[6] == '.' && b[7] == '1' && b[8] == ' ';
*/

/*@ requires renderable(r);
    requires \valid_read(cfg) && span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires \valid_read(date + (0 .. HS_DATE_LEN - 1));
    requires out_buffer(buf, cap) && cap < SIZE_MAX;
    requires response_apart(r, buf, cap) && apart(date, HS_DATE_LEN, buf, cap) &&
             apart(cfg->token, cfg->token_len, buf, cap) && (buf == \null || \separated(cfg, buf + (0 .. cap - 1)));
    terminates \true;
    assigns buf[0 .. cap - 1];

    behavior measure:               // count only
      assumes buf == \null;
      assigns \nothing;
      ensures \result >= 11;
    behavior write:                 // WIRE-STATUS-LINE
      assumes buf != \null;
      ensures \result >= 11;
      ensures \result <= cap ==> head_prefix(buf);
    complete behaviors;
    disjoint behaviors;
*/
size_t hs_render_head(const struct hs_response *r, struct hs_plan p, const struct hs_config *cfg,
                      const hs_byte *date, hs_byte *buf, size_t cap);

/*@ requires sendable(k, n);
    requires out_buffer(buf, cap) && cap < SIZE_MAX && chunks_apart(k, n, buf, cap);
    terminates \true;
    assigns buf[0 .. cap - 1];

    behavior measure:               // count only
      assumes buf == \null;
      assigns \nothing;
    behavior write:                 // WIRE-BODY
      assumes buf != \null;
    complete behaviors;
    disjoint behaviors;
*/
size_t hs_render_body(const struct hs_chunk *k, uint16_t n, hs_byte *buf, size_t cap);

#endif
