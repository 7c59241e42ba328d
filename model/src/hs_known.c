/*
 * hs_known.c: the known header lines of a response head and its Server line
 * (WIRE-KNOWN-HEADER, WIRE-SERVER), in id order (contract of hs_put_known in
 * hs_head.h).
 */
#include "hs_known_lemmas.h"

/* Lemmas of the known lines' proofs (spec 7.3). */
/*@
    // One more slot: slots [0, i) in place and slot i in place make [0, i + 1).
    lemma known_extend{L1, L2}:
      \forall hs_byte *buf, struct hs_response *r, integer server, struct hs_config *cfg,
              integer at, integer i;
        0 <= i ==>
        known_lines{L1, L2}(buf, at, r, server, cfg, i) ==>
        known_slot_in{L1, L2}(buf, at, r, server, cfg, i) ==>
        known_lines{L1, L2}(buf, at, r, server, cfg, i + 1);

    // At L1, buf holds from at the line of known header h of id id, as it
    // was at L2.
    predicate known_line_at{L1, L2}(hs_byte *buf, integer at, struct hs_known_header *h, integer id) =
        \forall integer j; 0 <= j < \at(known_line_length(h, id), L2) ==>
            \at(buf[at + j], L1) == known_line_byte{L2}(h, id, j);

    // At L1, buf holds from at the Server line, as it was at L2.
    predicate server_line_at{L1, L2}(hs_byte *buf, integer at, struct hs_known_header *h,
                                     integer server, struct hs_config *cfg) =
        \forall integer j; 0 <= j < \at(server_line_length(h, server, cfg), L2) ==>
            \at(buf[at + j], L1) == server_line_byte{L2}(h, server, cfg, j);

    // At L1, the pieces of the line of known header h of id id, as it was at
    // L2: the name, ": ", the value, CRLF.
    predicate known_line_parts{L1, L2}(hs_byte *buf, integer at, struct hs_known_header *h, integer id) =
        \let nl = known_name_length(id); \let vl = \at(h->len, L2);
        known_name_at{L1}(buf, at, id) &&
        \at(buf[at + nl], L1) == ':' && \at(buf[at + nl + 1], L1) == ' ' &&
        (\forall integer j; 0 <= j < vl ==> \at(buf[at + nl + 2 + j], L1) == \at(h->value[j], L2)) &&
        \at(buf[at + nl + 2 + vl], L1) == '\r' && \at(buf[at + nl + 3 + vl], L1) == '\n';

    // The pieces make the line, byte for byte.
    lemma known_line_from_parts{L1, L2}:
      \forall hs_byte *buf, integer at, struct hs_known_header *h, integer id;
        \at(h->len, L2) != 0 ==>
        known_line_parts{L1, L2}(buf, at, h, id) ==>
        known_line_at{L1, L2}(buf, at, h, id);

    // At L1, the pieces of the Server line, as it was at L2: "Server: ", the
    // application's part, the space, the token part, CRLF.
    predicate server_line_parts{L1, L2}(hs_byte *buf, integer at, struct hs_known_header *h,
                                        integer server, struct hs_config *cfg) =
        \let a = \at(server_app_length(h, server), L2);
        \let s = server_space_length(server);
        \let t = \at(server_token_length(cfg, server), L2);
        (\forall integer j; 0 <= j < 8 ==> \at(buf[at + j], L1) == server_name_byte(j)) &&
        (\forall integer j; 0 <= j < a ==> \at(buf[at + 8 + j], L1) == \at(h->value[j], L2)) &&
        (s == 1 ==> \at(buf[at + 8 + a], L1) == ' ') &&
        (\forall integer j; 0 <= j < t ==> \at(buf[at + 8 + a + s + j], L1) == \at(cfg->token[j], L2)) &&
        \at(buf[at + 8 + a + s + t], L1) == '\r' && \at(buf[at + 9 + a + s + t], L1) == '\n';

    // The pieces make the line, byte for byte.
    lemma server_line_from_parts{L1, L2}:
      \forall hs_byte *buf, integer at, struct hs_known_header *h, integer server, struct hs_config *cfg;
        server != HS_SERVER_NONE ==>
        server_line_parts{L1, L2}(buf, at, h, server, cfg) ==>
        server_line_at{L1, L2}(buf, at, h, server, cfg);
*/

