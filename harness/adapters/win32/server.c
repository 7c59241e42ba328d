/*
 * server.c: one request queue for the adapter's life. The port is one the
 * system has just handed out to a bound socket, so it is free on loopback.
 */
#include <stdio.h>
#include <wchar.h>
#include "server.h"
#include "log.h"

static HANDLE queue;
static HTTP_SERVER_SESSION_ID session;
static HTTP_URL_GROUP_ID group;

HANDLE server_queue(void)
{
    return queue;
}

static unsigned free_port(void)
{
    struct sockaddr_in a;
    int alen = sizeof a;
    unsigned port = 0;
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(s, (struct sockaddr *)&a, &alen) == 0)
        port = ntohs(a.sin_port);
    closesocket(s);
    return port;
}

static ULONG start_v1(const WCHAR *url, const char **what)
{
    HTTPAPI_VERSION v = HTTPAPI_VERSION_1;
    ULONG rc = HttpInitialize(v, HTTP_INITIALIZE_SERVER, NULL);
    if (rc != NO_ERROR)
        return *what = "HttpInitialize(1.0)", rc;
    if ((rc = HttpCreateHttpHandle(&queue, 0)) != NO_ERROR)
        return *what = "HttpCreateHttpHandle", rc;
    if ((rc = HttpAddUrl(queue, url, NULL)) != NO_ERROR)
        return *what = "HttpAddUrl", rc;
    return NO_ERROR;
}

static ULONG start_v2(const WCHAR *url, const char **what)
{
    HTTPAPI_VERSION v = HTTPAPI_VERSION_2;
    HTTP_BINDING_INFO bind;
    ULONG rc = HttpInitialize(v, HTTP_INITIALIZE_SERVER, NULL);
    if (rc != NO_ERROR)
        return *what = "HttpInitialize(2.0)", rc;
    if ((rc = HttpCreateServerSession(v, &session, 0)) != NO_ERROR)
        return *what = "HttpCreateServerSession", rc;
    if ((rc = HttpCreateUrlGroup(session, &group, 0)) != NO_ERROR)
        return *what = "HttpCreateUrlGroup", rc;
    if ((rc = HttpCreateRequestQueue(v, NULL, NULL, 0, &queue)) != NO_ERROR)
        return *what = "HttpCreateRequestQueue", rc;
    memset(&bind, 0, sizeof bind);
    bind.Flags.Present = 1;
    bind.RequestQueueHandle = queue;
    if ((rc = HttpSetUrlGroupProperty(group, HttpServerBindingProperty, &bind, sizeof bind)) != NO_ERROR)
        return *what = "HttpSetUrlGroupProperty(binding)", rc;
    if ((rc = HttpAddUrlToUrlGroup(group, url, 0, 0)) != NO_ERROR)
        return *what = "HttpAddUrlToUrlGroup", rc;
    return NO_ERROR;
}

ULONG server_start(const struct server_opts *o, unsigned *port, const char **what)
{
    WCHAR url[300];
    ULONG rc;
    unsigned p = o->port ? o->port : free_port();
    if (p == 0)
        return *what = "finding a free port", ERROR_NO_SYSTEM_RESOURCES;
    /* The registered host must match the Host the client sends, or the
     * request never reaches the queue: "+" matches every host. */
    swprintf(url, sizeof url / sizeof url[0], L"http://%hs:%u/", o->url_host, p);
    rc = o->api == 1 ? start_v1(url, what) : start_v2(url, what);
    if (rc == NO_ERROR) {
        log_msg("HTTP Server API %d.0, queue on http://%s:%u/", o->api, o->url_host, p);
        *port = p;
    }
    return rc;
}
