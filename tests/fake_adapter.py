#!/usr/bin/python3
"""A small adapter in Python for the harness's self-tests (protocol version 1).

It follows spec/adapter-protocol.md and implements the checks and the bytes
of spec chapters 2 to 4 closely enough to stand in for the reference adapter
(build/hs-reference-adapter) in the harness's own tests. It is not the
reference: the C model is.

    tests/fake_adapter.py [--fault NAME] [--name N] [--caps a,b] [--token T]
                          [--order reverse] [--no-server] [--no-close]

Faults, as in the reference adapter: wrong-code (non-zero rc -> 87, 87 ->
1229), drop-date (no Date line), extra-byte (an 'X' after each call's entity
bytes), hang (CALL never replies), crash (abort on the first CALL), garbage (64
random bytes instead of the response), endless (entity bytes forever),
setup-crash (says SETUP on the first CALL, then aborts),
keep-open (never closes connections). The other switches make deliberate
deviations for the comparison tests: --order reverse writes the header lines
in reverse order, --no-server writes no Server line, --token changes the
Server product token, --no-close keeps HTTP/1.0 connections open,
--close-always closes every connection after its response, --eager delivers
pipelined requests without waiting for the response to the one before,
--unended-400 leaves the empty line out of its own 400. --variants takes
the other allowed variant of several IMPL rules: unknown flag bits, cache
policy 3 and log type 1 are ignored, no generated Connection: close for a
request's close or DISCONNECT, an automatic Content-Length on 1xx and 304,
"name:" without a space for an empty unknown header value, and an interim
"100 Continue" when the application reads a body announced with
Expect: 100-continue.
"""

import argparse
import email.utils
import os
import random
import re
import select
import socket
import sys
import time

KNOWN = ("Cache-Control", "Connection", "Date", "Keep-Alive", "Pragma", "Trailer",
         "Transfer-Encoding", "Upgrade", "Via", "Warning", "Allow", "Content-Length",
         "Content-Type", "Content-Encoding", "Content-Language", "Content-Location",
         "Content-MD5", "Content-Range", "Expires", "Last-Modified", "Accept-Ranges", "Age",
         "ETag", "Location", "Proxy-Authenticate", "Retry-After", "Server", "Set-Cookie",
         "Vary", "WWW-Authenticate")
DISCONNECT, MORE_DATA, OPAQUE = 0x1, 0x2, 0x40
KNOWN_FLAGS = 0x16F
EOF_LEN = 0xFFFFFFFFFFFFFFFF
OK, PATH_NOT_FOUND, INVALID_HANDLE, INVALID_PARAMETER, CONNECTION_INVALID = 0, 3, 6, 87, 1229
REQUEST_LINE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP/1\.[01]$")
BAD_BODY = (b"<!DOCTYPE HTML><html><head><title>Bad Request</title></head>"
            b"<body><h2>Bad Request - Invalid Verb</h2></body></html>")


class Fail(Exception):
    pass


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()
        self.closed = False          # we closed it
        self.peer_gone = False
        self.busy = None             # the exchange waiting for its final send
        self.discard = 0             # request body bytes still to skip
        self.opaque = False

    def fill(self, timeout=0.0):
        if self.closed or self.peer_gone:
            return False
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            return False
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.peer_gone = True
            return False
        self.buf += data
        return True

    def skip_body(self):
        n = min(self.discard, len(self.buf))
        del self.buf[:n]
        self.discard -= n

    def take_request(self, args):
        if (self.busy is not None and not args.eager) or self.opaque or self.closed:
            return None
        self.skip_body()
        if self.discard:
            return None
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buf[:end]).decode("latin-1")
        del self.buf[:end + 4]
        lines = head.split("\r\n")
        if not REQUEST_LINE.match(lines[0]):
            self.bad_request(args)
            return None
        method, _, version = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        tokens = {t.strip().lower() for v in headers.get("connection", []) for t in v.split(",")}
        length = int((headers.get("content-length") or ["0"])[0] or 0)
        expect = {v.strip().lower() for v in headers.get("expect", [])}
        return {"method": method, "version": version[5:], "close": "close" in tokens,
                "length": length, "continue": "100-continue" in expect}

    def bad_request(self, args):
        """CONN-BAD-REQUEST, in the form Windows uses: 400 with an HTML body, then close."""
        head = (b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html; charset=us-ascii\r\n"
                b"Server: Microsoft-HTTPAPI/2.0\r\nDate: "
                + email.utils.formatdate(usegmt=True).encode() + b"\r\nConnection: close\r\n"
                + b"Content-Length: " + str(len(BAD_BODY)).encode() + b"\r\n")
        self.send(head + (b"" if args.unended_400 else b"\r\n" + BAD_BODY))
        self.close()

    def send(self, data):
        if self.closed or self.peer_gone:
            return
        try:
            self.sock.sendall(data)
        except OSError:
            self.peer_gone = True

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()


