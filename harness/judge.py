"""Verdicts: the model against the case, the implementation against the model.

For every case the harness has two outcomes: the model's (the reference
adapter run as the oracle) and the implementation's. `judge` checks

(a) that the model agrees with what the case writes (return codes, byte
    counts, wire bytes, connection fate): a disagreement is a bug in the
    suite (or in the model) and gives ERROR;
(b) that the implementation agrees with the model, allowing the return codes
    the case lists, the byte counts CONN-BYTES-SENT-HEAD allows, the written
    wire alternatives, and the normalisations of harness.compare.

Then the implementation's expectations file may turn FAIL / CRASH / TIMEOUT
into XFAIL, and a PASS it expected to fail into XPASS.
"""

from __future__ import annotations

import re
import textwrap
import time
from dataclasses import dataclass, field
from typing import Any

from .cases import SPEC_DIR, Case
from .compare import (Comparison, Message, Norm, compare_messages, messages, normalise,
                      show_byte, split_like, visible)
from .engine import OK_RC, Outcome

VERDICTS = ("PASS", "FAIL", "CRASH", "TIMEOUT", "SKIP", "XFAIL", "XPASS", "ERROR")
BAD = ("FAIL", "CRASH", "TIMEOUT", "XPASS", "ERROR")        # make the run fail
MISMATCH_CLASSES = ("return-code", "bytes-sent", "status-line", "headers", "body", "connection")
ERROR_NAMES = {0: "NO_ERROR", 3: "ERROR_PATH_NOT_FOUND", 6: "ERROR_INVALID_HANDLE",
               8: "ERROR_NOT_ENOUGH_MEMORY", 14: "ERROR_OUTOFMEMORY", 22: "ERROR_BAD_COMMAND",
               38: "ERROR_HANDLE_EOF", 50: "ERROR_NOT_SUPPORTED", 64: "ERROR_NETNAME_DELETED",
               87: "ERROR_INVALID_PARAMETER", 120: "ERROR_CALL_NOT_IMPLEMENTED",
               995: "ERROR_OPERATION_ABORTED", 997: "ERROR_IO_PENDING",
               1229: "ERROR_CONNECTION_INVALID"}


def rc_name(rc: Any) -> str:
    if rc == "error":
        return "any error code"
    return f"{rc} ({ERROR_NAMES[rc]})" if rc in ERROR_NAMES else str(rc)


def rc_allowed(rc: Any, allowed: list) -> bool:
    """rc is listed, or the list has "error" (any code but NO_ERROR and ERROR_IO_PENDING)."""
    return rc in allowed or ("error" in allowed and isinstance(rc, int) and rc not in OK_RC)


@dataclass
class Result:
    case: Case
    verdict: str
    mismatches: list[str] = field(default_factory=list)
    normalisations: list[str] = field(default_factory=list)
    summary: str = ""                   # one line
    details: str = ""                   # the h2spec-style report
    expectation: dict | None = None
    impl: Outcome | None = None
    model: Outcome | None = None
    duration: float = 0.0

    def to_dict(self, full: bool | None = None) -> dict:
        """The per-case record of results.json (see harness/README.md)."""
        c = self.case
        o = self.impl
        full = self.verdict not in ("PASS", "SKIP", "XFAIL") if full is None else full
        d: dict[str, Any] = {
            "id": c.id, "title": c.title, "file": c.file, "area": c.area, "level": c.level,
            "rules": list(c.rules), "rule_classes": sorted(set(c.rule_classes.values())),
            "verdict": self.verdict, "mismatches": list(self.mismatches),
            "normalisations": list(self.normalisations), "summary": self.summary,
            "expected": self.expectation,
            "calls": [r.to_dict() for r in o.calls] if o else [],
            "connections": {n: r.fate for n, r in o.conns.items()} if o else {},
            "curl": dict(o.curl) if o else {},
            "duration_s": round(self.duration, 6),
        }
        if full:
            d["details"] = self.details
            d["transcript"] = list(o.transcript) if o else []
            d["wire"] = {n: r.wire.decode("latin-1") for n, r in o.conns.items()} if o else {}
            d["adapter_log"] = o.log if o else ""
        return d


@dataclass
class Context:
    rules: dict                                  # spec rules by id
    impl_token: str | None = "Microsoft-HTTPAPI/2.0"
    model_token: str | None = "Microsoft-HTTPAPI/2.0"
    impl_label: str = "implementation"


