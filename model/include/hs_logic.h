/*
 * hs_logic.h: the ACSL vocabulary of the model. Every contract in hs_model.h
 * is written with these predicates and logic functions; each names the spec
 * rule it stands for. Nothing here is an axiom: all are definitions.
 */
#ifndef HS_LOGIC_H
#define HS_LOGIC_H

#include "hs_types.h"

/* The four tests the model makes of a Flags word f (ACSL only). They are
 * macros rather than predicates so that WP's simplifier sees their bit
 * operations where the lemmas of hs_flag_lemmas.h use them: it does not open
 * a predicate's definition, and the provers cannot do the bit arithmetic.
 * The predicates disconnect, more_data, opaque and unknown_flags below give
 * them their names. HS_FLAGS_ALIKE: two Flags words that pass the same four
 * tests. */
#define HS_FLAG_DISCONNECT(f) (((f) & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0)
#define HS_FLAG_MORE_DATA(f)  (((f) & HTTP_SEND_RESPONSE_FLAG_MORE_DATA) != 0)
#define HS_FLAG_OPAQUE(f)     (((f) & HTTP_SEND_RESPONSE_FLAG_OPAQUE) != 0)
#define HS_FLAG_UNKNOWN(f)    (((f) | HS_FLAGS_KNOWN) != HS_FLAGS_KNOWN)
#define HS_FLAGS_ALIKE(f, g) \
    ((HS_FLAG_DISCONNECT(f) <==> HS_FLAG_DISCONNECT(g)) && \
     (HS_FLAG_MORE_DATA(f) <==> HS_FLAG_MORE_DATA(g)) && \
     (HS_FLAG_OPAQUE(f) <==> HS_FLAG_OPAQUE(g)) && \
     (HS_FLAG_UNKNOWN(f) <==> HS_FLAG_UNKNOWN(g)))

