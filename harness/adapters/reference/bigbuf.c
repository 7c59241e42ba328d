/*
 * bigbuf.c: large buffers kept for reuse (see bigbuf.h).
 */
#define _DEFAULT_SOURCE            /* madvise's MADV_HUGEPAGE */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "bigbuf.h"

#define HUGE_PAGE ((size_t)2 << 20)

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
    if (n > SIZE_MAX - sizeof *h - HUGE_PAGE)
        return NULL;
    if (n < BIG_MIN) {
        h = malloc(sizeof *h + n);
        if (h == NULL)
            return NULL;
    } else {
        /* Whole huge pages where the kernel gives them on request (transparent
         * huge pages in madvise mode): one fault per 2 MiB instead of 512. */
        size_t size = (sizeof *h + n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
        void *p = NULL;
        if (posix_memalign(&p, HUGE_PAGE, size) != 0)
            return NULL;
#ifdef MADV_HUGEPAGE
        (void)madvise(p, size, MADV_HUGEPAGE);
#endif
        h = p;
    }
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
