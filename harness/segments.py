"""The bytes of a case's outcome, call by call, and the case's wire patterns.

`parts` cuts a connection's bytes by the step whose call wrote them (a deferred
call owns what arrives until its completion is collected); `msgs` makes them
messages (harness.compare); `call_bytes` counts one call's bytes, those past
the bytes kept included. `pattern_checks` evaluates a case's wire_starts_with
and wire_lines against a connection's bytes.
"""

from __future__ import annotations

from typing import Any

from .cases import Case
from .compare import Message, messages, visible
from .outcome import OK_RC, Outcome


def _text(b: bytes | None) -> str:
    if b is None:
        return "(none)"
    return visible(b, 400, indent="").replace("\n", "")


def _owners(case: Case, out: Outcome, conn: str) -> dict[int, int]:
    """Step index -> the deferred call its bytes on `conn` belong to. A deferred call
    (overlapped = "defer") may write until its completion has been waited for, so
    bytes that arrive during a later step that sends nothing itself (a wait, cancel
    or resume step, a receive, a call that failed) are that call's."""
    owners: dict[int, int] = {}
    for call in case.calls:
        res = out.call(call.index)
        if not call.deferred or res is None or res.rc not in OK_RC or case.conn_of(call.id) != conn:
            continue
        for later in case.calls[call.index:]:
            lres = out.call(later.index)
            sends = (later.fn in ("response", "body") and lres is not None
                     and lres.rc in OK_RC)
            if not sends:
                owners.setdefault(later.index, call.index)
            if (later.fn == "wait" and later.op == call.op and lres is not None
                    and lres.pending is False):
                break
    return owners


def _merged(items: list[tuple[int, Any]], owners: dict[int, int], zero: Any) -> list[tuple[int, Any]]:
    """Segments (or counts) with their step replaced by their owner, neighbours of one
    owner joined."""
    out: list[tuple[int, Any]] = []
    for idx, data in items:
        idx = owners.get(idx, idx)
        if out and out[-1][0] == idx:
            out[-1] = (idx, out[-1][1] + data)
        else:
            out.append((idx, data if data is not None else zero))
    return out


def parts(case: Case, out: Outcome, conn: str) -> list[tuple[str, bytes, int]]:
    """(head / body / none, bytes, step) in wire order on `conn`."""
    r = out.conns.get(conn)
    if r is None:
        return []
    found = []
    for idx, data in _merged(r.segments(), _owners(case, out, conn), b""):
        kind = "none"
        call = case.calls[idx - 1] if 0 < idx <= len(case.calls) else None
        res = out.call(idx)
        if call is not None and res is not None and res.rc in OK_RC:
            kind = {"response": "head", "body": "body"}.get(call.fn, "none")
        found.append((kind, data, idx))
    return found


def msgs(case: Case, out: Outcome, conn: str) -> list[Message]:
    return messages(parts(case, out, conn))


def call_bytes(case: Case, out: Outcome, index: int) -> int:
    """Bytes the call put on the wire (all connections), counting those beyond the
    bytes kept."""
    total = 0
    for name, r in out.conns.items():
        for idx, n in _merged(r.counts(), _owners(case, out, name), 0):
            if idx == index:
                total += n
    return total


# ------------------------------------------------------------------ patterns

def has_line(wire: bytes, line: bytes) -> bool:
    """`line` is a whole CRLF-ended line of `wire`; b"" asks for an empty line
    after a line end (the end of a head)."""
    if not line:
        return b"\r\n\r\n" in wire
    return (b"\r\n" + line + b"\r\n") in (b"\r\n" + wire)


def line_end(wire: bytes, line: bytes, start: int = 0) -> int | None:
    """The end of the first whole CRLF-ended line `line` that starts at or after
    `start`, or None; b"" is an empty line after a line end (the end of a head)."""
    if not line:
        at = wire.find(b"\r\n\r\n", max(0, start - 2))
        return None if at < 0 else at + 4
    want = line + b"\r\n"
    at = wire.find(want, start)
    while at >= 0:
        if at == 0 or wire[at - 2:at] == b"\r\n":
            return at + len(want)
        at = wire.find(want, at + 1)
    return None


def pattern_conns(case: Case) -> list[str]:
    """Connections whose wire the case judges by wire_starts_with / wire_lines."""
    names = list(case.expect.get("wire_starts_with") or {}) + list(case.expect.get("wire_lines")
                                                                    or {})
    return list(dict.fromkeys(names))


def pattern_checks(case: Case, conn: str, wire: bytes) -> list[tuple[str, bytes | None, bool]]:
    """(what, the line or prefix, held) for each wire_starts_with / wire_lines check;
    what is "prefix", "line" or "order"."""
    found: list[tuple[str, bytes | None, bool]] = []
    prefix = (case.expect.get("wire_starts_with") or {}).get(conn)
    if prefix is not None:
        found.append(("prefix", prefix, wire.startswith(prefix)))
    lines = (case.expect.get("wire_lines") or {}).get(conn) or []
    for line in lines:
        found.append(("line", line, has_line(wire, line)))
    if case.expect.get("wire_lines_ordered") and all(ok for _, _, ok in found):
        at: int | None = 0
        for line in lines:
            at = line_end(wire, line, at)
            if at is None:
                break
        found.append(("order", None, at is not None))
    return found


def patterns_text(case: Case, conn: str) -> str:
    shown = []
    prefix = (case.expect.get("wire_starts_with") or {}).get(conn)
    if prefix is not None:
        shown.append(f"starts with {_text(prefix)}")
    lines = (case.expect.get("wire_lines") or {}).get(conn)
    if lines:
        shown.append("has the lines " + ", ".join(_text(x) for x in lines)
                     + (" in this order" if case.expect.get("wire_lines_ordered") else ""))
    return "; ".join(shown)


