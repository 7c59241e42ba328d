/*
 * http_conn.c: listener, connections and the poll loop (see http_conn.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "faults.h"
#include "http_conn.h"
#include "log.h"
#include "timeutil.h"

#define CP_CLOSED ((enum conn_phase)100)   /* closed, freed by the next sweep */

static int listen_fd = -1;
static uint16_t listen_port;
static struct conn *conns;
static int n_conns;
static uint64_t next_serial = 1;
static uint64_t next_ready_seq = 1;

static void flush_out(struct conn *c);

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int net_listen_loopback(uint16_t port, int backlog)
{
    struct sockaddr_in a;
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int net_listen(uint16_t *port)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int fd;

    if (listen_fd >= 0) {
        *port = listen_port;
        return 0;
    }
    fd = net_listen_loopback(0, 128);
    if (fd < 0)
        return -1;
    if (getsockname(fd, (struct sockaddr *)&a, &al) < 0 || set_nonblock(fd) < 0) {
        close(fd);
        return -1;
    }
    listen_fd = fd;
    listen_port = ntohs(a.sin_port);
    *port = listen_port;
    return 0;
}

/* ---- input ----------------------------------------------------------------- */

static void consume(struct conn *c, size_t n)
{
    if (n > c->in_len)
        n = c->in_len;
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

static int wants_input(const struct conn *c)
{
    if (c->phase == CP_KEPT || c->phase == CP_CLOSED || c->peer_closed)
        return 0;
    return c->phase == CP_LINGER || c->in_len < CONN_IN_CAP;
}

/* Reads what is there (at most CONN_IN_CAP bytes a round), without waiting. */
static void conn_read(struct conn *c)
{
    hs_byte scratch[4096];
    for (int round = 0; round < (int)(CONN_IN_CAP / sizeof scratch) && wants_input(c); round++) {
        int linger = c->phase == CP_LINGER;
        hs_byte *dst = linger ? scratch : c->in + c->in_len;
        size_t room = linger ? sizeof scratch : CONN_IN_CAP - c->in_len;
        ssize_t r = recv(c->fd, dst, room, 0);
        if (r > 0) {
            c->in_total += (uint64_t)r;
            if (!linger)
                c->in_len += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        c->peer_closed = 1;            /* EOF, or reset */
    }
}

/* ---- closing ------------------------------------------------------------------ */

void net_drop(struct conn *c)
{
    if (c->out != NULL) {
        c->out->state = NET_OUT_FAILED;
        c->out = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->phase = CP_CLOSED;
}

/* Orderly close: no more output, drain input until EOF (or the deadline), so
 * that the client reads every byte before the end of stream. */
static void close_gracefully(struct conn *c)
{
    if (fault_mode == FAULT_KEEP_OPEN) {
        c->phase = CP_KEPT;
        return;
    }
    shutdown(c->fd, SHUT_WR);
    c->phase = CP_LINGER;
    c->in_len = 0;
    c->linger_until = now_ms() + CONN_LINGER_MS;
}

static void sweep(void)
{
    struct conn **pp = &conns;
    while (*pp != NULL) {
        struct conn *c = *pp;
        if (c->phase == CP_CLOSED) {
            *pp = c->next;
            free(c->in);
            free(c);
            n_conns--;
        } else {
            pp = &c->next;
        }
    }
}

/* CONN-BAD-REQUEST: HTTP.sys answers a malformed request itself and closes. */
static void bad_request(struct conn *c, enum hp_reason why)
{
    static const char a[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nDate: ";
    static const char b[] = "\r\nContent-Length: 0\r\n\r\n";
    hs_byte msg[sizeof a + HS_DATE_LEN + sizeof b];
    size_t n = 0, sent = 0;

    log_msg("connection %llu: 400 Bad Request: %s", (unsigned long long)c->serial, hp_reason_text(why));
    memcpy(msg, a, sizeof a - 1);
    n += sizeof a - 1;
    imf_fixdate(msg + n);
    n += HS_DATE_LEN;
    memcpy(msg + n, b, sizeof b - 1);
    n += sizeof b - 1;
    if (net_send(c, msg, n, 1000, &sent) != 0)
        log_msg("connection %llu: could not send the 400", (unsigned long long)c->serial);
    close_gracefully(c);
}

/* ---- the state machine of one connection ------------------------------------------ */

static void conn_advance(struct conn *c)
{
    for (;;) {
        enum hp_reason why = HP_R_NONE;
        enum hp_status st;
        size_t used = 0, made = 0;

        switch (c->phase) {
        case CP_HEAD:
            st = hp_parse_head(c->in, c->in_len, &c->req, &why);
            if (st == HP_DONE) {
                consume(c, c->req.head_len);
                hp_body_init(&c->body, &c->req);
                c->body_broken = 0;
                c->phase = CP_READY;
                c->ready_seq = next_ready_seq++;
            } else if (st == HP_ERROR) {
                bad_request(c, why);
            } else if (c->peer_closed) {
                net_drop(c);
            } else if (now_ms() - c->head_since >= CONN_HEAD_MS) {
                log_msg("connection %llu: no complete request head in %d ms: closed",
                        (unsigned long long)c->serial, CONN_HEAD_MS);
                net_drop(c);
            }
            return;
        case CP_DISCARD:       /* CONN-REQUEST-BODY-DISCARDED */
            st = hp_body_step(&c->body, c->in, c->in_len, &used, NULL, 0, &made, &why);
            consume(c, used);
            if (st == HP_DONE) {
                c->phase = CP_HEAD;
                c->head_since = now_ms();
                continue;
            }
            if (st == HP_ERROR) {
                log_msg("connection %llu: request body: %s", (unsigned long long)c->serial,
                        hp_reason_text(why));
                close_gracefully(c);
            } else if (c->peer_closed) {
                net_drop(c);
            }
            return;
        case CP_LINGER:
            c->in_len = 0;
            if (c->peer_closed || now_ms() >= c->linger_until)
                net_drop(c);
            return;
        default:
            return;
        }
    }
}

/* The connection that has waited longest for a request head, or NULL. */
static struct conn *oldest_waiting(void)
{
    struct conn *best = NULL;
    for (struct conn *c = conns; c != NULL; c = c->next) {
        if (c->phase == CP_HEAD && (best == NULL || c->head_since < best->head_since))
            best = c;
    }
    return best;
}

/* With CONN_MAX connections open, a new one takes the place of the one that has
 * waited longest for a request head, so that idle or slow clients cannot lock
 * out the others. */
static void accept_all(void)
{
    for (;;) {
        struct conn *c;
        int one = 1;
        int fd;
        if (n_conns >= CONN_MAX) {
            struct conn *old = oldest_waiting();
            if (old == NULL)
                return;
            log_msg("connection %llu: closed to make room for a new one",
                    (unsigned long long)old->serial);
            net_drop(old);
            sweep();
        }
        fd = accept(listen_fd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return;
        }
        c = calloc(1, sizeof *c);
        if (c != NULL)
            c->in = malloc(CONN_IN_CAP);
        if (c == NULL || c->in == NULL || set_nonblock(fd) < 0) {
            log_msg("cannot take a connection: out of memory");
            if (c != NULL)
                free(c->in);
            free(c);
            close(fd);
            return;
        }
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->fd = fd;
        c->serial = next_serial++;
        c->phase = CP_HEAD;
        c->head_since = now_ms();
        c->next = conns;
        conns = c;
        n_conns++;
        conn_read(c);
    }
}

/* ---- the poll loop ---------------------------------------------------------------- */

int net_wait(int timeout_ms, int watch_fd)
{
    static struct pollfd *pf;
    static struct conn **who;
    static size_t pf_cap;
    size_t n = 0, need = (size_t)n_conns + 2;
    int watch_ready = 0, r;
    int64_t soonest = -1;

    sweep();
    if (need > pf_cap) {
        struct pollfd *npf = realloc(pf, need * sizeof *pf);
        struct conn **nwho;
        if (npf != NULL)
            pf = npf;
        nwho = realloc(who, need * sizeof *who);
        if (nwho != NULL)
            who = nwho;
        if (npf == NULL || nwho == NULL)
            return 0;
        pf_cap = need;
    }
    if (watch_fd >= 0) {
        pf[n].fd = watch_fd;
        pf[n].events = POLLIN;
        who[n++] = NULL;
    }
    if (listen_fd >= 0 && (n_conns < CONN_MAX || oldest_waiting() != NULL)) {
        pf[n].fd = listen_fd;
        pf[n].events = POLLIN;
        who[n++] = NULL;
    }
    for (struct conn *c = conns; c != NULL; c = c->next) {
        if (c->phase == CP_LINGER && (soonest < 0 || c->linger_until < soonest))
            soonest = c->linger_until;
        if (c->phase == CP_HEAD && (soonest < 0 || c->head_since + CONN_HEAD_MS < soonest))
            soonest = c->head_since + CONN_HEAD_MS;
        if (!wants_input(c) && c->out == NULL)
            continue;
        pf[n].fd = c->fd;
        pf[n].events = (short)((wants_input(c) ? POLLIN : 0) | (c->out != NULL ? POLLOUT : 0));
        who[n++] = c;
    }
    if (soonest >= 0) {
        int until = ms_until(soonest) + 1;
        if (timeout_ms < 0 || until < timeout_ms)
            timeout_ms = until;
    }

    r = poll(pf, (nfds_t)n, timeout_ms);
    if (r < 0 && errno != EINTR)
        log_msg("poll: %s", strerror(errno));
    for (size_t i = 0; r > 0 && i < n; i++) {
        if (pf[i].revents == 0)
            continue;
        if (who[i] != NULL) {
            if (who[i]->out != NULL && (pf[i].revents & (POLLOUT | POLLERR | POLLHUP)))
                flush_out(who[i]);
            if (who[i]->phase != CP_CLOSED)
                conn_read(who[i]);
        } else if (pf[i].fd == watch_fd)
            watch_ready = 1;
        else
            accept_all();
    }
    for (struct conn *c = conns; c != NULL; c = c->next)
        conn_advance(c);
    sweep();
    return watch_ready;
}

struct conn *net_ready(void)
{
    struct conn *best = NULL;
    for (struct conn *c = conns; c != NULL; c = c->next) {
        if (c->phase == CP_READY && (best == NULL || c->ready_seq < best->ready_seq))
            best = c;
    }
    return best;
}

struct conn *net_find(uint64_t serial)
{
    for (struct conn *c = conns; c != NULL; c = c->next) {
        if (c->serial == serial && c->phase != CP_CLOSED)
            return c;
    }
    return NULL;
}

int net_peer_gone(struct conn *c)
{
    if (c->phase == CP_CLOSED)
        return 1;
    conn_read(c);
    if (!c->peer_closed && c->in_len >= CONN_IN_CAP) {
        hs_byte b;
        ssize_t r = recv(c->fd, &b, 1, MSG_PEEK);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            c->peer_closed = 1;
    }
    return c->peer_closed;
}

/* ---- output ----------------------------------------------------------------------- */

int net_send(struct conn *c, const hs_byte *p, size_t n, int timeout_ms, size_t *written)
{
    int64_t deadline = now_ms() + timeout_ms;
    size_t off = 0;
    int rc = 0;

    while (off < n) {
        ssize_t r = send(c->fd, p + off, n - off, MSG_NOSIGNAL);
        if (r > 0) {
            off += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd q;
            int left = ms_until(deadline);
            if (left == 0) {
                rc = -1;          /* timed out: the caller decides what to tell */
                break;
            }
            /* Keep reading meanwhile, so that a client that is still sending
             * its request body does not block both sides. */
            q.fd = c->fd;
            q.events = (short)(POLLOUT | (wants_input(c) ? POLLIN : 0));
            q.revents = 0;
            if (poll(&q, 1, left) > 0 && (q.revents & POLLIN))
                conn_read(c);
            continue;
        }
        c->peer_closed = 1;       /* EPIPE, ECONNRESET: the client is gone */
        rc = -1;
        break;
    }
    *written = off;
    return rc;
}

/* Writes what the socket takes now of c's deferred send, without waiting. */
static void flush_out(struct conn *c)
{
    struct net_out *o = c->out;
    while (o->off < o->len) {
        ssize_t r = send(c->fd, o->buf + o->off, o->len - o->off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (r > 0) {
            o->off += (size_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        /* CALL-SYSTEM-ERROR: the client is gone; the send fails, it never succeeds short */
        log_msg("connection %llu: deferred send stopped after %zu of %zu bytes: %s",
                (unsigned long long)c->serial, o->off, o->len, strerror(errno));
        c->peer_closed = 1;
        net_drop(c);
        return;
    }
    c->out = NULL;
    o->state = NET_OUT_DONE;
    if (o->then == NET_THEN_DONE)
        net_response_done(c, o->close_after);
    else if (o->then == NET_THEN_OPAQUE)
        net_go_opaque(c);
}

void net_send_deferred(struct conn *c, struct net_out *o)
{
    o->off = 0;
    o->state = NET_OUT_PENDING;
    c->out = o;
    flush_out(c);
}

/* ---- request body and opaque bytes ----------------------------------------------- */

size_t net_take_body(struct conn *c, hs_byte *out, size_t cap, int *end)
{
    enum hp_reason why = HP_R_NONE;
    enum hp_status st;
    size_t used = 0, made = 0;

    *end = 0;
    if (c->phase == CP_OPAQUE) {
        size_t k = c->in_len < cap ? c->in_len : cap;
        memcpy(out, c->in, k);
        consume(c, k);
        if (k == 0 && c->peer_closed)
            *end = 1;
        return k;
    }
    if (c->phase != CP_ACTIVE || c->body_broken) {
        *end = 1;
        return 0;
    }
    st = hp_body_step(&c->body, c->in, c->in_len, &used, out, cap, &made, &why);
    consume(c, used);
    if (st == HP_ERROR) {
        log_msg("connection %llu: request body: %s", (unsigned long long)c->serial, hp_reason_text(why));
        c->body_broken = 1;
    }
    if (made == 0 && (st != HP_MORE || c->peer_closed))
        *end = 1;
    return made;
}

void net_response_done(struct conn *c, int close)
{
    if (close || c->body_broken || c->peer_closed) {
        close_gracefully(c);
        return;
    }
    c->phase = CP_DISCARD;
    conn_advance(c);
}

void net_go_opaque(struct conn *c)
{
    c->phase = CP_OPAQUE;
}

void net_reset(void)
{
    for (struct conn *c = conns; c != NULL; c = c->next)
        net_drop(c);
    sweep();
    if (listen_fd >= 0) {
        /* connections of the last case still waiting in the backlog */
        for (;;) {
            int fd = accept(listen_fd, NULL, NULL);
            if (fd < 0 && errno == EINTR)
                continue;
            if (fd < 0)
                break;
            close(fd);
        }
    }
}

int net_settled(const struct net_sent *s, size_t n)
{
    if (listen_fd >= 0) {
        struct pollfd q;
        q.fd = listen_fd;
        q.events = POLLIN;
        q.revents = 0;
        if (poll(&q, 1, 0) != 0)
            return 0;                /* a connection not yet accepted (or an error) */
    }
    for (struct conn *c = conns; c != NULL; c = c->next) {
        unsigned port;
        size_t i;
        if (c->phase == CP_CLOSED)
            continue;
        port = net_peer_port(c);
        for (i = 0; i < n && s[i].port != port; i++)
            ;
        if (i == n || c->in_total != s[i].bytes)
            return 0;                /* unlisted, or bytes still on their way */
    }
    return 1;
}

unsigned net_peer_port(const struct conn *c)
{
    struct sockaddr_storage a;
    socklen_t n = sizeof a;
    if (c == NULL || getpeername(c->fd, (struct sockaddr *)&a, &n) != 0)
        return 0;
    if (a.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&a)->sin_port);
    if (a.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
    return 0;
}

/* The third number of a sysctl file such as tcp_wmem ("min default max"), or the
 * first of a one-number file; 0 when it cannot be read. */
static uint64_t sysctl_number(const char *path, int third)
{
    unsigned long long v[3] = {0, 0, 0};
    FILE *f = fopen(path, "r");
    int got;
    if (f == NULL)
        return 0;
    got = fscanf(f, "%llu %llu %llu", &v[0], &v[1], &v[2]);
    fclose(f);
    if (got != (third ? 3 : 1))
        return 0;
    return third ? v[2] : v[0];
}

size_t net_send_bound(void)
{
    static size_t bound;
    if (bound == 0) {
        uint64_t wmem = sysctl_number("/proc/sys/net/ipv4/tcp_wmem", 1);
        uint64_t wmax = sysctl_number("/proc/sys/net/core/wmem_max", 0);
        if (wmem == 0 || wmax == 0 || wmem > (1ull << 40) || wmax > (1ull << 40))
            bound = SIZE_MAX;
        else    /* SO_SNDBUF is doubled by the kernel, capped at twice wmem_max */
            bound = (size_t)((wmem > 2 * wmax ? wmem : 2 * wmax) + (1u << 20));
    }
    return bound;
}
