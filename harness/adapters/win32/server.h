/*
 * server.h: the HTTP Server API setup: HttpInitialize, then either a v2
 * server session, URL group and request queue, or a v1 handle with
 * HttpAddUrl, registered on a free port.
 */
#ifndef SERVER_H
#define SERVER_H

#include "sdk.h"

struct server_opts {
    int api;                /* 1 or 2 */
    const char *url_host;   /* the host part of the registered URL: "+", "localhost", ... */
    const char *address;    /* what LISTENING announces to the harness */
    unsigned port;          /* 0: pick a free one */
};

/* Registers http://HOST:PORT/. 0 on success, else a Win32 code (and what
 * failed in *what). */
ULONG server_start(const struct server_opts *o, unsigned *port, const char **what);

HANDLE server_queue(void);

#endif