# ------------------------------------------------------------------ helpers

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


def _segments(case: Case, out: Outcome, conn: str) -> list[tuple[int, bytes]]:
    r = out.conns.get(conn)
    return _merged(r.segments(), _owners(case, out, conn), b"") if r is not None else []


def _parts(case: Case, out: Outcome, conn: str) -> list[tuple[str, bytes]]:
    r = out.conns.get(conn)
    if r is None:
        return []
    parts = []
    for idx, data in _segments(case, out, conn):
        kind = "none"
        call = case.calls[idx - 1] if 0 < idx <= len(case.calls) else None
        res = out.call(idx)
        if call is not None and res is not None and res.rc in OK_RC:
            kind = {"response": "head", "body": "body"}.get(call.fn, "none")
        parts.append((kind, data))
    return parts


def _msgs(case: Case, out: Outcome, conn: str) -> list[Message]:
    return messages(_parts(case, out, conn))


def _call_segment(case: Case, out: Outcome, index: int) -> int:
    """Bytes the call put on the wire (all connections), counting those beyond the
    bytes kept."""
    total = 0
    for name, r in out.conns.items():
        for idx, n in _merged(r.counts(), _owners(case, out, name), 0):
            if idx == index:
                total += n
    return total


def _delivery(delivered: bool | None) -> str:
    return {True: "delivered", False: "not delivered"}.get(delivered, "not received")


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


def pattern_problems(case: Case, conn: str, wire: bytes) -> list[tuple[str, str]]:
    """(mismatch class, text) for each wire_starts_with / wire_lines check `wire` fails."""
    found: list[tuple[str, str]] = []
    prefix = (case.expect.get("wire_starts_with") or {}).get(conn)
    if prefix is not None and not wire.startswith(prefix):
        found.append(("status-line", f"the wire does not start with {_text(prefix)}"))
    lines = (case.expect.get("wire_lines") or {}).get(conn) or []
    for line in lines:
        if not has_line(wire, line):
            found.append(("headers", f"no line {_text(line)}" if line else
                          "no empty line: the head is not ended"))
    if case.expect.get("wire_lines_ordered") and not found:
        at: int | None = 0
        for line in lines:
            at = line_end(wire, line, at)
            if at is None:
                found.append(("headers", "the lines are not in the order "
                                         + ", ".join(_text(x) for x in lines)))
                break
    return found


def _patterns_text(case: Case, conn: str) -> str:
    parts = []
    prefix = (case.expect.get("wire_starts_with") or {}).get(conn)
    if prefix is not None:
        parts.append(f"starts with {_text(prefix)}")
    lines = (case.expect.get("wire_lines") or {}).get(conn)
    if lines:
        parts.append("has the lines " + ", ".join(_text(x) for x in lines)
                     + (" in this order" if case.expect.get("wire_lines_ordered") else ""))
    return "; ".join(parts)


def _text(b: bytes) -> str:
    return repr(b.decode("latin-1"))


def _matches(value: Any, want: Any) -> bool:
    if want in ("any", "default"):
        return True
    if isinstance(want, list):
        return value in want
    return value == want


_REQUIREMENTS: dict[str, str] = {}
_SENTENCE_RE = re.compile(r"(?<=[.)])\s+(?=[A-Z`(])")


def requirement(rule) -> str:
    """The first sentence of the rule's prose that says MUST or SHOULD (h2spec's
    "Requirement"), read from the spec file; "" when there is none."""
    if rule.id in _REQUIREMENTS:
        return _REQUIREMENTS[rule.id]
    text = ""
    try:
        lines = (SPEC_DIR / rule.file).read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    prose: list[str] = []
    for line in lines[rule.line:]:
        if line.startswith("#"):
            break
        if line.startswith("- ") and not prose:
            continue                                    # the rule's fields
        prose.append(line.strip())
    sentences = [x.strip() for x in _SENTENCE_RE.split(" ".join(prose)) if x.strip()]
    for sentence in sentences:
        if re.search(r"\b(MUST|SHOULD)\b", sentence):
            text = sentence
            break
    else:
        text = sentences[0] if sentences else ""
    text = re.split(r"\s{2,}- ", text)[0]          # stop before a bullet list
    if len(text) > 240:
        text = text[:237] + "..."
    _REQUIREMENTS[rule.id] = text
    return text


