/*
 * control.c: fields, numbers, hex, CALL arguments and replies of the
 * adapter protocol (spec/adapter-protocol.md, "Call arguments").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bigbuf.h"
#include "control.h"

/* ---- arena ---------------------------------------------------------------- */

/* ---- lexical pieces ---------------------------------------------------------- */

int ctl_split(char *line, char **fields, int max)
{
    int n = 0;
    char *p = line;
    while (*p != '\0' && n < max) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        fields[n++] = p;
        while (*p != '\0' && *p != ' ')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
    return n;
}

/* ---- CALL arguments -------------------------------------------------------------- */

struct call_build {
    struct call_spec *s;
    int version_given;          /* response_version= was given */
    struct hs_chunk *chunks;
    size_t n_chunks;
    int chunks_null;
    struct hs_unknown_header *unknown;
    size_t n_unknown;
    int unknown_null;
    uint64_t filled;            /* bytes of the fill: chunks so far */
    char *err;
    size_t errlen;
};

#define BAD(b, ...) (snprintf((b)->err, (b)->errlen, __VA_ARGS__), -1)

/* A byte range: START and LEN (a number or "eof"). */
static int range(struct call_build *b, const char *start, const char *len, struct hs_chunk *k)
{
    if (proto_number(start, &k->start) != 0)
        return BAD(b, "bad range start '%s'", start);
    if (strcmp(len, "eof") == 0)
        k->length = HTTP_BYTE_RANGE_TO_EOF;
    else if (proto_number(len, &k->length) != 0)
        return BAD(b, "bad range length '%s'", len);
    return 0;
}

/* A content span (file or fragment): at most 2^32 - 1 bytes. */
static int content(struct call_build *b, const char *hex, struct hs_chunk *k)
{
    hs_byte *p;
    size_t n;
    if (proto_hex(&b->s->arena, hex, &p, &n) != 0 || n > UINT32_MAX)
        return BAD(b, "bad chunk content '%.32s'", hex);
    k->data = p;
    k->len = (uint32_t)n;
    return 0;
}

/* fill:HEXBYTE:LEN (protocol 1.1): LEN copies of one byte, made here. */
static int fill_chunk(struct call_build *b, const char *byte, const char *len, struct hs_chunk *k)
{
    hs_byte *one, *p;
    size_t n;
    uint64_t x;
    if (proto_hex(&b->s->arena, byte, &one, &n) != 0 || n != 1)
        return BAD(b, "bad fill byte '%.32s' (two hex digits)", byte);
    if (proto_number_max(len, UINT32_MAX, &x) != 0)
        return BAD(b, "bad fill length '%.32s'", len);
    if (x > CTL_MAX_FILL)
        return BAD(b, "fill length %llu is more than this adapter supports (%u)",
                   (unsigned long long)x, CTL_MAX_FILL);
    if (b->filled + x > CTL_MAX_FILLS)
        return BAD(b, "fill chunks of more than %u bytes in one call are more than this "
                   "adapter supports", CTL_MAX_FILLS);
    b->filled += x;
    if (x >= BIG_MIN && b->s->n_big_fills < CTL_BIG_FILLS) {
        p = big_alloc((size_t)x);
        if (p != NULL)
            b->s->big_fills[b->s->n_big_fills++] = p;
    } else {
        p = arena_alloc(&b->s->arena, (size_t)x);
    }
    if (p == NULL)
        return BAD(b, "out of memory for a fill chunk of %llu bytes", (unsigned long long)x);
    memset(p, one[0], (size_t)x);
    k->type = HttpDataChunkFromMemory;
    k->data = p;
    k->len = (uint32_t)x;
    return 0;
}

/* chunk=mem:HEX / memnull:LEN / fill:HEXBYTE:LEN / file:HEX:START:LEN /
 *       frag:NAME:HEX / fragex:NAME:HEX:START:LEN / type:N */
