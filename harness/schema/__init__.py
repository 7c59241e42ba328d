"""The case schema: a hand-written validator for cases/<area>/<id>.toml.

`check_case(data, file, rules)` takes the dict tomllib produced, checks every
field and returns the case as plain, normalised data (byte strings as bytes,
flags as numbers, defaults filled in). All problems are collected and raised
together as one CaseSchemaError whose lines each name the file and the field,
for example::

    cases/wire/x.toml: call[2].chunks[1].memory: expected a byte string, got 12

Field paths count array entries from 1 (call[1] is the first [[call]]).
The format itself is documented in harness/CASES.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..request import curl_expressible, raw_reason
from .validate import case_schema_errors

LEVELS = ("MUST", "SHOULD", "IMPL", "UNDEF", "INFO")
VIAS = ("curl", "raw")
FATES = ("open", "closed", "any")
ORDERS = ("any", "strict")
CAPS = ("memory", "body", "file", "fragment", "overlapped", "opaque", "recv-body",
        "fill", "defer", "response-v2")           # the last three: protocol version 1.1

# HTTP_HEADER_ID 0..29 for a response (spec 01-interface.md, section 1.4).
KNOWN_HEADERS = (
    "Cache-Control", "Connection", "Date", "Keep-Alive", "Pragma", "Trailer",
    "Transfer-Encoding", "Upgrade", "Via", "Warning", "Allow", "Content-Length",
    "Content-Type", "Content-Encoding", "Content-Language", "Content-Location",
    "Content-MD5", "Content-Range", "Expires", "Last-Modified", "Accept-Ranges",
    "Age", "ETag", "Location", "Proxy-Authenticate", "Retry-After", "Server",
    "Set-Cookie", "Vary", "WWW-Authenticate",
)
KNOWN_INDEX = {name.lower(): i for i, name in enumerate(KNOWN_HEADERS)}

# HTTP_SEND_RESPONSE_FLAG_* (spec 01-interface.md, section 1.3).
FLAGS = {
    "DISCONNECT": 0x1,
    "MORE_DATA": 0x2,
    "BUFFER_DATA": 0x4,
    "ENABLE_NAGLING": 0x8,
    "PROCESS_RANGES": 0x20,
    "OPAQUE": 0x40,
    "GOAWAY": 0x100,
    "AUTOMATIC_CHUNKING": 0x200,
}
FLAG_MORE_DATA = FLAGS["MORE_DATA"]

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REF_RE = re.compile(r"^[A-Za-z0-9_]+$")
HEXID_RE = re.compile(r"^0x[0-9a-fA-F]{1,16}$")
RESERVED_REF_PREFIX = "hsprobe"

INFO_FLAGS = {"PRESERVE_ORDER": 0x1}      # HTTP_RESPONSE_INFO_FLAGS_*
FNS = ("response", "body", "recv_body", "receive", "wait", "cancel", "resume")
STEP_FNS = ("wait", "cancel", "resume")     # no adapter call of the API
# A receive step that expects no delivery waits this long (ms) for the request by default;
# one that expects a delivery waits as long as an ordinary RECEIVE.
RECEIVE_QUIET_MS = 100
RECEIVE_MAX_MS = 3000
CHUNK_KINDS = ("memory", "memory_null", "fill", "file", "fragment", "fragment_ex", "type")
U16 = 0xFFFF
U32 = 0xFFFFFFFF
# Caps on every size a case can ask for (harness/CASES.md, "Caps and bad input"), checked
# here so that no case can make the harness or an adapter build more than a bounded amount.
BYTES_MAX = 1 << 20             # one byte string ({repeat, count} included)
CALL_BYTES_MAX = 16 << 20       # the bytes a call's arguments hold (chunk data, headers, reason)
CALL_FILL_MAX = 64 << 20        # the fill bytes of one call, all its fill chunks together
CALL_ITEMS_MAX = 100_000        # chunks (times included) and headers of one call, each
U64 = 0xFFFFFFFFFFFFFFFF


class CaseSchemaError(ValueError):
    """One or more problems in one case file; `errors` holds one line each."""

    def __init__(self, file: str, errors: list[str]):
        self.file = file
        self.errors = errors
        super().__init__("\n".join(f"{file}: {e}" for e in errors))


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.errors: list[str] = []

    def err(self, field: str, message: str) -> None:
        self.errors.append(f"{field}: {message}")

    # -- scalar helpers: each returns the value or None after recording an error
    def string(self, v: Any, field: str, *, empty: bool = False) -> str | None:
        if not isinstance(v, str):
            self.err(field, f"expected a string, got {_show(v)}")
            return None
        if not empty and not v.strip():
            self.err(field, "must not be empty")
            return None
        return v

    def integer(self, v: Any, field: str, lo: int = 0, hi: int = U64) -> int | None:
        if isinstance(v, bool) or not isinstance(v, int):
            self.err(field, f"expected an integer, got {_show(v)}")
            return None
        if not lo <= v <= hi:
            self.err(field, f"{v} is out of range {lo}..{hi}")
            return None
        return v

    def boolean(self, v: Any, field: str) -> bool | None:
        if isinstance(v, bool):
            return v
        if isinstance(v, int) and v in (0, 1):
            return bool(v)
        self.err(field, f"expected true/false, got {_show(v)}")
        return None

    def choice(self, v: Any, field: str, choices: tuple[str, ...]) -> str | None:
        if v not in choices:
            self.err(field, f"expected one of {', '.join(map(repr, choices))}, got {_show(v)}")
            return None
        return v

    def byte_string(self, v: Any, field: str) -> bytes | None:
        """A byte string: a TOML string whose characters are all <= U+00FF (each
        character is one byte), or {hex = "..."}, or {repeat = "...", count = N}."""
        if isinstance(v, str):
            if len(v) > BYTES_MAX:
                self.err(field, f"{len(v)} bytes is more than the {BYTES_MAX} a byte string "
                                "may hold")
                return None
            try:
                return v.encode("latin-1")
            except UnicodeEncodeError as exc:
                bad = v[exc.start]
                self.err(field, f"character {bad!r} (U+{ord(bad):04X}) at index {exc.start} is "
                                "not a byte; write bytes 0x80..0xFF as \\u0080..\\u00ff")
                return None
        if isinstance(v, dict):
            if set(v) == {"hex"} and isinstance(v["hex"], str):
                text = re.sub(r"\s+", "", v["hex"])
                if len(text) > 2 * BYTES_MAX:
                    self.err(field + ".hex", f"{len(text) // 2} bytes is more than the "
                                             f"{BYTES_MAX} a byte string may hold")
                    return None
                try:
                    return bytes.fromhex(text)
                except ValueError:
                    self.err(field + ".hex", f"not hex: {v['hex']!r}")
                    return None
            if set(v) == {"repeat", "count"}:
                unit = self.byte_string(v["repeat"], field + ".repeat")
                count = self.integer(v["count"], field + ".count", 0, 10_000_000)
                if unit is None or count is None:
                    return None
                if len(unit) * count > BYTES_MAX:
                    self.err(field, f"{len(unit)} x {count} bytes is more than the "
                                    f"{BYTES_MAX} a byte string may hold")
                    return None
                return unit * count
        self.err(field, f"expected a byte string (a string, {{hex = ...}} or "
                        f"{{repeat = ..., count = N}}), got {_show(v)}")
        return None



def _show(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."


def rule_level(classes: set[str]) -> str:
    """The level a set of rule classes implies (see harness/README.md)."""
    if "UNDEF" in classes:
        return "UNDEF"
    if "IMPL" in classes:
        return "IMPL"
    return "MUST"


def level_fits(level: str, classes: set[str]) -> bool:
    derived = rule_level(classes)
    if level == "INFO" or level == derived:
        return True
    return level == "SHOULD" and derived in ("MUST", "IMPL")


def _check_request(c: _Checker, r: Any, i: int, names: set[str]) -> dict | None:
    f = f"request[{i}]"                     # the structure: case.schema.json
    name = r["name"]
    if name is not None:
        if name == "null" or name.startswith(RESERVED_REF_PREFIX):
            c.err(f + ".name", f"{name!r} is reserved")
        elif name in names:
            c.err(f + ".name", f"duplicate request name {name!r}")
        names.add(name)
    raw = c.byte_string(r["raw"], f + ".raw")
    if raw is not None and not raw:
        c.err(f + ".raw", "must not be empty")
    close = c.boolean(r.get("close_after_send", False), f + ".close_after_send")
    pause = c.boolean(r.get("pause_reading", False), f + ".pause_reading")
    then = c.byte_string(r["then"], f + ".then") if "then" in r else None
    conn = r.get("conn", name)
    pipelined = None
    if "pipelined_with" in r:
        pipelined = c.string(r["pipelined_with"], f + ".pipelined_with")
        if pipelined is not None and pipelined == name:
            c.err(f + ".pipelined_with", "a request cannot be pipelined with itself")
            pipelined = None
    why_not = curl_expressible(raw) if raw is not None else "no request"
    why_raw = c.string(r["why_raw"], f + ".why_raw") if "why_raw" in r else None
    if "via" in r:
        via = c.choice(r["via"], f + ".via", VIAS)
        if via == "curl" and why_not:
            c.err(f + ".via", f"curl cannot send this request: {why_not}")
        if via == "curl" and (close or then is not None):
            c.err(f + ".via", "curl cannot be used with close_after_send or then")
    else:
        via = "raw" if (why_not or close or then is not None) else "curl"
    return {"name": name, "raw": raw, "via": via, "why_raw": why_raw, "conn": conn,
            "close_after_send": bool(close), "then": then, "pipelined_with": pipelined,
            "pause_reading": bool(pause),
            "_via_given": "via" in r, "_conn_given": "conn" in r}


def _check_pipelining(c: _Checker, requests: list[dict]) -> None:
    """pipelined_with names an earlier request; the request shares its connection."""
    seen: dict[str, dict] = {}
    for n, r in enumerate(requests, 1):
        p = r.get("pipelined_with")
        f = f"request[{n}].pipelined_with"
        if p is not None:
            partner = seen.get(p)
            if partner is None:
                c.err(f, f"{p!r} is not the name of an earlier request of this case")
                r["pipelined_with"] = None
            else:
                if r["_conn_given"] and r["conn"] != partner["conn"]:
                    c.err(f"request[{n}].conn", f"a request pipelined with {p!r} goes on its "
                                                f"connection {partner['conn']!r}")
                r["conn"] = partner["conn"]
                if partner["close_after_send"]:
                    c.err(f, f"{p!r} has close_after_send: the client would close the "
                             "connection before this request could be delivered")
        if r["name"] is not None:
            seen[r["name"]] = r


# ---------------------------------------------------------------- calls

def _check_flags(c: _Checker, v: Any, field: str) -> int | None:
    if isinstance(v, list):
        total = 0
        for j, name in enumerate(v, 1):
            if isinstance(name, str) and name.upper().removeprefix("HTTP_SEND_RESPONSE_FLAG_") in FLAGS:
                total |= FLAGS[name.upper().removeprefix("HTTP_SEND_RESPONSE_FLAG_")]
            elif isinstance(name, int) and not isinstance(name, bool) and 0 <= name <= U32:
                total |= name
            else:
                c.err(f"{field}[{j}]", f"unknown flag {_show(name)} "
                                       f"(known: {', '.join(FLAGS)}, or a number)")
                return None
        return total
    return c.integer(v, field, 0, U32)


def _check_chunks(c: _Checker, v: Any, field: str) -> list[dict] | None:
    out: list[dict] = []
    for j, ch in enumerate(v, 1):
        f = f"{field}[{j}]"
        kind = next(k for k in CHUNK_KINDS if k in ch)      # exactly one: case.schema.json
        times = c.integer(ch.get("times", 1), f + ".times", 1, 100_000)
        item: dict[str, Any] = {"kind": kind}
        if kind == "memory":
            item["data"] = c.byte_string(ch["memory"], f + ".memory")
        elif kind == "memory_null":
            item["length"] = c.integer(ch["memory_null"], f + ".memory_null", 0, U32)
        elif kind == "fill":
            # LEN copies of one byte, made by the adapter (protocol 1.1, chunk fill:)
            byte = c.byte_string(ch["fill"], f + ".fill")
            if byte is not None and len(byte) != 1:
                c.err(f + ".fill", f"expected exactly one byte, got {len(byte)}")
            item["byte"] = byte
            item["length"] = c.integer(ch["length"], f + ".length", 0, U32)
        elif kind == "type":
            item["type"] = c.integer(ch["type"], f + ".type", 0, U32)
        else:
            if kind == "file":
                item["data"] = c.byte_string(ch["file"], f + ".file")
            else:
                item["name"] = c.byte_string(ch[kind], f + "." + kind)
                missing = c.boolean(ch.get("missing", False), f + ".missing")
                if missing and "content" in ch:
                    c.err(f + ".missing", "give either content or missing = true")
                if not missing and "content" not in ch:
                    c.err(f + ".content", "missing (or say missing = true)")
                item["data"] = (None if missing else
                                c.byte_string(ch.get("content", ""), f + ".content"))
            if kind in ("file", "fragment_ex"):
                item["start"] = c.integer(ch.get("start", 0), f + ".start", 0, U64)
                length = ch.get("length", "eof")
                item["length"] = ("eof" if length == "eof"
                                  else c.integer(length, f + ".length", 0, U64))
        if len(out) + (times or 1) > CALL_ITEMS_MAX:
            c.err(f + ".times", f"more than the {CALL_ITEMS_MAX} chunks a call may have "
                                "(times counted)")
            return out
        out.extend([item] * (times or 1))
    return out


def _check_call_expect(c: _Checker, v: Any, field: str, fn: str) -> dict:
    out: dict[str, Any] = {}
    if fn == "recv_body":
        data = v.get("data", "any")
        out["data"] = "any" if data == "any" else c.byte_string(data, field + ".data")
        return out
    rc = v.get("rc")
    if rc is None:
        c.err(field + ".rc", "missing: list the return codes that conform")
    else:
        rc = [rc] if isinstance(rc, int) else rc
    out["rc"] = rc
    for key in ("bytes_sent", "completion"):
        val = v.get(key, "default")
        f = f"{field}.{key}"
        if val in ("any", "unset", "default"):
            out[key] = val
        elif isinstance(val, list):
            alts = []
            for j, x in enumerate(val, 1):
                if x == "unset":
                    alts.append(x)
                else:
                    alts.append(c.integer(x, f"{f}[{j}]", 0, U32))
            out[key] = alts
        else:
            out[key] = c.integer(val, f, 0, U32)
    return out


def _check_call(c: _Checker, v: Any, i: int, req_names: set[str]) -> dict | None:
    f = f"call[{i}]"                        # the structure: case.schema.json
    fn = v["fn"]
    if fn in STEP_FNS:
        return _check_step(c, v, f, fn, req_names)
    call: dict[str, Any] = {"fn": fn}
    ident = v["id"]
    if not (ident == "null" or HEXID_RE.match(ident) or ident in req_names):
        c.err(f + ".id", f"{_show(ident)} is not a request name of this case, "
                         "\"null\" or \"0x...\"")
    call["id"] = ident
    if fn == "receive":
        if ident is not None and ident not in req_names:
            c.err(f + ".id", "a receive step needs a request name")
        delivered = c.boolean(v["expect"]["delivered"], f + ".expect.delivered")
        call["expect"] = {"delivered": delivered}
        call["timeout_ms"] = (c.integer(v["timeout_ms"], f + ".timeout_ms", 1, RECEIVE_MAX_MS)
                              if "timeout_ms" in v else
                              RECEIVE_QUIET_MS if delivered is False else None)
        return call
    if fn == "recv_body":
        if ident not in req_names:
            c.err(f + ".id", "recv_body needs a request name")
        call["max"] = c.integer(v.get("max", 65536), f + ".max", 1, 1 << 24)
        call["expect"] = _check_call_expect(c, v.get("expect"), f + ".expect", fn)
        return call
    call["flags"] = _check_flags(c, v.get("flags", 0), f + ".flags")
    call["queue"] = c.choice(v.get("queue", "valid"), f + ".queue", ("valid", "invalid"))
    call["reserved1"] = c.boolean(v.get("reserved1", False), f + ".reserved1")
    call["reserved2"] = c.integer(v.get("reserved2", 0), f + ".reserved2", 0, U32)
    call["bytes_sent"] = c.boolean(v.get("bytes_sent", True), f + ".bytes_sent")
    ov = v.get("overlapped", False)
    call["overlapped"] = "defer" if ov == "defer" else c.boolean(ov, f + ".overlapped")
    call["op"] = None
    if ov == "defer":
        if "op" not in v:
            c.err(f + ".op", "missing: a deferred call (overlapped = \"defer\") needs a name")
        else:
            call["op"] = _op_name(c, v["op"], f + ".op")
        exp = v.get("expect")
        if isinstance(exp, dict) and ("completion" in exp or "bytes_sent" in exp):
            c.err(f + ".expect", "a deferred call's completion is checked by a wait step, and "
                                 "its BytesSent is not judged")
    elif "op" in v:
        c.err(f + ".op", "only for overlapped = \"defer\"")
    log = v.get("log", "none")
    call["log"] = "none" if log == "none" else c.integer(log, f + ".log", 0, U32)
    call["chunks"] = _check_chunks(c, v.get("chunks", []), f + ".chunks")
    call["chunks_null"] = (c.integer(v["chunks_null"], f + ".chunks_null", 0, U16)
                           if "chunks_null" in v else None)
    if "chunks_null" in v and v.get("chunks"):
        c.err(f + ".chunks_null", "give either chunks or chunks_null")
    if fn == "response":
        call["status"] = c.integer(v.get("status", 200), f + ".status", 0, U16)
        call["reason"] = c.byte_string(v.get("reason", ""), f + ".reason")
        call["reason_null"] = (c.integer(v["reason_null"], f + ".reason_null", 0, U16)
                               if "reason_null" in v else None)
        if "reason_null" in v and "reason" in v:
            c.err(f + ".reason_null", "give either reason or reason_null")
        call["version"] = v.get("version", "1.1")
        call["resp_flags"] = c.integer(v.get("resp_flags", 0), f + ".resp_flags", 0, U32)
        call["known"] = _check_known(c, v.get("known", {}), f + ".known", values=True)
        call["known_null"] = _check_known(c, v.get("known_null", {}), f + ".known_null",
                                          values=False)
        call["unknown"] = _check_unknown(c, v.get("unknown", []), f + ".unknown")
        call["unknown_null"] = (c.integer(v["unknown_null"], f + ".unknown_null", 0, U16)
                                if "unknown_null" in v else None)
        if "unknown_null" in v and v.get("unknown"):
            c.err(f + ".unknown_null", "give either unknown or unknown_null")
        trailers = v.get("trailers", {})
        call["trailers"] = (trailers.get("count", 0), bool(trailers.get("pointer", False)))
        cache = v.get("cache", "none")
        call["cache"] = ("none" if cache == "none"
                         else (cache["policy"], cache.get("seconds", 0)))
        call["response"] = c.choice(v.get("response", "given"), f + ".response", ("given", "null"))
        call["multi_known"] = _check_multi_known(c, v.get("multi_known", []), f + ".multi_known")
        rv = v.get("response_version", 2 if call["multi_known"] else 1)
        call["response_version"] = c.choice(rv, f + ".response_version", (1, 2))
        if call["multi_known"] and rv != 2:
            c.err(f + ".response_version", "multi_known needs response_version = 2")
    _check_call_size(c, call, f)
    call["expect"] = _check_call_expect(c, v.get("expect"), f + ".expect", fn)
    return call


def _check_call_size(c: _Checker, call: dict, f: str) -> None:
    """CALL_ITEMS_MAX, CALL_BYTES_MAX and CALL_FILL_MAX (times counted) for one call."""
    chunks = call.get("chunks") or []
    unknown = call.get("unknown") or []
    fill = sum(ch.get("length") or 0 for ch in chunks if ch["kind"] == "fill")
    if fill > CALL_FILL_MAX:
        c.err(f + ".chunks", f"{fill} fill bytes (times counted) is more than the "
                             f"{CALL_FILL_MAX} a call may have")
    size = sum(len(ch.get("data") or b"") + len(ch.get("name") or b"")
               for ch in chunks if ch["kind"] != "fill")
    size += sum(len(n) + len(v) for n, v in unknown)
    size += sum(len(x or b"") for x in (call.get("known") or {}).values())
    size += sum(len(x) for _, _, vals in call.get("multi_known") or [] for x in vals)
    size += len(call.get("reason") or b"")
    if size > CALL_BYTES_MAX:
        c.err(f, f"{size} bytes of arguments (chunk data, headers, reason; times counted) "
                 f"is more than the {CALL_BYTES_MAX} a call may have")


def _op_name(c: _Checker, v: Any, field: str) -> str | None:
    name = c.string(v, field)
    if name is not None and not (REF_RE.match(name) and len(name) <= 64):
        c.err(field, f"{name!r} must match [A-Za-z0-9_]+ (at most 64 characters)")
        return None
    return name


def _check_step(c: _Checker, v: dict, f: str, fn: str, req_names: set[str]) -> dict:
    """wait / cancel (a deferred call's op) and resume (a paused request); which op
    or request they name is checked with the whole case (_check_ops)."""
    step: dict[str, Any] = {"fn": fn, "id": None, "op": None, "expect": {}}
    if fn == "resume":
        ident = v.get("id")
        if ident not in req_names:
            c.err(f + ".id", f"{_show(ident)} is not a request name of this case")
        step["id"] = ident
        return step
    step["op"] = v["op"]
    if fn == "cancel":
        return step
    exp = v["expect"]
    if "pending" in exp:
        if set(exp) != {"pending"}:
            c.err(f + ".expect", "give either pending = true or rc (and completion)")
        step["expect"] = {"pending": True}
    else:
        got = _check_call_expect(c, {k: x for k, x in exp.items() if k in ("rc", "completion")},
                                 f + ".expect", "wait")
        step["expect"] = {"rc": got["rc"], "completion": got["completion"]}
    step["timeout_ms"] = (c.integer(v["timeout_ms"], f + ".timeout_ms", 1, RECEIVE_MAX_MS)
                          if "timeout_ms" in v else
                          RECEIVE_QUIET_MS if step["expect"].get("pending") else None)
    return step


def _check_ops(c: _Checker, requests: list[dict], calls: list[dict]) -> None:
    """Deferred calls have distinct op names; wait and cancel name an op of an
    earlier deferred call (and get its request as their id); resume names a
    request with pause_reading."""
    ops: dict[str, dict] = {}
    paused = {r["name"] for r in requests if r.get("pause_reading")}
    deferred_on = {call["id"] for call in calls if call.get("op") and call["fn"] in ("response", "body")}
    for n, r in enumerate(requests, 1):
        if r.get("pause_reading") and r["name"] not in deferred_on:
            c.err(f"request[{n}].pause_reading", "the client stops reading at the first deferred "
                                                 "call (overlapped = \"defer\") on the request, "
                                                 "and it has none")
    for i, call in enumerate(calls, 1):
        f = f"call[{i}]"
        if call["fn"] in ("response", "body") and call.get("op"):
            if call["op"] in ops:
                c.err(f + ".op", f"op {call['op']!r} is already the name of an earlier call")
            else:
                ops[call["op"]] = call
        elif call["fn"] in ("wait", "cancel") and call.get("op"):
            owner = ops.get(call["op"])
            if owner is None:
                c.err(f + ".op", f"{call['op']!r} is not the op of an earlier deferred call")
            else:
                call["id"] = owner["id"]
        elif call["fn"] == "resume" and call.get("id") is not None and call["id"] not in paused:
            c.err(f + ".id", f"request {call['id']!r} has no pause_reading = true")


def _check_multi_known(c: _Checker, v: Any, field: str) -> list[tuple[int, int, list[bytes]]]:
    """[{ header = "WWW-Authenticate", flags = ["PRESERVE_ORDER"], values = [...] }, ...]"""
    out: list[tuple[int, int, list[bytes]]] = []
    for j, item in enumerate(v, 1):               # the structure: case.schema.json
        f = f"{field}[{j}]"
        idx = KNOWN_INDEX[item["header"].lower()]
        flags = item.get("flags", 0)
        if isinstance(flags, list):
            flags = sum(INFO_FLAGS[name] for name in set(flags))
        values = item["values"]
        vals = [c.byte_string(x, f"{f}.values[{k}]") for k, x in enumerate(values, 1)]
        for k, x in enumerate(vals, 1):
            if x is not None and len(x) > U16:
                c.err(f"{f}.values[{k}]", "value longer than 65535 bytes")
        if None not in vals:
            out.append((idx, flags, vals))
    return out


def _check_steps(c: _Checker, requests: list[dict], calls: list[dict]) -> None:
    """A receive step comes before anything else delivers its request; a pipelined
    request is named by a step (it cannot be delivered before the calls start)."""
    delivered_at: dict[str, int] = {}
    named: set[str] = set()
    for i, call in enumerate(calls, 1):
        rid = call.get("id")
        if not isinstance(rid, str):
            continue
        named.add(rid)
        if call["fn"] == "receive":
            if rid in delivered_at:
                c.err(f"call[{i}].id", f"request {rid!r} was already delivered by "
                                       f"call[{delivered_at[rid]}]: a receive step must come "
                                       "before every call that uses its request")
            elif call["expect"].get("delivered"):
                delivered_at[rid] = i
        else:
            delivered_at.setdefault(rid, i)
    for n, r in enumerate(requests, 1):
        if r.get("pipelined_with") and r["name"] not in named:
            c.err(f"request[{n}].pipelined_with",
                  f"request {r['name']!r} must be named by a call or a receive step: it is "
                  f"delivered only after the response to {r['pipelined_with']!r}")


def _check_known(c: _Checker, v: Any, field: str, *, values: bool) -> dict[int, Any]:
    out: dict[int, Any] = {}
    for name, val in v.items():                   # known header names: case.schema.json
        idx = KNOWN_INDEX[name.lower()]
        f = f"{field}.{name}"
        if idx in out:
            c.err(f, "header given twice")
        out[idx] = c.byte_string(val, f) if values else c.integer(val, f, 0, U16)
        if values and out[idx] is not None and len(out[idx]) > U16:
            c.err(f, "value longer than 65535 bytes")
    return out


def _check_unknown(c: _Checker, v: Any, field: str) -> list[tuple[bytes, bytes]]:
    out: list[tuple[bytes, bytes]] = []
    for j, pair in enumerate(v, 1):               # the forms: case.schema.json
        f = f"{field}[{j}]"
        times = 1
        if isinstance(pair, dict):
            times = pair.get("times", 1)
            pair = [pair["name"], pair.get("value", "")]
        name = c.byte_string(pair[0], f + ".name")
        value = c.byte_string(pair[1], f + ".value")
        if len(out) + times > CALL_ITEMS_MAX:
            c.err(f, f"more than the {CALL_ITEMS_MAX} headers a call may have (times counted)")
            return out
        if name is not None and value is not None:
            out.extend([(name, value)] * times)
    return out


# ---------------------------------------------------------------- expect

def _per_conn(c: _Checker, v: Any, field: str, conns: list[str], item) -> dict[str, Any] | None:
    """A value for the single connection of the case, or a table conn name -> value."""
    if isinstance(v, dict) and not set(v) <= {"hex", "repeat", "count"}:
        out = {}
        for name, val in v.items():
            if name not in conns:
                c.err(f"{field}.{name}", f"no connection named {name!r} "
                                         f"(connections: {', '.join(conns)})")
                continue
            out[name] = item(val, f"{field}.{name}")
        return out
    if len(conns) != 1:
        c.err(field, f"the case has {len(conns)} connections ({', '.join(conns)}): "
                     "give a table connection name -> value")
        return None
    return {conns[0]: item(v, field)}


def _check_expect(c: _Checker, v: Any, conns: list[str]) -> dict:
    out: dict[str, Any] = {"wire": None, "connection": {}, "headers_order": "any",
                           "wire_alternatives": [], "wire_starts_with": {}, "wire_lines": {},
                           "wire_lines_ordered": False}
    if v is None:
        return out
    if "wire" in v:
        out["wire"] = _per_conn(c, v["wire"], "expect.wire", conns, c.byte_string)
    if "connection" in v:
        out["connection"] = _per_conn(c, v["connection"], "expect.connection", conns,
                                      lambda x, f: c.choice(x, f, FATES)) or {}
    out["headers_order"] = c.choice(v.get("headers_order", "any"), "expect.headers_order", ORDERS)
    out["wire_alternatives"] = [
        _per_conn(c, a, f"expect.wire_alternatives[{j}]", conns, c.byte_string)
        for j, a in enumerate(v.get("wire_alternatives", []), 1)]

    def prefix(x: Any, f: str) -> bytes | None:
        b = c.byte_string(x, f)
        if b is not None and not b:
            c.err(f, "must not be empty")
        return b

    def lines(x: Any, f: str) -> list[bytes] | None:
        got = []
        for j, item in enumerate(x, 1):
            b = c.byte_string(item, f"{f}[{j}]")
            if b is not None and (b"\r" in b or b"\n" in b):
                c.err(f"{f}[{j}]", "a line holds no CR or LF (the CRLF around it is implied)")
            got.append(b)
        return got

    if "wire_starts_with" in v:
        out["wire_starts_with"] = _per_conn(c, v["wire_starts_with"], "expect.wire_starts_with",
                                            conns, prefix) or {}
    if "wire_lines" in v:
        out["wire_lines"] = _per_conn(c, v["wire_lines"], "expect.wire_lines", conns, lines) or {}
    if "wire_lines_ordered" in v:
        out["wire_lines_ordered"] = bool(c.boolean(v["wire_lines_ordered"],
                                                   "expect.wire_lines_ordered"))
        if "wire_lines" not in v:
            c.err("expect.wire_lines_ordered", "only with wire_lines")
    for key in ("wire_starts_with", "wire_lines"):
        for conn in out[key]:
            if conn in (out["wire"] or {}):
                c.err(f"expect.{key}", f"connection {conn!r} also has an exact wire: give "
                                       "either wire or wire_starts_with / wire_lines")
            if any(a and conn in a for a in out["wire_alternatives"]):
                c.err(f"expect.{key}", f"connection {conn!r} also has wire_alternatives: "
                                       "the patterns replace the byte comparison")
    return out


# ---------------------------------------------------------------- the case

def check_case(data: dict, file: str | Path, rules: dict) -> dict:
    """Validate one case and return it normalised; raise CaseSchemaError otherwise.

    `rules` maps spec rule ids to harness.spec.Rule objects.
    """
    file = str(file)
    c = _Checker(file)
    if not isinstance(data, dict):
        raise CaseSchemaError(file, ["expected a TOML table"])
    structure = case_schema_errors(data)          # harness/schema/case.schema.json
    if structure:
        raise CaseSchemaError(file, structure)
    stem = Path(file).stem
    case: dict[str, Any] = {"file": file, "area": Path(file).parent.name}
    case["id"] = c.string(data.get("id", stem), "id")
    if case["id"] is not None:
        if not ID_RE.match(case["id"]):
            c.err("id", f"{case['id']!r} must be lowercase words joined by '-'")
        elif case["id"] != stem:
            c.err("id", f"{case['id']!r} must equal the file name without .toml ({stem!r})")
    case["title"] = c.string(data.get("title", "?"), "title")
    case["description"] = c.string(data.get("description", "?"), "description")
    level = data.get("level", "MUST")
    case["level"] = c.choice(level, "level", LEVELS)
    rule_ids = data.get("rules")
    classes: set[str] = set()
    for j, rid in enumerate(rule_ids, 1):
        if rid not in rules:
            c.err(f"rules[{j}]", f"{_show(rid)} is not a rule id of the spec")
        else:
            classes.add(rules[rid].cls)
    if len(set(map(str, rule_ids))) != len(rule_ids):
        c.err("rules", "a rule is listed twice")
    case["rules"] = [r for r in rule_ids if isinstance(r, str)]
    if case["level"] and classes and not level_fits(case["level"], classes):
        c.err("level", f"{case['level']} does not fit the rules' classes "
                       f"({', '.join(sorted(classes))}): expected {rule_level(classes)} "
                       "(or SHOULD for a SHOULD statement, or INFO)")
    needs = data.get("needs", [])
    reqs_in, calls_in = data["request"], data["call"]
    names: set[str] = set()
    requests = [_check_request(c, r, i, names) for i, r in enumerate(reqs_in, 1)]
    requests = [r for r in requests if r is not None]
    _check_pipelining(c, requests)
    calls = [_check_call(c, v, i, names) for i, v in enumerate(calls_in, 1)]
    calls = [x for x in calls if x is not None]
    _check_ops(c, requests, calls)
    _check_steps(c, requests, calls)
    conns: list[str] = []
    for r in requests:
        if r["conn"] and r["conn"] not in conns:
            conns.append(r["conn"])
    for n, r in enumerate(requests, 1):
        shared = sum(1 for q in requests if q["conn"] == r["conn"]) > 1
        if r["via"] == "curl" and shared:
            if r["_via_given"]:
                c.err(f"request[{n}].via", "a curl request must have its connection to "
                                           "itself (use via = \"raw\")")
            r["via"] = "raw"
        f = f"request[{n}].why_raw"
        reason = raw_reason(r["raw"], r["close_after_send"], r["then"], shared)
        if r["via"] != "raw":
            if r["why_raw"] is not None:
                c.err(f, "only for a request with via = \"raw\"")
        elif r["why_raw"] is None and reason is None:
            c.err(f, "missing: curl could send this request; say why it goes raw "
                     "(or leave via out)")
        r["why_raw"] = (r["why_raw"] or reason) if r["via"] == "raw" else None
    for r in requests:
        del r["_via_given"], r["_conn_given"]
    case["expect"] = _check_expect(c, data.get("expect"), conns)
    # capabilities the calls imply
    derived = set(needs)
    for call in calls:
        if call["fn"] == "body":
            derived.add("body")
        if call["fn"] == "recv_body":
            derived.add("recv-body")
        if call.get("overlapped"):
            derived.add("overlapped")
        if call.get("overlapped") == "defer":
            derived.add("defer")
        if call.get("response_version") == 2:
            derived.add("response-v2")
        for ch in call.get("chunks") or []:
            if ch["kind"] == "file":
                derived.add("file")
            if ch["kind"] in ("fragment", "fragment_ex"):
                derived.add("fragment")
            if ch["kind"] == "fill":
                derived.add("fill")
    case["needs"] = sorted(derived)
    case["requests"] = requests
    case["calls"] = calls
    case["conns"] = conns
    if c.errors:
        raise CaseSchemaError(file, c.errors)
    return case
