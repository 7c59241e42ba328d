/*
 * protocol_lex.c: numbers, hex byte strings, refs and argument parts of the
 * adapter protocol, and the per-command arena. Every parser returns -1 on
 * malformed input, so the caller can name the argument in its ERROR reply.
 */
#include <stdlib.h>
#include <string.h>
#include "protocol_lex.h"

void *arena_alloc(struct arena *a, size_t n)
{
    void *p;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        void **np = realloc(a->ptrs, cap * sizeof *np);
        if (np == NULL)
            return NULL;
        a->ptrs = np;
        a->cap = cap;
    }
    p = calloc(1, n ? n : 1);
    if (p != NULL)
        a->ptrs[a->n++] = p;
    return p;
}

void arena_free(struct arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->ptrs[i]);
    free(a->ptrs);
    a->ptrs = NULL;
    a->n = a->cap = 0;
}

static int hexdigit(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int proto_number(const char *s, uint64_t *v)
{
    uint64_t x = 0;
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (*s == '\0')
        return -1;
    for (; *s != '\0'; s++) {
        int d = hexdigit((unsigned char)*s);
        if (d < 0 || d >= base || x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return -1;
        x = x * (uint64_t)base + (uint64_t)d;
    }
    *v = x;
    return 0;
}

int proto_number_max(const char *s, uint64_t max, uint64_t *v)
{
    return proto_number(s, v) == 0 && *v <= max ? 0 : -1;
}

int proto_hex(struct arena *a, const char *s, uint8_t **out, size_t *len)
{
    size_t n = strlen(s);
    uint8_t *b;
    if (strcmp(s, "-") == 0)
        n = 0;
    else if (n == 0 || n % 2 != 0)
        return -1;
    b = arena_alloc(a, n / 2);
    if (b == NULL)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexdigit((unsigned char)s[2 * i]), lo = hexdigit((unsigned char)s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        b[i] = (uint8_t)(hi * 16 + lo);
    }
    *out = b;
    *len = n / 2;
    return 0;
}

int proto_is_ref(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return n >= 1 && n <= PROTO_MAX_REF;
}

int proto_colon_parts(char *s, char **parts, int max)
{
    int n = 0;
    parts[n++] = s;
    for (char *p = s; *p != '\0'; p++) {
        if (*p == ':') {
            if (n == max)
                return max + 1;
            *p = '\0';
            parts[n++] = p + 1;
        }
    }
    return n;
}
