/*
 * hs_model.h: the reference model of HttpSendHttpResponse and
 * HttpSendResponseEntityBody, with its contracts.
 *
 * A host (an adapter, a test) answers one call in four steps:
 *   1. check:  hs_check_send_response / hs_check_send_body -> the deciding rule;
 *              hs_rule_error gives the Win32 code. Anything but HS_RULE_CALL_OK
 *              means nothing is sent and the exchange does not change.
 *   2. plan:   hs_plan_response / hs_plan_body -> what the call does;
 *   3. render: hs_render_head (heads only) and hs_render_body -> the bytes;
 *   4. commit: hs_commit -> the exchange's next state;
 *   5. report: hs_call_counts -> the byte counts the call returns.
 * Behaviour names read as the outcome; the comments give the spec rule ids.
 */
#ifndef HS_MODEL_H
#define HS_MODEL_H

#include "hs_types.h"
#include "hs_logic.h"

/*@ requires valid_call: call_readable(c) && c->function == HS_FN_SEND_RESPONSE;
    requires known_id: exchange_for(c, x);
    terminates \true;
    assigns \nothing;
    ensures decided: send_rule(c, x, \result);

    behavior handle_invalid:        // CALL-HANDLE-INVALID
      assumes send_rule(c, x, HS_RULE_CALL_HANDLE_INVALID);
      ensures \result == HS_RULE_CALL_HANDLE_INVALID;
    behavior null_request_id:       // SEND-ID-NULL
      assumes send_rule(c, x, HS_RULE_SEND_ID_NULL);
      ensures \result == HS_RULE_SEND_ID_NULL;
    behavior reserved1_set:         // CALL-RESERVED1
      assumes send_rule(c, x, HS_RULE_CALL_RESERVED1);
      ensures \result == HS_RULE_CALL_RESERVED1;
    behavior reserved2_set:         // CALL-RESERVED2
      assumes send_rule(c, x, HS_RULE_CALL_RESERVED2);
      ensures \result == HS_RULE_CALL_RESERVED2;
    behavior unknown_flag:          // CALL-FLAG-UNKNOWN
      assumes send_rule(c, x, HS_RULE_CALL_FLAG_UNKNOWN);
      ensures \result == HS_RULE_CALL_FLAG_UNKNOWN;
    behavior disconnect_with_more_data:  // CALL-FLAG-DISCONNECT-MORE-DATA
      assumes send_rule(c, x, HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA);
      ensures \result == HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA;
    behavior no_response:           // SEND-RESPONSE-NULL
      assumes send_rule(c, x, HS_RULE_SEND_RESPONSE_NULL);
      ensures \result == HS_RULE_SEND_RESPONSE_NULL;
    behavior opaque_without_101:    // SEND-FLAG-OPAQUE-101
      assumes send_rule(c, x, HS_RULE_SEND_FLAG_OPAQUE_101);
      ensures \result == HS_RULE_SEND_FLAG_OPAQUE_101;
    behavior status_out_of_range:   // SEND-STATUS-RANGE
      assumes send_rule(c, x, HS_RULE_SEND_STATUS_RANGE);
      ensures \result == HS_RULE_SEND_STATUS_RANGE;
    behavior trailers_given:        // SEND-TRAILERS-RESERVED
      assumes send_rule(c, x, HS_RULE_SEND_TRAILERS_RESERVED);
      ensures \result == HS_RULE_SEND_TRAILERS_RESERVED;
    behavior too_many_unknown_headers:  // SEND-UNKNOWN-HEADER-COUNT
      assumes send_rule(c, x, HS_RULE_SEND_UNKNOWN_HEADER_COUNT);
      ensures \result == HS_RULE_SEND_UNKNOWN_HEADER_COUNT;
    behavior too_many_chunks:       // SEND-CHUNK-COUNT
      assumes send_rule(c, x, HS_RULE_SEND_CHUNK_COUNT);
      ensures \result == HS_RULE_SEND_CHUNK_COUNT;
    behavior length_without_pointer:  // CALL-POINTER-NULL
      assumes send_rule(c, x, HS_RULE_CALL_POINTER_NULL);
      ensures \result == HS_RULE_CALL_POINTER_NULL;
    behavior forbidden_field_bytes: // WIRE-FIELD-BYTES
      assumes send_rule(c, x, HS_RULE_WIRE_FIELD_BYTES);
      ensures \result == HS_RULE_WIRE_FIELD_BYTES;
    behavior bad_chunk_type:        // CALL-CHUNK-TYPE
      assumes send_rule(c, x, HS_RULE_CALL_CHUNK_TYPE);
      ensures \result == HS_RULE_CALL_CHUNK_TYPE;
    behavior fragment_name_too_long:  // CALL-CHUNK-FRAGMENT-NAME
      assumes send_rule(c, x, HS_RULE_CALL_CHUNK_FRAGMENT_NAME);
      ensures \result == HS_RULE_CALL_CHUNK_FRAGMENT_NAME;
    behavior fragment_missing:      // CALL-CHUNK-FRAGMENT-MISSING
      assumes send_rule(c, x, HS_RULE_CALL_CHUNK_FRAGMENT_MISSING);
      ensures \result == HS_RULE_CALL_CHUNK_FRAGMENT_MISSING;
    behavior range_outside:         // CALL-CHUNK-RANGE
      assumes send_rule(c, x, HS_RULE_CALL_CHUNK_RANGE);
      ensures \result == HS_RULE_CALL_CHUNK_RANGE;
    behavior bad_cache_policy:      // SEND-CACHE-POLICY-TYPE
      assumes send_rule(c, x, HS_RULE_SEND_CACHE_POLICY_TYPE);
      ensures \result == HS_RULE_SEND_CACHE_POLICY_TYPE;
    behavior bad_log_data:          // CALL-LOG-DATA-TYPE
      assumes send_rule(c, x, HS_RULE_CALL_LOG_DATA_TYPE);
      ensures \result == HS_RULE_CALL_LOG_DATA_TYPE;
    behavior unknown_id:            // CALL-ID-UNKNOWN
      assumes send_rule(c, x, HS_RULE_CALL_ID_UNKNOWN);
      ensures \result == HS_RULE_CALL_ID_UNKNOWN;
    behavior finished_id:           // CALL-ID-FINISHED
      assumes send_rule(c, x, HS_RULE_CALL_ID_FINISHED);
      ensures \result == HS_RULE_CALL_ID_FINISHED;
    behavior client_gone:           // CALL-CONN-GONE
      assumes send_rule(c, x, HS_RULE_CALL_CONN_GONE);
      ensures \result == HS_RULE_CALL_CONN_GONE;
    behavior head_already_sent:     // SEND-AFTER-HEAD
      assumes send_rule(c, x, HS_RULE_SEND_AFTER_HEAD);
      ensures \result == HS_RULE_SEND_AFTER_HEAD;
    behavior accepted:              // CALL-OK
      assumes send_rule(c, x, HS_RULE_CALL_OK);
      ensures \result == HS_RULE_CALL_OK;

    complete behaviors;
    disjoint behaviors;
*/
enum hs_rule hs_check_send_response(const struct hs_call *c, const struct hs_exchange *x);

