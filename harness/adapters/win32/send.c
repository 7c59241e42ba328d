/*
 * send.c: prepares what chunks refer to (a file holding the bytes, a cached
 * fragment), makes the call, and waits for an overlapped call's completion.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "send.h"
#include "channel.h"
#include "requests.h"
#include "server.h"
#include "log.h"
#include "ops.h"
#include "protocol_refs.h"

#define BYTES_SENT_PRESET 0xDEADBEEFu
#define COMPLETION_WAIT_MS 5000

/* Fragment names cached so far, flushed on RESET. */
static WCHAR **cached;
static size_t n_cached, cap_cached;

static int remember_fragment(PCWSTR name)
{
    size_t n = wcslen(name) + 1;
    WCHAR *copy = malloc(n * sizeof *copy);
    if (copy == NULL)
        return -1;
    memcpy(copy, name, n * sizeof *copy);
    if (n_cached == cap_cached) {
        size_t cap = cap_cached ? cap_cached * 2 : 16;
        WCHAR **nc = realloc(cached, cap * sizeof *nc);
        if (nc == NULL) {
            free(copy);
            return -1;
        }
        cached = nc;
        cap_cached = cap;
    }
    cached[n_cached++] = copy;
    return 0;
}

void send_reset(void)
{
    for (size_t i = 0; i < n_cached; i++) {
        HttpFlushResponseCache(server_queue(), cached[i], 0, NULL);
        free(cached[i]);
    }
    n_cached = 0;
}

/* A file that holds the bytes and goes away when its handle is closed. */
static HANDLE temp_file(const BYTE *data, size_t len)
{
    WCHAR dir[MAX_PATH], path[MAX_PATH];
    DWORD w;
    HANDLE h;
    if (GetTempPathW(MAX_PATH, dir) == 0 || GetTempFileNameW(dir, L"hs", 0, path) == 0)
        return INVALID_HANDLE_VALUE;
    h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL,
                    CREATE_ALWAYS, FILE_ATTRIBUTE_TEMPORARY | FILE_FLAG_DELETE_ON_CLOSE, NULL);
    if (h == INVALID_HANDLE_VALUE)
        return h;
    if ((len > 0 && (!WriteFile(h, data, (DWORD)len, &w, NULL) || w != len)) ||
        SetFilePointer(h, 0, NULL, FILE_BEGIN) == INVALID_SET_FILE_POINTER) {
        CloseHandle(h);
        return INVALID_HANDLE_VALUE;
    }
    return h;
}

/* The name a fragment chunk refers to. */
static PCWSTR fragment_name(const HTTP_DATA_CHUNK *k)
{
    return k->DataChunkType == HttpDataChunkFromFragmentCache
        ? k->FromFragmentCache.pFragmentName : sdk_fragex_name(k);
}

/* Files and fragments for the chunks; -1 with why when one cannot be made. */
static int prepare(struct call_args *c, HANDLE *files, const char **why)
{
    static char msg[120];
    if (c->chunks == NULL)
        return 0;
    for (USHORT i = 0; i < c->chunk_count; i++) {
        HTTP_DATA_CHUNK *k = &c->chunks[i];
        struct chunk_prep *p = &c->prep[i];
        if (p->file) {
            files[i] = temp_file(p->data, p->len);
            if (files[i] == INVALID_HANDLE_VALUE) {
                snprintf(msg, sizeof msg, "cannot make the file of chunk %u: error %lu",
                         (unsigned)i + 1, (unsigned long)GetLastError());
                return *why = msg, -1;
            }
            k->FromFileHandle.FileHandle = files[i];
        } else if (p->cache) {
            HTTP_DATA_CHUNK data;
            HTTP_CACHE_POLICY policy;
            ULONG rc;
            memset(&data, 0, sizeof data);
            data.DataChunkType = HttpDataChunkFromMemory;
            data.FromMemory.pBuffer = (void *)p->data;
            data.FromMemory.BufferLength = (ULONG)p->len;
            policy.Policy = HttpCachePolicyUserInvalidates;
            policy.SecondsToLive = 0;
            /* Said on the control channel first: should this abort the process, the
             * harness knows that the call under test never ran (protocol 1.1, SETUP). */
            chan_reply("SETUP HttpAddFragmentToCache chunk %u", (unsigned)i + 1);
            rc = HttpAddFragmentToCache(server_queue(), fragment_name(k), &data, &policy, NULL);
            if (rc != NO_ERROR) {
                snprintf(msg, sizeof msg, "HttpAddFragmentToCache for chunk %u returned %lu",
                         (unsigned)i + 1, (unsigned long)rc);
                return *why = msg, -1;
            }
            remember_fragment(fragment_name(k));
        }
    }
    return 0;
}