class Exchange:
    def __init__(self, xid, conn, req):
        self.id = xid
        self.conn = conn
        self.req = req
        self.state = "received"      # received / streaming / opaque / done
        self.close_after = False
        self.body_read = 0


class Adapter:
    def __init__(self, args):
        self.args = args
        self.listener = None
        self.conns = []
        self.refs = {}
        self.exchanges = {}
        self.calls = 0

    # ------------------------------------------------------------ commands
    def hello(self, parts):
        caps = self.args.caps or "memory,body,file,fragment,overlapped,opaque,recv-body"
        return f"HELLO 1 {self.args.name} 0.0.1 {caps}"

    def listen(self, parts):
        if self.listener is None:
            self.listener = socket.socket()
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.listener.bind(("127.0.0.1", 0))
            self.listener.listen(64)
        host, port = self.listener.getsockname()
        return f"LISTENING {host} {port}"

    def reset(self, parts):
        for c in self.conns:
            c.close()
        self.conns, self.refs, self.exchanges = [], {}, {}
        return "OK"

    def receive(self, parts):
        ref, timeout = parts[1], int(parts[2]) / 1000
        deadline = time.monotonic() + timeout
        while True:
            for c in self.conns:
                req = c.take_request(self.args)
                if req is not None:
                    xid = random.getrandbits(63) | 1
                    x = Exchange(xid, c, req)
                    c.busy = x
                    self.refs[ref] = xid
                    self.exchanges[xid] = x
                    return f"REQUEST {ref} {req['method']} {req['version']}"
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return "TIMEOUT"
            live = [c for c in self.conns if not c.closed and not c.peer_gone]
            r, _, _ = select.select([self.listener] + [c.sock for c in live], [], [], remaining)
            for s in r:
                if s is self.listener:
                    sock, _ = self.listener.accept()
                    self.conns.append(Conn(sock))
                else:
                    for c in live:
                        if c.sock is s:
                            c.fill()

    def recv_body(self, parts):
        ref, maxb, timeout = parts[1], int(parts[2]), int(parts[3]) / 1000
        x = self.exchanges.get(self.refs.get(ref))
        if x is None:
            raise Fail("unknown ref")
        c = x.conn
        if self.args.variants and x.req.get("continue") and x.state == "received":
            x.req["continue"] = False           # CONN-EXPECT-CONTINUE: once, before reading
            c.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        deadline = time.monotonic() + timeout
        while True:
            if x.state == "opaque" or c.opaque:
                avail = len(c.buf)
            else:
                avail = min(len(c.buf), x.req["length"] - x.body_read)
            if avail > 0:
                n = min(avail, maxb)
                data = bytes(c.buf[:n])
                del c.buf[:n]
                if x.state != "opaque":
                    x.body_read += n
                return "BODY " + data.hex()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or c.peer_gone or c.closed:
                return "TIMEOUT" if remaining <= 0 else "BODY -"
            c.fill(remaining)

    def call(self, parts):
        self.calls += 1
        fault = self.args.fault
        if fault == "crash":
            os.abort()
        if fault == "setup-crash":      # dies in its own preparation, said with SETUP
            sys.stdout.write("SETUP HttpAddFragmentToCache chunk 1\n")
            sys.stdout.flush()
            os.abort()
        if fault == "hang":
            while True:
                time.sleep(3600)
        fn = parts[1]
        a = parse_args(parts[2:])
        rc, bytes_sent, completion = self.do_call(fn, a)
        if fault == "wrong-code":
            rc = {0: 0, INVALID_PARAMETER: CONNECTION_INVALID}.get(rc, INVALID_PARAMETER)
        return f"RESULT {rc} bytes_sent={bytes_sent} completion={completion}"

    # ------------------------------------------------------------ the model
    def do_call(self, fn, a):
        x = None
        xid = a["id"]
        if xid in self.exchanges:
            x = self.exchanges[xid]
        rc = self.check(fn, a, x)
        if rc != OK:
            return rc, "unset", "unset"
        entity = render_chunks(a["chunks"])
        if fn == "response":
            head, plan = self.render_head(a, x, len(entity))
            wire = head + entity
        else:
            wire = entity
            plan = {"close_after": x.close_after or bool(a["flags"] & DISCONNECT),
                    "next": x.state if a["flags"] & MORE_DATA else "done"}
        fault = self.args.fault
        if fault == "garbage":
            wire = bytes(random.getrandbits(8) for _ in range(64))
        if fault == "extra-byte" and entity:
            wire += b"X"
        x.conn.send(wire)
        if fault == "endless":
            chunk = b"E" * 65536
            while True:
                x.conn.send(chunk)
                if x.conn.peer_gone:
                    break
        x.state = plan["next"]
        x.close_after = plan["close_after"]
        if x.state == "opaque":
            x.conn.opaque = True
        if x.state == "done":
            c = x.conn
            c.busy = None
            c.discard = max(0, x.req["length"] - x.body_read)
            if (x.close_after or self.args.close_always) and fault != "keep-open":
                c.close()
        sync = not a["overlapped"]
        if fn == "response":
            bytes_sent = len(wire) if (a["bytes_sent"] and sync) else "unset"
        else:
            bytes_sent = len(entity) if (a["bytes_sent"] and sync) else "unset"
        completion = len(wire) if a["overlapped"] else "unset"
        return OK, bytes_sent, completion

    def check(self, fn, a, x):
        flags = a["flags"]
        if a["queue"] == "invalid":
            return INVALID_HANDLE
        if a["id"] == 0:
            return CONNECTION_INVALID
        if a["reserved1"] or a["reserved2"]:
            return INVALID_PARAMETER
        if flags & ~KNOWN_FLAGS and not self.args.variants:
            return INVALID_PARAMETER
        if flags & DISCONNECT and flags & MORE_DATA:
            return INVALID_PARAMETER
        chunks = a["chunks"]
        if fn == "response":
            if a["response"] == "null":
                return INVALID_PARAMETER
            if flags & OPAQUE and a["status"] != 101:
                return INVALID_PARAMETER
            if not 100 <= a["status"] <= 999:
                return INVALID_PARAMETER
            if a["trailers"] != (0, 0):
                return INVALID_PARAMETER
            ucount = a["unknown_null"] if a["unknown_null"] is not None else len(a["unknown"])
            if ucount > 9999:
                return INVALID_PARAMETER
            if (a["chunks_null"] or len(chunks)) > 100:
                return INVALID_PARAMETER
            if (a["reason_null"] or any(a["known_null"].values()) or a["unknown_null"]
                    or a["chunks_null"] or any(c[0] == "memnull" and c[1] for c in chunks)):
                return INVALID_PARAMETER
            fields = [a["reason"]] + list(a["known"].values()) + [v for n, v in a["unknown"]] \
                + [n for n, v in a["unknown"]]
            if any(b in f for f in fields for b in (b"\r", b"\n", b"\0")) or \
                    any(not n for n, v in a["unknown"]):
                return INVALID_PARAMETER
        else:
            if (a["chunks_null"] or len(chunks)) > 9999:
                return INVALID_PARAMETER
            if a["chunks_null"] or any(c[0] == "memnull" and c[1] for c in chunks):
                return INVALID_PARAMETER
        for c in chunks:
            if c[0] == "type" and c[1] > 3:
                return INVALID_PARAMETER
        for c in chunks:
            if c[0] == "fragex" and len(c[1]) > 65532:
                return INVALID_PARAMETER
        for c in chunks:
            if c[0] in ("frag", "fragex") and c[2] is None:
                return PATH_NOT_FOUND
        for c in chunks:
            if c[0] in ("file", "fragex"):
                data, start, length = c[2], c[3], c[4]
                if start > len(data) or (length != EOF_LEN and start + length > len(data)):
                    return INVALID_PARAMETER
        if (fn == "response" and a["cache"] is not None and a["cache"][0] >= 3
                and not self.args.variants):
            return INVALID_PARAMETER
        if a["log"] is not None and a["log"] != 0 and not self.args.variants:
            return INVALID_PARAMETER
        if x is None:
            return CONNECTION_INVALID
        if x.state == "done":
            return CONNECTION_INVALID
        c = x.conn
        if not c.closed and not c.peer_gone:
            r, _, _ = select.select([c.sock], [], [], 0)
            if r:
                c.fill()
        if c.peer_gone:
            return CONNECTION_INVALID
        if fn == "response":
            if x.state in ("streaming", "opaque"):
                return INVALID_PARAMETER
        else:
            if x.state == "received":
                return INVALID_PARAMETER
            if flags & OPAQUE and x.state != "opaque":
                return INVALID_PARAMETER
        return OK

    def render_head(self, a, x, body_len):
        req = x.req
        flags = a["flags"]
        status = a["status"]
        known = a["known"]
        more = bool(flags & MORE_DATA)
        http10 = req["version"] == "1.0"
        lines = []
        for i in range(30):
            if i == 2:
                continue
            if i == 26:
                token = self.args.token
                if self.args.no_server:
                    if i in known:
                        lines.append(b"Server: " + known[i])
                    continue
                lines.append(b"Server: " + (known[i] + b" " if i in known else b"")
                             + token.encode())
                continue
            if i in known and known[i]:
                lines.append(KNOWN[i].encode() + b": " + known[i])
        for n, v in a["unknown"]:
            lines.append(n + (b":" if self.args.variants and not v else b": ") + v)
        if self.args.fault != "drop-date":
            lines.append(b"Date: " + email.utils.formatdate(usegmt=True).encode())
        app_conn = 1 in known
        close_10 = http10 and not self.args.no_close
        if not app_conn and (close_10 or (not self.args.variants and
                                          (req["close"] or flags & DISCONNECT))):
            lines.append(b"Connection: close")
        no_auto = status < 200 or status in (204, 304)
        if self.args.variants:
            no_auto = status == 204
        if (not more and 11 not in known and 6 not in known and req["method"] != "HEAD"
                and not no_auto):
            lines.append(b"Content-Length: " + str(body_len).encode())
        if self.args.order == "reverse":
            lines.reverse()
        head = b"HTTP/1.1 " + str(status).encode() + b" " + a["reason"] + b"\r\n"
        head += b"".join(line + b"\r\n" for line in lines) + b"\r\n"
        app_close = known.get(1, b"").lower() == b"close"
        close_after = (close_10 or req["close"] or app_close or bool(flags & DISCONNECT)
                       or bool(flags & OPAQUE and status == 101))
        nxt = "done" if not more else ("opaque" if flags & OPAQUE else "streaming")
        return head, {"close_after": close_after, "next": nxt}


