/*
 * main.c: the reference adapter's command line and control loop.
 *
 *   hs-reference-adapter [--control stdio|tcp:PORT] [--control-idle-ms N]
 *                        [--token TEXT] [--server-token TEXT]
 *                        [--server-mode 0|1|2] [--fault NAME] [-v]
 *
 * With --control tcp:PORT one harness is served at a time; a new one takes
 * over from one that has sent nothing for --control-idle-ms (10000), else it
 * is answered "ERROR busy" and closed. With --token, a harness's first line
 * must be "AUTH TEXT" (answered OK), else it is answered ERROR and closed.
 *
 * One event loop: the control channel is polled together with the HTTP
 * listener and connections, so HTTP work (accepting, 400s, closing) goes on
 * between commands too. Commands are handled one line at a time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "api.h"
#include "control.h"
#include "faults.h"
#include "http_conn.h"
#include "log.h"
#include "timeutil.h"

#define ADAPTER_NAME     "reference"
#define ADAPTER_VERSION  "0.2.0"
#define ADAPTER_CAPS     "memory,body,file,fragment,overlapped,opaque,recv-body,fill,defer,response-v2,sent,stalled"
#define SENT_MAX         64         /* connections a RECEIVE sent= may list */
#define PROTOCOL_VERSION 1u
#define RECV_BODY_MAX    (1024u * 1024u)

static int ctl_in = 0;          /* control input: stdin or the harness's socket */
static int ctl_listen = -1;     /* --control tcp:PORT */
static int ctl_idle_ms = 10000; /* --control-idle-ms: a silent harness may be replaced */
static int64_t ctl_heard;       /* when the harness last sent something */
static const char *ctl_token;   /* --token: the first line must be "AUTH <token>" */
static int ctl_authed;          /* this harness sent the token */
static int ctl_drop;            /* close this harness's connection after its line */

/* The control input buffer: bytes read but not yet handled. */
static char *lbuf;
static size_t llen, lcap, lscan;
static int overlong;            /* discarding the rest of a line that is too long */

static void usage(void)
{
    fprintf(stderr,
            "usage: hs-reference-adapter [--control stdio|tcp:PORT] [--control-idle-ms N]\n"
            "                            [--token TEXT] [--server-token TEXT]\n"
            "                            [--server-mode 0|1|2] [--fault NAME] [-v]\n"
            "faults: none wrong-code drop-date extra-byte hang crash garbage endless keep-open\n"
            "        truncate short-completion\n"
            "        ignore-unknown-flags (not a fault: CALL-FLAG-UNKNOWN's other allowed way)\n");
    exit(2);
}

static int listen_control(unsigned port)
{
    return net_listen_loopback((uint16_t)port, 4);
}

/* The harness went away without BYE. */
static void control_closed(void)
{
    if (ctl_listen < 0) {
        log_msg("control channel closed");
        exit(0);
    }
    close(ctl_in);
    ctl_in = -1;
    llen = lscan = 0;
    overlong = 0;
    api_reset();
    log_msg("harness disconnected; waiting for the next one");
}

/* Reads what the control channel has; 0 when it is closed. */
static int read_control(void)
{
    ssize_t r;
    if (lcap - llen < 65536) {
        size_t cap = lcap ? lcap * 2 : 131072;
        char *nb = realloc(lbuf, cap);
        if (nb == NULL) {
            log_msg("out of memory reading the control channel");
            exit(1);
        }
        lbuf = nb;
        lcap = cap;
    }
    r = read(ctl_in, lbuf + llen, lcap - llen);
    if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 1;
    if (r <= 0)
        return 0;
    llen += (size_t)r;
    ctl_heard = now_ms();
    return 1;
}

/* A new harness connection: it becomes the harness when there is none or the
 * current one has been silent for ctl_idle_ms; otherwise it is told so and closed. */
static void take_harness(int fd)
{
    static const char busy[] = "ERROR busy: another harness is connected\n";
    if (ctl_in >= 0 && now_ms() - ctl_heard < ctl_idle_ms) {
        if (write(fd, busy, sizeof busy - 1) < 0)
            log_msg("could not tell a second harness it is refused");
        close(fd);
        return;
    }
    if (ctl_in >= 0) {
        log_msg("harness silent for %d ms: replaced by a new one", ctl_idle_ms);
        control_closed();
    }
    ctl_in = fd;
    ctl_heard = now_ms();
    ctl_authed = ctl_token == NULL;
    ctl_set_output(fd);
    log_msg("harness connected");
}

