/*
 * http_parse.c: request head and request body parsing (RFC 9112 §2-§7),
 * strict and bounded: every index is checked against the length it indexes,
 * every loop is bounded by the input or by a fixed limit.
 */
#include <string.h>
#include "http_parse.h"

#define HP_REASON_TEXT(sym, text) text,
static const char *const hp_texts[HP_R_COUNT] = { HP_REASON_LIST(HP_REASON_TEXT) };
#undef HP_REASON_TEXT

const char *hp_reason_text(enum hp_reason r)
{
    return (unsigned)r < (unsigned)HP_R_COUNT ? hp_texts[r] : "unknown reason";
}

static enum hp_status fail(enum hp_reason *why, enum hp_reason r)
{
    *why = r;
    return HP_ERROR;
}

/* ---- byte classes -------------------------------------------------------- */

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static int is_tchar(uint8_t c)
{
    if (is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
        return 1;
    default:
        return 0;
    }
}

static int is_ows(uint8_t c) { return c == ' ' || c == '\t'; }

/* field-vchar / SP / HTAB / obs-text */
static int is_field_byte(uint8_t c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

static int hex_value(uint8_t c)
{
    if (is_digit(c)) return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* p[0..n) equals the lowercase word w, ignoring ASCII case. */
static int ci_equal(const uint8_t *p, size_t n, const char *w)
{
    size_t wl = strlen(w);
    if (n != wl)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        if (c != (uint8_t)w[i])
            return 0;
    }
    return 1;
}

/* ---- lines ---------------------------------------------------------------- */

/* Finds the line starting at pos: on HP_DONE its content is [pos, *end) and
 * the next line starts at *next. A head may not reach past HP_MAX_HEAD. */
static enum hp_status next_line(const uint8_t *b, size_t len, size_t pos, size_t *end, size_t *next,
                                enum hp_reason *why)
{
    size_t lim = len < HP_MAX_HEAD ? len : HP_MAX_HEAD;
    for (size_t i = pos; i < lim; i++) {
        if (b[i] == '\n') {
            if (i == pos || b[i - 1] != '\r')
                return fail(why, HP_R_BARE_LF);
            *end = i - 1;
            *next = i + 1;
            return HP_DONE;
        }
        if (b[i] == '\r' && i + 1 < len && b[i + 1] != '\n')
            return fail(why, HP_R_BARE_CR);
    }
    if (len >= HP_MAX_HEAD)
        return fail(why, HP_R_HEAD_TOO_LARGE);
    return HP_MORE;
}

/* ---- request line ---------------------------------------------------------- */

static uint8_t verb_of(const char *m)
{
    static const char *const verbs[] = {
        "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT", "TRACK",
        "MOVE", "COPY", "PROPFIND", "PROPPATCH", "MKCOL", "LOCK", "UNLOCK", "SEARCH"
    };
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        if (strcmp(m, verbs[i]) == 0)
            return (uint8_t)(3u + i);   /* HttpVerbOPTIONS = 3 ... HttpVerbSEARCH = 19 */
    }
    return HP_VERB_UNKNOWN;
}

/* method SP request-target SP HTTP/DIGIT.DIGIT */
static enum hp_status request_line(const uint8_t *p, size_t n, struct hp_request *r, enum hp_reason *why)
{
    size_t i = 0, t;
    while (i < n && is_tchar(p[i]))
        i++;
    if (i == 0)
        return fail(why, HP_R_METHOD_EMPTY);
    if (i > HP_MAX_METHOD)
        return fail(why, HP_R_METHOD_LONG);
    if (i >= n || p[i] != ' ')
        return fail(why, HP_R_METHOD_END);
    memcpy(r->method, p, i);
    r->method[i] = '\0';
    r->verb = verb_of(r->method);

    t = ++i;
    while (i < n && p[i] > 0x20 && p[i] != 0x7f)
        i++;
    if (i == t)
        return fail(why, HP_R_TARGET_EMPTY);
    if (i >= n || p[i] != ' ')
        return fail(why, HP_R_TARGET_END);
    i++;

