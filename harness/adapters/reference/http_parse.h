/*
 * http_parse.h: the request side of HTTP/1.x, as pure functions on byte
 * buffers (no sockets, no allocation), so that they can be fuzzed alone.
 *
 *   hp_parse_head   the request line and header fields of one request;
 *   hp_body_step    the request body that follows (Content-Length or
 *                   chunked), decoded into a buffer or discarded.
 *
 * Every rejection site returns its own reason (enum hp_reason), so a 400
 * can always be traced to the exact check that refused the bytes.
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HP_MAX_HEAD        16384u  /* request line + fields + empty line, bytes */
#define HP_MAX_METHOD      32u     /* method token, bytes */
#define HP_MAX_CHUNK_LINE  4096u   /* chunk-size line with its extensions */
#define HP_MAX_TRAILERS    16384u  /* trailer section of a chunked body */

enum hp_status { HP_ERROR = -1, HP_MORE = 0, HP_DONE = 1 };

#define HP_REASON_LIST(X) \
    X(NONE,                "no error") \
    X(HEAD_TOO_LARGE,      "request head over 16 KiB") \
    X(LEADING_TOO_LARGE,   "too many empty lines before the request line") \
    X(BARE_CR,             "CR not followed by LF") \
    X(BARE_LF,             "LF without CR") \
    X(METHOD_EMPTY,        "request line does not start with a method") \
    X(METHOD_LONG,         "method too long") \
    X(METHOD_END,          "method not followed by one space") \
    X(TARGET_EMPTY,        "empty request target") \
    X(TARGET_END,          "request target not followed by one space") \
    X(VERSION_PREFIX,      "version does not start with HTTP/") \
    X(VERSION_DIGITS,      "version is not DIGIT.DIGIT") \
    X(VERSION_TRAILING,    "bytes after the version") \
    X(VERSION_MAJOR,       "HTTP major version is not 1") \
    X(FIELD_FOLDED,        "obsolete line folding") \
    X(FIELD_NO_COLON,      "header line without a colon") \
    X(FIELD_NAME_EMPTY,    "empty header name") \
    X(FIELD_NAME_SPACE,    "whitespace in or after a header name") \
    X(FIELD_NAME_CHAR,     "header name is not a token") \
    X(FIELD_VALUE_CHAR,    "control byte in a header value") \
    X(CL_EMPTY,            "empty Content-Length") \
    X(CL_SYNTAX,           "Content-Length is not a decimal number") \
    X(CL_OVERFLOW,         "Content-Length too large") \
    X(CL_CONFLICT,         "Content-Length values differ") \
    X(TE_UNSUPPORTED,      "transfer coding other than chunked") \
    X(TE_CHUNKED_TWICE,    "chunked applied twice") \
    X(TE_EMPTY,            "empty Transfer-Encoding") \
    X(TE_WITH_CL,          "both Transfer-Encoding and Content-Length") \
    X(TE_HTTP10,           "Transfer-Encoding in an HTTP/1.0 request") \
    X(CHUNK_SIZE_EMPTY,    "chunk size missing") \
    X(CHUNK_SIZE_CHAR,     "bad byte in chunk size") \
    X(CHUNK_SIZE_OVERFLOW, "chunk size too large") \
    X(CHUNK_LINE_LONG,     "chunk-size line too long") \
    X(CHUNK_EXT_CHAR,      "control byte in a chunk extension") \
    X(CHUNK_SIZE_LF,       "chunk-size line: CR without LF") \
    X(CHUNK_DATA_CR,       "chunk data not followed by CR") \
    X(CHUNK_DATA_LF,       "chunk data not followed by CRLF") \
    X(TRAILER_CHAR,        "control byte in a trailer line") \
    X(TRAILER_TOO_LARGE,   "trailer section too large") \
    X(TRAILER_LF,          "trailer line: CR without LF")

#define HP_REASON_ENUM(sym, text) HP_R_##sym,
enum hp_reason { HP_REASON_LIST(HP_REASON_ENUM) HP_R_COUNT };
#undef HP_REASON_ENUM

const char *hp_reason_text(enum hp_reason r);

/* How the request body is framed. */
#define HP_BODY_NONE     0u
#define HP_BODY_LENGTH   1u
#define HP_BODY_CHUNKED  2u

/* HTTP_VERB numbers (http.h), for the model's hs_request.verb. */
#define HP_VERB_UNKNOWN  1u

struct hp_request {
    char     method[HP_MAX_METHOD + 1];  /* NUL-terminated token */
    uint8_t  verb;                       /* HTTP_VERB */
    uint8_t  major, minor;
    uint8_t  conn_close;                 /* "close" among the Connection options */
    uint8_t  conn_keep_alive;            /* "keep-alive" among them */
    uint8_t  body_kind;                  /* HP_BODY_* */
    uint64_t content_length;             /* HP_BODY_LENGTH */
    size_t   head_len;                   /* bytes of the head, empty lines before it included */
    /* parser state while the fields are read */
    uint8_t  cl_seen, te_seen, te_chunked;
};

/* Parses one request head at the start of buf[0..len).
 * HP_DONE: *r is filled and r->head_len bytes make the head.
 * HP_MORE: no error in the complete lines so far; more bytes are needed
 *          (never when len >= HP_MAX_HEAD).
 * HP_ERROR: *why says which check failed. */
enum hp_status hp_parse_head(const uint8_t *buf, size_t len, struct hp_request *r,
                             enum hp_reason *why);

/* Decoding state of one request body. */
struct hp_body {
    uint8_t  kind;          /* HP_BODY_* */
    uint8_t  state;         /* chunked: where in the framing */
    uint8_t  digits;        /* chunked: hex digits of the current size */
    uint64_t remaining;     /* bytes left (length) or left in the chunk (chunked) */
    uint32_t line_len;      /* chunked: bytes of the current size or trailer line */
    uint32_t trailer_len;   /* chunked: bytes of the trailer section */
};

void hp_body_init(struct hp_body *b, const struct hp_request *r);

/* Consumes framing and body bytes from in[0..in_len) and writes the body
 * bytes to out[0..out_cap) (out NULL: discards them, no limit). Stops at
 * the end of the body: bytes after it are never consumed.
 * HP_DONE: the body is complete. HP_MORE: more input (or room) needed.
 * HP_ERROR: bad chunked framing, *why says where. */
enum hp_status hp_body_step(struct hp_body *b, const uint8_t *in, size_t in_len, size_t *consumed,
                            uint8_t *out, size_t out_cap, size_t *produced, enum hp_reason *why);

#endif
