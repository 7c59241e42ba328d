"""Running one case against one adapter.

A `Session` owns one adapter process (started once, reused across cases with
RESET, restarted after a crash or a timeout) and plays the HTTP client:

- raw requests go over plain sockets, so the harness sees the exact bytes;
- requests with via = "curl" are sent by libcurl (pycurl) through a recording
  relay on loopback: the relay forwards curl's bytes to the adapter and the
  adapter's bytes to curl, and records what the server sent, which is the
  exact wire; curl's own verdict (its error code and message, or the status)
  is kept as the real client's view.

Everything runs in one select() loop: while the harness waits for a reply line
on the control channel it keeps reading every connection, forwarding relay
bytes and driving curl, so an adapter that writes a large or endless body can
never block the harness. There is no sleep on the happy path: bytes a call
sent are on the loopback socket when its RESULT arrives; with a model outcome
to compare against, the harness waits at most `settle` seconds for bytes it
still expects.

Requests go out just before the first step that names them; a request
pipelined with another goes out in that request's write and is RECEIVEd after
it. A receive step makes one RECEIVE and records whether the request was
delivered (a TIMEOUT is an outcome there, not a failure). To an adapter with
capability `sent`, a RECEIVE says how many bytes the client wrote on each
connection, so that a TIMEOUT that is certain comes at once.

Protocol 1.1: a deferred call (overlapped = "defer") replies before its
completion, which a wait step collects (WAIT) and a cancel step cancels
(CANCEL); a request with pause_reading makes the client stop reading its
connection at the first deferred call on it, until a resume step, so that a
large send stays pending. A connection keeps WIRE_CAP bytes and counts the
rest, up to READ_LIMIT.

Connection fate: "closed" when the server closed after the response (the
harness waits CLOSE_GRACE for the end of stream, then sends a probe request:
"not-closed" as soon as the server serves it, or when neither the end of
stream nor the probe came within `close_wait`); "open" is proven with a probe
request on the same connection (RECEIVE hsprobe, then a plain CALL), which the
server must deliver (CONN-PERSISTENT), "stalled" when it is not delivered. A
connection whose request has no final send yet is "open" when no end of stream
arrived. The case's bytes end where the probe's response begins.
"""

from __future__ import annotations

import os
import re
import select
import socket
import time
from dataclasses import dataclass, field
from typing import Any

from .adapter import (PROTOCOL_VERSION, AdapterDesync, AdapterDied, AdapterError,
                      AdapterFailure, AdapterTimeout, Control)
from .cases import Case, Call, Request

PROBE_REF = "hsprobe"
START_TRIES = 3             # failed adapter starts in a row before a run stops trying
WIRE_CAP = 1 << 20          # bytes kept per connection; the rest is counted only
READ_LIMIT = 1 << 28        # bytes read per connection at most (an endless body stops here)
CLOSE_GRACE = 0.05          # s for an end of stream due after a response, before a probe
TAIL = 1 << 16              # bytes kept of the end of a large stream while a probe is out
OK_RC = (0, 997)            # NO_ERROR, ERROR_IO_PENDING
PAUSED_RCVBUF = 1 << 18     # receive buffer of a connection whose client pauses reading
REPLY_MAX = 1 << 16         # bytes of a reply line (a BODY reply: twice max-bytes more)

try:  # pycurl is optional until a case asks for curl
    import pycurl
except ImportError:  # pragma: no cover - Debian's python3-pycurl is a dependency
    pycurl = None


@dataclass
class CallResult:
    index: int
    fn: str
    rc: int | None = None
    bytes_sent: int | str | None = None       # number or "unset"
    completion: int | str | None = None
    data: bytes | None = None                 # recv_body: the bytes read (None: TIMEOUT)
    delivered: bool | None = None             # receive: REQUEST (True) or TIMEOUT (False)
    pending: bool | None = None               # wait: TIMEOUT (True) or COMPLETION (False)
    reply: str = ""
    rule: str | None = None                   # the rule that decided rc (the model's rule=)

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"index": self.index, "fn": self.fn}
        if self.fn == "recv_body":
            d["data"] = None if self.data is None else self.data.decode("latin-1")
        elif self.fn == "receive":
            d["delivered"] = self.delivered
        elif self.fn == "wait":
            d.update(rc=self.rc, completion=self.completion, pending=self.pending)
        elif self.fn in ("cancel", "resume"):
            pass
        else:
            d.update(rc=self.rc, bytes_sent=self.bytes_sent, completion=self.completion)
            if self.rule:
                d["rule"] = self.rule
        return d


