"""The generator's own reading of the spec: what the calls it builds must do.

Written from spec/ alone, never from model/. Every generated case carries
these expectations, and the harness checks the reference model against each
case before judging any implementation, so a disagreement between this
reading and the model is an ERROR (a suite bug) instead of a silent pass.

Only the shapes the families build are covered: known headers among
Connection, Transfer-Encoding, Upgrade and Content-Length, memory chunks, no
unknown headers.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

TOKEN = b"Microsoft-HTTPAPI/2.0"
DATE = b"<date>"
DATE_LEN = len(b"Date: Wed, 25 Nov 2026 20:00:00 GMT\r\n")   # WIRE-DATE: 37 bytes

FLAG = {"DISCONNECT": 0x1, "MORE_DATA": 0x2, "BUFFER_DATA": 0x4, "ENABLE_NAGLING": 0x8,
        "PROCESS_RANGES": 0x20, "OPAQUE": 0x40, "GOAWAY": 0x100, "AUTOMATIC_CHUNKING": 0x200}
DOCUMENTED = ("DISCONNECT", "MORE_DATA", "BUFFER_DATA", "ENABLE_NAGLING", "PROCESS_RANGES", "OPAQUE")
UNKNOWN_MASK = 0xFFFFFE90             # CALL-FLAG-UNKNOWN: bits no SDK defines
D, MD, OPQ = FLAG["DISCONNECT"], FLAG["MORE_DATA"], FLAG["OPAQUE"]

# spec 1.4: the known response headers the families use, with their ids.
KNOWN_ID = {"Connection": 1, "Transfer-Encoding": 6, "Upgrade": 7, "Content-Length": 11}
SERVER_ID = 26

NO_ERROR, BAD_HANDLE, INVALID_PARAMETER, CONNECTION_INVALID, IO_PENDING = 0, 6, 87, 1229, 997

# Per-flag rules: what a documented flag is about when the call is accepted.
FLAG_RULES = {"BUFFER_DATA": "FLAG-BUFFER-DATA", "ENABLE_NAGLING": "FLAG-ENABLE-NAGLING",
              "PROCESS_RANGES": "FLAG-PROCESS-RANGES", "DISCONNECT": "CONN-DISCONNECT",
              "MORE_DATA": "CONN-MORE-DATA", "OPAQUE": "CONN-OPAQUE"}


def flag_names(flags: int) -> list[str]:
    return [n for n, v in FLAG.items() if flags & v]


@dataclass
class Request:
    """One HTTP request and the exchange state the spec gives it."""
    name: str = "r1"
    method: str = "GET"
    version: str = "1.1"
    connection: str | None = None        # the request's Connection header
    body: bytes = b""
    upgrade: bool = False                 # a WebSocket upgrade (CONN-OPAQUE-REQUEST)
    path: str = "/gen"
    state: str = "received"               # received, streaming, opaque, done, gone
    close_after: bool | str = False       # "any": closing is the reference's, staying open conforms
    fate_any: bool = False                # an earlier call's allowed variants leave the fate open

    def raw(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/{self.version}", "Host: {host}"]
        if self.upgrade:
            lines += ["Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]
        elif self.connection:
            lines.append(f"Connection: {self.connection}")
        if self.body:
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body

    @property
    def http10(self) -> bool:
        return self.version == "1.0"

    @property
    def asks_close(self) -> bool:
        return (self.connection or "").lower() == "close"


@dataclass
class Result:
    """What one call must do: the codes that conform (the reference's first),
    the bytes it puts on the wire (alternatives an IMPL rule allows), the
    rules that decide it."""
    rc: list
    wires: list[bytes] = field(default_factory=lambda: [b""])
    rules: list[str] = field(default_factory=list)
    bytes_sent: object = None             # None: not judged (a failed call)
    undefined: bool = False               # an UNDEF rule decides: only the return is judged

    @property
    def ok(self) -> bool:
        return self.rc[0] in (NO_ERROR, IO_PENDING)


@dataclass
class Fault:
    """A fault the call carries in its response, chunks, cache policy or log
    data (spec 2.3 to 2.5): the rule that refuses it and the codes it allows;
    may_ignore when the rule also lets the call go on as if it were absent."""
    rule: str
    rc: list
    may_ignore: bool = False
    undefined: bool = False               # an UNDEF rule: only the return is judged


def _rejected(rule: str, rc=INVALID_PARAMETER, also=()) -> Result:
    return Result(rc=[rc, *also], rules=[rule])


def _common(fn: str, flags: int, handle_ok: bool, id_null: bool,
            reserved1: bool, reserved2: int) -> Result | None:
    """spec 2.2, the checks both functions make first, in order."""
    if not handle_ok:
        return _rejected("CALL-HANDLE-INVALID", BAD_HANDLE, ("error",))
    if id_null:
        if fn == "response":
            return _rejected("SEND-ID-NULL", CONNECTION_INVALID, (INVALID_PARAMETER,))
        return _rejected("BODY-ID-NULL", CONNECTION_INVALID)
    if reserved1 or reserved2:
        return None                       # decided by the caller: IMPL, refused or ignored
    if flags & UNKNOWN_MASK:
        return None                       # decided by the caller: IMPL, two outcomes
    if flags & D and flags & MD:
        r = _rejected("CALL-FLAG-DISCONNECT-MORE-DATA")
        r.undefined = True
        return r
    return None


def _head(x: Request, status: int, reason: bytes, known: dict[str, bytes],
          close_line: bool, length: int | None) -> bytes:
    """WIRE-STATUS-LINE, WIRE-KNOWN-HEADER (id order, Server at 26), WIRE-DATE,
    then the generated Connection and Content-Length lines."""
    out = [b"HTTP/1.1 %d " % status + reason]
    for name in sorted(known, key=KNOWN_ID.__getitem__):
        if known[name]:
            out.append(name.encode() + b": " + known[name])
    out.append(b"Server: " + TOKEN)
    out.append(b"Date: " + DATE)
    if close_line:
        out.append(b"Connection: close")
    if length is not None:
        out.append(b"Content-Length: %d" % length)
    return b"\r\n".join(out) + b"\r\n\r\n"


def wire_len(wire: bytes) -> int:
    """The length on the wire: <date> stands for a 29-byte IMF-fixdate."""
    return len(wire) + wire.count(b"Date: " + DATE) * (DATE_LEN - len(b"Date: \r\n") - len(DATE))


def send_response(x: Request, flags: int = 0, status: int = 200, reason: bytes = b"OK",
                  known: dict[str, bytes] | None = None, body: bytes = b"", *,
                  handle_ok: bool = True, id_null: bool = False, reserved1: bool = False,
                  reserved2: int = 0, bytes_sent: bool = True, overlapped: bool = False,
                  response_null: bool = False, fault: Fault | None = None) -> Result:
    """HttpSendHttpResponse on request x; updates x's state when accepted."""
    known = dict(known or {})
    r = _common("response", flags, handle_ok, id_null, reserved1, reserved2)
    if r is not None:
        return r
    if reserved1 or reserved2:
        return _faulty(x, _reserved_fault(reserved1), lambda: send_response(
            x, flags, status, reason, known, body, bytes_sent=bytes_sent, overlapped=overlapped,
            response_null=response_null, fault=fault))
    if response_null and not flags & UNKNOWN_MASK:
        return _rejected("SEND-RESPONSE-NULL", "error")
    if flags & UNKNOWN_MASK:
        return _unknown_bits("response", x, flags, lambda f: send_response(
            x, f, status, reason, known, body, bytes_sent=bytes_sent, overlapped=overlapped))
    if flags & OPQ and status != 101:
        return _rejected("SEND-FLAG-OPAQUE-101")
    if not 100 <= status <= 999:
        r = _rejected("SEND-STATUS-RANGE")
        r.undefined = True
        return r
    if fault is not None:
        return _faulty(x, fault, lambda: send_response(
            x, flags, status, reason, known, body, bytes_sent=bytes_sent, overlapped=overlapped))
    if x.state == "unknown":
        return _rejected("CALL-ID-UNKNOWN", CONNECTION_INVALID)
    if x.state == "gone":
        return _gone()
    if x.state == "done":
        return _rejected("CALL-ID-FINISHED", CONNECTION_INVALID, ("error",))
    if x.state in ("streaming", "opaque"):
        return _rejected("SEND-AFTER-HEAD", "error")
    return _accepted_response(x, flags, status, reason, known, body, bytes_sent, overlapped)


def _accepted_response(x, flags, status, reason, known, body, bytes_sent, overlapped) -> Result:
    rules = ["CALL-OK"]
    rules += [FLAG_RULES[n] for n in flag_names(flags) if n in FLAG_RULES]
    app_cl, app_te = bool(known.get("Content-Length")), bool(known.get("Transfer-Encoding"))
    more = bool(flags & MD)
    interim_or_304 = status < 200 or status == 304
    no_auto = more or app_cl or app_te or x.method == "HEAD" or interim_or_304 or status == 204
    lengths = [None] if no_auto else [len(body)]
    if not no_auto and not body:
        lengths.append(None)              # WIRE-CL-AUTO: no line for an empty response conforms too
    if more and not (app_cl or app_te):
        rules.append("WIRE-CL-NONE-MORE-DATA")
    elif app_cl:
        rules.append("WIRE-CL-APP")
    elif app_te:
        rules.append("WIRE-CL-NONE-TE")
    elif x.method == "HEAD":
        rules.append("WIRE-CL-NONE-HEAD")
    elif status == 204:
        rules.append("WIRE-CL-NONE-NO-CONTENT")
    elif interim_or_304:
        rules.append("WIRE-CL-NONE-1XX-304")
        lengths.append(len(body))         # IMPL: an automatic Content-Length conforms too
    else:
        rules.append("WIRE-CL-AUTO")
    if body and (x.method == "HEAD" or interim_or_304 or status == 204):
        rules.append("WIRE-BODY-NOT-SUPPRESSED")
    if body:
        rules.append("WIRE-BODY")
    app_conn = known.get("Connection")
    closes = x.http10 or x.asks_close or bool(flags & (D | OPQ)) or (app_conn or b"").lower() == b"close"
    close_lines = [False]
    if not app_conn and x.http10:
        close_lines = [True]
        rules += ["WIRE-CONNECTION-CLOSE", "CONN-HTTP10-CLOSE"]
    elif not app_conn and (x.asks_close or flags & D):
        close_lines = [True, False]       # IMPL: the generated line may be absent
        rules.append("WIRE-CONNECTION-CLOSE-OTHER")
    if x.asks_close and not x.http10:
        rules.append("CONN-REQUEST-CLOSE")
    if app_conn and app_conn.lower() == b"close":
        rules.append("CONN-APP-CLOSE")
    wires = [_head(x, status, reason, known, cl, ln) + body
             for cl, ln in itertools.product(close_lines, lengths)]
    # CONN-APP-CLOSE (IMPL) and CONN-OPAQUE's end without DISCONNECT: the close is the
    # reference's, staying open conforms too.
    x.close_after = closes if (x.http10 or x.asks_close or flags & D or not closes) else "any"
    x.state = ("opaque" if flags & OPQ else "streaming") if more else "done"
    if x.state == "done" and not closes:
        rules.append("CONN-PERSISTENT")
    return Result(rc=[IO_PENDING, NO_ERROR] if overlapped else [NO_ERROR], wires=wires,
                  rules=rules, bytes_sent=wire_len(wires[0]) if bytes_sent else "unset")


def _unknown_bits(fn: str, x: Request, flags: int, without) -> Result:
    """CALL-FLAG-UNKNOWN (IMPL): rejected with nothing sent (the reference), or
    the call goes on with the unknown bits ignored."""
    saved = (x.state, x.close_after)
    ignored = without(flags & ~UNKNOWN_MASK)
    x.state, x.close_after = saved        # the reference rejects: no state change
    r = Result(rc=[INVALID_PARAMETER] + [c for c in ignored.rc if c != INVALID_PARAMETER],
               wires=[b""] + [w for w in ignored.wires if w], rules=["CALL-FLAG-UNKNOWN"])
    r.undefined = ignored.undefined
    return r


def _reserved_fault(reserved1: bool) -> Fault:
    """CALL-RESERVED1 / CALL-RESERVED2 (IMPL): refused with nothing sent (the
    reference: ERROR_INVALID_PARAMETER), or the reserved value ignored."""
    return Fault("CALL-RESERVED1" if reserved1 else "CALL-RESERVED2", [INVALID_PARAMETER, "error"],
                 may_ignore=True)


def _gone() -> Result:
    """CALL-CONN-GONE (IMPL): any result; no byte can reach the client."""
    return Result(rc=[CONNECTION_INVALID, "error", NO_ERROR, IO_PENDING], rules=["CALL-CONN-GONE"])


def _faulty(x: Request, fault: Fault, without) -> Result:
    """The reference refuses the fault with nothing sent; where the rule
    allows it, the call may also go on as if the fault were absent."""
    if not fault.may_ignore:
        return Result(rc=list(fault.rc), rules=[fault.rule], undefined=fault.undefined)
    saved = (x.state, x.close_after)
    ignored = without()
    x.state, x.close_after = saved
    return Result(rc=list(fault.rc) + [c for c in ignored.rc if c not in fault.rc],
                  wires=[b""] + [w for w in ignored.wires if w], rules=[fault.rule])


def send_body(x: Request, flags: int = 0, body: bytes = b"", *, chunk_count: int | None = None,
              handle_ok: bool = True, id_null: bool = False, reserved1: bool = False,
              reserved2: int = 0, bytes_sent: bool = True, overlapped: bool = False,
              fault: Fault | None = None) -> Result:
    """HttpSendResponseEntityBody on request x; updates x's state when accepted."""
    r = _common("body", flags, handle_ok, id_null, reserved1, reserved2)
    if r is not None:
        return r
    if reserved1 or reserved2:
        return _faulty(x, _reserved_fault(reserved1), lambda: send_body(
            x, flags, body, bytes_sent=bytes_sent, overlapped=overlapped, fault=fault))
    if flags & UNKNOWN_MASK:
        return _unknown_bits("body", x, flags, lambda f: send_body(
            x, f, body, bytes_sent=bytes_sent, overlapped=overlapped))
    if fault is not None:
        return _faulty(x, fault, lambda: send_body(
            x, flags, body, bytes_sent=bytes_sent, overlapped=overlapped))
    if x.state == "unknown":
        return _rejected("CALL-ID-UNKNOWN", CONNECTION_INVALID, ("error",))
    if x.state == "gone":
        return _gone()
    if x.state == "done":
        return _rejected("CALL-ID-FINISHED", CONNECTION_INVALID, ("error",))
    if x.state == "received":
        return _rejected("BODY-BEFORE-HEAD", "error")
    if flags & OPQ and x.state != "opaque":
        return _rejected("BODY-FLAG-OPAQUE-101")
    rules = ["CALL-OK"] + [FLAG_RULES[n] for n in flag_names(flags) if n in FLAG_RULES]
    if body:
        rules.append("WIRE-BODY")
    rc = [IO_PENDING, NO_ERROR] if overlapped else [NO_ERROR]
    wires = [body]
    if flags & FLAG["ENABLE_NAGLING"]:
        # FLAG-ENABLE-NAGLING: "not supported" on the body function; refusing it conforms too
        rc, wires, x.fate_any = rc + ["error"], wires + [b""], True
    if not flags & MD:
        opaque = x.state == "opaque"
        x.state = "done"
        x.close_after = True if flags & D else ("any" if opaque and not x.close_after else x.close_after)
        if not x.close_after:
            rules.append("CONN-PERSISTENT")
    return Result(rc=rc, wires=wires, rules=rules, bytes_sent=len(body) if bytes_sent else "unset")


def fate(x: Request, undefined: bool = False) -> str:
    """The connection's fate at the end of a case (CONN-*)."""
    if undefined or x.fate_any:
        return "any"
    if x.state == "done" and x.close_after == "any":
        return "any"
    if x.state == "done" and x.close_after:
        return "closed"
    return "open"