/*@ requires valid_call: call_readable(c) && c->function == HS_FN_SEND_BODY;
    requires known_id: exchange_for(c, x);
    terminates \true;
    assigns \nothing;
    ensures decided: body_rule(c, x, \result);

    behavior handle_invalid:        // CALL-HANDLE-INVALID
      assumes body_rule(c, x, HS_RULE_CALL_HANDLE_INVALID);
      ensures \result == HS_RULE_CALL_HANDLE_INVALID;
    behavior null_request_id:       // BODY-ID-NULL
      assumes body_rule(c, x, HS_RULE_BODY_ID_NULL);
      ensures \result == HS_RULE_BODY_ID_NULL;
    behavior reserved1_set:         // CALL-RESERVED1
      assumes body_rule(c, x, HS_RULE_CALL_RESERVED1);
      ensures \result == HS_RULE_CALL_RESERVED1;
    behavior reserved2_set:         // CALL-RESERVED2
      assumes body_rule(c, x, HS_RULE_CALL_RESERVED2);
      ensures \result == HS_RULE_CALL_RESERVED2;
    behavior unknown_flag:          // CALL-FLAG-UNKNOWN
      assumes body_rule(c, x, HS_RULE_CALL_FLAG_UNKNOWN);
      ensures \result == HS_RULE_CALL_FLAG_UNKNOWN;
    behavior disconnect_with_more_data:  // CALL-FLAG-DISCONNECT-MORE-DATA
      assumes body_rule(c, x, HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA);
      ensures \result == HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA;
    behavior too_many_chunks:       // BODY-CHUNK-COUNT
      assumes body_rule(c, x, HS_RULE_BODY_CHUNK_COUNT);
      ensures \result == HS_RULE_BODY_CHUNK_COUNT;
    behavior length_without_pointer:  // CALL-POINTER-NULL
      assumes body_rule(c, x, HS_RULE_CALL_POINTER_NULL);
      ensures \result == HS_RULE_CALL_POINTER_NULL;
    behavior bad_chunk_type:        // CALL-CHUNK-TYPE
      assumes body_rule(c, x, HS_RULE_CALL_CHUNK_TYPE);
      ensures \result == HS_RULE_CALL_CHUNK_TYPE;
    behavior fragment_name_too_long:  // CALL-CHUNK-FRAGMENT-NAME
      assumes body_rule(c, x, HS_RULE_CALL_CHUNK_FRAGMENT_NAME);
      ensures \result == HS_RULE_CALL_CHUNK_FRAGMENT_NAME;
    behavior fragment_missing:      // CALL-CHUNK-FRAGMENT-MISSING
      assumes body_rule(c, x, HS_RULE_CALL_CHUNK_FRAGMENT_MISSING);
      ensures \result == HS_RULE_CALL_CHUNK_FRAGMENT_MISSING;
    behavior range_outside:         // CALL-CHUNK-RANGE
      assumes body_rule(c, x, HS_RULE_CALL_CHUNK_RANGE);
      ensures \result == HS_RULE_CALL_CHUNK_RANGE;
    behavior bad_log_data:          // CALL-LOG-DATA-TYPE
      assumes body_rule(c, x, HS_RULE_CALL_LOG_DATA_TYPE);
      ensures \result == HS_RULE_CALL_LOG_DATA_TYPE;
    behavior unknown_id:            // CALL-ID-UNKNOWN
      assumes body_rule(c, x, HS_RULE_CALL_ID_UNKNOWN);
      ensures \result == HS_RULE_CALL_ID_UNKNOWN;
    behavior finished_id:           // CALL-ID-FINISHED
      assumes body_rule(c, x, HS_RULE_CALL_ID_FINISHED);
      ensures \result == HS_RULE_CALL_ID_FINISHED;
    behavior client_gone:           // CALL-CONN-GONE
      assumes body_rule(c, x, HS_RULE_CALL_CONN_GONE);
      ensures \result == HS_RULE_CALL_CONN_GONE;
    behavior no_head_yet:           // BODY-BEFORE-HEAD
      assumes body_rule(c, x, HS_RULE_BODY_BEFORE_HEAD);
      ensures \result == HS_RULE_BODY_BEFORE_HEAD;
    behavior opaque_without_101:    // BODY-FLAG-OPAQUE-101
      assumes body_rule(c, x, HS_RULE_BODY_FLAG_OPAQUE_101);
      ensures \result == HS_RULE_BODY_FLAG_OPAQUE_101;
    behavior accepted:              // CALL-OK
      assumes body_rule(c, x, HS_RULE_CALL_OK);
      ensures \result == HS_RULE_CALL_OK;

    complete behaviors;
    disjoint behaviors;
*/
enum hs_rule hs_check_send_body(const struct hs_call *c, const struct hs_exchange *x);