/*@
  // ---- Memory: what the caller must hand over --------------------------

  // A pointer with a length: NULL, or n readable bytes.
  predicate span(hs_byte *p, integer n) = p == \null || \valid_read(p + (0 .. n - 1));

  predicate chunks_readable(struct hs_chunk *k, integer n) =
      k == \null ||
      (\valid_read(k + (0 .. n - 1)) &&
       \forall integer i; 0 <= i < n ==> span(k[i].data, k[i].len));

  predicate unknown_readable(struct hs_unknown_header *u, integer n) =
      u == \null ||
      (\valid_read(u + (0 .. n - 1)) &&
       \forall integer i; 0 <= i < n ==>
           span(u[i].name, u[i].name_len) && span(u[i].value, u[i].value_len));

  predicate response_readable(struct hs_response *r) =
      \valid_read(r) &&
      span(r->reason, r->reason_len) &&
      (\forall integer i; 0 <= i < HttpHeaderResponseMaximum ==>
           span(r->known[i].value, r->known[i].len)) &&
      unknown_readable(r->unknown, r->unknown_count) &&
      chunks_readable(r->chunks, r->chunk_count);

  predicate call_readable(struct hs_call *c) =
      \valid_read(c) &&
      (c->response == \null || response_readable(c->response)) &&
      chunks_readable(c->chunks, c->chunk_count) &&
      (c->cache_policy == \null || \valid_read(c->cache_policy)) &&
      (c->log_data == \null || \valid_read(c->log_data));

  // An exchange the host looked up by the call's request id (NULL: none).
  predicate exchange_for(struct hs_call *c, struct hs_exchange *x) =
      x == \null ||
      (\valid_read(x) && x->id == c->request_id &&
       HS_ST_RECEIVED <= x->state <= HS_ST_GONE);

  // ---- Flags ------------------------------------------------------------

  // The contracts read a call's Flags only through these four (spec 7.1).
  predicate disconnect(struct hs_call *c)    = HS_FLAG_DISCONNECT(c->flags);
  predicate more_data(struct hs_call *c)     = HS_FLAG_MORE_DATA(c->flags);
  predicate opaque(struct hs_call *c)        = HS_FLAG_OPAQUE(c->flags);
  // CALL-FLAG-UNKNOWN: a bit outside the seven flags the model knows.
  predicate unknown_flags(struct hs_call *c) = HS_FLAG_UNKNOWN(c->flags);

  // ---- Bytes ------------------------------------------------------------

  // CALL-POINTER-NULL: a length with no bytes behind it.
  predicate null_span(hs_byte *p, integer n) = p == \null && n > 0;

  // WIRE-FIELD-BYTES: NUL, LF or CR among the bytes.
  predicate dirty_span(hs_byte *p, integer n) =
      \exists integer i; 0 <= i < n && (p[i] == 0 || p[i] == 10 || p[i] == 13);

  predicate headers_null(struct hs_response *r) =
      null_span(r->reason, r->reason_len) ||
      (\exists integer i; 0 <= i < HttpHeaderResponseMaximum &&
           null_span(r->known[i].value, r->known[i].len)) ||
      (r->unknown == \null && r->unknown_count > 0) ||
      (r->unknown != \null &&
       \exists integer i; 0 <= i < r->unknown_count &&
           (null_span(r->unknown[i].name, r->unknown[i].name_len) ||
            null_span(r->unknown[i].value, r->unknown[i].value_len)));

  predicate headers_dirty(struct hs_response *r) =
      dirty_span(r->reason, r->reason_len) ||
      (\exists integer i; 0 <= i < HttpHeaderResponseMaximum &&
           dirty_span(r->known[i].value, r->known[i].len)) ||
      (\exists integer i; 0 <= i < r->unknown_count &&
           (r->unknown[i].name_len == 0 ||
            dirty_span(r->unknown[i].name, r->unknown[i].name_len) ||
            dirty_span(r->unknown[i].value, r->unknown[i].value_len)));

  // ---- Entity chunks ----------------------------------------------------

  predicate ranged(struct hs_chunk *k) =
      k->type == HttpDataChunkFromFileHandle || k->type == HttpDataChunkFromFragmentCacheEx;

  predicate fragment(struct hs_chunk *k) =
      k->type == HttpDataChunkFromFragmentCache || k->type == HttpDataChunkFromFragmentCacheEx;

  // CALL-CHUNK-RANGE: a byte range that leaves the file or fragment.
  predicate range_bad(struct hs_chunk *k) =
      k->start > k->len ||
      (k->length != HTTP_BYTE_RANGE_TO_EOF && k->length > k->len - k->start);

  // CALL-POINTER-NULL for chunks: no array behind a count, or a memory
  // chunk with a length and no buffer.
  predicate chunks_null(struct hs_chunk *k, integer n) =
      (k == \null && n > 0) ||
      (k != \null && \exists integer i; 0 <= i < n &&
           k[i].type == HttpDataChunkFromMemory && null_span(k[i].data, k[i].len));

  // Each chunk fault is checked over all chunks before the next kind.
  predicate some_bad_type(struct hs_chunk *k, integer n) =
      \exists integer i; 0 <= i < n && k[i].type >= HttpDataChunkTrailers;
  predicate some_long_name(struct hs_chunk *k, integer n) =
      \exists integer i; 0 <= i < n &&
          k[i].type == HttpDataChunkFromFragmentCacheEx && k[i].name_len > HS_MAX_FRAGMENT_NAME;
  predicate some_missing(struct hs_chunk *k, integer n) =
      \exists integer i; 0 <= i < n && fragment(k + i) && k[i].present == 0;
  predicate some_bad_range(struct hs_chunk *k, integer n) =
      \exists integer i; 0 <= i < n && ranged(k + i) && range_bad(k + i);

  // The rule a usable-looking chunk array breaks (HS_RULE_NONE: none).
  // Its NULL pointers are checked earlier, with the headers'.
  predicate chunks_rule(struct hs_chunk *k, integer n, integer r) =
      some_bad_type(k, n) ? r == HS_RULE_CALL_CHUNK_TYPE :
      some_long_name(k, n) ? r == HS_RULE_CALL_CHUNK_FRAGMENT_NAME :
      some_missing(k, n) ? r == HS_RULE_CALL_CHUNK_FRAGMENT_MISSING :
      some_bad_range(k, n) ? r == HS_RULE_CALL_CHUNK_RANGE :
      r == HS_RULE_NONE;

  // The bytes one usable chunk contributes.
  logic integer chunk_offset(struct hs_chunk *k) =
      (k->type == HttpDataChunkFromFileHandle || k->type == HttpDataChunkFromFragmentCacheEx) ?
          k->start : 0;
  logic integer chunk_size(struct hs_chunk *k) =
      (k->type != HttpDataChunkFromFileHandle && k->type != HttpDataChunkFromFragmentCacheEx) ? k->len :
      k->length == HTTP_BYTE_RANGE_TO_EOF ? k->len - k->start : k->length;

  // ---- The checks, in the reference order ---------------------------------

  // Checks 1-6, common to both functions; id_null is the rule for HTTP_NULL_ID.
  predicate common_rule(struct hs_call *c, integer id_null, integer r) =
      c->handle != HS_HANDLE_QUEUE ? r == HS_RULE_CALL_HANDLE_INVALID :
      c->request_id == HTTP_NULL_ID ? r == id_null :
      c->reserved1_set != 0 ? r == HS_RULE_CALL_RESERVED1 :
      c->reserved2 != 0 ? r == HS_RULE_CALL_RESERVED2 :
      unknown_flags(c) ? r == HS_RULE_CALL_FLAG_UNKNOWN :
      (disconnect(c) && more_data(c)) ? r == HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA :
      r == HS_RULE_NONE;

  // HttpSendHttpResponse checks on HTTP_RESPONSE.
  predicate response_rule(struct hs_call *c, integer r) =
      c->response == \null ? r == HS_RULE_SEND_RESPONSE_NULL :
      (opaque(c) && c->response->status != 101) ? r == HS_RULE_SEND_FLAG_OPAQUE_101 :
      (c->response->status < 100 || c->response->status > 999) ? r == HS_RULE_SEND_STATUS_RANGE :
      (c->response->trailer_count != 0 || c->response->trailers_set != 0) ?
          r == HS_RULE_SEND_TRAILERS_RESERVED :
      c->response->unknown_count > HS_MAX_UNKNOWN_HEADERS ? r == HS_RULE_SEND_UNKNOWN_HEADER_COUNT :
      c->response->chunk_count > HS_MAX_RESPONSE_CHUNKS ? r == HS_RULE_SEND_CHUNK_COUNT :
      (headers_null(c->response) || chunks_null(c->response->chunks, c->response->chunk_count)) ?
          r == HS_RULE_CALL_POINTER_NULL :
      headers_dirty(c->response) ? r == HS_RULE_WIRE_FIELD_BYTES :
      chunks_rule(c->response->chunks, c->response->chunk_count, r);

  predicate policy_rule(struct hs_call *c, integer r) =
      (c->cache_policy != \null && c->cache_policy->policy >= HttpCachePolicyMaximum) ?
          r == HS_RULE_SEND_CACHE_POLICY_TYPE :
      (c->log_data != \null && c->log_data->type != HttpLogDataTypeFields) ?
          r == HS_RULE_CALL_LOG_DATA_TYPE :
      r == HS_RULE_NONE;

  predicate log_rule(struct hs_call *c, integer r) =
      (c->log_data != \null && c->log_data->type != HttpLogDataTypeFields) ?
          r == HS_RULE_CALL_LOG_DATA_TYPE :
      r == HS_RULE_NONE;

  // The request id's state (CALL-ID-UNKNOWN, CALL-ID-FINISHED, CALL-CONN-GONE).
  predicate id_rule(struct hs_exchange *x, integer r) =
      x == \null ? r == HS_RULE_CALL_ID_UNKNOWN :
      x->state == HS_ST_DONE ? r == HS_RULE_CALL_ID_FINISHED :
      x->state == HS_ST_GONE ? r == HS_RULE_CALL_CONN_GONE :
      r == HS_RULE_NONE;

  predicate head_sent(struct hs_exchange *x) =
      x->state == HS_ST_STREAMING || x->state == HS_ST_OPAQUE;

  // Every check of HttpSendHttpResponse: r is the rule that decides the call.
  predicate send_rule(struct hs_call *c, struct hs_exchange *x, integer r) =
      !common_rule(c, HS_RULE_SEND_ID_NULL, HS_RULE_NONE) ? common_rule(c, HS_RULE_SEND_ID_NULL, r) :
      !response_rule(c, HS_RULE_NONE) ? response_rule(c, r) :
      !policy_rule(c, HS_RULE_NONE) ? policy_rule(c, r) :
      !id_rule(x, HS_RULE_NONE) ? id_rule(x, r) :
      head_sent(x) ? r == HS_RULE_SEND_AFTER_HEAD :
      r == HS_RULE_CALL_OK;

  // Every check of HttpSendResponseEntityBody.
  predicate body_rule(struct hs_call *c, struct hs_exchange *x, integer r) =
      !common_rule(c, HS_RULE_BODY_ID_NULL, HS_RULE_NONE) ? common_rule(c, HS_RULE_BODY_ID_NULL, r) :
      c->chunk_count > HS_MAX_BODY_CHUNKS ? r == HS_RULE_BODY_CHUNK_COUNT :
      chunks_null(c->chunks, c->chunk_count) ? r == HS_RULE_CALL_POINTER_NULL :
      !chunks_rule(c->chunks, c->chunk_count, HS_RULE_NONE) ? chunks_rule(c->chunks, c->chunk_count, r) :
      !log_rule(c, HS_RULE_NONE) ? log_rule(c, r) :
      !id_rule(x, HS_RULE_NONE) ? id_rule(x, r) :
      x->state == HS_ST_RECEIVED ? r == HS_RULE_BODY_BEFORE_HEAD :
      (opaque(c) && x->state != HS_ST_OPAQUE) ? r == HS_RULE_BODY_FLAG_OPAQUE_101 :
      r == HS_RULE_CALL_OK;

  // The Win32 code the reference returns for the deciding rule.
  logic integer rule_error(integer r) =
      r == HS_RULE_CALL_OK ? NO_ERROR :
      r == HS_RULE_CALL_HANDLE_INVALID ? ERROR_INVALID_HANDLE :
      (r == HS_RULE_SEND_ID_NULL || r == HS_RULE_BODY_ID_NULL ||
       r == HS_RULE_CALL_ID_UNKNOWN || r == HS_RULE_CALL_ID_FINISHED ||
       r == HS_RULE_CALL_CONN_GONE) ? ERROR_CONNECTION_INVALID :
      r == HS_RULE_CALL_CHUNK_FRAGMENT_MISSING ? ERROR_PATH_NOT_FOUND :
      ERROR_INVALID_PARAMETER;

  // ---- Decisions about the bytes ------------------------------------------

  predicate app_has(struct hs_response *r, integer id) = r->known[id].len != 0;

  // CONN-HTTP10-CLOSE: HTTP/1.0 (and anything older).
  predicate http10(struct hs_request *q) = q->major < 1 || (q->major == 1 && q->minor == 0);

  predicate ci(hs_byte b, integer lower) = b == lower || b == lower - 32;

  // CONN-APP-CLOSE: the application's known Connection header is "close".
  predicate app_close(struct hs_response *r) =
      r->known[HttpHeaderConnection].len == 5 &&
      ci(r->known[HttpHeaderConnection].value[0], 'c') &&
      ci(r->known[HttpHeaderConnection].value[1], 'l') &&
      ci(r->known[HttpHeaderConnection].value[2], 'o') &&
      ci(r->known[HttpHeaderConnection].value[3], 's') &&
      ci(r->known[HttpHeaderConnection].value[4], 'e');

  // A status whose response never carries an automatic Content-Length.
  predicate no_auto_length_status(integer s) = s < 200 || s == 204 || s == 304;

  // WIRE-CL-AUTO and its exceptions.
  predicate auto_length(struct hs_call *c, struct hs_exchange *x) =
      !more_data(c) &&
      !app_has(c->response, HttpHeaderContentLength) &&
      !app_has(c->response, HttpHeaderTransferEncoding) &&
      x->request.verb != HttpVerbHEAD &&
      !no_auto_length_status(c->response->status);

  // The connection will close once the response is complete (known at head time).
  predicate closes_at_head(struct hs_call *c, struct hs_exchange *x) =
      http10(&x->request) || x->request.conn_close != 0 ||
      app_close(c->response) || disconnect(c) || opaque(c);

  // WIRE-CONNECTION-CLOSE(-OTHER): the head carries a generated Connection: close.
  predicate close_line(struct hs_call *c, struct hs_exchange *x) =
      !app_has(c->response, HttpHeaderConnection) &&
      (http10(&x->request) || x->request.conn_close != 0 || disconnect(c));

  // What planning a response needs of an accepted call: a smaller statement
  // than send_rule(c, x, HS_RULE_CALL_OK), which implies it (proven by the
  // lemma functions at the end of hs_check.c).
  predicate plannable_response(struct hs_call *c, struct hs_exchange *x) =
      x != \null && c->response != \null && response_readable(c->response) &&
      !headers_null(c->response) &&
      !chunks_null(c->response->chunks, c->response->chunk_count) &&
      chunks_rule(c->response->chunks, c->response->chunk_count, HS_RULE_NONE);

  predicate plannable_body(struct hs_call *c, struct hs_exchange *x) =
      x != \null && chunks_readable(c->chunks, c->chunk_count) &&
      !chunks_null(c->chunks, c->chunk_count) &&
      chunks_rule(c->chunks, c->chunk_count, HS_RULE_NONE);

  // The sum of the entity bytes of chunks [0, n).
  logic integer chunks_total(struct hs_chunk *k, integer n) =
      n <= 0 ? 0 : chunks_total(k, n - 1) + chunk_size(k + (n - 1));
*/

#endif
