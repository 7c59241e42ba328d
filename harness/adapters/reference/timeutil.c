/* timeutil.c: monotonic milliseconds and IMF-fixdate (RFC 9110 §5.6.7). */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "timeutil.h"

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ms_until(int64_t deadline)
{
    int64_t d = deadline - now_ms();
    if (d < 0)
        return 0;
    return d > INT_MAX ? INT_MAX : (int)d;
}

void imf_fixdate(hs_byte out[HS_DATE_LEN])
{
    static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    char tmp[128];
    struct tm tm;
    time_t t = time(NULL);
    int n;

    memset(&tm, 0, sizeof tm);
    gmtime_r(&t, &tm);
    /* Sun, 06 Nov 1994 08:49:37 GMT */
    n = snprintf(tmp, sizeof tmp, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                 days[(unsigned)tm.tm_wday % 7u], tm.tm_mday, months[(unsigned)tm.tm_mon % 12u],
                 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (n != (int)HS_DATE_LEN)          /* years past 9999: keep the shape */
        memcpy(tmp, "Thu, 01 Jan 1970 00:00:00 GMT", HS_DATE_LEN);
    memcpy(out, tmp, HS_DATE_LEN);
}
