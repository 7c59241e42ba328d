"""Generated exchanges as cases: open for the model's run, then with the model's
answer as the expectation; the signature of a deviation; the found case file.

An exchange (harness.explore_gen) has no expectations. `open_case` makes a
case of it that accepts anything (every return code, any byte count, every
connection probed), so the reference adapter's run says what the model does.
`expected_case` writes that answer into the case as a hand-written case would:
each call's code (with the codes the rule that decided it allows, spec
"Allowed"), the delivery of each receive step, the fate of each connection and
the model's wire; its rules are those the model named for each call and the
features each accepted call uses, so UNDEF and IMPL latitude is respected by
the judge as in the corpus.
"""

from __future__ import annotations

import hashlib
import re
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

from . import attribution as attr
from .cases import Case, case_from_data, load_case
from .outcome import Outcome
from .schema import FLAGS, check_case, level_fits, rule_level

OPEN_RC = [0, 997, "error"]
# The codes an implementation may return where a rule of class IMPL decides a
# refused call (the rule's "Allowed" line in spec/); the model's own code is
# always allowed.
RC_LATITUDE = {
    "CALL-HANDLE-INVALID": [6, 87],
    "CALL-CONN-GONE": [1229, 64],
    "SEND-RESPONSE-NULL": ["error"],
    "CALL-POINTER-NULL": ["error"],
    "CALL-CHUNK-TYPE": ["error"],
    "CALL-CHUNK-RANGE": ["error"],
    "SEND-AFTER-HEAD": ["error"],
    "BODY-BEFORE-HEAD": ["error"],
    "SEND-CACHE-POLICY-TYPE": ["error"],
    "CALL-LOG-DATA-TYPE": ["error"],
    "CALL-ID-FINISHED": ["error"],
}
# Rules of class IMPL whose "Allowed" lets the implementation ignore what the model
# refuses (spec/): the key of the call that the ignoring drops, and how.
# spec 1.3: the flags the model knows (all but AUTOMATIC_CHUNKING); the rest are unknown bits
KNOWN_FLAG_BITS = sum(v for name, v in FLAGS.items() if name != "AUTOMATIC_CHUNKING")
IGNORABLE = {
    "CALL-FLAG-UNKNOWN": "flags",
    "CALL-RESERVED1": "reserved1",
    "CALL-RESERVED2": "reserved2",
    "SEND-TRAILERS-RESERVED": "trailers",
    "SEND-CACHE-POLICY-TYPE": "cache",
    "CALL-LOG-DATA-TYPE": "log",
}
WIRE_MAX = 32768            # the model's wire is written into a case up to this size
FATES = {"open": "open", "closed": "closed"}
DATE_RE = re.compile(rb"Date: ([A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT)\r\n")


def open_case(ex: dict, rules: dict, cid: str = "explore") -> Case:
    """The exchange as a case that accepts any answer: the model's run of it."""
    calls = []
    for c in ex["calls"]:
        c = dict(c)
        if c["fn"] == "receive":
            c["expect"] = {"delivered": False}
        elif c["fn"] == "wait":
            c["expect"] = {"rc": OPEN_RC, "completion": "any"}
        elif c["fn"] in ("cancel", "resume"):
            pass
        elif c.get("overlapped") == "defer":
            c["expect"] = {"rc": OPEN_RC}
        else:
            c["expect"] = {"rc": OPEN_RC, "bytes_sent": "any", "completion": "any"}
        calls.append(c)
    conns = _conns(ex)
    data = {"id": cid, "title": "An explored exchange", "rules": ["CALL-OK"], "level": "INFO",
            "description": "An exchange drawn by harness.explore.", "requests": ex["requests"],
            "call": calls,
            "expect": {"connection": {c: "open" for c in conns} if len(conns) > 1 else "open"}}
    return case_from_data(check_case(_toml_shape(data), f"{cid}.toml", rules), rules)


def _toml_shape(d: dict) -> dict:
    """The dict as tomllib would give it for the file (request/call arrays)."""
    out = {k: v for k, v in d.items() if k not in ("requests", "call", "calls")}
    out["request"] = d["requests"]
    out["call"] = d.get("call") or d.get("calls")
    return out


