"""Normalising and comparing the bytes of responses.

A connection's bytes are cut into *messages* following the calls that sent
them: a successful HttpSendHttpResponse starts a message (status line, header
lines, body), a successful HttpSendResponseEntityBody appends to the body of
the last one, and bytes that arrive when no call should have sent any form a
*stray* message. Messages are then compared field by field, which gives the
mismatch classes:

    status-line   the status line differs, or a response is missing or extra
    headers       the header lines differ (as a multiset unless strict order)
    body          the entity bytes differ, or stray bytes appeared
    (return-code, bytes-sent and connection are decided in harness.judge)

Normalisations, each reported when it fired:

    date          a line exactly `Date: ` plus an IMF-fixdate within +-5 min of
                  now (29 bytes) becomes `Date: <date>`; any other Date line
                  (a tab, two spaces, trailing blanks, another format) is
                  left as it is and so differs (WIRE-DATE)
    server-token  in a line exactly `Server: <token>` or `Server: V <token>`,
                  the implementation's product token becomes <server-token>
                  (token "*": any RFC 9110 product as the last word); blanks
                  around the value are not forgiven (WIRE-SERVER)
    header-order  the header lines matched as a multiset in another order
"""

from __future__ import annotations

import calendar
import re
import time
from collections import Counter
from dataclasses import dataclass, field

DATE_PLACEHOLDER = b"<date>"
TOKEN_PLACEHOLDER = b"<server-token>"
DATE_WINDOW = 300  # seconds either side of now
IMF_RE = re.compile(rb"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d\d) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
                    rb"Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d) GMT$")
MONTHS = [b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct",
          b"Nov", b"Dec"]
DAYS = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"]


def imf_fixdate_ok(value: bytes, now: float | None = None, window: int = DATE_WINDOW) -> bool:
    """True when value is an IMF-fixdate (RFC 9110 5.6.7) within `window` s of now."""
    m = IMF_RE.match(value)
    if not m:
        return False
    day, mon, year, hh, mm, ss = (int(m.group(2)), MONTHS.index(m.group(3)) + 1,
                                  int(m.group(4)), int(m.group(5)), int(m.group(6)),
                                  int(m.group(7)))
    try:
        t = calendar.timegm((year, mon, day, hh, mm, ss, 0, 0, 0))
        if time.gmtime(t)[:6] != (year, mon, day, hh, mm, ss):
            return False
    except (ValueError, OverflowError):
        return False
    if DAYS[time.gmtime(t).tm_wday] != m.group(1):
        return False
    now = time.time() if now is None else now
    return abs(t - now) <= window


# ------------------------------------------------------------------ display

REPEAT_MIN = 32      # a run of one byte at least this long is shown as 'L' × N


def visible(data: bytes, limit: int = 4000, indent: str = "    ") -> str:
    """Bytes as text with CR and LF made visible: one text line per wire line,
    CRLF shown as the two symbols '␍␊', other controls and bytes >= 0x7F as \\xNN,
    a run of REPEAT_MIN or more equal bytes as 'L' × N (the limit counts the
    bytes shown, so a long run costs a few characters)."""
    out: list[str] = []
    line: list[str] = []
    i = 0
    shown_bytes = 0
    while i < len(data) and shown_bytes < limit:
        b = data[i]
        run = _run_length(data, i)
        if run >= REPEAT_MIN:
            line.append(f"{_glyph(b)!r} × {run}")
            i += run
            continue
        shown_bytes += 1
        if b == 0x0D and i + 1 < len(data) and data[i + 1] == 0x0A:
            line.append("␍␊")
            out.append("".join(line))
            line = []
            i += 2
            continue
        if b == 0x0D:
            line.append("␍")
        elif b == 0x0A:
            line.append("␊")
            out.append("".join(line))
            line = []
        elif b == 0x09:
            line.append("\\t")
        elif b == 0x5C:
            line.append("\\\\")
        elif 0x20 <= b < 0x7F:
            line.append(chr(b))
        else:
            line.append(f"\\x{b:02x}")
        i += 1
    if line:
        out.append("".join(line))
    if i < len(data):
        out.append(f"... ({len(data) - i} more bytes)")
    if not data:
        out.append("(nothing)")
    return "\n".join(indent + s for s in out)


def _run_length(data: bytes, i: int) -> int:
    """How many bytes equal to data[i] start at i (counted up to the whole run)."""
    b = data[i:i + 1]
    if data[i:i + REPEAT_MIN] != b * REPEAT_MIN:
        return 1
    j = i + REPEAT_MIN
    step = 4096
    while data[j:j + step] == b * len(data[j:j + step]) and j < len(data):
        j += len(data[j:j + step])
    while j < len(data) and data[j:j + 1] == b:
        j += 1
    return j - i


def _glyph(b: int) -> str:
    return {0x0D: "␍", 0x0A: "␊", 0x09: "\\t"}.get(b, chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}")


def show_byte(data: bytes, offset: int) -> str:
    if offset >= len(data):
        return "end of data"
    b = data[offset]
    glyph = {0x0D: "␍", 0x0A: "␊", 0x09: "\\t"}.get(b, chr(b) if 0x20 <= b < 0x7F else "·")
    return f"'{glyph}' (0x{b:02x})"


