"""The implementation against the model, as assertions (harness.assertions).

`assess(case, model, impl, ctx)` makes every check of one case and returns
one Assertion per check, each with the rule harness.attribution gives it:
return codes, byte counts and completions call by call; deliveries and
request lines; the wire message by message (status line, each header line
by name, the end of the head, the entity bytes, stray bytes); the total
byte count past the bytes kept; whether a MORE_DATA response was still open;
the fate of each connection.

Where a case allows wire alternatives, the implementation's bytes are
compared with the model's and with each alternative, all normalised alike,
and the nearest (fewest failing assertions) is kept. UNDEF rules are judged
on survival only; what follows an undefined call that the implementation
answered outside the case's list is not judged.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from . import attribution as attr
from .assertions import Assertion, mark_consequences, not_judged_after
from .cases import Case
from .compare import Message, Norm, first_difference, normalise, split_like, visible
from .outcome import OK_RC, Outcome
from .segments import (_text, call_bytes, msgs, parts, pattern_checks, pattern_conns,
                       patterns_text)

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


def _matches(value: Any, want: Any) -> bool:
    if want in ("any", "default"):
        return True
    if isinstance(want, list):
        return value in want
    return value == want


def _pattern_assertions(case: Case, conn: str, wire: bytes, first_head: int | None,
                        where: str) -> list[Assertion]:
    ctx = attr.head_context(case, first_head)
    items = []
    for what, data, ok in pattern_checks(case, conn, wire):
        if what == "prefix":
            rule, text = attr.status_rule(ctx), f"the wire starts with {_text(data)}"
        elif what == "line":
            rule = (attr.header_rule(data, ctx, missing=True) if data else "WIRE-NOTHING-ELSE")
            text = (f"the wire has the line {_text(data)}" if data else
                    "the head is ended (no empty line: the head is not ended)" if not ok else
                    "the head is ended")
        else:
            rule, text = "WIRE-HEADER-ORDER", "the lines are in the case's order"
        items.append(Assertion(rule=rule, kind="pattern", subject=f"connection {conn}",
                               state="pass" if ok else "fail", text=text + where,
                               expected=patterns_text(case, conn) if not ok else "",
                               actual=visible(wire, 600, indent="") if not ok else "",
                               conn=conn, step=first_head or 0))
    return items


# ------------------------------------------------------------------ messages

def compare_wire(case: Case, exp: list[Message], act: list[Message], conn: str,
                 model: Outcome, order: str, fired: set[str] | None = None) -> list[Assertion]:
    """Assertions for the messages of one connection, expected against actual."""
    items: list[Assertion] = []
    for i in range(max(len(exp), len(act))):
        e = exp[i] if i < len(exp) else None
        a = act[i] if i < len(act) else None
        subject = f"response {i + 1} on {conn}"

        def add(rule: str, kind: str, ok: bool, text: str, expected: Any = "",
                actual: Any = "", offset: int | None = None, sub: str = subject,
                step: int | None = None) -> None:
            """expected and actual: text, or a function that makes it (called only
            when the assertion fails: a passing one shows neither)."""
            if not ok:
                expected = expected() if callable(expected) else expected
                actual = actual() if callable(actual) else actual
            items.append(Assertion(rule=rule, kind=kind, subject=sub,
                                   state="pass" if ok else "fail", text=text,
                                   expected=expected if not ok else "",
                                   actual=actual if not ok else "", offset=offset,
                                   conn=conn, step=step or 0))

        if e is None or a is None or (e.status is None) != (a.status is None):
            one = e if e is not None else a
            step = one.call
            if one.status is None and (e is None or a is None):
                rule = attr.stray_rule(case, step, model)
                what = (f"{len(a.body)} bytes that no successful call wrote" if a is not None
                        else f"{len(e.body)} expected bytes")
                add(rule, "stray", False, f"{subject}: {what}", _text(e.body if e else b""),
                    _text(a.body if a else b""), step=step)
            else:
                rule = attr.call_rule(model.call(step) if step else None)
                exp_t = e.render() if e is not None else b""
                act_t = a.render() if a is not None else b""
                add(rule, "response", False,
                    f"{subject}: " + ("an unexpected response" if e is None else
                                      "the response is missing" if a is None else
                                      "a response head where raw bytes were expected"
                                      if a.status is not None else
                                      "raw bytes where a response head was expected"),
                    visible(exp_t, 600, indent=""), visible(act_t, 600, indent=""), step=step)
            continue
        step = e.call or a.call
        if e.status is None:
            ok = e.body == a.body
            add(attr.stray_rule(case, step, model), "stray", ok, f"{subject}: raw bytes",
                lambda: visible(e.body, 600, indent=""), lambda: visible(a.body, 600, indent=""),
                first_difference(e.body, a.body) if not ok else None, step=step)
            continue
        ctx = attr.head_context(case, step)
        add(attr.status_rule(ctx), "status-line", e.status == a.status, f"{subject}: status line",
            lambda: _text(e.status), lambda: _text(a.status), step=step)
        if e.head_complete != a.head_complete:
            add("WIRE-NOTHING-ELSE", "head-end", False,
                f"{subject}: the head {'does not end' if e.head_complete else 'ends'} with an "
                "empty line", step=step)
        items += _header_assertions(e, a, ctx, subject, conn, step, order)
        if (fired is not None and order != "strict" and e.headers != a.headers
                and Counter(e.headers) == Counter(a.headers)):
            fired.add("header-order")
        ok = e.body == a.body
        last = max([x for x in (e.last, a.last, step) if x is not None], default=None)
        add(attr.body_rule(ctx), "body", ok, f"{subject}: entity bytes "
            f"(expected {len(e.body)}, got {len(a.body)})", lambda: visible(e.body, 600, indent=""),
            lambda: visible(a.body, 600, indent=""),
            first_difference(e.body, a.body) if not ok else None, step=last)
    return items


def _take(pool: Counter, key: bytes) -> bool:
    """Take one `key` from the pool: True when there was one."""
    if pool[key] > 0:
        pool[key] -= 1
        return True
    return False


def _canon(h: bytes) -> bytes:
    """Field names are case-insensitive (RFC 9110 5.1, WIRE-KNOWN-HEADER): the name's
    letter case is not compared, the value's bytes are."""
    name, sep, value = h.partition(b":")
    return name.lower() + sep + value


