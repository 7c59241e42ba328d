/*
 * args.c: parsing of CALL arguments into HTTP_RESPONSE, HTTP_DATA_CHUNK and
 * friends. Byte strings stay bytes; fragment names become wide strings one
 * byte to one WCHAR, as the names the cases use are ASCII.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"

struct build {
    struct call_args *c;
    HTTP_UNKNOWN_HEADER *unknown;
    USHORT n_unknown;
    int unknown_null;
    int chunks_null;
    char *err;
    size_t errlen;
};

#define BAD(b, ...) (snprintf((b)->err, (b)->errlen, __VA_ARGS__), -1)

static int range(struct build *b, const char *start, const char *len, HTTP_BYTE_RANGE *r)
{
    ULONGLONG x;
    if (proto_number(start, &x) != 0)
        return BAD(b, "bad range start '%.32s'", start);
    r->StartingOffset.QuadPart = (LONGLONG)x;
    if (strcmp(len, "eof") == 0)
        x = HTTP_BYTE_RANGE_TO_EOF;
    else if (proto_number(len, &x) != 0)
        return BAD(b, "bad range length '%.32s'", len);
    r->Length.QuadPart = (LONGLONG)x;
    return 0;
}

/* A fragment name: its bytes widened to a NUL-terminated wide string. */
static PCWSTR wide_name(struct build *b, const char *hex, size_t *chars)
{
    BYTE *p;
    size_t n;
    WCHAR *w;
    if (proto_hex(&b->c->arena, hex, &p, &n) != 0)
        return NULL;
    w = arena_alloc(&b->c->arena, (n + 1) * sizeof *w);
    if (w == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        w[i] = p[i];
    *chars = n;
    return w;
}

/* Fragment content: "-" is never cached. */
static int fragment_content(struct build *b, const char *hex, struct chunk_prep *k)
{
    BYTE *p;
    if (strcmp(hex, "-") == 0)
        return 0;
    if (proto_hex(&b->c->arena, hex, &p, &k->len) != 0)
        return BAD(b, "bad fragment content '%.32s'", hex);
    k->cache = 1;
    k->data = p;
    return 0;
}

/* chunk=mem:HEX / memnull:LEN / file:HEX:START:LEN / frag:NAME:HEX /
 *       fragex:NAME:HEX:START:LEN / type:N */
static int chunk_arg(struct build *b, char *v, HTTP_DATA_CHUNK *k, struct chunk_prep *prep)
{
    char *p[6];
    int n = proto_colon_parts(v, p, 5);
    ULONGLONG x;
    BYTE *bytes;
    size_t len, chars;

    if (strcmp(p[0], "mem") == 0 && n == 2) {
        if (proto_hex(&b->c->arena, p[1], &bytes, &len) != 0 || len > 0xffffffffu)
            return BAD(b, "bad chunk bytes");
        k->DataChunkType = HttpDataChunkFromMemory;
        k->FromMemory.pBuffer = bytes;
        k->FromMemory.BufferLength = (ULONG)len;
        return 0;
    }
    if (strcmp(p[0], "fill") == 0 && n == 3) {
        BYTE *one;
        if (proto_hex(&b->c->arena, p[1], &one, &len) != 0 || len != 1 ||
            proto_number_max(p[2], 0xffffffffu, &x) != 0)
            return BAD(b, "bad fill chunk");
        if ((bytes = arena_alloc(&b->c->arena, (size_t)x)) == NULL)
            return BAD(b, "cannot allocate %llu bytes for a fill chunk", (unsigned long long)x);
        memset(bytes, one[0], (size_t)x);
        k->DataChunkType = HttpDataChunkFromMemory;
        k->FromMemory.pBuffer = bytes;
        k->FromMemory.BufferLength = (ULONG)x;
        return 0;
    }
    if (strcmp(p[0], "memnull") == 0 && n == 2) {
        if (proto_number_max(p[1], 0xffffffffu, &x) != 0)
            return BAD(b, "bad memnull length '%.32s'", p[1]);
        k->DataChunkType = HttpDataChunkFromMemory;
        k->FromMemory.pBuffer = NULL;
        k->FromMemory.BufferLength = (ULONG)x;
        return 0;
    }
    if (strcmp(p[0], "file") == 0 && n == 4) {
        if (proto_hex(&b->c->arena, p[1], &bytes, &len) != 0)
            return BAD(b, "bad file content '%.32s'", p[1]);
        k->DataChunkType = HttpDataChunkFromFileHandle;
        prep->file = 1;
        prep->data = bytes;
        prep->len = len;
        return range(b, p[2], p[3], &k->FromFileHandle.ByteRange);
    }
    if (strcmp(p[0], "frag") == 0 && n == 3) {
        PCWSTR name = wide_name(b, p[1], &chars);
        if (name == NULL || chars * 2 > 0xffff)
            return BAD(b, "bad fragment name '%.32s'", p[1]);
        k->DataChunkType = HttpDataChunkFromFragmentCache;
        k->FromFragmentCache.pFragmentName = name;
        k->FromFragmentCache.FragmentNameLength = (USHORT)(chars * 2);
        return fragment_content(b, p[2], prep);
    }
    if (strcmp(p[0], "fragex") == 0 && n == 5) {
        SDK_FROM_FRAGMENT_CACHE_EX ex;
        memset(&ex, 0, sizeof ex);
        ex.pFragmentName = wide_name(b, p[1], &chars);
        if (ex.pFragmentName == NULL)
            return BAD(b, "bad fragment name '%.32s'", p[1]);
        k->DataChunkType = HttpDataChunkFromFragmentCacheEx;
        if (fragment_content(b, p[2], prep) != 0 || range(b, p[3], p[4], &ex.ByteRange) != 0)
            return -1;
        sdk_fragex_set(k, &ex);
        return 0;
    }
    if (strcmp(p[0], "type") == 0 && n == 2) {
        if (proto_number_max(p[1], 0xffffffffu, &x) != 0)
            return BAD(b, "bad chunk type '%.32s'", p[1]);
        k->DataChunkType = (HTTP_DATA_CHUNK_TYPE)x;
        return 0;
    }
    return BAD(b, "bad chunk '%.32s'", p[0]);
}

/* multi_known=ID:FLAGS:HEX,HEX...: one HTTP_RESPONSE_INFO of
 * HTTP_MULTIPLE_KNOWN_HEADERS. The SDK's HttpResponseInfoTypeMultipleKnownHeaders
 * is the type. */
static int multi_known(struct build *b, char *v, HTTP_RESPONSE_INFO *info)
{
    char *p[4];
    ULONGLONG id, flags;
    size_t n_values = 1, len;
    HTTP_MULTIPLE_KNOWN_HEADERS *m;
    HTTP_KNOWN_HEADER *h;
    BYTE *bytes;
    char *val;

    if (proto_colon_parts(v, p, 3) != 3 || proto_number_max(p[0], 0xffffffffu, &id) != 0 ||
        proto_number_max(p[1], 0xffffffffu, &flags) != 0)
        return BAD(b, "bad multi_known (ID:FLAGS:HEX,...)");
    for (const char *q = p[2]; *q != '\0'; q++)
        n_values += *q == ',';
    if (n_values > 0xffff)
        return BAD(b, "more than 65535 multi_known values");
    m = arena_alloc(&b->c->arena, sizeof *m);
    h = arena_alloc(&b->c->arena, n_values * sizeof *h);
    if (m == NULL || h == NULL)
        return BAD(b, "out of memory");
    val = p[2];
    for (size_t i = 0; i < n_values; i++) {
        char *comma = strchr(val, ',');
        if (comma != NULL)
            *comma = '\0';
        if (proto_hex(&b->c->arena, val, &bytes, &len) != 0 || len > 0xffff)
            return BAD(b, "bad multi_known value");
        h[i].pRawValue = (PCSTR)bytes;
        h[i].RawValueLength = (USHORT)len;
        val = comma + 1;
    }
    m->HeaderId = (HTTP_HEADER_ID)id;
    m->Flags = (ULONG)flags;
    m->KnownHeaderCount = (USHORT)n_values;
    m->KnownHeaders = h;
    info->Type = HttpResponseInfoTypeMultipleKnownHeaders;
    info->Length = sizeof *m;
    info->pInfo = m;
    return 0;
}

/* "known.N" / "known_null.N": the slot N (no leading zeros), or -1. */
static int slot_of(const char *key, const char *prefix)
{
    size_t pl = strlen(prefix);
    ULONGLONG x;
    if (strncmp(key, prefix, pl) != 0 || proto_number_max(key + pl, HttpHeaderResponseMaximum - 1, &x) != 0)
        return -1;
    if (key[pl] == '0' && key[pl + 1] != '\0')
        return -1;
    return (int)x;
}

static int flag01(struct build *b, const char *key, const char *v, int *out)
{
    if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
        return BAD(b, "%s must be 0 or 1", key);
    *out = v[0] == '1';
    return 0;
}

static int one_arg(struct build *b, char *key, char *v)
{
    struct call_args *c = b->c;
    HTTP_RESPONSE_V2 *r = &c->resp;
    char *p[3];
    ULONGLONG x, y;
    BYTE *bytes;
    size_t n;
    int slot;

    if (strcmp(key, "queue") == 0) {
        if (strcmp(v, "valid") != 0 && strcmp(v, "invalid") != 0)
            return BAD(b, "queue must be valid or invalid");
        c->queue_invalid = v[0] == 'i';
    } else if (strcmp(key, "id") == 0) {
        if (strcmp(v, "null") == 0) {
            c->id_kind = ID_NULL;
        } else if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
            if (proto_number(v, &c->id_literal) != 0)
                return BAD(b, "bad id '%.32s'", v);
            c->id_kind = ID_LITERAL;
        } else if (proto_is_ref(v)) {
            c->id_kind = ID_REF;
            strcpy(c->ref, v);
        } else {
            return BAD(b, "bad id '%.32s'", v);
        }
    } else if (strcmp(key, "flags") == 0) {
        if (proto_number_max(v, 0xffffffffu, &x) != 0)
            return BAD(b, "bad flags");
        c->flags = (ULONG)x;
    } else if (strcmp(key, "reserved1") == 0) {
        return flag01(b, key, v, &c->reserved1);
    } else if (strcmp(key, "reserved2") == 0) {
        if (proto_number_max(v, 0xffffffffu, &x) != 0)
            return BAD(b, "bad reserved2");
        c->reserved2 = (ULONG)x;
    } else if (strcmp(key, "bytes_sent") == 0) {
        return flag01(b, key, v, &c->bytes_sent);
    } else if (strcmp(key, "overlapped") == 0) {
        if (strcmp(v, "defer") == 0)
            c->overlapped = OVERLAPPED_DEFER;
        else
            return flag01(b, key, v, &c->overlapped);
    } else if (strcmp(key, "op") == 0) {
        if (!proto_is_ref(v))
            return BAD(b, "bad op name");
        strcpy(c->op, v);
    } else if (strcmp(key, "response_version") == 0) {
        if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0)
            return BAD(b, "response_version must be 1 or 2");
        c->response_version = v[0] - '0';
    } else if (strcmp(key, "multi_known") == 0) {
        return multi_known(b, v, &c->info[c->n_info++]);
    } else if (strcmp(key, "cache") == 0) {
        if (strcmp(v, "none") == 0) {
            c->cache_p = NULL;
        } else if (proto_colon_parts(v, p, 2) != 2 || proto_number_max(p[0], 0xffffffffu, &x) != 0 ||
                   proto_number_max(p[1], 0xffffffffu, &y) != 0) {
            return BAD(b, "bad cache (policy:seconds)");
        } else {
            c->cache.Policy = (HTTP_CACHE_POLICY_TYPE)x;
            c->cache.SecondsToLive = (ULONG)y;
            c->cache_p = &c->cache;
        }
    } else if (strcmp(key, "log") == 0) {
        if (strcmp(v, "none") == 0) {
            c->log_p = NULL;
        } else if (proto_number_max(v, 0xffffffffu, &x) != 0) {
            return BAD(b, "bad log type");
        } else {
            /* The largest log record, zeroed, so whatever the type the
             * implementation reads no further than what is there. */
            c->log.Base.Type = (HTTP_LOG_DATA_TYPE)x;
            c->log_p = &c->log.Base;
        }
    } else if (strcmp(key, "response") == 0) {
        if (strcmp(v, "null") != 0 && strcmp(v, "given") != 0)
            return BAD(b, "response must be null or given");
        c->resp_p = v[0] == 'n' ? NULL : r;
    } else if (strcmp(key, "status") == 0) {
        if (proto_number_max(v, 0xffff, &x) != 0)
            return BAD(b, "bad status");
        r->StatusCode = (USHORT)x;
    } else if (strcmp(key, "reason") == 0) {
        if (proto_hex(&c->arena, v, &bytes, &n) != 0 || n > 0xffff)
            return BAD(b, "bad reason");
        r->pReason = (PCSTR)bytes;
        r->ReasonLength = (USHORT)n;
    } else if (strcmp(key, "reason_null") == 0) {
        if (proto_number_max(v, 0xffff, &x) != 0)
            return BAD(b, "bad reason_null");
        r->pReason = NULL;
        r->ReasonLength = (USHORT)x;
    } else if (strcmp(key, "version") == 0) {
        char *dot = strchr(v, '.');
        if (dot == NULL)
            return BAD(b, "bad version");
        *dot = '\0';
        if (proto_number_max(v, 0xffff, &x) != 0 || proto_number_max(dot + 1, 0xffff, &y) != 0)
            return BAD(b, "bad version");
        r->Version.MajorVersion = (USHORT)x;
        r->Version.MinorVersion = (USHORT)y;
    } else if (strcmp(key, "resp_flags") == 0) {
        if (proto_number_max(v, 0xffffffffu, &x) != 0)
            return BAD(b, "bad resp_flags");
        r->Flags = (ULONG)x;
    } else if ((slot = slot_of(key, "known.")) >= 0) {
        if (proto_hex(&c->arena, v, &bytes, &n) != 0 || n > 0xffff)
            return BAD(b, "bad %s", key);
        r->Headers.KnownHeaders[slot].pRawValue = (PCSTR)bytes;
        r->Headers.KnownHeaders[slot].RawValueLength = (USHORT)n;
    } else if ((slot = slot_of(key, "known_null.")) >= 0) {
        if (proto_number_max(v, 0xffff, &x) != 0)
            return BAD(b, "bad %s", key);
        r->Headers.KnownHeaders[slot].pRawValue = NULL;
        r->Headers.KnownHeaders[slot].RawValueLength = (USHORT)x;
    } else if (strcmp(key, "unknown") == 0) {
        HTTP_UNKNOWN_HEADER *u = &b->unknown[b->n_unknown++];
        if (proto_colon_parts(v, p, 2) != 2 || proto_hex(&c->arena, p[0], &bytes, &n) != 0 || n > 0xffff)
            return BAD(b, "bad unknown header name");
        u->pName = (PCSTR)bytes;
        u->NameLength = (USHORT)n;
        if (proto_hex(&c->arena, p[1], &bytes, &n) != 0 || n > 0xffff)
            return BAD(b, "bad unknown header value");
        u->pRawValue = (PCSTR)bytes;
        u->RawValueLength = (USHORT)n;
    } else if (strcmp(key, "unknown_null") == 0) {
        if (proto_number_max(v, 0xffff, &x) != 0)
            return BAD(b, "bad unknown_null");
        b->unknown_null = 1;
        r->Headers.UnknownHeaderCount = (USHORT)x;
    } else if (strcmp(key, "trailers") == 0) {
        if (proto_colon_parts(v, p, 2) != 2 || proto_number_max(p[0], 0xffff, &x) != 0 ||
            (strcmp(p[1], "0") != 0 && strcmp(p[1], "1") != 0))
            return BAD(b, "bad trailers (count:0/1)");
        r->Headers.TrailerCount = (USHORT)x;
        /* A non-NULL pTrailers points at that many zeroed headers. */
        r->Headers.pTrailers = p[1][0] == '1'
            ? arena_alloc(&c->arena, (x ? x : 1) * sizeof(HTTP_UNKNOWN_HEADER)) : NULL;
        if (p[1][0] == '1' && r->Headers.pTrailers == NULL)
            return BAD(b, "out of memory");
    } else if (strcmp(key, "chunk") == 0) {
        USHORT i = c->chunk_count++;
        return chunk_arg(b, v, &c->chunks[i], &c->prep[i]);
    } else if (strcmp(key, "chunks_null") == 0) {
        if (proto_number_max(v, 0xffff, &x) != 0)
            return BAD(b, "bad chunks_null");
        b->chunks_null = 1;
        c->chunk_count = (USHORT)x;
    } else {
        return BAD(b, "unknown argument '%.40s'", key);
    }
    return 0;
}

