/*
 * hs_render_accepted.h: the head of an accepted call, written by
 * hs_render_head, with the facts of hs_head_facts.h proven of the bytes it
 * wrote (spec 7.4). The host renders a response head through this function.
 */
#ifndef HS_RENDER_ACCEPTED_H
#define HS_RENDER_ACCEPTED_H

#include "hs_head_facts.h"

/*@ requires inputs: head_inputs(r, p, cfg, date);
    requires span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires buf != \null && \valid(buf + (0 .. cap - 1)) && cap < SIZE_MAX;
    requires response_apart(r, buf, cap) && apart(cfg->token, cfg->token_len, buf, cap) &&
             \separated(cfg, buf + (0 .. cap - 1));
    terminates \true;
    assigns buf[0 .. cap - 1];
    ensures length: \result < SIZE_MAX ==> \result == head_length(r, p, cfg);
    // The bytes hs_render_head wrote, read after the call.
    ensures head: \result <= cap ==> rendered_head(buf, \result, r, p, cfg, date);
    ensures framed: \result <= cap ==> framed(buf, \result);                 // WIRE-FIELD-BYTES
    ensures one_empty_line: \result <= cap ==> last_empty_line(buf, \result);
    ensures one_date: \result <= cap && !some_unknown_date(r) ==>          // WIRE-DATE
        one_date_field(buf, \result);
    ensures one_server: \result <= cap && p.server != HS_SERVER_NONE &&     // WIRE-SERVER
        !some_unknown_server(r) ==> one_server_field(buf, \result);
    ensures no_server: \result <= cap && p.server == HS_SERVER_NONE &&      // WIRE-SERVER-DISABLED
        !some_unknown_server(r) ==> no_server_field(buf, \result);
*/
size_t hs_render_accepted_head(const struct hs_response *r, struct hs_plan p, const struct hs_config *cfg,
                               struct hs_date date, hs_byte *buf, size_t cap);

#endif
