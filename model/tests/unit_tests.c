/*
 * unit_tests.c: unit tests of the reference model (model/include, model/src).
 *
 * Self-contained: a tiny test framework is at the top of this file, the
 * tests follow, main() runs them all and ends with the line
 * "N passed, N failed"; the exit status is non-zero when any test failed.
 * Run with -v to list every test.
 *
 * Every expected byte string below is written from the spec (spec/03-wire.md,
 * section 3.1 layout and section 3.8 worked examples), never copied from the
 * model's output. Each test names the spec rule ids it checks in its comment.
 *
 * Build: `make unit` compiles this file with the model sources twice, with
 * -std=c99 -O2 -g -Wall -Wextra -Werror, and again with
 * -fsanitize=address,undefined -fno-sanitize-recover=all, and runs both.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_model.h"
#include "hs_render.h"
#include "hs_render_accepted.h"

/* ======================================================================== */
/* The framework                                                            */
/* ======================================================================== */

static const char *t_name;      /* the running test */
static unsigned t_failed;       /* failed checks in the running test */
static unsigned n_passed, n_failed;
static int verbose;

static void fail_here(const char *file, int line)
{
    if (t_failed++ == 0)
        printf("FAIL %s\n", t_name);
    printf("  %s:%d: ", file, line);
}

#define RULE_ID(sym, id, cls) id,
static const char *const rule_ids[] = { HS_RULE_LIST(RULE_ID) };
#undef RULE_ID

static const char *rule_name(enum hs_rule r)
{
    return (unsigned)r < (unsigned)HS_RULE_COUNT ? rule_ids[r] : "(not a rule)";
}

static const char *state_name(unsigned s)
{
    switch (s) {
    case HS_ST_RECEIVED: return "RECEIVED";
    case HS_ST_STREAMING: return "STREAMING";
    case HS_ST_OPAQUE: return "OPAQUE";
    case HS_ST_DONE: return "DONE";
    case HS_ST_GONE: return "GONE";
    default: return "(not a state)";
    }
}

/* Bytes with CR, LF, TAB, backslash, quote and non-printing bytes made visible. */
static void print_escaped(const hs_byte *p, size_t from, size_t to)
{
    putchar('"');
    for (size_t i = from; i < to; i++) {
        unsigned c = p[i];
        if (c == '\r')
            fputs("\\r", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c == '\\')
            fputs("\\\\", stdout);
        else if (c == '"')
            fputs("\\\"", stdout);
        else if (c < 0x20u || c >= 0x7Fu)
            printf("\\x%02X", c);
        else
            putchar((int)c);
    }
    putchar('"');
}

/* Prints a window of at most 400 bytes around offset `at`. */
static void print_window(const char *label, const hs_byte *p, size_t n, size_t at)
{
    size_t from = at > 120u ? at - 120u : 0u;
    size_t to = n - from > 400u ? from + 400u : n;
    printf("    %-8s (%zu bytes): ", label, n);
    if (from > 0u)
        printf("...");
    print_escaped(p, from, to);
    if (to < n)
        printf("...");
    putchar('\n');
}

static int check_bytes(const hs_byte *exp, size_t elen, const hs_byte *act, size_t alen,
                       const char *what, const char *file, int line)
{
    size_t i, n = elen < alen ? elen : alen;
    for (i = 0; i < n; i++) {
        if (exp[i] != act[i])
            break;
    }
    if (i == n && elen == alen)
        return 1;
    fail_here(file, line);
    printf("%s: bytes differ at offset %zu", what, i);
    if (i < n)
        printf(" (expected 0x%02X, actual 0x%02X)", exp[i], act[i]);
    else
        printf(" (%s is shorter)", elen < alen ? "expected" : "actual");
    putchar('\n');
    print_window("expected", exp, elen, i);
    print_window("actual", act, alen, i);
    return 0;
}

static int check_u(uint64_t exp, uint64_t act, const char *what, const char *file, int line)
{
    if (exp == act)
        return 1;
    fail_here(file, line);
    printf("%s: expected %llu, actual %llu\n", what, (unsigned long long)exp, (unsigned long long)act);
    return 0;
}

static int check_rule(enum hs_rule exp, enum hs_rule act, const char *what, const char *file, int line)
{
    if (exp == act)
        return 1;
    fail_here(file, line);
    printf("%s: expected rule %s, actual %s\n", what, rule_name(exp), rule_name(act));
    return 0;
}

static int check_state(unsigned exp, unsigned act, const char *what, const char *file, int line)
{
    if (exp == act)
        return 1;
    fail_here(file, line);
    printf("%s: expected state %s, actual %s (%u)\n", what, state_name(exp), state_name(act), act);
    return 0;
}

static int find(const hs_byte *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0u)
        return 1;
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    }
    return 0;
}

static int check_find(int want, const hs_byte *hay, size_t n, const char *needle,
                      const char *file, int line)
{
    if (find(hay, n, needle) == want)
        return 1;
    fail_here(file, line);
    printf("expected the bytes %s", want ? "to contain " : "not to contain ");
    print_escaped((const hs_byte *)needle, 0, strlen(needle));
    putchar('\n');
    print_window("actual", hay, n, 0);
    return 0;
}