def _conns(ex: dict) -> list[str]:
    conn_of: dict[str, str] = {}
    for r in ex["requests"]:
        if r.get("pipelined_with"):
            conn_of[r["name"]] = conn_of[r["pipelined_with"]]
        else:
            conn_of[r["name"]] = r.get("conn") or r["name"]
    return list(dict.fromkeys(conn_of.values()))


def expected_data(ex: dict, model: Outcome, rules: dict, cid: str, extra_rules=()) -> dict:
    """The exchange with the model's answer as its expectation (case data, TOML shape)."""
    calls, names = [], []
    for i, c in enumerate(ex["calls"], 1):
        c = dict(c)
        res = model.call(i)
        if c["fn"] == "receive":
            c["expect"] = {"delivered": bool(res.delivered)}
            c.setdefault("timeout_ms", 100)
            calls.append(c)
            continue
        if c["fn"] in ("cancel", "resume"):
            calls.append(c)
            continue
        if c["fn"] == "wait":
            cancelled = any(x["fn"] == "cancel" and x.get("op") == c["op"]
                            for x in ex["calls"][:i - 1])
            # CALL-CANCELLED (IMPL): a cancelled send completes with an error, how many
            # of its bytes went out is not specified; one that had completed reports 0
            # otherwise the count is judged against the bytes the deferred call put on
            # the wire (CONN-ASYNC-RESULT), not against the model's number: a head
            # without the Server line the model writes is that rule's deviation alone
            c["expect"] = ({"pending": True} if res.pending else
                           {"rc": list(dict.fromkeys([res.rc, 0, "error"])),
                            "completion": "any"} if cancelled else
                           {"rc": [res.rc]})
            names.append("CALL-CANCELLED" if cancelled else "CONN-ASYNC-RESULT")
            calls.append(c)
            continue
        rule = res.rule or "CALL-OK"
        rc = [res.rc] + [x for x in RC_LATITUDE.get(rule, []) if x != res.rc]
        if c.get("overlapped") and res.rc in (0, 997):
            rc.append(997 if res.rc == 0 else 0)    # CONN-ASYNC-RESULT: either, accepted
        c["expect"] = {"rc": rc}
        if rule == "CALL-OK" and res.rc in (0, 997):
            names += attr.accepted_rules(_CallView(c))
        else:
            names.append(rule)
        calls.append(c)
    if any(r.get("pipelined_with") or r.get("conn") for r in ex["requests"]):
        names.append("CONN-PIPELINE" if any(r.get("pipelined_with") for r in ex["requests"])
                     else "CONN-PERSISTENT")
    names += list(extra_rules)
    names = [n for n in dict.fromkeys(names) if n in rules]
    conns = _conns(ex)
    fates = {c: FATES.get(model.conns[c].fate, "any") if c in model.conns else "any"
             for c in conns}
    # CONN-APP-CLOSE (IMPL) and the end of opaque mode (CONN-OPAQUE's Allowed): the
    # connection closes, or it stays open
    for c in _app_close_conns(ex) | _opaque_conns(ex):
        if c in fates:
            fates[c] = "any"
    expect: dict = {"connection": fates if len(conns) > 1 else fates[conns[0]]}
    wires = {c: model.conns[c].wire if c in model.conns else b"" for c in conns}
    if all(len(w) <= WIRE_MAX and (c not in model.conns or not model.conns[c].overflow)
           for c, w in wires.items()):
        wires = {c: _dated(w).decode("latin-1") for c, w in wires.items()}
        expect["wire"] = wires if len(conns) > 1 else wires[conns[0]]
        other = _close_other(ex, wires) if len(conns) == 1 else None
        if other is not None:
            expect["wire_alternatives"] = [other]
            names.append("WIRE-CONNECTION-CLOSE-OTHER")
    names = list(dict.fromkeys(names))
    level = rule_level({rules[n].cls for n in names})
    return {"id": cid, "title": "An explored exchange", "rules": names or ["CALL-OK"],
            "level": level, "description": "An exchange drawn by harness.explore.",
            "requests": ex["requests"], "calls": calls, "expect": expect}