static void accept_harness(void)
{
    int fd = accept(ctl_listen, NULL, NULL);
    if (fd >= 0)
        take_harness(fd);
}

/* FAULT_HANG: never answer again; keep serving HTTP until the harness leaves. */
static void hang_forever(void)
{
    log_msg("fault hang: not replying");
    for (;;) {
        if (net_wait(-1, ctl_in)) {
            char tmp[4096];
            ssize_t r = read(ctl_in, tmp, sizeof tmp);
            if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
                exit(0);
        }
    }
}

/* A non-negative number that fits an int (timeouts are clamped). */
/* KEY=PORT:BYTES[,PORT:BYTES...] (RECEIVE's sent=, capability sent; WAIT's stalled=,
 * capability stalled): how many, or -1 when malformed. */
static int parse_port_counts(char *s, const char *key, struct net_sent *out)
{
    int n = 0;
    size_t k = strlen(key);
    if (strncmp(s, key, k) != 0)
        return -1;
    s += k;
    if (*s == '\0')
        return 0;                    /* no connection */
    for (char *item = s; item != NULL; n++) {
        char *comma = strchr(item, ',');
        char *colon = strchr(item, ':');
        uint64_t port, bytes;
        if (comma != NULL)
            *comma = '\0';
        if (n == SENT_MAX || colon == NULL)
            return -1;
        *colon = '\0';
        if (proto_number_max(item, 65535, &port) != 0 || proto_number(colon + 1, &bytes) != 0)
            return -1;             /* an empty item, a bad port or count */
        out[n].port = (unsigned)port;
        out[n].bytes = bytes;
        item = comma != NULL ? comma + 1 : NULL;
    }
    return n;
}

static int millis(const char *s, int *out)
{
    uint64_t v;
    if (proto_number(s, &v) != 0)
        return -1;
    *out = v > INT_MAX ? INT_MAX : (int)v;
    return 0;
}

static void cmd_call(char **f, int n)
{
    struct call_spec s;
    struct api_result res;
    char err[CTL_ERR_LEN];
    const char *why = NULL;
    char bs[24], co[24];

    if (fault_mode == FAULT_CRASH) {
        log_msg("fault crash: abort()");
        abort();
    }
    if (fault_mode == FAULT_HANG)
        hang_forever();
    if (ctl_parse_call(f, n, &s, err, sizeof err) != 0) {
        ctl_reply("ERROR %s", err);
    } else if (api_call(&s, ctl_in, &res, &why) != 0) {
        ctl_reply("ERROR %s", why);
    } else {
        strcpy(bs, "unset");
        strcpy(co, "unset");
        if (res.bytes_sent_set)
            snprintf(bs, sizeof bs, "%llu", (unsigned long long)res.bytes_sent);
        if (res.completion_set)
            snprintf(co, sizeof co, "%llu", (unsigned long long)res.completion);
        if (res.completion_pending)
            strcpy(co, "pending");
        if (res.rule != NULL)
            ctl_reply("RESULT %u bytes_sent=%s completion=%s rule=%s", (unsigned)res.rc, bs, co,
                      res.rule);
        else
            ctl_reply("RESULT %u bytes_sent=%s completion=%s", (unsigned)res.rc, bs, co);
    }
    ctl_call_free(&s);
}

static void cmd_recv_body(char **f, int n)
{
    uint64_t max;
    int timeout, r;
    hs_byte *buf;
    size_t got = 0;
    const char *why = NULL;

    if (n != 4 || !proto_is_ref(f[1]) || proto_number(f[2], &max) != 0 || max == 0 || millis(f[3], &timeout) != 0) {
        ctl_reply("ERROR usage: RECV_BODY ref max-bytes timeout-ms");
        return;
    }
    if (max > RECV_BODY_MAX)
        max = RECV_BODY_MAX;
    buf = malloc((size_t)max);
    if (buf == NULL) {
        ctl_reply("ERROR out of memory");
        return;
    }
    r = api_recv_body(f[1], (size_t)max, timeout, buf, &got, &why);
    if (r < 0)
        ctl_reply("ERROR %s", why);
    else if (r == 0)
        ctl_reply("TIMEOUT");
    else
        ctl_reply_body(buf, got);
    free(buf);
}