#define CHECK(cond) \
    do { if (!(cond)) { fail_here(__FILE__, __LINE__); printf("check failed: %s\n", #cond); } } while (0)
#define CHECK_U(exp, act) check_u((uint64_t)(exp), (uint64_t)(act), #act, __FILE__, __LINE__)
#define CHECK_RULE(exp, act) check_rule((exp), (act), #act, __FILE__, __LINE__)
#define CHECK_STATE(exp, act) check_state((exp), (act), #act, __FILE__, __LINE__)
#define CHECK_BYTES(exp, elen, act, alen) \
    check_bytes((exp), (elen), (act), (alen), #act, __FILE__, __LINE__)
/* Compares with a C string (which must not hold a NUL byte). */
#define CHECK_STR(exp, act, alen) \
    check_bytes((const hs_byte *)(exp), strlen(exp), (act), (alen), #act, __FILE__, __LINE__)
#define CHECK_CONTAINS(hay, n, s) check_find(1, (hay), (n), (s), __FILE__, __LINE__)
#define CHECK_LACKS(hay, n, s) check_find(0, (hay), (n), (s), __FILE__, __LINE__)

static void run(const char *name, void (*fn)(void))
{
    t_name = name;
    t_failed = 0;
    fn();
    if (t_failed == 0) {
        n_passed++;
        if (verbose)
            printf("ok   %s\n", name);
    } else {
        n_failed++;
    }
}

#define RUN(fn) run(#fn, fn)

/* ======================================================================== */
/* Fixtures                                                                 */
/* ======================================================================== */

#define B(s) ((const hs_byte *)(s))

#define DATE "Tue, 22 Sep 2020 07:17:30 GMT"
#define TOKEN "Microsoft-HTTPAPI/2.0"
#define ID 0x1122334455667788ull

static const struct hs_date date29v = { DATE };   /* 29 bytes, no NUL */
static struct hs_config cfg0 = { 0u, 21u, (const hs_byte *)TOKEN };

/* Lines of the head as spec 03-wire.md section 3.1 lays them out. */
#define SL200 "HTTP/1.1 200 OK\r\n"
#define SL418 "HTTP/1.1 418 I'm a teapot\r\n"
#define SRV "Server: " TOKEN "\r\n"
#define DATEL "Date: " DATE "\r\n"
#define CLOSEL "Connection: close\r\n"
#define CL(n) "Content-Length: " n "\r\n"
#define END "\r\n"

static void resp_init(struct hs_response *r, uint16_t status, const char *reason)
{
    memset(r, 0, sizeof *r);
    r->major = 1;
    r->minor = 1;
    r->status = status;
    r->reason_len = (uint16_t)strlen(reason);
    r->reason = B(reason);
}

static void known(struct hs_response *r, int id, const char *v)
{
    r->known[id].len = (uint16_t)strlen(v);
    r->known[id].value = B(v);
}

static struct hs_unknown_header unk(const char *name, const char *value)
{
    struct hs_unknown_header u;
    u.name_len = (uint16_t)strlen(name);
    u.value_len = (uint16_t)strlen(value);
    u.name = B(name);
    u.value = B(value);
    return u;
}

static struct hs_chunk mem(const char *s)
{
    struct hs_chunk k;
    memset(&k, 0, sizeof k);
    k.type = HttpDataChunkFromMemory;
    k.data = B(s);
    k.len = (uint32_t)strlen(s);
    return k;
}

/* A FromFileHandle chunk over a file whose whole content is `content`. */
static struct hs_chunk file_range(const char *content, uint64_t start, uint64_t length)
{
    struct hs_chunk k;
    memset(&k, 0, sizeof k);
    k.type = HttpDataChunkFromFileHandle;
    k.data = B(content);
    k.len = (uint32_t)strlen(content);
    k.start = start;
    k.length = length;
    return k;
}

/* A FromFragmentCache chunk naming a fragment that is in the cache. */
static struct hs_chunk frag(const char *content)
{
    struct hs_chunk k;
    memset(&k, 0, sizeof k);
    k.type = HttpDataChunkFromFragmentCache;
    k.data = B(content);
    k.len = (uint32_t)strlen(content);
    k.name_len = 6;
    k.present = 1;
    return k;
}

/* A FromFragmentCacheEx chunk with a byte range, fragment in the cache. */
static struct hs_chunk frag_ex(const char *content, uint64_t start, uint64_t length)
{
    struct hs_chunk k = file_range(content, start, length);
    k.type = HttpDataChunkFromFragmentCacheEx;
    k.name_len = 6;
    k.present = 1;
    return k;
}

static void send_call(struct hs_call *c, const struct hs_response *r, uint32_t flags)
{
    memset(c, 0, sizeof *c);
    c->function = HS_FN_SEND_RESPONSE;
    c->handle = HS_HANDLE_QUEUE;
    c->request_id = ID;
    c->flags = flags;
    c->response = r;
}

static void body_call(struct hs_call *c, const struct hs_chunk *k, uint16_t n, uint32_t flags)
{
    memset(c, 0, sizeof *c);
    c->function = HS_FN_SEND_BODY;
    c->handle = HS_HANDLE_QUEUE;
    c->request_id = ID;
    c->flags = flags;
    c->chunk_count = n;
    c->chunks = k;
}

/* An exchange for request id ID; verb and version of the request. */
static void exch(struct hs_exchange *x, uint8_t state, uint8_t verb, uint8_t major, uint8_t minor)
{
    memset(x, 0, sizeof *x);
    x->id = ID;
    x->state = state;
    x->request.verb = verb;
    x->request.major = major;
    x->request.minor = minor;
}

/* The usual request: GET over HTTP/1.1 with Connection: keep-alive, nothing sent yet. */
static void exch_get11(struct hs_exchange *x)
{
    exch(x, HS_ST_RECEIVED, HttpVerbGET, 1, 1);
    x->request.conn_keep_alive = 1;
}

/* The bytes of one accepted call, as a host (api.c) composes them. */
struct wire {
    enum hs_rule rule;
    struct hs_plan plan;
    hs_byte *bytes;     /* head then body; NULL when the call was rejected */
    size_t len;
    size_t head_len;
};

#define CANARY 0xA5u        /* never part of a head: it is not ASCII */
#define GUARD 32u

/* Checks, plans, measures and renders an HttpSendHttpResponse call; every
 * step is checked for consistency (measure == render, body == plan, nothing
 * written past the measured size). The caller frees w.bytes. */
static struct wire do_send(const struct hs_call *c, const struct hs_exchange *x, const struct hs_config *cfg)
{
    struct wire w;
    size_t h, b, h2, b2;
    memset(&w, 0, sizeof w);
    w.rule = hs_check_send_response(c, x);
    if (w.rule != HS_RULE_CALL_OK)
        return w;
    w.plan = hs_plan_response(c, x, cfg);
    h = hs_render_head(c->response, w.plan, cfg, date29v, NULL, 0);
    b = hs_render_body(c->response->chunks, c->response->chunk_count, NULL, 0);
    CHECK_U(w.plan.body_len, b);
    w.bytes = malloc(h + b + GUARD);
    if (w.bytes == NULL) {
        CHECK(!"out of memory");
        return w;
    }
    memset(w.bytes, CANARY, h + b + GUARD);
    h2 = hs_render_accepted_head(c->response, w.plan, cfg, date29v, w.bytes, h);
    b2 = hs_render_body(c->response->chunks, c->response->chunk_count, w.bytes + h, b);
    CHECK_U(h, h2);
    CHECK_U(b, b2);
    for (size_t i = 0; i < GUARD; i++)
        CHECK_U(CANARY, w.bytes[h + b + i]);
    w.len = h + b;
    w.head_len = h;
    return w;
}

/* The same for an HttpSendResponseEntityBody call. */
static struct wire do_body(const struct hs_call *c, const struct hs_exchange *x)
{
    struct wire w;
    size_t b, b2;
    memset(&w, 0, sizeof w);
    w.rule = hs_check_send_body(c, x);
    if (w.rule != HS_RULE_CALL_OK)
        return w;
    w.plan = hs_plan_body(c, x);
    b = hs_render_body(c->chunks, c->chunk_count, NULL, 0);
    CHECK_U(w.plan.body_len, b);
    w.bytes = malloc(b + GUARD);
    if (w.bytes == NULL) {
        CHECK(!"out of memory");
        return w;
    }
    memset(w.bytes, CANARY, b + GUARD);
    b2 = hs_render_body(c->chunks, c->chunk_count, w.bytes, b);
    CHECK_U(b, b2);
    for (size_t i = 0; i < GUARD; i++)
        CHECK_U(CANARY, w.bytes[b + i]);
    w.len = b;
    return w;
}

/* Sends `r` with `flags` for request `x` (config cfg0), expects success and
 * compares all bytes with `exp`. Returns the plan. */
#define EXPECT_SEND(r, flags, x, exp) expect_send((r), (flags), (x), &cfg0, (exp), __FILE__, __LINE__)

static struct hs_plan expect_send(const struct hs_response *r, uint32_t flags, const struct hs_exchange *x,
                                  const struct hs_config *cfg, const char *exp, const char *file, int line)
{
    struct hs_call c;
    struct wire w;
    send_call(&c, r, flags);
    w = do_send(&c, x, cfg);
    if (!check_rule(HS_RULE_CALL_OK, w.rule, "hs_check_send_response", file, line))
        return w.plan;
    check_bytes(B(exp), strlen(exp), w.bytes, w.len, "wire bytes", file, line);
    free(w.bytes);
    return w.plan;
}

/* The rule and code of an HttpSendHttpResponse call with a violation. */
#define EXPECT_SEND_RULE(c, x, rule, code) expect_rule(0, (c), (x), (rule), (code), __FILE__, __LINE__)
#define EXPECT_BODY_RULE(c, x, rule, code) expect_rule(1, (c), (x), (rule), (code), __FILE__, __LINE__)

static void expect_rule(int body, const struct hs_call *c, const struct hs_exchange *x,
                        enum hs_rule rule, uint32_t code, const char *file, int line)
{
    struct hs_exchange before;
    enum hs_rule r;
    if (x != NULL)
        before = *x;
    r = body ? hs_check_send_body(c, x) : hs_check_send_response(c, x);
    check_rule(rule, r, body ? "hs_check_send_body" : "hs_check_send_response", file, line);
    check_u(code, hs_rule_error(r), "hs_rule_error", file, line);
    /* A failed call leaves the exchange as it was (chapter 2, general requirements). */
    if (x != NULL && memcmp(&before, x, sizeof before) != 0) {
        fail_here(file, line);
        printf("the check changed the exchange\n");
    }
}

/* ======================================================================== */
/* Worked examples of spec 03-wire.md section 3.8 and the Windows facts      */
/* ======================================================================== */

/* WIRE-STATUS-LINE, WIRE-KNOWN-HEADER, WIRE-SERVER, WIRE-DATE, WIRE-CL-AUTO,
 * WIRE-VERSION-IGNORED, WIRE-HEADER-ORDER (reference order), CONN-PERSISTENT:
 * example 1, status 418 with known slot 25 Retry-After 120, Version {0,0}. */
static void test_example1_teapot_retry_after_exact_head(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    struct hs_plan p;
    const char *exp = SL418 "Retry-After: 120\r\n" SRV DATEL CL("0") END;
    resp_init(&r, 418, "I'm a teapot");
    r.major = 0;
    r.minor = 0;
    known(&r, 25, "120");
    exch_get11(&x);
    CHECK_U(134, strlen(exp));     /* 27 + 18 + 31 + 37 + 19 + 2, as the spec counts */
    p = EXPECT_SEND(&r, 0, &x, exp);
    CHECK_U(1, p.auto_length);
    CHECK_U(0, p.body_len);
    CHECK_U(0, p.connection_close);
    CHECK_U(0, p.close_after);
    CHECK_STATE(HS_ST_DONE, p.next_state);
    /* Asynchronous (an OVERLAPPED): same result and bytes (CONN-ASYNC-RESULT). */
    send_call(&c, &r, 0);
    c.overlapped = 1;
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
    CHECK_U(134, hs_render_head(&r, hs_plan_response(&c, &x, &cfg0), &cfg0, date29v, NULL, 0));
}

/* WIRE-CL-AUTO, WIRE-BODY: example 2, POST, two memory chunks "pong" and
 * "pang", no Content-Length from the application -> Content-Length: 8. */
static void test_example2_pong_pang_auto_content_length_8(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[2];
    struct hs_plan p;
    resp_init(&r, 418, "I'm a teapot");
    k[0] = mem("pong");
    k[1] = mem("pang");
    r.chunk_count = 2;
    r.chunks = k;
    exch(&x, HS_ST_RECEIVED, HttpVerbPOST, 1, 1);
    p = EXPECT_SEND(&r, 0, &x, SL418 SRV DATEL CL("8") END "pongpang");
    CHECK_U(8, p.body_len);
    CHECK_U(1, p.auto_length);
}

/* WIRE-CL-APP, WIRE-BODY: the application's Content-Length: 6 with 8 body
 * bytes is written verbatim, no automatic one, and the body is not truncated. */
static void test_app_content_length_6_with_8_bytes_passes_through(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[2];
    struct hs_plan p;
    resp_init(&r, 418, "I'm a teapot");
    known(&r, HttpHeaderContentLength, "6");
    k[0] = mem("pong");
    k[1] = mem("pang");
    r.chunk_count = 2;
    r.chunks = k;
    exch(&x, HS_ST_RECEIVED, HttpVerbPOST, 1, 1);
    p = EXPECT_SEND(&r, 0, &x, SL418 CL("6") SRV DATEL END "pongpang");
    CHECK_U(0, p.auto_length);
    CHECK_U(8, p.body_len);
}

/* WIRE-DATE: the application's Date "yesteryear" never reaches the wire;
 * the generated Date line is written after the unknown headers. */
static void test_app_date_yesteryear_replaced_by_generated_date(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    struct wire w;
    resp_init(&r, 418, "I'm a teapot");
    known(&r, HttpHeaderDate, "yesteryear");
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, SL418 SRV DATEL CL("0") END);
    send_call(&c, &r, 0);
    w = do_send(&c, &x, &cfg0);
    CHECK_LACKS(w.bytes, w.len, "yesteryear");
    free(w.bytes);
}

/* WIRE-CL-APP, WIRE-DATE, WIRE-BODY: example 3 as a whole (Content-Length 6,
 * Date yesteryear, pong + pang). */
static void test_example3_app_length_and_date_exact_bytes(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[2];
    resp_init(&r, 418, "I'm a teapot");
    known(&r, HttpHeaderContentLength, "6");
    known(&r, HttpHeaderDate, "yesteryear");
    k[0] = mem("pong");
    k[1] = mem("pang");
    r.chunk_count = 2;
    r.chunks = k;
    exch(&x, HS_ST_RECEIVED, HttpVerbPOST, 1, 1);
    EXPECT_SEND(&r, 0, &x, SL418 CL("6") SRV DATEL END "pongpang");
}

/* WIRE-CL-NONE-MORE-DATA, CONN-MORE-DATA, WIRE-BODY, CONN-BYTES-SENT,
 * CONN-ID-DIES, CALL-ID-FINISHED: example 4. Head with MORE_DATA (pong, pang),
 * a body call with MORE_DATA and no chunks, a final body call foo + bar. */
static void test_example4_more_data_head_then_two_body_calls(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[2], fb[2];
    struct hs_call c;
    struct wire w;
    hs_byte all[256];
    size_t n = 0;
    const char *exp = SL418 SRV DATEL END "pongpangfoobar";

    resp_init(&r, 418, "I'm a teapot");
    k[0] = mem("pong");
    k[1] = mem("pang");
    r.chunk_count = 2;
    r.chunks = k;
    exch(&x, HS_ST_RECEIVED, HttpVerbPOST, 1, 1);

    /* 1. HttpSendHttpResponse, MORE_DATA */
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    w = do_send(&c, &x, &cfg0);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_U(0, w.plan.auto_length);
    CHECK_U(8, w.plan.body_len);
    CHECK_U(0, w.plan.close_after);
    CHECK_STATE(HS_ST_STREAMING, w.plan.next_state);
    CHECK_STR(SL418 SRV DATEL END "pongpang", w.bytes, w.len);
    CHECK_LACKS(w.bytes, w.len, "Content-Length");
    CHECK_STATE(HS_ST_STREAMING, hs_commit(&x, w.plan, w.len));
    /* CONN-BYTES-SENT-HEAD: the reference counts every byte of a head call */
    CHECK_U(w.len, hs_call_counts(HS_FN_SEND_RESPONSE, w.plan, w.len).bytes_sent);
    CHECK_U(w.len, hs_call_counts(HS_FN_SEND_RESPONSE, w.plan, w.len).completion);
    if (w.len <= sizeof all - n) {
        memcpy(all + n, w.bytes, w.len);
        n += w.len;
    }
    free(w.bytes);
    CHECK_STATE(HS_ST_STREAMING, x.state);

    /* 2. HttpSendResponseEntityBody, MORE_DATA, no chunks, NULL array */
    body_call(&c, NULL, 0, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    w = do_body(&c, &x);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_U(0, w.plan.body_len);
    CHECK_U(0, w.len);
    CHECK_U(0, w.plan.close_after);
    CHECK_STATE(HS_ST_STREAMING, w.plan.next_state);
    CHECK_STATE(HS_ST_STREAMING, hs_commit(&x, w.plan, w.len));
    free(w.bytes);

    /* 3. HttpSendResponseEntityBody, flags 0, foo + bar, BytesSent wanted */
    fb[0] = mem("foo");
    fb[1] = mem("bar");
    body_call(&c, fb, 2, 0);
    c.bytes_sent_wanted = 1;
    w = do_body(&c, &x);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_U(6, w.plan.body_len);       /* *BytesSent = 6 (CONN-BYTES-SENT) */
    CHECK_U(6, hs_call_counts(HS_FN_SEND_BODY, w.plan, w.len).bytes_sent);
    CHECK_U(6, hs_call_counts(HS_FN_SEND_BODY, w.plan, w.len).completion);
    CHECK_STR("foobar", w.bytes, w.len);
    CHECK_STATE(HS_ST_DONE, w.plan.next_state);
    CHECK_STATE(HS_ST_DONE, hs_commit(&x, w.plan, w.len));
    if (w.len <= sizeof all - n) {
        memcpy(all + n, w.bytes, w.len);
        n += w.len;
    }
    free(w.bytes);

    CHECK_STR(exp, all, n);
    CHECK_U(strlen(exp), x.wire_bytes);
    CHECK_U(0, x.close_after);

    /* The id is dead now, for both functions. */
    EXPECT_BODY_RULE(&c, &x, HS_RULE_CALL_ID_FINISHED, ERROR_CONNECTION_INVALID);
    send_call(&c, &r, 0);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_CALL_ID_FINISHED, ERROR_CONNECTION_INVALID);
}

/* WIRE-STATUS-LINE, WIRE-CL-NONE-TE: example 5, status 999 with an empty
 * reason and the application's Transfer-Encoding: chunked, 118 bytes. */
static void test_example5_status_999_empty_reason_chunked(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_plan p;
    const char *exp = "HTTP/1.1 999 \r\nTransfer-Encoding: chunked\r\n" SRV DATEL END "0\r\n\r\n";
    resp_init(&r, 999, "");
    known(&r, HttpHeaderTransferEncoding, "chunked");
    k[0] = mem("0\r\n\r\n");
    r.chunk_count = 1;
    r.chunks = k;
    exch_get11(&x);
    CHECK_U(118, strlen(exp));
    p = EXPECT_SEND(&r, 0, &x, exp);
    CHECK_U(0, p.auto_length);
}

/* WIRE-STATUS-LINE: status 999, empty reason, no other header: the space
 * after the code is still written. */
static void test_status_999_empty_reason_status_line(void)
{
    struct hs_response r;
    struct hs_exchange x;
    resp_init(&r, 999, "");
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, "HTTP/1.1 999 \r\n" SRV DATEL CL("0") END);
    /* A NULL reason with length 0 is valid and not read (CALL-POINTER-NULL). */
    r.reason = NULL;
    EXPECT_SEND(&r, 0, &x, "HTTP/1.1 999 \r\n" SRV DATEL CL("0") END);
}

/* WIRE-CONNECTION-CLOSE, CONN-HTTP10-CLOSE, WIRE-VERSION-IGNORED: example 6,
 * HTTP/1.0 GET, Keep-Alive: true and Content-Length: 5 from the application,
 * 148 bytes, the connection closes. */
static void test_example6_http10_request_exact_bytes(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_plan p;
    const char *exp = SL200 "Keep-Alive: true\r\n" CL("5") SRV DATEL CLOSEL END "hello";
    resp_init(&r, 200, "OK");
    known(&r, 3, "true");
    known(&r, HttpHeaderContentLength, "5");
    k[0] = mem("hello");
    r.chunk_count = 1;
    r.chunks = k;
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 0);
    CHECK_U(148, strlen(exp));
    p = EXPECT_SEND(&r, 0, &x, exp);
    CHECK_U(1, p.connection_close);
    CHECK_U(1, p.close_after);
}

/* WIRE-CL-APP, WIRE-CL-NONE-1XX-304: example 7, status 100 with the
 * application's Content-Length: 0 (112 bytes); the same for 101 (without
 * OPAQUE), 204, 205 and 304, with the byte counts observed on Windows. */
static void test_example7_1xx_204_304_with_app_length_0(void)
{
    static const struct { uint16_t status; const char *reason; size_t len; } v[] = {
        { 100, "Continue", 112 }, { 101, "Switching Protocols", 123 }, { 204, "No Content", 114 },
        { 205, "Reset Content", 117 }, { 304, "Not Modified", 116 },
    };
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    struct wire w;
    char exp[256];
    exch_get11(&x);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        resp_init(&r, v[i].status, v[i].reason);
        known(&r, HttpHeaderContentLength, "0");
        snprintf(exp, sizeof exp, "HTTP/1.1 %u %s\r\n" CL("0") SRV DATEL END, (unsigned)v[i].status, v[i].reason);
        CHECK_U(v[i].len, strlen(exp));
        send_call(&c, &r, 0);
        w = do_send(&c, &x, &cfg0);
        CHECK_RULE(HS_RULE_CALL_OK, w.rule);
        CHECK_STR(exp, w.bytes, w.len);
        CHECK_U(0, w.plan.auto_length);
        CHECK_U(0, w.plan.close_after);         /* a 101 without OPAQUE is ordinary */
        CHECK_STATE(HS_ST_DONE, w.plan.next_state);
        free(w.bytes);
    }
}

/* WIRE-SERVER-DISABLED: example 8, DisableServerHeader 2 with the
 * application's Server value probe/1.0, and without it. */
static void test_example8_server_mode_2(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_config cfg2 = cfg0;
    struct hs_plan p;
    cfg2.server_mode = HS_SERVER_MODE_NO_TOKEN;
    resp_init(&r, 200, "OK");
    known(&r, HttpHeaderServer, "probe/1.0");
    k[0] = mem("hello");
    r.chunk_count = 1;
    r.chunks = k;
    exch_get11(&x);
    p = expect_send(&r, 0, &x, &cfg2, SL200 "Server: probe/1.0\r\n" DATEL CL("5") END "hello", __FILE__, __LINE__);
    CHECK_U(HS_SERVER_APP, p.server);
    r.known[HttpHeaderServer].len = 0;
    p = expect_send(&r, 0, &x, &cfg2, SL200 DATEL CL("5") END "hello", __FILE__, __LINE__);
    CHECK_U(HS_SERVER_NONE, p.server);
}

/* ======================================================================== */
/* Server line                                                              */
/* ======================================================================== */

/* WIRE-SERVER: mode 0 without an application value: the token alone. */
static void test_server_mode0_token_only(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CL("0") END);
    CHECK_U(HS_SERVER_TOKEN, p.server);
}

