"""Generation of whole exchanges for harness.explore (Hypothesis strategies).

`exchanges(caps)` draws one exchange that a case file can express: the
requests (method, version, Connection header, body, a shared connection or
pipelining, a client that closes) and a sequence of HttpSendHttpResponse /
HttpSendResponseEntityBody calls on them, as the plain data of a case file
without expectations (harness.explore_case adds them from the model). With the
adapter capability defer, some calls are deferred (overlapped = "defer") and
collected by wait steps, now and then after a cancel step or on a client that
pauses reading until a resume step.

The draw keeps a rough state per request (received, streaming, done, and
whether its connection stays open) so that most calls are ones the API
accepts: a head for a request that has none, body calls on an open response,
a final call to end it. About one call in five is a rejection instead (an id
that is not live, a second head, a body before the head, HTTP_NULL_ID, an
invalid handle, reserved parameters, NULL pointers, bad chunks, undefined
flag bits, a status out of range, CR or LF in a field), so that every
rejection rule is reached too. The state only steers the draw; what each call
does is the model's answer.

`oracle_exchanges()` draws within what tools/casegen/oracle.py can answer
(known headers among Connection, Transfer-Encoding, Upgrade and
Content-Length, memory chunks, no unknown headers) and returns the calls as
steps for tools/casegen/builder.Case.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from .schema import FLAGS, KNOWN_HEADERS

TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
TEXT_CHARS = TOKEN_CHARS + " !#$%&'*+.^_`|~/:;=?@()"
DOCUMENTED = ("DISCONNECT", "MORE_DATA", "BUFFER_DATA", "ENABLE_NAGLING", "PROCESS_RANGES",
              "OPAQUE", "GOAWAY")
UNKNOWN_BITS = (0x10, 0x80, 0x400, 0x800, 0x10000, 0x80000000)
STATUSES = (200, 200, 200, 201, 204, 206, 301, 302, 304, 400, 404, 418, 500, 503, 100, 101,
            199, 299, 999)
KNOWN_VALUES = {
    "Content-Type": ["text/plain", "application/octet-stream", "text/html; charset=utf-8"],
    "Cache-Control": ["no-cache", "max-age=60"],
    "Connection": ["close", "keep-alive", "Upgrade"],
    "Transfer-Encoding": ["chunked", "identity"],
    "Location": ["/elsewhere"],
    "Retry-After": ["120"],
    "Set-Cookie": ["a=b"],
    "ETag": ['"x1"'],
    "Server": ["Gen/1.0"],
    "Date": ["Tue, 22 Sep 2020 07:17:30 GMT"],
}
COMMON_KNOWN = ("Content-Type", "Cache-Control", "Location", "Retry-After", "ETag", "Set-Cookie",
                "Connection", "Content-Length", "Transfer-Encoding", "Server", "Date", "Vary",
                "Allow", "Expires", "Last-Modified")


def _weighted(draw, *pairs):
    """Draw from one of the strategies, chosen with the integer weights of the pairs."""
    total = sum(w for w, _ in pairs)
    k = draw(st.integers(0, total - 1))
    for w, strat in pairs:
        if k < w:
            return draw(strat)
        k -= w
    raise AssertionError


_TEXTS: dict = {}


def _text(lo: int = 0, hi: int = 12, chars: str = TEXT_CHARS):
    key = (lo, hi, chars)
    if key not in _TEXTS:
        _TEXTS[key] = st.text(alphabet=chars, min_size=lo, max_size=hi)
    return _TEXTS[key]


LATIN1 = "".join(map(chr, range(256)))


def _bytes_text(draw, lo: int = 0, hi: int = 40) -> str:
    """Entity bytes as a latin-1 string: mostly letters, sometimes any byte."""
    return _weighted(draw, (4, _text(lo, hi, TOKEN_CHARS + " \r\n")), (1, _text(lo, hi, LATIN1)))


@dataclass
class _Req:
    name: str
    conn: str
    version: str
    method: str
    closes: bool = False            # the connection is expected to close after the response
    state: str = "received"         # received, streaming, opaque, done
    reachable: bool = True          # delivered (or deliverable) when a call names it
    after: str | None = None        # delivered only once this request's response is done
    client_closes: bool = False


def _request(draw, i: int, reqs: list[_Req], allow_shared: bool) -> tuple[dict, _Req]:
    name = f"r{i + 1}"
    method = draw(st.sampled_from(("GET",) * 6 + ("HEAD", "POST", "POST", "PUT", "DELETE")))
    version = draw(st.sampled_from(("1.1",) * 5 + ("1.0",)))
    connection = draw(st.sampled_from((None,) * 5 + ("close", "keep-alive")))
    body = draw(_text(1, 16, TOKEN_CHARS)) if method in ("POST", "PUT") else ""
    lines = [f"{method} /x{i + 1} HTTP/{version}", "Host: {host}"]
    if connection:
        lines.append(f"Connection: {connection}")
    if body:
        lines.append(f"Content-Length: {len(body)}")
    raw = "\r\n".join(lines) + "\r\n\r\n" + body
    d: dict = {"name": name, "raw": raw}
    closes = version == "1.0" and connection != "keep-alive" or connection == "close"
    r = _Req(name=name, conn=name, version=version, method=method, closes=closes)
    placement = "own"
    followed = {x.after for x in reqs}
    persistent_prev = [x for x in reqs if not x.closes and not x.client_closes
                       and x.version == "1.1" and x.conn == x.name and x.after is None
                       and x.name not in followed]
    if allow_shared and persistent_prev:
        placement = draw(st.sampled_from(("own",) * 6 + ("shared", "pipelined")))
    if placement == "own":
        d["via"] = draw(st.sampled_from(("raw",) * 4 + ("curl",))) \
            if method in ("GET", "HEAD", "POST") else "raw"
        if d["via"] == "raw" and method in ("GET", "HEAD", "POST"):
            d["why_raw"] = "exploring: some requests go as raw bytes, some through libcurl"
        if draw(st.integers(0, 19)) == 19:
            d["close_after_send"] = True
            d["via"] = "raw"
            d.pop("why_raw", None)          # the half-close is the reason
            r.client_closes = True
    else:
        prev = draw(st.sampled_from(persistent_prev))
        r.conn, r.after, r.reachable = prev.conn, prev.name, False
        if placement == "shared":
            d["conn"] = prev.conn
            d["via"] = "raw"
        else:
            d["pipelined_with"] = prev.name
    return d, r


def _flags(draw, more_data_bias: bool) -> int:
    kind = draw(st.integers(0, 19))
    if kind < 10:
        return 0
    if kind < 15:
        return FLAGS["MORE_DATA"] if more_data_bias or kind < 12 else FLAGS["DISCONNECT"]
    if kind < 19:
        names = draw(st.sets(st.sampled_from(DOCUMENTED), min_size=1, max_size=3))
        value = 0
        for n in names:
            value |= FLAGS[n]
        return value
    return draw(st.sampled_from(UNKNOWN_BITS)) | draw(st.sampled_from((0, FLAGS["MORE_DATA"])))


def flags_value(flags: int):
    """A flag number as the case format writes it: names when every bit has one."""
    names = [n for n, v in FLAGS.items() if flags & v]
    if names and sum(FLAGS[n] for n in names) == flags:
        return names
    return flags


def _chunks(draw, caps: set[str], fault: bool) -> tuple[list[dict], int | None]:
    """Chunks and their entity length (None when unknown: a fault may stop the call)."""
    n = draw(st.sampled_from((0, 1, 1, 1, 2, 2, 3)))
    out, total = [], 0
    for _ in range(n):
        kinds = ["memory"] * 8 + ["fill"] * ("fill" in caps) + ["file"] * ("file" in caps) \
            + ["fragment", "fragment_ex"] * ("fragment" in caps)
        kind = draw(st.sampled_from(kinds))
        if kind == "memory":
            data = _bytes_text(draw, 0, 40)
            out.append({"memory": data})
            total += len(data)
        elif kind == "fill":
            length = _weighted(draw, (6, st.integers(0, 3000)), (2, st.integers(3000, 200000)),
                                    (1, st.sampled_from((65535, 65536, 65537, 1 << 20))))
            out.append({"fill": draw(st.sampled_from("abz")), "length": length})
            total += length
        elif kind == "file":
            data = draw(_text(1, 30, TOKEN_CHARS))
            start = draw(st.integers(0, len(data)))
            length = draw(st.one_of(st.just("eof"), st.integers(0, len(data) - start)))
            out.append({"file": data, "start": start, "length": length})
            total += (len(data) - start) if length == "eof" else length
        elif kind == "fragment":
            name = "/frag/" + draw(_text(1, 6, TOKEN_CHARS))
            data = draw(_text(0, 30, TOKEN_CHARS))
            out.append({"fragment": name, "content": data})
            total += len(data)
        else:
            name = "/fragex/" + draw(_text(1, 6, TOKEN_CHARS))
            data = draw(_text(1, 30, TOKEN_CHARS))
            start = draw(st.integers(0, len(data)))
            length = draw(st.one_of(st.just("eof"), st.integers(0, len(data) - start)))
            out.append({"fragment_ex": name, "content": data, "start": start, "length": length})
            total += (len(data) - start) if length == "eof" else length
    if fault:                               # one chunk the API must refuse
        bad = draw(st.sampled_from(("memory_null", "type", "file_range", "fragment_missing")
                                   if "file" in caps and "fragment" in caps
                                   else ("memory_null", "type")))
        at = draw(st.integers(0, len(out)))
        if bad == "memory_null":
            ch = {"memory_null": draw(st.sampled_from((0, 1, 10)))}
        elif bad == "type":
            ch = {"type": draw(st.sampled_from((5, 6, 7, 100, 0xFFFFFFFF)))}
        elif bad == "file_range":
            ch = {"file": "abc", "start": draw(st.sampled_from((4, 10))), "length": 1}
        else:
            ch = {"fragment": "/never-cached", "missing": True}
        out.insert(at, ch)
        total = None
    return out, total


def _response_call(draw, r: _Req, caps: set[str]) -> tuple[dict, bool]:
    """A HttpSendHttpResponse; also whether it is meant to be accepted (no fault)."""
    call: dict = {"fn": "response", "id": r.name}
    flags = _flags(draw, more_data_bias=True)
    status = _weighted(draw, (12, st.sampled_from(STATUSES)), (3, st.integers(100, 999)),
                       (1, st.sampled_from((0, 1, 99, 1000, 65535))))
    if flags & FLAGS["OPAQUE"] and draw(st.booleans()):
        status = 101
    if status != 200:
        call["status"] = status
    reason = draw(st.sampled_from(("OK", "", "Fine", None)))
    if reason is None:
        reason = draw(_text(0, 20))
    call["reason"] = reason
    fault_kind = draw(st.integers(0, 29))
    known: dict[str, str] = {}
    for name in draw(st.lists(st.sampled_from(COMMON_KNOWN + KNOWN_HEADERS), max_size=3,
                              unique=True)):
        known[name] = (draw(st.sampled_from(KNOWN_VALUES[name])) if name in KNOWN_VALUES
                       else draw(_text(0, 12)))
    unknown = [[("X-" + draw(_text(1, 8, TOKEN_CHARS))), draw(_text(0, 16))]
               for _ in range(draw(st.sampled_from((0, 0, 0, 1, 2))))]
    fault = fault_kind >= 24
    chunks, total = _chunks(draw, caps, fault and fault_kind == 24)
    if "Content-Length" in known:
        if total is not None and not flags & FLAGS["MORE_DATA"] and draw(st.integers(0, 3)):
            known["Content-Length"] = str(total)
        else:
            known["Content-Length"] = str(draw(st.integers(0, 50)))
    if known:
        call["known"] = known
    if unknown:
        call["unknown"] = unknown
    _common_args(draw, call, flags, chunks, caps)
    if fault_kind == 25:
        what = draw(st.sampled_from(("reason_null", "known_null", "unknown_null", "chunks_null",
                                     "response", "trailers")))
        if what == "reason_null":
            call.pop("reason", None)
            call["reason_null"] = draw(st.sampled_from((0, 2)))
        elif what == "known_null":
            call["known_null"] = {draw(st.sampled_from(("Content-Type", "Location"))):
                                  draw(st.sampled_from((0, 3)))}
        elif what == "unknown_null":
            call.pop("unknown", None)
            call["unknown_null"] = draw(st.sampled_from((0, 1, 2)))
        elif what == "chunks_null":
            call.pop("chunks", None)
            call["chunks_null"] = draw(st.sampled_from((0, 1, 2)))
        elif what == "response":
            call["response"] = "null"
        else:
            call["trailers"] = {"count": draw(st.sampled_from((0, 1))), "pointer": True}
    elif fault_kind == 26:
        what = draw(st.sampled_from(("cache", "log", "version", "resp_flags", "crlf")))
        if what == "cache":
            call["cache"] = {"policy": draw(st.sampled_from((0, 1, 2, 3, 7))),
                             "seconds": draw(st.sampled_from((0, 60)))}
        elif what == "log":
            call["log"] = draw(st.sampled_from((0, 1, 5)))
        elif what == "version":
            call["version"] = draw(st.sampled_from(("1.0", "2.0", "0.9")))
        elif what == "resp_flags":
            call["resp_flags"] = draw(st.sampled_from((1, 2, 0x80)))
        else:
            call["reason"] = draw(st.sampled_from(("O\r\nK", "O\nK", "O\u0000K")))
    elif fault_kind >= 27:
        _bad_handle(draw, call)
    accepted = not fault and not flags & sum(UNKNOWN_BITS) and 100 <= status <= 999 \
        and not (flags & FLAGS["DISCONNECT"] and flags & FLAGS["MORE_DATA"]) \
        and not (flags & FLAGS["OPAQUE"] and status != 101)
    return call, accepted


def _common_args(draw, call: dict, flags: int, chunks: list, caps: set[str]) -> None:
    """Flags, chunks, BytesSent and OVERLAPPED, as both functions take them."""
    if flags:
        call["flags"] = flags_value(flags)
    if chunks:
        call["chunks"] = chunks
    # the rare choice at the far end of each range, so that shrinking drops it
    if draw(st.integers(0, 9)) == 9:
        call["bytes_sent"] = False
    if "overlapped" in caps and draw(st.integers(0, 6)) == 6:
        # deferred (protocol 1.1 defer): exchanges() names its op and waits for it
        call["overlapped"] = "defer" if "defer" in caps and draw(st.booleans()) else True


def _bad_handle(draw, call: dict) -> None:
    what = draw(st.sampled_from(("queue", "reserved1", "reserved2", "null", "unknown")))
    if what == "queue":
        call["queue"] = "invalid"
    elif what == "reserved1":
        call["reserved1"] = True
    elif what == "reserved2":
        call["reserved2"] = draw(st.sampled_from((1, 0xFFFFFFFF)))
    elif what == "null":
        call["id"] = "null"
    else:
        call["id"] = draw(st.sampled_from(("0x1234", "0xFFFFFFFFFFFFFFFF", "0x1")))


def _body_call(draw, r: _Req, caps: set[str]) -> tuple[dict, bool]:
    call: dict = {"fn": "body", "id": r.name}
    flags = _flags(draw, more_data_bias=draw(st.booleans()))
    fault_kind = draw(st.integers(0, 29))
    chunks, _ = _chunks(draw, caps, fault_kind == 24)
    _common_args(draw, call, flags, chunks, caps)
    if fault_kind == 25:
        call.pop("chunks", None)
        call["chunks_null"] = draw(st.sampled_from((0, 1)))
    elif fault_kind == 26:
        call["log"] = draw(st.sampled_from((0, 1, 5)))
    elif fault_kind >= 27:
        _bad_handle(draw, call)
    accepted = fault_kind < 24 and not flags & sum(UNKNOWN_BITS) \
        and not (flags & FLAGS["DISCONNECT"] and flags & FLAGS["MORE_DATA"]) \
        and not (flags & FLAGS["OPAQUE"] and r.state != "opaque")
    return call, accepted


def _advance(r: _Req, call: dict, reqs: list[_Req]) -> list[_Req]:
    """The state an accepted call leaves its request in (the draw's guess); returns the
    requests that can be delivered now."""
    flags = call.get("flags", 0)
    if isinstance(flags, list):
        flags = sum(FLAGS[n] for n in flags)
    more = flags & FLAGS["MORE_DATA"]
    if call["fn"] == "response":
        app_close = (call.get("known") or {}).get("Connection", "").lower() == "close"
        r.closes |= bool(flags & (FLAGS["DISCONNECT"] | FLAGS["OPAQUE"])) or app_close
        r.state = ("opaque" if flags & FLAGS["OPAQUE"] else "streaming") if more else "done"
    else:
        r.closes |= bool(flags & FLAGS["DISCONNECT"])
        if not more:
            r.state = "done"
    freed = []
    if r.state == "done" and not r.closes:
        for x in reqs:
            if x.after == r.name:
                x.reachable = True
                freed.append(x)
    return freed


def _wait(draw, calls: list[dict], op: tuple[str, str], done: list) -> None:
    """The wait step for a deferred call, sometimes after a cancel step."""
    if draw(st.integers(0, 3)) == 0:
        calls.append({"fn": "cancel", "op": op[0]})
    calls.append({"fn": "wait", "op": op[0]})
    done.append(op)


def _pause(draw, requests: list[dict], calls: list[dict], ops: list) -> None:
    """Sometimes a client that stops reading at its request's first deferred call, and
    reads again (a resume step) just before the first wait for one of its calls."""
    for name in dict.fromkeys(r for _, r in ops):
        if draw(st.integers(0, 3)) != 0:
            continue
        mine = {op for op, r in ops if r == name}
        at = next(i for i, c in enumerate(calls) if c["fn"] == "wait" and c["op"] in mine)
        calls.insert(at, {"fn": "resume", "id": name})
        next(d for d in requests if d["name"] == name)["pause_reading"] = True


@st.composite
def exchanges(draw, caps: frozenset = frozenset({"memory", "body", "overlapped"})):
    """One exchange as case data without expectations: {"requests", "calls"}."""
    caps = set(caps)
    n_req = draw(st.sampled_from((1, 1, 1, 1, 2, 2, 3)))
    reqs: list[_Req] = []
    requests: list[dict] = []
    for i in range(n_req):
        d, r = _request(draw, i, reqs, allow_shared=True)
        requests.append(d)
        reqs.append(r)
        if r.after is not None:             # a shared connection is sent raw
            requests[[x.name for x in reqs].index(r.after)]["via"] = "raw"
    calls: list[dict] = []
    ops: list[tuple[str, str]] = []         # deferred calls not waited for yet: (op, request)
    done_ops: list[tuple[str, str]] = []
    deferred = 0                            # deferred calls so far (their ops' names)
    received: set[str] = set()      # delivered by a receive step
    held: set[str] = set()          # a receive step found it not delivered yet
    for _ in range(draw(st.integers(1, 6))):
        live = [r for r in reqs if r.reachable and r.state != "done"]
        reachable = [r for r in reqs if r.reachable]
        pending = [r for r in reqs if not r.reachable and r.name not in received]
        choice = draw(st.integers(0, 19))
        if choice < 16 and live:
            r = draw(st.sampled_from(live))
            if r.state == "received":
                call, ok = _response_call(draw, r, caps)
            else:
                call, ok = _body_call(draw, r, caps)
        elif choice < 19 and reachable:
            r = draw(st.sampled_from(reachable))
            if draw(st.booleans()):
                call, ok = _response_call(draw, r, caps)
                ok = ok and r.state == "received"
            else:
                call, ok = _body_call(draw, r, caps)   # a body before the head, or too late
                ok = ok and r.state in ("streaming", "opaque")
        elif pending and "pipelined_with" in requests[reqs.index(pending[0])] \
                and pending[0].name not in held:
            r = pending[0]              # not delivered before the response it follows
            calls.append({"fn": "receive", "id": r.name, "timeout_ms": 100})
            held.add(r.name)
            continue
        else:
            continue
        if call.get("id") != r.name:
            ok = False
        calls.append(call)
        if call.get("overlapped") == "defer":
            deferred += 1
            call["op"] = f"op{deferred}"
            if ok:                      # a wait for a call that fails would name no operation
                ops.append((call["op"], r.name))
        while ops and draw(st.integers(0, 2)) == 0:
            _wait(draw, calls, ops.pop(0), done_ops)
        freed = _advance(r, call, reqs) if ok else []
        if not ok and call.get("id") == r.name:
            # the guess may be wrong: the call may have ended the response after all
            freed = [x for x in reqs if x.after == r.name and not x.reachable]
        for x in freed:
            if x.name not in received:
                # the request that waited on this connection is taken at once, before any
                # other request goes out (RECEIVE names no connection)
                calls.append({"fn": "receive", "id": x.name, "timeout_ms": 100})
                if x.reachable:
                    received.add(x.name)
    while ops:
        _wait(draw, calls, ops.pop(0), done_ops)
    _pause(draw, requests, calls, done_ops)
    for r, d in zip(reqs, requests):
        if ("pipelined_with" in d or "conn" in d) and not any(
                c.get("id") == r.name for c in calls):
            # a request that shares a connection is named by a step (harness/README.md)
            calls.append({"fn": "receive", "id": r.name, "timeout_ms": 100})
    if not calls:
        calls.append({"fn": "response", "id": reqs[0].name, "reason": "OK"})
    return {"requests": requests, "calls": calls}


# ------------------------------------------------------------------ the oracle's subset

ORACLE_KNOWN = ("Connection", "Transfer-Encoding", "Upgrade", "Content-Length")


@st.composite
def oracle_exchanges(draw):
    """Requests and call steps within what tools/casegen/oracle.py answers.

    Returns {"requests": [oracle.Request kwargs], "steps": [(fn, request index, kwargs)]}.
    """
    n_req = draw(st.sampled_from((1, 1, 1, 2)))
    requests = []
    for i in range(n_req):
        method = draw(st.sampled_from(("GET", "GET", "GET", "HEAD", "POST")))
        requests.append({
            "name": f"r{i + 1}", "method": method, "path": f"/o{i + 1}",
            "version": draw(st.sampled_from(("1.1", "1.1", "1.1", "1.0"))),
            "connection": draw(st.sampled_from((None, None, None, "close", "keep-alive"))),
            "body": draw(_text(1, 8, TOKEN_CHARS)).encode() if method == "POST" else b"",
        })
    steps = []
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, n_req - 1))
        fn = draw(st.sampled_from(("response", "response", "body")))
        flags = _flags(draw, more_data_bias=True)
        kw: dict = {"flags": flags, "body": draw(_text(0, 12, TOKEN_CHARS)).encode()}
        fault = draw(st.integers(0, 15))            # 0..10: none
        if fault == 11:
            kw["queue"] = "invalid"
        elif fault == 12:
            kw["id"] = "null"
        elif fault == 13:
            kw["reserved1"] = True
        elif fault == 14:
            kw["reserved2"] = 1
        if draw(st.integers(0, 7)) == 7:
            kw["bytes_sent"] = False
        if draw(st.integers(0, 7)) == 7:
            kw["overlapped"] = True
        if fn == "response":
            kw["status"] = _weighted(draw, (8, st.sampled_from(STATUSES)),
                                     (1, st.integers(100, 999)))
            if flags & FLAGS["OPAQUE"] and draw(st.booleans()):
                kw["status"] = 101
            kw["reason"] = draw(st.sampled_from(("OK", "", "Fine"))).encode()
            known = {}
            for name in draw(st.lists(st.sampled_from(ORACLE_KNOWN), max_size=2, unique=True)):
                if name == "Content-Length":
                    known[name] = str(len(kw["body"]) if draw(st.booleans())
                                      else draw(st.integers(0, 20))).encode()
                else:
                    known[name] = draw(st.sampled_from(
                        {"Connection": ("close", "keep-alive"), "Transfer-Encoding": ("chunked",),
                         "Upgrade": ("websocket",)}[name])).encode()
            kw["known"] = known
            if fault == 15:
                kw["response"] = "null"
        steps.append((fn, i, kw))
    return {"requests": requests, "steps": steps}