    if (n - i < 5 || memcmp(p + i, "HTTP/", 5) != 0)
        return fail(why, HP_R_VERSION_PREFIX);
    if (n - i < 8 || !is_digit(p[i + 5]) || p[i + 6] != '.' || !is_digit(p[i + 7]))
        return fail(why, HP_R_VERSION_DIGITS);
    if (n - i != 8)
        return fail(why, HP_R_VERSION_TRAILING);
    r->major = (uint8_t)(p[i + 5] - '0');
    r->minor = (uint8_t)(p[i + 7] - '0');
    if (r->major != 1u)
        return fail(why, HP_R_VERSION_MAJOR);
    return HP_DONE;
}

/* ---- header fields ---------------------------------------------------------- */

static enum hp_status content_length(const uint8_t *v, size_t n, struct hp_request *r, enum hp_reason *why)
{
    uint64_t x = 0;
    if (n == 0)
        return fail(why, HP_R_CL_EMPTY);
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(v[i]))
            return fail(why, HP_R_CL_SYNTAX);
        if (x > (UINT64_MAX >> 2) / 10u)          /* keeps the value below 2^62 */
            return fail(why, HP_R_CL_OVERFLOW);
        x = x * 10u + (uint64_t)(v[i] - '0');
    }
    if (r->cl_seen && r->content_length != x)
        return fail(why, HP_R_CL_CONFLICT);
    r->cl_seen = 1;
    r->content_length = x;
    return HP_DONE;
}

/* Strips optional whitespace from both ends of [*p, *p + *n). */
static void trim(const uint8_t **p, size_t *n)
{
    while (*n > 0 && is_ows((*p)[0])) { (*p)++; (*n)--; }
    while (*n > 0 && is_ows((*p)[*n - 1])) (*n)--;
}

/* The next element of a comma-separated list at v[*i..n), trimmed; 0 at the end. */
static int next_element(const uint8_t *v, size_t n, size_t *i, const uint8_t **e, size_t *el)
{
    size_t s = *i;
    if (*i > n)
        return 0;
    while (*i < n && v[*i] != ',')
        (*i)++;
    *e = v + s;
    *el = *i - s;
    trim(e, el);
    (*i)++;
    return 1;
}

static enum hp_status transfer_encoding(const uint8_t *v, size_t n, struct hp_request *r,
                                        enum hp_reason *why)
{
    size_t i = 0;
    const uint8_t *e;
    size_t el;
    r->te_seen = 1;
    while (next_element(v, n, &i, &e, &el)) {
        if (el == 0)
            continue;
        if (!ci_equal(e, el, "chunked"))
            return fail(why, HP_R_TE_UNSUPPORTED);
        if (r->te_chunked)
            return fail(why, HP_R_TE_CHUNKED_TWICE);
        r->te_chunked = 1;
    }
    return HP_DONE;
}

static void connection(const uint8_t *v, size_t n, struct hp_request *r)
{
    size_t i = 0;
    const uint8_t *e;
    size_t el;
    while (next_element(v, n, &i, &e, &el)) {
        if (ci_equal(e, el, "close"))
            r->conn_close = 1;
        else if (ci_equal(e, el, "keep-alive"))
            r->conn_keep_alive = 1;
    }
}

/* field-name ":" OWS field-value OWS */
static enum hp_status field_line(const uint8_t *p, size_t n, struct hp_request *r, enum hp_reason *why)
{
    const uint8_t *colon, *v;
    size_t name_len, vn;