/* WIRE-SERVER: mode 0 with the application's value Foo: "Foo <token>". */
static void test_server_mode0_app_value_then_token(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    known(&r, HttpHeaderServer, "Foo");
    exch_get11(&x);
    p = EXPECT_SEND(&r, 0, &x, SL200 "Server: Foo Microsoft-HTTPAPI/2.0\r\n" DATEL CL("0") END);
    CHECK_U(HS_SERVER_APP_TOKEN, p.server);
}

/* WIRE-SERVER-DISABLED: mode 1 behaves as mode 0 for HttpSendHttpResponse. */
static void test_server_mode1_same_as_mode0(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_config cfg1 = cfg0;
    cfg1.server_mode = HS_SERVER_MODE_OWN_RESPONSES;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    expect_send(&r, 0, &x, &cfg1, SL200 SRV DATEL CL("0") END, __FILE__, __LINE__);
    known(&r, HttpHeaderServer, "Foo");
    expect_send(&r, 0, &x, &cfg1, SL200 "Server: Foo " TOKEN "\r\n" DATEL CL("0") END, __FILE__, __LINE__);
}

/* WIRE-SERVER-DISABLED: mode 2 with and without the application's value. */
static void test_server_mode2_app_value_only_or_no_line(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_config cfg2 = cfg0;
    cfg2.server_mode = HS_SERVER_MODE_NO_TOKEN;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    expect_send(&r, 0, &x, &cfg2, SL200 DATEL CL("0") END, __FILE__, __LINE__);
    known(&r, HttpHeaderServer, "Foo");
    expect_send(&r, 0, &x, &cfg2, SL200 "Server: Foo\r\n" DATEL CL("0") END, __FILE__, __LINE__);
}

/* WIRE-SERVER: the token comes from the configuration. */
static void test_server_token_from_config(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_config cfg = { 0u, 6u, (const hs_byte *)"Test/9" };
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    expect_send(&r, 0, &x, &cfg, SL200 "Server: Test/9\r\n" DATEL CL("0") END, __FILE__, __LINE__);
    known(&r, HttpHeaderServer, "app/1");
    expect_send(&r, 0, &x, &cfg, SL200 "Server: app/1 Test/9\r\n" DATEL CL("0") END, __FILE__, __LINE__);
}

/* WIRE-SERVER, WIRE-UNKNOWN-HEADER: an unknown header named Server is an
 * ordinary line and does not replace the Server line. */
static void test_unknown_server_header_does_not_replace_server_line(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_unknown_header u[1];
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    u[0] = unk("Server", "mine");
    r.unknown_count = 1;
    r.unknown = u;
    exch_get11(&x);
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV "Server: mine\r\n" DATEL CL("0") END);
    CHECK_U(HS_SERVER_TOKEN, p.server);
}

/* ======================================================================== */
/* Content-Length                                                           */
/* ======================================================================== */

/* WIRE-CL-NONE-HEAD, WIRE-BODY-NOT-SUPPRESSED: HEAD gets no automatic
 * Content-Length, but the entity bytes given are still written. */
static void test_head_request_no_auto_length_body_still_sent(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    k[0] = mem("hello");
    r.chunk_count = 1;
    r.chunks = k;
    exch(&x, HS_ST_RECEIVED, HttpVerbHEAD, 1, 1);
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL END "hello");
    CHECK_U(0, p.auto_length);
    CHECK_U(5, p.body_len);
}

/* WIRE-CL-NONE-HEAD, WIRE-CL-APP: HEAD with the application's value 20. */
static void test_head_request_app_length_passes(void)
{
    struct hs_response r;
    struct hs_exchange x;
    resp_init(&r, 200, "OK");
    known(&r, HttpHeaderContentLength, "20");
    exch(&x, HS_ST_RECEIVED, HttpVerbHEAD, 1, 1);
    EXPECT_SEND(&r, 0, &x, SL200 CL("20") SRV DATEL END);
}

/* WIRE-CL-NONE-NO-CONTENT, WIRE-BODY-NOT-SUPPRESSED: 204 without a length
 * of its own; bytes given are not dropped. */
static void test_status_204_no_auto_length(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    resp_init(&r, 204, "No Content");
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, "HTTP/1.1 204 No Content\r\n" SRV DATEL END);
    k[0] = mem("xy");
    r.chunk_count = 1;
    r.chunks = k;
    EXPECT_SEND(&r, 0, &x, "HTTP/1.1 204 No Content\r\n" SRV DATEL END "xy");
}

/* WIRE-CL-NONE-1XX-304 (reference choice), WIRE-BODY-NOT-SUPPRESSED: 304. */
static void test_status_304_no_auto_length(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    resp_init(&r, 304, "Not Modified");
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, "HTTP/1.1 304 Not Modified\r\n" SRV DATEL END);
    k[0] = mem("xy");
    r.chunk_count = 1;
    r.chunks = k;
    EXPECT_SEND(&r, 0, &x, "HTTP/1.1 304 Not Modified\r\n" SRV DATEL END "xy");
}

/* WIRE-CL-NONE-1XX-304 (reference choice): 100, 101 and 199 have no
 * automatic length; 200, 205 and 999 have one (the edges of the ranges). */
static void test_status_1xx_no_auto_length_edges(void)
{
    static const uint16_t none[] = { 100, 101, 150, 199, 204, 304 };
    static const uint16_t some[] = { 200, 203, 205, 303, 305, 404, 599, 999 };
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    exch_get11(&x);
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        resp_init(&r, none[i], "X");
        send_call(&c, &r, 0);
        CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
        CHECK_U(0, hs_plan_response(&c, &x, &cfg0).auto_length);
    }
    for (size_t i = 0; i < sizeof some / sizeof some[0]; i++) {
        resp_init(&r, some[i], "X");
        send_call(&c, &r, 0);
        CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
        CHECK_U(1, hs_plan_response(&c, &x, &cfg0).auto_length);
    }
    resp_init(&r, 100, "Continue");
    EXPECT_SEND(&r, 0, &x, "HTTP/1.1 100 Continue\r\n" SRV DATEL END);
}

/* WIRE-CL-NONE-TE: the application's Transfer-Encoding suppresses the
 * automatic length; the body framing is passed through (WIRE-BODY). */
static void test_app_transfer_encoding_no_auto_length(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    resp_init(&r, 200, "OK");
    known(&r, HttpHeaderTransferEncoding, "chunked");
    k[0] = mem("3\r\nabc\r\n0\r\n\r\n");
    r.chunk_count = 1;
    r.chunks = k;
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, SL200 "Transfer-Encoding: chunked\r\n" SRV DATEL END "3\r\nabc\r\n0\r\n\r\n");
}

/* WIRE-UNKNOWN-HEADER, WIRE-CL-AUTO: an unknown header named Content-Length
 * is not the known one: the automatic length is added as well. */
static void test_unknown_content_length_header_gets_auto_length_too(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_unknown_header u[1];
    struct hs_chunk k[1];
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    u[0] = unk("Content-Length", "99");
    r.unknown_count = 1;
    r.unknown = u;
    k[0] = mem("abc");
    r.chunk_count = 1;
    r.chunks = k;
    exch_get11(&x);
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV "Content-Length: 99\r\n" DATEL CL("3") END "abc");
    CHECK_U(1, p.auto_length);
}

/* WIRE-UNKNOWN-HEADER: unknown Transfer-Encoding, Date and Connection have no
 * effect on the rules that look at the known slots. */
static void test_unknown_te_date_connection_have_no_effect(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_unknown_header u[3];
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    u[0] = unk("Transfer-Encoding", "chunked");
    u[1] = unk("Date", "yesteryear");
    u[2] = unk("Connection", "close");
    r.unknown_count = 3;
    r.unknown = u;
    exch_get11(&x);
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV "Transfer-Encoding: chunked\r\nDate: yesteryear\r\nConnection: close\r\n"
                    DATEL CL("0") END);
    CHECK_U(1, p.auto_length);
    CHECK_U(0, p.close_after);      /* CONN-APP-CLOSE looks at the known slot only */
    CHECK_U(0, p.connection_close);
}

/* WIRE-CL-AUTO: no chunks -> Content-Length: 0; N in decimal without leading
 * zeros, also above 2^32 (two 4 GiB - 1 file ranges; plan and head only,
 * the body is not rendered). */
static void test_auto_length_decimal_values(void)
{
    static const hs_byte one[1] = { 'z' };
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[2];
    struct hs_call c;
    struct hs_plan p;
    hs_byte buf[256];
    size_t n;
    const char *exp = SL200 SRV DATEL CL("8589934590") END;
    exch_get11(&x);
    resp_init(&r, 200, "OK");
    for (int i = 0; i < 2; i++) {
        memset(&k[i], 0, sizeof k[i]);
        k[i].type = HttpDataChunkFromFileHandle;
        k[i].data = one;                /* the host's view of a 4 GiB file; never read here */
        k[i].len = 0xFFFFFFFFu;
        k[i].start = 0;
        k[i].length = HTTP_BYTE_RANGE_TO_EOF;
    }
    r.chunk_count = 2;
    r.chunks = k;
    send_call(&c, &r, 0);
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
    p = hs_plan_response(&c, &x, &cfg0);
    CHECK_U(8589934590ull, p.body_len);
    n = hs_render_head(&r, p, &cfg0, date29v, buf, sizeof buf);
    CHECK(n <= sizeof buf);
    if (n <= sizeof buf)
        CHECK_STR(exp, buf, n);

    /* 10 bytes: two digits. */
    k[0] = mem("0123456789");
    r.chunk_count = 1;
    EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CL("10") END "0123456789");
}

/* ======================================================================== */
/* Header lines from the application                                        */
/* ======================================================================== */

/* WIRE-KNOWN-HEADER, WIRE-HEADER-ORDER: every known slot but Date (2) and
 * Server (26) with a value: ascending id, spelled as in spec 01 section 1.4. */
static void test_all_known_header_names_in_id_order(void)
{
    static const char *const names[HttpHeaderResponseMaximum] = { HS_KNOWN_HEADER_NAMES };
    static char values[HttpHeaderResponseMaximum][8];
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    char exp[2048];
    size_t n;
    resp_init(&r, 200, "OK");
    n = (size_t)snprintf(exp, sizeof exp, SL200);
    for (int i = 0; i < HttpHeaderResponseMaximum; i++) {
        if (i == HttpHeaderDate)
            continue;
        if (i == HttpHeaderServer) {
            n += (size_t)snprintf(exp + n, sizeof exp - n, SRV);
            continue;
        }
        snprintf(values[i], sizeof values[i], "v%d", i);
        known(&r, i, values[i]);
        n += (size_t)snprintf(exp + n, sizeof exp - n, "%s: %s\r\n", names[i], values[i]);
    }
    /* Connection "v1" is not close; HTTP/1.1: no generated close line. Known
     * Content-Length and Transfer-Encoding: no automatic length. */
    snprintf(exp + n, sizeof exp - n, DATEL END);
    exch_get11(&x);
    p = EXPECT_SEND(&r, 0, &x, exp);
    CHECK_U(0, p.auto_length);
    CHECK_U(0, p.connection_close);
    CHECK_U(0, p.close_after);
}

/* WIRE-KNOWN-EMPTY-OMITTED: a slot with length 0 gives no line, whatever its
 * pointer (NULL or a value that must not be read). */
static void test_known_header_len_0_omitted(void)
{
    struct hs_response r;
    struct hs_exchange x;
    resp_init(&r, 200, "OK");
    r.known[12].len = 0;
    r.known[12].value = B("text/plain");
    r.known[0].len = 0;
    r.known[0].value = NULL;
    r.known[HttpHeaderServer].len = 0;
    r.known[HttpHeaderServer].value = B("Foo");
    r.known[HttpHeaderConnection].len = 0;
    r.known[HttpHeaderConnection].value = B("close");
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CL("0") END);
}