static int chunk_arg(struct call_build *b, char *v, struct hs_chunk *k)
{
    char *p[6];
    int n = proto_colon_parts(v, p, 5);
    uint64_t x;
    hs_byte *name;
    size_t name_len;

    memset(k, 0, sizeof *k);
    if (strcmp(p[0], "mem") == 0 && n == 2) {
        k->type = HttpDataChunkFromMemory;
        return content(b, p[1], k);
    }
    if (strcmp(p[0], "memnull") == 0 && n == 2) {
        if (proto_number_max(p[1], UINT32_MAX, &x) != 0)
            return BAD(b, "bad memnull length '%s'", p[1]);
        k->type = HttpDataChunkFromMemory;
        k->len = (uint32_t)x;
        return 0;
    }
    if (strcmp(p[0], "fill") == 0 && n == 3)
        return fill_chunk(b, p[1], p[2], k);
    if (strcmp(p[0], "file") == 0 && n == 4) {
        k->type = HttpDataChunkFromFileHandle;
        return content(b, p[1], k) != 0 ? -1 : range(b, p[2], p[3], k);
    }
    if ((strcmp(p[0], "frag") == 0 && n == 3) || (strcmp(p[0], "fragex") == 0 && n == 5)) {
        k->type = n == 3 ? HttpDataChunkFromFragmentCache : HttpDataChunkFromFragmentCacheEx;
        if (proto_hex(&b->s->arena, p[1], &name, &name_len) != 0 || name_len > UINT32_MAX / 2u)
            return BAD(b, "bad fragment name '%.32s'", p[1]);
        k->name_len = (uint32_t)(name_len * 2u);  /* UTF-16: each byte given is one code unit */
        if (strcmp(p[2], "-") != 0) {          /* "-": never cached */
            k->present = 1;
            if (content(b, p[2], k) != 0)
                return -1;
        }
        return n == 5 ? range(b, p[3], p[4], k) : 0;
    }
    if (strcmp(p[0], "type") == 0 && n == 2) {
        if (proto_number_max(p[1], UINT32_MAX, &x) != 0)
            return BAD(b, "bad chunk type '%s'", p[1]);
        k->type = (uint32_t)x;
        return 0;
    }
    return BAD(b, "bad chunk '%.32s'", p[0]);
}

/* The known header ids whose V1 slot the model interprets: the framing and the
 * generated headers it renders do not see response info, so the reference does
 * not take them in multi_known. */
static int model_reads_slot(uint64_t id)
{
    return id == HttpHeaderConnection || id == HttpHeaderDate || id == HttpHeaderTransferEncoding ||
           id == HttpHeaderContentLength || id == HttpHeaderServer;
}

/* multi_known=ID:FLAGS:HEX,HEX,... (protocol 1.1) */
static int multi_known_arg(struct call_build *b, char *v, struct ctl_multi_known *m)
{
    char *p[4];
    uint64_t id, flags;
    size_t count = 1;
    char *val;

    if (proto_colon_parts(v, p, 3) != 3)
        return BAD(b, "bad multi_known (ID:FLAGS:HEX,HEX,...)");
    if (proto_number_max(p[0], UINT32_MAX, &id) != 0)
        return BAD(b, "bad multi_known header id '%.32s'", p[0]);
    if (id >= HttpHeaderResponseMaximum || model_reads_slot(id))
        return BAD(b, "multi_known header id %llu is not supported by this adapter "
                      "(0..29 without 1, 2, 6, 11, 26)", (unsigned long long)id);
    if (proto_number_max(p[1], UINT32_MAX, &flags) != 0)
        return BAD(b, "bad multi_known flags '%.32s'", p[1]);
    for (const char *q = p[2]; *q != '\0'; q++)
        count += *q == ',';
    if (count > UINT16_MAX)
        return BAD(b, "multi_known has more than 65535 values");
    m->values = arena_alloc(&b->s->arena, count * sizeof *m->values);
    if (m->values == NULL)
        return BAD(b, "out of memory");
    m->id = (uint32_t)id;
    m->flags = (uint32_t)flags;
    m->count = (uint16_t)count;
    val = p[2];
    for (size_t i = 0; i < count; i++) {
        char *comma = strchr(val, ',');
        hs_byte *bytes;
        size_t n;
        if (comma != NULL)
            *comma = '\0';
        if (proto_hex(&b->s->arena, val, &bytes, &n) != 0 || n > UINT16_MAX)
            return BAD(b, "bad multi_known value %zu '%.32s'", i + 1, val);
        m->values[i].value = bytes;
        m->values[i].len = (uint16_t)n;
        val = comma != NULL ? comma + 1 : val + strlen(val);
    }
    return 0;
}

/* "N.M" */
static int version_arg(struct call_build *b, char *v)
{
    char *dot = strchr(v, '.');
    uint64_t ma, mi;
    if (dot == NULL)
        return BAD(b, "bad version '%.32s'", v);
    *dot = '\0';
    if (proto_number_max(v, UINT16_MAX, &ma) != 0 || proto_number_max(dot + 1, UINT16_MAX, &mi) != 0)
        return BAD(b, "bad version");
    b->s->resp.major = (uint16_t)ma;
    b->s->resp.minor = (uint16_t)mi;
    return 0;
}