def _conns_of_calls(ex: dict, test) -> set[str]:
    """The connections of the calls for which test(call) holds."""
    names = {r["name"]: r.get("conn", r["name"]) for r in ex["requests"]}
    return {names.get(c.get("id"), c.get("id")) for c in ex["calls"] if test(c)}


def _app_close_conns(ex: dict) -> set[str]:
    """Connections of calls that give a known Connection header with "close"."""
    return _conns_of_calls(ex, lambda c: "close" in str(
        (c.get("known") or {}).get("Connection", "")).lower())


def _opaque_conns(ex: dict) -> set[str]:
    """Connections of calls with the OPAQUE flag."""
    return _conns_of_calls(ex, lambda c: c.get("flags") is not None
                           and bool(_flags_int(c["flags"]) & FLAGS["OPAQUE"]))


def ignored_variant(ex: dict, model: Outcome, rule: str) -> dict | None:
    """The exchange as an implementation that takes `rule`'s other allowed way (an
    IGNORABLE rule: the parameter ignored) would run it: that parameter dropped from
    every call the model refused under `rule` (for CALL-FLAG-UNKNOWN, the unknown
    bits cleared). None when no call was refused under it."""
    key = IGNORABLE.get(rule)
    if key is None:
        return None
    calls, changed = [], False
    for i, c in enumerate(ex["calls"], 1):
        res = model.call(i)
        if res is not None and res.rule == rule and key in c:
            c = dict(c)
            if key == "flags":
                c["flags"] = _flags_int(c["flags"]) & KNOWN_FLAG_BITS
                if not c["flags"]:
                    del c["flags"]
            else:
                del c[key]
            changed = True
        calls.append(c)
    return {**ex, "calls": calls} if changed else None


def _flags_int(flags) -> int:
    return flags if isinstance(flags, int) else sum(FLAGS[n] for n in flags)


def _close_other(ex: dict, wires: dict) -> str | None:
    """WIRE-CONNECTION-CLOSE-OTHER (IMPL): on HTTP/1.1 requests, with no Connection header
    from the application, the generated Connection: close line may be absent; the wire
    without it, when it has one."""
    if any(" HTTP/1.0\r\n" in r["raw"] for r in ex["requests"]):
        return None
    if any("Connection" in (c.get("known") or {}) or "Connection" in (c.get("known_null") or {})
           for c in ex["calls"]):
        return None
    wire = next(iter(wires.values()))
    if "\r\nConnection: close\r\n" not in wire:
        return None
    return wire.replace("\r\nConnection: close\r\n", "\r\n")


def received_twice(data: dict) -> bool:
    """A receive step for a request that an earlier step already got (the case format
    has no such step: harness/README.md, receive steps)."""
    got: set[str] = set()
    for c in data["calls"]:
        if c["fn"] == "receive":
            if c["id"] in got:
                return True
            if c["expect"]["delivered"]:
                got.add(c["id"])
    return False


class _CallView:
    """Enough of harness.cases.Call for attribution.accepted_rules on case data."""

    def __init__(self, c: dict):
        flags = c.get("flags", 0)
        self.flags = sum(FLAGS[n] for n in flags) if isinstance(flags, list) else flags
        self.args = {k: v for k, v in c.items() if k not in ("fn", "id", "expect")}


def _dated(wire: bytes) -> bytes:
    """The generated Date lines (within 5 minutes of now) as <date>, as cases write them."""
    now = time.time()

    def sub(m: re.Match) -> bytes:
        try:
            when = parsedate_to_datetime(m.group(1).decode()).timestamp()
        except (TypeError, ValueError):
            return m.group(0)
        return b"Date: <date>\r\n" if abs(when - now) <= 300 else m.group(0)
    return DATE_RE.sub(sub, wire)


