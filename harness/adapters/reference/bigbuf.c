/*
 * bigbuf.c: large buffers kept for reuse (see bigbuf.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include "bigbuf.h"

/* Each block starts with its capacity; the caller's bytes follow, aligned as malloc's. */
union big_head {
    size_t cap;
    long double align_ld;
    void *align_p;
};

static union big_head *kept[BIG_KEEP];
static size_t kept_bytes;

void *big_alloc(size_t n)
{
    int best = -1;
    union big_head *h;
    for (int i = 0; i < BIG_KEEP && n >= BIG_MIN; i++) {
        if (kept[i] != NULL && kept[i]->cap >= n && (best < 0 || kept[i]->cap < kept[best]->cap))
            best = i;
    }
    if (best >= 0) {
        h = kept[best];
        kept[best] = NULL;
        kept_bytes -= h->cap;
        return h + 1;
    }
    if (n > SIZE_MAX - sizeof *h)
        return NULL;
    h = malloc(sizeof *h + n);
    if (h == NULL)
        return NULL;
    h->cap = n;
    return h + 1;
}

void big_free(void *p)
{
    union big_head *h;
    int slot = -1;
    if (p == NULL)
        return;
    h = (union big_head *)p - 1;
    if (h->cap < BIG_MIN || h->cap > BIG_KEEP_BYTES) {
        free(h);
        return;
    }
    /* Room is made by dropping the smallest kept blocks: the large ones are the
     * ones that cost. */
    while (slot < 0 || kept_bytes + h->cap > BIG_KEEP_BYTES) {
        int small = -1;
        for (int i = 0; i < BIG_KEEP; i++) {
            if (kept[i] == NULL) {
                if (slot < 0)
                    slot = i;
            } else if (small < 0 || kept[i]->cap < kept[small]->cap) {
                small = i;
            }
        }
        if (slot >= 0 && kept_bytes + h->cap <= BIG_KEEP_BYTES)
            break;
        if (small < 0 || kept[small]->cap > h->cap) {
            free(h);                     /* every kept block is larger: keep those */
            return;
        }
        kept_bytes -= kept[small]->cap;
        free(kept[small]);
        kept[small] = NULL;
        if (slot < 0)
            slot = small;
    }
    kept[slot] = h;
    kept_bytes += h->cap;
}