@dataclass
class ConnResult:
    name: str
    wire: bytes = b""
    marks: list[tuple[int, int]] = field(default_factory=list)   # (call index, end offset)
    fate: str = "unchecked"     # open / closed / stalled / client-closed / unchecked / ...
    note: str = ""
    overflow: int = 0           # bytes received beyond WIRE_CAP
    sent: bytes = b""           # what the client sent (the request bytes)
    totals: list[tuple[int, int]] = field(default_factory=list)  # (call index, bytes so far)

    def end_after(self, call_index: int) -> int | None:
        """Bytes on this connection once call `call_index` had returned."""
        for idx, end in self.marks:
            if idx == call_index:
                return end
        return None

    def segments(self) -> list[tuple[int, bytes]]:
        """(call index, bytes that arrived during that call); index 0 is before
        the first call; bytes after the last call belong to the last call."""
        out = []
        start = 0
        marks = list(self.marks)
        for n, (idx, end) in enumerate(marks):
            if n == len(marks) - 1:
                end = len(self.wire)
            out.append((idx, self.wire[start:end]))
            start = end
        if not marks and self.wire:
            out.append((0, self.wire))
        return out

    def counts(self) -> list[tuple[int, int]]:
        """Like segments(), as byte counts that include the bytes beyond WIRE_CAP."""
        out = []
        start = 0
        total = len(self.wire) + self.overflow
        marks = self.totals or self.marks       # without totals: nothing went past the cap
        for n, (idx, end) in enumerate(marks):
            if n == len(marks) - 1:
                end = total
            out.append((idx, max(0, end - start)))
            start = end
        if not marks and total:
            out.append((0, total))
        return out


@dataclass
class Outcome:
    status: str = "ok"          # ok / skip / crash / timeout / adapter-error / receive-failed
    message: str = ""
    calls: list[CallResult] = field(default_factory=list)
    conns: dict[str, ConnResult] = field(default_factory=dict)
    curl: dict[str, dict] = field(default_factory=dict)
    transcript: list[str] = field(default_factory=list)
    duration: float = 0.0
    log: str = ""
    # request name -> (verb, version, connection) as the RECEIVE reply named them; the
    # connection from its peer=PORT ("" when the adapter does not say)
    received: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # request name -> rc of the final, empty HttpSendResponseEntityBody that probes
    # whether a MORE_DATA response was still open ("crash": the adapter died on it)
    open_probe: dict[str, int | str] = field(default_factory=dict)
    step: int = 0               # the step that was running when the run stopped (-1: none,
                                # the adapter did not start)

    def call(self, index: int) -> CallResult | None:
        for c in self.calls:
            if c.index == index:
                return c
        return None


class ReceiveFailed(AdapterFailure):
    """RECEIVE answered TIMEOUT: the request did not reach the adapter's application."""


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


