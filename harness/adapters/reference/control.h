/*
 * control.h: the line protocol of spec/adapter-protocol.md (version 1):
 * splitting a command line into fields (numbers, hex byte strings and refs
 * are in ../common/protocol_lex.h), the key=value arguments of CALL turned into the model's hs_call, hs_response
 * and hs_chunk arrays, and writing reply lines.
 */
#ifndef CONTROL_H
#define CONTROL_H

#include <stddef.h>
#include <stdint.h>
#include "hs_types.h"
#include "protocol_lex.h"

#define CTL_MAX_LINE    (256u * 1024u * 1024u) /* bytes of one command line */
#define CTL_ERR_LEN     160
#define CTL_MAX_FILL    (256u * 1024u * 1024u) /* bytes of one fill: chunk */
#define CTL_MAX_FILLS   (256u * 1024u * 1024u) /* bytes of all the fill: chunks of one CALL */
#define CTL_BIG_FILLS   8                      /* fill: chunks of one CALL kept for reuse */

/* Splits line in place at spaces; returns the number of fields (at most max). */
int ctl_split(char *line, char **fields, int max);

/* How a CALL names its request id. */
#define CTL_ID_REF      0
#define CTL_ID_NULL     1
#define CTL_ID_LITERAL  2

/* One multi_known argument (protocol 1.1): an HTTP_RESPONSE_INFO of type
 * HttpResponseInfoTypeMultipleKnownHeaders with its values. */
struct ctl_multi_known {
    uint32_t id;                /* HeaderId */
    uint32_t flags;             /* Flags */
    uint16_t count;             /* KnownHeaderCount, at least 1 */
    struct hs_known_header *values;
};

/* One CALL, its arguments in the model's structures. */
struct call_spec {
    int id_kind;                /* CTL_ID_* */
    const char *ref;            /* CTL_ID_REF */
    uint64_t id_literal;        /* CTL_ID_LITERAL */
    int bytes_sent;             /* pass a BytesSent variable */
    int overlapped;             /* pass an OVERLAPPED */
    int defer;                  /* overlapped=defer: reply before the completion */
    const char *op;             /* its name (op=) */
    int response_version;       /* 1 or 2 (HTTP_RESPONSE_V2) */
    struct ctl_multi_known *multi;  /* the response-info entries of a V2 response */
    size_t n_multi;
    struct hs_call call;        /* call.request_id is filled in by the caller */
    struct hs_response resp;
    struct hs_cache_policy cache;
    struct hs_log_data log;
    struct arena arena;
    void *big_fills[CTL_BIG_FILLS];  /* large fill: chunks (bigbuf.h), not in the arena */
    size_t n_big_fills;
};

/* Parses "CALL fn arg..." from fields[1..n). On error returns -1 with a
 * message in err; the spec must be freed with ctl_call_free either way. */
int ctl_parse_call(char **fields, int n, struct call_spec *s, char *err, size_t errlen);
void ctl_call_free(struct call_spec *s);

/* The control channel's output. */
void ctl_set_output(int fd);
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void ctl_reply(const char *fmt, ...);
/* "BODY <hex>" ("BODY -" for none). */
void ctl_reply_body(const hs_byte *p, size_t n);

#endif