/* WIRE-SERVER, WIRE-SERVER-DISABLED: the Server line, if any. */
/*@ requires writer(buf, room);
    requires \valid_read(h) && span(h->value, h->len) && !null_span(h->value, h->len);
    requires apart(h->value, h->len, buf, room);
    requires \valid_read(cfg) && span(cfg->token, cfg->token_len) && !null_span(cfg->token, cfg->token_len);
    requires apart(cfg->token, cfg->token_len, buf, room);
    requires buf == \null || (\separated(h, buf + (0 .. room - 1)) && \separated(cfg, buf + (0 .. room - 1)));
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==> \result == need + server_line_length(h, server, cfg);
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures line: buf != \null && \result <= room ==> server_line_at{Post, Pre}(buf, need, h, server, cfg);
*/
static size_t hs_put_server(hs_byte *buf, size_t room, size_t need, const struct hs_known_header *h,
                            uint8_t server, const struct hs_config *cfg)
{
    /* A local copy: the proof then knows its bytes and that it is not buf. */
    const hs_byte name[8] = { 'S', 'e', 'r', 'v', 'e', 'r', ':', ' ' };
    if (server == HS_SERVER_NONE) {
        //@ assert appended{Pre, Here}(buf, room, need, need);
        //@ assert none: server_line_length(h, server, cfg) == 0 && server_line_at{Here, Pre}(buf, need, h, server, cfg);
        return need;
    }
    need = hs_put(buf, room, need, name, sizeof name);
App: __attribute__((unused));
    /*@ assert name: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Pre) + 8 &&
            \forall integer j; 0 <= j < 8 ==> buf[\at(need, Pre) + j] == server_name_byte(j); */
    //@ assert as_given: same_bytes{Here, Pre}(h->value, 0, h->len);
    //@ assert as_given_token: same_bytes{Here, Pre}(cfg->token, 0, cfg->token_len);
    if ((server == HS_SERVER_APP || server == HS_SERVER_APP_TOKEN) && h->len > 0u)
        need = hs_put(buf, room, need, h->value, h->len);
Space: __attribute__((unused));
    //@ assert grown_app: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    /*@ assert app: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, App) + server_app_length(h, server) &&
            \forall integer j; 0 <= j < server_app_length(h, server) ==>
                buf[\at(need, App) + j] == \at(h->value[j], Pre); */
    /*@ assert name_kept: buf != \null && need <= room && need < SIZE_MAX ==>
            \forall integer j; 0 <= j < 8 ==> buf[\at(need, Pre) + j] == server_name_byte(j); */
    if (server == HS_SERVER_APP_TOKEN)
        need = hs_put_byte(buf, room, need, ' ');
Token: __attribute__((unused));
    //@ assert grown_space: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    /*@ assert space: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Space) + server_space_length(server) &&
            (server == HS_SERVER_APP_TOKEN ==> buf[\at(need, Space)] == ' '); */
    /*@ assert below_space: buf != \null && need <= room && need < SIZE_MAX ==>
            \forall integer q; q < \at(need, Space) ==> buf[q] == \at(buf[q], Space); */
    //@ assert as_given_token2: same_bytes{Here, Pre}(cfg->token, 0, cfg->token_len);
    if ((server == HS_SERVER_TOKEN || server == HS_SERVER_APP_TOKEN) && cfg->token_len > 0u)
        need = hs_put(buf, room, need, cfg->token, cfg->token_len);
Crlf: __attribute__((unused));
    //@ assert grown_token: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    /*@ assert token: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Token) + server_token_length(cfg, server) &&
            \forall integer j; 0 <= j < server_token_length(cfg, server) ==>
                buf[\at(need, Token) + j] == \at(cfg->token[j], Pre); */
    /*@ assert below_token: buf != \null && need <= room && need < SIZE_MAX ==>
            \forall integer q; q < \at(need, Token) ==> buf[q] == \at(buf[q], Token); */
    need = hs_put_crlf(buf, room, need);
    //@ assert grown: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    /*@ assert below_crlf: buf != \null && need <= room ==>
            \forall integer q; q < \at(need, Crlf) ==> buf[q] == \at(buf[q], Crlf); */
    //@ assert end: buf != \null && need <= room ==> crlf(buf, \at(need, Crlf));
    /*@ assert at_name: buf != \null && need <= room ==>
            \forall integer j; 0 <= j < 8 ==> buf[\at(need, Pre) + j] == server_name_byte(j); */
    /*@ assert at_app: buf != \null && need <= room ==>
            \forall integer j; 0 <= j < server_app_length(h, server) ==>
                buf[\at(need, App) + j] == \at(h->value[j], Pre); */
    /*@ assert at_space: buf != \null && need <= room ==>
            (server == HS_SERVER_APP_TOKEN ==> buf[\at(need, Space)] == ' '); */
    /*@ assert at_token: buf != \null && need <= room ==>
            \forall integer j; 0 <= j < server_token_length(cfg, server) ==>
                buf[\at(need, Token) + j] == \at(cfg->token[j], Pre); */
    /*@ assert offsets: buf != \null && need <= room ==>
            \at(need, App) == \at(need, Pre) + 8 &&
            \at(need, Space) == \at(need, App) + server_app_length(h, server) &&
            \at(need, Token) == \at(need, Space) + server_space_length(server) &&
            \at(need, Crlf) == \at(need, Token) + server_token_length(cfg, server); */
    /*@ assert parts: buf != \null && need <= room ==>
            server_line_parts{Here, Pre}(buf, \at(need, Pre), h, server, cfg); */
    //@ assert line: buf != \null && need <= room ==> server_line_at{Here, Pre}(buf, \at(need, Pre), h, server, cfg);
    return need;
}

