/*
 * protocol_lex.h: the lexical layer of the adapter protocol
 * (spec/adapter-protocol.md), shared by every adapter written in C: numbers,
 * hex byte strings, refs, colon-separated argument parts, and the arena
 * that holds one command's allocations. Plain C99, no platform headers, so
 * the POSIX reference adapter and the Win32 adapter build the same file.
 */
#ifndef PROTOCOL_LEX_H
#define PROTOCOL_LEX_H

#include <stddef.h>
#include <stdint.h>

#define PROTO_MAX_REF 64                 /* characters of a ref or an op name */

/* Allocations that live as long as one command. */
struct arena {
    void **ptrs;
    size_t n, cap;
};
void *arena_alloc(struct arena *a, size_t n);   /* zeroed; NULL when out of memory */
void arena_free(struct arena *a);

/* A number: decimal, or hex after 0x. 0 on success. */
int proto_number(const char *s, uint64_t *v);

/* A number that must not exceed max. 0 on success. */
int proto_number_max(const char *s, uint64_t max, uint64_t *v);

/* A byte string: pairs of hex digits, or "-" for none. The bytes are never a
 * NULL pointer, also when there are none. 0 on success. */
int proto_hex(struct arena *a, const char *s, uint8_t **out, size_t *len);

/* 1 when s is a ref: 1 to PROTO_MAX_REF letters, digits or '_'. */
int proto_is_ref(const char *s);

/* Splits s in place at ':' into at most max parts and returns how many;
 * max + 1 when there are more. */
int proto_colon_parts(char *s, char **parts, int max);

#endif