int send_call(struct call_args *c, struct send_result *out, const char **why)
{
    HTTP_REQUEST_ID id = HTTP_NULL_ID;
    HANDLE queue = c->queue_invalid ? NULL : server_queue();
    HANDLE *files = NULL;
    ULONG *bytes = arena_alloc(&c->arena, sizeof *bytes);   /* outlives a call left in flight */
    ULONG *bytes_p;
    static ULONG reserved1_target;          /* what a non-NULL Reserved1 points at */
    void *reserved1 = c->reserved1 ? &reserved1_target : NULL;
    OVERLAPPED *ov = NULL;
    int ret = 0;

    memset(out, 0, sizeof *out);
    if (bytes == NULL)
        return *why = "out of memory", -1;
    *bytes = BYTES_SENT_PRESET;
    bytes_p = c->bytes_sent ? bytes : NULL;
    if (c->overlapped == OVERLAPPED_DEFER && ops_known(c->op))
        return *why = "op name already used in this case", -1;
    if (c->id_kind == ID_REF && !req_lookup(c->ref, &id))
        return *why = "unknown ref", -1;
    if (c->id_kind == ID_LITERAL)
        id = refs_unissued(c->id_literal);
    if (c->chunks != NULL) {
        files = calloc(c->chunk_count, sizeof *files);
        if (files == NULL)
            return *why = "out of memory", -1;
        for (USHORT i = 0; i < c->chunk_count; i++)
            files[i] = INVALID_HANDLE_VALUE;
        if (prepare(c, files, why) != 0) {
            ret = -1;
            goto done;
        }
    }
    if (c->overlapped) {
        ov = calloc(1, sizeof *ov);
        if (ov == NULL || (ov->hEvent = CreateEventW(NULL, TRUE, FALSE, NULL)) == NULL) {
            *why = "cannot make an event";
            ret = -1;
            goto done;
        }
    }

    if (c->fn == FN_RESPONSE)
        out->rc = HttpSendHttpResponse(queue, id, c->flags, (HTTP_RESPONSE *)c->resp_p, c->cache_p,
                                       bytes_p, reserved1, c->reserved2, ov, c->log_p);
    else
        out->rc = HttpSendResponseEntityBody(queue, id, c->flags, c->chunk_count, c->chunks,
                                             bytes_p, reserved1, c->reserved2, ov, c->log_p);

    if (c->overlapped == OVERLAPPED_DEFER && (out->rc == NO_ERROR || out->rc == ERROR_IO_PENDING)) {
        /* The operation owns everything the call points to from now on. */
        if (ops_add(c->op, ov, &c->arena, files, files != NULL ? c->chunk_count : 0) != 0) {
            log_msg("out of memory keeping operation %s; it is abandoned", c->op);
            c->arena.n = 0;
        }
        files = NULL;
        ov = NULL;
        out->completion_pending = 1;
    } else if (ov != NULL && (out->rc == NO_ERROR || out->rc == ERROR_IO_PENDING)) {
        DWORD n = 0;
        if (WaitForSingleObject(ov->hEvent, COMPLETION_WAIT_MS) == WAIT_OBJECT_0) {
            GetOverlappedResult(queue, ov, &n, FALSE);
            out->completion_set = 1;
            out->completion = n;
        } else {
            /* Still in flight: the call owns ov, the chunks and the files. */
            log_msg("no completion within %d ms; leaving the call its buffers", COMPLETION_WAIT_MS);
            c->arena.n = 0;
            files = NULL;
            ov = NULL;
        }
    }
    if (c->bytes_sent && *bytes != BYTES_SENT_PRESET) {
        out->bytes_sent_set = 1;
        out->bytes_sent = *bytes;
    }
done:
    if (files != NULL) {
        for (USHORT i = 0; i < c->chunk_count; i++) {
            if (files[i] != INVALID_HANDLE_VALUE)
                CloseHandle(files[i]);
        }
        free(files);
    }
    if (ov != NULL) {
        if (ov->hEvent != NULL)
            CloseHandle(ov->hEvent);
        free(ov);
    }
    return ret;
}
