/*
 * hs_line_facts.c: each line of a head, as bytes at their positions (spec
 * 7.4; contracts in hs_line_facts.h): a line of plain bytes ending in CRLF
 * keeps the head framed and starts a field only where it starts; the status
 * line and the lines of the tail are such lines. Ghost code and lemmas
 * only: this file generates no code.
 */
#include "hs_model.h"
#include "hs_line_facts.h"

/*@
    // A numeral's bytes are digits.
    lemma pow10_positive: \forall integer k; pow10(k) >= 1;
    lemma decimal_digit_plain:
      \forall integer v, i; 0 <= v ==> '0' <= decimal_digit(v, i) <= '9';
*/

/* The facts are proven by ghost code that walks the head line by line with
 * the lines' starts in C variables: a fact the contract states at an offset
 * from a line's start (b[at + j]) reaches a byte given by its position (b[i])
 * only through such a walk, since the provers cannot find j from i. */

/*@ ghost
  void hs_fact_line(const hs_byte *b, size_t at, size_t len, size_t from, long long d, long long s)
  {
    /@ loop invariant 0 <= j <= len;
       loop invariant \forall integer i; at <= i < at + j ==> framed_at(b, i) && !empty_line(b, i);
       loop invariant \forall integer i; at < i < at + j ==> !line_start(b, i);
       loop assigns j;
       loop variant len - j;
    @/
    for (size_t j = 0; j < len; j++) {
        /@ assert inside: j < len - 2 ==> plain(b[at + j]); @/
        /@ assert cr: j == len - 2 ==> b[at + j] == '\r' && b[at + j + 1] == '\n'; @/
        /@ assert lf: j == len - 1 ==> b[at + j - 1] == '\r' && b[at + j] == '\n'; @/
        /@ assert framed_at(b, at + j); @/
        /@ assert 0 < j ==> !line_start(b, at + j); @/
        /@ assert !empty_line(b, at + j); @/
    }
    /@ assert before: \forall integer i; 0 <= i < at ==> framed_at(b, i) && !empty_line(b, i); @/
    /@ assert all: \forall integer i; 0 <= i < at + len ==> framed_at(b, i) && !empty_line(b, i); @/
    /@ assert 2 <= at + len && crlf(b, at + len - 2); @/
  }
*/

/*@ ghost
  void hs_fact_empty_line(const hs_byte *b, size_t at, long long d, long long s)
  {
    /@ loop invariant 0 <= j <= 2;
       loop invariant \forall integer i; at <= i < at + j ==> framed_at(b, i);
       loop invariant \forall integer i; at < i < at + j ==> !line_start(b, i);
       loop assigns j;
       loop variant 2 - j;
    @/
    for (size_t j = 0; j < 2; j++) {
        /@ assert cr: j == 0 ==> b[at + j] == '\r' && b[at + j + 1] == '\n'; @/
        /@ assert lf: j == 1 ==> b[at + j - 1] == '\r' && b[at + j] == '\n'; @/
        /@ assert framed_at(b, at + j); @/
        /@ assert 0 < j ==> !line_start(b, at + j); @/
    }
    /@ assert b[at] == '\r'; @/
  }
*/

/*@ ghost
  /@ terminates \true;
     assigns \nothing;
     ensures \result == decimal_length(v);
  @/
  size_t hs_fact_decimal_length(uint64_t v)
  {
    if (v < 10ULL) return 1;
    if (v < 100ULL) return 2;
    if (v < 1000ULL) return 3;
    if (v < 10000ULL) return 4;
    if (v < 100000ULL) return 5;
    if (v < 1000000ULL) return 6;
    if (v < 10000000ULL) return 7;
    if (v < 100000000ULL) return 8;
    if (v < 1000000000ULL) return 9;
    if (v < 10000000000ULL) return 10;
    if (v < 100000000000ULL) return 11;
    if (v < 1000000000000ULL) return 12;
    if (v < 10000000000000ULL) return 13;
    if (v < 100000000000000ULL) return 14;
    if (v < 1000000000000000ULL) return 15;
    if (v < 10000000000000000ULL) return 16;
    if (v < 100000000000000000ULL) return 17;
    if (v < 1000000000000000000ULL) return 18;
    if (v < 10000000000000000000ULL) return 19;
    return 20;
  }
*/

