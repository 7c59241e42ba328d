"""Verdicts: the model against the case, the implementation against the model.

For every case the harness has two outcomes: the model's (the reference
adapter run as the oracle) and the implementation's. `judge`

(a) checks that the model agrees with what the case writes (return codes,
    byte counts, wire bytes, connection fate): a disagreement is a bug in the
    suite (or in the model) and gives ERROR;
(b) makes every check of the implementation against the model as an
    assertion with the rule it enforces (harness.assess, harness.attribution):
    the case passes only if none fails.

Then harness.expectations may turn a FAIL / CRASH / TIMEOUT whose failing
assertions are exactly the expected ones into XFAIL, and one whose expected
failures no longer all happen into XPASS.
"""

from __future__ import annotations

import re
import textwrap
import time
from dataclasses import dataclass, field
from typing import Any

from . import attribution as attr
from .assertions import Assertion, rule_states
from .assess import (ERROR_NAMES, _call_assertions, _delivery, _matches,  # noqa: F401
                     _wait_checks, assess, rc_allowed, rc_name)
from .segments import (has_line, line_end, msgs, pattern_checks, pattern_conns,  # noqa: F401
                       patterns_text)
from .cases import SPEC_DIR, Case
from .compare import Message, Norm, compare_messages, normalise, show_byte, split_like, visible
from .outcome import Outcome

VERDICTS = ("PASS", "FAIL", "CRASH", "TIMEOUT", "SKIP", "XFAIL", "XPASS", "ERROR")
BAD = ("FAIL", "CRASH", "TIMEOUT", "XPASS", "ERROR")        # make the run fail
MISMATCH_CLASSES = ("return-code", "bytes-sent", "status-line", "headers", "body", "connection")


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
    assertions: list[Assertion] = field(default_factory=list)
    unexpected: list[tuple] = field(default_factory=list)   # failing, not expected
    vanished: list[tuple] = field(default_factory=list)     # expected, not failing

    def to_dict(self, full: bool | None = None) -> dict:
        """The per-case record of results.json (see harness/README.md)."""
        c = self.case
        o = self.impl
        full = self.verdict not in ("PASS", "SKIP") if full is None else full
        counts = {s: 0 for s in ("pass", "fail", "not-judged")}
        for a in self.assertions:
            counts[a.state] += 1
        d: dict[str, Any] = {
            "id": c.id, "title": c.title, "file": c.file, "area": c.area, "level": c.level,
            "rules": list(c.rules), "rule_classes": sorted(set(c.rule_classes.values())),
            "verdict": self.verdict, "mismatches": list(self.mismatches),
            "normalisations": list(self.normalisations), "summary": self.summary,
            "expected": self.expectation,
            "rule_states": rule_states(self.assertions),
            "assertion_counts": counts,
            "assertions": [a.to_dict() for a in self.assertions if a.state != "pass"],
            "unexpected": [list(x) for x in self.unexpected],
            "vanished": [list(x) for x in self.vanished],
            "calls": [r.to_dict() for r in o.calls] if o else [],
            "connections": {n: r.fate for n, r in o.conns.items()} if o else {},
            "curl": dict(o.curl) if o else {},
            "curl_disagrees": curl_disagreements(self.verdict, o.curl if o else {}, {
                n: len(o.conns[c.conn_of(n)].wire) for n in o.curl
                if c.conn_of(n) in o.conns} if o else {}),
            "raw_requests": {r.name: r.why_raw or "" for r in c.requests if r.via == "raw"},
            "duration_s": round(self.duration, 6),
        }
        if full:
            d["details"] = self.details
            d["transcript"] = list(o.transcript) if o else []
            d["wire"] = {n: r.wire.decode("latin-1") for n, r in o.conns.items()} if o else {}
            d["adapter_log"] = o.log if o else ""
        return d


def curl_disagreements(verdict: str, curl: dict, wire_bytes: dict[str, int]) -> list[str]:
    """Where libcurl's view of the implementation's response differs from the verdict:
    curl fails on bytes the judge accepts (PASS, XPASS; a connection with no bytes at all
    is no disagreement), or completes a transfer whose bytes the judge rejects (FAIL,
    XFAIL); one line per request."""
    out = []
    for name, v in sorted(curl.items()):
        if verdict in ("PASS", "XPASS") and v.get("code") != 0 and wire_bytes.get(name):
            why = (f"curl error {v['code']}: {v['error']}" if v.get("code") is not None
                   else f"curl {v.get('error') or 'did not finish'}")
            out.append(f"{name}: curl fails on bytes the judge accepts ({why})")
        elif verdict in ("FAIL", "XFAIL") and v.get("code") == 0:
            out.append(f"{name}: curl accepts bytes the judge rejects (status {v.get('status')}, "
                       f"{v.get('body_bytes')} body bytes)")
    return out