def _header_assertions(e: Message, a: Message, ctx: attr.HeadContext, subject: str, conn: str,
                       step: int | None, order: str) -> list[Assertion]:
    """One assertion per header name: the expected lines of that name against the
    actual ones, filed under the rule that owns the name."""
    def by_name(headers: list[bytes]) -> dict[str, list[bytes]]:
        """name (as compared: stripped, lower case) -> its lines, in order."""
        out: dict[str, list[bytes]] = {}
        keys: dict[bytes, str] = {}
        for h in headers:
            raw = h.partition(b":")[0]
            k = keys.get(raw)
            if k is None:
                k = keys[raw] = raw.decode("latin-1").strip().lower()
            out.setdefault(k, []).append(h)
        return out

    eb, ab = by_name(e.headers), by_name(a.headers)
    names = list(dict.fromkeys(list(eb) + list(ab)))
    items = []
    nothing_else = True
    for n in names:
        want, got = eb.get(n, []), ab.get(n, [])
        if want == got:                 # the same bytes: the same canonical lines too
            missing, extra = [], []
        else:
            gotc, wantc = Counter(map(_canon, got)), Counter(map(_canon, want))
            missing = [h for h in want if not _take(gotc, _canon(h))]
            extra = [h for h in got if not _take(wantc, _canon(h))]
        ok = not missing and not extra
        line = (missing or extra or want or got)[0]
        rule = attr.header_rule(line, ctx, missing=bool(missing) or bool(want))
        if not want and rule == "WIRE-NOTHING-ELSE":
            nothing_else = False
        shown = (got[0] if got else want[0]).partition(b":")[0].decode("latin-1")
        items.append(Assertion(
            rule=rule, kind="header", subject=f"{subject} ({shown})",
            state="pass" if ok else "fail",
            text=f"{subject}: the {shown} line" + ("" if ok else "s differ"),
            expected=" + ".join(_text(h) for h in want) or "(no such line)" if not ok else "",
            actual=" + ".join(_text(h) for h in got) or "(no such line)" if not ok else "",
            conn=conn, step=step or 0))
    for known, value in ctx.known.items():
        if not value and known not in names and known not in ("date", "server"):
            items.append(Assertion(rule="WIRE-KNOWN-EMPTY-OMITTED", kind="header",
                                   subject=f"{subject} ({known})",
                                   text=f"{subject}: no line for the empty known slot {known}",
                                   conn=conn, step=step or 0))
    if "content-length" not in names:
        rule = attr.header_rule(b"Content-Length:", ctx, missing=False)
        if rule != "WIRE-CL-AUTO":          # the absence this rule asks for
            items.append(Assertion(rule=rule, kind="header", subject=f"{subject} (Content-Length)",
                                   text=f"{subject}: no automatic Content-Length line",
                                   conn=conn, step=step or 0))
    if nothing_else:
        items.append(Assertion(rule="WIRE-NOTHING-ELSE", kind="header",
                               subject=f"{subject} (other lines)",
                               text=f"{subject}: no header line beyond those due",
                               conn=conn, step=step or 0))
    if order == "strict" and e.headers != a.headers:
        el, al = list(map(_canon, e.headers)), list(map(_canon, a.headers))
        reordered = el != al and Counter(el) == Counter(al)
    else:
        reordered = False
    if reordered:
        items.append(Assertion(rule="WIRE-HEADER-ORDER", kind="header-order", subject=subject,
                               state="fail", text=f"{subject}: the header lines are in another "
                               "order (the case asks for this order)",
                               expected=" ".join(_text(h) for h in e.headers),
                               actual=" ".join(_text(h) for h in a.headers),
                               conn=conn, step=step or 0))
    return items