def _rules_block(case: Case, rules: dict) -> str:
    lines = []
    for rid in case.rules:
        r = rules.get(rid)
        if r is None:
            lines.append(f"  -> {rid}")
            continue
        lines.append(f"  -> {rid} ({r.cls}): {r.title}")
        req = requirement(r)
        if req:
            lines.append(textwrap.fill(req.replace("`", ""), 96, initial_indent="       ",
                                       subsequent_indent="       ", break_on_hyphens=False,
                                       break_long_words=False))
    return "\n".join(lines)


def _wire_block(title_e: str, exp: bytes, title_a: str, act: bytes, offset: int | None) -> str:
    text = [f"  Expected ({title_e}):", visible(exp), f"  Actual ({title_a}):", visible(act)]
    if offset is not None:
        text.append(f"  First differing byte at offset {offset}: expected {show_byte(exp, offset)}, "
                    f"actual {show_byte(act, offset)}")
    return "\n".join(text)


# ------------------------------------------------------------------ (a) model vs case

def check_model(case: Case, model: Outcome, ctx: Context) -> list[str]:
    """Where the model disagrees with what the case writes (empty: agrees)."""
    problems: list[str] = []
    for call in case.calls:
        res = model.call(call.index)
        if res is None:
            problems.append(f"call {call.index} was not made")
            continue
        exp = call.expect
        if call.fn == "receive":
            want = exp.get("delivered")
            if want is not None and res.delivered != want:
                problems.append(f"step {call.index} (receive {call.id}): the model left the "
                                f"request {_delivery(res.delivered)}, the case says "
                                f"{_delivery(want)}")
            continue
        if call.fn == "recv_body":
            if exp.get("data", "any") != "any" and res.data != exp["data"]:
                problems.append(f"call {call.index} (recv_body): read {res.data!r}, "
                                f"the case expects {exp['data']!r}")
            continue
        if call.fn in ("cancel", "resume"):
            continue
        if call.fn == "wait":
            problems += [f"step {call.index} (wait {call.op}): the model's {t}"
                         for _, t in _wait_problems(call, res, None, None)]
            continue
        if exp.get("rc") and not rc_allowed(res.rc, exp["rc"]):
            problems.append(f"call {call.index} ({call.fn}): the model returns {rc_name(res.rc)}, "
                            f"the case allows {', '.join(map(rc_name, exp['rc']))}")
        for key in ("bytes_sent", "completion"):
            want = exp.get(key, "default")
            got = getattr(res, key)
            if not _matches(got, want):
                problems.append(f"call {call.index} ({call.fn}): the model's {key} is {got}, "
                                f"the case says {want}")
    norm = Norm(token=ctx.model_token)
    for conn, wire in (case.expect.get("wire") or {}).items():
        if wire is None:
            continue
        got = normalise(_msgs(case, model, conn), norm)
        written = normalise(split_like(wire, got), norm)
        cmp = compare_messages(written, got, case.expect["headers_order"], f" on {conn}")
        if not cmp.ok:
            problems.append(f"the wire on connection {conn} differs from the case:\n"
                            + "\n".join("  " + d.text for d in cmp.diffs) + "\n"
                            + _wire_block("the case", cmp.expected, "the model", cmp.actual,
                                          cmp.offset))
    for conn in pattern_conns(case):
        wire = model.conns[conn].wire if conn in model.conns else b""
        found = pattern_problems(case, conn, wire)
        if found:
            problems.append(f"the wire on connection {conn} fails the case's patterns ("
                            f"{_patterns_text(case, conn)}):\n"
                            + "\n".join("  " + t for _, t in found) + "\n"
                            + "  The model's wire:\n" + visible(wire))
    for conn, fate in case.expect.get("connection", {}).items():
        if fate == "any":
            continue
        got = model.conns[conn].fate if conn in model.conns else "missing"
        if got != fate:
            problems.append(f"connection {conn}: the model leaves it {got}, the case says {fate}")
    return problems


# ------------------------------------------------------------------ (b) impl vs model

