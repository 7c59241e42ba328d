/*
 * hs_rules.h: the spec rules that the reference model decides.
 *
 * Each entry is HS_RULE(symbol, "SPEC-ID", class); the symbol is the spec id
 * with '_' for '-', so a grep for either finds the other. The spec (the Markdown files in spec/)
 * holds the text, the class and the source of every id listed here; a test
 * checks that both lists agree. Classes:
 *   DOC   documented by Microsoft
 *   OBS   observed on real Windows (public test suites that run there)
 *   RFC   required by RFC 9110 / RFC 9112
 *   IMPL  implementation-defined (the spec lists the allowed variants)
 *   UNDEF undefined (the reference makes one safe choice, cases do not judge it)
 */
#ifndef HS_RULES_H
#define HS_RULES_H

#define HS_RULE_LIST(HS_RULE) \
    HS_RULE(NONE,                            "NONE",                            IMPL) \
    /* Call validation shared by both functions. */ \
    HS_RULE(CALL_HANDLE_INVALID,             "CALL-HANDLE-INVALID",             IMPL) \
    HS_RULE(CALL_RESERVED1,                  "CALL-RESERVED1",                  IMPL) \
    HS_RULE(CALL_RESERVED2,                  "CALL-RESERVED2",                  IMPL) \
    HS_RULE(CALL_FLAG_UNKNOWN,               "CALL-FLAG-UNKNOWN",               IMPL) \
    HS_RULE(CALL_FLAG_DISCONNECT_MORE_DATA,  "CALL-FLAG-DISCONNECT-MORE-DATA",  UNDEF) \
    HS_RULE(CALL_POINTER_NULL,               "CALL-POINTER-NULL",               IMPL) \
    HS_RULE(CALL_CHUNK_TYPE,                 "CALL-CHUNK-TYPE",                 IMPL) \
    HS_RULE(CALL_CHUNK_FRAGMENT_MISSING,     "CALL-CHUNK-FRAGMENT-MISSING",     DOC) \
    HS_RULE(CALL_CHUNK_FRAGMENT_NAME,        "CALL-CHUNK-FRAGMENT-NAME",        DOC) \
    HS_RULE(CALL_CHUNK_RANGE,                "CALL-CHUNK-RANGE",                UNDEF) \
    HS_RULE(CALL_LOG_DATA_TYPE,              "CALL-LOG-DATA-TYPE",              IMPL) \
    HS_RULE(CALL_ID_UNKNOWN,                 "CALL-ID-UNKNOWN",                 OBS) \
    HS_RULE(CALL_ID_FINISHED,                "CALL-ID-FINISHED",                IMPL) \
    HS_RULE(CALL_CONN_GONE,                  "CALL-CONN-GONE",                  IMPL) \
    HS_RULE(CALL_OK,                         "CALL-OK",                         DOC) \
    /* HttpSendHttpResponse only. */ \
    HS_RULE(SEND_ID_NULL,                    "SEND-ID-NULL",                    DOC) \
    HS_RULE(SEND_RESPONSE_NULL,              "SEND-RESPONSE-NULL",              IMPL) \
    HS_RULE(SEND_FLAG_OPAQUE_101,            "SEND-FLAG-OPAQUE-101",            DOC) \
    HS_RULE(SEND_STATUS_RANGE,               "SEND-STATUS-RANGE",               UNDEF) \
    HS_RULE(SEND_TRAILERS_RESERVED,          "SEND-TRAILERS-RESERVED",          IMPL) \
    HS_RULE(SEND_UNKNOWN_HEADER_COUNT,       "SEND-UNKNOWN-HEADER-COUNT",       UNDEF) \
    HS_RULE(SEND_CHUNK_COUNT,                "SEND-CHUNK-COUNT",                UNDEF) \
    HS_RULE(SEND_CACHE_POLICY_TYPE,          "SEND-CACHE-POLICY-TYPE",          IMPL) \
    HS_RULE(SEND_AFTER_HEAD,                 "SEND-AFTER-HEAD",                 IMPL) \
    /* HttpSendResponseEntityBody only. */ \
    HS_RULE(BODY_ID_NULL,                    "BODY-ID-NULL",                    OBS) \
    HS_RULE(BODY_CHUNK_COUNT,                "BODY-CHUNK-COUNT",                UNDEF) \
    HS_RULE(BODY_BEFORE_HEAD,                "BODY-BEFORE-HEAD",                IMPL) \
    HS_RULE(BODY_FLAG_OPAQUE_101,            "BODY-FLAG-OPAQUE-101",            DOC) \
    /* What goes on the wire. */ \
    HS_RULE(WIRE_STATUS_LINE,                "WIRE-STATUS-LINE",                OBS) \
    HS_RULE(WIRE_VERSION_IGNORED,            "WIRE-VERSION-IGNORED",            DOC) \
    HS_RULE(WIRE_KNOWN_HEADER,               "WIRE-KNOWN-HEADER",               OBS) \
    HS_RULE(WIRE_KNOWN_EMPTY_OMITTED,        "WIRE-KNOWN-EMPTY-OMITTED",        OBS) \
    HS_RULE(WIRE_UNKNOWN_HEADER,             "WIRE-UNKNOWN-HEADER",             OBS) \
    HS_RULE(WIRE_HEADER_ORDER,               "WIRE-HEADER-ORDER",               IMPL) \
    HS_RULE(WIRE_DATE,                       "WIRE-DATE",                       OBS) \
    HS_RULE(WIRE_SERVER,                     "WIRE-SERVER",                     DOC) \
    HS_RULE(WIRE_SERVER_DISABLED,            "WIRE-SERVER-DISABLED",            DOC) \
    HS_RULE(WIRE_CL_AUTO,                    "WIRE-CL-AUTO",                    OBS) \
    HS_RULE(WIRE_CL_NONE_MORE_DATA,          "WIRE-CL-NONE-MORE-DATA",          OBS) \
    HS_RULE(WIRE_CL_NONE_HEAD,               "WIRE-CL-NONE-HEAD",               OBS) \
    HS_RULE(WIRE_CL_NONE_NO_CONTENT,         "WIRE-CL-NONE-NO-CONTENT",         OBS) \
    HS_RULE(WIRE_CL_NONE_1XX_304,            "WIRE-CL-NONE-1XX-304",            IMPL) \
    HS_RULE(WIRE_CL_NONE_TE,                 "WIRE-CL-NONE-TE",                 OBS) \
    HS_RULE(WIRE_CL_APP,                     "WIRE-CL-APP",                     OBS) \
    HS_RULE(WIRE_BODY,                       "WIRE-BODY",                       OBS) \
    HS_RULE(WIRE_BODY_NOT_SUPPRESSED,        "WIRE-BODY-NOT-SUPPRESSED",        OBS) \
    HS_RULE(WIRE_CONNECTION_CLOSE,           "WIRE-CONNECTION-CLOSE",           OBS) \
    HS_RULE(WIRE_CONNECTION_CLOSE_OTHER,     "WIRE-CONNECTION-CLOSE-OTHER",     IMPL) \
    HS_RULE(WIRE_NOTHING_ELSE,               "WIRE-NOTHING-ELSE",               OBS) \
    HS_RULE(WIRE_FIELD_BYTES,                "WIRE-FIELD-BYTES",                UNDEF) \
    /* The request, the connection and the request id over time. */ \
    HS_RULE(CONN_PERSISTENT,                 "CONN-PERSISTENT",                 OBS) \
    HS_RULE(CONN_HTTP10_CLOSE,               "CONN-HTTP10-CLOSE",               OBS) \
    HS_RULE(CONN_REQUEST_CLOSE,              "CONN-REQUEST-CLOSE",              RFC) \
    HS_RULE(CONN_APP_CLOSE,                  "CONN-APP-CLOSE",                  IMPL) \
    HS_RULE(CONN_DISCONNECT,                 "CONN-DISCONNECT",                 DOC) \
    HS_RULE(CONN_MORE_DATA,                  "CONN-MORE-DATA",                  DOC) \
    HS_RULE(CONN_OPAQUE,                     "CONN-OPAQUE",                     DOC) \
    HS_RULE(CONN_ID_DIES,                    "CONN-ID-DIES",                    OBS) \
    HS_RULE(CONN_BYTES_SENT,                 "CONN-BYTES-SENT",                 OBS) \
    HS_RULE(CONN_BYTES_SENT_HEAD,            "CONN-BYTES-SENT-HEAD",            IMPL) \
    HS_RULE(CONN_ASYNC_RESULT,               "CONN-ASYNC-RESULT",               DOC) \
    /* Flags with no effect on the bytes. */ \
    HS_RULE(FLAG_BUFFER_DATA,                "FLAG-BUFFER-DATA",                DOC) \
    HS_RULE(FLAG_ENABLE_NAGLING,             "FLAG-ENABLE-NAGLING",             DOC) \
    HS_RULE(FLAG_PROCESS_RANGES,             "FLAG-PROCESS-RANGES",             IMPL) \
    HS_RULE(FLAG_GOAWAY,                     "FLAG-GOAWAY",                     IMPL)

#define HS_RULE_ENUM(sym, id, cls) HS_RULE_##sym,
enum hs_rule { HS_RULE_LIST(HS_RULE_ENUM) HS_RULE_COUNT };
#undef HS_RULE_ENUM

#endif
