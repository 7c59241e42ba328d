/*
 * fuzz_parser.c: a deterministic fuzz driver for the request parser
 * (http_parse.c): no sockets, no adapter. It builds well-formed requests,
 * mutates them, adds random byte soup, and checks on each input that the
 * parser keeps its promises (with -fsanitize=address,undefined, that it also
 * never reads or writes out of bounds):
 *
 *   - results are one of DONE / MORE / ERROR, with a reason exactly on ERROR;
 *   - DONE: 0 < head_len <= len, head_len <= HP_MAX_HEAD, the head ends in LF,
 *     the head alone parses the same, every shorter prefix gives MORE;
 *   - MORE: fewer than HP_MAX_HEAD bytes were given;
 *   - ERROR: stays the same ERROR when more bytes follow;
 *   - the body decoder gives the same bytes, status and reason whether the
 *     input comes at once or in random pieces with a random output room.
 *
 * Only compiled with -DHS_FUZZ_PARSER (the adapter build skips it):
 *   gcc -std=c99 -O1 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -DHS_FUZZ_PARSER \
 *       -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
 *       -Iharness/adapters/reference -o build/fuzz-parser \
 *       harness/adapters/reference/fuzz_parser.c harness/adapters/reference/http_parse.c
 *   build/fuzz-parser 100000 [seed]
 */
#ifdef HS_FUZZ_PARSER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http_parse.h"

#define MAX_INPUT 40000u

static uint64_t rng = 0x853c49e6748fea9bull;
static unsigned long stats_head[3], stats_reason[HP_R_COUNT], stats_body[3];

static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545f4914f6cdd1dull;
}

static size_t below(size_t n) { return n ? (size_t)(next() % n) : 0; }

static void die(const char *what, const uint8_t *in, size_t len)
{
    fprintf(stderr, "fuzz_parser: property failed: %s\ninput (%zu bytes): ", what, len);
    fwrite(in, 1, len < 400 ? len : 400, stderr);
    fputc('\n', stderr);
    abort();
}

/* ---- building inputs ------------------------------------------------------------ */

struct buf {
    uint8_t b[MAX_INPUT];
    size_t n;
};

static void put(struct buf *o, const void *p, size_t n)
{
    if (n > MAX_INPUT - o->n)
        n = MAX_INPUT - o->n;
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

static void puts_(struct buf *o, const char *s) { put(o, s, strlen(s)); }

static void fill(struct buf *o, char c, size_t n)
{
    while (n-- > 0)
        put(o, &c, 1);
}

static const char *pick(const char *const *list, size_t n) { return list[below(n)]; }
#define PICK(list) pick(list, sizeof list / sizeof list[0])

static void gen_chunked(struct buf *o)
{
    static const char *const ext[] = { "", ";a=b", " ;x", ";q=\"1\"", ";" };
    size_t chunks = below(4);
    char line[64];
    for (size_t i = 0; i < chunks; i++) {
        size_t sz = 1 + below(40);
        snprintf(line, sizeof line, below(2) ? "%zx%s\r\n" : "%zX%s\r\n", sz, PICK(ext));
        puts_(o, line);
        for (size_t j = 0; j < sz; j++)
            put(o, &"abcdefgh\r\n0123"[below(14)], 1);
        puts_(o, "\r\n");
    }
    if (below(20) == 0) {                                 /* a very long extension */
        puts_(o, "1;");
        fill(o, 'e', HP_MAX_CHUNK_LINE - 40 + below(80));
        puts_(o, "\r\nz\r\n");
    }
    if (below(30) == 0)
        puts_(o, "123456789abcdef0123\r\n");                /* chunk size too large */
    puts_(o, below(4) ? "0\r\n" : "000;end\r\n");
    if (below(3) == 0)
        puts_(o, "Trailer-Field: value\r\n");
    if (below(20) == 0) {                                 /* a very long trailer section */
        puts_(o, "T: ");
        fill(o, 't', HP_MAX_TRAILERS - 40 + below(80));
        puts_(o, "\r\n");
    }
    puts_(o, "\r\n");
}

static void gen_request(struct buf *o)
{
    static const char *const methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
                                           "get", "M-SEARCH", "X" };
    static const char *const targets[] = { "/", "/a/b?c=d", "*", "http://h/x", "/%20", "/\xc3\xa9" };
    static const char *const versions[] = { "HTTP/1.1", "HTTP/1.0", "HTTP/1.9", "HTTP/2.0", "HTTP/1.1" };
    static const char *const conn[] = { "close", "keep-alive", "Keep-Alive, Upgrade", " CLOSE ,x", ",,", "" };
    size_t headers = below(6);
    int body = (int)below(3);          /* 0 none, 1 length, 2 chunked */
    size_t cl = below(30);
    char line[128];

    if (below(8) == 0)
        puts_(o, "\r\n");
    if (below(200) == 0)                                  /* nothing but empty lines */
        for (size_t j = 0; j < HP_MAX_HEAD / 2 + 8; j++)
            puts_(o, "\r\n");
    if (below(40) == 0)                                   /* a method just over the limit */
        fill(o, 'M', HP_MAX_METHOD - 1 + below(3));
    snprintf(line, sizeof line, "%s %s %s\r\n", PICK(methods), PICK(targets), PICK(versions));
    puts_(o, line);
    if (below(20) == 0) {                                 /* a head around the size limit */
        puts_(o, "X-Big: ");
        fill(o, 'v', HP_MAX_HEAD - 200 + below(400));
        puts_(o, "\r\n");
    }
    if (below(4))
        puts_(o, "Host: example\r\n");
    for (size_t i = 0; i < headers; i++) {
        switch (below(5)) {
        case 0: snprintf(line, sizeof line, "Connection: %s\r\n", PICK(conn)); break;
        case 1: snprintf(line, sizeof line, "X-H%zu:\t v \r\n", i); break;
        case 2:
            snprintf(line, sizeof line, below(30) ? "Content-Length: %zu\r\n" : "Content-Length: 9999999999999999999%zu\r\n", cl);
            body = 1;
            break;
        case 3: snprintf(line, sizeof line, "Transfer-Encoding: %s\r\n", below(4) ? "chunked" : "gzip"); body = 2; break;
        default: snprintf(line, sizeof line, "Accept: */*\r\n"); break;
        }
        puts_(o, line);
    }
    if (body == 1 && below(2)) {
        snprintf(line, sizeof line, "Content-Length: %zu\r\n", cl);
        puts_(o, line);
    }
    if (body == 2 && below(2))
        puts_(o, "Transfer-Encoding: chunked\r\n");
    puts_(o, "\r\n");
    if (body == 1)
        for (size_t j = 0; j < cl; j++)
            put(o, "b", 1);
    if (body == 2)
        gen_chunked(o);
}