# ------------------------------------------------------------------ the whole case

def _call_assertions(case: Case, model: Outcome, impl: Outcome) -> list[Assertion]:
    items: list[Assertion] = []
    for call in case.calls:
        m, a = model.call(call.index), impl.call(call.index)
        conn = case.conn_of(call.id)
        subject = f"call {call.index}" if call.fn in ("response", "body", "recv_body") \
            else f"step {call.index}"

        def add(rule: str, kind: str, ok: bool, text: str, expected: Any = "",
                actual: Any = "", sub: str = subject) -> None:
            items.append(Assertion(rule=rule, kind=kind, subject=sub,
                                   state="pass" if ok else "fail", text=text,
                                   expected=str(expected) if not ok else "",
                                   actual=str(actual) if not ok else "",
                                   conn=conn, step=call.index))

        if a is None:
            continue                                    # the run stopped before it
        exp = call.expect
        if call.fn == "receive":
            if m is not None:
                add(attr.request_rule(case), "delivery", a.delivered == m.delivered,
                    f"{subject} (receive {call.id}): the request is "
                    f"{_delivery(m.delivered)}", _delivery(m.delivered), _delivery(a.delivered))
            continue
        if call.fn == "recv_body":
            if exp.get("data", "any") != "any" and m is not None:
                add(attr.body_read_rule(case), "body-read", a.data == m.data,
                    f"{subject} (recv_body {call.id}): the bytes read", repr(m.data),
                    repr(a.data))
            continue
        if call.fn in ("cancel", "resume"):
            continue
        if call.fn == "wait":
            items += [Assertion(rule=attr.wait_rule(case, call), kind=k, subject=subject,
                                state="pass" if ok else "fail",
                                text=f"{subject} (wait {call.op}): {t}",
                                expected=e if not ok else "", actual=x if not ok else "",
                                conn=conn, step=call.index)
                      for k, ok, t, e, x in _wait_checks(call, a, m, call_bytes(
                          case, impl, _op_call(case, call.op)))]
            continue
        allowed = exp.get("rc") or ([m.rc] if m else [])
        rule = attr.call_rule(m)
        for r in (attr.accepted_rules(call) if rule == "CALL-OK" else [rule]):
            add(r, "rc", rc_allowed(a.rc, allowed), f"{subject} ({call.fn}): the return code",
                " or ".join(map(rc_name, allowed)), rc_name(a.rc))
        if not (a.rc in OK_RC and m is not None and m.rc in OK_RC):
            continue
        want = exp.get("bytes_sent", "default")
        if want != "any" and not call.args.get("overlapped"):
            if call.fn == "response":
                # CONN-BYTES-SENT-HEAD: all the call's bytes or its entity bytes; unset
                # only where no variable was passed
                ok_values = {call_bytes(case, impl, call.index), call.entity_bytes()}
                if call.args.get("bytes_sent") is False:
                    ok_values.add("unset")
                ok_values |= set(want) if isinstance(want, list) else (
                    {want} if want != "default" else set())
            else:
                ok_values = {m.bytes_sent}
            add(attr.bytes_sent_rule(call), "bytes-sent", a.bytes_sent in ok_values,
                f"{subject} ({call.fn}): BytesSent",
                " or ".join(map(str, sorted(ok_values, key=str))), a.bytes_sent)
        if (call.args.get("overlapped") and not call.deferred
                and exp.get("completion", "default") != "any"):
            own = call_bytes(case, impl, call.index)
            add("CONN-ASYNC-RESULT", "completion", a.completion == own,
                f"{subject} ({call.fn}): the completion's byte count equals the bytes the "
                "call put on the wire", own, a.completion)
    return items


