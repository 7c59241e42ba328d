/*
 * main.c: the Win32 adapter's command line and command loop
 * (spec/adapter-protocol.md). It hosts the real HTTP Server API
 * (httpapi.dll: HTTP.sys on Windows, Wine's implementation under Wine).
 *
 *   hs-win32-adapter [--control stdio|tcp:PORT --control-address ADDR [--token TEXT]]
 *                    [--api 1|2] [--url-host HOST] [--address ADDR] [--port N] [-v]
 *
 * --control tcp:PORT needs the address to listen on; with --token, a harness's
 * first line must be "AUTH TEXT" (answered OK), else it is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sdk.h"
#include "args.h"
#include "channel.h"
#include "crash.h"
#include "log.h"
#include "ops.h"
#include "requests.h"
#include "send.h"
#include "server.h"

#define ADAPTER_NAME     "win32"
#define ADAPTER_VERSION  "0.1.0"
#define PROTOCOL_VERSION 1u
#define RECV_BODY_MAX    (1024u * 1024u)

/* Every capability the adapter drives through the real API; what the
 * implementation then does with it is what the suite judges. HTTP_RESPONSE_V2
 * needs a 2.0 queue. */
#define ADAPTER_CAPS "memory,body,file,fragment,overlapped,opaque,recv-body,fill,defer"
#define ADAPTER_CAPS_V2 ADAPTER_CAPS ",response-v2"

static struct server_opts opts = { 2, "+", "127.0.0.1", 0 };

static void usage(void)
{
    fprintf(stderr,
            "usage: hs-win32-adapter [--control stdio|tcp:PORT --control-address ADDR [--token TEXT]]\n"
            "                        [--api 1|2] [--url-host HOST] [--address ADDR] [--port N] [-v]\n"
            "  --control-address  the IPv4 address the control port listens on (required with tcp:)\n"
            "  --token     a shared secret the harness sends first (AUTH TEXT; HS_CONTROL_TOKEN)\n"
            "  --url-host  host part of the registered URL (default +, every host)\n"
            "  --address   the address the harness connects to (default 127.0.0.1)\n");
    exit(2);
}

/* The implementation's version: Wine's when running under Wine, else the
 * Windows build number (RtlGetVersion tells the truth without a manifest). */
static const char *impl_version(void)
{
    typedef const char *(CDECL *wine_version_fn)(void);
    typedef LONG (WINAPI *rtl_version_fn)(OSVERSIONINFOW *);
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    wine_version_fn wine = ntdll ? (wine_version_fn)(void *)GetProcAddress(ntdll, "wine_get_version") : NULL;
    rtl_version_fn rtl = ntdll ? (rtl_version_fn)(void *)GetProcAddress(ntdll, "RtlGetVersion") : NULL;
    static char v[64];
    OSVERSIONINFOW o;

    memset(&o, 0, sizeof o);
    o.dwOSVersionInfoSize = sizeof o;
    if (wine != NULL)
        snprintf(v, sizeof v, "wine-%s", wine());
    else if (rtl != NULL && rtl(&o) == 0)
        snprintf(v, sizeof v, "windows-%lu.%lu.%lu", (unsigned long)o.dwMajorVersion,
                 (unsigned long)o.dwMinorVersion, (unsigned long)o.dwBuildNumber);
    else
        snprintf(v, sizeof v, "windows");
    for (char *p = v; *p != '\0'; p++) {
        if (*p <= ' ')
            *p = '_';
    }
    return v;
}

static int millis(const char *s, DWORD *out)
{
    ULONGLONG v;
    if (proto_number(s, &v) != 0)
        return -1;
    *out = v >= INFINITE ? INFINITE - 1 : (DWORD)v;
    return 0;
}

static void cmd_listen(void)
{
    static unsigned port;
    const char *what = "";
    ULONG rc;
    if (port == 0 && (rc = server_start(&opts, &port, &what)) != NO_ERROR) {
        chan_reply("ERROR %s failed: %lu", what, (unsigned long)rc);
        return;
    }
    chan_reply("LISTENING %s %u", opts.address, port);
}

