/*
 * hs_check.c: which rule decides a call (spec chapter "Errors"). Every
 * rejection site returns the rule it enforces, so a failing call can always
 * be traced to one spec id. */
#include "hs_model.h"
#include "hs_flag_lemmas.h"

/*@ requires \valid_read(c);
    requires id_null != HS_RULE_NONE;
    terminates \true;
    assigns \nothing;
    ensures common_rule(c, id_null, \result);
*/
static enum hs_rule hs_check_common(const struct hs_call *c, enum hs_rule id_null)
{
    if (c->handle != HS_HANDLE_QUEUE)
        return HS_RULE_CALL_HANDLE_INVALID;
    if (c->request_id == HTTP_NULL_ID)
        return id_null;
    if (c->reserved1_set != 0u)
        return HS_RULE_CALL_RESERVED1;
    if (c->reserved2 != 0u)
        return HS_RULE_CALL_RESERVED2;
    if ((c->flags | HS_FLAGS_KNOWN) != HS_FLAGS_KNOWN)   /* a bit outside the known flags */
        return HS_RULE_CALL_FLAG_UNKNOWN;
    if ((c->flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0u &&
        (c->flags & HTTP_SEND_RESPONSE_FLAG_MORE_DATA) != 0u)
        return HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA;
    return HS_RULE_NONE;
}

/*@ requires span(p, n) && !null_span(p, n);
    terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> dirty_span(p, n);
*/
static int hs_dirty(const hs_byte *p, uint16_t n)
{
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> p[j] != 0 && p[j] != 10 && p[j] != 13;
        loop assigns i;
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        if (p[i] == 0u || p[i] == 10u || p[i] == 13u)
            return 1;
    }
    return 0;
}

/*@ requires response_readable(r);
    terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> headers_null(r);
*/
static int hs_headers_null(const struct hs_response *r)
{
    if (r->reason == NULL && r->reason_len > 0u)
        return 1;
    /*@ loop invariant 0 <= i <= HttpHeaderResponseMaximum;
        loop invariant \forall integer j; 0 <= j < i ==> !null_span(r->known[j].value, r->known[j].len);
        loop assigns i;
        loop variant HttpHeaderResponseMaximum - i;
    */
    for (int i = 0; i < HttpHeaderResponseMaximum; i++) {
        if (r->known[i].value == NULL && r->known[i].len > 0u)
            return 1;
    }
    if (r->unknown == NULL)
        return r->unknown_count > 0u;
    /*@ loop invariant 0 <= i <= r->unknown_count;
        loop invariant \forall integer j; 0 <= j < i ==>
            !null_span(r->unknown[j].name, r->unknown[j].name_len) &&
            !null_span(r->unknown[j].value, r->unknown[j].value_len);
        loop assigns i;
        loop variant r->unknown_count - i;
    */
    for (uint32_t i = 0; i < r->unknown_count; i++) {
        const struct hs_unknown_header *u = &r->unknown[i];
        if ((u->name == NULL && u->name_len > 0u) || (u->value == NULL && u->value_len > 0u))
            return 1;
    }
    return 0;
}

/*@ requires response_readable(r) && !headers_null(r);
    terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> headers_dirty(r);
*/
static int hs_headers_dirty(const struct hs_response *r)
{
    if (hs_dirty(r->reason, r->reason_len))
        return 1;
    /*@ loop invariant 0 <= i <= HttpHeaderResponseMaximum;
        loop invariant \forall integer j; 0 <= j < i ==> !dirty_span(r->known[j].value, r->known[j].len);
        loop assigns i;
        loop variant HttpHeaderResponseMaximum - i;
    */
    for (int i = 0; i < HttpHeaderResponseMaximum; i++) {
        if (hs_dirty(r->known[i].value, r->known[i].len))
            return 1;
    }
    /*@ loop invariant 0 <= i <= r->unknown_count;
        loop invariant \forall integer j; 0 <= j < i ==>
            r->unknown[j].name_len != 0 &&
            !dirty_span(r->unknown[j].name, r->unknown[j].name_len) &&
            !dirty_span(r->unknown[j].value, r->unknown[j].value_len);
        loop assigns i;
        loop variant r->unknown_count - i;
    */
    for (uint32_t i = 0; i < r->unknown_count; i++) {
        const struct hs_unknown_header *u = &r->unknown[i];
        if (u->name_len == 0u || hs_dirty(u->name, u->name_len) || hs_dirty(u->value, u->value_len))
            return 1;
    }
    return 0;
}