static void mutate(struct buf *o)
{
    static const uint8_t special[] = { '\r', '\n', 0, ' ', ':', '\t', 0x7f, 0xff, '0', 'f', ';', ',', 'x' };
    size_t k = below(5);
    for (size_t m = 0; m < k && o->n > 0; m++) {
        size_t at = below(o->n), len = 1 + below(16);
        switch (below(6)) {
        case 0: o->b[at] ^= (uint8_t)(1u << below(8)); break;
        case 1: o->b[at] = special[below(sizeof special)]; break;
        case 2:                                            /* insert a byte */
            if (o->n < MAX_INPUT) {
                memmove(o->b + at + 1, o->b + at, o->n - at);
                o->b[at] = special[below(sizeof special)];
                o->n++;
            }
            break;
        case 3:                                            /* delete a range */
            if (len > o->n - at) len = o->n - at;
            memmove(o->b + at, o->b + at + len, o->n - at - len);
            o->n -= len;
            break;
        case 4:                                            /* duplicate a range */
            if (len > o->n - at) len = o->n - at;
            if (len <= MAX_INPUT - o->n) {
                memmove(o->b + at + len, o->b + at, o->n - at);
                o->n += len;
            }
            break;
        default: o->n = at; break;                         /* truncate */
        }
    }
}

static void soup(struct buf *o)
{
    static const char alphabet[] = "GET /HTP1.0\r\n: abcxyz,;\t0123456789ABCDEF";
    size_t n = below(4) == 0 ? below(MAX_INPUT) : below(300);
    int raw = below(4) == 0;
    o->n = 0;
    for (size_t i = 0; i < n; i++)
        o->b[o->n++] = raw ? (uint8_t)next() : (uint8_t)alphabet[below(sizeof alphabet - 1)];
}

/* ---- checks ---------------------------------------------------------------------------- */

/* Parses a copy of in[0..len) in a buffer of exactly that size, so that the
 * sanitizer sees any read past the end. */
static enum hp_status parse_exact(const uint8_t *in, size_t len, struct hp_request *r, enum hp_reason *why)
{
    uint8_t *copy = malloc(len ? len : 1);
    enum hp_status st;
    if (copy == NULL)
        abort();
    if (len)
        memcpy(copy, in, len);
    st = hp_parse_head(copy, len, r, why);
    free(copy);
    return st;
}

static int same_request(const struct hp_request *a, const struct hp_request *b)
{
    return strcmp(a->method, b->method) == 0 && a->verb == b->verb && a->major == b->major &&
           a->minor == b->minor && a->conn_close == b->conn_close && a->conn_keep_alive == b->conn_keep_alive &&
           a->body_kind == b->body_kind && a->content_length == b->content_length && a->head_len == b->head_len;
}

struct body_run {
    enum hp_status st;
    enum hp_reason why;
    size_t consumed, produced;
};

