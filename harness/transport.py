"""The client side of the HTTP connections to an adapter, in one select() loop.

Raw requests go over plain sockets; requests with via = "curl" are sent by
libcurl (pycurl) through a recording relay on loopback, which forwards curl's
bytes to the adapter and the adapter's bytes to curl and records what the
server sent (the exact wire). `Transport` is the part of harness.engine.Session
that moves bytes: while the session waits for a reply line on the control
channel it keeps reading every connection, forwarding relay bytes and driving
curl, so an adapter that writes a large or endless body never blocks it. A
connection keeps WIRE_CAP bytes and counts the rest, up to READ_LIMIT.
"""

from __future__ import annotations

import fcntl
import re
import select
import socket
import struct
import termios
import time
from typing import Any

from .adapter import AdapterError
from .cases import Request
from .outcome import Outcome

WIRE_CAP = 1 << 20          # bytes kept per connection; the rest is counted only
READ_LIMIT = 1 << 28        # bytes read per connection at most (an endless body stops here)
TAIL = 1 << 16              # bytes kept of the end of a large stream while a probe is out
PAUSED_RCVBUF = 1 << 18     # receive buffer of a connection whose client pauses reading

try:  # pycurl is optional until a case asks for curl
    import pycurl
except ImportError:  # pragma: no cover - Debian's python3-pycurl is a dependency
    pycurl = None


class _Conn:
    def __init__(self, name: str):
        self.name = name
        self.sock: socket.socket | None = None     # to the adapter
        self.buf = bytearray()
        self.out = bytearray()
        self.sent = bytearray()
        self.eof = False
        self.reset = False
        self.overflow = 0
        self.marks: list[tuple[int, int]] = []
        self.totals: list[tuple[int, int]] = []
        self.wire_end: int | None = None
        self.overflow_end: int | None = None    # overflow when wire_end was taken
        self.paused = False                     # the client does not read (pause_reading)
        self.resumed = False                    # a resume step ended the pause
        self.client_closed = False
        # relay side (curl)
        self.down: socket.socket | None = None
        self.down_out = bytearray()
        self.down_eof = False
        self.down_shut = False
        self.forward = True
        self.curl = None
        self.fate = "unchecked"
        self.probing = False                    # its probe request is out (fate)
        self.rcvbuf = 0                         # a small receive buffer (pause_reading)
        self.written = 0                        # bytes written to the adapter
        self.tail: bytearray | None = None      # the stream's last TAIL bytes (a probe is out)
        self.probe_note = ""

    def capped(self) -> bool:
        return len(self.buf) >= WIRE_CAP

    def total(self) -> int:
        return len(self.buf) + self.overflow

    def unread(self) -> int:
        """Bytes that have reached a paused client and wait in its receive queue
        (FIONREAD), 0 for a client that reads: they are not read until the
        resume, but they arrived now, and a step's bytes are those that arrived
        during it."""
        if not self.paused or self.sock is None or self.eof:
            return 0
        try:
            return struct.unpack("i", fcntl.ioctl(self.sock.fileno(), termios.FIONREAD,
                                                   b"\0\0\0\0"))[0]
        except OSError:
            return 0

    def arrived(self) -> tuple[int, int]:
        """(offset in the kept bytes, bytes all told) of what has reached the client:
        a step's mark and total, the unread bytes of a paused client included."""
        inq = self.unread()
        return min(len(self.buf) + inq, max(len(self.buf), WIRE_CAP)), self.total() + inq

    def readable(self) -> bool:
        """The client reads this connection now (beyond WIRE_CAP it only counts)."""
        return (self.sock is not None and not self.eof and not self.paused
                and len(self.buf) + self.overflow < READ_LIMIT)


def _connect(host: str, port: int, rcvbuf: int = 0) -> socket.socket:
    """A non-blocking TCP connection to host:port; with `rcvbuf`, a receive buffer
    of that size fixed before the handshake (a paused client then holds back a
    large send after a few MiB in the kernel, not after the whole of it)."""
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(5)
        s.connect((host, port))
    except OSError:
        s.close()
        raise
    s.setblocking(False)
    _nodelay(s)
    return s


