/*
 * bigbuf.h: large buffers (fill chunks, rendered responses) kept for reuse.
 *
 * A fresh page costs a page fault on first touch; a 32 MiB response costs
 * 8192 of them, which on a virtual machine takes longer than sending it.
 * Blocks of BIG_MIN bytes or more are therefore kept after use (at most
 * BIG_KEEP of them, BIG_KEEP_BYTES in all) and handed out again.
 */
#ifndef BIGBUF_H
#define BIGBUF_H

#include <stddef.h>

#define BIG_MIN         (1u << 20)           /* smaller blocks go straight to malloc/free */
#define BIG_KEEP        4                    /* blocks kept for reuse */
#define BIG_KEEP_BYTES  ((size_t)160 << 20)  /* bytes kept for reuse, at most */

/* n bytes, contents undefined; NULL when out of memory. */
void *big_alloc(size_t n);
/* Gives p (from big_alloc, or NULL) back. */
void big_free(void *p);

#endif
