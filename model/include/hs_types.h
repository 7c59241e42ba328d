/*
 * hs_types.h: the model's view of one call of HttpSendHttpResponse or
 * HttpSendResponseEntityBody, of the request it answers and of the server.
 *
 * The model is pure: pointers in the real API become either byte spans the
 * caller owns or flags saying whether a pointer argument was NULL. One byte
 * type (hs_byte) is used everywhere and no pointer is ever cast.
 */
#ifndef HS_TYPES_H
#define HS_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include "hs_sdk.h"
#include "hs_rules.h"

typedef unsigned char hs_byte;

/* HTTP_KNOWN_HEADER: RawValueLength and pRawValue. */
struct hs_known_header {
    uint16_t len;
    const hs_byte *value;
};

/* HTTP_UNKNOWN_HEADER. */
struct hs_unknown_header {
    uint16_t name_len;
    uint16_t value_len;
    const hs_byte *name;
    const hs_byte *value;
};

/* HTTP_DATA_CHUNK. For a memory chunk, data/len are pBuffer/BufferLength.
 * For a file or fragment chunk the host resolves the file or the cached
 * fragment and passes its whole content in data/len; start/length are the
 * HTTP_BYTE_RANGE (file and FromFragmentCacheEx); present says whether the
 * named fragment is in the cache. */
struct hs_chunk {
    uint32_t type;
    const hs_byte *data;
    uint32_t len;
    uint64_t start;
    uint64_t length;
    uint32_t name_len;
    uint8_t  present;
};

/* HTTP_RESPONSE (V1 fields; V2's response info is not modelled). */
struct hs_response {
    uint32_t flags;                 /* HTTP_RESPONSE.Flags: no effect on the bytes */
    uint16_t major;                 /* Version: ignored (WIRE-VERSION-IGNORED) */
    uint16_t minor;
    uint16_t status;
    uint16_t reason_len;
    const hs_byte *reason;
    struct hs_known_header known[HttpHeaderResponseMaximum];
    uint16_t unknown_count;
    const struct hs_unknown_header *unknown;
    uint16_t trailer_count;
    uint8_t  trailers_set;          /* pTrailers != NULL */
    uint16_t chunk_count;
    const struct hs_chunk *chunks;
};

/* HTTP_CACHE_POLICY and the Type of HTTP_LOG_DATA. */
struct hs_cache_policy { uint32_t policy; uint32_t seconds; };
struct hs_log_data     { uint32_t type; };

/* Which function a call is. */
#define HS_FN_SEND_RESPONSE 1u   /* HttpSendHttpResponse */
#define HS_FN_SEND_BODY     2u   /* HttpSendResponseEntityBody */

/* The queue handle argument. */
#define HS_HANDLE_QUEUE     0u   /* the request queue the request came from */
#define HS_HANDLE_INVALID   1u   /* NULL, INVALID_HANDLE_VALUE, closed, not a queue */

/* One call, with every parameter of either function. */
struct hs_call {
    uint8_t  function;
    uint8_t  handle;
    uint64_t request_id;
    uint32_t flags;
    const struct hs_response *response;        /* HttpSendHttpResponse */
    uint16_t chunk_count;                      /* HttpSendResponseEntityBody */
    const struct hs_chunk *chunks;             /* HttpSendResponseEntityBody */
    const struct hs_cache_policy *cache_policy;
    const struct hs_log_data *log_data;
    uint8_t  reserved1_set;                    /* Reserved1 != NULL */
    uint32_t reserved2;
    uint8_t  bytes_sent_wanted;                /* BytesSent != NULL */
    uint8_t  overlapped;                       /* Overlapped != NULL */
};

/* The facts about the request that the model needs. */
struct hs_request {
    uint8_t verb;                  /* HTTP_VERB */
    uint8_t major;
    uint8_t minor;
    uint8_t conn_close;            /* a "close" token in Connection */
    uint8_t conn_keep_alive;       /* a "keep-alive" token in Connection */
};

/* DisableServerHeader, the registry value (WIRE-SERVER-DISABLED). */
#define HS_SERVER_MODE_DEFAULT        0u  /* the token is added (WIRE-SERVER) */
#define HS_SERVER_MODE_OWN_RESPONSES  1u  /* only HTTP.sys's own answers lose it: as 0 here */
#define HS_SERVER_MODE_NO_TOKEN       2u  /* no token: the application's value or no line */

/* Server configuration: DisableServerHeader and the product token. */
struct hs_config {
    uint8_t server_mode;           /* HS_SERVER_MODE_* */
    uint16_t token_len;
    const hs_byte *token;          /* e.g. Microsoft-HTTPAPI/2.0 */
};

/* Where a request id stands. */
#define HS_ST_RECEIVED   1u  /* request delivered, nothing sent yet */
#define HS_ST_STREAMING  2u  /* head sent with MORE_DATA */
#define HS_ST_OPAQUE     3u  /* 101 sent with OPAQUE: raw bytes both ways */
#define HS_ST_DONE       4u  /* final send made: the id is dead */
#define HS_ST_GONE       5u  /* the client closed the connection */

/* One request id's exchange. */
struct hs_exchange {
    uint64_t id;
    uint8_t  state;
    struct hs_request request;
    uint8_t  close_after;          /* the connection closes once the response is complete */
    uint64_t wire_bytes;           /* bytes put on the wire for this response so far */
};

/* The result of validating a call. */
struct hs_outcome {
    uint32_t error;
    enum hs_rule rule;
};

/* Which Server line the head carries. */
#define HS_SERVER_NONE       0u  /* none */
#define HS_SERVER_TOKEN      1u  /* "Server: <token>" */
#define HS_SERVER_APP        2u  /* "Server: <app value>" */
#define HS_SERVER_APP_TOKEN  3u  /* "Server: <app value> <token>" */

/* What a successful call does, decided before any byte is written. */
struct hs_plan {
    uint8_t  server;               /* HS_SERVER_* (heads only) */
    uint8_t  connection_close;     /* the head carries a generated Connection: close */
    uint8_t  auto_length;          /* the head carries a generated Content-Length */
    uint64_t body_len;             /* entity bytes of this call */
    uint8_t  close_after;          /* the connection closes once the response is complete */
    uint8_t  next_state;           /* HS_ST_* after the call */
};

/* What a successful call reports: *BytesSent of a synchronous call and the byte
 * count of the completion of an overlapped one (hs_call_counts). */
struct hs_counts {
    uint64_t bytes_sent;
    uint64_t completion;
};

/* The Date value is an IMF-fixdate, always 29 bytes. */
#define HS_DATE_LEN 29u

/* A Date value, passed by value: the renderer reads it as it was when the call
 * was made, whatever the head's writes do. */
struct hs_date {
    hs_byte text[HS_DATE_LEN];
};

#endif