def compare_outcomes(case: Case, model: Outcome, impl: Outcome, ctx: Context
                     ) -> tuple[list[tuple[str, str]], set[str], list[str]]:
    """(mismatches as (class, text), normalisations fired, display blocks)."""
    found: list[tuple[str, str]] = []
    fired: set[str] = set()
    blocks: list[str] = []
    for call in case.calls:
        m, a = model.call(call.index), impl.call(call.index)
        if a is None:
            found.append(("return-code", f"call {call.index} ({call.fn}) was not made"))
            continue
        exp = call.expect
        if call.fn == "receive":
            if m is not None and a.delivered != m.delivered:
                ms = call.args.get("timeout_ms")
                found.append(("connection", f"step {call.index} (receive {call.id}): the "
                              f"request was {_delivery(a.delivered)} "
                              f"{f'within {ms} ms' if ms else 'in time'}, "
                              f"expected {_delivery(m.delivered)}"))
            continue
        if call.fn == "recv_body":
            if exp.get("data", "any") != "any" and m is not None and a.data != m.data:
                found.append(("body", f"call {call.index} (recv_body): read {a.data!r}, "
                                      f"the model read {m.data!r}"))
            continue
        if call.fn in ("cancel", "resume"):
            continue
        if call.fn == "wait":
            found += [(cls, f"step {call.index} (wait {call.op}): {t}")
                      for cls, t in _wait_problems(call, a, m, _call_segment(
                          case, impl, _op_call(case, call.op)))]
            continue
        allowed = exp.get("rc") or ([m.rc] if m else [])
        if not rc_allowed(a.rc, allowed):
            found.append(("return-code", f"call {call.index} ({call.fn}): returned "
                          f"{rc_name(a.rc)}, expected {' or '.join(map(rc_name, allowed))}"))
        if a.rc in OK_RC and m is not None and m.rc in OK_RC:
            want = exp.get("bytes_sent", "default")
            if want != "any" and not call.args.get("overlapped"):
                if call.fn == "response":
                    ok_values = {_call_segment(case, impl, call.index), call.entity_bytes(),
                                 "unset"}
                    ok_values |= set(want) if isinstance(want, list) else (
                        {want} if want != "default" else set())
                else:
                    ok_values = {m.bytes_sent}
                if a.bytes_sent not in ok_values:
                    found.append(("bytes-sent", f"call {call.index} ({call.fn}): BytesSent is "
                                  f"{a.bytes_sent}, expected "
                                  f"{' or '.join(map(str, sorted(ok_values, key=str)))}"))
            if (call.args.get("overlapped") and not call.deferred
                    and exp.get("completion", "default") != "any"):
                own = _call_segment(case, impl, call.index)
                if a.completion != own:
                    found.append(("bytes-sent", f"call {call.index} ({call.fn}): the completion "
                                  f"reports {a.completion} bytes, the call put {own} on the wire"))
    norm_m = Norm(token=ctx.model_token)
    norm_i = Norm(token=ctx.impl_token)
    order = case.expect["headers_order"]
    patterned = pattern_conns(case)
    conns = list(dict.fromkeys(list(model.conns) + list(impl.conns)))
    wire_found: list[tuple[str, str]] = []
    wire_blocks: list[str] = []
    impl_msgs: dict[str, list[Message]] = {}
    for conn in conns:
        if conn in patterned:
            continue            # judged by the case's patterns below, not byte for byte
        notes: list[str] = []
        em = normalise(_msgs(case, model, conn), norm_m)
        am = normalise(_msgs(case, impl, conn), norm_i, fired, notes, keep=em)
        _cut_to_common_end(em, am, model.conns.get(conn), impl.conns.get(conn))
        impl_msgs[conn] = am
        where = f" on {conn}" if len(conns) > 1 else ""
        cmp = compare_messages(em, am, order, where)
        fired |= cmp.fired
        if not cmp.ok:
            for d in cmp.diffs:
                wire_found.append((d.cls, d.text + "".join("\n  note: " + n for n in notes)))
            wire_blocks.append(f"  connection {conn}:\n" + _wire_block(
                "reference model", cmp.expected, ctx.impl_label, cmp.actual, cmp.offset))
    if wire_found and case.expect.get("wire_alternatives"):
        for n, alt in enumerate(case.expect["wire_alternatives"], 1):
            if _alternative_matches(alt, impl_msgs, norm_m, order, model, case, norm_m):
                wire_found, wire_blocks = [], []
                fired.add(f"wire-alternative-{n}")
                break
    found += wire_found
    blocks += wire_blocks
    for conn in conns:
        if conn in patterned:
            continue            # only what the patterns say is judged there
        short = _total_problem(case, model, impl, conn)
        if short:
            found.append(("body", short))
    for conn in patterned:
        wire = impl.conns[conn].wire if conn in impl.conns else b""
        pf = pattern_problems(case, conn, wire)
        if pf:
            where = f" on {conn}" if len(conns) > 1 else ""
            found += [(cls, text + where) for cls, text in pf]
            blocks.append(f"  connection {conn}:\n  Expected (the case): "
                          f"{_patterns_text(case, conn)}\n  Actual ({ctx.impl_label}):\n"
                          + visible(wire))
    for conn in conns:
        want = case.expected_fate(conn)
        if want == "any":
            continue
        mf = model.conns[conn].fate if conn in model.conns else "missing"
        af = impl.conns[conn].fate if conn in impl.conns else "missing"
        if mf != af:
            found.append(("connection", f"connection {conn}: {_fate_text(af)}, expected "
                                        f"{_fate_text(mf)}"))
    return found, fired, blocks