def render_chunks(chunks):
    out = b""
    for c in chunks:
        if c[0] == "mem":
            out += c[1]
        elif c[0] == "frag":
            out += c[2]
        elif c[0] in ("file", "fragex"):
            data, start, length = c[2], c[3], c[4]
            out += data[start:] if length == EOF_LEN else data[start:start + length]
    return out


def hexb(s):
    return b"" if s == "-" else bytes.fromhex(s)


def parse_args(items):
    a = {"queue": "valid", "id": None, "flags": 0, "reserved1": 0, "reserved2": 0,
         "bytes_sent": 1, "overlapped": 0, "cache": None, "log": None, "response": "given",
         "status": 200, "reason": b"", "reason_null": None, "version": "1.1", "resp_flags": 0,
         "known": {}, "known_null": {}, "unknown": [], "unknown_null": None,
         "trailers": (0, 0), "chunks": [], "chunks_null": None}
    adapter = ADAPTER
    for item in items:
        key, _, val = item.partition("=")
        if key == "id":
            if val == "null":
                a["id"] = 0
            elif val.startswith("0x"):
                a["id"] = int(val, 16)
            else:
                a["id"] = adapter.refs.get(val, -1)
        elif key in ("flags", "reserved2", "status", "resp_flags"):
            a[key] = int(val, 0)
        elif key in ("reserved1", "bytes_sent", "overlapped"):
            a[key] = int(val)
        elif key in ("queue", "response", "version"):
            a[key] = val
        elif key == "cache":
            a["cache"] = None if val == "none" else tuple(int(p) for p in val.split(":"))
        elif key == "log":
            a["log"] = None if val == "none" else int(val)
        elif key == "reason":
            a["reason"] = hexb(val)
        elif key in ("reason_null", "unknown_null", "chunks_null"):
            a[key] = int(val)
        elif key.startswith("known."):
            a["known"][int(key[6:])] = hexb(val)
        elif key.startswith("known_null."):
            a["known_null"][int(key[11:])] = int(val)
        elif key == "unknown":
            n, _, v = val.partition(":")
            a["unknown"].append((hexb(n), hexb(v)))
        elif key == "trailers":
            n, _, p = val.partition(":")
            a["trailers"] = (int(n), int(p))
        elif key == "chunk":
            kind, _, rest = val.partition(":")
            f = rest.split(":")
            if kind == "mem":
                a["chunks"].append(("mem", hexb(f[0])))
            elif kind == "memnull":
                a["chunks"].append(("memnull", int(f[0])))
            elif kind == "type":
                a["chunks"].append(("type", int(f[0])))
            elif kind == "file":
                a["chunks"].append(("file", None, hexb(f[0]), int(f[1]),
                                    EOF_LEN if f[2] == "eof" else int(f[2])))
            elif kind == "frag":
                a["chunks"].append(("frag", hexb(f[0]), None if f[1] == "-" else hexb(f[1])))
            elif kind == "fragex":
                a["chunks"].append(("fragex", hexb(f[0]), None if f[1] == "-" else hexb(f[1]),
                                    int(f[2]), EOF_LEN if f[3] == "eof" else int(f[3])))
            else:
                raise Fail(f"bad chunk {val}")
        else:
            raise Fail(f"unknown key {key}")
    return a


