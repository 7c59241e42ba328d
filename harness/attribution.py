"""Which spec rule each check of the judge enforces: the one place that says so.

Every comparison harness.judge makes becomes an assertion (harness.assertions)
whose rule comes from here. The rule is read from what the case does (the
call that wrote a line, its flags and headers, the request), never from the
order in which the case lists its rules, so that a deviation is filed under
the rule it breaks. harness/README.md ("Assertions and their rules") prints
CHECKS; tests/test_attribution.py checks that every rule named here exists in
the spec.

| kind          | subject            | rule                                                       |
| ------------- | ------------------ | ---------------------------------------------------------- |
| rc            | call N             | the rule that decided the call in the model (RESULT rule=); |
|               |                    | for an accepted call, one per feature it uses (a flag, a    |
|               |                    | response field: accepted_rules), else CALL-OK               |
| bytes-sent    | call N             | CONN-BYTES-SENT-HEAD (synchronous HttpSendHttpResponse),    |
|               |                    | else CONN-BYTES-SENT                                        |
| completion    | call N / step N    | CONN-ASYNC-RESULT (CALL-CANCELLED after a cancel step)      |
| pending       | step N             | CONN-ASYNC-RESULT                                           |
| crash/timeout | call N / step N    | the rule that decides the step the adapter died or hung in |
| survival      | case               | each UNDEF rule of the case (judged on survival only)       |
| delivery      | step N / request R | see request_rule                                            |
| request-line  | request R          | see request_rule                                            |
| body-read     | call N             | see body_read_rule                                          |
| status-line   | response N on C    | WIRE-STATUS-LINE, or WIRE-VERSION-IGNORED when the call set |
|               |                    | another HTTP_RESPONSE Version                               |
| header        | response N on C    | see header_rule                                             |
| header-order  | response N on C    | WIRE-HEADER-ORDER                                           |
| head-end      | response N on C    | WIRE-NOTHING-ELSE                                           |
| body          | response N on C    | WIRE-BODY-NOT-SUPPRESSED (HEAD, 1xx, 204, 304), else        |
|               |                    | WIRE-BODY                                                   |
| response      | response N on C    | the rule that decided the call that wrote (or should have  |
|               |                    | written) it                                                 |
| stray         | response N on C    | the rule that refused the call that wrote them; bytes no   |
|               |                    | call wrote: CONN-BAD-REQUEST for a request the parser     |
|               |                    | rejects, else WIRE-NOTHING-ELSE                             |
| total-bytes   | connection C       | CALL-SYSTEM-ERROR                                           |
| fate          | connection C       | see fate_rule                                               |
| response-open | request R          | CONN-MORE-DATA                                              |
| pattern       | connection C       | as header / status-line for the line the pattern names      |
"""

from __future__ import annotations

from .cases import Call, Case
from .request import parse_request
from .schema import KNOWN_HEADERS

FLAG_DISCONNECT, FLAG_MORE_DATA, FLAG_OPAQUE = 0x1, 0x2, 0x40

# kind -> mismatch class (the coarse grouping of results.json's "mismatches")
KIND_CLASS = {
    "rc": "return-code", "survival": "return-code", "crash": "return-code",
    "timeout": "return-code", "pending": "return-code",
    "bytes-sent": "bytes-sent", "completion": "bytes-sent",
    "status-line": "status-line", "response": "status-line",
    "header": "headers", "header-order": "headers", "head-end": "headers",
    "pattern": "headers",
    "body": "body", "stray": "body", "total-bytes": "body", "body-read": "body",
    "fate": "connection", "delivery": "connection", "request-line": "connection",
    "response-open": "connection",
}
KINDS = tuple(KIND_CLASS)

# Every rule this module can name (tests/test_attribution.py: each is a spec rule).
FIXED_RULES = ("CONN-BYTES-SENT-HEAD", "CONN-BYTES-SENT", "CONN-ASYNC-RESULT", "CALL-CANCELLED",
               "WIRE-STATUS-LINE", "WIRE-VERSION-IGNORED", "WIRE-HEADER-ORDER",
               "WIRE-NOTHING-ELSE", "WIRE-BODY", "WIRE-BODY-NOT-SUPPRESSED",
               "CALL-SYSTEM-ERROR", "CONN-MORE-DATA", "CONN-BAD-REQUEST", "WIRE-SERVER",
               "WIRE-SERVER-DISABLED", "WIRE-DATE", "WIRE-CL-APP", "WIRE-CL-AUTO",
               "WIRE-CL-NONE-MORE-DATA", "WIRE-CL-NONE-HEAD", "WIRE-CL-NONE-NO-CONTENT",
               "WIRE-CL-NONE-1XX-304", "WIRE-CL-NONE-TE", "WIRE-KNOWN-HEADER",
               "WIRE-KNOWN-EMPTY-OMITTED", "WIRE-UNKNOWN-HEADER", "WIRE-CONNECTION-CLOSE",
               "WIRE-CONNECTION-CLOSE-OTHER", "CONN-DISCONNECT", "CONN-HTTP10-CLOSE",
               "CONN-APP-CLOSE", "CONN-REQUEST-CLOSE", "CONN-OPAQUE", "CONN-PERSISTENT",
               "CONN-PIPELINE", "CONN-REQUEST-BODY-DISCARDED", "CONN-EXPECT-CONTINUE",
               "CONN-OPAQUE-REQUEST", "CALL-OK", "FLAG-BUFFER-DATA", "FLAG-ENABLE-NAGLING",
               "FLAG-PROCESS-RANGES", "FLAG-GOAWAY", "FLAG-AUTOMATIC-CHUNKING", "RESP-FLAGS",
               "SEND-CACHE-POLICY", "CALL-LOG-DATA", "CALL-BYTES-SENT-OPTIONAL",
               "RESP-INFO-MULTIPLE-KNOWN", "RESP-V2-WITHOUT-INFO")