/* WIRE-KNOWN-HEADER, WIRE-KNOWN-EMPTY-OMITTED: the line of known header h
 * of id id, none when its value is empty. */
/*@ requires writer(buf, room);
    requires 0 <= id < HttpHeaderResponseMaximum;
    requires \valid_read(h) && span(h->value, h->len) && !null_span(h->value, h->len);
    requires apart(h->value, h->len, buf, room);
    requires buf == \null || \separated(h, buf + (0 .. room - 1));
    terminates \true;
    assigns buf[0 .. room - 1];
    ensures \result >= need;
    ensures exact: \result < SIZE_MAX ==> \result == need + known_line_length(h, id);
    ensures appended{Pre, Post}(buf, room, need, \result);
    ensures line: buf != \null && \result <= room ==> known_line_at{Post, Pre}(buf, need, h, id);
*/
static size_t hs_put_known_line(hs_byte *buf, size_t room, size_t need,
                                const struct hs_known_header *h, int id)
{
    if (h->len == 0u) {
        //@ assert omitted: known_line_length(h, id) == 0 && known_line_at{Here, Pre}(buf, need, h, id);
        return need;
    }
    need = hs_put_name(buf, room, need, id);
Colon: __attribute__((unused));
    /*@ assert name: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Pre) + known_name_length(id) && known_name_at(buf, \at(need, Pre), id); */
    //@ assert grown_name: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    need = hs_put_byte(buf, room, need, ':');
    need = hs_put_byte(buf, room, need, ' ');
    //@ assert grown_colon: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
Value: __attribute__((unused));
    /*@ assert colon: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Colon) + 2 && buf[\at(need, Colon)] == ':' && buf[\at(need, Colon) + 1] == ' '; */
    /*@ assert name_kept: buf != \null && need <= room && need < SIZE_MAX ==>
            known_name_at(buf, \at(need, Pre), id); */
    //@ assert as_given: same_bytes{Here, Pre}(h->value, 0, h->len);
    need = hs_put(buf, room, need, h->value, h->len);
Crlf: __attribute__((unused));
    /*@ assert value: buf != \null && need <= room && need < SIZE_MAX ==>
            need == \at(need, Value) + h->len &&
            \forall integer j; 0 <= j < h->len ==> buf[\at(need, Value) + j] == \at(h->value[j], Pre); */
    /*@ assert below_value: buf != \null && need <= room && need < SIZE_MAX ==>
            \forall integer q; q < \at(need, Value) ==> buf[q] == \at(buf[q], Value); */
    //@ assert grown_value: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    need = hs_put_crlf(buf, room, need);
    //@ assert grown: need >= \at(need, Pre) && appended{Pre, Here}(buf, room, \at(need, Pre), need);
    //@ assert end: buf != \null && need <= room ==> crlf(buf, \at(need, Crlf));
    /*@ assert at_value: buf != \null && need <= room ==>
            \forall integer j; 0 <= j < h->len ==> buf[\at(need, Value) + j] == \at(h->value[j], Pre); */
    /*@ assert at_colon: buf != \null && need <= room ==>
            buf[\at(need, Colon)] == ':' && buf[\at(need, Colon) + 1] == ' '; */
    //@ assert at_name: buf != \null && need <= room ==> known_name_at(buf, \at(need, Pre), id);
    /*@ assert offsets: buf != \null && need <= room ==>
            \at(need, Colon) == \at(need, Pre) + known_name_length(id) &&
            \at(need, Value) == \at(need, Pre) + known_name_length(id) + 2 &&
            \at(need, Crlf) == \at(need, Pre) + known_name_length(id) + 2 + h->len; */
    /*@ assert parts: buf != \null && need <= room ==>
            known_line_parts{Here, Pre}(buf, \at(need, Pre), h, id); */
    //@ assert line: buf != \null && need <= room ==> known_line_at{Here, Pre}(buf, \at(need, Pre), h, id);
    return need;
}