int args_parse_call(char **f, int n, struct call_args *c, char *err, size_t errlen)
{
    struct build b;
    size_t want_chunks = 0, want_unknown = 0, want_info = 0;
    int id_seen = 0;

    memset(c, 0, sizeof *c);
    memset(&b, 0, sizeof b);
    b.c = c;
    b.err = err;
    b.errlen = errlen;
    c->bytes_sent = 1;
    c->resp_p = &c->resp;
    c->resp.StatusCode = 200;
    c->resp.Version.MajorVersion = 1;
    c->resp.Version.MinorVersion = 1;

    if (n < 2)
        return BAD(&b, "CALL needs a function");
    if (strcmp(f[1], "response") == 0)
        c->fn = FN_RESPONSE;
    else if (strcmp(f[1], "body") == 0)
        c->fn = FN_BODY;
    else
        return BAD(&b, "unknown function '%.32s'", f[1]);

    for (int i = 2; i < n; i++) {
        want_chunks += strncmp(f[i], "chunk=", 6) == 0;
        want_unknown += strncmp(f[i], "unknown=", 8) == 0;
        want_info += strncmp(f[i], "multi_known=", 12) == 0;
    }
    if (want_chunks > 0xffff || want_unknown > 0xffff || want_info > 0xffff)
        return BAD(&b, "more than 65535 chunks or unknown headers");
    c->chunks = arena_alloc(&c->arena, want_chunks * sizeof *c->chunks);
    c->prep = arena_alloc(&c->arena, want_chunks * sizeof *c->prep);
    b.unknown = arena_alloc(&c->arena, want_unknown * sizeof *b.unknown);
    c->info = arena_alloc(&c->arena, want_info * sizeof *c->info);
    if (c->chunks == NULL || c->prep == NULL || b.unknown == NULL || c->info == NULL)
        return BAD(&b, "out of memory");

    for (int i = 2; i < n; i++) {
        char *eq = strchr(f[i], '=');
        if (eq == NULL)
            return BAD(&b, "argument without '=': '%.40s'", f[i]);
        *eq = '\0';
        id_seen |= strcmp(f[i], "id") == 0;
        if (one_arg(&b, f[i], eq + 1) != 0)
            return -1;
    }
    if (!id_seen)
        return BAD(&b, "id is required");
    if ((b.chunks_null && want_chunks > 0) || (b.unknown_null && b.n_unknown > 0))
        return BAD(&b, "both chunk and chunks_null, or unknown and unknown_null");
    if ((c->overlapped == OVERLAPPED_DEFER) != (c->op[0] != '\0'))
        return BAD(&b, "overlapped=defer and op go together");
    if (c->fn == FN_BODY && (c->response_version != 0 || c->n_info > 0))
        return BAD(&b, "response_version and multi_known are for CALL response");
    if (c->response_version == 1 && c->n_info > 0)
        return BAD(&b, "multi_known needs response_version=2");
    /* The response is always an HTTP_RESPONSE_V2 from a 2.0 queue; version 1
     * is that structure without response info. */
    c->resp.ResponseInfoCount = c->n_info;
    c->resp.pResponseInfo = c->n_info > 0 ? c->info : NULL;
    if (!b.unknown_null) {
        c->resp.Headers.pUnknownHeaders = b.n_unknown > 0 ? b.unknown : NULL;
        c->resp.Headers.UnknownHeaderCount = b.n_unknown;
    }
    if (b.chunks_null || c->chunk_count == 0 || want_chunks == 0)
        c->chunks = NULL;
    c->resp.EntityChunkCount = c->chunk_count;
    c->resp.pEntityChunks = c->chunks;
    return 0;
}

void args_free(struct call_args *c)
{
    arena_free(&c->arena);
}