    if (n > 0 && is_ows(p[0]))
        return fail(why, HP_R_FIELD_FOLDED);
    colon = memchr(p, ':', n);
    if (colon == NULL)
        return fail(why, HP_R_FIELD_NO_COLON);
    name_len = (size_t)(colon - p);
    if (name_len == 0)
        return fail(why, HP_R_FIELD_NAME_EMPTY);
    for (size_t i = 0; i < name_len; i++) {
        if (is_ows(p[i]))
            return fail(why, HP_R_FIELD_NAME_SPACE);
        if (!is_tchar(p[i]))
            return fail(why, HP_R_FIELD_NAME_CHAR);
    }
    v = colon + 1;
    vn = n - name_len - 1;
    trim(&v, &vn);
    for (size_t i = 0; i < vn; i++) {
        if (!is_field_byte(v[i]))
            return fail(why, HP_R_FIELD_VALUE_CHAR);
    }
    if (ci_equal(p, name_len, "content-length"))
        return content_length(v, vn, r, why);
    if (ci_equal(p, name_len, "transfer-encoding"))
        return transfer_encoding(v, vn, r, why);
    if (ci_equal(p, name_len, "connection"))
        connection(v, vn, r);
    return HP_DONE;
}

/* The framing of the body, once every field is known (RFC 9112 §6.1, §6.3). */
static enum hp_status framing(struct hp_request *r, enum hp_reason *why)
{
    if (r->te_seen) {
        if (!r->te_chunked)
            return fail(why, HP_R_TE_EMPTY);
        if (r->cl_seen)
            return fail(why, HP_R_TE_WITH_CL);
        if (r->minor == 0u)
            return fail(why, HP_R_TE_HTTP10);
        r->body_kind = HP_BODY_CHUNKED;
    } else if (r->cl_seen && r->content_length > 0u) {
        r->body_kind = HP_BODY_LENGTH;
    } else {
        r->body_kind = HP_BODY_NONE;
    }
    return HP_DONE;
}

enum hp_status hp_parse_head(const uint8_t *buf, size_t len, struct hp_request *r, enum hp_reason *why)
{
    size_t pos = 0, end = 0, next = 0;
    enum hp_status st;

    memset(r, 0, sizeof *r);
    *why = HP_R_NONE;

    /* RFC 9112 §2.2: empty lines before the request line are ignored. */
    while (pos + 1 < len && buf[pos] == '\r' && buf[pos + 1] == '\n') {
        pos += 2;
        if (pos >= HP_MAX_HEAD)
            return fail(why, HP_R_LEADING_TOO_LARGE);
    }

    st = next_line(buf, len, pos, &end, &next, why);
    if (st != HP_DONE)
        return st;
    st = request_line(buf + pos, end - pos, r, why);
    if (st != HP_DONE)
        return st;
    pos = next;

    for (;;) {
        st = next_line(buf, len, pos, &end, &next, why);
        if (st != HP_DONE)
            return st;
        if (end == pos) {                      /* the empty line ends the head */
            st = framing(r, why);
            if (st != HP_DONE)
                return st;
            r->head_len = next;
            return HP_DONE;
        }
        st = field_line(buf + pos, end - pos, r, why);
        if (st != HP_DONE)
            return st;
        pos = next;
    }
}

/* ---- request body ------------------------------------------------------------- */

enum { CK_SIZE, CK_EXT, CK_SIZE_LF, CK_DATA, CK_DATA_CR, CK_DATA_LF, CK_TRAILER, CK_TRAILER_LF, CK_DONE };

void hp_body_init(struct hp_body *b, const struct hp_request *r)
{
    memset(b, 0, sizeof *b);
    b->kind = r->body_kind;
    b->state = CK_SIZE;
    if (r->body_kind == HP_BODY_LENGTH)
        b->remaining = r->content_length;
}