ADAPTER = None


def main():
    global ADAPTER
    p = argparse.ArgumentParser()
    p.add_argument("--fault")
    p.add_argument("--name", default="fake")
    p.add_argument("--caps")
    p.add_argument("--token", default="Microsoft-HTTPAPI/2.0")
    p.add_argument("--order")
    p.add_argument("--no-server", action="store_true")
    p.add_argument("--no-close", action="store_true")
    p.add_argument("--close-always", action="store_true")
    p.add_argument("--variants", action="store_true")
    p.add_argument("--eager", action="store_true")
    p.add_argument("--unended-400", action="store_true")
    args = p.parse_args()
    ADAPTER = ad = Adapter(args)
    handlers = {"HELLO": ad.hello, "LISTEN": ad.listen, "RESET": ad.reset,
                "RECEIVE": ad.receive, "RECV_BODY": ad.recv_body, "CALL": ad.call}
    stdin = sys.stdin.buffer
    out = sys.stdout
    while True:
        line = stdin.readline()
        if not line:
            return 0
        parts = line.decode("latin-1").strip().split(" ")
        if parts[0] == "BYE":
            out.write("OK\n")
            out.flush()
            return 0
        try:
            reply = handlers[parts[0]](parts)
        except KeyError:
            reply = f"ERROR unknown command {parts[0]}"
        except (Fail, ValueError, IndexError) as exc:
            reply = f"ERROR {exc}"
        out.write(reply + "\n")
        out.flush()


if __name__ == "__main__":
    sys.exit(main())