@dataclass
class Context:
    rules: dict                                  # spec rules by id
    impl_token: str | None = "Microsoft-HTTPAPI/2.0"
    model_token: str | None = "Microsoft-HTTPAPI/2.0"
    impl_label: str = "implementation"


# ------------------------------------------------------------------ helpers

def _msgs(case: Case, out: Outcome, conn: str) -> list[Message]:
    return msgs(case, out, conn)


def pattern_problems(case: Case, conn: str, wire: bytes) -> list[tuple[str, str]]:
    """(mismatch class, text) for each wire_starts_with / wire_lines check `wire` fails."""
    found = []
    for what, data, ok in pattern_checks(case, conn, wire):
        if ok:
            continue
        if what == "prefix":
            found.append(("status-line", f"the wire does not start with {_text(data)}"))
        elif what == "line":
            found.append(("headers", f"no line {_text(data)}" if data else
                          "no empty line: the head is not ended"))
        else:
            lines = (case.expect.get("wire_lines") or {}).get(conn) or []
            found.append(("headers", "the lines are not in the order "
                          + ", ".join(_text(x) for x in lines)))
    return found


def _text(b: bytes) -> str:
    return repr(b.decode("latin-1"))


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
            problems += [f"step {call.index} (wait {call.op}): the model: {t}: expected {e}, "
                         f"got {x}" for _, ok, t, e, x in _wait_checks(call, res, None, None)
                         if not ok]
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
                            f"{patterns_text(case, conn)}):\n"
                            + "\n".join("  " + t for _, t in found) + "\n"
                            + "  The model's wire:\n" + visible(wire))
    for conn, fate in case.expect.get("connection", {}).items():
        if fate == "any":
            continue
        got = model.conns[conn].fate if conn in model.conns else "missing"
        if got != fate:
            problems.append(f"connection {conn}: the model leaves it {got}, the case says {fate}")
    return problems


# ------------------------------------------------------------------ the verdict

def judge(case: Case, model: Outcome | None, impl: Outcome, ctx: Context,
          same: bool = False) -> Result:
    """The verdict before expectations. `same`: impl is the model's own run."""
    res = Result(case=case, verdict="PASS", impl=impl, model=model,
                 duration=impl.duration + (0 if same or model is None else model.duration))
    head = _Head(case, ctx)                     # made only for a report that shows it
    if impl.status in ("skip", "setup-failed"):
        # setup-failed: the adapter's own preparation (HttpAddFragmentToCache, say) died,
        # so nothing is known of the function under test
        res.verdict, res.summary = "SKIP", impl.message
        res.details = head + "\n  " + impl.message + _log_block(impl)
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
    if same and impl.status != "ok":
        res.verdict = {"crash": "CRASH", "timeout": "TIMEOUT"}.get(impl.status, "ERROR")
        res.summary = f"the reference adapter: {impl.status}: {impl.message}"
        res.details = head + "\n  " + res.summary + _log_block(impl)
        return res
    if impl.status in ("crash", "timeout", "receive-failed"):
        return _stopped(res, case, model, impl, ctx, head)
    if impl.status != "ok":
        res.verdict = "ERROR"
        res.summary = f"adapter error: {impl.message}"
        res.details = head + "\n  " + res.summary + _log_block(impl)
        return res
    problems = check_model(case, model if not same else impl, ctx)
    if problems:
        res.verdict = "ERROR"
        res.summary = "suite bug: the reference model disagrees with the case"
        res.details = (head + "\n  " + res.summary + ":\n"
                       + "\n".join("  - " + p.replace("\n", "\n    ") for p in problems))
        return res
    items, fired, shown = assess(case, impl if same else model, impl, ctx)
    res.assertions = items
    res.normalisations = sorted(fired)
    _conclude(res, case, head, shown, ctx)
    return res