/* WIRE-KNOWN-HEADER: bytes 0x80..0xFF pass unchanged; WIRE-STATUS-LINE:
 * HTAB and surrounding spaces in the reason are kept. */
static void test_high_bytes_and_htab_pass_unchanged(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_unknown_header u[1];
    resp_init(&r, 200, " \tO K\t ");
    known(&r, 12, "text/\xC3\xA9\xFF\x80");
    u[0] = unk("X-\xE2\x82\xAC", "\xF0\x9F\x98\x80");
    r.unknown_count = 1;
    r.unknown = u;
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, "HTTP/1.1 200  \tO K\t \r\nContent-Type: text/\xC3\xA9\xFF\x80\r\n" SRV
                "X-\xE2\x82\xAC: \xF0\x9F\x98\x80\r\n" DATEL CL("0") END);
}

/* WIRE-UNKNOWN-HEADER: an unknown header with an empty value is written as
 * "<name>: \r\n" (reference variant); a NULL value pointer with length 0 is
 * valid and not read. */
static void test_unknown_header_empty_value(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_unknown_header u[2];
    resp_init(&r, 200, "OK");
    u[0] = unk("X-Empty", "");
    u[1] = unk("X-Null", "");
    u[1].value = NULL;
    r.unknown_count = 2;
    r.unknown = u;
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, SL200 SRV "X-Empty: \r\nX-Null: \r\n" DATEL CL("0") END);
}

/* WIRE-UNKNOWN-HEADER, WIRE-HEADER-ORDER: repeated names give one line each,
 * in array order, after the known headers (also those after slot 26). */
static void test_repeated_unknown_headers_kept_in_order(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_unknown_header u[4];
    resp_init(&r, 200, "OK");
    known(&r, 12, "text/plain");
    known(&r, 27, "a=1");
    u[0] = unk("X-A", "1");
    u[1] = unk("X-B", "2");
    u[2] = unk("X-A", "3");
    u[3] = unk("x-a", "4");
    r.unknown_count = 4;
    r.unknown = u;
    exch_get11(&x);
    EXPECT_SEND(&r, 0, &x, SL200 "Content-Type: text/plain\r\n" SRV "Set-Cookie: a=1\r\n"
                "X-A: 1\r\nX-B: 2\r\nX-A: 3\r\nx-a: 4\r\n" DATEL CL("0") END);
}

/* WIRE-VERSION-IGNORED: Version {0,0}, {1,0}, {1,1}, {2,0}, {65535,65535}
 * all give HTTP/1.1 and the same bytes. */
static void test_response_version_ignored(void)
{
    static const uint16_t v[][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 2, 0 }, { 65535, 65535 } };
    struct hs_response r;
    struct hs_exchange x;
    exch_get11(&x);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        resp_init(&r, 200, "OK");
        r.major = v[i][0];
        r.minor = v[i][1];
        EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CL("0") END);
    }
}

/* RESP-FLAGS (HTTP_RESPONSE.Flags has no effect on the bytes). */
static void test_response_flags_field_no_effect(void)
{
    struct hs_response r;
    struct hs_exchange x;
    exch_get11(&x);
    resp_init(&r, 200, "OK");
    r.flags = 0x3u;
    EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CL("0") END);
}

/* ======================================================================== */
/* Connection                                                               */
/* ======================================================================== */

/* CONN-PERSISTENT, WIRE-NOTHING-ELSE: HTTP/1.1 keep-alive: no Connection line,
 * the connection stays open. */
static void test_http11_keep_alive_stays_open(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CL("0") END);
    CHECK_U(0, p.connection_close);
    CHECK_U(0, p.close_after);
    /* Without a Connection header in the request, the same. */
    x.request.conn_keep_alive = 0;
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CL("0") END);
    CHECK_U(0, p.close_after);
}

/* WIRE-CONNECTION-CLOSE, CONN-HTTP10-CLOSE: HTTP/1.0 request without a
 * Connection header: Connection: close line and the connection closes. */
static void test_http10_request_connection_close_line(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 0);
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CLOSEL CL("0") END);
    CHECK_U(1, p.connection_close);
    CHECK_U(1, p.close_after);
}

/* CONN-HTTP10-CLOSE, CONN-PERSISTENT: which request versions close. 1.0
 * closes, 1.1 stays open; the reference also closes for versions below 1.0
 * (hs_logic.h: "HTTP/1.0 (and anything older)") and treats a later 1.x
 * minor such as 1.2 as 1.1 (RFC 9110 section 2.5). */
static void test_request_version_decides_http10_close(void)
{
    static const struct { uint8_t major, minor, closes; } v[] = {
        { 1, 0, 1 }, { 0, 9, 1 }, { 0, 0, 1 }, { 1, 1, 0 }, { 1, 2, 0 }, { 1, 9, 0 },
    };
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    send_call(&c, &r, 0);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        exch(&x, HS_ST_RECEIVED, HttpVerbGET, v[i].major, v[i].minor);
        CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
        p = hs_plan_response(&c, &x, &cfg0);
        if (!CHECK_U(v[i].closes, p.close_after) || !CHECK_U(v[i].closes, p.connection_close))
            printf("    (request HTTP/%u.%u)\n", (unsigned)v[i].major, (unsigned)v[i].minor);
    }
}

/* WIRE-CONNECTION-CLOSE, CONN-HTTP10-CLOSE: HTTP/1.0 with Connection:
 * keep-alive still closes. */
static void test_http10_keep_alive_request_still_closes(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    known(&r, 3, "timeout=5");       /* an application Keep-Alive changes nothing */
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 0);
    x.request.conn_keep_alive = 1;
    p = EXPECT_SEND(&r, 0, &x, SL200 "Keep-Alive: timeout=5\r\n" SRV DATEL CLOSEL CL("0") END);
    CHECK_U(1, p.connection_close);
    CHECK_U(1, p.close_after);
}

/* WIRE-CONNECTION-CLOSE-OTHER (reference writes the line), CONN-REQUEST-CLOSE:
 * HTTP/1.1 request with Connection: close. */
static void test_http11_request_close_line_and_close_after(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 1);
    x.request.conn_close = 1;
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CLOSEL CL("0") END);
    CHECK_U(1, p.connection_close);
    CHECK_U(1, p.close_after);
}

/* CONN-APP-CLOSE, WIRE-CONNECTION-CLOSE-OTHER: the application's known
 * Connection "close" (any case) is written verbatim, no generated line, and
 * the connection closes. */
static void test_app_connection_close_no_generated_line(void)
{
    static const char *const v[] = { "close", "Close", "CLOSE", "cLoSe" };
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    struct wire w;
    char exp[256];
    exch_get11(&x);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        resp_init(&r, 200, "OK");
        known(&r, HttpHeaderConnection, v[i]);
        snprintf(exp, sizeof exp, SL200 "Connection: %s\r\n" SRV DATEL CL("0") END, v[i]);
        send_call(&c, &r, 0);
        w = do_send(&c, &x, &cfg0);
        CHECK_RULE(HS_RULE_CALL_OK, w.rule);
        CHECK_STR(exp, w.bytes, w.len);
        CHECK_U(0, w.plan.connection_close);
        CHECK_U(1, w.plan.close_after);
        free(w.bytes);
    }
}

/* CONN-PERSISTENT, CONN-APP-CLOSE: an application Connection value other
 * than "close" keeps an HTTP/1.1 connection open. */
static void test_app_connection_other_value_stays_open(void)
{
    static const char *const v[] = { "keep-alive", "closed", "clos", "close ", " close", "Upgrade" };
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    exch_get11(&x);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        resp_init(&r, 200, "OK");
        known(&r, HttpHeaderConnection, v[i]);
        send_call(&c, &r, 0);
        CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
        CHECK_U(0, hs_plan_response(&c, &x, &cfg0).close_after);
        CHECK_U(0, hs_plan_response(&c, &x, &cfg0).connection_close);
    }
}

/* WIRE-CONNECTION-CLOSE-OTHER, CONN-HTTP10-CLOSE: HTTP/1.0 with the
 * application's known Connection keep-alive: written verbatim, no generated
 * line (reference), and the connection still closes. */
static void test_http10_app_connection_value_verbatim_still_closes(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    known(&r, HttpHeaderConnection, "keep-alive");
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 0);
    p = EXPECT_SEND(&r, 0, &x, SL200 "Connection: keep-alive\r\n" SRV DATEL CL("0") END);
    CHECK_U(0, p.connection_close);
    CHECK_U(1, p.close_after);
}

/* WIRE-CONNECTION-CLOSE-OTHER, CONN-DISCONNECT: DISCONNECT on an HTTP/1.1
 * keep-alive request: close line and close_after. */
static void test_disconnect_close_line_and_close_after(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    p = EXPECT_SEND(&r, HTTP_SEND_RESPONSE_FLAG_DISCONNECT, &x, SL200 SRV DATEL CLOSEL CL("0") END);
    CHECK_U(1, p.connection_close);
    CHECK_U(1, p.close_after);
    CHECK_STATE(HS_ST_DONE, p.next_state);
    /* With the application's Connection value: verbatim, no line, still closes. */
    known(&r, HttpHeaderConnection, "keep-alive");
    p = EXPECT_SEND(&r, HTTP_SEND_RESPONSE_FLAG_DISCONNECT, &x,
                    SL200 "Connection: keep-alive\r\n" SRV DATEL CL("0") END);
    CHECK_U(0, p.connection_close);
    CHECK_U(1, p.close_after);
}

/* CONN-DISCONNECT, CONN-MORE-DATA: DISCONNECT on the final body call closes;
 * a body call keeps what the head decided (CONN-HTTP10-CLOSE). */
static void test_body_call_disconnect_and_inherited_close(void)
{
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    struct hs_plan p;
    k[0] = mem("tail");
    exch_get11(&x);
    x.state = HS_ST_STREAMING;

    body_call(&c, k, 1, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_body(&c, &x));
    p = hs_plan_body(&c, &x);
    CHECK_U(0, p.close_after);
    CHECK_STATE(HS_ST_STREAMING, p.next_state);
    CHECK_U(HS_SERVER_NONE, p.server);
    CHECK_U(0, p.connection_close);
    CHECK_U(0, p.auto_length);

    body_call(&c, k, 1, HTTP_SEND_RESPONSE_FLAG_DISCONNECT);
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_body(&c, &x));
    p = hs_plan_body(&c, &x);
    CHECK_U(1, p.close_after);
    CHECK_STATE(HS_ST_DONE, p.next_state);
    CHECK_U(4, p.body_len);

    x.close_after = 1;          /* as a head to an HTTP/1.0 request left it */
    body_call(&c, k, 1, 0);
    p = hs_plan_body(&c, &x);
    CHECK_U(1, p.close_after);
    CHECK_STATE(HS_ST_DONE, p.next_state);
    body_call(&c, k, 1, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    p = hs_plan_body(&c, &x);
    CHECK_U(1, p.close_after);
    CHECK_STATE(HS_ST_STREAMING, p.next_state);
}

/* A head to an HTTP/1.0 request with MORE_DATA: close line, no automatic
 * length (WIRE-CONNECTION-CLOSE, WIRE-CL-NONE-MORE-DATA), close_after
 * carried to the final body call (CONN-HTTP10-CLOSE). */
static void test_http10_more_data_head_then_final_body(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    struct wire w;
    resp_init(&r, 200, "OK");
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 0);
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    w = do_send(&c, &x, &cfg0);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_STR(SL200 SRV DATEL CLOSEL END, w.bytes, w.len);
    CHECK_U(1, w.plan.close_after);
    hs_commit(&x, w.plan, w.len);
    free(w.bytes);
    CHECK_U(1, x.close_after);
    k[0] = mem("end");
    body_call(&c, k, 1, 0);
    w = do_body(&c, &x);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_STR("end", w.bytes, w.len);
    CHECK_U(1, w.plan.close_after);
    CHECK_STATE(HS_ST_DONE, hs_commit(&x, w.plan, w.len));
    CHECK_U(1, x.close_after);
    free(w.bytes);
}

/* ======================================================================== */
/* Opaque mode                                                              */
/* ======================================================================== */

/* SEND-FLAG-OPAQUE-101: OPAQUE with status 200 -> ERROR_INVALID_PARAMETER. */
static void test_opaque_with_200_rejected(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_OPAQUE);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_SEND_FLAG_OPAQUE_101, ERROR_INVALID_PARAMETER);
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_OPAQUE | HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_SEND_FLAG_OPAQUE_101, ERROR_INVALID_PARAMETER);
    resp_init(&r, 100, "Continue");
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_OPAQUE);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_SEND_FLAG_OPAQUE_101, ERROR_INVALID_PARAMETER);
}

/* CONN-OPAQUE, WIRE-CL-NONE-1XX-304, SEND-AFTER-HEAD, WIRE-BODY: 101 with
 * OPAQUE and MORE_DATA goes opaque; the body calls go raw, with or without
 * the OPAQUE flag; a further head is refused; the last call ends it and the
 * connection closes. */
