/*
 * ops.c: each deferred call keeps its OVERLAPPED, argument memory and files
 * until it completes; the memory is freed only once the implementation is
 * done with it (or never, if it ignores a cancel).
 */
#include <stdlib.h>
#include <string.h>
#include "ops.h"
#include "server.h"
#include "log.h"

#define RESET_WAIT_MS 5000

struct op {
    char name[OPS_MAX_NAME + 1];
    OVERLAPPED *ov;
    struct arena mem;
    HANDLE *files;
    USHORT n_files;
    int done;
    ULONG rc, count;
};

static struct op *ops;
static size_t n_ops, cap_ops;

static struct op *find(const char *name)
{
    for (size_t i = 0; i < n_ops; i++) {
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    }
    return NULL;
}

int ops_known(const char *name)
{
    return find(name) != NULL;
}

int ops_add(const char *name, OVERLAPPED *ov, struct arena *mem, HANDLE *files, USHORT n_files)
{
    struct op *o;
    if (strlen(name) > OPS_MAX_NAME)
        return -1;
    if (n_ops == cap_ops) {
        size_t cap = cap_ops ? cap_ops * 2 : 8;
        struct op *no = realloc(ops, cap * sizeof *no);
        if (no == NULL)
            return -1;
        ops = no;
        cap_ops = cap;
    }
    o = &ops[n_ops++];
    memset(o, 0, sizeof *o);
    strcpy(o->name, name);
    o->ov = ov;
    o->mem = *mem;
    memset(mem, 0, sizeof *mem);
    o->files = files;
    o->n_files = n_files;
    return 0;
}

static void release(struct op *o)
{
    for (USHORT i = 0; i < o->n_files; i++) {
        if (o->files[i] != INVALID_HANDLE_VALUE)
            CloseHandle(o->files[i]);
    }
    free(o->files);
    arena_free(&o->mem);
    CloseHandle(o->ov->hEvent);
    free(o->ov);
    o->files = NULL;
    o->ov = NULL;
}

/* 1 when o has completed (its result recorded, its memory freed). */
static int check(struct op *o, DWORD timeout_ms)
{
    DWORD n = 0;
    if (o->done)
        return 1;
    if (WaitForSingleObject(o->ov->hEvent, timeout_ms) != WAIT_OBJECT_0)
        return 0;
    o->rc = GetOverlappedResult(server_queue(), o->ov, &n, FALSE) ? NO_ERROR : GetLastError();
    o->count = n;
    o->done = 1;
    release(o);
    return 1;
}

int ops_wait(const char *name, DWORD timeout_ms, ULONG *rc, ULONG *count)
{
    struct op *o = find(name);
    if (o == NULL)
        return -1;
    if (!check(o, timeout_ms))
        return 0;
    *rc = o->rc;
    *count = o->count;
    return 1;
}

int ops_cancel(const char *name)
{
    struct op *o = find(name);
    if (o == NULL)
        return -1;
    if (!o->done && !CancelIoEx(server_queue(), o->ov) && GetLastError() != ERROR_NOT_FOUND)
        log_msg("CancelIoEx for %s failed: %lu", name, (unsigned long)GetLastError());
    return 0;
}

void ops_reset(void)
{
    for (size_t i = 0; i < n_ops; i++) {
        struct op *o = &ops[i];
        if (o->done)
            continue;
        CancelIoEx(server_queue(), o->ov);
        if (!check(o, RESET_WAIT_MS))
            log_msg("reset: %s did not complete after a cancel; its memory stays", o->name);
    }
    n_ops = 0;
}
