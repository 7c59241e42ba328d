/*
 * response_info.c: header lines of HttpResponseInfoTypeMultipleKnownHeaders
 * entries (see response_info.h).
 *
 * Implementation-defined, where the spec leaves it open: each value is its
 * own line, in the given order whatever the flags say, after every other
 * header line of the head.
 */
#include <string.h>
#include "response_info.h"

/* The names of known response headers 0..29 (spec chapter 1.4). */
static const char *const names[HttpHeaderResponseMaximum] = { HS_KNOWN_HEADER_NAMES };

static size_t put(hs_byte *buf, size_t at, const void *p, size_t n)
{
    if (buf != NULL && n > 0)
        memcpy(buf + at, p, n);
    return at + n;
}

size_t info_render(const struct ctl_multi_known *m, size_t n, hs_byte *buf)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = m[i].id < HttpHeaderResponseMaximum ? names[m[i].id] : NULL;
        if (name == NULL)
            continue;                   /* not taken by the parser; never here */
        for (uint16_t j = 0; j < m[i].count; j++) {
            at = put(buf, at, name, strlen(name));
            at = put(buf, at, ": ", 2);
            at = put(buf, at, m[i].values[j].value, m[i].values[j].len);
            at = put(buf, at, "\r\n", 2);
        }
    }
    return at;
}

size_t info_insert(const struct ctl_multi_known *m, size_t n, hs_byte *buf, size_t head_len,
                   size_t extra)
{
    size_t end;
    if (extra == 0 || head_len < 4 || memcmp(buf + head_len - 4, "\r\n\r\n", 4) != 0)
        return head_len;                /* no complete head to extend */
    end = head_len - 2;                 /* the empty line's CRLF follows the lines */
    memmove(buf + end + extra, buf + end, 2);
    info_render(m, n, buf + end);
    return head_len + extra;
}