/*@ ghost
  size_t hs_fact_status_line(const hs_byte *b, const struct hs_response *r)
  {
    /@ assert decimal_length(r->status) == 3; @/
    /@ loop invariant 0 <= j <= 3;
       loop invariant \forall integer i; 9 <= i < 9 + j ==> plain(b[i]);
       loop assigns j;
       loop variant 3 - j;
    @/
    for (size_t j = 0; j < 3; j++) {
        /@ assert b[9 + j] == decimal_digit(r->status, j); @/
        /@ assert plain(b[9 + j]); @/
    }
    /@ loop invariant 0 <= j <= r->reason_len;
       loop invariant \forall integer i; 13 <= i < 13 + j ==> plain(b[i]);
       loop assigns j;
       loop variant r->reason_len - j;
    @/
    for (size_t j = 0; j < r->reason_len; j++) {
        /@ assert b[13 + j] == r->reason[j]; @/
        /@ assert plain(b[13 + j]); @/
    }
    size_t sl = 15 + (size_t)r->reason_len;
    /@ assert prefix: \forall integer i; 0 <= i < 9 ==> plain(b[i]); @/
    /@ assert plain: \forall integer i; 0 <= i < sl - 2 ==> plain(b[i]); @/
    /@ assert crlf(b, sl - 2); @/
    hs_fact_line(b, 0, sl, 0, -1, -1);
    return sl;
  }
*/

/*@ ghost
  /@ requires date_line(b, at, date);
     requires \forall integer j; 0 <= j < HS_DATE_LEN ==> plain(date.text[j]);
     requires at <= 1099511627776;
     terminates \true;
     assigns \nothing;
     ensures \forall integer i; at <= i < at + date_line_length - 2 ==> plain(b[i]);
     ensures crlf(b, at + date_line_length - 2);
     ensures date_field_name(b[at], b[at + 1], b[at + 2], b[at + 3], b[at + 4]) && b[at] == 'D';
  @/
  void hs_fact_date_line(const hs_byte *b, size_t at, struct hs_date date)
  {
    /@ assert name_bytes: plain(b[at]) && plain(b[at + 1]) && plain(b[at + 2]) && plain(b[at + 3]) &&
                          plain(b[at + 4]) && plain(b[at + 5]); @/
    // One byte more at each step: the provers find the byte of a position
    // within a few bytes only.
    /@ assert \forall integer i; at <= i < at + 1 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 2 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 3 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 4 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 5 ==> plain(b[i]); @/
    /@ assert name: \forall integer i; at <= i < at + 6 ==> plain(b[i]); @/
    /@ loop invariant 0 <= j <= HS_DATE_LEN;
       loop invariant \forall integer i; at + 6 <= i < at + 6 + j ==> plain(b[i]);
       loop assigns j;
       loop variant HS_DATE_LEN - j;
    @/
    for (size_t j = 0; j < HS_DATE_LEN; j++) {
        /@ assert b[at + 6 + j] == date.text[j] && plain(date.text[j]); @/
        /@ assert plain(b[at + 6 + j]); @/
    }
  }
*/

/*@ ghost
  /@ requires close_line(b, at) && at <= 1099511627776;
     terminates \true;
     assigns \nothing;
     ensures \forall integer i; at <= i < at + close_line_length - 2 ==> plain(b[i]);
     ensures crlf(b, at + close_line_length - 2) && b[at] == 'C';
  @/
  void hs_fact_close_line(const hs_byte *b, size_t at)
  {
    // As in hs_fact_date_line: the range grows one byte a step.
    /@ assert plain(b[at]) && plain(b[at + 1]) && plain(b[at + 2]) && plain(b[at + 3]) &&
              plain(b[at + 4]) && plain(b[at + 5]) && plain(b[at + 6]) && plain(b[at + 7]) &&
              plain(b[at + 8]) && plain(b[at + 9]) && plain(b[at + 10]) && plain(b[at + 11]) &&
              plain(b[at + 12]) && plain(b[at + 13]) && plain(b[at + 14]) && plain(b[at + 15]) &&
              plain(b[at + 16]); @/
    /@ assert \forall integer i; at <= i < at + 1 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 2 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 3 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 4 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 5 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 6 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 7 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 8 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 9 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 10 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 11 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 12 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 13 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 14 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 15 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 16 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 17 ==> plain(b[i]); @/
  }
*/