def _strs(v):
    """Bytes as the latin-1 strings tomllib would have given for them."""
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, dict):
        return {k: _strs(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_strs(x) for x in v]
    return v


def as_case(data: dict, rules: dict) -> Case:
    data = _strs(data)
    if not level_fits(data["level"], {rules[r].cls for r in data["rules"]}):
        data["level"] = rule_level({rules[r].cls for r in data["rules"]})
    return case_from_data(check_case(_toml_shape(data), f"{data['id']}.toml", rules), rules)


# ------------------------------------------------------------------ deviations

def general_subject(subject: str) -> str:
    """A subject with its numbers and request names generalised: `call N`, `response N on R`."""
    s = re.sub(r"\b(r|conn|c)\d+\b", "R", subject)
    return re.sub(r"\d+", "N", s)


def signature(res) -> tuple[str, str, str] | None:
    """The deviation of a judged exchange: (rule, kind, general subject) of its first
    failing assertion that no expectation names and that follows from no other; None
    when the exchange passes (or fails only as expected)."""
    if res.verdict not in ("FAIL", "CRASH", "TIMEOUT", "ERROR"):
        return None
    if res.verdict == "ERROR":
        return ("ERROR", "error", re.sub(r"\d+", "N", res.summary.split(":")[0])[:60])
    unexpected = set(map(tuple, res.unexpected)) if res.unexpected else None
    failing = [a for a in res.assertions if a.failed and not _allowed(a)
               and (unexpected is None or a.signature in unexpected)]
    roots = [a for a in failing if a.consequence_of is None] or failing
    if not roots:
        return None
    a = roots[0]
    return (a.rule, a.kind, general_subject(a.subject))


def _allowed(a) -> bool:
    """A failure the IMPL latitude allows where a case would write a wire alternative:
    no generated Connection: close line (WIRE-CONNECTION-CLOSE-OTHER), on any connection;
    an automatic Content-Length on a 1xx or 304 response (WIRE-CL-NONE-1XX-304; its
    value is not checked here, so a wrong number there goes unreported)."""
    if a.rule == "WIRE-CONNECTION-CLOSE-OTHER":
        return a.kind == "header" and a.actual == "(no such line)"
    if a.rule == "WIRE-CL-NONE-1XX-304":
        return (a.kind == "header" and a.expected == "(no such line)"
                and re.fullmatch(r"Content-Length: \d+", a.actual or "") is not None)
    return False


def short_hash(sig: tuple) -> str:
    return hashlib.sha1("|".join(sig).encode()).hexdigest()[:8]


def sizes(ex: dict) -> dict:
    """The size of an exchange: API calls, header lines set, entity bytes."""
    calls = [c for c in ex["calls"] if c["fn"] in ("response", "body")]
    headers = sum(len(c.get("known") or {}) + len(c.get("unknown") or []) for c in calls)
    body = 0
    for c in calls:
        for ch in c.get("chunks") or []:
            if "memory" in ch:
                body += len(ch["memory"])
            elif "fill" in ch:
                body += ch["length"]
            elif "file" in ch or "fragment_ex" in ch:
                data = ch.get("file", ch.get("content", ""))
                n = ch.get("length", "eof")
                body += len(data) - ch.get("start", 0) if n == "eof" else n
            elif "fragment" in ch:
                body += len(ch.get("content", ""))
    return {"calls": len(calls), "headers": headers, "body_bytes": body}


HEADER = "# Found by python3 -m harness.explore: review it, then keep it in cases/ or drop it.\n"


def write_found(data: dict, out_dir: Path, rules: dict) -> Path:
    """Write a found case (data from expected_data with id, title, description set) as
    cases-style TOML; the file is loaded back and must be a valid case."""
    from tools.casegen.toml_out import GENERATED, case_toml
    data = dict(data, expect=dict(data["expect"]))
    wire = data["expect"].get("wire")
    if isinstance(wire, str):
        data["expect"]["wire"] = wire.encode("latin-1")
    elif isinstance(wire, dict):
        data["expect"]["wire"] = {c: w.encode("latin-1") for c, w in wire.items()}
    if data["expect"].get("wire_alternatives"):
        data["expect"]["wire_alternatives"] = [w.encode("latin-1")
                                               for w in data["expect"]["wire_alternatives"]]
    text = case_toml(data).replace(GENERATED, HEADER, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{data['id']}.toml"
    path.write_text(text)
    load_case(path, rules)          # raises CaseSchemaError if the writer got it wrong
    return path