def _nodelay(s: socket.socket) -> None:
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:
        pass


def _any_int(ready: list, fds: list[int]) -> bool:
    """Whether select returned one of curl's descriptors (the others are objects)."""
    return bool(fds) and any(isinstance(f, int) and f in fds for f in ready)


class Transport:
    """The byte-moving half of Session (harness.engine): its connections (`conns`),
    the relay, curl's multi handle, the control channel's reads."""

    # ------------------------------------------------------------ the loop
    def _pump(self, timeout: float, control: bool = False) -> int:
        """Wait up to `timeout` for anything, serve it; return how many events."""
        rl: list[Any] = []
        wl: list[Any] = []
        ctl = self.control
        if control and ctl is not None and not ctl.eof:
            rl.append(ctl.rfd)
        for c in self.conns.values():
            if c.sock is not None:
                if c.readable():
                    rl.append(c.sock)
                if c.out:
                    wl.append(c.sock)
            if c.down is not None:
                if not c.down_eof:
                    rl.append(c.down)
                if c.down_out or (c.eof and not c.down_shut):
                    wl.append(c.down)
        if self.relay_wait is not None and self.relay is not None:
            rl.append(self.relay)
        cr: list[int] = []
        cw: list[int] = []
        cx: list[int] = []
        curl_due: float | None = None   # when curl's own timer runs out: it must run then
        if self.curl_running:
            cr, cw, cx = self.multi.fdset()
            mt = self.multi.timeout()
            if mt >= 0:
                timeout = min(timeout, mt / 1000.0)
                curl_due = time.monotonic() + mt / 1000.0
            elif not (cr or cw or cx):
                curl_due = 0.0          # neither a socket nor a timer: let it run
        timeout = max(0.0, timeout)
        if not (rl or wl or cr or cw or cx):
            if timeout:
                time.sleep(min(timeout, 0.01))
            return 0
        try:
            r, w, x = select.select(rl + cr, wl + cw, cx, timeout)
        except InterruptedError:
            return 0
        events = 0
        rs, ws = set(map(id, r)), set(map(id, w))
        rfds = {x for x in r if isinstance(x, int)}
        if ctl is not None and ctl.rfd in rfds and control:
            data = ctl.read()
            self.ctl_buf += data
            events += 1
        for c in list(self.conns.values()):
            if c.sock is not None and id(c.sock) in ws:
                events += self._write_up(c)
            if c.sock is not None and id(c.sock) in rs:
                events += self._read_up(c)
            if c.down is not None and id(c.down) in rs:
                events += self._read_down(c)
            if c.down is not None and id(c.down) in ws:
                events += self._write_down(c)
        if self.relay is not None and id(self.relay) in rs:
            events += self._accept_relay()
        if self.curl_running and (x or _any_int(r, cr) or _any_int(w, cw) or
                                  (curl_due is not None and time.monotonic() >= curl_due)):
            events += self._curl_perform()      # only when one of its sockets or its timer is due
        return events

    def _read_up(self, c: _Conn) -> int:
        # one buffer for every read: a fresh MiB per read would cost a page fault
        # per 4 KiB, more than the copy itself
        try:
            n = c.sock.recv_into(self.scratch)
        except BlockingIOError:
            return 0
        except OSError:
            n = 0
            c.reset = True
        if not n:
            c.eof = True
            return 1
        data = self.scratch[:n]
        room = WIRE_CAP - len(c.buf)
        if room > 0:
            c.buf += data[:room]
        if n > room:
            c.overflow += n - max(room, 0)
        if c.down is not None and c.forward:
            sent = 0
            if not c.down_out:          # straight on to curl, what its socket takes now
                try:
                    sent = c.down.send(data)
                except (BlockingIOError, InterruptedError):
                    sent = 0
                except OSError:
                    sent = n
                    c.down_eof = True
            c.down_out += data[sent:]
        if c.tail is not None:
            c.tail += data[-TAIL:]
            if len(c.tail) > TAIL:
                del c.tail[:len(c.tail) - TAIL]
        return 1

    def _write_up(self, c: _Conn) -> int:
        try:
            n = c.sock.send(c.out)
        except BlockingIOError:
            return 0
        except OSError:
            c.out.clear()
            return 1
        del c.out[:n]
        c.written += n
        return 1

    def _read_down(self, c: _Conn) -> int:
        try:
            data = c.down.recv(65536)
        except BlockingIOError:
            return 0
        except OSError:
            data = b""
        if not data:
            c.down_eof = True   # curl closed its side: not passed on to the server
            return 1
        c.sent += data
        if not c.eof and c.sock is not None and c.forward:
            c.out += data
        return 1

    def _write_down(self, c: _Conn) -> int:
        if c.down_out:
            try:
                n = c.down.send(c.down_out)
            except BlockingIOError:
                return 0
            except OSError:
                c.down_out.clear()
                c.down_eof = True
                return 1
            del c.down_out[:n]
            return 1
        if c.eof and not c.down_shut:
            c.down_shut = True
            try:
                c.down.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return 1
        return 0

    def _accept_relay(self) -> int:
        try:
            d, _ = self.relay.accept()
        except BlockingIOError:
            return 0
        c = self.relay_wait
        if c is None:
            d.close()
            return 1
        self.relay_wait = None
        d.setblocking(False)
        _nodelay(d)
        try:
            up = _connect(self.host, self.port, c.rcvbuf)
        except OSError as exc:
            d.close()
            raise AdapterError(f"the relay cannot connect to {self.hostport}, where the "
                               f"adapter listens: {exc}") from None
        c.sock, c.down = up, d
        return 1

    def _curl_perform(self) -> int:
        while True:
            ret, running = self.multi.perform()
            if ret != pycurl.E_CALL_MULTI_PERFORM:
                break
        events = 0
        while True:
            queued, ok, err = self.multi.info_read()
            for e in ok:
                self._curl_done(e, 0, "")
                events += 1
            for e, code, msg in err:
                self._curl_done(e, code, msg)
                events += 1
            if not queued:
                break
        return events

    def _curl_done(self, e, code: int, msg: str) -> None:
        st = e.hs_state
        if st["done"]:
            return
        st["done"] = True
        st["code"] = code
        st["error"] = msg
        try:
            st["status"] = e.getinfo(pycurl.RESPONSE_CODE)
        except pycurl.error:
            st["status"] = None
        self.multi.remove_handle(e)
        self.curl_running -= 1

    def _drain(self) -> None:
        while self._pump(0.0):
            pass

    # ------------------------------------------------------------ curl
    def _start_curl(self, r: Request, c: _Conn, raw: bytes, deadline: float) -> None:
        if pycurl is None:
            raise AdapterError("pycurl is not installed")
        from .request import parse_request
        req = parse_request(raw)
        if self.relay is None:
            self.relay = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.relay.bind(("127.0.0.1", 0))
            self.relay.listen(16)
            self.relay.setblocking(False)
        if self.multi is None:
            self.multi = pycurl.CurlMulti()
            self.multi.setopt(pycurl.M_MAXCONNECTS, 4)   # old relay connections leave soon
        e = pycurl.Curl()
        rhost, rport = self.relay.getsockname()
        state = {"request": r.name, "done": False, "code": None, "error": "", "status": None,
                 "body_bytes": 0, "headers": [], "reuse": None}
        e.hs_state = state
        e.setopt(pycurl.URL, f"http://{rhost}:{rport}{req['target']}")
        e.setopt(pycurl.NOPROXY, "*")
        e.setopt(pycurl.PROXY, "")
        e.setopt(pycurl.NOSIGNAL, 1)
        # a fresh connection for each request; reuse is not forbidden, so that curl says
        # whether it would have kept the connection ("left intact") or closed it
        e.setopt(pycurl.FRESH_CONNECT, 1)
        e.setopt(pycurl.VERBOSE, 1)
        e.setopt(pycurl.DEBUGFUNCTION, lambda kind, text: _curl_info(state, kind, text))
        e.setopt(pycurl.TIMEOUT_MS, max(100, int((deadline - time.monotonic()) * 1000)))
        e.setopt(pycurl.CONNECTTIMEOUT_MS, 2000)
        e.setopt(pycurl.HTTP_VERSION, pycurl.CURL_HTTP_VERSION_1_0 if req["version"] == "1.0"
                 else pycurl.CURL_HTTP_VERSION_1_1)
        e.setopt(pycurl.BUFFERSIZE, 1 << 20)
        e.setopt(pycurl.WRITEFUNCTION, lambda data: _count_body(state, data))
        e.setopt(pycurl.HEADERFUNCTION, lambda line: state["headers"].append(line) and None)
        names = {n.lower() for n, _ in req["headers"]}
        # no header of curl's own beyond what the case wrote
        headers = [f"{h}:" for h in ("Accept", "Expect", "User-Agent") if h.lower() not in names]
        if req["method"] == "POST" and "content-type" not in names:
            headers.append("Content-Type:")
        for n, v in req["headers"]:
            if n.lower() == "content-length":
                continue
            headers.append(f"{n}: {v}" if v else f"{n};")
        e.setopt(pycurl.HTTPHEADER, headers)
        if req["method"] == "HEAD":
            e.setopt(pycurl.NOBODY, 1)
        elif req["method"] == "POST":
            e.setopt(pycurl.POST, 1)
            e.setopt(pycurl.POSTFIELDSIZE, len(req["body"]))
            e.setopt(pycurl.COPYPOSTFIELDS, bytes(req["body"]))
        c.curl = e
        self.relay_wait = c
        self.multi.add_handle(e)
        self.curl_running += 1
        self._curl_perform()

    def _finish_curl(self, out: Outcome) -> None:
        curls = [c for c in self.conns.values() if c.curl is not None]
        if not curls:
            return
        for c in curls:
            c.forward = False
            c.down_out.clear()
            if c.down is not None and not c.down_shut:
                c.down_shut = True
                try:
                    c.down.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
        until = time.monotonic() + 1.0
        while self.curl_running and time.monotonic() < until:
            self._pump(until - time.monotonic())
        for c in curls:
            st = c.curl.hs_state
            if not st["done"]:
                try:
                    self.multi.remove_handle(c.curl)
                except pycurl.error:
                    pass
                self.curl_running -= 1
                st.update(done=True, code=None, error="did not finish", reuse=None)
            out.curl[st["request"]] = {
                "code": st["code"], "error": st["error"], "status": st["status"],
                "body_bytes": st["body_bytes"], "reuse": st["reuse"],
                "status_line": (st["headers"][0].decode("latin-1").rstrip("\r\n")
                                if st["headers"] else None),
            }
            c.curl.close()
            c.curl = None
        self.relay_wait = None


def _count_body(state: dict, data: bytes) -> None:
    """curl's body: only its length is kept (an endless body costs no memory)."""
    state["body_bytes"] += len(data)


_CURL_CONN = re.compile(rb"^Connected to .*\(#(\d+)\)")
_CURL_KEPT = re.compile(rb"^Connection #(\d+) to host .* left intact")
_CURL_CLOSED = re.compile(rb"^Closing connection #?(\d+)")


def _curl_info(state: dict, kind: int, text: bytes) -> None:
    """libcurl's informational lines (CURLINFO_TEXT): whether it keeps the request's
    connection for reuse ("left intact") or closes it, before the transfer is done."""
    if kind != 0 or state["done"]:
        return
    m = _CURL_CONN.match(text)
    if m:
        state["conn_no"] = m.group(1)
        return
    for pattern, reuse in ((_CURL_KEPT, True), (_CURL_CLOSED, False)):
        m = pattern.match(text)
        if m and m.group(1) == state.get("conn_no"):
            state["reuse"] = reuse
