/*
 * hs_body.c: the entity bytes of a call (contract of hs_render_body in
 * hs_render.h; WIRE-BODY).
 */
#include "hs_model.h"
#include "hs_write.h"

/* Lemmas of the proof of hs_render_body (spec 7.3). */
/*@
    // The chunks [0, i) end at or before need (their bytes lie below need).
    predicate ends_before{L}(struct hs_chunk *k, integer i, integer need) =
        \forall integer m; 0 <= m < i ==> chunks_total(k, m) + chunk_size(k + m) <= need;

    // A chunk with no bytes is in place as soon as the chunks before it are.
    lemma entity_empty{L1, L2}:
      \forall hs_byte *buf, struct hs_chunk *k, integer i;
        0 <= i ==> \at(chunk_size(k + i), L2) == 0 ==>
        entity{L1, L2}(buf, k, i) ==> entity{L1, L2}(buf, k, i + 1);

    // One more chunk in place: the bytes of chunks [0, i) were in place at
    // L1 below need; a writer that changed only [need, need2) from L1 to L2
    // put chunk i at need = chunks_total(k, i). Then chunks [0, i + 1) are
    // in place at L2. (Chunk m < i lies below need, so the writer left it
    // alone; chunk i is the copy.)
    lemma entity_step{L1, L2, L3}:
      \forall hs_byte *buf, struct hs_chunk *k, integer i, integer room, integer need, integer need2;
        0 <= i ==> need <= need2 <= room ==>
        entity{L1, L3}(buf, k, i) ==>
        ends_before{L3}(k, i, need) ==>
        \at(chunks_total(k, i), L3) == need ==>
        appended{L1, L2}(buf, room, need, need2) ==>
        copied{L2, L3}(buf, need, \at(k[i].data, L3), \at(chunk_offset(k + i), L3),
                       \at(chunk_size(k + i), L3)) ==>
        entity{L2, L3}(buf, k, i + 1);

    // A copy of bytes that did not change since is a copy of them as they
    // are: the two equalities chain at every index.
    lemma copied_same{L1, L2, L3}:
      \forall hs_byte *buf, integer at, hs_byte *src, integer from, integer n;
        copied{L1, L2}(buf, at, src, from, n) ==> same_bytes{L2, L3}(src, from, n) ==>
        copied{L1, L3}(buf, at, src, from, n);
*/

size_t hs_render_body(const struct hs_chunk *k, uint16_t n, hs_byte *buf, size_t cap)
{
    size_t room = buf == NULL ? 0u : cap;
    size_t need = 0u;
    if (k == NULL)
        return 0u;
    /* WIRE-BODY: the chunks' bytes back to back, no framing. */
    /*@ loop invariant 0 <= i <= n;
        loop invariant total: need == chunks_total(k, i) && need <= i * 0xFFFFFFFF;
        loop invariant before: ends_before(k, i, need);
        loop invariant bytes: buf != \null && need <= room ==> entity{Here, Pre}(buf, k, i);
        loop assigns i, need, buf[0 .. room - 1];
        loop variant n - i;
    */
    for (uint32_t i = 0; i < n; i++) {
        const struct hs_chunk *c = &k[i];
        uint64_t off = 0u;
        uint64_t len = c->len;
        //@ assert usable: !(ranged(c) && range_bad(c)) && !null_span(c->data, c->len);
        if (c->type == HttpDataChunkFromFileHandle || c->type == HttpDataChunkFromFragmentCacheEx) {
            off = c->start;
            len = (c->length == HTTP_BYTE_RANGE_TO_EOF) ? (uint64_t)c->len - c->start : c->length;
        }
        //@ assert inside: off == chunk_offset(c) && len == chunk_size(c) && off + len <= c->len;
        if (len > 0u) {
            //@ assert c->data != \null && \valid_read(c->data + (off .. off + len - 1));
            //@ assert apart(c->data + off, len, buf, room);
            //@ assert as_given: same_bytes{Here, Pre}(c->data, off, len);
        Put: __attribute__((unused));
            need = hs_put(buf, room, need, c->data + off, (size_t)len);
            //@ assert copy: buf != \null && need <= room ==> copied{Here, Put}(buf, \at(need, Put), c->data, off, len);
            //@ assert in_place: buf != \null && need <= room ==> copied{Here, Pre}(buf, \at(need, Put), c->data, off, len);
            //@ assert one_more: buf != \null && need <= room ==> entity{Here, Pre}(buf, k, i + 1);
        } else {
            //@ assert empty: buf != \null && need <= room ==> entity{Here, Pre}(buf, k, i + 1);
        }
    }
    return need;
}