/* Decodes in[0..len) in pieces of at most `piece` input bytes and `room` output bytes. */
static struct body_run decode(const struct hp_request *r, const uint8_t *in, size_t len, uint8_t *out,
                              size_t piece, size_t room, int randomize)
{
    struct hp_body b;
    struct body_run run = { HP_MORE, HP_R_NONE, 0, 0 };
    hp_body_init(&b, r);
    for (;;) {
        size_t p = randomize ? 1 + below(piece) : piece, o = randomize ? 1 + below(room) : room;
        size_t used = 0, made = 0;
        uint8_t *chunk_in;
        if (p > len - run.consumed)
            p = len - run.consumed;
        chunk_in = malloc(p ? p : 1);              /* exact size: out-of-bounds reads show */
        if (chunk_in == NULL)
            abort();
        if (p)
            memcpy(chunk_in, in + run.consumed, p);
        run.st = hp_body_step(&b, chunk_in, p, &used, out ? out + run.produced : NULL, o, &made, &run.why);
        free(chunk_in);
        if (used > p || (out && made > o))
            die("body step used or made more than allowed", in, len);
        run.consumed += used;
        run.produced += made;
        if (run.st != HP_MORE)
            return run;
        if (used == 0 && made == 0 && run.consumed + p >= len)
            return run;                              /* needs more input than there is */
    }
}

static void check_body(const struct hp_request *r, const uint8_t *in, size_t len)
{
    uint8_t *one = malloc(len + 1), *split = malloc(len + 1);
    struct body_run a, b, c;
    if (one == NULL || split == NULL)
        abort();
    a = decode(r, in, len, one, len + 1, len + 1, 0);
    b = decode(r, in, len, split, 1 + below(64), 1 + below(64), 1);
    c = decode(r, in, len, NULL, len + 1, 0, 0);
    if (a.st != b.st || a.why != b.why || a.consumed != b.consumed || a.produced != b.produced ||
        memcmp(one, split, a.produced) != 0)
        die("body decoding depends on how the input is split", in, len);
    if (a.st != c.st || a.why != c.why || a.consumed != c.consumed)
        die("discarding a body differs from reading it", in, len);
    if ((a.st == HP_ERROR) != (a.why != HP_R_NONE))
        die("body reason set exactly on error", in, len);
    stats_body[a.st + 1]++;
    if (a.st == HP_ERROR)
        stats_reason[a.why]++;
    free(one);
    free(split);
}

static void check(const uint8_t *in, size_t len)
{
    struct hp_request r, r2;
    enum hp_reason why, why2;
    enum hp_status st = parse_exact(in, len, &r, &why);

    if (st != HP_DONE && st != HP_MORE && st != HP_ERROR)
        die("status out of range", in, len);
    stats_head[st + 1]++;
    if ((st == HP_ERROR) != (why != HP_R_NONE) || (unsigned)why >= (unsigned)HP_R_COUNT)
        die("reason set exactly on error", in, len);
    if (st == HP_ERROR) {
        uint8_t *more = malloc(len + 8);
        stats_reason[why]++;
        if (more == NULL)
            abort();
        memcpy(more, in, len);
        for (int i = 0; i < 8; i++)
            more[len + i] = (uint8_t)next();
        if (parse_exact(more, len + 8, &r2, &why2) != HP_ERROR || why2 != why)
            die("an error is not stable when more bytes follow", in, len);
        free(more);
        return;
    }
    if (st == HP_MORE) {
        if (len >= HP_MAX_HEAD)
            die("MORE although the head limit was reached", in, len);
        return;
    }
    if (r.head_len == 0 || r.head_len > len || r.head_len > HP_MAX_HEAD || in[r.head_len - 1] != '\n')
        die("bad head_len", in, len);
    if (r.method[0] == '\0' || strlen(r.method) > HP_MAX_METHOD || r.major != 1 || r.body_kind > HP_BODY_CHUNKED)
        die("bad request facts", in, len);
    if (parse_exact(in, r.head_len, &r2, &why2) != HP_DONE || !same_request(&r, &r2))
        die("the head alone parses differently", in, len);
    if (parse_exact(in, below(r.head_len), &r2, &why2) != HP_MORE)
        die("a prefix of a head is not MORE", in, len);
    check_body(&r, in + r.head_len, len - r.head_len);
}

int main(int argc, char **argv)
{
    static struct buf o;
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000ul;
    if (argc > 2)
        rng ^= strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ull;

    for (unsigned long i = 0; i < n; i++) {
        if (i % 4 == 3) {
            soup(&o);
        } else {
            o.n = 0;
            gen_request(&o);
            if (below(3) == 0)
                gen_request(&o);             /* pipelined */
            if (i % 4 != 0)
                mutate(&o);
        }
        check(o.b, o.n);
        if (below(50) == 0) {                /* chunked bodies without a head */
            struct hp_request r;
            memset(&r, 0, sizeof r);
            r.body_kind = HP_BODY_CHUNKED;
            check_body(&r, o.b, o.n);
        }
    }
    printf("fuzz_parser: %lu inputs: head done %lu, more %lu, error %lu; body done %lu, more %lu, error %lu\n",
           n, stats_head[2], stats_head[1], stats_head[0], stats_body[2], stats_body[1], stats_body[0]);
    printf("rejections by reason:");
    for (int i = 1; i < HP_R_COUNT; i++)
        printf(" %s=%lu", hp_reason_text((enum hp_reason)i), stats_reason[i]);
    printf("\n");
    return 0;
}

#else
/* Not a fuzz build: this file adds nothing to the adapter. */
typedef int fuzz_parser_not_built;
#endif