/* WAIT op timeout-ms [stalled=PORT:BYTES,...] (protocol 1.1; stalled= with capability stalled) */
static void cmd_wait(char **f, int n)
{
    static struct net_sent stalled[SENT_MAX];
    int timeout, r, n_stalled = n == 4 ? parse_port_counts(f[3], "stalled=", stalled) : 0;
    uint32_t rc = 0;
    uint64_t count = 0;
    const char *why = NULL;

    if ((n != 3 && n != 4) || !proto_is_ref(f[1]) || millis(f[2], &timeout) != 0 || n_stalled < 0) {
        ctl_reply("ERROR usage: WAIT op timeout-ms [stalled=PORT:BYTES,...]");
        return;
    }
    r = api_wait(f[1], timeout, stalled, (size_t)n_stalled, &rc, &count, &why);
    if (r < 0)
        ctl_reply("ERROR %s '%s'", why, f[1]);
    else if (r == 0)
        ctl_reply("TIMEOUT");
    else
        ctl_reply("COMPLETION %u %llu", (unsigned)rc, (unsigned long long)count);
}

/* CANCEL op (protocol 1.1) */
static void cmd_cancel(char **f, int n)
{
    const char *why = NULL;
    if (n != 2 || !proto_is_ref(f[1])) {
        ctl_reply("ERROR usage: CANCEL op");
        return;
    }
    if (api_cancel(f[1], &why) != 0)
        ctl_reply("ERROR %s '%s'", why, f[1]);
    else
        ctl_reply("OK");
}

static void handle_line(char *line, size_t len)
{
    char **f;
    int n, max = 1;
    uint64_t v;
    uint16_t port;
    int timeout;
    struct api_request req;

    if (!ctl_authed) {
        if (strncmp(line, "AUTH ", 5) == 0 && strcmp(line + 5, ctl_token) == 0) {
            ctl_authed = 1;
            ctl_reply("OK");
        } else {
            ctl_reply("ERROR authentication required: the first line must be AUTH <token>");
            ctl_drop = 1;
        }
        return;
    }
    if (log_verbose)
        log_msg("< %.200s%s", line, len > 200 ? "..." : "");
    if (memchr(line, '\0', len) != NULL) {
        ctl_reply("ERROR NUL byte in command");
        return;
    }
    for (size_t i = 0; i < len; i++)
        max += line[i] == ' ';
    f = malloc((size_t)max * sizeof *f);
    if (f == NULL) {
        ctl_reply("ERROR out of memory");
        return;
    }
    n = ctl_split(line, f, max);

    if (n == 0) {
        ctl_reply("ERROR empty command");
    } else if (strcmp(f[0], "HELLO") == 0) {
        if (n != 2 || proto_number(f[1], &v) != 0)
            ctl_reply("ERROR usage: HELLO version");
        else if (v != PROTOCOL_VERSION)
            ctl_reply("ERROR protocol version %llu not supported (1 is)", (unsigned long long)v);
        else
            ctl_reply("HELLO %u %s %s %s", PROTOCOL_VERSION, ADAPTER_NAME, ADAPTER_VERSION, ADAPTER_CAPS);
    } else if (strcmp(f[0], "LISTEN") == 0) {
        if (n != 1)
            ctl_reply("ERROR usage: LISTEN");
        else if (net_listen(&port) != 0)
            ctl_reply("ERROR cannot listen on 127.0.0.1: %s", strerror(errno));
        else
            ctl_reply("LISTENING 127.0.0.1 %u", (unsigned)port);
    } else if (strcmp(f[0], "RECEIVE") == 0) {
        static struct net_sent sent[SENT_MAX];
        int n_sent = n == 4 ? parse_port_counts(f[3], "sent=", sent) : 0;
        if ((n != 3 && n != 4) || !proto_is_ref(f[1]) || millis(f[2], &timeout) != 0 || n_sent < 0)
            ctl_reply("ERROR usage: RECEIVE ref timeout-ms [sent=PORT:BYTES,...]");
        else if (api_receive(f[1], timeout, n == 4 ? sent : NULL, (size_t)n_sent, &req))
            ctl_reply("REQUEST %s %s %u.%u peer=%u", f[1], req.method, req.major, req.minor,
                      req.peer_port);
        else
            ctl_reply("TIMEOUT");
    } else if (strcmp(f[0], "CALL") == 0) {
        cmd_call(f, n);
    } else if (strcmp(f[0], "RECV_BODY") == 0) {
        cmd_recv_body(f, n);
    } else if (strcmp(f[0], "WAIT") == 0) {
        cmd_wait(f, n);
    } else if (strcmp(f[0], "CANCEL") == 0) {
        cmd_cancel(f, n);
    } else if (strcmp(f[0], "RESET") == 0) {
        if (n != 1) {
            ctl_reply("ERROR usage: RESET");
        } else {
            api_reset();
            ctl_reply("OK");
        }
    } else if (strcmp(f[0], "BYE") == 0) {
        if (n != 1) {
            ctl_reply("ERROR usage: BYE");
        } else {
            ctl_reply("OK");
            exit(0);
        }
    } else {
        ctl_reply("ERROR unknown command '%.40s'", f[0]);
    }
    free(f);
}