/*@ requires chunks_readable(k, n);
    terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> chunks_null(k, n);
*/
static int hs_chunks_null(const struct hs_chunk *k, uint16_t n)
{
    if (k == NULL)
        return n > 0u;
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==>
            !(k[j].type == HttpDataChunkFromMemory && null_span(k[j].data, k[j].len));
        loop assigns i;
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        if (k[i].type == HttpDataChunkFromMemory && k[i].data == NULL && k[i].len > 0u)
            return 1;
    }
    return 0;
}

/*@ requires chunks_readable(k, n) && !chunks_null(k, n);
    terminates \true;
    assigns \nothing;
    ensures chunks_rule(k, n, \result);
*/
static enum hs_rule hs_check_chunks(const struct hs_chunk *k, uint16_t n)
{
    if (k == NULL)
        return HS_RULE_NONE;
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> k[j].type < HttpDataChunkTrailers;
        loop assigns i;
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        if (k[i].type >= HttpDataChunkTrailers)
            return HS_RULE_CALL_CHUNK_TYPE;
    }
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==>
            !(k[j].type == HttpDataChunkFromFragmentCacheEx && k[j].name_len > HS_MAX_FRAGMENT_NAME);
        loop assigns i;
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        if (k[i].type == HttpDataChunkFromFragmentCacheEx && k[i].name_len > HS_MAX_FRAGMENT_NAME)
            return HS_RULE_CALL_CHUNK_FRAGMENT_NAME;
    }
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> !(fragment(k + j) && k[j].present == 0);
        loop assigns i;
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        if ((k[i].type == HttpDataChunkFromFragmentCache || k[i].type == HttpDataChunkFromFragmentCacheEx) &&
            k[i].present == 0u)
            return HS_RULE_CALL_CHUNK_FRAGMENT_MISSING;
    }
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> !(ranged(k + j) && range_bad(k + j));
        loop assigns i;
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        if ((k[i].type == HttpDataChunkFromFileHandle || k[i].type == HttpDataChunkFromFragmentCacheEx) &&
            (k[i].start > k[i].len ||
             (k[i].length != HTTP_BYTE_RANGE_TO_EOF && k[i].length > k[i].len - k[i].start)))
            return HS_RULE_CALL_CHUNK_RANGE;
    }
    return HS_RULE_NONE;
}

/*@ requires \valid_read(c) && (c->response == \null || response_readable(c->response));
    terminates \true;
    assigns \nothing;
    ensures response_rule(c, \result);
*/
static enum hs_rule hs_check_response(const struct hs_call *c)
{
    const struct hs_response *r = c->response;
    if (r == NULL)
        return HS_RULE_SEND_RESPONSE_NULL;
    if ((c->flags & HTTP_SEND_RESPONSE_FLAG_OPAQUE) != 0u && r->status != 101u)
        return HS_RULE_SEND_FLAG_OPAQUE_101;
    if (r->status < 100u || r->status > 999u)
        return HS_RULE_SEND_STATUS_RANGE;
    if (r->trailer_count != 0u || r->trailers_set != 0u)
        return HS_RULE_SEND_TRAILERS_RESERVED;
    if (r->unknown_count > HS_MAX_UNKNOWN_HEADERS)
        return HS_RULE_SEND_UNKNOWN_HEADER_COUNT;
    if (r->chunk_count > HS_MAX_RESPONSE_CHUNKS)
        return HS_RULE_SEND_CHUNK_COUNT;
    if (hs_headers_null(r) || hs_chunks_null(r->chunks, r->chunk_count))
        return HS_RULE_CALL_POINTER_NULL;
    if (hs_headers_dirty(r))
        return HS_RULE_WIRE_FIELD_BYTES;
    return hs_check_chunks(r->chunks, r->chunk_count);
}

