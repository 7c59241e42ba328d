/*
 * protocol_refs.h: the harness's names for request ids (the `ref` of
 * RECEIVE and of CALL id=...), kept until RESET. Shared by the adapters.
 */
#ifndef PROTOCOL_REFS_H
#define PROTOCOL_REFS_H

#include <stdint.h>

/* Remembers id under name (a valid ref), replacing an earlier one. 0 on
 * success, -1 when out of memory. */
int refs_set(const char *name, uint64_t id);

/* 1 and *id when name is remembered, else 0. */
int refs_get(const char *name, uint64_t *id);

/* Forgets every name (not which ids were issued). */
void refs_clear(void);

/* A literal id of CALL id=0x...: want itself when no request the adapter
 * received since it started had that id (and it is not HTTP_NULL_ID), else
 * the next value above it that none had. */
uint64_t refs_unissued(uint64_t want);

#endif