def first_difference(a: bytes, b: bytes) -> int | None:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return None if len(a) == len(b) else n


# ------------------------------------------------------------------ messages

@dataclass
class Message:
    status: bytes | None            # status line without CRLF; None: stray bytes
    headers: list[bytes] = field(default_factory=list)
    body: bytes = b""
    head_complete: bool = True
    call: int | None = None         # the step whose call wrote the head (None: unknown)
    last: int | None = None         # the last step that added bytes to it

    def render(self, headers: list[bytes] | None = None, body: bool = True) -> bytes:
        if self.status is None:
            return self.body if body else b""
        hs = self.headers if headers is None else headers
        head = self.status + b"\r\n" + b"".join(h + b"\r\n" for h in hs)
        if self.head_complete:
            head += b"\r\n"
        return head + self.body if body else head


def parse_head(part: bytes) -> Message:
    end = part.find(b"\r\n\r\n")
    if end < 0:
        lines = part.split(b"\r\n")
        return Message(status=lines[0], headers=[x for x in lines[1:] if x], body=b"",
                       head_complete=False)
    lines = part[:end].split(b"\r\n")
    return Message(status=lines[0], headers=lines[1:], body=part[end + 4:])


def messages(parts: list[tuple]) -> list[Message]:
    """parts: (kind, bytes) or (kind, bytes, step) in wire order; kind is head /
    body / none; step, the call that wrote them, is kept on each head."""
    out: list[Message] = []
    for part in parts:
        kind, data = part[0], part[1]
        step = part[2] if len(part) > 2 else None
        if kind == "head":
            if data:
                out.append(parse_head(data))
                out[-1].call = step
        elif kind == "body":
            if not data:
                continue
            if out:
                out[-1].body += data
            else:
                out.append(Message(status=None, body=data, call=step))
        elif data:
            if out and out[-1].status is None:
                out[-1].body += data
            else:
                out.append(Message(status=None, body=data, call=step))
        if data and out:
            out[-1].last = step
    return out


def split_like(wire: bytes, like: list[Message]) -> list[Message]:
    """Cut written bytes (no call marks) into messages shaped like `like`."""
    out: list[Message] = []
    pos = 0
    for m in like:
        if pos >= len(wire):
            break
        if m.status is None:
            out.append(Message(status=None, body=wire[pos:pos + len(m.body)]))
            pos += len(m.body)
            continue
        end = wire.find(b"\r\n\r\n", pos)
        if end < 0:
            out.append(parse_head(wire[pos:]))
            pos = len(wire)
            break
        msg = parse_head(wire[pos:end + 4])
        msg.body = wire[end + 4:end + 4 + len(m.body)]
        pos = end + 4 + len(msg.body)
        out.append(msg)
    if pos < len(wire):
        rest = wire[pos:]
        if out:
            out[-1].body += rest
        else:
            out.append(parse_head(rest) if rest.startswith(b"HTTP/") else
                       Message(status=None, body=rest))
    return out


@dataclass
class Norm:
    """How to normalise one side."""
    token: str | None = "Microsoft-HTTPAPI/2.0"   # None: leave Server alone; "*": any token
    now: float | None = None


def normalise(msgs: list[Message], norm: Norm, fired: set[str] | None = None,
              notes: list[str] | None = None,
              keep: list[Message] | None = None) -> list[Message]:
    """Replace valid Date values and the Server token by placeholders.

    `keep`: the expected messages (already normalised); with the "*" token a
    Server line that one of them holds verbatim (an application's unknown
    Server header, say) is not taken for the token line.
    """
    out = []
    for i, m in enumerate(msgs):
        if m.status is None:
            out.append(m)
            continue
        hs = []
        protect = Counter(keep[i].headers) if keep and i < len(keep) else Counter()
        dated = False
        date_notes = []
        for h in m.headers:
            name, sep, value = h.partition(b":")
            if len(name) not in (4, 6):      # neither Date nor Server: kept as it is
                hs.append(h)
                continue
            lname = name.lower()
            # WIRE-DATE and WIRE-SERVER fix the line: one space after the colon,
            # nothing after the value
            v = value[1:] if value.startswith(b" ") else None
            if protect[h] > 0:
                protect[h] -= 1
                hs.append(h)
                continue
            if sep and lname == b"date":
                if v == DATE_PLACEHOLDER:
                    dated = True
                elif v is not None and len(v) == 29 and imf_fixdate_ok(v, norm.now):
                    h = name + b": " + DATE_PLACEHOLDER
                    dated = True
                    if fired is not None:
                        fired.add("date")
                else:
                    date_notes.append(f"the Date line {h.decode('latin-1')!r} is not `Date: ` "
                                      "and an IMF-fixdate within ±5 min of now")
            elif sep and lname == b"server" and norm.token and v is not None:
                nv = _server_value(v, norm.token)
                if nv is not None:
                    h = name + b": " + nv
                    if fired is not None:
                        fired.add("server-token")
            hs.append(h)
        if notes is not None and not dated:
            notes.extend(date_notes)
        out.append(Message(status=m.status, headers=hs, body=m.body,
                           head_complete=m.head_complete, call=m.call, last=m.last))
    return out