/* One framing byte of a chunked body (every state except CK_DATA). */
static enum hp_status chunk_byte(struct hp_body *b, uint8_t c, enum hp_reason *why)
{
    int h;
    switch (b->state) {
    case CK_SIZE:
        h = hex_value(c);
        if (h >= 0) {
            if (b->remaining > (UINT64_MAX >> 4) >> 2)   /* keeps sizes below 2^62 */
                return fail(why, HP_R_CHUNK_SIZE_OVERFLOW);
            b->remaining = (b->remaining << 4) | (uint64_t)h;
            b->digits = 1;
        } else if (c == '\r' || c == ';' || is_ows(c)) {
            if (!b->digits)
                return fail(why, HP_R_CHUNK_SIZE_EMPTY);
            b->state = (c == '\r') ? CK_SIZE_LF : CK_EXT;
        } else {
            return fail(why, HP_R_CHUNK_SIZE_CHAR);
        }
        break;
    case CK_EXT:
        if (c == '\r')
            b->state = CK_SIZE_LF;
        else if (!is_field_byte(c))
            return fail(why, HP_R_CHUNK_EXT_CHAR);
        break;
    case CK_SIZE_LF:
        if (c != '\n')
            return fail(why, HP_R_CHUNK_SIZE_LF);
        b->state = b->remaining == 0u ? CK_TRAILER : CK_DATA;
        b->line_len = 0;
        return HP_MORE;
    case CK_DATA_CR:
        if (c != '\r')
            return fail(why, HP_R_CHUNK_DATA_CR);
        b->state = CK_DATA_LF;
        return HP_MORE;
    case CK_DATA_LF:
        if (c != '\n')
            return fail(why, HP_R_CHUNK_DATA_LF);
        b->state = CK_SIZE;
        b->digits = 0;
        b->line_len = 0;
        return HP_MORE;
    case CK_TRAILER:
        if (c == '\r') {
            b->state = CK_TRAILER_LF;
            return HP_MORE;
        }
        if (!is_field_byte(c))
            return fail(why, HP_R_TRAILER_CHAR);
        if (++b->trailer_len > HP_MAX_TRAILERS)
            return fail(why, HP_R_TRAILER_TOO_LARGE);
        b->line_len++;
        return HP_MORE;
    case CK_TRAILER_LF:
        if (c != '\n')
            return fail(why, HP_R_TRAILER_LF);
        b->state = b->line_len == 0u ? CK_DONE : CK_TRAILER;
        b->line_len = 0;
        return b->state == CK_DONE ? HP_DONE : HP_MORE;
    default:
        return HP_DONE;
    }
    /* CK_SIZE and CK_EXT count toward the chunk-size line limit. */
    if (++b->line_len > HP_MAX_CHUNK_LINE)
        return fail(why, HP_R_CHUNK_LINE_LONG);
    return HP_MORE;
}

/* Moves up to `avail` data bytes (bounded by b->remaining and the room in out). */
static size_t take_data(struct hp_body *b, const uint8_t *in, size_t avail,
                        uint8_t *out, size_t out_cap, size_t *produced)
{
    size_t n = avail;
    if ((uint64_t)n > b->remaining)
        n = (size_t)b->remaining;
    if (out != NULL) {
        size_t room = out_cap - *produced;
        if (n > room)
            n = room;
        if (n > 0)
            memcpy(out + *produced, in, n);
    }
    *produced += n;
    b->remaining -= n;
    return n;
}

enum hp_status hp_body_step(struct hp_body *b, const uint8_t *in, size_t in_len, size_t *consumed,
                            uint8_t *out, size_t out_cap, size_t *produced, enum hp_reason *why)
{
    size_t pos = 0;
    *consumed = 0;
    *produced = 0;
    *why = HP_R_NONE;

    if (b->kind == HP_BODY_NONE)
        return HP_DONE;
    if (b->kind == HP_BODY_LENGTH) {
        *consumed = take_data(b, in, in_len, out, out_cap, produced);
        return b->remaining == 0u ? HP_DONE : HP_MORE;
    }

    while (b->state != CK_DONE && pos < in_len) {
        if (b->state == CK_DATA) {
            size_t n = take_data(b, in + pos, in_len - pos, out, out_cap, produced);
            pos += n;
            if (b->remaining == 0u)
                b->state = CK_DATA_CR;
            else if (n == 0)
                break;                        /* out is full */
            continue;
        }
        if (chunk_byte(b, in[pos], why) == HP_ERROR) {
            *consumed = pos;
            return HP_ERROR;
        }
        pos++;
    }
    *consumed = pos;
    return b->state == CK_DONE ? HP_DONE : HP_MORE;
}