static void test_101_opaque_more_data_goes_opaque(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    struct wire w;
    resp_init(&r, 101, "Switching Protocols");
    known(&r, HttpHeaderConnection, "Upgrade");
    known(&r, 7, "websocket");
    exch_get11(&x);
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_OPAQUE | HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    w = do_send(&c, &x, &cfg0);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_STATE(HS_ST_OPAQUE, w.plan.next_state);
    CHECK_U(1, w.plan.close_after);
    CHECK_U(0, w.plan.auto_length);
    CHECK_U(0, w.plan.connection_close);
    CHECK_STR("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" SRV DATEL END,
              w.bytes, w.len);
    CHECK_STATE(HS_ST_OPAQUE, hs_commit(&x, w.plan, w.len));
    free(w.bytes);

    send_call(&c, &r, 0);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_SEND_AFTER_HEAD, ERROR_INVALID_PARAMETER);

    k[0] = mem("\x81\x02hi");
    body_call(&c, k, 1, HTTP_SEND_RESPONSE_FLAG_OPAQUE | HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    w = do_body(&c, &x);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_STR("\x81\x02hi", w.bytes, w.len);
    CHECK_STATE(HS_ST_OPAQUE, w.plan.next_state);
    CHECK_U(1, w.plan.close_after);
    hs_commit(&x, w.plan, w.len);
    free(w.bytes);

    body_call(&c, k, 1, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);     /* OPAQUE may be left out */
    w = do_body(&c, &x);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_STATE(HS_ST_OPAQUE, w.plan.next_state);
    hs_commit(&x, w.plan, w.len);
    free(w.bytes);

    body_call(&c, NULL, 0, HTTP_SEND_RESPONSE_FLAG_OPAQUE);     /* the last call */
    w = do_body(&c, &x);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_STATE(HS_ST_DONE, w.plan.next_state);
    CHECK_U(1, w.plan.close_after);
    CHECK_STATE(HS_ST_DONE, hs_commit(&x, w.plan, w.len));
    free(w.bytes);
    EXPECT_BODY_RULE(&c, &x, HS_RULE_CALL_ID_FINISHED, ERROR_CONNECTION_INVALID);
}

/* CONN-OPAQUE: a 101 with OPAQUE and without MORE_DATA ends the exchange at
 * once and the connection closes. */
static void test_101_opaque_without_more_data_ends_at_once(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 101, "Switching Protocols");
    known(&r, HttpHeaderConnection, "Upgrade");
    exch_get11(&x);
    p = EXPECT_SEND(&r, HTTP_SEND_RESPONSE_FLAG_OPAQUE, &x,
                    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n" SRV DATEL END);
    CHECK_STATE(HS_ST_DONE, p.next_state);
    CHECK_U(1, p.close_after);
}

/* CONN-OPAQUE, WIRE-CONNECTION-CLOSE-OTHER: a 101 with OPAQUE, no known
 * Connection value, HTTP/1.1 keep-alive request: the connection will close
 * but no Connection: close line is generated (the reference writes it only
 * for HTTP/1.0, a request close or DISCONNECT). */
static void test_101_opaque_without_app_connection_no_close_line(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_plan p;
    resp_init(&r, 101, "Switching Protocols");
    exch_get11(&x);
    p = EXPECT_SEND(&r, HTTP_SEND_RESPONSE_FLAG_OPAQUE | HTTP_SEND_RESPONSE_FLAG_MORE_DATA, &x,
                    "HTTP/1.1 101 Switching Protocols\r\n" SRV DATEL END);
    CHECK_U(0, p.connection_close);
    CHECK_U(1, p.close_after);
    CHECK_STATE(HS_ST_OPAQUE, p.next_state);
}

/* BODY-FLAG-OPAQUE-101: a body call with OPAQUE while the response is an
 * ordinary MORE_DATA one is refused, and the response stays open. */
static void test_body_opaque_flag_when_not_opaque_rejected(void)
{
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    exch_get11(&x);
    x.state = HS_ST_STREAMING;
    k[0] = mem("x");
    body_call(&c, k, 1, HTTP_SEND_RESPONSE_FLAG_OPAQUE);
    EXPECT_BODY_RULE(&c, &x, HS_RULE_BODY_FLAG_OPAQUE_101, ERROR_INVALID_PARAMETER);
    body_call(&c, k, 1, HTTP_SEND_RESPONSE_FLAG_OPAQUE | HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    EXPECT_BODY_RULE(&c, &x, HS_RULE_BODY_FLAG_OPAQUE_101, ERROR_INVALID_PARAMETER);
    body_call(&c, k, 1, 0);
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_body(&c, &x));
}

/* ======================================================================== */
/* State of the request                                                     */
/* ======================================================================== */

/* CALL-ID-UNKNOWN: no exchange for the id (x == NULL) -> 1229, both functions. */
static void test_unknown_request_id_connection_invalid(void)
{
    struct hs_response r;
    struct hs_chunk k[1];
    struct hs_call c;
    resp_init(&r, 418, "I'm a teapot");
    known(&r, 25, "120");
    send_call(&c, &r, 0);
    c.request_id = 0xdeadbeefull;
    c.overlapped = 1;
    EXPECT_SEND_RULE(&c, NULL, HS_RULE_CALL_ID_UNKNOWN, ERROR_CONNECTION_INVALID);
    k[0] = mem("x");
    body_call(&c, k, 1, 0);
    c.request_id = 0xdeadbeefull;
    EXPECT_BODY_RULE(&c, NULL, HS_RULE_CALL_ID_UNKNOWN, ERROR_CONNECTION_INVALID);
}

/* CALL-ID-FINISHED, CONN-ID-DIES: after a final send the id is dead. */
static void test_second_final_send_connection_invalid(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    struct wire w;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    send_call(&c, &r, 0);
    w = do_send(&c, &x, &cfg0);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_STATE(HS_ST_DONE, hs_commit(&x, w.plan, w.len));
    free(w.bytes);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_CALL_ID_FINISHED, ERROR_CONNECTION_INVALID);
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_CALL_ID_FINISHED, ERROR_CONNECTION_INVALID);
    k[0] = mem("x");
    body_call(&c, k, 1, 0);
    EXPECT_BODY_RULE(&c, &x, HS_RULE_CALL_ID_FINISHED, ERROR_CONNECTION_INVALID);
}

/* SEND-AFTER-HEAD: a second head while a MORE_DATA response is open -> 87;
 * the open response stays open. */
static void test_send_after_more_data_head_rejected(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    struct wire w;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    w = do_send(&c, &x, &cfg0);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    hs_commit(&x, w.plan, w.len);
    free(w.bytes);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_SEND_AFTER_HEAD, ERROR_INVALID_PARAMETER);
    send_call(&c, &r, 0);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_SEND_AFTER_HEAD, ERROR_INVALID_PARAMETER);
    k[0] = mem("x");
    body_call(&c, k, 1, 0);
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_body(&c, &x));
}

/* BODY-BEFORE-HEAD: a body call before any head -> 87; the request can
 * still be answered afterwards. */
static void test_body_before_head_rejected(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    exch_get11(&x);
    k[0] = mem("x");
    body_call(&c, k, 1, 0);
    EXPECT_BODY_RULE(&c, &x, HS_RULE_BODY_BEFORE_HEAD, ERROR_INVALID_PARAMETER);
    body_call(&c, NULL, 0, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    EXPECT_BODY_RULE(&c, &x, HS_RULE_BODY_BEFORE_HEAD, ERROR_INVALID_PARAMETER);
    resp_init(&r, 200, "OK");
    send_call(&c, &r, 0);
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
}

/* CALL-CONN-GONE: the client closed the connection (state GONE) -> 1229,
 * both functions, also after a MORE_DATA head. */
static void test_client_gone_connection_invalid(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    x.state = HS_ST_GONE;
    send_call(&c, &r, 0);
    EXPECT_SEND_RULE(&c, &x, HS_RULE_CALL_CONN_GONE, ERROR_CONNECTION_INVALID);
    k[0] = mem("x");
    body_call(&c, k, 1, 0);
    EXPECT_BODY_RULE(&c, &x, HS_RULE_CALL_CONN_GONE, ERROR_CONNECTION_INVALID);
}

/* ======================================================================== */
/* Rejections of hs_check_send_response, one violation at a time             */
/* ======================================================================== */

/* A valid HttpSendHttpResponse call (200 OK, one memory chunk) to break. */
struct send_fixture {
    struct hs_response r;
    struct hs_chunk k[1];
    struct hs_unknown_header u[1];
    struct hs_call c;
    struct hs_exchange x;
};

static void send_fixture(struct send_fixture *f)
{
    resp_init(&f->r, 200, "OK");
    known(&f->r, 12, "text/plain");
    f->u[0] = unk("X-A", "1");
    f->r.unknown_count = 1;
    f->r.unknown = f->u;
    f->k[0] = mem("hello");
    f->r.chunk_count = 1;
    f->r.chunks = f->k;
    send_call(&f->c, &f->r, 0);
    exch_get11(&f->x);
}

/* CALL-OK: the fixture itself is accepted (so each test below breaks one rule). */
static void test_send_fixture_is_valid(void)
{
    struct send_fixture f;
    send_fixture(&f);
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* CALL-HANDLE-INVALID -> ERROR_INVALID_HANDLE (6). */
static void test_send_invalid_handle(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.c.handle = HS_HANDLE_INVALID;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_HANDLE_INVALID, ERROR_INVALID_HANDLE);
}

/* SEND-ID-NULL -> ERROR_CONNECTION_INVALID (1229); the host finds no exchange. */
static void test_send_null_request_id(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.c.request_id = HTTP_NULL_ID;
    EXPECT_SEND_RULE(&f.c, NULL, HS_RULE_SEND_ID_NULL, ERROR_CONNECTION_INVALID);
}

/* CALL-RESERVED1, CALL-RESERVED2 -> 87. */
static void test_send_reserved_parameters(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.c.reserved1_set = 1;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_RESERVED1, ERROR_INVALID_PARAMETER);
    send_fixture(&f);
    f.c.reserved2 = 1;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_RESERVED2, ERROR_INVALID_PARAMETER);
    f.c.reserved2 = 0x80000000u;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_RESERVED2, ERROR_INVALID_PARAMETER);
}

/* CALL-FLAG-UNKNOWN: 0x10, 0x80, AUTOMATIC_CHUNKING 0x200 and the top bit -> 87. */
static void test_send_unknown_flag_bits(void)
{
    static const uint32_t bits[] = { 0x10u, 0x80u, HTTP_SEND_RESPONSE_FLAG_AUTOMATIC_CHUNKING, 0x400u,
                                     0x80000000u };
    struct send_fixture f;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        send_fixture(&f);
        f.c.flags = bits[i];
        EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_FLAG_UNKNOWN, ERROR_INVALID_PARAMETER);
    }
}

/* CALL-FLAG-DISCONNECT-MORE-DATA -> 87 (reference). */
static void test_send_disconnect_with_more_data(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.c.flags = HTTP_SEND_RESPONSE_FLAG_DISCONNECT | HTTP_SEND_RESPONSE_FLAG_MORE_DATA;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA, ERROR_INVALID_PARAMETER);
}

/* SEND-RESPONSE-NULL -> 87 (reference). */
static void test_send_null_response(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.c.response = NULL;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_RESPONSE_NULL, ERROR_INVALID_PARAMETER);
}

/* SEND-STATUS-RANGE: 0, 99, 1000 and 65535 -> 87; 100 and 999 accepted. */
static void test_send_status_out_of_range(void)
{
    static const uint16_t bad[] = { 0, 99, 1000, 65535 };
    struct send_fixture f;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        send_fixture(&f);
        f.r.status = bad[i];
        EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_STATUS_RANGE, ERROR_INVALID_PARAMETER);
    }
    send_fixture(&f);
    f.r.status = 100;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    f.r.status = 999;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* SEND-TRAILERS-RESERVED: TrailerCount != 0, or pTrailers != NULL -> 87. */
static void test_send_trailers_reserved(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.r.trailer_count = 1;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_TRAILERS_RESERVED, ERROR_INVALID_PARAMETER);
    send_fixture(&f);
    f.r.trailers_set = 1;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_TRAILERS_RESERVED, ERROR_INVALID_PARAMETER);
}

/* SEND-UNKNOWN-HEADER-COUNT: 10000 unknown headers -> 87; 9999 are accepted
 * and all written. */
static void test_send_unknown_header_count(void)
{
    struct send_fixture f;
    struct hs_unknown_header *u = malloc(10000u * sizeof *u);
    struct hs_call c;
    struct wire w;
    if (u == NULL) {
        CHECK(!"out of memory");
        return;
    }
    for (size_t i = 0; i < 10000u; i++)
        u[i] = unk("X-H", "v");
    send_fixture(&f);
    f.r.unknown_count = 10000;
    f.r.unknown = u;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_UNKNOWN_HEADER_COUNT, ERROR_INVALID_PARAMETER);
    f.r.unknown_count = 9999;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    /* 9999 lines "X-H: v\r\n" (8 bytes each) between the known headers and Date. */
    resp_init(&f.r, 200, "OK");
    f.r.unknown_count = 9999;
    f.r.unknown = u;
    send_call(&c, &f.r, 0);
    w = do_send(&c, &f.x, &cfg0);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_U(strlen(SL200 SRV DATEL CL("0") END) + 9999u * 8u, w.len);
    if (w.len > 200u) {
        CHECK_BYTES(B(SL200 SRV "X-H: v\r\nX-H: v\r\n"), strlen(SL200 SRV) + 16u, w.bytes,
                    strlen(SL200 SRV) + 16u);
        CHECK_STR("X-H: v\r\n" DATEL CL("0") END, w.bytes + w.len - strlen("X-H: v\r\n" DATEL CL("0") END),
                  strlen("X-H: v\r\n" DATEL CL("0") END));
    }
    free(w.bytes);
    free(u);
}

