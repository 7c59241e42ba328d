/*
 * hs_sdk.h: the constants of the Windows SDK http.h and winerror.h that the
 * model needs, with the SDK's numeric values. The model does not include any
 * Windows header (mingw-w64's http.h lacks several of these).
 */
#ifndef HS_SDK_H
#define HS_SDK_H

/* Flags of HttpSendHttpResponse and HttpSendResponseEntityBody. */
#define HTTP_SEND_RESPONSE_FLAG_DISCONNECT          0x00000001u
#define HTTP_SEND_RESPONSE_FLAG_MORE_DATA           0x00000002u
#define HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA         0x00000004u
#define HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING      0x00000008u
#define HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES      0x00000020u
#define HTTP_SEND_RESPONSE_FLAG_OPAQUE              0x00000040u
#define HTTP_SEND_RESPONSE_FLAG_GOAWAY              0x00000100u
#define HTTP_SEND_RESPONSE_FLAG_AUTOMATIC_CHUNKING  0x00000200u

/* The seven flags the model knows (0x16F); every other bit is unknown
 * (CALL-FLAG-UNKNOWN). The model tests for an unknown bit as
 * (flags | HS_FLAGS_KNOWN) != HS_FLAGS_KNOWN rather than with a mask of the
 * other bits: WP's simplifier folds the constants of an | by itself, which
 * proves the flag lemmas of hs_flag_lemmas.h without a prover, and ACSL's ~
 * works on integers, not on 32-bit words. */
#define HS_FLAGS_KNOWN (HTTP_SEND_RESPONSE_FLAG_DISCONNECT | HTTP_SEND_RESPONSE_FLAG_MORE_DATA | \
                        HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA | HTTP_SEND_RESPONSE_FLAG_ENABLE_NAGLING | \
                        HTTP_SEND_RESPONSE_FLAG_PROCESS_RANGES | HTTP_SEND_RESPONSE_FLAG_OPAQUE | \
                        HTTP_SEND_RESPONSE_FLAG_GOAWAY)

#define HTTP_NULL_ID                                0ull
#define HTTP_BYTE_RANGE_TO_EOF                      0xFFFFFFFFFFFFFFFFull

/* HTTP_DATA_CHUNK_TYPE */
#define HttpDataChunkFromMemory                     0u
#define HttpDataChunkFromFileHandle                 1u
#define HttpDataChunkFromFragmentCache              2u
#define HttpDataChunkFromFragmentCacheEx            3u
#define HttpDataChunkTrailers                       4u
#define HttpDataChunkMaximum                        5u

/* HTTP_CACHE_POLICY_TYPE */
#define HttpCachePolicyNocache                      0u
#define HttpCachePolicyUserInvalidates              1u
#define HttpCachePolicyTimeToLive                   2u
#define HttpCachePolicyMaximum                      3u

/* HTTP_LOG_DATA_TYPE */
#define HttpLogDataTypeFields                       0u

/* HTTP_VERB values the model looks at. */
#define HttpVerbGET                                 4u
#define HttpVerbHEAD                                5u
#define HttpVerbPOST                                6u

/* HTTP_HEADER_ID: the response headers the model treats specially. */
#define HttpHeaderConnection                        1
#define HttpHeaderDate                              2
#define HttpHeaderTransferEncoding                  6
#define HttpHeaderContentLength                     11
#define HttpHeaderServer                            26
#define HttpHeaderResponseMaximum                   30

/* The names of the response headers 0..29 in HTTP_HEADER_ID order (spec 01,
 * section 1.4): an initializer list, the one copy every C table is built
 * from. The longest, Proxy-Authenticate, has 18 bytes. */
#define HS_KNOWN_HEADER_NAMES \
    "Cache-Control", "Connection", "Date", "Keep-Alive", "Pragma", \
    "Trailer", "Transfer-Encoding", "Upgrade", "Via", "Warning", \
    "Allow", "Content-Length", "Content-Type", "Content-Encoding", "Content-Language", \
    "Content-Location", "Content-MD5", "Content-Range", "Expires", "Last-Modified", \
    "Accept-Ranges", "Age", "ETag", "Location", "Proxy-Authenticate", \
    "Retry-After", "Server", "Set-Cookie", "Vary", "WWW-Authenticate"

/* Documented limits. */
#define HS_MAX_UNKNOWN_HEADERS                      9999u   /* HTTP_RESPONSE_HEADERS.UnknownHeaderCount */
#define HS_MAX_RESPONSE_CHUNKS                      100u    /* HTTP_RESPONSE.EntityChunkCount */
#define HS_MAX_BODY_CHUNKS                          9999u   /* HttpSendResponseEntityBody EntityChunkCount */
#define HS_MAX_FRAGMENT_NAME                        65532u  /* FromFragmentCacheEx pFragmentName, bytes */

/* Win32 error codes (winerror.h). */
#define NO_ERROR                                    0u
#define ERROR_PATH_NOT_FOUND                        3u
#define ERROR_INVALID_HANDLE                        6u
#define ERROR_BAD_COMMAND                           22u
#define ERROR_NETNAME_DELETED                       64u
#define ERROR_INVALID_PARAMETER                     87u
#define ERROR_IO_PENDING                            997u
#define ERROR_CONNECTION_INVALID                    1229u

#endif
