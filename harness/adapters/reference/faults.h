/*
 * faults.h: switches that turn the reference adapter into a faulty
 * implementation on purpose (--fault NAME), so that the harness can show
 * that it notices each kind of fault. Default: none.
 */
#ifndef FAULTS_H
#define FAULTS_H

#include <stddef.h>
#include <stdint.h>
#include "hs_types.h"

enum fault {
    FAULT_NONE,
    FAULT_WRONG_CODE,   /* every non-zero rc becomes 87, and 87 becomes 1229 */
    FAULT_DROP_DATE,    /* the Date line is left out of every head */
    FAULT_EXTRA_BYTE,   /* one 'X' after every complete response */
    FAULT_HANG,         /* CALL never replies */
    FAULT_CRASH,        /* abort() on the first CALL */
    FAULT_GARBAGE,      /* 64 random bytes instead of a call's bytes */
    FAULT_ENDLESS,      /* after a head, body bytes until the client goes away */
    FAULT_KEEP_OPEN,    /* connections are never closed */
    FAULT_TRUNCATE,     /* a call's bytes after the first 2 MiB are dropped, success reported */
    FAULT_SHORT_COMPLETION, /* a deferred send's completion counts one byte less */
    FAULT_IGNORE_UNKNOWN_FLAGS  /* unknown flag bits are cleared before the model's check:
                                   CALL-FLAG-UNKNOWN's other allowed way, not a fault */
};

#define FAULT_TRUNCATE_AT (2u * 1024u * 1024u)

extern enum fault fault_mode;

/* Sets fault_mode from its name; -1 for an unknown name. */
int fault_set(const char *name);

/* The rc a CALL reports. */
uint32_t fault_rc(uint32_t rc);

/* Rewrites the n bytes of one successful call in buf (room for n + 64 bytes)
 * and returns the new length. head_len: bytes of the head at the start (0 for
 * a body call); date: the Date value in the head; completes: the call ends
 * the response. */
size_t fault_bytes(hs_byte *buf, size_t n, size_t head_len, const hs_byte *date, int completes);

struct conn;
/* FAULT_ENDLESS: writes body bytes to c until the client goes away (or the
 * control channel watch_fd becomes readable); returns how many were written. */
uint64_t fault_endless(struct conn *c, int watch_fd);

#endif
