"""A connection's fate after a case (closed, open, stalled...) and the probe
request that proves a connection open: the part of harness.engine.Session that
judges nothing but finds out what the server did with the connection.

"closed" when the server closed after the response (the harness waits
CLOSE_GRACE for the end of stream, then sends a probe request: "not-closed" as
soon as the server serves it, or when neither the end of stream nor the probe
came within `close_wait`); "open" is proven with a probe request on the same
connection (RECEIVE hsprobe, then a plain CALL), which the server must deliver
(CONN-PERSISTENT), "stalled" when it is not delivered. A connection whose
request has no final send yet is "open" when no end of stream arrived. The
case's bytes end where the probe's response begins.
"""

from __future__ import annotations

import re
import time

from .adapter import AdapterDesync, AdapterDied
from .cases import Call, Case
from .outcome import OK_RC, Outcome, short as _short
from .transport import _Conn

PROBE_REF = "hsprobe"
CLOSE_GRACE = 0.05          # s for an end of stream due after a response, before a probe


class Fates:
    """Connection fates and probes; a mixin of harness.engine.Session."""

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