/*@ requires \valid_read(c);
    requires c->cache_policy == \null || \valid_read(c->cache_policy);
    requires c->log_data == \null || \valid_read(c->log_data);
    terminates \true;
    assigns \nothing;
    ensures policy_rule(c, \result);
*/
static enum hs_rule hs_check_policy(const struct hs_call *c)
{
    if (c->cache_policy != NULL && c->cache_policy->policy >= HttpCachePolicyMaximum)
        return HS_RULE_SEND_CACHE_POLICY_TYPE;
    if (c->log_data != NULL && c->log_data->type != HttpLogDataTypeFields)
        return HS_RULE_CALL_LOG_DATA_TYPE;
    return HS_RULE_NONE;
}

/*@ requires x == \null || \valid_read(x);
    terminates \true;
    assigns \nothing;
    ensures id_rule(x, \result);
*/
static enum hs_rule hs_check_id(const struct hs_exchange *x)
{
    if (x == NULL)
        return HS_RULE_CALL_ID_UNKNOWN;
    if (x->state == HS_ST_DONE)
        return HS_RULE_CALL_ID_FINISHED;
    if (x->state == HS_ST_GONE)
        return HS_RULE_CALL_CONN_GONE;
    return HS_RULE_NONE;
}

/* The checks of HttpSendHttpResponse in order; the first that fails decides. */
/*@ requires call_readable(c) && exchange_for(c, x);
    terminates \true;
    assigns \nothing;
    ensures send_rule(c, x, \result);
*/
static enum hs_rule hs_first_send_fault(const struct hs_call *c, const struct hs_exchange *x)
{
    enum hs_rule r = hs_check_common(c, HS_RULE_SEND_ID_NULL);
    if (r != HS_RULE_NONE)
        return r;
    r = hs_check_response(c);
    if (r != HS_RULE_NONE)
        return r;
    r = hs_check_policy(c);
    if (r != HS_RULE_NONE)
        return r;
    r = hs_check_id(x);
    if (r != HS_RULE_NONE)
        return r;
    if (x->state == HS_ST_STREAMING || x->state == HS_ST_OPAQUE)
        return HS_RULE_SEND_AFTER_HEAD;
    return HS_RULE_CALL_OK;
}

enum hs_rule hs_check_send_response(const struct hs_call *c, const struct hs_exchange *x)
{
    enum hs_rule r = hs_first_send_fault(c, x);
    //@ assert decided: send_rule(c, x, r);
    return r;
}

/* The checks of HttpSendResponseEntityBody in order. */
/*@ requires call_readable(c) && exchange_for(c, x);
    terminates \true;
    assigns \nothing;
    ensures body_rule(c, x, \result);
*/
static enum hs_rule hs_first_body_fault(const struct hs_call *c, const struct hs_exchange *x)
{
    enum hs_rule r = hs_check_common(c, HS_RULE_BODY_ID_NULL);
    if (r != HS_RULE_NONE)
        return r;
    if (c->chunk_count > HS_MAX_BODY_CHUNKS)
        return HS_RULE_BODY_CHUNK_COUNT;
    if (hs_chunks_null(c->chunks, c->chunk_count))
        return HS_RULE_CALL_POINTER_NULL;
    r = hs_check_chunks(c->chunks, c->chunk_count);
    if (r != HS_RULE_NONE)
        return r;
    if (c->log_data != NULL && c->log_data->type != HttpLogDataTypeFields)
        return HS_RULE_CALL_LOG_DATA_TYPE;
    r = hs_check_id(x);
    if (r != HS_RULE_NONE)
        return r;
    if (x->state == HS_ST_RECEIVED)
        return HS_RULE_BODY_BEFORE_HEAD;
    if ((c->flags & HTTP_SEND_RESPONSE_FLAG_OPAQUE) != 0u && x->state != HS_ST_OPAQUE)
        return HS_RULE_BODY_FLAG_OPAQUE_101;
    return HS_RULE_CALL_OK;
}

