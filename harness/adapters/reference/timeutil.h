/*
 * timeutil.h: the clocks the adapter needs: a monotonic clock for deadlines
 * and the IMF-fixdate of the current UTC time for Date lines.
 */
#ifndef TIMEUTIL_H
#define TIMEUTIL_H

#include <stdint.h>
#include "hs_types.h"

/* Milliseconds on a monotonic clock. */
int64_t now_ms(void);

/* Milliseconds from now until deadline, clamped to 0..INT_MAX. */
int ms_until(int64_t deadline);

/* Writes the IMF-fixdate of the current UTC time: HS_DATE_LEN bytes, no NUL. */
void imf_fixdate(hs_byte out[HS_DATE_LEN]);

#endif
