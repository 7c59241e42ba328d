/*
 * channel.c: the control channel, on the process's standard handles or a
 * TCP socket. Reads are blocking: HTTP.sys serves the network by itself, so
 * the adapter has nothing to do between commands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sdk.h"
#include "channel.h"
#include "log.h"

#define LINE_MAX_BYTES (256u * 1024u * 1024u)

static HANDLE in_h, out_h;
static SOCKET listen_s = INVALID_SOCKET, conn_s = INVALID_SOCKET;
static char *buf;
static size_t len, cap, start;       /* bytes in buf; the next line begins at start */

int chan_is_tcp(void)
{
    return listen_s != INVALID_SOCKET;
}

int chan_open(unsigned port, const char *address)
{
    struct sockaddr_in a;
    if (port == 0) {
        in_h = GetStdHandle(STD_INPUT_HANDLE);
        out_h = GetStdHandle(STD_OUTPUT_HANDLE);
        return 0;
    }
    listen_s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listen_s == INVALID_SOCKET)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((u_short)port);
    /* Only the address given (--control-address); 0.0.0.0 for every one, which
     * wants a --token on any network that is not trusted. */
    a.sin_addr.s_addr = inet_addr(address);
    if (a.sin_addr.s_addr == INADDR_NONE && strcmp(address, "255.255.255.255") != 0)
        return -1;
    if (bind(listen_s, (struct sockaddr *)&a, sizeof a) != 0 || listen(listen_s, 1) != 0)
        return -1;
    log_msg("control on %s:%u", address, port);
    return chan_next_harness();
}

int chan_next_harness(void)
{
    if (conn_s != INVALID_SOCKET)
        closesocket(conn_s);
    len = start = 0;
    conn_s = accept(listen_s, NULL, NULL);
    if (conn_s == INVALID_SOCKET)
        return -1;
    log_msg("harness connected");
    return 0;
}

/* Appends what the channel has; 0 at end of stream. */
static int fill(void)
{
    DWORD got = 0;
    if (cap - len < 65536) {
        size_t ncap = cap ? cap * 2 : 131072;
        char *nb = realloc(buf, ncap);
        if (nb == NULL) {
            log_msg("out of memory reading the control channel");
            exit(1);
        }
        buf = nb;
        cap = ncap;
    }
    if (conn_s != INVALID_SOCKET) {
        int r = recv(conn_s, buf + len, (int)(cap - len - 1), 0);
        if (r <= 0)
            return 0;
        got = (DWORD)r;
    } else if (!ReadFile(in_h, buf + len, (DWORD)(cap - len - 1), &got, NULL) || got == 0) {
        return 0;
    }
    len += got;
    return 1;
}

char *chan_read_line(size_t *out_len)
{
    size_t scan = start;
    for (;;) {
        char *nl = memchr(buf + scan, '\n', len - scan);
        if (nl != NULL) {
            char *line = buf + start;
            size_t n = (size_t)(nl - line);
            *nl = '\0';
            if (n > 0 && line[n - 1] == '\r')
                line[--n] = '\0';
            start = (size_t)(nl - buf) + 1;
            *out_len = n;
            return line;
        }
        if (start > 0) {            /* keep only the unfinished line */
            memmove(buf, buf + start, len - start);
            len -= start;
            start = 0;
        }
        scan = len;
        if (len > LINE_MAX_BYTES || !fill())
            return NULL;
    }
}

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        DWORD w = 0;
        if (conn_s != INVALID_SOCKET) {
            int r = send(conn_s, p, n > 1u << 30 ? 1 << 30 : (int)n, 0);
            if (r <= 0)
                return;             /* the harness is gone; the next read sees it */
            w = (DWORD)r;
        } else if (!WriteFile(out_h, p, (DWORD)(n > 1u << 30 ? 1u << 30 : n), &w, NULL) || w == 0) {
            return;
        }
        p += w;
        n -= w;
    }
}

void chan_reply(const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    write_all(line, (size_t)n);
    if (log_verbose)
        log_msg("> %.*s", n - 1, line);
}

void chan_reply_hex(const char *prefix, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t pl = strlen(prefix);
    char *line;
    if (n == 0) {
        chan_reply("%s -", prefix);
        return;
    }
    line = malloc(pl + 1 + 2 * n + 1);
    if (line == NULL) {
        chan_reply("ERROR out of memory");
        return;
    }
    memcpy(line, prefix, pl);
    line[pl] = ' ';
    for (size_t i = 0; i < n; i++) {
        line[pl + 1 + 2 * i] = digits[p[i] >> 4];
        line[pl + 2 + 2 * i] = digits[p[i] & 15];
    }
    line[pl + 1 + 2 * n] = '\n';
    write_all(line, pl + 2 * n + 2);
    free(line);
}