class Session:
    """One adapter and the client side of the HTTP connections to it."""

    def __init__(self, command: str, *, log_path=None, start_timeout: float = 10.0,
                 close_wait: float = 1.0, settle: float = 0.02, role: str = "impl"):
        self.command_line = command
        self.log_path = log_path
        self.start_timeout = start_timeout
        self.close_wait = close_wait
        self.settle = settle
        self.role = role
        self.control: Control | None = None
        self.hello: dict[str, Any] = {}
        self.host = ""
        self.port = 0
        self.ctl_buf = bytearray()
        self.scratch = memoryview(bytearray(1 << 20))   # what one read of a connection takes
        self.conns: dict[str, _Conn] = {}
        self.transcript: list[str] | None = None
        self.relay: socket.socket | None = None
        self.relay_wait: _Conn | None = None
        self.multi = None
        self.curl_running = 0
        self.starts = 0
        self.start_failed = ""                  # why the last start failed
        self.failed_starts = 0                  # failed starts in a row
        self.awaiting = ""                      # the command whose reply is still due
        self.setup = ""                         # what the adapter said it sets up (SETUP)
        self.sent_reqs: set[str] = set()        # requests whose bytes went out (this case)
        self.delivered: set[str] = set()        # requests a RECEIVE delivered (this case)
        self.op_start: dict[str, tuple[str, int]] = {}  # op -> (connection, bytes before it)

    # ------------------------------------------------------------ lifecycle
    @property
    def alive(self) -> bool:
        return self.control is not None and not self.control.eof

    @property
    def hostport(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def caps(self) -> list[str]:
        return self.hello.get("caps", [])

    def start(self) -> None:
        """Start the adapter; after START_TRIES failed starts in a row every later one
        fails at once (an adapter that does not start would cost its start timeout
        for every case; one slow start of a busy machine is not yet that)."""
        if self.start_failed and self.failed_starts >= START_TRIES:
            raise AdapterDied(f"{self.start_failed} (after {START_TRIES} failed starts in a "
                              "row no new start is tried in this run)")
        self.control = Control(self.command_line, self.log_path)
        self.ctl_buf.clear()
        self.awaiting = ""
        self.starts += 1
        try:
            self._start()
        except (AdapterFailure, OSError) as exc:
            self.control.kill()             # never leave a half-started adapter behind
            if isinstance(exc, OSError):
                exc = AdapterDied(f"cannot reach adapter {self.command_line!r}: {exc}")
            self.start_failed = str(exc)
            self.failed_starts += 1
            raise exc from None
        self.failed_starts = 0

    def _start(self) -> None:
        self.control.start()
        deadline = time.monotonic() + self.start_timeout
        token = os.environ.get("HS_CONTROL_TOKEN") if self.control.sock else None
        if token:                           # an adapter reached over TCP with --token
            reply = self.command(f"AUTH {token}", deadline)
            if reply != "OK":
                raise AdapterDesync(f"bad AUTH reply {reply!r}")
        reply = self.command(f"HELLO {PROTOCOL_VERSION}", deadline)
        parts = reply.split()
        if len(parts) < 4 or parts[0] != "HELLO" or parts[1] != PROTOCOL_VERSION:
            raise AdapterDesync(f"bad HELLO reply {reply!r}")
        self.hello = {"protocol": parts[1], "name": parts[2], "version": parts[3],
                      "caps": parts[4].split(",") if len(parts) > 4 else []}
        reply = self.command("LISTEN", deadline)
        parts = reply.split()
        if len(parts) != 3 or parts[0] != "LISTENING" or not parts[2].isdigit():
            raise AdapterDesync(f"bad LISTEN reply {reply!r}")
        self.host, self.port = parts[1], int(parts[2])

    def ensure(self) -> None:
        if not self.alive:
            if self.control is not None:
                self.control.kill()
            self.start()

    def kill(self) -> None:
        if self.control is not None:
            self.control.kill()

    def stop(self) -> None:
        if self.control is None:
            return
        if self.alive:
            try:
                self.command("BYE", time.monotonic() + 2.0)
            except AdapterFailure:
                pass
            self.control.close(graceful=True)
        else:
            self.control.kill()
        if self.relay is not None:
            self.relay.close()
            self.relay = None
        if self.multi is not None:
            self.multi.close()
            self.multi = None

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
        if self.curl_running:
            cr, cw, cx = self.multi.fdset()
            mt = self.multi.timeout()
            if mt >= 0:
                timeout = min(timeout, mt / 1000.0)
        timeout = max(0.0, timeout)
        if not (rl or wl or cr or cw or cx):
            if timeout:
                time.sleep(min(timeout, 0.01))
            return 0
        try:
            r, w, _ = select.select(rl + cr, wl + cw, cx, timeout)
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
        if self.curl_running:
            events += self._curl_perform()
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

    # ------------------------------------------------------------ control
    def command(self, line: str, deadline: float, limit: int = REPLY_MAX) -> str:
        """Send one command and return its reply line (raise AdapterFailure); a reply
        longer than `limit` bytes, or a line that came before the command, is
        AdapterDesync."""
        if self.control is None or self.control.eof:
            raise AdapterDied("the adapter is not running")
        if self.ctl_buf:
            raise AdapterDesync(f"unexpected line from the adapter before {line.split()[0]}: "
                                f"{_short(bytes(self.ctl_buf).decode('latin-1'))}")
        if self.transcript is not None:
            self.transcript.append("> " + (line if len(line) <= 400 else line[:400] + "..."))
        self.awaiting = line
        self.setup = ""
        self.control.write(line.encode("latin-1") + b"\n", deadline)
        scan = 0
        while True:
            nl = self.ctl_buf.find(b"\n", scan)
            if nl >= 0:
                reply = bytes(self.ctl_buf[:nl]).rstrip(b"\r").decode("latin-1")
                del self.ctl_buf[:nl + 1]
                if self.transcript is not None:
                    self.transcript.append("< " + (reply if len(reply) <= 400
                                                   else reply[:400] + "..."))
                if reply.startswith("SETUP "):
                    # the adapter prepares the call by itself (protocol 1.1): a death
                    # before the reply is its own, not the function's under test
                    self.setup = reply[6:]
                    scan = 0
                    continue
                self.awaiting = ""
                self.setup = ""
                if reply.startswith("ERROR"):
                    raise AdapterError(f"{line.split()[0]}: {reply}")
                return reply
            scan = len(self.ctl_buf)
            if scan > limit:
                raise AdapterDesync(f"the reply to {line.split()[0]} is longer than {limit} "
                                    "bytes")
            if self.control.eof:
                raise AdapterDied(f"the adapter {self.control.exit_status()} "
                                  f"(while waiting for the reply to {line.split()[0]})")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AdapterTimeout(f"no reply to {_short(line)} in time")
            self._pump(remaining, control=True)

    # ------------------------------------------------------------ a case
    def run_case(self, case: Case, timeout: float = 5.0, hint: Outcome | None = None) -> Outcome:
        """Run `case`; never raises for adapter trouble (see Outcome.status).

        `hint` is the model's outcome of the same case, if known: it tells how
        many bytes each call should put on each connection.
        """
        out = Outcome()
        t0 = time.monotonic()
        try:
            self.ensure()
        except AdapterFailure as exc:
            self.kill()
            out.status, out.message = "crash", f"the adapter did not start: {exc}"
            out.step = -1                   # before any step: no verdict on a rule
            out.log = self.control.log_since(0) if self.control else ""
            out.duration = time.monotonic() - t0
            return out
        missing = [n for n in case.needs if n not in self.caps]
        if missing:
            out.status = "skip"
            out.message = f"the adapter lacks capability {', '.join(missing)}"
            return out
        log_at = self.control.log_size()
        self.transcript = out.transcript
        deadline = t0 + timeout
        try:
            self._run(case, deadline, hint, out)
        except AdapterDied as exc:
            out.status, out.message = "crash", str(exc)
            if self.setup:
                out.status = "setup-failed"
                out.message = (f"the adapter died in its own setup for the call ({self.setup}), "
                               f"before the function under test ran: {exc}")
            self.kill()
        except AdapterTimeout as exc:
            out.status = "timeout"
            out.message = f"{exc} (case timeout {timeout:g} s); adapter killed"
            self.kill()
        except ReceiveFailed as exc:
            out.status, out.message = "receive-failed", str(exc)
        except AdapterError as exc:
            out.status, out.message = "adapter-error", str(exc)
            if isinstance(exc, AdapterDesync) or self.awaiting:
                out.message += "; the control channel is out of step: adapter restarted"
                self.kill()
        finally:
            if self.awaiting and self.alive:     # a reply is still due: out of step
                self.kill()
            self._finish(out)
            self.transcript = None
        out.duration = time.monotonic() - t0
        if out.status != "ok":
            out.log = self.control.log_since(log_at) if self.control else ""
        return out

    def _run(self, case: Case, deadline: float, hint: Outcome | None, out: Outcome) -> None:
        self.conns = {}
        self.ctl_buf += self.control.read()     # a stray line since the last reply?
        reply = self.command("RESET", deadline)
        if reply != "OK":
            raise AdapterDesync(f"bad RESET reply {reply!r}")
        referenced = {c.id for c in case.calls}
        self.sent_reqs = set()
        self.delivered = set()
        self.received = out.received
        then_sent: set[str] = set()
        for r in case.requests:
            if r.name not in referenced:
                self._issue(case, r, deadline)
        self.op_start = {}
        for call in case.calls:
            out.step = call.index
            req = case.request(call.id)
            if call.fn in ("wait", "cancel", "resume"):
                res = self._step(case, call, req, deadline)
            elif call.fn == "receive":
                res = self._receive_step(case, call, req, deadline)
            else:
                if req is not None and req.name not in self.delivered:
                    self._issue(case, req, deadline)
                if call.deferred and req is not None:
                    c = self.conns.get(req.conn)
                    if c is not None and req.pause_reading and not c.resumed:
                        self._drain()           # what earlier calls sent is theirs
                        c.paused = True
                    self.op_start[call.op] = (req.conn, c.total() if c else 0)
                res = self._call(call, deadline)
            out.calls.append(res)
            self._after_call(call, hint, deadline)
            if (req is not None and req.then is not None and req.name not in then_sent
                    and call.fn == "response" and res.rc in OK_RC):
                c = self.conns.get(req.conn)
                if c is not None and c.sock is not None:
                    c.out += req.then
                    c.sent += req.then
                    then_sent.add(req.name)
                    self._drain()
        for c in self.conns.values():     # a paused client reads again for the fates
            c.paused = False
        for r in case.requests:           # requests no call made us send yet
            if r.name not in self.sent_reqs:
                self._issue(case, r, deadline)
        out.step = len(case.calls) + 1
        for name in case.conns:
            c = self.conns.get(name)
            if c is None:
                continue
            c.fate = self._fate(case, name, c, out, deadline)
        self._probe_open_responses(case, out, deadline)

    def _probe_open_responses(self, case: Case, out: Outcome, deadline: float) -> None:
        """CONN-MORE-DATA: a response whose last call had MORE_DATA is still open, so
        a final HttpSendResponseEntityBody with no chunks must succeed on its id.
        Made after the fates, with the wire already taken, so it changes neither."""
        if "body" not in self.caps:
            return
        for r in case.requests:
            if open_response_call(case, r.name) is None:
                continue
            call = open_response_call(case, r.name)
            res = out.call(call.index)
            if res is None or res.rc not in OK_RC or call.deferred:
                continue
            c = self.conns.get(r.conn)
            if c is not None and c.wire_end is None:
                self._drain()
                c.wire_end, c.overflow_end = len(c.buf), c.overflow
            try:
                reply = self.command(f"CALL body id={r.name}", deadline)
            except AdapterDied:
                out.open_probe[r.name] = "crash"
                raise
            parts = reply.split()
            if len(parts) < 4 or parts[0] != "RESULT" or not parts[1].isdigit():
                raise AdapterDesync(f"bad CALL reply {_short(reply)}")
            out.open_probe[r.name] = int(parts[1])

    def _call(self, call: Call, deadline: float) -> CallResult:
        res = CallResult(index=call.index, fn=call.fn)
        if call.fn == "recv_body":
            ms = self._ms(deadline)
            most = call.args['max']
            reply = self.command(f"RECV_BODY {call.id} {most} {ms}", deadline,
                                 REPLY_MAX + 2 * most)
            res.reply = reply
            parts = reply.split()
            if parts and parts[0] == "BODY" and len(parts) == 2:
                try:
                    res.data = b"" if parts[1] == "-" else bytes.fromhex(parts[1])
                except ValueError:
                    raise AdapterDesync(f"bad BODY reply {_short(reply)}") from None
                if len(res.data) > most:
                    raise AdapterError(f"BODY of {len(res.data)} bytes, more than the "
                                       f"max-bytes {most} asked for")
            elif reply != "TIMEOUT":
                raise AdapterDesync(f"bad RECV_BODY reply {_short(reply)}")
            return res
        reply = self.command(call.command(), deadline)
        res.reply = reply
        parts = reply.split()
        try:
            if len(parts) not in (4, 5) or parts[0] != "RESULT":
                raise ValueError
            res.rc = int(parts[1])
            res.bytes_sent = _count(parts[2], "bytes_sent=")
            res.completion = _count(parts[3], "completion=")
            if len(parts) == 5:             # the reference's rule=ID
                if not parts[4].startswith("rule="):
                    raise ValueError
                res.rule = parts[4][5:]
        except ValueError:
            raise AdapterDesync(f"bad CALL reply {_short(reply)}") from None
        return res

    def _step(self, case: Case, call: Call, req: Request | None, deadline: float) -> CallResult:
        """wait / cancel a deferred call (WAIT, CANCEL), or resume reading a paused
        connection (no command)."""
        res = CallResult(index=call.index, fn=call.fn)
        if call.fn == "resume":
            c = self.conns.get(req.conn) if req is not None else None
            if c is not None:
                c.paused, c.resumed = False, True
            res.reply = "(reading again)"
            return res
        op = call.op
        if call.fn == "cancel":
            res.reply = self.command(f"CANCEL {op}", deadline)
            if res.reply != "OK":
                raise AdapterDesync(f"bad CANCEL reply {_short(res.reply)}")
            return res
        ms = call.args.get("timeout_ms") or self._ms(deadline)
        reply = self.command(f"WAIT {op} {ms}", deadline)
        res.reply = reply
        parts = reply.split()
        if reply == "TIMEOUT":
            res.pending = True
            return res
        try:
            if len(parts) != 3 or parts[0] != "COMPLETION":
                raise ValueError
            res.rc, res.completion = int(parts[1]), int(parts[2])
        except ValueError:
            raise AdapterDesync(f"bad WAIT reply {_short(reply)}") from None
        res.pending = False
        self._await_op_bytes(op, res.completion, deadline)
        return res

    def _await_op_bytes(self, op: str, count: int, deadline: float) -> None:
        """After a completion the bytes may still be on their way: read until the
        connection has as many as the completion reports since the call (or
        close_wait passed), so that they are attributed to the operation."""
        conn, start = self.op_start.get(op, ("", 0))
        c = self.conns.get(conn)
        if c is None:
            return
        until = min(deadline, time.monotonic() + self.close_wait)
        while c.total() - start < count and c.readable() and time.monotonic() < until:
            self._pump(until - time.monotonic())

    def _after_call(self, call: Call, hint: Outcome | None, deadline: float) -> None:
        self._drain()
        if hint is not None and self.settle > 0:
            until = min(deadline, time.monotonic() + self.settle)
            while time.monotonic() < until:
                short = False
                for name, c in self.conns.items():
                    model = hint.conns.get(name)
                    want = model.end_after(call.index) if model else None
                    if want is not None and c.readable() and len(c.buf) < want and not c.capped():
                        short = True
                if not short:
                    break
                self._pump(until - time.monotonic())
        for c in self.conns.values():
            c.marks.append((call.index, len(c.buf)))
            c.totals.append((call.index, c.total()))

    def _ms(self, deadline: float, cap: float = 3.0) -> int:
        return max(1, int(min(cap, deadline - time.monotonic() - 0.1) * 1000))

    def _issue(self, case: Case, r: Request, deadline: float) -> None:
        """Send the request (unless it went out already) and RECEIVE it, which must
        deliver it (else ReceiveFailed)."""
        self._send(case, r, deadline)
        self._deliver_before(case, r, deadline)
        if not self._receive(r, self._ms(deadline), deadline):
            raise ReceiveFailed(f"request {r.name} did not reach the application "
                                "(RECEIVE answered TIMEOUT)")

    def _send(self, case: Case, r: Request, deadline: float) -> None:
        """Put the request's bytes on its connection, together with every request
        pipelined with it (one write), opening the connection if needed."""
        if r.name in self.sent_reqs:
            return
        group = case.write_group(r.name) or [r]
        first = group[0]
        raw = b"".join(g.raw_for(self.hostport) for g in group)
        c = self.conns.get(first.conn)
        if c is None:
            c = self.conns[first.conn] = _Conn(first.conn)
            if any(q.pause_reading for q in case.requests if q.conn == first.conn):
                c.rcvbuf = PAUSED_RCVBUF
            if first.via == "curl":
                self._start_curl(first, c, raw, deadline)
            else:
                try:
                    c.sock = _connect(self.host, self.port, c.rcvbuf)
                except OSError as exc:
                    raise AdapterError(f"cannot connect to {self.hostport}: {exc}") from None
        if first.via == "raw":
            if c.sock is None or c.eof:
                raise ReceiveFailed(f"request {r.name} cannot be sent: the server closed "
                                    f"connection {r.conn} before it")
            c.out += raw
            c.sent += raw
        self.sent_reqs.update(g.name for g in group)

    def _deliver_before(self, case: Case, r: Request, deadline: float) -> None:
        """A pipelined request is delivered after the one it follows: RECEIVE that first."""
        if r.pipelined_with is not None and r.pipelined_with not in self.delivered:
            self._issue(case, case.request(r.pipelined_with), deadline)

    def _receive(self, r: Request, ms: int, deadline: float) -> bool:
        """RECEIVE r; True when the adapter delivered a request, False on TIMEOUT."""
        c = self.conns.get(r.conn)
        reply = self.command(f"RECEIVE {r.name} {ms}{self._sent_field(deadline)}", deadline)
        parts = reply.split()
        if reply == "TIMEOUT":
            return False
        if len(parts) not in (4, 5) or parts[0] != "REQUEST" or parts[1] != r.name:
            raise AdapterDesync(f"bad RECEIVE reply {_short(reply)}")
        on = self._conn_of_peer(parts[4]) if len(parts) == 5 else None
        self.received[r.name] = (parts[2], parts[3], on.name if on is not None else "")
        self.delivered.add(r.name)
        if r.close_after_send and c is not None and c.sock is not None:
            self._drain()
            try:
                c.sock.close()
            except OSError:
                pass
            c.sock = None
            c.client_closed = True
        return True

    def _sent_field(self, deadline: float) -> str:
        """RECEIVE's ` sent=PORT:BYTES,...` (capability sent): every connection of the
        client with the bytes written on it, once all it has to write is written, so
        that an adapter that can tell answers TIMEOUT as soon as nothing can arrive.
        Left out ("") while curl drives a connection: what curl still has to send
        is not known here."""
        if "sent" not in self.caps or any(c.curl is not None for c in self.conns.values()):
            return ""
        while any(c.out and c.sock is not None for c in self.conns.values()):
            if time.monotonic() >= deadline:
                return ""
            self._pump(deadline - time.monotonic())
        fields = []
        for c in self.conns.values():
            if c.sock is None:
                continue                # closed by the client: the adapter sees it end
            try:
                fields.append(f"{c.sock.getsockname()[1]}:{c.written}")
            except OSError:
                return ""
        return " sent=" + ",".join(fields)

    def _receive_step(self, case: Case, call: Call, r: Request, deadline: float) -> CallResult:
        """fn = "receive": send the request if need be, then one RECEIVE with the
        step's timeout; the result says whether the request was delivered."""
        res = CallResult(index=call.index, fn="receive")
        if r.name in self.delivered:        # an earlier step got it (a too-early delivery)
            res.delivered, res.reply = True, "(delivered earlier)"
            return res
        self._send(case, r, deadline)
        self._deliver_before(case, r, deadline)
        ms = call.args.get("timeout_ms") or self._ms(deadline)
        res.delivered = self._receive(r, ms, deadline)
        res.reply = "REQUEST" if res.delivered else "TIMEOUT"
        return res

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

    # ------------------------------------------------------------ fate
    def _fate(self, case: Case, name: str, c: _Conn, out: Outcome, deadline: float) -> str:
        if c.client_closed:
            return "client-closed"
        if c.sock is None:
            return "never-connected"
        expected = case.expected_fate(name)
        self._drain()
        if expected == "closed":
            grace = min(deadline, time.monotonic() + CLOSE_GRACE)
            while not c.eof and c.readable() and time.monotonic() < grace:
                self._pump(grace - time.monotonic())
            if c.eof or not c.readable():
                return "closed" if c.eof else "not-closed"
            # no end of stream yet: a probe request settles it without waiting out
            # close_wait: a server that serves it has kept the connection, one that
            # closes ends the stream
            fate = self._probe(c, deadline)
            return "closed" if fate == "closed" else "not-closed"
        if expected == "open":
            if c.eof:
                return "closed"
            last = [r for r in case.requests if r.conn == name][-1]
            if not _final_sent(case, out, last.name):
                return "open"
            return self._probe(c, deadline)
        return "closed" if c.eof else "unchecked"

    def _probe(self, c: _Conn, deadline: float) -> str:
        """Prove the connection open with a probe request (CONN-PERSISTENT). The
        case's bytes end where the probe's response begins: for a connection within
        WIRE_CAP that is where the wire stands now; beyond it, where the probe's
        response starts in the stream (TCP keeps the order, so the rest of a large
        transfer still on its way comes before it)."""
        big = c.overflow > 0
        c.wire_end, c.overflow_end = len(c.buf), (None if big else c.overflow)
        if big:
            c.tail = bytearray()
        c.forward = False
        probe = f"GET /hs-probe HTTP/1.1\r\nHost: {self.hostport}\r\n\r\n".encode()
        c.out += probe
        c.probing = True
        until = min(deadline, time.monotonic() + self.close_wait)
        while True:
            reply = self.command(f"RECEIVE {PROBE_REF} {self._ms(until)}"
                                 f"{self._sent_field(until)}", deadline)
            if reply == "TIMEOUT":
                break
            parts = reply.split()
            if not reply.startswith("REQUEST") or len(parts) not in (4, 5):
                raise AdapterDesync(f"bad RECEIVE reply {_short(reply)}")
            self.command(f"CALL response id={PROBE_REF}", deadline)
            other = self._conn_of_peer(parts[4] if len(parts) == 5 else "")
            if other is None or other is c:
                c.probing = False
                if big:
                    self._probe_response_end(c, until)
                return "open"
            # a probe that an earlier connection's turn waited for in vain: that
            # connection is open after all, and this one's probe is still to come
            if other.probing and other.fate == "stalled":
                other.fate, other.probing = "open", False
            if time.monotonic() >= until:
                break
        self._drain()           # no answer in close_wait: every byte that came is the case's
        c.wire_end, c.overflow_end, c.tail = len(c.buf), c.overflow, None
        return "closed" if c.eof else "stalled"

    def _probe_response_end(self, c: _Conn, until: float) -> None:
        """Read until the stream ends with the probe's response head, and count the
        case's bytes as those before it; when it does not come (in close_wait), every
        byte is counted, and the connection's note says so."""
        while True:
            start = probe_response_start(c.tail)
            if start is not None:
                c.overflow_end = c.overflow - (len(c.tail) - start)
                break
            if not c.readable() or time.monotonic() >= until:
                c.overflow_end = c.overflow
                c.probe_note = ("the probe's response was not found at the end of the "
                                "stream; every byte is counted as the case's")
                break
            self._pump(until - time.monotonic())
        c.tail = None

    def _conn_of_peer(self, field: str) -> _Conn | None:
        """The connection whose client port a REQUEST reply's peer=PORT names."""
        if not field.startswith("peer="):
            return None
        try:
            port = int(field[5:])
        except ValueError:
            raise AdapterDesync(f"bad peer field {field!r}") from None
        for c in self.conns.values():
            for sock in (c.sock, c.down):
                try:
                    if sock is not None and sock.getsockname()[1] == port:
                        return c
                except OSError:
                    continue
        return None

    def _finish(self, out: Outcome) -> None:
        try:
            if self.alive:
                self._drain()
            self._finish_curl(out)
        except Exception as exc:  # never lose the outcome to cleanup trouble
            out.message = (out.message + f"; cleanup: {exc}").lstrip("; ")
        for name, c in self.conns.items():
            end = c.wire_end if c.wire_end is not None else len(c.buf)
            overflow = c.overflow_end if c.overflow_end is not None else c.overflow
            out.conns[name] = ConnResult(
                name=name, wire=bytes(c.buf[:end]), marks=list(c.marks),
                fate=c.fate, overflow=overflow, sent=bytes(c.sent), totals=list(c.totals),
                note="; ".join(n for n in ("reset by peer" if c.reset else "", c.probe_note)
                               if n))
            for s in (c.sock, c.down):
                if s is not None:
                    try:
                        s.close()
                    except OSError:
                        pass
        self.conns = {}


def open_response_call(case: Case, request: str) -> Call | None:
    """The case's last send on `request` when it has MORE_DATA and the case lets it
    succeed: the response should be open after the calls (CONN-MORE-DATA)."""
    sends = [c for c in case.calls if c.id == request and c.fn in ("response", "body")]
    if not sends or not sends[-1].more_data:
        return None
    rcs = sends[-1].expect.get("rc")
    return sends[-1] if not rcs or 0 in rcs or 997 in rcs else None


_RESPONSE_HEAD = re.compile(rb"HTTP/1\.[01] [0-9]{3} [^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n")


def probe_response_start(tail: bytes | bytearray) -> int | None:
    """Where the response head that ends `tail` starts: the last "HTTP/1.x NNN "
    from which the rest is exactly one head (status line, header lines, the empty
    line); None while the stream does not end so."""
    if not tail.endswith(b"\r\n\r\n"):
        return None
    pos = len(tail)
    while True:
        pos = tail.rfind(b"HTTP/1.", 0, pos)
        if pos < 0:
            return None
        if _RESPONSE_HEAD.fullmatch(tail, pos):
            return pos


def _final_sent(case: Case, out: Outcome, request: str) -> bool:
    for call in case.calls:
        res = out.call(call.index)
        if (res is not None and call.id == request and call.fn in ("response", "body")
                and res.rc in OK_RC and not call.more_data):
            return True
    return False


def _count(field_text: str, prefix: str) -> int | str:
    if not field_text.startswith(prefix):
        raise ValueError(field_text)
    v = field_text[len(prefix):]
    return v if v in ("unset", "pending") else int(v)


def _count_body(state: dict, data: bytes) -> None:
    """curl's body: only its length is kept (an endless body costs no memory)."""
    state["body_bytes"] += len(data)


def _short(text: str, n: int = 120) -> str:
    return repr(text if len(text) <= n else text[:n] + "...")


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