/* WIRE-KNOWN-HEADER in id order (WIRE-HEADER-ORDER); WIRE-KNOWN-EMPTY-OMITTED;
 * Date is replaced (WIRE-DATE); the Server slot follows the plan. */
size_t hs_put_known(hs_byte *buf, size_t room, size_t need, const struct hs_response *r,
                           uint8_t server, const struct hs_config *cfg)
{
    /*@ loop invariant 0 <= i <= HttpHeaderResponseMaximum;
        loop invariant need >= \at(need, Pre);
        loop invariant appended{Pre, Here}(buf, room, \at(need, Pre), need);
        loop invariant exact: need < SIZE_MAX ==>
            need == \at(need, Pre) + known_slots_length{Pre}(r, server, cfg, i);
        loop invariant ends: need < SIZE_MAX ==>
            known_ends_before{Pre}(r, server, cfg, i, need - \at(need, Pre));
        loop invariant lines: buf != \null && need <= room ==>
            known_lines{Here, Pre}(buf, \at(need, Pre), r, server, cfg, i);
        loop assigns i, need, buf[0 .. room - 1];
        loop variant HttpHeaderResponseMaximum - i;
    */
    for (int i = 0; i < HttpHeaderResponseMaximum; i++) {
    Slot: __attribute__((unused));
        //@ assert as_given: same_bytes{Here, Pre}(r->known[i].value, 0, r->known[i].len);
        //@ assert as_given_token: same_bytes{Here, Pre}(cfg->token, 0, cfg->token_len);
        if (i == HttpHeaderDate)
            continue;
        if (i == HttpHeaderServer)
            need = hs_put_server(buf, room, need, &r->known[i], server, cfg);
        else
            need = hs_put_known_line(buf, room, need, &r->known[i], i);
        /*@ assert written: buf != \null && need <= room ==>
                \forall integer j; 0 <= j < known_slot_length{Pre}(r, server, cfg, i) ==>
                    buf[\at(need, Slot) + j] == known_slot_byte{Pre}(r, server, cfg, i, j); */
        /*@ assert kept: buf != \null && need <= room ==>
                known_lines{Here, Pre}(buf, \at(need, Pre), r, server, cfg, i); */
        /*@ assert new_line: buf != \null && need <= room ==>
                known_slot_in{Here, Pre}(buf, \at(need, Pre), r, server, cfg, i); */
    }
    return need;
}