# RFC 9110 §10.2.4: product = token [ "/" product-version ]
PRODUCT_RE = re.compile(rb"^[!#$%&'*+.^_`|~0-9A-Za-z-]+(/[!#$%&'*+.^_`|~0-9A-Za-z-]+)?$")


def _server_value(v: bytes, token: str) -> bytes | None:
    """The Server value with the implementation's token replaced, or None when
    the value does not end in it as WIRE-SERVER says (one space before it)."""
    if token == "*":
        head, sep, last = v.rpartition(b" ")
        if not PRODUCT_RE.match(last) or (sep and (not head or head.endswith((b" ", b"\t")))):
            return None
        return (head + b" " if sep else b"") + TOKEN_PLACEHOLDER
    t = token.encode("latin-1")
    if v == t:
        return TOKEN_PLACEHOLDER
    if v.endswith(b" " + t):
        return v[:-len(t)] + TOKEN_PLACEHOLDER
    return None


# ------------------------------------------------------------------ comparing

@dataclass
class Diff:
    cls: str          # status-line / headers / body
    text: str


@dataclass
class Comparison:
    diffs: list[Diff]
    fired: set[str]
    expected: bytes       # normalised, for display
    actual: bytes         # normalised, actual headers aligned to the expected order
    offset: int | None    # first differing byte of those two

    @property
    def ok(self) -> bool:
        return not self.diffs


def _align(expected: list[bytes], actual: list[bytes]) -> list[bytes]:
    """Actual header lines, those also expected first, in the expected order."""
    pool = Counter(actual)
    first = []
    for h in expected:
        if pool[h] > 0:
            first.append(h)
            pool[h] -= 1
    rest = []
    for h in actual:
        if pool[h] > 0:
            rest.append(h)
            pool[h] -= 1
    return first + rest


def compare_messages(exp: list[Message], act: list[Message], order: str = "any",
                     where: str = "") -> Comparison:
    diffs: list[Diff] = []
    fired: set[str] = set()
    exp_bytes = b""
    act_bytes = b""
    for i in range(max(len(exp), len(act))):
        e = exp[i] if i < len(exp) else None
        a = act[i] if i < len(act) else None
        label = f"response {i + 1}{where}"
        if e is None:
            kind = "status-line" if a.status is not None else "body"
            what = f"an unexpected response {_txt(a.status)}" if a.status is not None \
                else f"{len(a.body)} unexpected bytes"
            diffs.append(Diff(kind, f"{label}: {what}"))
            act_bytes += a.render()
            continue
        if a is None:
            kind = "status-line" if e.status is not None else "body"
            what = f"the response {_txt(e.status)} is missing" if e.status is not None \
                else f"{len(e.body)} expected bytes are missing"
            diffs.append(Diff(kind, f"{label}: {what}"))
            exp_bytes += e.render()
            continue
        if (e.status is None) != (a.status is None):
            diffs.append(Diff("status-line", f"{label}: expected "
                              f"{'a response head' if e.status is not None else 'raw bytes'}, "
                              f"got {'a response head' if a.status is not None else 'raw bytes'}"))
            exp_bytes += e.render()
            act_bytes += a.render()
            continue
        aligned = a.headers
        if e.status is not None:
            if e.status != a.status:
                diffs.append(Diff("status-line", f"{label}: status line {_txt(a.status)}, "
                                                 f"expected {_txt(e.status)}"))
            if e.head_complete != a.head_complete:
                diffs.append(Diff("headers", f"{label}: the head "
                                  f"{'does not end' if e.head_complete else 'ends'} with an "
                                  "empty line"))
            if Counter(e.headers) != Counter(a.headers):
                missing = list((Counter(e.headers) - Counter(a.headers)).elements())
                extra = list((Counter(a.headers) - Counter(e.headers)).elements())
                text = [f"{label}: header lines differ"]
                text += [f"  missing:    {_txt(h)}" for h in missing]
                text += [f"  unexpected: {_txt(h)}" for h in extra]
                diffs.append(Diff("headers", "\n".join(text)))
            elif e.headers != a.headers:
                if order == "strict":
                    diffs.append(Diff("headers", f"{label}: the header lines are in another "
                                                 "order (strict order asked)"))
                else:
                    fired.add("header-order")
            if order != "strict":
                aligned = _align(e.headers, a.headers)
        if e.body != a.body:
            off = first_difference(e.body, a.body)
            diffs.append(Diff("body", f"{label}: entity bytes differ: expected {len(e.body)} "
                                      f"bytes, got {len(a.body)}; first difference at body "
                                      f"byte {off}"))
        exp_bytes += e.render()
        act_bytes += a.render(aligned)
    offset = first_difference(exp_bytes, act_bytes) if diffs else None
    return Comparison(diffs=diffs, fired=fired, expected=exp_bytes, actual=act_bytes,
                      offset=offset)


def _txt(b: bytes | None) -> str:
    if b is None:
        return "(none)"
    return visible(b, 200, indent="").replace("\n", "")