enum hs_rule hs_check_send_body(const struct hs_call *c, const struct hs_exchange *x)
{
    enum hs_rule r = hs_first_body_fault(c, x);
    //@ assert decided: body_rule(c, x, r);
    return r;
}

uint32_t hs_rule_error(enum hs_rule r)
{
    switch (r) {
    case HS_RULE_CALL_OK:
        return NO_ERROR;
    case HS_RULE_CALL_HANDLE_INVALID:
        return ERROR_INVALID_HANDLE;
    case HS_RULE_SEND_ID_NULL:
    case HS_RULE_BODY_ID_NULL:
    case HS_RULE_CALL_ID_UNKNOWN:
    case HS_RULE_CALL_ID_FINISHED:
    case HS_RULE_CALL_CONN_GONE:
        return ERROR_CONNECTION_INVALID;
    case HS_RULE_CALL_CHUNK_FRAGMENT_MISSING:
        return ERROR_PATH_NOT_FOUND;
    default:
        return ERROR_INVALID_PARAMETER;
    }
}

/* Lemma functions: the plans need less than acceptance, and acceptance gives
 * it. Proven here, once, instead of as global lemmas that every other goal
 * would have to carry. They generate no code. */
/*@ ghost
  /@ requires call_readable(c) && c->function == HS_FN_SEND_RESPONSE && exchange_for(c, x);
     requires send_rule(c, x, HS_RULE_CALL_OK);
     terminates \true;
     assigns \nothing;
     ensures plannable_response(c, x);
  @/
  void hs_lemma_accepted_response_is_plannable(const struct hs_call *c, const struct hs_exchange *x)
  {
  }
*/

/*@ ghost
  /@ requires call_readable(c) && c->function == HS_FN_SEND_BODY && exchange_for(c, x);
     requires body_rule(c, x, HS_RULE_CALL_OK);
     terminates \true;
     assigns \nothing;
     ensures plannable_body(c, x);
  @/
  void hs_lemma_accepted_body_is_plannable(const struct hs_call *c, const struct hs_exchange *x)
  {
  }
*/

/* Facts the rules promise, stated from the specification and proven from the
 * checks' definitions (send_rule, body_rule). Lemma functions, as above. */

/* SEND-FLAG-OPAQUE-101: a head that makes the connection opaque is a 101. */
/*@ ghost
  /@ requires call_readable(c) && c->function == HS_FN_SEND_RESPONSE && exchange_for(c, x);
     requires send_rule(c, x, HS_RULE_CALL_OK) && opaque(c);
     terminates \true;
     assigns \nothing;
     ensures c->response != \null && c->response->status == 101;
  @/
  void hs_fact_accepted_opaque_head_is_101(const struct hs_call *c, const struct hs_exchange *x)
  {
  }
*/

/* SEND-AFTER-HEAD, CALL-ID-FINISHED, CALL-CONN-GONE: a head is accepted only
 * for a live request whose head has not been sent, so once per request. */
/*@ ghost
  /@ requires call_readable(c) && c->function == HS_FN_SEND_RESPONSE && exchange_for(c, x);
     requires send_rule(c, x, HS_RULE_CALL_OK);
     terminates \true;
     assigns \nothing;
     ensures x != \null && x->state == HS_ST_RECEIVED;
  @/
  void hs_fact_one_head_per_request(const struct hs_call *c, const struct hs_exchange *x)
  {
  }
*/

/* BODY-BEFORE-HEAD, BODY-FLAG-OPAQUE-101: a body follows its head, and an
 * opaque body call only goes to an opaque connection. */
/*@ ghost
  /@ requires call_readable(c) && c->function == HS_FN_SEND_BODY && exchange_for(c, x);
     requires body_rule(c, x, HS_RULE_CALL_OK);
     terminates \true;
     assigns \nothing;
     ensures x != \null && (x->state == HS_ST_STREAMING || x->state == HS_ST_OPAQUE);
     ensures opaque(c) ==> x->state == HS_ST_OPAQUE;
  @/
  void hs_fact_body_follows_its_head(const struct hs_call *c, const struct hs_exchange *x)
  {
  }
*/