/*@ terminates \true;
    assigns \nothing;
    ensures \result == rule_error(r);

    behavior success:               // CALL-OK
      assumes r == HS_RULE_CALL_OK;
      ensures \result == NO_ERROR;
    behavior invalid_handle:        // CALL-HANDLE-INVALID
      assumes r == HS_RULE_CALL_HANDLE_INVALID;
      ensures \result == ERROR_INVALID_HANDLE;
    behavior connection_invalid:    // SEND-ID-NULL, BODY-ID-NULL, CALL-ID-UNKNOWN, CALL-ID-FINISHED, CALL-CONN-GONE
      assumes r == HS_RULE_SEND_ID_NULL || r == HS_RULE_BODY_ID_NULL ||
              r == HS_RULE_CALL_ID_UNKNOWN || r == HS_RULE_CALL_ID_FINISHED ||
              r == HS_RULE_CALL_CONN_GONE;
      ensures \result == ERROR_CONNECTION_INVALID;
    behavior path_not_found:        // CALL-CHUNK-FRAGMENT-MISSING
      assumes r == HS_RULE_CALL_CHUNK_FRAGMENT_MISSING;
      ensures \result == ERROR_PATH_NOT_FOUND;
    behavior invalid_parameter:     // every other rejection
      assumes r != HS_RULE_CALL_OK && r != HS_RULE_CALL_HANDLE_INVALID &&
              r != HS_RULE_SEND_ID_NULL && r != HS_RULE_BODY_ID_NULL &&
              r != HS_RULE_CALL_ID_UNKNOWN && r != HS_RULE_CALL_ID_FINISHED &&
              r != HS_RULE_CALL_CONN_GONE && r != HS_RULE_CALL_CHUNK_FRAGMENT_MISSING;
      ensures \result == ERROR_INVALID_PARAMETER;

    complete behaviors;
    disjoint behaviors;
*/
uint32_t hs_rule_error(enum hs_rule r);