/* Handles the first complete line in the buffer; 0 when there is none. */
static int next_command(void)
{
    char *nl = llen > lscan ? memchr(lbuf + lscan, '\n', llen - lscan) : NULL;
    size_t len;
    if (nl == NULL) {
        lscan = llen;
        if (llen > CTL_MAX_LINE) {   /* keep nothing of a line that is too long */
            overlong = 1;
            llen = lscan = 0;
        }
        return 0;
    }
    len = (size_t)(nl - lbuf);
    *nl = '\0';
    if (overlong) {
        overlong = 0;
        ctl_reply("ERROR command line too long");
    } else {
        if (len > 0 && lbuf[len - 1] == '\r')
            lbuf[--len] = '\0';
        handle_line(lbuf, len);
    }
    len = (size_t)(nl - lbuf) + 1;
    memmove(lbuf, lbuf + len, llen - len);
    llen -= len;
    lscan = 0;
    return 1;
}

int main(int argc, char **argv)
{
    const char *token = "Microsoft-HTTPAPI/2.0";
    unsigned server_mode = 0, tcp_port = 0;
    struct sigaction sa;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t x;
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            log_verbose = 1;
            continue;
        }
        if (v == NULL)
            usage();
        i++;
        if (strcmp(a, "--control") == 0) {
            if (strcmp(v, "stdio") == 0)
                tcp_port = 0;
            else if (strncmp(v, "tcp:", 4) == 0 && proto_number(v + 4, &x) == 0 && x >= 1 && x <= 65535)
                tcp_port = (unsigned)x;
            else
                usage();
        } else if (strcmp(a, "--control-idle-ms") == 0) {
            if (proto_number(v, &x) != 0 || x > INT_MAX)
                usage();
            ctl_idle_ms = (int)x;
        } else if (strcmp(a, "--token") == 0) {
            if (*v == '\0' || strpbrk(v, " \r\n") != NULL)
                usage();
            ctl_token = v;
        } else if (strcmp(a, "--server-token") == 0) {
            if (strlen(v) > 65535 || strpbrk(v, "\r\n") != NULL)
                usage();
            token = v;
        } else if (strcmp(a, "--server-mode") == 0) {
            if (proto_number(v, &x) != 0 || x > 2)
                usage();
            server_mode = (unsigned)x;
        } else if (strcmp(a, "--fault") == 0) {
            if (fault_set(v) != 0)
                usage();
        } else {
            usage();
        }
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    api_configure((uint8_t)server_mode, token);

    if (tcp_port != 0) {
        ctl_listen = listen_control(tcp_port);
        if (ctl_listen < 0) {
            log_msg("cannot listen on 127.0.0.1:%u: %s", tcp_port, strerror(errno));
            return 1;
        }
        ctl_in = -1;
        fcntl(ctl_listen, F_SETFL, fcntl(ctl_listen, F_GETFL) | O_NONBLOCK);
        log_msg("control on 127.0.0.1:%u", tcp_port);
    } else if (ctl_token != NULL) {
        usage();                                    /* a token is for --control tcp: */
    }
    ctl_authed = ctl_token == NULL;
    ctl_set_output(1);          /* the socket's, once a tcp harness connects */

    for (;;) {
        if (ctl_in < 0) {                           /* tcp: wait for a harness */
            if (net_wait(-1, ctl_listen))
                accept_harness();
            continue;
        }
        if (next_command()) {
            if (ctl_drop) {
                ctl_drop = 0;
                control_closed();
            }
            continue;
        }
        /* tcp: look for a newcomer now and then, which may replace a silent harness */
        if (net_wait(ctl_listen >= 0 ? 250 : -1, ctl_in) && !read_control())
            control_closed();
        else if (ctl_listen >= 0)
            accept_harness();
    }
}
