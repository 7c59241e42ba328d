/*
 * hs_flag_lemmas.h: the flags with no effect. The model reads a call's Flags
 * only through the four tests of hs_logic.h (HS_FLAG_DISCONNECT and its
 * siblings, named by the predicates disconnect, more_data, opaque and
 * unknown_flags), so a flag that changes none of them changes no result,
 * plan or byte any contract states. Each lemma says that of one flag, set on
 * top of any other flags; the lemma is the rule's contract (spec 7.1).
 * Proven in the run of hs_check.c, which includes this header.
 */
#ifndef HS_FLAG_LEMMAS_H
#define HS_FLAG_LEMMAS_H

#include "hs_logic.h"

/*@
  lemma buffer_data_no_effect:     // FLAG-BUFFER-DATA
      \forall integer f; HS_FLAGS_ALIKE(f | HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA, f);
  lemma enable_nagling_no_effect:  // FLAG-ENABLE-NAGLING
      \forall integer f; HS_FLAGS_ALIKE(f | HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING, f);
  lemma process_ranges_no_effect:  // FLAG-PROCESS-RANGES
      \forall integer f; HS_FLAGS_ALIKE(f | HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES, f);
  lemma goaway_no_effect:          // FLAG-GOAWAY
      \forall integer f; HS_FLAGS_ALIKE(f | HTTP_SEND_RESPONSE_FLAG_GOAWAY, f);
*/

#endif