/* "known.N" / "known_null.N": the slot N, or -1. */
static int slot_of(const char *key, const char *prefix)
{
    size_t pl = strlen(prefix);
    uint64_t x;
    if (strncmp(key, prefix, pl) != 0 || proto_number_max(key + pl, HttpHeaderResponseMaximum - 1, &x) != 0)
        return -1;
    if (key[pl] == '0' && key[pl + 1] != '\0')      /* no "0x", no leading zeros */
        return -1;
    return (int)x;
}

static int flag01(struct call_build *b, const char *key, const char *v, int *out)
{
    if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
        return BAD(b, "%s must be 0 or 1", key);
    *out = v[0] == '1';
    return 0;
}

static int one_arg(struct call_build *b, char *key, char *v)
{
    struct call_spec *s = b->s;
    struct hs_call *c = &s->call;
    struct hs_response *r = &s->resp;
    char *p[3];
    uint64_t x, y;
    hs_byte *bytes;
    size_t n;
    int slot, f;

    if (strcmp(key, "queue") == 0) {
        if (strcmp(v, "valid") != 0 && strcmp(v, "invalid") != 0)
            return BAD(b, "queue must be valid or invalid");
        c->handle = v[0] == 'i' ? HS_HANDLE_INVALID : HS_HANDLE_QUEUE;
    } else if (strcmp(key, "id") == 0) {
        if (strcmp(v, "null") == 0) {
            s->id_kind = CTL_ID_NULL;
        } else if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
            if (proto_number(v, &s->id_literal) != 0)
                return BAD(b, "bad id '%.32s'", v);
            s->id_kind = CTL_ID_LITERAL;
        } else if (proto_is_ref(v)) {
            s->id_kind = CTL_ID_REF;
            s->ref = v;
        } else {
            return BAD(b, "bad id '%.32s'", v);
        }
    } else if (strcmp(key, "flags") == 0) {
        if (proto_number_max(v, UINT32_MAX, &x) != 0)
            return BAD(b, "bad flags");
        c->flags = (uint32_t)x;
    } else if (strcmp(key, "reserved1") == 0) {
        if (flag01(b, key, v, &f) != 0)
            return -1;
        c->reserved1_set = (uint8_t)f;
    } else if (strcmp(key, "reserved2") == 0) {
        if (proto_number_max(v, UINT32_MAX, &x) != 0)
            return BAD(b, "bad reserved2");
        c->reserved2 = (uint32_t)x;
    } else if (strcmp(key, "bytes_sent") == 0) {
        return flag01(b, key, v, &s->bytes_sent);
    } else if (strcmp(key, "overlapped") == 0) {
        if (strcmp(v, "defer") == 0) {          /* protocol 1.1 */
            s->overlapped = 1;
            s->defer = 1;
            return 0;
        }
        if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
            return BAD(b, "overlapped must be 0, 1 or defer");
        s->overlapped = v[0] == '1';
        s->defer = 0;
    } else if (strcmp(key, "op") == 0) {
        if (!proto_is_ref(v))
            return BAD(b, "bad op '%.32s' (1 to 64 letters, digits or _)", v);
        s->op = v;
    } else if (strcmp(key, "response_version") == 0) {
        if (strcmp(v, "1") != 0 && strcmp(v, "2") != 0)
            return BAD(b, "response_version must be 1 or 2");
        s->response_version = v[0] - '0';
        b->version_given = 1;
    } else if (strcmp(key, "multi_known") == 0) {
        return multi_known_arg(b, v, &s->multi[s->n_multi++]);
    } else if (strcmp(key, "cache") == 0) {
        if (strcmp(v, "none") == 0) {
            c->cache_policy = NULL;
        } else if (proto_colon_parts(v, p, 2) != 2 || proto_number_max(p[0], UINT32_MAX, &x) != 0 ||
                   proto_number_max(p[1], UINT32_MAX, &y) != 0) {
            return BAD(b, "bad cache (policy:seconds)");
        } else {
            s->cache.policy = (uint32_t)x;
            s->cache.seconds = (uint32_t)y;
            c->cache_policy = &s->cache;
        }
    } else if (strcmp(key, "log") == 0) {
        if (strcmp(v, "none") == 0) {
            c->log_data = NULL;
        } else if (proto_number_max(v, UINT32_MAX, &x) != 0) {
            return BAD(b, "bad log type");
        } else {
            s->log.type = (uint32_t)x;
            c->log_data = &s->log;
        }
    } else if (strcmp(key, "response") == 0) {
        if (strcmp(v, "null") != 0 && strcmp(v, "given") != 0)
            return BAD(b, "response must be null or given");
        c->response = v[0] == 'n' ? NULL : r;
    } else if (strcmp(key, "status") == 0) {
        if (proto_number_max(v, UINT16_MAX, &x) != 0)
            return BAD(b, "bad status");
        r->status = (uint16_t)x;
    } else if (strcmp(key, "reason") == 0) {
        if (proto_hex(&s->arena, v, &bytes, &n) != 0 || n > UINT16_MAX)
            return BAD(b, "bad reason");
        r->reason = bytes;
        r->reason_len = (uint16_t)n;
    } else if (strcmp(key, "reason_null") == 0) {
        if (proto_number_max(v, UINT16_MAX, &x) != 0)
            return BAD(b, "bad reason_null");
        r->reason = NULL;
        r->reason_len = (uint16_t)x;
    } else if (strcmp(key, "version") == 0) {
        return version_arg(b, v);
    } else if (strcmp(key, "resp_flags") == 0) {
        if (proto_number_max(v, UINT32_MAX, &x) != 0)
            return BAD(b, "bad resp_flags");
        r->flags = (uint32_t)x;
    } else if ((slot = slot_of(key, "known.")) >= 0) {
        if (proto_hex(&s->arena, v, &bytes, &n) != 0 || n > UINT16_MAX)
            return BAD(b, "bad %s", key);
        r->known[slot].value = bytes;
        r->known[slot].len = (uint16_t)n;
    } else if ((slot = slot_of(key, "known_null.")) >= 0) {
        if (proto_number_max(v, UINT16_MAX, &x) != 0)
            return BAD(b, "bad %s", key);
        r->known[slot].value = NULL;
        r->known[slot].len = (uint16_t)x;
    } else if (strcmp(key, "unknown") == 0) {
        struct hs_unknown_header *u = &b->unknown[b->n_unknown++];
        if (proto_colon_parts(v, p, 2) != 2 || proto_hex(&s->arena, p[0], &bytes, &n) != 0 || n > UINT16_MAX)
            return BAD(b, "bad unknown header name");
        u->name = bytes;
        u->name_len = (uint16_t)n;
        if (proto_hex(&s->arena, p[1], &bytes, &n) != 0 || n > UINT16_MAX)
            return BAD(b, "bad unknown header value");
        u->value = bytes;
        u->value_len = (uint16_t)n;
    } else if (strcmp(key, "unknown_null") == 0) {
        if (proto_number_max(v, UINT16_MAX, &x) != 0)
            return BAD(b, "bad unknown_null");
        b->unknown_null = 1;
        r->unknown_count = (uint16_t)x;
    } else if (strcmp(key, "trailers") == 0) {
        if (proto_colon_parts(v, p, 2) != 2 || proto_number_max(p[0], UINT16_MAX, &x) != 0 ||
            (strcmp(p[1], "0") != 0 && strcmp(p[1], "1") != 0))
            return BAD(b, "bad trailers (count:0/1)");
        r->trailer_count = (uint16_t)x;
        r->trailers_set = p[1][0] == '1';
    } else if (strcmp(key, "chunk") == 0) {
        return chunk_arg(b, v, &b->chunks[b->n_chunks++]);
    } else if (strcmp(key, "chunks_null") == 0) {
        if (proto_number_max(v, UINT16_MAX, &x) != 0)
            return BAD(b, "bad chunks_null");
        b->chunks_null = 1;
        r->chunk_count = (uint16_t)x;
    } else {
        return BAD(b, "unknown argument '%.40s'", key);
    }
    return 0;
}