# Request-side rules, most specific first: the first one a case names decides
# a delivery, a request line or a request-body read.
REQUEST_RULES = ("CONN-REQUEST-BODY-DISCARDED", "CONN-EXPECT-CONTINUE", "CONN-BAD-REQUEST",
                 "CONN-PIPELINE", "CONN-OPAQUE-REQUEST", "CONN-OPAQUE", "CONN-PERSISTENT")


def call_rule(model_res, default: str = "CALL-OK") -> str:
    """The rule that decided a call: the model's own answer (RESULT ... rule=)."""
    rule = getattr(model_res, "rule", None) if model_res is not None else None
    return rule or default


# Rules about a feature of an accepted call (a flag, a field): a call the model
# accepts that uses one is an assertion of that rule, not of CALL-OK alone.
FEATURE_FLAGS = ((0x4, "FLAG-BUFFER-DATA"), (0x8, "FLAG-ENABLE-NAGLING"),
                 (0x20, "FLAG-PROCESS-RANGES"), (0x100, "FLAG-GOAWAY"),
                 (0x200, "FLAG-AUTOMATIC-CHUNKING"))


def accepted_rules(call: Call) -> list[str]:
    """The rules an accepted call's return code answers to: one per feature it
    uses (flags, HTTP_RESPONSE Flags, cache policy, log data, no BytesSent,
    HTTP_RESPONSE_V2), else CALL-OK."""
    a = call.args
    found = [rule for bit, rule in FEATURE_FLAGS if call.flags & bit]
    if a.get("resp_flags"):
        found.append("RESP-FLAGS")
    if a.get("cache", "none") != "none":
        found.append("SEND-CACHE-POLICY")
    if a.get("log", "none") != "none":
        found.append("CALL-LOG-DATA")
    if a.get("bytes_sent") is False:
        found.append("CALL-BYTES-SENT-OPTIONAL")
    if a.get("multi_known"):
        found.append("RESP-INFO-MULTIPLE-KNOWN")
    elif a.get("response_version", 1) == 2:
        found.append("RESP-V2-WITHOUT-INFO")
    return found or ["CALL-OK"]


def bytes_sent_rule(call: Call) -> str:
    if call.fn == "response" and not call.args.get("overlapped"):
        return "CONN-BYTES-SENT-HEAD"
    return "CONN-BYTES-SENT"


def wait_rule(case: Case, call: Call) -> str:
    cancelled = any(c.fn == "cancel" and c.op == call.op for c in case.calls[:call.index - 1])
    return "CALL-CANCELLED" if cancelled else "CONN-ASYNC-RESULT"


def request_rule(case: Case) -> str:
    """Whether and how a request reaches the application."""
    for rule in REQUEST_RULES:
        if rule in case.rules:
            return rule
    return "CONN-PERSISTENT"


body_read_rule = request_rule


# ------------------------------------------------------------------ the head

class HeadContext:
    """What the call that wrote a head asked for, and the request it answers."""

    def __init__(self, case: Case, step: int | None):
        self.call = case.calls[step - 1] if step and 0 < step <= len(case.calls) else None
        a = self.call.args if self.call is not None else {}
        self.status = a.get("status", 200)
        self.flags = self.call.flags if self.call is not None else 0
        self.version = a.get("version", "1.1")
        self.known = {KNOWN_HEADERS[i].lower(): v for i, v in (a.get("known") or {}).items()}
        self.known |= {KNOWN_HEADERS[i].lower(): b"" for i in (a.get("known_null") or {})}
        self.unknown = {n.decode("latin-1").lower() for n, _ in (a.get("unknown") or [])}
        req = case.request(self.call.id) if self.call is not None else None
        parsed = parse_request(req.raw.replace(b"{host}", b"h")) if req is not None else None
        self.method = parsed["method"] if parsed else "GET"
        self.http10 = bool(parsed and parsed["version"] == "1.0")
        self.server_disabled = "WIRE-SERVER-DISABLED" in case.rules

    @property
    def bodiless(self) -> bool:
        return self.method == "HEAD" or self.status in (204, 304) or 100 <= self.status < 200


_HEAD_CONTEXTS: dict[tuple[int, int | None], tuple[Case, HeadContext]] = {}