def _delivery(delivered: bool | None) -> str:
    return {True: "delivered", False: "not delivered"}.get(delivered, "not received")


def _op_call(case: Case, op: str | None) -> int:
    for call in case.calls:
        if call.deferred and call.op == op:
            return call.index
    return 0


def _wait_checks(call, res, model, own: int | None) -> list[tuple[str, bool, str, str, str]]:
    """(kind, held, text, expected, actual) for a wait step: still pending (or not)
    against the case, the completion's code, and its count against the case's number
    or, for a successful completion, the bytes the deferred call put on the wire."""
    exp = call.expect
    if exp.get("pending"):
        return [("pending", bool(res.pending), "the operation is still pending",
                 f"pending after {call.args.get('timeout_ms')} ms",
                 f"completed ({rc_name(res.rc)}, {res.completion} bytes)")]
    if res.pending:
        return [("pending", False, "the operation completes", "a completion",
                 "still pending (WAIT answered TIMEOUT)")]
    found = []
    allowed = exp.get("rc") or ([model.rc] if model is not None else [])
    if allowed:
        found.append(("rc", rc_allowed(res.rc, allowed), "the completion's code",
                      " or ".join(map(rc_name, allowed)), rc_name(res.rc)))
    want = exp.get("completion", "default")
    if not _matches(res.completion, want):
        found.append(("completion", False, "the completion's byte count", str(want),
                      str(res.completion)))
    elif want == "default" and own is not None and res.rc == 0:
        found.append(("completion", res.completion == own, "the completion's byte count "
                      "equals the bytes the call put on the wire", str(own), str(res.completion)))
    return found


def _request_assertions(case: Case, impl: Outcome) -> list[Assertion]:
    """The verb and version of every request the adapter delivered are those sent."""
    from .request import parse_request
    items = []
    for r in case.requests:
        got = impl.received.get(r.name)
        parsed = parse_request(r.raw.replace(b"{host}", b"h"))
        if got is None or parsed is None:
            continue
        want = (parsed["method"], parsed["version"])
        ok = (got[0], got[1].upper().removeprefix("HTTP/")) == want
        items.append(Assertion(rule=attr.request_rule(case), kind="request-line",
                               subject=f"request {r.name}", state="pass" if ok else "fail",
                               text=f"request {r.name} reaches the application as sent",
                               expected=" ".join(want) if not ok else "",
                               actual=" ".join(got[:2]) if not ok else "", conn=r.conn))
        if len(got) > 2 and got[2]:
            ok = got[2] == r.conn
            items.append(Assertion(rule=attr.request_rule(case), kind="delivery",
                                   subject=f"request {r.name}", state="pass" if ok else "fail",
                                   text=f"request {r.name} arrives on its own connection",
                                   expected=f"connection {r.conn}" if not ok else "",
                                   actual=f"connection {got[2]}" if not ok else "",
                                   conn=r.conn))
    return items


def _open_assertions(case: Case, model: Outcome, impl: Outcome) -> list[Assertion]:
    """CONN-MORE-DATA: the MORE_DATA responses the model left open are open."""
    items = []
    for r in case.requests:
        if r.name not in model.open_probe:
            continue
        want = model.open_probe[r.name]
        got = impl.open_probe.get(r.name)
        if got is None:
            continue                        # not probed: an earlier check says why
        ok = got == want
        items.append(Assertion(
            rule="CONN-MORE-DATA", kind="response-open", subject=f"request {r.name}",
            state="pass" if ok else "fail",
            text=f"after the MORE_DATA calls the response to {r.name} is still open: a final "
                 "HttpSendResponseEntityBody with no chunks on its id",
            expected=rc_name(want) if not ok else "",
            actual=("the adapter died" if got == "crash" else rc_name(got)) if not ok else "",
            conn=r.conn, step=len(case.calls) + 1))
    return items