/*@ requires valid_call: call_readable(c) && c->function == HS_FN_SEND_RESPONSE;
    requires accepted: exchange_for(c, x) && plannable_response(c, x);  // implied by send_rule(c, x, HS_RULE_CALL_OK)
    requires \valid_read(cfg) && cfg->server_mode <= HS_SERVER_MODE_NO_TOKEN;
    terminates \true;
    assigns \nothing;
    ensures body: \result.body_len == chunks_total(c->response->chunks, c->response->chunk_count);

    behavior automatic_length:      // WIRE-CL-AUTO
      assumes auto_length(c, x);
      ensures \result.auto_length == 1;
    behavior no_automatic_length:   // WIRE-CL-NONE-*, WIRE-CL-APP
      assumes !auto_length(c, x);
      ensures \result.auto_length == 0;

    behavior server_token_only:     // WIRE-SERVER
      assumes cfg->server_mode != HS_SERVER_MODE_NO_TOKEN && !app_has(c->response, HttpHeaderServer);
      ensures \result.server == HS_SERVER_TOKEN;
    behavior server_app_and_token:  // WIRE-SERVER
      assumes cfg->server_mode != HS_SERVER_MODE_NO_TOKEN && app_has(c->response, HttpHeaderServer);
      ensures \result.server == HS_SERVER_APP_TOKEN;
    behavior server_app_only:       // WIRE-SERVER-DISABLED
      assumes cfg->server_mode == HS_SERVER_MODE_NO_TOKEN && app_has(c->response, HttpHeaderServer);
      ensures \result.server == HS_SERVER_APP;
    behavior server_none:           // WIRE-SERVER-DISABLED
      assumes cfg->server_mode == HS_SERVER_MODE_NO_TOKEN && !app_has(c->response, HttpHeaderServer);
      ensures \result.server == HS_SERVER_NONE;

    behavior generated_close:       // WIRE-CONNECTION-CLOSE, WIRE-CONNECTION-CLOSE-OTHER
      assumes close_line(c, x);
      ensures \result.connection_close == 1;
    behavior no_generated_close:    // WIRE-NOTHING-ELSE
      assumes !close_line(c, x);
      ensures \result.connection_close == 0;

    behavior will_close:            // CONN-HTTP10-CLOSE, CONN-REQUEST-CLOSE, CONN-APP-CLOSE, CONN-DISCONNECT, CONN-OPAQUE
      assumes closes_at_head(c, x);
      ensures \result.close_after == 1;
    behavior stays_open:            // CONN-PERSISTENT
      assumes !closes_at_head(c, x);
      ensures \result.close_after == 0;

    behavior streams:               // CONN-MORE-DATA
      assumes more_data(c) && !opaque(c);
      ensures \result.next_state == HS_ST_STREAMING;
    behavior goes_opaque:           // CONN-OPAQUE
      assumes more_data(c) && opaque(c);
      ensures \result.next_state == HS_ST_OPAQUE;
    behavior completes:             // CONN-ID-DIES
      assumes !more_data(c);
      ensures \result.next_state == HS_ST_DONE;

    complete behaviors automatic_length, no_automatic_length;
    disjoint behaviors automatic_length, no_automatic_length;
    complete behaviors server_token_only, server_app_and_token, server_app_only, server_none;
    disjoint behaviors server_token_only, server_app_and_token, server_app_only, server_none;
    complete behaviors generated_close, no_generated_close;
    disjoint behaviors generated_close, no_generated_close;
    complete behaviors will_close, stays_open;
    disjoint behaviors will_close, stays_open;
    complete behaviors streams, goes_opaque, completes;
    disjoint behaviors streams, goes_opaque, completes;
*/
struct hs_plan hs_plan_response(const struct hs_call *c, const struct hs_exchange *x,
                                const struct hs_config *cfg);