int ctl_parse_call(char **fields, int n, struct call_spec *s, char *err, size_t errlen)
{
    struct call_build b;
    size_t want_chunks = 0, want_unknown = 0, want_multi = 0;
    int id_seen = 0;

    memset(s, 0, sizeof *s);
    memset(&b, 0, sizeof b);
    b.s = s;
    b.err = err;
    b.errlen = errlen;
    s->bytes_sent = 1;
    s->call.handle = HS_HANDLE_QUEUE;
    s->call.response = &s->resp;
    s->resp.status = 200;
    s->resp.major = 1;
    s->resp.minor = 1;
    s->response_version = 1;

    if (n < 2)
        return BAD(&b, "CALL needs a function");
    if (strcmp(fields[1], "response") == 0)
        s->call.function = HS_FN_SEND_RESPONSE;
    else if (strcmp(fields[1], "body") == 0)
        s->call.function = HS_FN_SEND_BODY;
    else
        return BAD(&b, "unknown function '%.32s'", fields[1]);

    for (int i = 2; i < n; i++) {
        want_chunks += strncmp(fields[i], "chunk=", 6) == 0;
        want_unknown += strncmp(fields[i], "unknown=", 8) == 0;
        want_multi += strncmp(fields[i], "multi_known=", 12) == 0;
    }
    if (want_chunks > UINT16_MAX || want_unknown > UINT16_MAX || want_multi > UINT16_MAX)
        return BAD(&b, "more than 65535 chunks, unknown headers or multi_known entries");
    b.chunks = arena_alloc(&s->arena, want_chunks * sizeof *b.chunks);
    b.unknown = arena_alloc(&s->arena, want_unknown * sizeof *b.unknown);
    s->multi = arena_alloc(&s->arena, want_multi * sizeof *s->multi);
    if (b.chunks == NULL || b.unknown == NULL || s->multi == NULL)
        return BAD(&b, "out of memory");

    for (int i = 2; i < n; i++) {
        char *eq = strchr(fields[i], '=');
        if (eq == NULL)
            return BAD(&b, "argument without '=': '%.40s'", fields[i]);
        *eq = '\0';
        id_seen |= strcmp(fields[i], "id") == 0;
        if (one_arg(&b, fields[i], eq + 1) != 0)
            return -1;
    }
    if (!id_seen)
        return BAD(&b, "id is required");
    if ((b.chunks_null && b.n_chunks > 0) || (b.unknown_null && b.n_unknown > 0))
        return BAD(&b, "both chunk and chunks_null, or unknown and unknown_null");
    if (s->defer && s->op == NULL)
        return BAD(&b, "overlapped=defer needs op=NAME");
    if (!s->defer && s->op != NULL)
        return BAD(&b, "op is only for overlapped=defer");
    if (s->n_multi > 0 && b.version_given && s->response_version != 2)
        return BAD(&b, "multi_known needs response_version=2");
    if (s->n_multi > 0)
        s->response_version = 2;
    if (s->call.function == HS_FN_SEND_BODY && (b.version_given || s->n_multi > 0))
        return BAD(&b, "response_version and multi_known are for CALL response only");

    if (!b.unknown_null) {
        s->resp.unknown = b.n_unknown > 0 ? b.unknown : NULL;
        s->resp.unknown_count = (uint16_t)b.n_unknown;
    }
    if (s->call.function == HS_FN_SEND_RESPONSE) {
        if (!b.chunks_null) {
            s->resp.chunks = b.n_chunks > 0 ? b.chunks : NULL;
            s->resp.chunk_count = (uint16_t)b.n_chunks;
        }
    } else {
        /* HttpSendResponseEntityBody: EntityChunks, and no response or cache policy. */
        s->call.chunk_count = b.chunks_null ? s->resp.chunk_count : (uint16_t)b.n_chunks;
        s->call.chunks = (b.chunks_null || b.n_chunks == 0) ? NULL : b.chunks;
        s->call.response = NULL;
        s->call.cache_policy = NULL;
    }
    s->call.bytes_sent_wanted = (uint8_t)s->bytes_sent;
    s->call.overlapped = (uint8_t)s->overlapped;
    return 0;
}

void ctl_call_free(struct call_spec *s)
{
    arena_free(&s->arena);
    for (size_t i = 0; i < s->n_big_fills; i++)
        big_free(s->big_fills[i]);
    s->n_big_fills = 0;
}

/* ---- replies ------------------------------------------------------------------------ */

static int out_fd = 1;

void ctl_set_output(int fd)
{
    out_fd = fd;
}

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = write(out_fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;          /* the harness is gone; the next read sees EOF */
        p += r;
        n -= (size_t)r;
    }
}

void ctl_reply(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    write_all(line, (size_t)n);
}

void ctl_reply_body(const hs_byte *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *line;
    if (n == 0) {
        write_all("BODY -\n", 7);
        return;
    }
    line = malloc(5 + 2 * n + 1);
    if (line == NULL) {
        write_all("ERROR out of memory\n", 20);
        return;
    }
    memcpy(line, "BODY ", 5);
    for (size_t i = 0; i < n; i++) {
        line[5 + 2 * i] = digits[p[i] >> 4];
        line[5 + 2 * i + 1] = digits[p[i] & 15];
    }
    line[5 + 2 * n] = '\n';
    write_all(line, 5 + 2 * n + 1);
    free(line);
}