def _fate_assertions(case: Case, model: Outcome, impl: Outcome, conns: list[str]
                     ) -> list[Assertion]:
    items = []
    for conn in conns:
        if case.expected_fate(conn) == "any":
            continue
        mf = model.conns[conn].fate if conn in model.conns else "missing"
        af = impl.conns[conn].fate if conn in impl.conns else "missing"
        items.append(Assertion(rule=attr.fate_rule(case, conn, mf), kind="fate",
                               subject=f"connection {conn}", state="pass" if mf == af else "fail",
                               text=f"connection {conn} after the response",
                               expected=fate_text(mf) if mf != af else "",
                               actual=fate_text(af) if mf != af else "", conn=conn))
    return items


def fate_text(f: str) -> str:
    return {"open": "open (a further request was served)",
            "closed": "closed by the server",
            "not-closed": "still open (no end of stream after the response)",
            "stalled": "open but a further request was not served",
            "client-closed": "closed by the client",
            "unchecked": "not checked"}.get(f, f)


def _head_bytes(ms: list[Message]) -> int:
    return sum(len(m.render(body=False)) for m in ms if m.status is not None)


def _total_assertion(case: Case, model: Outcome, impl: Outcome, conn: str) -> list[Assertion]:
    """Beyond the bytes kept per connection only the count is known: it must equal
    the model's, give or take what the heads kept differ in length (Server token).
    A body cut short while the call reports success fails here (CALL-SYSTEM-ERROR)."""
    m, a = model.conns.get(conn), impl.conns.get(conn)
    if m is None or a is None or not (m.overflow or a.overflow):
        return []
    want = len(m.wire) + m.overflow + (_head_bytes(msgs(case, impl, conn))
                                       - _head_bytes(msgs(case, model, conn)))
    got = len(a.wire) + a.overflow
    return [Assertion(rule="CALL-SYSTEM-ERROR", kind="total-bytes", subject=f"connection {conn}",
                      state="pass" if got == want else "fail",
                      text=f"the bytes connection {conn} carried in all equal those the "
                           f"calls reported sent (only the first {len(a.wire)} are kept and "
                           "compared)",
                      expected=str(want) if got != want else "",
                      actual=str(got) if got != want else "", conn=conn)]


def _cut_to_common_end(em: list[Message], am: list[Message], m, a) -> None:
    """Where both sides went past the bytes kept, the last kept body of each ends
    wherever the cap fell, which depends on the length of the heads before it: cut
    both to the shorter. The bytes beyond are compared by count (_total_assertion)."""
    if m is None or a is None or not (m.overflow and a.overflow) or len(em) != len(am) or not em:
        return
    n = min(len(em[-1].body), len(am[-1].body))
    em[-1].body, am[-1].body = em[-1].body[:n], am[-1].body[:n]