def _cut_to_common_end(em: list[Message], am: list[Message], m, a) -> None:
    """Where both sides went past the bytes kept, the last kept body of each ends
    wherever the cap fell, which depends on the length of the heads before it: cut
    both to the shorter. The bytes beyond are compared by count (_total_problem)."""
    if m is None or a is None or not (m.overflow and a.overflow) or len(em) != len(am) or not em:
        return
    n = min(len(em[-1].body), len(am[-1].body))
    em[-1].body, am[-1].body = em[-1].body[:n], am[-1].body[:n]


def _op_call(case: Case, op: str | None) -> int:
    for call in case.calls:
        if call.deferred and call.op == op:
            return call.index
    return 0


def _wait_problems(call, res, model, own: int | None) -> list[tuple[str, str]]:
    """What is wrong with a wait step's outcome: still pending (or not) against the
    case, the completion's code, and its count against the case's number or, for a
    successful completion of the implementation, against the bytes the deferred call
    put on the wire (own)."""
    exp = call.expect
    if exp.get("pending"):
        if not res.pending:
            return [("return-code", f"the operation completed ({rc_name(res.rc)}, "
                                    f"{res.completion} bytes) within {call.args.get('timeout_ms')}"
                                    " ms; the case needs it still pending")]
        return []
    if res.pending:
        return [("return-code", "the operation has not completed in time (WAIT answered TIMEOUT)")]
    found = []
    allowed = exp.get("rc") or ([model.rc] if model is not None else [])
    if allowed and not rc_allowed(res.rc, allowed):
        found.append(("return-code", f"the completion reports {rc_name(res.rc)}, expected "
                                     f"{' or '.join(map(rc_name, allowed))}"))
    want = exp.get("completion", "default")
    if not _matches(res.completion, want):
        found.append(("bytes-sent", f"the completion reports {res.completion} bytes, "
                                    f"expected {want}"))
    elif (want == "default" and own is not None and res.rc == 0
          and res.completion != own):
        found.append(("bytes-sent", f"the completion reports {res.completion} bytes, the "
                                    f"call put {own} on the wire"))
    return found


def _head_bytes(msgs: list[Message]) -> int:
    """Bytes of the complete heads among msgs, as they were on the wire."""
    return sum(len(m.render()) - len(m.body) for m in msgs if m.status is not None)


def _total_problem(case: Case, model: Outcome, impl: Outcome, conn: str) -> str:
    """Beyond the bytes kept per connection only the count is known: it must equal
    the model's, give or take what the heads kept differ in length (Server token).
    A body cut short while the call reports success fails here (CALL-SYSTEM-ERROR)."""
    m, a = model.conns.get(conn), impl.conns.get(conn)
    if m is None or a is None or not (m.overflow or a.overflow):
        return ""
    want = len(m.wire) + m.overflow + (_head_bytes(_msgs(case, impl, conn))
                                        - _head_bytes(_msgs(case, model, conn)))
    got = len(a.wire) + a.overflow
    if got == want:
        return ""
    return (f"connection {conn} carried {got} bytes in all, expected {want} (only the first "
            f"{len(a.wire)} are kept and compared)")


def _alternative_matches(alt: dict, impl_msgs: dict, norm: Norm, order: str, model: Outcome,
                         case: Case, norm_m: Norm) -> bool:
    for conn, am in impl_msgs.items():
        if conn in alt:
            written = normalise(split_like(alt[conn], am), norm, keep=am)
            if not compare_messages(written, am, order).ok:
                return False
        else:
            em = normalise(_msgs(case, model, conn), norm_m)
            if not compare_messages(em, am, order).ok:
                return False
    return True


