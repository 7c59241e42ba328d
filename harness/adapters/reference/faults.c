/* faults.c: the faulty behaviours of --fault (see faults.h). */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include "faults.h"
#include "http_conn.h"

enum fault fault_mode = FAULT_NONE;

int fault_set(const char *name)
{
    static const char *const names[] = {
        "none", "wrong-code", "drop-date", "extra-byte", "hang", "crash", "garbage", "endless", "keep-open",
        "truncate", "short-completion", "ignore-unknown-flags"
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(name, names[i]) == 0) {
            fault_mode = (enum fault)i;
            return 0;
        }
    }
    return -1;
}

uint32_t fault_rc(uint32_t rc)
{
    if (fault_mode != FAULT_WRONG_CODE || rc == 0u)
        return rc;
    return rc == 87u ? 1229u : 87u;
}

/* Removes the generated "Date: <date>\r\n" line: the last one in the head. */
static size_t drop_date(hs_byte *buf, size_t n, size_t head_len, const hs_byte *date)
{
    hs_byte line[6 + HS_DATE_LEN + 2];
    size_t ll = sizeof line;
    memcpy(line, "Date: ", 6);
    memcpy(line + 6, date, HS_DATE_LEN);
    memcpy(line + 6 + HS_DATE_LEN, "\r\n", 2);
    for (size_t i = head_len >= ll ? head_len - ll + 1 : 0; i-- > 0;) {
        if (memcmp(buf + i, line, ll) == 0 && i >= 2 && buf[i - 1] == '\n') {
            memmove(buf + i, buf + i + ll, n - i - ll);
            return n - ll;
        }
    }
    return n;
}

size_t fault_bytes(hs_byte *buf, size_t n, size_t head_len, const hs_byte *date, int completes)
{
    static unsigned seed = 0x9e3779b9u;
    switch (fault_mode) {
    case FAULT_DROP_DATE:
        return head_len > 0 ? drop_date(buf, n, head_len, date) : n;
    case FAULT_EXTRA_BYTE:
        if (completes)
            buf[n++] = 'X';
        return n;
    case FAULT_GARBAGE:
        for (size_t i = 0; i < 64; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (hs_byte)(seed >> 16);
        }
        return 64;
    case FAULT_TRUNCATE:        /* CALL-SYSTEM-ERROR, as Wine 8.0 does it */
        return n - head_len > FAULT_TRUNCATE_AT ? head_len + FAULT_TRUNCATE_AT : n;
    default:
        return n;
    }
}

uint64_t fault_endless(struct conn *c, int watch_fd)
{
    hs_byte block[4096];
    uint64_t total = 0;
    memset(block, 'x', sizeof block);
    for (;;) {
        struct pollfd q;
        size_t w = 0;
        int rc = net_send(c, block, sizeof block, 200, &w);
        total += w;
        if (rc != 0 && net_peer_gone(c))
            return total;
        q.fd = watch_fd;
        q.events = POLLIN;
        q.revents = 0;
        if (watch_fd >= 0 && poll(&q, 1, 0) > 0)
            return total;     /* the harness gave up */
    }
}