/*@ requires valid_call: call_readable(c) && c->function == HS_FN_SEND_BODY;
    requires accepted: exchange_for(c, x) && plannable_body(c, x);  // implied by body_rule(c, x, HS_RULE_CALL_OK)
    terminates \true;
    assigns \nothing;
    ensures body: \result.body_len == chunks_total(c->chunks, c->chunk_count);  // WIRE-BODY
    ensures no_head: \result.server == HS_SERVER_NONE && \result.connection_close == 0 &&
                     \result.auto_length == 0;

    behavior will_close:            // CONN-DISCONNECT (and what the head decided)
      assumes x->close_after != 0 || disconnect(c);
      ensures \result.close_after == 1;
    behavior stays_open:            // CONN-PERSISTENT
      assumes x->close_after == 0 && !disconnect(c);
      ensures \result.close_after == 0;

    behavior continues:             // CONN-MORE-DATA, CONN-OPAQUE
      assumes more_data(c);
      ensures \result.next_state == x->state;
    behavior completes:             // CONN-ID-DIES
      assumes !more_data(c);
      ensures \result.next_state == HS_ST_DONE;

    complete behaviors will_close, stays_open;
    disjoint behaviors will_close, stays_open;
    complete behaviors continues, completes;
    disjoint behaviors continues, completes;
*/
struct hs_plan hs_plan_body(const struct hs_call *c, const struct hs_exchange *x);

/*@ requires \valid(x) && HS_ST_RECEIVED <= p.next_state <= HS_ST_DONE;
    requires room: x->wire_bytes <= 0xFFFFFFFFFFFFFFFF - wire;
    terminates \true;
    assigns x->state, x->close_after, x->wire_bytes;
    ensures \result == x->state && x->state == p.next_state;
    ensures counted: x->wire_bytes == \old(x->wire_bytes) + wire;   // CONN-BYTES-SENT
    ensures x->close_after == p.close_after;

    behavior completes:             // CONN-ID-DIES
      assumes p.next_state == HS_ST_DONE;
      ensures \result == HS_ST_DONE;
    behavior continues:             // CONN-MORE-DATA, CONN-OPAQUE
      assumes p.next_state != HS_ST_DONE;
      ensures \result != HS_ST_DONE;

    complete behaviors;
    disjoint behaviors;
*/
uint8_t hs_commit(struct hs_exchange *x, struct hs_plan p, uint64_t wire);

/* wire: the bytes the call put on the wire (the head included for a head call);
 * p: the call's plan, whose body_len counts its entity bytes. */
/*@ requires fn == HS_FN_SEND_RESPONSE || fn == HS_FN_SEND_BODY;
    terminates \true;
    assigns \nothing;
    ensures completion_counts_the_wire: \result.completion == wire;   // CONN-ASYNC-RESULT, CONN-BYTES-SENT

    behavior head_call_counts_every_byte:  // CONN-BYTES-SENT-HEAD (the reference's choice)
      assumes fn == HS_FN_SEND_RESPONSE;
      ensures \result.bytes_sent == wire;
    behavior body_call_counts_entity_bytes:  // CONN-BYTES-SENT
      assumes fn == HS_FN_SEND_BODY;
      ensures \result.bytes_sent == p.body_len;
      ensures agree: wire == p.body_len ==> \result.bytes_sent == \result.completion;

    complete behaviors;
    disjoint behaviors;
*/
struct hs_counts hs_call_counts(uint8_t fn, struct hs_plan p, uint64_t wire);

#endif