def head_context(case: Case, step: int | None) -> HeadContext:
    """HeadContext(case, step), made once per case and step (a case with thousands
    of header lines would otherwise pay for them at every head it judges)."""
    key = (id(case), step)
    hit = _HEAD_CONTEXTS.get(key)
    if hit is None or hit[0] is not case:
        if len(_HEAD_CONTEXTS) > 4096:
            _HEAD_CONTEXTS.clear()
        hit = _HEAD_CONTEXTS[key] = (case, HeadContext(case, step))
    return hit[1]


def status_rule(ctx: HeadContext) -> str:
    return "WIRE-VERSION-IGNORED" if ctx.version != "1.1" else "WIRE-STATUS-LINE"


def body_rule(ctx: HeadContext) -> str:
    return "WIRE-BODY-NOT-SUPPRESSED" if ctx.bodiless else "WIRE-BODY"


def header_rule(line: bytes, ctx: HeadContext, missing: bool) -> str:
    """The rule a missing (or unexpected) header line breaks."""
    name = line.partition(b":")[0].decode("latin-1").strip().lower()
    if name == "server":
        return "WIRE-SERVER-DISABLED" if ctx.server_disabled else "WIRE-SERVER"
    if name == "date":
        return "WIRE-DATE"
    if name == "content-length":
        if name in ctx.known and ctx.known[name]:
            return "WIRE-CL-APP"
        if missing:
            return "WIRE-CL-AUTO"
        return _cl_none_rule(ctx)
    if name in ctx.known:
        return "WIRE-KNOWN-HEADER" if ctx.known[name] else "WIRE-KNOWN-EMPTY-OMITTED"
    if name in ctx.unknown:
        return "WIRE-UNKNOWN-HEADER"
    if name == "connection" and line.partition(b":")[2].strip().lower() == b"close":
        if ctx.http10:
            return "WIRE-CONNECTION-CLOSE"
        return "WIRE-CONNECTION-CLOSE-OTHER"
    return "WIRE-NOTHING-ELSE"


def _cl_none_rule(ctx: HeadContext) -> str:
    """Why the head must not carry an automatic Content-Length (WIRE-CL-AUTO's list)."""
    if ctx.flags & FLAG_MORE_DATA:
        return "WIRE-CL-NONE-MORE-DATA"
    if "transfer-encoding" in ctx.known and ctx.known["transfer-encoding"]:
        return "WIRE-CL-NONE-TE"
    if ctx.method == "HEAD":
        return "WIRE-CL-NONE-HEAD"
    if ctx.status == 204:
        return "WIRE-CL-NONE-NO-CONTENT"
    if 100 <= ctx.status < 200 or ctx.status == 304:
        return "WIRE-CL-NONE-1XX-304"
    return "WIRE-CL-AUTO"           # one is due, but with another value


# ------------------------------------------------------------------ the connection

def fate_rule(case: Case, conn: str, expected: str) -> str:
    """The rule that decides whether connection `conn` closes after its last response."""
    reqs = [r for r in case.requests if r.conn == conn]
    if not reqs:
        return "CONN-PERSISTENT"
    last = reqs[-1]
    calls = [c for c in case.calls if c.id == last.name and c.fn in ("response", "body")]
    heads = [c for c in calls if c.fn == "response"]
    ctx = head_context(case, heads[0].index) if heads else None
    if expected in ("closed", "not-closed"):
        if calls and calls[-1].flags & FLAG_DISCONNECT:
            return "CONN-DISCONNECT"
        if heads and heads[0].flags & FLAG_OPAQUE and heads[0].args.get("status") == 101:
            return "CONN-OPAQUE"
        parsed = parse_request(last.raw.replace(b"{host}", b"h"))
        if parsed is None:
            return "CONN-BAD-REQUEST"
        if ctx is not None and ctx.known.get("connection", b"").strip().lower() == b"close":
            return "CONN-APP-CLOSE"
        if parsed["version"] == "1.0":
            return "CONN-HTTP10-CLOSE"
        if any(n.lower() == "connection" and "close" in v.lower() for n, v in parsed["headers"]):
            return "CONN-REQUEST-CLOSE"
        for rule in ("CONN-DISCONNECT", "CONN-APP-CLOSE", "CONN-HTTP10-CLOSE",
                     "CONN-REQUEST-CLOSE", "CONN-OPAQUE", "CONN-BAD-REQUEST"):
            if rule in case.rules:
                return rule
        return "CONN-PERSISTENT"
    if calls and all(c.more_data for c in calls):
        return "CONN-MORE-DATA"
    return "CONN-PERSISTENT"


def stray_rule(case: Case, step: int | None, model) -> str:
    """Bytes that no successful call wrote: those of a refused call break the rule
    that refused it ("nothing is sent"); those of no call at all are the
    implementation's own answer to a request (CONN-BAD-REQUEST) or extra."""
    if step and 0 < step <= len(case.calls) and model is not None:
        res = model.call(step)
        if res is not None and getattr(res, "rule", None) and res.rule != "CALL-OK":
            return res.rule
    if any(parse_request(r.raw.replace(b"{host}", b"h")) is None for r in case.requests):
        return "CONN-BAD-REQUEST"
    return "WIRE-NOTHING-ELSE"