static void cmd_receive(char **f, int n)
{
    struct received r;
    DWORD timeout;
    ULONG rc;
    int got;
    if (n != 3 || !proto_is_ref(f[1]) || millis(f[2], &timeout) != 0) {
        chan_reply("ERROR usage: RECEIVE ref timeout-ms");
        return;
    }
    got = req_receive(f[1], timeout, &r, &rc);
    if (got > 0)
        chan_reply("REQUEST %s %s %u.%u peer=%u", f[1], r.verb, r.major, r.minor, r.peer_port);
    else if (got == 0)
        chan_reply("TIMEOUT");
    else
        chan_reply("ERROR HttpReceiveHttpRequest failed: %lu", (unsigned long)rc);
}

static void cmd_call(char **f, int n)
{
    struct call_args c;
    struct send_result r;
    char err[160], bs[24], co[24];
    const char *why = "";

    if (args_parse_call(f, n, &c, err, sizeof err) != 0) {
        chan_reply("ERROR %s", err);
    } else if (send_call(&c, &r, &why) != 0) {
        chan_reply("ERROR %s", why);
    } else {
        strcpy(bs, "unset");
        strcpy(co, r.completion_pending ? "pending" : "unset");
        if (r.bytes_sent_set)
            snprintf(bs, sizeof bs, "%lu", (unsigned long)r.bytes_sent);
        if (r.completion_set)
            snprintf(co, sizeof co, "%lu", (unsigned long)r.completion);
        chan_reply("RESULT %lu bytes_sent=%s completion=%s", (unsigned long)r.rc, bs, co);
    }
    args_free(&c);
}

static void cmd_recv_body(char **f, int n)
{
    ULONGLONG max;
    DWORD timeout, got = 0;
    ULONG rc = 0;
    BYTE *buf;
    int r;
    if (n != 4 || !proto_is_ref(f[1]) || proto_number(f[2], &max) != 0 || max == 0 || millis(f[3], &timeout) != 0) {
        chan_reply("ERROR usage: RECV_BODY ref max-bytes timeout-ms");
        return;
    }
    if (max > RECV_BODY_MAX)
        max = RECV_BODY_MAX;
    if ((buf = malloc((size_t)max)) == NULL) {
        chan_reply("ERROR out of memory");
        return;
    }
    r = req_recv_body(f[1], (DWORD)max, timeout, buf, &got, &rc);
    if (r == -1)
        chan_reply("ERROR unknown ref");
    else if (r == 0 || r == -2)
        chan_reply("TIMEOUT");
    else {
        if (rc != NO_ERROR && rc != ERROR_HANDLE_EOF)
            log_msg("HttpReceiveRequestEntityBody returned %lu", (unsigned long)rc);
        chan_reply_hex("BODY", buf, got);
    }
    if (r != -2)            /* an abandoned receive may still write to buf */
        free(buf);
}

static void cmd_wait(char **f, int n)
{
    DWORD timeout;
    ULONG rc, count;
    int r;
    if (n != 3 || !proto_is_ref(f[1]) || millis(f[2], &timeout) != 0) {
        chan_reply("ERROR usage: WAIT op timeout-ms");
        return;
    }
    r = ops_wait(f[1], timeout, &rc, &count);
    if (r < 0)
        chan_reply("ERROR no deferred call named %s", f[1]);
    else if (r == 0)
        chan_reply("TIMEOUT");
    else
        chan_reply("COMPLETION %lu %lu", (unsigned long)rc, (unsigned long)count);
}

static void cmd_cancel(char **f, int n)
{
    if (n != 2 || !proto_is_ref(f[1]))
        chan_reply("ERROR usage: CANCEL op");
    else if (ops_cancel(f[1]) != 0)
        chan_reply("ERROR no deferred call named %s", f[1]);
    else
        chan_reply("OK");
}

static void reset_all(void)
{
    ops_reset();            /* first: pending calls may still use requests */
    req_reset();
    send_reset();
}

