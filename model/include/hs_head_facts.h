/*
 * hs_head_facts.h: words for what a response head is, taken from the RFCs
 * and not from the renderer: bytes that may stand inside a line (no NUL, CR
 * or LF: RFC 9110 section 5.5, RFC 9112 section 2.2) and the field names
 * Date and Server, in any case (RFC 9110 section 5.1).
 * model/src/hs_head_facts.c states with them what each header line of a
 * rendered head is (spec 7.4).
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
*/

#endif
