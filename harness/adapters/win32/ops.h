/*
 * ops.h: deferred overlapped calls (protocol 1.1, capability "defer"): the
 * calls the adapter answered before their completion, by the harness's name.
 */
#ifndef OPS_H
#define OPS_H

#include "args.h"

#define OPS_MAX_NAME 64

/* 1 when NAME is a deferred operation of this case. */
int ops_known(const char *name);

/* Takes over a call in flight: its OVERLAPPED, the memory its arguments
 * live in and the files its chunks read. 0 on success. */
int ops_add(const char *name, OVERLAPPED *ov, struct arena *mem, HANDLE *files, USHORT n_files);

/* Waits up to timeout_ms: 1 completed (*rc, *count), 0 still pending, -1 unknown name. */
int ops_wait(const char *name, DWORD timeout_ms, ULONG *rc, ULONG *count);

/* CancelIoEx on the operation; -1 unknown name. */
int ops_cancel(const char *name);

/* Cancels what is pending, waits for it, forgets every name. */
void ops_reset(void);

#endif