/* SEND-CHUNK-COUNT: 101 chunks -> 87; 100 are accepted. */
static void test_send_chunk_count(void)
{
    struct send_fixture f;
    struct hs_chunk k[101];
    for (size_t i = 0; i < 101u; i++)
        k[i] = mem("a");
    send_fixture(&f);
    f.r.chunk_count = 101;
    f.r.chunks = k;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_CHUNK_COUNT, ERROR_INVALID_PARAMETER);
    f.r.chunk_count = 100;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    CHECK_U(100, hs_plan_response(&f.c, &f.x, &cfg0).body_len);
}

/* CALL-POINTER-NULL: each length or count without its pointer -> 87. */
static void test_send_null_pointers(void)
{
    struct send_fixture f;

    send_fixture(&f);
    f.r.reason = NULL;                                   /* pReason */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.r.known[12].value = NULL;                          /* a known pRawValue */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    known(&f.r, HttpHeaderDate, "x");                   /* the ignored Date slot too */
    f.r.known[HttpHeaderDate].value = NULL;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.r.unknown = NULL;                                  /* pUnknownHeaders */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.u[0].name = NULL;                                  /* an unknown pName */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.u[0].value = NULL;                                 /* an unknown pRawValue */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.k[0].data = NULL;                                  /* a memory chunk's pBuffer */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.r.chunks = NULL;                                   /* pEntityChunks */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);
}

/* CALL-POINTER-NULL: NULL pointers with a length or count of 0 are valid. */
static void test_send_null_pointers_with_zero_length_valid(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.r.unknown_count = 0;
    f.r.unknown = NULL;
    f.r.chunk_count = 0;
    f.r.chunks = NULL;
    f.r.reason_len = 0;
    f.r.reason = NULL;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    EXPECT_SEND(&f.r, 0, &f.x, "HTTP/1.1 200 \r\nContent-Type: text/plain\r\n" SRV DATEL CL("0") END);
    send_fixture(&f);
    f.k[0].len = 0;
    f.k[0].data = NULL;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* WIRE-FIELD-BYTES: CR, LF or NUL in the reason, a known value, an unknown
 * name or an unknown value -> 87 (reference). */
static void test_send_cr_lf_nul_in_fields(void)
{
    static const hs_byte bad[3] = { '\r', '\n', '\0' };
    struct send_fixture f;
    hs_byte s[8];
    for (size_t b = 0; b < 3u; b++) {
        for (int where = 0; where < 4; where++) {
            memcpy(s, "ab_cd", 5);
            s[2] = bad[b];
            send_fixture(&f);
            switch (where) {
            case 0: f.r.reason = s; f.r.reason_len = 5; break;
            case 1: f.r.known[12].value = s; f.r.known[12].len = 5; break;
            case 2: f.u[0].name = s; f.u[0].name_len = 5; break;
            default: f.u[0].value = s; f.u[0].value_len = 5; break;
            }
            EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_WIRE_FIELD_BYTES, ERROR_INVALID_PARAMETER);
        }
    }
    /* At the first and last position too. */
    send_fixture(&f);
    f.r.reason = B("\rOK");
    f.r.reason_len = 3;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_WIRE_FIELD_BYTES, ERROR_INVALID_PARAMETER);
    send_fixture(&f);
    f.u[0].value = B("1\n");
    f.u[0].value_len = 2;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_WIRE_FIELD_BYTES, ERROR_INVALID_PARAMETER);
}

/* WIRE-FIELD-BYTES: an unknown header with NameLength 0 -> 87 (reference). */
static void test_send_empty_unknown_name(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.u[0].name_len = 0;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_WIRE_FIELD_BYTES, ERROR_INVALID_PARAMETER);
    f.u[0].name = NULL;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_WIRE_FIELD_BYTES, ERROR_INVALID_PARAMETER);
}

/* CALL-CHUNK-TYPE: Trailers (4), Maximum (5) and 7 -> 87. */
static void test_send_chunk_type(void)
{
    static const uint32_t types[] = { HttpDataChunkTrailers, HttpDataChunkMaximum, 7u, 0xFFFFFFFFu };
    struct send_fixture f;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        send_fixture(&f);
        f.k[0].type = types[i];
        EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_TYPE, ERROR_INVALID_PARAMETER);
    }
}

/* CALL-CHUNK-FRAGMENT-NAME: a FromFragmentCacheEx name of 65533 bytes -> 87;
 * 65532 is accepted. */
static void test_send_fragment_name_too_long(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.k[0] = frag_ex("fragment", 0, HTTP_BYTE_RANGE_TO_EOF);
    f.k[0].name_len = 65533;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_FRAGMENT_NAME, ERROR_INVALID_PARAMETER);
    f.k[0].name_len = 65532;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* CALL-CHUNK-FRAGMENT-MISSING: a fragment not in the cache -> ERROR_PATH_NOT_FOUND (3). */
static void test_send_fragment_missing(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.k[0] = frag("fragment");
    f.k[0].present = 0;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_FRAGMENT_MISSING, ERROR_PATH_NOT_FOUND);
    f.k[0] = frag_ex("fragment", 0, HTTP_BYTE_RANGE_TO_EOF);
    f.k[0].present = 0;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_FRAGMENT_MISSING, ERROR_PATH_NOT_FOUND);
}

/* CALL-CHUNK-RANGE: a file range whose length runs past the end, one that
 * starts past the end, one whose end overflows -> 87; the edges are valid. */
static void test_send_file_range_outside(void)
{
    struct send_fixture f;
    send_fixture(&f);
    f.k[0] = file_range("abcd", 2, 3);                   /* 2 + 3 > 4 */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_RANGE, ERROR_INVALID_PARAMETER);
    f.k[0] = file_range("abcd", 5, HTTP_BYTE_RANGE_TO_EOF);   /* starts past the end */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_RANGE, ERROR_INVALID_PARAMETER);
    f.k[0] = file_range("abcd", 5, 0);
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_RANGE, ERROR_INVALID_PARAMETER);
    f.k[0] = file_range("abcd", 2, 0xFFFFFFFFFFFFFFFEull);   /* start + length overflows */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_RANGE, ERROR_INVALID_PARAMETER);
    f.k[0] = frag_ex("abcd", 1, 4);                     /* FromFragmentCacheEx too */
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_RANGE, ERROR_INVALID_PARAMETER);
    /* Valid edges: the whole file, an empty range at the end, to EOF from the end. */
    f.k[0] = file_range("abcd", 0, 4);
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    f.k[0] = file_range("abcd", 4, 0);
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    f.k[0] = file_range("abcd", 4, HTTP_BYTE_RANGE_TO_EOF);
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* SEND-CACHE-POLICY-TYPE: policy 3 (Maximum) -> 87; 0..2 accepted. */
static void test_send_cache_policy_type(void)
{
    struct send_fixture f;
    struct hs_cache_policy cp = { HttpCachePolicyMaximum, 0 };
    send_fixture(&f);
    f.c.cache_policy = &cp;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_CACHE_POLICY_TYPE, ERROR_INVALID_PARAMETER);
    cp.policy = 0xFFFFFFFFu;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_CACHE_POLICY_TYPE, ERROR_INVALID_PARAMETER);
    for (uint32_t p = 0; p < HttpCachePolicyMaximum; p++) {
        cp.policy = p;
        cp.seconds = 0xFFFFFFFFu;
        EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    }
}

/* CALL-LOG-DATA-TYPE: log data type 1 -> 87; type 0 accepted. */
static void test_send_log_data_type(void)
{
    struct send_fixture f;
    struct hs_log_data ld = { 1u };
    send_fixture(&f);
    f.c.log_data = &ld;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_LOG_DATA_TYPE, ERROR_INVALID_PARAMETER);
    ld.type = HttpLogDataTypeFields;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* Section 2.1: the reference check order when a call breaks several rules
 * (implementation-defined, but the reference's order is specified). */
static void test_send_reference_check_order(void)
{
    struct send_fixture f;
    struct hs_log_data ld = { 1u };
    struct hs_cache_policy cp = { 3u, 0 };

    send_fixture(&f);
    f.c.handle = HS_HANDLE_INVALID;                     /* 1 before 2 */
    f.c.request_id = HTTP_NULL_ID;
    EXPECT_SEND_RULE(&f.c, NULL, HS_RULE_CALL_HANDLE_INVALID, ERROR_INVALID_HANDLE);

    send_fixture(&f);
    f.c.response = NULL;                                /* 7 before 21 */
    EXPECT_SEND_RULE(&f.c, NULL, HS_RULE_SEND_RESPONSE_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.c.flags = HTTP_SEND_RESPONSE_FLAG_OPAQUE;         /* 8 before 9 */
    f.r.status = 1000;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_FLAG_OPAQUE_101, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.r.reason = NULL;                                  /* 13 before 14 */
    f.u[0].name_len = 0;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.k[0].type = 9;                                    /* 15 before 19 and 20 */
    f.c.cache_policy = &cp;
    f.c.log_data = &ld;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_TYPE, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.c.cache_policy = &cp;                             /* 19 before 20 */
    f.c.log_data = &ld;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_SEND_CACHE_POLICY_TYPE, ERROR_INVALID_PARAMETER);

    send_fixture(&f);
    f.c.reserved2 = 5;                                  /* parameters before state */
    EXPECT_SEND_RULE(&f.c, NULL, HS_RULE_CALL_RESERVED2, ERROR_INVALID_PARAMETER);
    f.x.state = HS_ST_DONE;
    EXPECT_SEND_RULE(&f.c, &f.x, HS_RULE_CALL_RESERVED2, ERROR_INVALID_PARAMETER);
}

/* ======================================================================== */
/* Rejections of hs_check_send_body, one violation at a time                 */
/* ======================================================================== */

/* A valid HttpSendResponseEntityBody call (one memory chunk, response streaming). */
struct body_fixture {
    struct hs_chunk k[1];
    struct hs_call c;
    struct hs_exchange x;
};

static void body_fixture(struct body_fixture *f)
{
    f->k[0] = mem("hello");
    body_call(&f->c, f->k, 1, 0);
    exch_get11(&f->x);
    f->x.state = HS_ST_STREAMING;
}

/* CALL-OK: the fixture itself is accepted. */
static void test_body_fixture_is_valid(void)
{
    struct body_fixture f;
    body_fixture(&f);
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* CALL-HANDLE-INVALID -> 6. */
static void test_body_invalid_handle(void)
{
    struct body_fixture f;
    body_fixture(&f);
    f.c.handle = HS_HANDLE_INVALID;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_HANDLE_INVALID, ERROR_INVALID_HANDLE);
}

/* BODY-ID-NULL -> 1229, also with a valid chunk array. */
static void test_body_null_request_id(void)
{
    struct body_fixture f;
    struct hs_chunk k[2];
    body_fixture(&f);
    k[0] = mem("pong");
    k[1] = mem("pang");
    body_call(&f.c, k, 2, 0);
    f.c.request_id = HTTP_NULL_ID;
    EXPECT_BODY_RULE(&f.c, NULL, HS_RULE_BODY_ID_NULL, ERROR_CONNECTION_INVALID);
}

/* CALL-RESERVED1, CALL-RESERVED2 -> 87. */
static void test_body_reserved_parameters(void)
{
    struct body_fixture f;
    body_fixture(&f);
    f.c.reserved1_set = 1;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_RESERVED1, ERROR_INVALID_PARAMETER);
    body_fixture(&f);
    f.c.reserved2 = 1;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_RESERVED2, ERROR_INVALID_PARAMETER);
}

/* CALL-FLAG-UNKNOWN: 0x10, 0x80, 0x200 -> 87. */
static void test_body_unknown_flag_bits(void)
{
    static const uint32_t bits[] = { 0x10u, 0x80u, HTTP_SEND_RESPONSE_FLAG_AUTOMATIC_CHUNKING, 0x80000000u };
    struct body_fixture f;
    for (size_t i = 0; i < sizeof bits / sizeof bits[0]; i++) {
        body_fixture(&f);
        f.c.flags = bits[i];
        EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_FLAG_UNKNOWN, ERROR_INVALID_PARAMETER);
    }
}

/* CALL-FLAG-DISCONNECT-MORE-DATA -> 87 (reference). */
static void test_body_disconnect_with_more_data(void)
{
    struct body_fixture f;
    body_fixture(&f);
    f.c.flags = HTTP_SEND_RESPONSE_FLAG_DISCONNECT | HTTP_SEND_RESPONSE_FLAG_MORE_DATA;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA, ERROR_INVALID_PARAMETER);
}

/* BODY-CHUNK-COUNT: 10000 chunks -> 87; 9999 are accepted. */
static void test_body_chunk_count(void)
{
    struct body_fixture f;
    struct hs_chunk *k = malloc(10000u * sizeof *k);
    if (k == NULL) {
        CHECK(!"out of memory");
        return;
    }
    for (size_t i = 0; i < 10000u; i++)
        k[i] = mem("a");
    body_fixture(&f);
    body_call(&f.c, k, 10000, 0);
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_BODY_CHUNK_COUNT, ERROR_INVALID_PARAMETER);
    body_call(&f.c, k, 9999, 0);
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    CHECK_U(9999, hs_plan_body(&f.c, &f.x).body_len);
    CHECK_U(9999, hs_render_body(k, 9999, NULL, 0));
    free(k);
}

/* CALL-POINTER-NULL: a count without the array, a memory chunk without its
 * buffer -> 87; count 0 with or without an array is valid (BODY-CHUNK-COUNT). */
static void test_body_null_pointers(void)
{
    struct body_fixture f;
    body_fixture(&f);
    f.c.chunks = NULL;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);
    body_fixture(&f);
    f.k[0].data = NULL;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER);
    body_fixture(&f);
    f.c.chunk_count = 0;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
    f.c.chunks = NULL;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* CALL-CHUNK-TYPE: 4 and 7 -> 87. */