def _stopped(res: Result, case: Case, model: Outcome, impl: Outcome, ctx: Context,
             head: "_Head") -> Result:
    """The adapter died, hung, or did not deliver a request: the calls made until
    then are judged, and the step it stopped in fails."""
    step = impl.step
    if step < 0:                                # the adapter never started
        res.verdict = "CRASH"
        res.summary = impl.message
        res.details = head + "\n  " + impl.message + _log_block(impl)
        return res
    items = _call_assertions(case, model, impl)
    call = case.calls[step - 1] if 0 < step <= len(case.calls) else None
    if impl.status == "receive-failed":
        kind, rule = "delivery", attr.request_rule(case)
        subject = f"step {step}" if call is not None else "the requests"
        text = f"{subject}: {impl.message}"
    else:
        kind = "crash" if impl.status == "crash" else "timeout"
        if call is not None:
            rule = attr.call_rule(model.call(step))
            subject = f"call {step}" if call.fn in ("response", "body", "recv_body") \
                else f"step {step}"
        elif impl.open_probe and "crash" in impl.open_probe.values():
            rule, subject = "CONN-MORE-DATA", "open-response probe"
        else:
            rule, subject = attr.request_rule(case), "after the calls"
        text = ("the adapter died" if kind == "crash" else "the case timed out") + \
            f" in {subject}: {impl.message}"
    conn = case.conn_of(call.id) if call is not None else None
    items.append(Assertion(rule=rule, kind=kind, subject=subject, state="fail", text=text,
                           expected="the step completes", actual=impl.message[:300],
                           conn=conn, step=step))
    res.assertions = items
    res.verdict = {"crash": "CRASH", "timeout": "TIMEOUT"}.get(impl.status, "FAIL")
    _conclude(res, case, head, {}, ctx, log=_log_block(impl))
    if res.verdict == "PASS":                   # INFO level: still the run's fact
        res.verdict = {"crash": "CRASH", "timeout": "TIMEOUT"}.get(impl.status, "FAIL")
    return res


class _Head:
    """The first lines of a case's report (id, title, rules and their requirements),
    made when first shown: a passing case needs none."""

    def __init__(self, case: Case, ctx: Context):
        self.case, self.ctx, self.text = case, ctx, None

    def __str__(self) -> str:
        if self.text is None:
            self.text = f"{self.case.id}: {self.case.title}\n{_rules_block(self.case, self.ctx.rules)}"
        return self.text

    def __add__(self, other: str) -> str:
        return str(self) + other


def _conclude(res: Result, case: Case, head: "_Head", shown: dict, ctx: Context,
              log: str = "") -> None:
    """Verdict, summary and details from the assertions."""
    failing = [a for a in res.assertions if a.failed]
    if not failing:
        judged = [a for a in res.assertions if a.state == "pass"]
        res.summary = (f"{len(judged)} assertions passed"
                       + (f", {len(res.assertions) - len(judged)} not judged"
                          if len(judged) < len(res.assertions) else ""))
        return
    classes = sorted({attr.KIND_CLASS[a.kind] for a in failing
                      if a.kind not in ("crash", "timeout")}, key=MISMATCH_CLASSES.index)
    res.mismatches = classes
    roots = [a for a in failing if a.consequence_of is None]
    told = "; ".join(f"{a.rule}: {a.text}" + (f" (expected {_clip(a.expected)}, got "
                                                f"{_clip(a.actual)})" if a.expected else "")
                      for a in roots[:3])
    res.summary = (f"mismatch: {told}" + (f"; and {len(roots) - 3} more" if len(roots) > 3
                                           else "")
                   + f" [{len(failing)} failing assertion{'s' if len(failing) != 1 else ''}]")
    lines = [str(head), "  " + res.summary]
    for i, a in enumerate(res.assertions):
        if not a.failed:
            continue
        cause = (f" [follows from: {res.assertions[a.consequence_of].rule} "
                 f"{res.assertions[a.consequence_of].subject}]"
                 if a.consequence_of is not None else "")
        lines.append(f"  - {a.rule} · {a.kind} · {a.subject}{cause}: {a.text}")
        if a.expected or a.actual:
            lines.append(f"      expected: {a.expected}")
            lines.append(f"      actual:   {a.actual}")
        if a.offset is not None:
            lines.append(f"      first difference at byte {a.offset}")
    for conn, pair in shown.items():
        if pair[0] == "pattern":
            lines.append(f"  connection {conn}:\n  Expected (the case): {pair[1]}\n"
                         f"  Actual ({ctx.impl_label}):\n" + visible(pair[2]))
            continue
        exp, act = pair
        if exp != act:
            off = next((i for i, (x, y) in enumerate(zip(exp, act)) if x != y),
                       min(len(exp), len(act)))
            lines.append(f"  connection {conn}:\n" + _wire_block(
                "reference model", exp, ctx.impl_label, act, off))
    res.details = "\n".join(lines) + log
    if case.level == "INFO":
        res.summary = "informational: " + res.summary
        return
    if res.verdict == "PASS":
        res.verdict = "FAIL"


def _clip(text: str, n: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n - 1] + "…"


def _log_block(o: Outcome | None) -> str:
    if o is None or not o.log.strip():
        return ""
    return "\n  adapter log:\n" + "\n".join("    " + x for x in o.log.rstrip().splitlines()[-20:])


def now() -> float:
    return time.time()
