/*
 * args.h: the arguments of CALL (spec/adapter-protocol.md, "Call arguments")
 * turned into the very structures HttpSendHttpResponse and
 * HttpSendResponseEntityBody take. Nothing is checked beyond the syntax:
 * invalid values go to the API as they are.
 */
#ifndef ARGS_H
#define ARGS_H

#include <stddef.h>
#include "protocol_lex.h"
#include "sdk.h"

enum call_fn { FN_RESPONSE, FN_BODY };
enum id_kind { ID_REF, ID_NULL, ID_LITERAL };

#define OVERLAPPED_DEFER 2      /* overlapped=defer: reply before the completion */

/* What a chunk needs before the call: a file holding its bytes, or a
 * fragment cached under its name. */
struct chunk_prep {
    int file;                   /* FromFileHandle: make a file of data */
    int cache;                  /* a fragment chunk whose data is to be cached */
    const BYTE *data;
    size_t len;
};

struct call_args {
    enum call_fn fn;
    enum id_kind id_kind;
    char ref[PROTO_MAX_REF + 1];
    ULONGLONG id_literal;
    ULONG flags;
    int queue_invalid;
    int reserved1;
    ULONG reserved2;
    int bytes_sent;
    int overlapped;             /* 0, 1, or OVERLAPPED_DEFER */
    char op[PROTO_MAX_REF + 1];  /* the deferred call's name */
    int response_version;       /* 0: not given */
    HTTP_RESPONSE_INFO *info;   /* multi_known entries */
    USHORT n_info;
    HTTP_CACHE_POLICY cache, *cache_p;
    HTTP_LOG_FIELDS_DATA log;
    HTTP_LOG_DATA *log_p;
    HTTP_RESPONSE_V2 resp;      /* HttpResponse, also when passed as HTTP_RESPONSE_V1 */
    HTTP_RESPONSE_V2 *resp_p;   /* NULL: response=null */
    HTTP_DATA_CHUNK *chunks;    /* the chunk array, NULL when none or chunks_null */
    USHORT chunk_count;
    struct chunk_prep *prep;    /* one per chunk of chunks */
    struct arena arena;
};

/* Parses the fields after "CALL". -1 with a message in err on a syntax
 * error. args_free either way. */
int args_parse_call(char **f, int n, struct call_args *c, char *err, size_t errlen);
void args_free(struct call_args *c);

#endif
