/*
 * requests.c: RECEIVE starts one HttpReceiveHttpRequest and, when nothing
 * came in time, cancels it and waits for the cancel to finish: a request
 * that completed meanwhile is delivered, so none is lost. No receive stays
 * pending outside RECEIVE: a process that dies with one pending can
 * deadlock Wine's http.sys driver (its cancel routine and its close routine
 * take the same two locks in opposite orders).
 */
#include <stdlib.h>
#include <string.h>
#include "requests.h"
#include "server.h"
#include "log.h"
#include "protocol_refs.h"
#include "args.h"

#define RECV_BUF (1024u * 1024u)

static HTTP_REQUEST_V1 *rbuf;       /* the receive's buffer */
static OVERLAPPED rov;
static int pending;                 /* a receive is outstanding (only within RECEIVE) */

static const char *const verbs[] = {
    "", "", "", "OPTIONS", "GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "CONNECT",
    "TRACK", "MOVE", "COPY", "PROPFIND", "PROPPATCH", "MKCOL", "LOCK", "UNLOCK", "SEARCH",
};

int req_lookup(const char *ref, HTTP_REQUEST_ID *id)
{
    uint64_t v;
    if (!refs_get(ref, &v))
        return 0;
    *id = v;
    return 1;
}

/* Starts a receive for the next request; the code when it cannot. */
static ULONG arm(void)
{
    ULONG rc;
    if (rbuf == NULL && (rbuf = malloc(RECV_BUF)) == NULL)
        return ERROR_NOT_ENOUGH_MEMORY;
    if (rov.hEvent == NULL && (rov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL)
        return GetLastError();
    ResetEvent(rov.hEvent);
    rov.Internal = rov.InternalHigh = 0;
    rov.Offset = rov.OffsetHigh = 0;
    rc = HttpReceiveHttpRequest(server_queue(), HTTP_NULL_ID, 0, (HTTP_REQUEST *)rbuf, RECV_BUF, NULL, &rov);
    if (rc != NO_ERROR && rc != ERROR_IO_PENDING)
        return rc;
    pending = 1;
    return NO_ERROR;
}

/* Waits for the outstanding receive: 1 with a request in rbuf, 0 still
 * pending, -1 failed (*rc). */
static int collect(DWORD timeout_ms, ULONG *rc)
{
    DWORD n = 0;
    if (WaitForSingleObject(rov.hEvent, timeout_ms) != WAIT_OBJECT_0)
        return 0;
    pending = 0;
    if (!GetOverlappedResult(server_queue(), &rov, &n, FALSE)) {
        *rc = GetLastError();
        /* A request larger than the buffer: name it, and let it go. */
        if (*rc == ERROR_MORE_DATA)
            log_msg("request 0x%llx does not fit %u bytes", (unsigned long long)rbuf->RequestId, RECV_BUF);
        return -1;
    }
    return 1;
}

/* Cancels the outstanding receive: 1 when it had a request after all. */
static int disarm(ULONG *rc)
{
    int r;
    CancelIoEx(server_queue(), &rov);
    r = collect(5000, rc);
    if (r == 0) {
        /* The cancel did not finish: keep the buffer, the call may still write it. */
        log_msg("HttpReceiveHttpRequest ignored CancelIoEx; abandoning its buffer");
        rbuf = NULL;
        rov.hEvent = NULL;
        pending = 0;
        return 0;
    }
    if (r < 0 && *rc == ERROR_OPERATION_ABORTED)
        return 0;
    return r;
}

int req_receive(const char *ref, DWORD timeout_ms, struct received *out, ULONG *rc)
{
    int r;
    *rc = NO_ERROR;
    if ((*rc = arm()) != NO_ERROR)
        return -1;
    r = collect(timeout_ms, rc);
    if (r == 0)
        r = disarm(rc);
    if (r <= 0)
        return r;
    if (refs_set(ref, rbuf->RequestId) != 0) {
        *rc = ERROR_NOT_ENOUGH_MEMORY;
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (rbuf->Verb == HttpVerbUnknown && rbuf->pUnknownVerb != NULL) {
        size_t n = rbuf->UnknownVerbLength < sizeof out->verb - 1 ? rbuf->UnknownVerbLength : sizeof out->verb - 1;
        memcpy(out->verb, rbuf->pUnknownVerb, n);
    } else if ((unsigned)rbuf->Verb < sizeof verbs / sizeof verbs[0] && verbs[rbuf->Verb][0] != '\0') {
        strcpy(out->verb, verbs[rbuf->Verb]);
    } else {
        strcpy(out->verb, "UNKNOWN");
    }
    for (char *p = out->verb; *p != '\0'; p++) {     /* one protocol field */
        if (*p <= ' ' || *p > '~')
            *p = '_';
    }
    out->major = rbuf->Version.MajorVersion;
    out->minor = rbuf->Version.MinorVersion;
    if (rbuf->Address.pRemoteAddress != NULL) {
        const SOCKADDR *sa = rbuf->Address.pRemoteAddress;
        if (sa->sa_family == AF_INET)
            out->peer_port = ntohs(((const SOCKADDR_IN *)sa)->sin_port);
        else if (sa->sa_family == AF_INET6)
            out->peer_port = ntohs(((const SOCKADDR_IN6 *)sa)->sin6_port);
    }
    return 1;
}

int req_recv_body(const char *ref, DWORD max, DWORD timeout_ms, BYTE *buf, DWORD *got, ULONG *rc)
{
    static OVERLAPPED ov;
    HTTP_REQUEST_ID id;
    DWORD n = 0;

    *got = 0;
    if (!req_lookup(ref, &id))
        return -1;
    if (ov.hEvent == NULL && (ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL) {
        *rc = GetLastError();
        return 1;
    }
    ResetEvent(ov.hEvent);
    ov.Internal = ov.InternalHigh = 0;
    *rc = HttpReceiveRequestEntityBody(server_queue(), id, 0, buf, max, NULL, &ov);
    if (*rc != NO_ERROR && *rc != ERROR_IO_PENDING)
        return 1;
    if (WaitForSingleObject(ov.hEvent, timeout_ms) != WAIT_OBJECT_0) {
        CancelIoEx(server_queue(), &ov);
        if (WaitForSingleObject(ov.hEvent, 2000) != WAIT_OBJECT_0) {
            /* The implementation ignores the cancel: never touch ov or buf again. */
            log_msg("HttpReceiveRequestEntityBody ignored CancelIoEx; abandoning it");
            memset(&ov, 0, sizeof ov);
            return -2;
        }
    }
    *rc = GetOverlappedResult(server_queue(), &ov, &n, FALSE) ? NO_ERROR : GetLastError();
    if (*rc == ERROR_OPERATION_ABORTED)
        return 0;
    *got = *rc == NO_ERROR ? n : 0;
    return 1;
}

void req_reset(void)
{
    ULONG rc = NO_ERROR;
    refs_clear();
    /* Requests already waiting belong to cases that are over. */
    while (arm() == NO_ERROR) {
        int r = collect(0, &rc);
        if (r == 0)
            r = disarm(&rc);
        if (r <= 0)
            break;
        log_msg("reset: dropping request 0x%llx nobody asked for", (unsigned long long)rbuf->RequestId);
    }
}