static void test_body_chunk_type(void)
{
    struct body_fixture f;
    body_fixture(&f);
    f.k[0].type = HttpDataChunkTrailers;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_TYPE, ERROR_INVALID_PARAMETER);
    f.k[0].type = 7;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_TYPE, ERROR_INVALID_PARAMETER);
}

/* CALL-CHUNK-FRAGMENT-NAME: 65533 -> 87. */
static void test_body_fragment_name_too_long(void)
{
    struct body_fixture f;
    body_fixture(&f);
    f.k[0] = frag_ex("fragment", 0, HTTP_BYTE_RANGE_TO_EOF);
    f.k[0].name_len = 65533;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_FRAGMENT_NAME, ERROR_INVALID_PARAMETER);
}

/* CALL-CHUNK-FRAGMENT-MISSING -> 3. */
static void test_body_fragment_missing(void)
{
    struct body_fixture f;
    body_fixture(&f);
    f.k[0] = frag("fragment");
    f.k[0].present = 0;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_FRAGMENT_MISSING, ERROR_PATH_NOT_FOUND);
}

/* CALL-CHUNK-RANGE: past the end and starting past the end -> 87. */
static void test_body_file_range_outside(void)
{
    struct body_fixture f;
    body_fixture(&f);
    f.k[0] = file_range("abcd", 1, 4);
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_RANGE, ERROR_INVALID_PARAMETER);
    f.k[0] = file_range("abcd", 5, HTTP_BYTE_RANGE_TO_EOF);
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_CHUNK_RANGE, ERROR_INVALID_PARAMETER);
}

/* CALL-LOG-DATA-TYPE -> 87. */
static void test_body_log_data_type(void)
{
    struct body_fixture f;
    struct hs_log_data ld = { 1u };
    body_fixture(&f);
    f.c.log_data = &ld;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_LOG_DATA_TYPE, ERROR_INVALID_PARAMETER);
    ld.type = 0;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_OK, NO_ERROR);
}

/* Section 2.1: the reference order of the body checks. */
static void test_body_reference_check_order(void)
{
    struct body_fixture f;
    struct hs_log_data ld = { 1u };
    body_fixture(&f);
    f.c.request_id = HTTP_NULL_ID;                      /* 2 before 3 */
    f.c.reserved1_set = 1;
    EXPECT_BODY_RULE(&f.c, NULL, HS_RULE_BODY_ID_NULL, ERROR_CONNECTION_INVALID);

    body_fixture(&f);
    f.k[0] = frag("fragment");                          /* 11 before 13 and 14 */
    f.k[0].present = 0;
    f.c.log_data = &ld;
    EXPECT_BODY_RULE(&f.c, NULL, HS_RULE_CALL_CHUNK_FRAGMENT_MISSING, ERROR_PATH_NOT_FOUND);

    body_fixture(&f);
    f.c.log_data = &ld;                                 /* 13 before 14 to 18 */
    f.x.state = HS_ST_RECEIVED;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_LOG_DATA_TYPE, ERROR_INVALID_PARAMETER);

    body_fixture(&f);
    f.x.state = HS_ST_RECEIVED;                         /* 17 before 18 */
    f.c.flags = HTTP_SEND_RESPONSE_FLAG_OPAQUE;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_BODY_BEFORE_HEAD, ERROR_INVALID_PARAMETER);

    body_fixture(&f);
    f.x.state = HS_ST_DONE;                             /* 15 before 18 */
    f.c.flags = HTTP_SEND_RESPONSE_FLAG_OPAQUE;
    EXPECT_BODY_RULE(&f.c, &f.x, HS_RULE_CALL_ID_FINISHED, ERROR_CONNECTION_INVALID);
}

/* Section 2.7: the code of every rule the checks can return. */
static void test_rule_error_codes(void)
{
    static const struct { enum hs_rule r; uint32_t code; } v[] = {
        { HS_RULE_CALL_OK, NO_ERROR },
        { HS_RULE_CALL_HANDLE_INVALID, ERROR_INVALID_HANDLE },
        { HS_RULE_SEND_ID_NULL, ERROR_CONNECTION_INVALID },
        { HS_RULE_BODY_ID_NULL, ERROR_CONNECTION_INVALID },
        { HS_RULE_CALL_ID_UNKNOWN, ERROR_CONNECTION_INVALID },
        { HS_RULE_CALL_ID_FINISHED, ERROR_CONNECTION_INVALID },
        { HS_RULE_CALL_CONN_GONE, ERROR_CONNECTION_INVALID },
        { HS_RULE_CALL_CHUNK_FRAGMENT_MISSING, ERROR_PATH_NOT_FOUND },
        { HS_RULE_CALL_RESERVED1, ERROR_INVALID_PARAMETER },
        { HS_RULE_CALL_RESERVED2, ERROR_INVALID_PARAMETER },
        { HS_RULE_CALL_FLAG_UNKNOWN, ERROR_INVALID_PARAMETER },
        { HS_RULE_CALL_FLAG_DISCONNECT_MORE_DATA, ERROR_INVALID_PARAMETER },
        { HS_RULE_CALL_POINTER_NULL, ERROR_INVALID_PARAMETER },
        { HS_RULE_CALL_CHUNK_TYPE, ERROR_INVALID_PARAMETER },
        { HS_RULE_CALL_CHUNK_FRAGMENT_NAME, ERROR_INVALID_PARAMETER },
        { HS_RULE_CALL_CHUNK_RANGE, ERROR_INVALID_PARAMETER },
        { HS_RULE_CALL_LOG_DATA_TYPE, ERROR_INVALID_PARAMETER },
        { HS_RULE_SEND_RESPONSE_NULL, ERROR_INVALID_PARAMETER },
        { HS_RULE_SEND_FLAG_OPAQUE_101, ERROR_INVALID_PARAMETER },
        { HS_RULE_SEND_STATUS_RANGE, ERROR_INVALID_PARAMETER },
        { HS_RULE_SEND_TRAILERS_RESERVED, ERROR_INVALID_PARAMETER },
        { HS_RULE_SEND_UNKNOWN_HEADER_COUNT, ERROR_INVALID_PARAMETER },
        { HS_RULE_SEND_CHUNK_COUNT, ERROR_INVALID_PARAMETER },
        { HS_RULE_SEND_CACHE_POLICY_TYPE, ERROR_INVALID_PARAMETER },
        { HS_RULE_SEND_AFTER_HEAD, ERROR_INVALID_PARAMETER },
        { HS_RULE_BODY_CHUNK_COUNT, ERROR_INVALID_PARAMETER },
        { HS_RULE_BODY_BEFORE_HEAD, ERROR_INVALID_PARAMETER },
        { HS_RULE_BODY_FLAG_OPAQUE_101, ERROR_INVALID_PARAMETER },
        { HS_RULE_WIRE_FIELD_BYTES, ERROR_INVALID_PARAMETER },
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (!CHECK_U(v[i].code, hs_rule_error(v[i].r)))
            printf("    (rule %s)\n", rule_name(v[i].r));
    }
}

/* ======================================================================== */
/* Flags without an effect on the bytes                                      */
/* ======================================================================== */

/* FLAG-BUFFER-DATA, FLAG-ENABLE-NAGLING, FLAG-PROCESS-RANGES, FLAG-GOAWAY:
 * accepted on both functions, alone and together, with the same bytes and
 * plan as without them. */
static void test_no_effect_flags_accepted_same_bytes(void)
{
    static const uint32_t flags[] = {
        HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA, HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING,
        HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES, HTTP_SEND_RESPONSE_FLAG_GOAWAY,
        HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA | HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING |
            HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES | HTTP_SEND_RESPONSE_FLAG_GOAWAY,
    };
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    struct hs_plan p0, p;
    k[0] = mem("hello");
    resp_init(&r, 200, "OK");
    r.chunk_count = 1;
    r.chunks = k;
    exch_get11(&x);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        p = EXPECT_SEND(&r, flags[i], &x, SL200 SRV DATEL CL("5") END "hello");
        CHECK_U(1, p.auto_length);
        CHECK_U(0, p.close_after);
        CHECK_STATE(HS_ST_DONE, p.next_state);
        /* With MORE_DATA, as without these flags. */
        p = EXPECT_SEND(&r, flags[i] | HTTP_SEND_RESPONSE_FLAG_MORE_DATA, &x, SL200 SRV DATEL END "hello");
        CHECK_STATE(HS_ST_STREAMING, p.next_state);
        /* The body call. */
        x.state = HS_ST_STREAMING;
        body_call(&c, k, 1, 0);
        p0 = hs_plan_body(&c, &x);
        body_call(&c, k, 1, flags[i]);
        CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_body(&c, &x));
        p = hs_plan_body(&c, &x);
        CHECK_U(p0.body_len, p.body_len);
        CHECK_U(p0.close_after, p.close_after);
        CHECK_STATE(p0.next_state, p.next_state);
        x.state = HS_ST_RECEIVED;
    }
}

/* CONN-ASYNC-RESULT, CALL-OK: an OVERLAPPED or a BytesSent pointer changes
 * neither the result nor the plan. */
static void test_overlapped_and_bytes_sent_no_effect(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_call c;
    struct hs_plan p0, p;
    resp_init(&r, 200, "OK");
    exch_get11(&x);
    send_call(&c, &r, 0);
    p0 = hs_plan_response(&c, &x, &cfg0);
    c.overlapped = 1;
    c.bytes_sent_wanted = 1;
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
    p = hs_plan_response(&c, &x, &cfg0);
    CHECK_U(p0.server, p.server);
    CHECK_U(p0.auto_length, p.auto_length);
    CHECK_U(p0.connection_close, p.connection_close);
    CHECK_U(p0.body_len, p.body_len);
    CHECK_U(p0.close_after, p.close_after);
    CHECK_STATE(p0.next_state, p.next_state);
    body_call(&c, NULL, 0, 0);
    c.overlapped = 1;
    c.bytes_sent_wanted = 1;
    x.state = HS_ST_STREAMING;
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_body(&c, &x));
}

/* ======================================================================== */
/* Entity chunks                                                            */
/* ======================================================================== */

/* WIRE-BODY, CONN-BYTES-SENT: a file chunk with a range, a file chunk to EOF,
 * a FromFragmentCacheEx chunk with a range, a whole FromFragmentCache chunk
 * and a memory chunk: their bytes back to back; body_len is the sum. */
static void test_file_and_fragment_chunks_bytes_and_sum(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[6];
    struct hs_plan p;
    k[0] = file_range("0123456789", 2, 3);                  /* "234" */
    k[1] = file_range("0123456789", 7, HTTP_BYTE_RANGE_TO_EOF);   /* "789" */
    k[2] = frag_ex("abcdefgh", 1, 2);                       /* "bc" */
    k[3] = frag_ex("abcdefgh", 6, HTTP_BYTE_RANGE_TO_EOF);  /* "gh" */
    k[4] = frag("FRAG");                                    /* the whole fragment */
    k[4].start = 3;                                         /* no range for this type: ignored */
    k[4].length = 1;
    k[5] = mem("!");
    resp_init(&r, 200, "OK");
    r.chunk_count = 6;
    r.chunks = k;
    exch_get11(&x);
    p = EXPECT_SEND(&r, 0, &x, SL200 SRV DATEL CL("15") END "234789bcghFRAG!");
    CHECK_U(15, p.body_len);
    CHECK_U(15, hs_render_body(k, 6, NULL, 0));
}

/* WIRE-BODY: the same chunks in a body call; empty ranges and empty memory
 * chunks add nothing. */
static void test_body_call_file_and_fragment_chunks(void)
{
    struct hs_exchange x;
    struct hs_chunk k[5];
    struct hs_call c;
    struct wire w;
    k[0] = file_range("0123456789", 0, HTTP_BYTE_RANGE_TO_EOF);
    k[1] = file_range("0123456789", 10, HTTP_BYTE_RANGE_TO_EOF);
    k[2] = mem("");
    k[3] = frag_ex("abcdefgh", 3, 0);
    k[4] = frag_ex("abcdefgh", 0, 8);
    exch_get11(&x);
    x.state = HS_ST_STREAMING;
    body_call(&c, k, 5, 0);
    w = do_body(&c, &x);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_U(18, w.plan.body_len);
    CHECK_STR("0123456789abcdefgh", w.bytes, w.len);
    free(w.bytes);
}

/* ======================================================================== */
/* Rendering like snprintf                                                  */
/* ======================================================================== */

/* hs_render_head: measuring (NULL buffer) gives the size that rendering
 * writes; with a buffer one byte too small (and 0, and half) nothing is
 * written at or beyond cap and the full size is still returned; what is
 * written below cap is the start of the real head. */
