"""Running one case against one adapter.

A `Session` owns one adapter process (started once, reused across cases with
RESET, restarted after a crash or a timeout) and plays the HTTP client: it
sends the control commands, and its two halves move the bytes
(harness.transport: raw sockets, the recording relay for libcurl, one select()
loop) and find out what became of each connection (harness.fate: closes,
probes). What a run gave is an Outcome (harness.outcome). There is no sleep on
the happy path: bytes a call sent are on the loopback socket when its RESULT
arrives; with a model outcome to compare against, the harness waits at most
`settle` seconds for bytes it still expects.

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
large send stays pending.
"""

from __future__ import annotations

import itertools
import os
import socket
import time
from typing import Any, Iterable

from .adapter import (PROTOCOL_VERSION, AdapterDesync, AdapterDied, AdapterError,
                      AdapterFailure, AdapterTimeout, Control)
from .cases import Case, Call, Request
from .fate import Fates
from .outcome import OK_RC, CallResult, ConnResult, Outcome, short as _short
from .transport import PAUSED_RCVBUF, Transport, _Conn, _connect

START_TRIES = 3             # failed adapter starts in a row before a run stops trying
REPLY_MAX = 1 << 16         # bytes of a reply line (a BODY reply: twice max-bytes more)
STREAM_LINE = 1 << 20       # a CALL line that may be longer is written in pieces


class ReceiveFailed(AdapterFailure):
    """RECEIVE answered TIMEOUT: the request did not reach the adapter's application."""


class Session(Transport, Fates):
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
        self.spare: Control | None = None       # the next adapter, started ahead (start)
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
        self.control = self._spare_or_new()
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
        if self.starts > 1:
            self._start_spare()

    # An implementation that had to be restarted once (it crashed or hung) may well
    # do it again: from then on the next adapter process is started ahead, while
    # this one runs, and waits on its control channel, so that a restart costs the
    # HELLO and LISTEN round trips only, not the process's start (under Wine about
    # 90 ms of the 110). It gets no command before it takes over: an adapter
    # registers its URL only on LISTEN, so a spare never sees a request.
    def _start_spare(self) -> None:
        if self.spare is not None or self.command_line.startswith("tcp:"):
            return
        spare = Control(self.command_line, self.log_path)
        try:
            spare.start()
        except (AdapterFailure, OSError):
            spare.kill()
            return                          # the next start tries again, and reports
        self.spare = spare

    def _spare_or_new(self) -> Control:
        spare, self.spare = self.spare, None
        if spare is not None and spare.proc is not None and spare.proc.poll() is None:
            return spare
        if spare is not None:
            spare.kill()                    # it died waiting: start afresh
        return Control(self.command_line, self.log_path)

    def _drop_spare(self) -> None:
        if self.spare is not None:
            self.spare.kill()
            self.spare = None

    def _start(self) -> None:
        if not self.control.started:
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
        self._drop_spare()
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

    # ------------------------------------------------------------ control
    def command(self, line: str, deadline: float, limit: int = REPLY_MAX,
                pieces: Iterable[str] | None = None) -> str:
        """Send one command and return its reply line (raise AdapterFailure); a reply
        longer than `limit` bytes, or a line that came before the command, is
        AdapterDesync. With `pieces`, those are written one after the other as the
        command (a line of many MiB is never whole in memory), and `line` is its
        beginning, for the transcript."""
        if self.control is None or self.control.eof:
            raise AdapterDied("the adapter is not running")
        if self.ctl_buf:
            raise AdapterDesync(f"unexpected line from the adapter before {line.split()[0]}: "
                                f"{_short(bytes(self.ctl_buf).decode('latin-1'))}")
        if self.transcript is not None:
            self.transcript.append("> " + (line if len(line) <= 400 else line[:400] + "..."))
        self.awaiting = line
        self.setup = ""
        if pieces is None:
            self.control.write(line.encode("latin-1") + b"\n", deadline)
        else:
            for piece in pieces:
                self.control.write(piece.encode("latin-1"), deadline)
            self.control.write(b"\n", deadline)
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
                    self.op_start[call.op] = (req.conn, c.arrived()[1] if c else 0)
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
        if call.line_size() <= STREAM_LINE:
            reply = self.command(call.command(), deadline)
        else:                           # many MiB of hex: written as it is made
            pieces = call.pieces()
            head = next(pieces)
            reply = self.command(head, deadline, pieces=itertools.chain([head], pieces))
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
        reply = self.command(f"WAIT {op} {ms}{self._stalled_field()}", deadline)
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
            mark, total = c.arrived()
            c.marks.append((call.index, mark))
            c.totals.append((call.index, total))

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

    def _stalled_field(self) -> str:
        """WAIT's ` stalled=PORT:BYTES,...` (capability stalled): the connections whose
        reading is paused, each with its receive buffer as the kernel sizes it. The
        client reads nothing of them until the next command, so an adapter that knows
        more is left to send than the buffers hold can answer TIMEOUT at once."""
        if "stalled" not in self.caps:
            return ""
        fields = []
        for c in self.conns.values():
            if c.paused and c.sock is not None and not c.eof:
                try:
                    port = c.sock.getsockname()[1]
                    rcvbuf = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
                except OSError:
                    continue
                fields.append(f"{port}:{rcvbuf}")
        return " stalled=" + ",".join(fields) if fields else ""

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


def _count(field_text: str, prefix: str) -> int | str:
    if not field_text.startswith(prefix):
        raise ValueError(field_text)
    v = field_text[len(prefix):]
    return v if v in ("unset", "pending") else int(v)
