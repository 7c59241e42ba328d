/*
 * protocol_refs.c: a small table from ref to request id. A case names a
 * handful of requests, so a linear search is enough.
 */
#include <stdlib.h>
#include <string.h>
#include "protocol_lex.h"
#include "protocol_refs.h"

struct refrec {
    char name[PROTO_MAX_REF + 1];
    uint64_t id;
};

static struct refrec *refs;
static size_t n_refs, cap_refs;

/* Every id ever remembered, kept across RESET: a literal id must never name
 * one of them (spec/adapter-protocol.md, Call arguments). */
static uint64_t *issued;
static size_t n_issued, cap_issued;

static int was_issued(uint64_t id)
{
    for (size_t i = 0; i < n_issued; i++)
        if (issued[i] == id)
            return 1;
    return 0;
}

static int note_issued(uint64_t id)
{
    if (was_issued(id))
        return 0;
    if (n_issued == cap_issued) {
        size_t cap = cap_issued ? cap_issued * 2 : 64;
        uint64_t *ni = realloc(issued, cap * sizeof *ni);
        if (ni == NULL)
            return -1;
        issued = ni;
        cap_issued = cap;
    }
    issued[n_issued++] = id;
    return 0;
}

uint64_t refs_unissued(uint64_t want)
{
    while (want == 0 || was_issued(want))
        want++;
    return want;
}

int refs_get(const char *name, uint64_t *id)
{
    for (size_t i = 0; i < n_refs; i++) {
        if (strcmp(refs[i].name, name) == 0) {
            *id = refs[i].id;
            return 1;
        }
    }
    return 0;
}

int refs_set(const char *name, uint64_t id)
{
    if (note_issued(id) != 0)
        return -1;
    for (size_t i = 0; i < n_refs; i++) {
        if (strcmp(refs[i].name, name) == 0) {
            refs[i].id = id;
            return 0;
        }
    }
    if (n_refs == cap_refs) {
        size_t cap = cap_refs ? cap_refs * 2 : 16;
        struct refrec *nr = realloc(refs, cap * sizeof *nr);
        if (nr == NULL)
            return -1;
        refs = nr;
        cap_refs = cap;
    }
    strncpy(refs[n_refs].name, name, PROTO_MAX_REF);
    refs[n_refs].name[PROTO_MAX_REF] = '\0';
    refs[n_refs++].id = id;
    return 0;
}

void refs_clear(void)
{
    free(refs);
    refs = NULL;
    n_refs = cap_refs = 0;
}