def _fate_text(f: str) -> str:
    return {"open": "open (a further request was served)",
            "closed": "closed by the server",
            "not-closed": "still open (no end of stream after the response)",
            "stalled": "open but a further request was not served",
            "client-closed": "closed by the client",
            "unchecked": "not checked"}.get(f, f)


# ------------------------------------------------------------------ the verdict

def judge(case: Case, model: Outcome | None, impl: Outcome, ctx: Context,
          same: bool = False) -> Result:
    """The verdict before expectations. `same`: impl is the model's own run."""
    res = Result(case=case, verdict="PASS", impl=impl, model=model,
                 duration=impl.duration + (0 if same or model is None else model.duration))
    head = f"{case.id}: {case.title}\n{_rules_block(case, ctx.rules)}"
    if impl.status == "skip":
        res.verdict, res.summary = "SKIP", impl.message
        return res
    if not same and model is not None and model.status == "skip":
        res.verdict = "ERROR"
        res.summary = f"the reference adapter cannot run this case: {model.message}"
        res.details = head + "\n  " + res.summary
        return res
    if not same and (model is None or model.status != "ok"):
        res.verdict = "ERROR"
        res.summary = ("the reference adapter failed on this case: "
                       f"{model.status if model else 'no outcome'}: "
                       f"{model.message if model else ''}")
        res.details = head + "\n  " + res.summary + _log_block(model)
        return res
    if impl.status == "receive-failed" and (same or model.status == "ok"):
        # the model served the request: not serving it is the implementation's failure
        res.verdict = "FAIL" if not same else "ERROR"
        res.mismatches = ["connection"]
        res.summary = f"mismatch: connection: {impl.message}"
        res.details = head + "\n  " + res.summary + _log_block(impl)
        return res
    if impl.status != "ok":
        res.verdict = {"crash": "CRASH", "timeout": "TIMEOUT"}.get(impl.status, "ERROR")
        what = {"crash": "the adapter died", "timeout": "the case timed out"}.get(
            impl.status, "adapter error")
        res.summary = f"{what}: {impl.message}"
        res.details = head + "\n  " + res.summary + _log_block(impl)
        return res
    problems = check_model(case, model if not same else impl, ctx)
    if problems:
        res.verdict = "ERROR"
        res.summary = "suite bug: the reference model disagrees with the case"
        res.details = (head + "\n  " + res.summary + ":\n"
                       + "\n".join("  - " + p.replace("\n", "\n    ") for p in problems))
        return res
    if case.level == "UNDEF":
        res.summary = "the calls returned and the implementation kept running (UNDEF)"
        return res
    if same:
        found, fired, blocks = [], set(), []
        # the model against itself: only the normalisations are of interest
        for conn in impl.conns:
            normalise(_msgs(case, impl, conn), Norm(token=ctx.impl_token), fired)
    else:
        found, fired, blocks = compare_outcomes(case, model, impl, ctx)
    res.normalisations = sorted(fired)
    if found:
        classes = [c for c in MISMATCH_CLASSES if any(f[0] == c for f in found)]
        res.mismatches = classes
        res.summary = "mismatch: " + ", ".join(classes)
        res.details = (head + "\n  " + res.summary + "\n"
                       + "\n".join("  - " + t.replace("\n", "\n    ") for _, t in found)
                       + ("\n" + "\n".join(blocks) if blocks else ""))
        if case.level != "INFO":
            res.verdict = "FAIL"
        else:
            res.summary = "informational: " + res.summary
    return res


def _log_block(o: Outcome | None) -> str:
    if o is None or not o.log.strip():
        return ""
    return "\n  adapter log:\n" + "\n".join("    " + x for x in o.log.rstrip().splitlines()[-20:])


def apply_expectation(res: Result, entry: dict | None) -> Result:
    """Turn an expected FAIL/CRASH/TIMEOUT into XFAIL, an unexpected pass into XPASS."""
    if entry is None:
        return res
    res.expectation = dict(entry)
    if res.verdict == entry["expected"]:
        res.verdict = "XFAIL"
        res.summary = f"expected {entry['expected']} ({entry['rule']}: {entry['reason']}); " \
                      + res.summary
    elif res.verdict == "PASS":
        res.verdict = "XPASS"
        res.summary = (f"unexpected pass: the expectations file says {entry['expected']} "
                       f"({entry['rule']}: {entry['reason']}); remove the entry")
        res.details = res.summary
    return res


def now() -> float:
    return time.time()