/*@ ghost
  /@ requires length_line(b, at, v) && at <= 1099511627776 && n == decimal_length(v);
     terminates \true;
     assigns \nothing;
     ensures \forall integer i; at <= i < at + 16 + n ==> plain(b[i]);
     ensures crlf(b, at + 16 + n) && b[at] == 'C';
  @/
  void hs_fact_length_line(const hs_byte *b, size_t at, uint64_t v, size_t n)
  {
    // As in hs_fact_date_line: the range grows one byte a step.
    /@ assert plain(b[at]) && plain(b[at + 1]) && plain(b[at + 2]) && plain(b[at + 3]) &&
              plain(b[at + 4]) && plain(b[at + 5]) && plain(b[at + 6]) && plain(b[at + 7]) &&
              plain(b[at + 8]) && plain(b[at + 9]) && plain(b[at + 10]) && plain(b[at + 11]) &&
              plain(b[at + 12]) && plain(b[at + 13]) && plain(b[at + 14]) && plain(b[at + 15]); @/
    /@ assert \forall integer i; at <= i < at + 1 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 2 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 3 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 4 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 5 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 6 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 7 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 8 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 9 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 10 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 11 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 12 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 13 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 14 ==> plain(b[i]); @/
    /@ assert \forall integer i; at <= i < at + 15 ==> plain(b[i]); @/
    /@ assert name: \forall integer i; at <= i < at + 16 ==> plain(b[i]); @/
    /@ loop invariant 0 <= j <= n;
       loop invariant \forall integer i; at + 16 <= i < at + 16 + j ==> plain(b[i]);
       loop assigns j;
       loop variant n - j;
    @/
    for (size_t j = 0; j < n; j++) {
        /@ assert b[at + 16 + j] == decimal_digit(v, j); @/
        /@ assert plain(b[at + 16 + j]); @/
    }
  }
*/

/*@ ghost
  void hs_fact_tail(const hs_byte *b, size_t at, struct hs_plan p, struct hs_date date)
  {
    /@ assert lines: date_line(b, at, date) &&
                     (p.connection_close != 0 ==> close_line(b, at + date_line_length)) &&
                     (p.auto_length != 0 ==>
                        length_line(b, at + date_line_length + (p.connection_close != 0 ? close_line_length : 0),
                                    p.body_len)); @/
    hs_fact_date_line(b, at, date);
    /@ assert date_here: date_field(b, at); @/
    hs_fact_line(b, at, 37, at, (long long)at, -1);
    /@ assert date_done: lines_before(b, at + 37) && date_only_at(b, at, at + 37, at) &&
                         server_only_at(b, at, at + 37, -1); @/
    size_t c = at + 37;
    /@ assert lengths: date_line_length == 37 && close_line_length == 19; @/
    if (p.connection_close) {
        /@ assert close_line(b, at + 37); @/
        hs_fact_close_line(b, at + 37);
        hs_fact_line(b, at + 37, 19, at, (long long)at, -1);
        /@ assert close_done: lines_before(b, at + 56) && date_only_at(b, at, at + 56, at) &&
                              server_only_at(b, at, at + 56, -1); @/
        c = at + 56;
    }
    /@ assert c == at + date_line_length + (p.connection_close != 0 ? close_line_length : 0); @/
    /@ assert close_merged: lines_before(b, c) && date_only_at(b, at, c, at) && server_only_at(b, at, c, -1); @/
    if (p.auto_length) {
        size_t n = hs_fact_decimal_length(p.body_len);
        if (p.connection_close) {
            /@ assert length_line(b, at + 56, p.body_len); @/
            hs_fact_length_line(b, at + 56, p.body_len, n);
        } else {
            /@ assert length_line(b, at + 37, p.body_len); @/
            hs_fact_length_line(b, at + 37, p.body_len, n);
        }
        hs_fact_line(b, c, 18 + n, at, (long long)at, -1);
        /@ assert length_line_done: lines_before(b, c + 18 + n) && date_only_at(b, at, c + 18 + n, at) &&
                                    server_only_at(b, at, c + 18 + n, -1); @/
        c += 18 + n;
    }
    /@ assert end: c == at + tail_length(p.connection_close, p.auto_length, p.body_len) - 2; @/
    /@ assert length_done: lines_before(b, c) && date_only_at(b, at, c, at) && server_only_at(b, at, c, -1); @/
  }
*/
