/*
 * hs_line_facts.h: the lines of a head as bytes at their positions (spec
 * 7.4): whole lines before a position, where a Date or Server field may
 * start, and the ghost functions of hs_line_facts.c that show it of each
 * line; hs_head_facts.c joins them into the facts of the whole head.
 */
#ifndef HS_LINE_FACTS_H
#define HS_LINE_FACTS_H

#include "hs_head_facts.h"

/*@
    // ---- Lines, by where they start -------------------------------------------

    // b[0 .. to) is whole lines: framed, none empty; it ends in CRLF.
    predicate lines_before{L}(hs_byte *b, integer to) =
        2 <= to && crlf(b, to - 2) &&
        \forall integer i; 0 <= i < to ==> framed_at(b, i) && !empty_line(b, i);

    // A Date field, or a Server field, in b[from .. to) starts only at at.
    predicate date_only_at{L}(hs_byte *b, integer from, integer to, integer at) =
        \forall integer i; from <= i < to && date_field(b, i) ==> i == at;
    predicate server_only_at{L}(hs_byte *b, integer from, integer to, integer at) =
        \forall integer i; from <= i < to && server_field(b, i) ==> i == at;
*/

/*@ ghost
  /@ requires 5 <= len && at + len <= SIZE_MAX;
     requires \forall integer i; at <= i < at + len - 2 ==> plain(b[i]);
     requires crlf(b, at + len - 2);
     requires at == 0 || lines_before(b, at);
     terminates \true;
     assigns \nothing;
     ensures lines: lines_before(b, at + len);
     ensures starts: \forall integer i; at < i < at + len ==> !line_start(b, i);
     // The line begins a Date or Server field at most where it starts.
     ensures dates: date_only_at(b, from, at, d) &&
       (date_field_name(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4]) ==> at == d) ==>
       date_only_at(b, from, at + len, d);
     ensures servers: server_only_at(b, from, at, s) &&
       (server_field_name(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4], b[at + 5], b[at + 6]) ==> at == s) ==>
       server_only_at(b, from, at + len, s);
  @/
  void hs_fact_line(const hs_byte *b, size_t at, size_t len, size_t from, long long d, long long s);
*/

/*@ ghost
  /@ requires crlf(b, at) && lines_before(b, at) && at + 2 <= SIZE_MAX;
     terminates \true;
     assigns \nothing;
     ensures framed: \forall integer i; 0 <= i < at + 2 ==> framed_at(b, i);
     ensures dates: date_only_at(b, 0, at, d) ==> date_only_at(b, 0, at + 2, d);
     ensures servers: server_only_at(b, 0, at, s) ==> server_only_at(b, 0, at + 2, s);
  @/
  void hs_fact_empty_line(const hs_byte *b, size_t at, long long d, long long s);
*/

/*@ ghost
  /@ requires status_line{Pre, Pre}(b, r) && \valid_read(r) && 100 <= r->status <= 999 &&
              !dirty_span(r->reason, r->reason_len);
     terminates \true;
     assigns \nothing;
     ensures \result == status_line_length(r) && \result <= 70000;
     ensures lines_before(b, \result) && date_only_at(b, 0, \result, -1) && server_only_at(b, 0, \result, -1);
  @/
  size_t hs_fact_status_line(const hs_byte *b, const struct hs_response *r);
*/

/*@ ghost
  /@ requires tail(b, at, p.connection_close, p.auto_length, p.body_len, date);
     requires \forall integer j; 0 <= j < HS_DATE_LEN ==> plain(date.text[j]);
     requires lines_before(b, at) && at <= 17179869184;
     terminates \true;
     assigns \nothing;
     ensures \let end = at + tail_length(p.connection_close, p.auto_length, p.body_len) - 2;
       at + 37 <= end && lines_before(b, end) && crlf(b, end) && date_field(b, at) &&
       date_only_at(b, at, end, at) && server_only_at(b, at, end, -1);
  @/
  void hs_fact_tail(const hs_byte *b, size_t at, struct hs_plan p, struct hs_date date);
*/

#endif