static void test_render_head_measure_and_small_buffer(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_unknown_header u[1];
    struct hs_call c;
    struct hs_plan p;
    hs_byte full[512], buf[600];
    size_t n, m;
    const char *exp = SL418 "Retry-After: 120\r\n" SRV "X-A: 1\r\n" DATEL CLOSEL CL("0") END;
    resp_init(&r, 418, "I'm a teapot");
    known(&r, 25, "120");
    u[0] = unk("X-A", "1");
    r.unknown_count = 1;
    r.unknown = u;
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 0);
    send_call(&c, &r, 0);
    CHECK_RULE(HS_RULE_CALL_OK, hs_check_send_response(&c, &x));
    p = hs_plan_response(&c, &x, &cfg0);
    n = hs_render_head(&r, p, &cfg0, date29v, NULL, 0);
    CHECK_U(strlen(exp), n);
    CHECK_U(n, hs_render_head(&r, p, &cfg0, date29v, NULL, 12345));  /* cap ignored when measuring */
    if (n > sizeof full)
        return;
    memset(full, CANARY, sizeof full);
    CHECK_U(n, hs_render_head(&r, p, &cfg0, date29v, full, n));
    CHECK_STR(exp, full, n);
    /* A larger buffer: same size, nothing written past n. */
    memset(buf, CANARY, sizeof buf);
    CHECK_U(n, hs_render_head(&r, p, &cfg0, date29v, buf, sizeof buf));
    CHECK_STR(exp, buf, n);
    for (size_t i = n; i < sizeof buf; i++)
        CHECK_U(CANARY, buf[i]);

    {
        const size_t caps[] = { n - 1u, n - 2u, n / 2u, 9u, 8u, 1u, 0u };
        for (size_t j = 0; j < sizeof caps / sizeof caps[0]; j++) {
            size_t cap = caps[j];
            memset(buf, CANARY, sizeof buf);
            m = hs_render_head(&r, p, &cfg0, date29v, buf, cap);
            CHECK_U(n, m);
            for (size_t i = cap; i < sizeof buf; i++) {
                if (!CHECK_U(CANARY, buf[i])) {
                    printf("    (cap %zu, offset %zu)\n", cap, i);
                    break;
                }
            }
            for (size_t i = 0; i < cap; i++) {
                if (buf[i] != CANARY && buf[i] != full[i]) {
                    CHECK(!"a byte below cap is neither untouched nor the head's byte");
                    printf("    (cap %zu, offset %zu)\n", cap, i);
                    break;
                }
            }
        }
    }
}

/* hs_render_body: measure == render; one byte too small writes nothing at or
 * beyond cap and returns the full size. */
static void test_render_body_measure_and_small_buffer(void)
{
    struct hs_chunk k[3];
    hs_byte buf[64];
    size_t n;
    k[0] = mem("pong");
    k[1] = file_range("0123456789", 4, 2);
    k[2] = mem("pang");
    n = hs_render_body(k, 3, NULL, 0);
    CHECK_U(10, n);
    memset(buf, CANARY, sizeof buf);
    CHECK_U(n, hs_render_body(k, 3, buf, sizeof buf));
    CHECK_STR("pong45pang", buf, n);
    for (size_t i = n; i < sizeof buf; i++)
        CHECK_U(CANARY, buf[i]);
    for (size_t cap = 0; cap < n; cap++) {
        memset(buf, CANARY, sizeof buf);
        CHECK_U(n, hs_render_body(k, 3, buf, cap));
        for (size_t i = cap; i < sizeof buf; i++) {
            if (!CHECK_U(CANARY, buf[i])) {
                printf("    (cap %zu, offset %zu)\n", cap, i);
                break;
            }
        }
        for (size_t i = 0; i < cap; i++) {
            if (buf[i] != CANARY && buf[i] != (const hs_byte)"pong45pang"[i]) {
                CHECK(!"a byte below cap is neither untouched nor the body's byte");
                break;
            }
        }
    }
    /* No chunks: 0 bytes, nothing written. */
    memset(buf, CANARY, sizeof buf);
    CHECK_U(0, hs_render_body(NULL, 0, buf, sizeof buf));
    CHECK_U(0, hs_render_body(k, 0, buf, sizeof buf));
    CHECK_U(CANARY, buf[0]);
}

/* ======================================================================== */
/* hs_commit                                                                */
/* ======================================================================== */

/* CONN-BYTES-SENT, CONN-MORE-DATA, CONN-ID-DIES: hs_commit adds the wire
 * bytes, sets the state and close_after from the plan, returns the state,
 * and leaves the id and the request alone. */
static void test_commit_adds_wire_bytes_and_sets_state(void)
{
    struct hs_exchange x, before;
    struct hs_plan p;
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 1);
    x.request.conn_keep_alive = 1;
    x.wire_bytes = 100;
    before = x;
    memset(&p, 0, sizeof p);
    p.next_state = HS_ST_STREAMING;
    p.close_after = 0;
    CHECK_STATE(HS_ST_STREAMING, hs_commit(&x, p, 50));
    CHECK_U(150, x.wire_bytes);
    CHECK_STATE(HS_ST_STREAMING, x.state);
    CHECK_U(0, x.close_after);
    CHECK_U(ID, x.id);
    CHECK(memcmp(&before.request, &x.request, sizeof x.request) == 0);

    p.next_state = HS_ST_STREAMING;
    CHECK_STATE(HS_ST_STREAMING, hs_commit(&x, p, 0));
    CHECK_U(150, x.wire_bytes);

    p.next_state = HS_ST_OPAQUE;
    p.close_after = 1;
    CHECK_STATE(HS_ST_OPAQUE, hs_commit(&x, p, 7));
    CHECK_U(157, x.wire_bytes);
    CHECK_U(1, x.close_after);

    p.next_state = HS_ST_DONE;
    CHECK_STATE(HS_ST_DONE, hs_commit(&x, p, 0xFFFFFFFFull));
    CHECK_U(157ull + 0xFFFFFFFFull, x.wire_bytes);
    CHECK_STATE(HS_ST_DONE, x.state);
    CHECK_U(1, x.close_after);
}

/* A whole exchange through the four steps: the wire count equals the bytes
 * of both calls (CONN-BYTES-SENT), close_after from the head survives a body
 * call (CONN-REQUEST-CLOSE). */
static void test_commit_after_real_calls(void)
{
    struct hs_response r;
    struct hs_exchange x;
    struct hs_chunk k[1];
    struct hs_call c;
    struct wire w;
    uint64_t total = 0;
    resp_init(&r, 200, "OK");
    known(&r, HttpHeaderContentLength, "4");
    exch(&x, HS_ST_RECEIVED, HttpVerbGET, 1, 1);
    x.request.conn_close = 1;
    send_call(&c, &r, HTTP_SEND_RESPONSE_FLAG_MORE_DATA);
    w = do_send(&c, &x, &cfg0);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_STR(SL200 CL("4") SRV DATEL CLOSEL END, w.bytes, w.len);
    CHECK_STATE(HS_ST_STREAMING, hs_commit(&x, w.plan, w.len));
    total += w.len;
    free(w.bytes);
    CHECK_U(1, x.close_after);
    k[0] = mem("data");
    body_call(&c, k, 1, 0);
    w = do_body(&c, &x);
    CHECK_RULE(HS_RULE_CALL_OK, w.rule);
    CHECK_U(1, w.plan.close_after);
    CHECK_STATE(HS_ST_DONE, hs_commit(&x, w.plan, w.len));
    total += w.len;
    free(w.bytes);
    CHECK_U(total, x.wire_bytes);
    CHECK_U(strlen(SL200 CL("4") SRV DATEL CLOSEL END "data"), x.wire_bytes);
}

/* ======================================================================== */

/* hs_call_counts: a head call reports every byte it sent; a body call reports its
 * entity bytes as BytesSent and the bytes on the wire as the completion's count
 * (CONN-BYTES-SENT, CONN-BYTES-SENT-HEAD, CONN-ASYNC-RESULT). */
static void test_call_counts(void)
{
    struct hs_plan p;
    struct hs_counts n;

    memset(&p, 0, sizeof p);
    p.body_len = 4;
    n = hs_call_counts(HS_FN_SEND_RESPONSE, p, 120);
    CHECK_U(120, n.bytes_sent);
    CHECK_U(120, n.completion);
    n = hs_call_counts(HS_FN_SEND_BODY, p, 4);
    CHECK_U(4, n.bytes_sent);
    CHECK_U(4, n.completion);
    p.body_len = 0;
    n = hs_call_counts(HS_FN_SEND_BODY, p, 0);
    CHECK_U(0, n.bytes_sent);
    CHECK_U(0, n.completion);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "-v") == 0)
        verbose = 1;

    /* Worked examples and Windows facts */
    RUN(test_example1_teapot_retry_after_exact_head);
    RUN(test_example2_pong_pang_auto_content_length_8);
    RUN(test_app_content_length_6_with_8_bytes_passes_through);
    RUN(test_app_date_yesteryear_replaced_by_generated_date);
    RUN(test_example3_app_length_and_date_exact_bytes);
    RUN(test_example4_more_data_head_then_two_body_calls);
    RUN(test_example5_status_999_empty_reason_chunked);
    RUN(test_status_999_empty_reason_status_line);
    RUN(test_example6_http10_request_exact_bytes);
    RUN(test_example7_1xx_204_304_with_app_length_0);
    RUN(test_example8_server_mode_2);

    /* Server line */
    RUN(test_server_mode0_token_only);
    RUN(test_server_mode0_app_value_then_token);
    RUN(test_server_mode1_same_as_mode0);
    RUN(test_server_mode2_app_value_only_or_no_line);
    RUN(test_server_token_from_config);
    RUN(test_unknown_server_header_does_not_replace_server_line);

    /* Content-Length */
    RUN(test_head_request_no_auto_length_body_still_sent);
    RUN(test_head_request_app_length_passes);
    RUN(test_status_204_no_auto_length);
    RUN(test_status_304_no_auto_length);
    RUN(test_status_1xx_no_auto_length_edges);
    RUN(test_app_transfer_encoding_no_auto_length);
    RUN(test_unknown_content_length_header_gets_auto_length_too);
    RUN(test_unknown_te_date_connection_have_no_effect);
    RUN(test_auto_length_decimal_values);

    /* Header lines from the application */
    RUN(test_all_known_header_names_in_id_order);
    RUN(test_known_header_len_0_omitted);
    RUN(test_high_bytes_and_htab_pass_unchanged);
    RUN(test_unknown_header_empty_value);
    RUN(test_repeated_unknown_headers_kept_in_order);
    RUN(test_response_version_ignored);
    RUN(test_response_flags_field_no_effect);

    /* Connection */
    RUN(test_http11_keep_alive_stays_open);
    RUN(test_http10_request_connection_close_line);
    RUN(test_http10_keep_alive_request_still_closes);
    RUN(test_request_version_decides_http10_close);
    RUN(test_http11_request_close_line_and_close_after);
    RUN(test_app_connection_close_no_generated_line);
    RUN(test_app_connection_other_value_stays_open);
    RUN(test_http10_app_connection_value_verbatim_still_closes);
    RUN(test_disconnect_close_line_and_close_after);
    RUN(test_body_call_disconnect_and_inherited_close);
    RUN(test_http10_more_data_head_then_final_body);

    /* Opaque mode */
    RUN(test_opaque_with_200_rejected);
    RUN(test_101_opaque_more_data_goes_opaque);
    RUN(test_101_opaque_without_more_data_ends_at_once);
    RUN(test_101_opaque_without_app_connection_no_close_line);
    RUN(test_body_opaque_flag_when_not_opaque_rejected);

    /* State of the request */
    RUN(test_unknown_request_id_connection_invalid);
    RUN(test_second_final_send_connection_invalid);
    RUN(test_send_after_more_data_head_rejected);
    RUN(test_body_before_head_rejected);
    RUN(test_client_gone_connection_invalid);

    /* hs_check_send_response rejections */
    RUN(test_send_fixture_is_valid);
    RUN(test_send_invalid_handle);
    RUN(test_send_null_request_id);
    RUN(test_send_reserved_parameters);
    RUN(test_send_unknown_flag_bits);
    RUN(test_send_disconnect_with_more_data);
    RUN(test_send_null_response);
    RUN(test_send_status_out_of_range);
    RUN(test_send_trailers_reserved);
    RUN(test_send_unknown_header_count);
    RUN(test_send_chunk_count);
    RUN(test_send_null_pointers);
    RUN(test_send_null_pointers_with_zero_length_valid);
    RUN(test_send_cr_lf_nul_in_fields);
    RUN(test_send_empty_unknown_name);
    RUN(test_send_chunk_type);
    RUN(test_send_fragment_name_too_long);
    RUN(test_send_fragment_missing);
    RUN(test_send_file_range_outside);
    RUN(test_send_cache_policy_type);
    RUN(test_send_log_data_type);
    RUN(test_send_reference_check_order);

    /* hs_check_send_body rejections */
    RUN(test_body_fixture_is_valid);
    RUN(test_body_invalid_handle);
    RUN(test_body_null_request_id);
    RUN(test_body_reserved_parameters);
    RUN(test_body_unknown_flag_bits);
    RUN(test_body_disconnect_with_more_data);
    RUN(test_body_chunk_count);
    RUN(test_body_null_pointers);
    RUN(test_body_chunk_type);
    RUN(test_body_fragment_name_too_long);
    RUN(test_body_fragment_missing);
    RUN(test_body_file_range_outside);
    RUN(test_body_log_data_type);
    RUN(test_body_reference_check_order);
    RUN(test_rule_error_codes);

    /* Flags without an effect */
    RUN(test_no_effect_flags_accepted_same_bytes);
    RUN(test_overlapped_and_bytes_sent_no_effect);

    /* Entity chunks */
    RUN(test_file_and_fragment_chunks_bytes_and_sum);
    RUN(test_body_call_file_and_fragment_chunks);

    /* Rendering */
    RUN(test_render_head_measure_and_small_buffer);
    RUN(test_render_body_measure_and_small_buffer);

    /* hs_commit */
    RUN(test_commit_adds_wire_bytes_and_sets_state);
    RUN(test_commit_after_real_calls);
    RUN(test_call_counts);

    printf("%u passed, %u failed\n", n_passed, n_failed);
    return n_failed == 0u ? 0 : 1;
}