/* 1 after BYE. */
static int handle_line(char *line, size_t len)
{
    char **f;
    int n, max = 1;
    ULONGLONG v;

    if (log_verbose)
        log_msg("< %.200s%s", line, len > 200 ? "..." : "");
    if (memchr(line, '\0', len) != NULL) {
        chan_reply("ERROR NUL byte in command");
        return 0;
    }
    for (size_t i = 0; i < len; i++)
        max += line[i] == ' ';
    if ((f = malloc((size_t)max * sizeof *f)) == NULL) {
        chan_reply("ERROR out of memory");
        return 0;
    }
    n = 0;
    for (char *p = line; *p != '\0' && n < max;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        f[n++] = p;
        while (*p != '\0' && *p != ' ')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }

    if (n == 0) {
        chan_reply("ERROR empty command");
    } else if (strcmp(f[0], "HELLO") == 0) {
        if (n != 2 || proto_number(f[1], &v) != 0)
            chan_reply("ERROR usage: HELLO version");
        else if (v != PROTOCOL_VERSION)
            chan_reply("ERROR protocol version %llu not supported (1 is)", (unsigned long long)v);
        else
            chan_reply("HELLO %u %s %s %s", PROTOCOL_VERSION, ADAPTER_NAME, impl_version(),
                       opts.api == 2 ? ADAPTER_CAPS_V2 : ADAPTER_CAPS);
    } else if (strcmp(f[0], "LISTEN") == 0) {
        if (n != 1)
            chan_reply("ERROR usage: LISTEN");
        else
            cmd_listen();
    } else if (strcmp(f[0], "RECEIVE") == 0) {
        cmd_receive(f, n);
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
            chan_reply("ERROR usage: RESET");
        } else {
            reset_all();
            chan_reply("OK");
        }
    } else if (strcmp(f[0], "BYE") == 0) {
        chan_reply("OK");
        free(f);
        return 1;
    } else {
        chan_reply("ERROR unknown command '%.40s'", f[0]);
    }
    free(f);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned tcp_port = 0;
    const char *control_address = NULL, *token = NULL;
    int authed = 0;
    WSADATA wsa;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        ULONGLONG x;
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
        } else if (strcmp(a, "--control-address") == 0 && strlen(v) < 64) {
            control_address = v;
        } else if (strcmp(a, "--token") == 0 && *v != '\0' && strpbrk(v, " \r\n") == NULL) {
            token = v;
        } else if (strcmp(a, "--api") == 0 && (strcmp(v, "1") == 0 || strcmp(v, "2") == 0)) {
            opts.api = v[0] - '0';
        } else if (strcmp(a, "--url-host") == 0 && strlen(v) < 200) {
            opts.url_host = v;
        } else if (strcmp(a, "--address") == 0 && strlen(v) < 200 && strchr(v, ' ') == NULL) {
            opts.address = v;
        } else if (strcmp(a, "--port") == 0 && proto_number(v, &x) == 0 && x <= 65535) {
            opts.port = (unsigned)x;
        } else {
            usage();
        }
    }
    if ((tcp_port != 0) != (control_address != NULL) || (token != NULL && tcp_port == 0))
        usage();
    crash_install();
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) {
        log_msg("WSAStartup failed");
        return 1;
    }
    if (chan_open(tcp_port, control_address) != 0) {
        log_msg("cannot open the control channel: %d", WSAGetLastError());
        return 1;
    }
    for (;;) {
        size_t len;
        char *line = chan_read_line(&len);
        if (line == NULL) {
            if (!chan_is_tcp()) {
                log_msg("control channel closed");
                return 0;
            }
            reset_all();
            log_msg("harness disconnected; waiting for the next one");
            if (chan_next_harness() != 0)
                return 1;
            authed = 0;
            continue;
        }
        if (token != NULL && !authed) {
            if (strncmp(line, "AUTH ", 5) == 0 && strcmp(line + 5, token) == 0) {
                authed = 1;
                chan_reply("OK");
                continue;
            }
            chan_reply("ERROR authentication required: the first line must be AUTH <token>");
            log_msg("harness refused: no token");
            if (chan_next_harness() != 0)
                return 1;
            continue;
        }
        if (handle_line(line, len)) {
            if (!chan_is_tcp())
                return 0;
            if (chan_next_harness() != 0)
                return 1;
            authed = 0;
        }
    }
}