def _wire_assertions(case: Case, model: Outcome, impl: Outcome, ctx, conns: list[str],
                     fired: set[str]) -> tuple[list[Assertion], int, dict[str, tuple]]:
    """The wire of every connection against the nearest allowed wire: the model's
    (0) or one of the case's alternatives (1..n). Returns the assertions, which
    one was nearest, and per connection the (expected, actual) bytes shown."""
    norm_m, norm_i = Norm(token=ctx.model_token), Norm(token=ctx.impl_token)
    order = case.expect["headers_order"]
    patterned = pattern_conns(case)
    actual: dict[str, list[Message]] = {}
    expected: dict[str, list[Message]] = {}
    for conn in conns:
        if conn in patterned:
            continue
        if impl is model and norm_m == norm_i:  # the model's own run: one side, twice
            em = am = normalise(msgs(case, model, conn), norm_m, fired)
        else:
            em = normalise(msgs(case, model, conn), norm_m)
            am = normalise(msgs(case, impl, conn), norm_i, fired, keep=em)
            _cut_to_common_end(em, am, model.conns.get(conn), impl.conns.get(conn))
        expected[conn], actual[conn] = em, am
    candidates = [expected]
    for alt in case.expect.get("wire_alternatives") or []:
        cand = dict(expected)
        for conn, wire in alt.items():
            if conn in actual:
                like = actual[conn]            # cut as the implementation's bytes were
                shaped = split_like(wire, like)
                for w, e in zip(shaped, like):
                    w.call = e.call
                cand[conn] = normalise(shaped, norm_m, keep=like)
        candidates.append(cand)
    # nearest: fewest failing assertions, then most passing ones (a whole response
    # missing is one failure, but it also passes nothing)
    best: tuple[tuple[int, int], int, list[Assertion]] | None = None
    for n, cand in enumerate(candidates):
        items = []
        for conn in actual:
            items += compare_wire(case, cand[conn], actual[conn], conn, model, order, fired)
        fails = sum(1 for a in items if a.failed)
        score = (fails, -sum(1 for a in items if a.state == "pass"))
        if best is None or score < best[0]:
            best = (score, n, items)
        if fails == 0:
            break
    _, chosen, items = best if best is not None else ((0, 0), 0, [])
    if chosen:
        fired.add(f"wire-alternative-{chosen}")
    shown: dict[str, tuple] = {}
    for conn in patterned:
        wire = impl.conns[conn].wire if conn in impl.conns else b""
        heads = [s for k, _, s in parts(case, impl, conn) if k == "head"]
        where = f" on {conn}" if len(conns) > 1 else ""
        found = _pattern_assertions(case, conn, wire, heads[0] if heads else None, where)
        items += found
        if any(a.failed for a in found):
            shown[conn] = ("pattern", patterns_text(case, conn), wire)
    if any(a.failed for a in items):        # the bytes are shown for a failing case only
        shown = {conn: (b"".join(m.render() for m in candidates[chosen][conn]),
                        b"".join(m.render() for m in actual[conn])) for conn in actual} | shown
    return items, chosen, shown


def assess(case: Case, model: Outcome, impl: Outcome, ctx) -> tuple[list[Assertion], set[str],
                                                                    dict[str, tuple]]:
    """Every assertion of the case (impl against model), the normalisations that
    fired, and per connection the (expected, actual) bytes as compared."""
    fired: set[str] = set()
    conns = list(dict.fromkeys(list(model.conns) + list(impl.conns)))
    items = _call_assertions(case, model, impl)
    items += _request_assertions(case, impl)
    wire, _, shown = _wire_assertions(case, model, impl, ctx, conns, fired)
    items += wire
    for conn in conns:
        if conn not in pattern_conns(case):
            items += _total_assertion(case, model, impl, conn)
    items += _open_assertions(case, model, impl)
    items += _fate_assertions(case, model, impl, conns)
    _undefined(case, model, impl, ctx, items)
    mark_consequences(items)
    return items, fired, shown


def _undefined(case: Case, model: Outcome, impl: Outcome, ctx, items: list[Assertion]) -> None:
    """UNDEF rules are judged on survival only. Where the implementation answered an
    undefined call outside the case's list, what follows on its connection is not
    judged either: the spec says nothing of that path."""
    def undef(rule: str) -> bool:
        r = ctx.rules.get(rule)
        return r is not None and r.cls == "UNDEF"
    for a in items:
        if undef(a.rule) and a.kind not in ("survival", "crash", "timeout"):
            a.state, a.note = "not-judged", f"{a.rule} is undefined: judged on survival only"
    for rule in dict.fromkeys([r for r in case.rules if undef(r)] + [
            a.rule for a in items if undef(a.rule)]):
        items.append(Assertion(rule=rule, kind="survival", subject="case",
                               text="the implementation ran every step and kept running"))
    for call in case.calls:
        m, i = model.call(call.index), impl.call(call.index)
        if m is None or i is None or call.fn not in ("response", "body") or not undef(
                attr.call_rule(m)):
            continue
        if not rc_allowed(i.rc, call.expect.get("rc") or [m.rc]):
            not_judged_after(items, case.conn_of(call.id), call.index,
                             f"follows call {call.index}, whose outcome is undefined "
                             f"({attr.call_rule(m)})")
