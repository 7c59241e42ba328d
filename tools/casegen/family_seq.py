"""Call sequences and call arguments (spec 2, 4): MORE_DATA streams, zero-chunk
calls, calls after completion, ids that are not live, invalid handles,
reserved parameters, BytesSent and OVERLAPPED, each chunk type, the count
limits, trailers, cache policies and log data, for both functions where
they apply."""

from __future__ import annotations

from . import oracle as o
from .builder import Case

AREA = "gen-seq"
FN_NAMES = {"response": "HttpSendHttpResponse", "body": "HttpSendResponseEntityBody"}


def _req(c: Case, path: str, **kw) -> o.Request:
    return c.request(o.Request(path=path), **kw)


def _head_for_body(c: Case, x: o.Request, length: int | None = None) -> None:
    """A MORE_DATA head, so that a body call has a response to continue."""
    known = {"Content-Length": str(length).encode()} if length is not None else {}
    c.response(x, o.MD, known=known, body=b"head;")


def streams():
    for n in range(1, 5):
        for framed in (True, False):
            for final in ("plain", "disconnect"):
                parts = [b"part%d;" % i for i in range(1, n + 1)]
                total = len(b"head;") + sum(len(p) for p in parts)
                c = Case(f"stream-{n}-bodies-{'app-length' if framed else 'no-length'}-final-{final}",
                         f"MORE_DATA head, then {n} body call(s), "
                         f"{'Content-Length given' if framed else 'no Content-Length'}, final call {final}",
                         f"""
A head with MORE_DATA{' and the Content-Length of all parts' if framed else ' and no Content-Length'},
then {n} HttpSendResponseEntityBody call(s), each with one memory chunk; all but the
last with MORE_DATA, the last {'with DISCONNECT' if final == 'disconnect' else 'without flags'}.
The parts follow each other on the wire unframed (CONN-MORE-DATA, WIRE-BODY);
each body call reports its entity bytes (CONN-BYTES-SENT).
""")
                x = _req(c, "/stream")
                _head_for_body(c, x, total if framed else None)
                for i, p in enumerate(parts, 1):
                    last = i == n
                    flags = (o.D if final == "disconnect" else 0) if last else o.MD
                    c.body(x, flags, p)
                c.rule("CONN-BYTES-SENT")
                yield c


def zero_chunks():
    c = Case("stream-zero-chunk-calls-between", "Body calls with no chunks in the middle and at the end of a stream",
             """
A MORE_DATA head, two HttpSendResponseEntityBody calls with no chunks and
MORE_DATA, one with "x" and MORE_DATA, and a final call with no chunks. Calls
without chunks are valid, send nothing and report 0 bytes; the final one ends
the response.
""")
    x = _req(c, "/zero")
    _head_for_body(c, x, 6)
    c.body(x, o.MD, chunks=[])
    c.body(x, o.MD, chunks=[])
    c.body(x, o.MD, b"x")
    c.body(x, 0, chunks=[])
    c.rule("CONN-BYTES-SENT")
    yield c
    c = Case("response-zero-chunks-more-data-then-final-body", "A head with no chunks and MORE_DATA, then the entity",
             """
HttpSendHttpResponse with MORE_DATA, Content-Length: 3 and no chunks sends
the head alone; the final body call sends "abc".
""")
    x = _req(c, "/zero-head")
    c.response(x, o.MD, known={"Content-Length": b"3"})
    c.body(x, 0, b"abc")
    yield c


def after_completion():
    for first in ("response", "stream"):
        for then in ("response", "body"):
            c = Case(f"{then}-after-{first}-completed",
                     f"{FN_NAMES[then]} after the response was completed by a {'final response call' if first == 'response' else 'final body call'}",
                     f"""
Once the final send of a response is made, the request id is finished: a
further {FN_NAMES[then]} on it fails with an error code (the reference:
ERROR_CONNECTION_INVALID) and sends
nothing (CALL-ID-FINISHED, CONN-ID-DIES), and the connection stays usable.
""")
            x = _req(c, "/done")
            if first == "response":
                c.response(x, 0, body=b"done")
            else:
                _head_for_body(c, x, 9)
                c.body(x, 0, b"done")
            if then == "response":
                c.response(x, 0, body=b"again")
            else:
                c.body(x, 0, b"again")
            c.rule("CONN-ID-DIES")
            yield c


def out_of_order():
    c = Case("second-response-while-streaming", "A second HttpSendHttpResponse while a MORE_DATA response is open",
             """
After a MORE_DATA head, another HttpSendHttpResponse on the same id fails
and sends nothing (SEND-AFTER-HEAD); the final body call then ends the
first response normally.
""")
    x = _req(c, "/twice")
    _head_for_body(c, x, 8)
    c.response(x, 0, body=b"second")
    c.body(x, 0, b"end")
    yield c
    c = Case("second-response-while-opaque", "A second HttpSendHttpResponse on an opaque connection",
             """
After a 101 with OPAQUE | MORE_DATA, HttpSendHttpResponse on the same id
fails and sends nothing (SEND-AFTER-HEAD); the final body call ends it.
""")
    x = c.request(o.Request(path="/twice-opaque", upgrade=True))
    c.response(x, o.OPQ | o.MD, 101, b"Switching Protocols", {"Upgrade": b"websocket"})
    c.response(x, 0, body=b"second")
    c.body(x, 0, b"bye")
    yield c
    for flags in (0, o.MD, o.D):
        c = Case(f"body-before-head-flags-{'-'.join(n.lower().replace('_', '-') for n in o.flag_names(flags)) or 'none'}",
                 "HttpSendResponseEntityBody before any HttpSendHttpResponse",
                 """
A body call on a request that has no response head yet fails with an error
code and sends nothing (BODY-BEFORE-HEAD); a response sent afterwards goes
out normally.
""")
        x = _req(c, "/early")
        c.body(x, flags, b"early")
        c.response(x, 0, body=b"late")
        yield c


def ids():
    for fn in ("response", "body"):
        c = Case(f"{fn}-http-null-id", f"{FN_NAMES[fn]} with HTTP_NULL_ID",
                 f"""
HTTP_NULL_ID is never a request id: {FN_NAMES[fn]} with it fails
(SEND-ID-NULL, BODY-ID-NULL) and sends nothing on any connection; the real
request is then answered normally.
""")
        x = _req(c, "/null-id")
        if fn == "body":
            _head_for_body(c, x, 9)
            c.body(x, 0, b"null", id="null")
            c.body(x, 0, b"real")
        else:
            c.response(x, 0, body=b"null", id="null")
            c.response(x, 0, body=b"real")
        yield c
        for bogus in ("0x1", "0xdeadbeef", "0xfffffffffffffffe"):
            c = Case(f"{fn}-id-never-issued-{bogus}", f"{FN_NAMES[fn]} with request id {bogus}, never issued",
                     f"""
An id the implementation never issued is refused and nothing is sent
(CALL-ID-UNKNOWN: ERROR_CONNECTION_INVALID, observed for
HttpSendHttpResponse); the real request is then answered normally.
""")
            x = _req(c, "/bogus")
            ghost = o.Request(name="ghost", state="unknown")
            if fn == "body":
                _head_for_body(c, x, 4)
                c.body(ghost, 0, b"nope", id=bogus)
                c.body(x, 0, b"real")
            else:
                c.response(ghost, 0, body=b"nope", id=bogus)
                c.response(x, 0, body=b"real")
            yield c
        c = Case(f"{fn}-client-closed", f"{FN_NAMES[fn]} after the client closed the connection",
                 f"""
The client closes its connection as soon as the request is received. A
{FN_NAMES[fn]} on that request cannot reach it: the reference fails with
ERROR_CONNECTION_INVALID; an implementation may also report success and
notice the disconnect later (CALL-CONN-GONE).
""")
        x = _req(c, "/gone", close_after_send=True)
        x.state = "gone"
        if fn == "body":
            c.body(x, 0, b"gone")
        else:
            c.response(x, 0, body=b"gone")
        c.fates[x.name] = "any"
        yield c
        c = Case(f"{fn}-queue-handle-invalid", f"{FN_NAMES[fn]} with a NULL request queue handle",
                 f"""
{FN_NAMES[fn]} with a handle that is not a request queue fails with an error
code (the reference: ERROR_INVALID_HANDLE) and sends nothing
(CALL-HANDLE-INVALID); the request is then answered normally.
""")
        x = _req(c, "/handle")
        if fn == "body":
            _head_for_body(c, x, 9)
            c.body(x, 0, b"nope", queue="invalid")
            c.body(x, 0, b"real")
        else:
            c.response(x, 0, body=b"nope", queue="invalid")
            c.response(x, 0, body=b"real")
        yield c


def arguments():
    c = Case("response-null-then-valid", "HttpSendHttpResponse with a NULL HttpResponse, then a valid one",
             """
A NULL HttpResponse fails with an error code and sends nothing
(SEND-RESPONSE-NULL); the id stays live and a valid response then goes out.
""")
    x = _req(c, "/null-response")
    c.response(x, 0, response="null")
    c.response(x, 0, body=b"fine")
    yield c
    for fn in ("response", "body"):
        for name, kw in (("reserved1-set", {"reserved1": True}), ("reserved2-1", {"reserved2": 1}),
                         ("reserved2-ffffffff", {"reserved2": 0xFFFFFFFF})):
            c = Case(f"{fn}-{name}", f"{FN_NAMES[fn]} with {name.replace('-', ' ')}",
                     f"""
The reserved parameters must be NULL and 0, but what another value does is
not documented (CALL-RESERVED1, CALL-RESERVED2): {FN_NAMES[fn]} with
{name.replace('-', ' ')} fails with an error code and sends nothing (the
reference: ERROR_INVALID_PARAMETER), or goes out as if the value were NULL
and 0.
""")
            x = _req(c, "/reserved")
            if fn == "body":
                _head_for_body(c, x, 8)
                c.body(x, 0, b"bad", **kw)
            else:
                c.response(x, 0, body=b"bad", **kw)
            c.fates[x.name] = "any"
            yield c
        for bytes_sent in (True, False):
            for overlapped in (False, True):
                tag = f"{'bytes-sent' if bytes_sent else 'no-bytes-sent'}-{'overlapped' if overlapped else 'synchronous'}"
                c = Case(f"{fn}-{tag}", f"{FN_NAMES[fn]}: BytesSent {'given' if bytes_sent else 'NULL'}, "
                         f"{'overlapped' if overlapped else 'synchronous'}",
                         f"""
{FN_NAMES[fn]} with BytesSent {'given' if bytes_sent else 'NULL'} and
{'an OVERLAPPED: the call returns NO_ERROR or ERROR_IO_PENDING and the completion reports the bytes the call sent' if overlapped else 'no OVERLAPPED'}
(CALL-BYTES-SENT-OPTIONAL, CONN-BYTES-SENT, CONN-ASYNC-RESULT).
""")
                x = _req(c, "/counts")
                if fn == "body":
                    _head_for_body(c, x, 9)
                    c.body(x, 0, b"four", bytes_sent=bytes_sent, overlapped=overlapped)
                else:
                    c.response(x, 0, body=b"four", bytes_sent=bytes_sent, overlapped=overlapped)
                c.rule("CALL-BYTES-SENT-OPTIONAL", "CONN-BYTES-SENT")
                if overlapped:
                    c.rule("CONN-ASYNC-RESULT")
                elif fn == "response" and bytes_sent:
                    c.rule("CONN-BYTES-SENT-HEAD")
                yield c


CHUNKS = {
    "memory": ([{"memory": "abcdef"}], b"abcdef", None),
    "file-whole": ([{"file": "0123456789", "start": 0, "length": "eof"}], b"0123456789", None),
    "file-range": ([{"file": "0123456789", "start": 2, "length": 5}], b"23456", None),
    "file-empty-range": ([{"file": "0123456789", "start": 10, "length": 0}], b"", None),
    "fragment": ([{"fragment": "/frag", "content": "cached"}], b"cached", None),
    "fragment-ex-range": ([{"fragment_ex": "/fragx", "content": "0123456789", "start": 4, "length": 3}],
                          b"456", None),
    "memory-file-fragment-mixed": ([{"memory": "m;"}, {"file": "f;", "start": 0, "length": "eof"},
                                    {"fragment": "/fm", "content": "g;"}], b"m;f;g;", None),
    "fragment-missing": ([{"fragment": "/nowhere", "missing": True}], b"",
                         o.Fault("CALL-CHUNK-FRAGMENT-MISSING", [3])),
    "file-range-past-end": ([{"file": "0123", "start": 5, "length": 1}], b"",
                            o.Fault("CALL-CHUNK-RANGE", ["error"], undefined=True)),
    "type-4-trailers": ([{"type": 4}], b"", o.Fault("CALL-CHUNK-TYPE", ["error"], may_ignore=True)),
    "type-5": ([{"type": 5}], b"", o.Fault("CALL-CHUNK-TYPE", ["error"])),
    "type-99": ([{"type": 99}], b"", o.Fault("CALL-CHUNK-TYPE", ["error"])),
    "memory-null-buffer": ([{"memory_null": 4}], b"", o.Fault("CALL-POINTER-NULL", ["error"])),
}


def chunk_types():
    for fn in ("response", "body"):
        for name, (chunks, data, fault) in CHUNKS.items():
            c = Case(f"{fn}-chunk-{name}", f"{FN_NAMES[fn]} with {name.replace('-', ' ')} chunks",
                     f"""
{FN_NAMES[fn]} with the entity chunks {name.replace('-', ' ')}.
{'The call fails and sends nothing (' + fault.rule + ').' if fault else 'The bytes the chunks name go out back to back, unframed (WIRE-BODY).'}
""")
            x = _req(c, "/chunks")
            if fn == "body":
                _head_for_body(c, x, None)
                c.body(x, 0, data, chunks=chunks, fault=fault)
            else:
                c.response(x, 0, body=data, chunks=chunks, fault=fault)
            if not fault:
                c.rule("WIRE-BODY")
            yield c


def limits():
    for n in (0, 1, 99, 100, 101):
        c = Case(f"response-chunk-count-{n}", f"HttpSendHttpResponse with {n} entity chunks",
                 f"""
HTTP_RESPONSE holds at most 100 entity chunks (SEND-CHUNK-COUNT): {n}
one-byte chunks {'are sent back to back' if n <= 100 else 'go beyond the documented limit, where only the call returning is judged (the reference refuses them with ERROR_INVALID_PARAMETER)'}.
""")
        x = _req(c, "/count")
        chunks = [{"memory": "z", "times": n}] if n else []
        fault = o.Fault("SEND-CHUNK-COUNT", [87], undefined=True) if n > 100 else None
        c.response(x, 0, body=b"z" * n, chunks=chunks, fault=fault)
        yield c
    for n in (0, 100, 101, 9999, 10000):
        c = Case(f"body-chunk-count-{n}", f"HttpSendResponseEntityBody with {n} entity chunks",
                 f"""
HttpSendResponseEntityBody takes at most 9999 entity chunks
(BODY-CHUNK-COUNT): {n} one-byte chunks {'are sent' if n <= 9999 else 'go beyond the documented limit, where only the call returning is judged (the reference refuses them with ERROR_INVALID_PARAMETER)'}.
""")
        x = _req(c, "/count")
        _head_for_body(c, x, None)
        chunks = [{"memory": "z", "times": n}] if n else []
        fault = o.Fault("BODY-CHUNK-COUNT", [87], undefined=True) if n > 9999 else None
        c.body(x, 0, b"z" * n, chunks=chunks, fault=fault)
        yield c


def trailers_cache_log():
    for count, pointer in ((1, False), (0, True), (1, True)):
        c = Case(f"response-trailers-{count}-pointer-{'set' if pointer else 'null'}",
                 f"HttpSendHttpResponse with TrailerCount {count} and pTrailers {'set' if pointer else 'NULL'}",
                 """
Trailers are reserved in HTTP_RESPONSE_HEADERS: a TrailerCount or a pTrailers
other than 0 and NULL is refused with an error code and nothing sent (the
reference: ERROR_INVALID_PARAMETER), or ignored (SEND-TRAILERS-RESERVED).
""")
        x = _req(c, "/trailers")
        c.response(x, 0, body=b"t", trailers={"count": count, "pointer": pointer},
                   fault=o.Fault("SEND-TRAILERS-RESERVED", [87, "error"], may_ignore=True))
        yield c
    for policy, seconds in ((0, 0), (1, 0), (2, 60), (2, 0), (3, 0), (7, 5)):
        c = Case(f"response-cache-policy-{policy}-seconds-{seconds}",
                 f"HttpSendHttpResponse with cache policy {policy}, {seconds} s",
                 f"""
CachePolicy {policy} ({'Nocache' if policy == 0 else 'UserInvalidates' if policy == 1 else 'TimeToLive' if policy == 2 else 'not a policy'})
with SecondsToLive {seconds}. A valid policy changes neither the result nor the
bytes (SEND-CACHE-POLICY); an invalid one is refused with an error code and
nothing sent (the reference) or treated as no policy (SEND-CACHE-POLICY-TYPE).
""")
        x = _req(c, "/cache")
        fault = o.Fault("SEND-CACHE-POLICY-TYPE", [87], may_ignore=True) if policy >= 3 else None
        c.response(x, 0, body=b"cached", cache={"policy": policy, "seconds": seconds}, fault=fault)
        c.rule("SEND-CACHE-POLICY")
        yield c
    for fn in ("response", "body"):
        for log in (0, 1, 2):
            c = Case(f"{fn}-log-data-type-{log}", f"{FN_NAMES[fn]} with LogData of type {log}",
                     f"""
LogData of type {log}: HttpLogDataTypeFields (0) is accepted and changes no
byte (CALL-LOG-DATA); another type is refused with an error code and nothing
sent (the reference) or treated as no log data (CALL-LOG-DATA-TYPE).
""")
            x = _req(c, "/log")
            fault = o.Fault("CALL-LOG-DATA-TYPE", [87], may_ignore=True) if log else None
            if fn == "body":
                _head_for_body(c, x, None)
                c.body(x, 0, b"logged", log=log, fault=fault)
            else:
                c.response(x, 0, body=b"logged", log=log, fault=fault)
            c.rule("CALL-LOG-DATA")
            yield c


def cases():
    for fam in (streams, zero_chunks, after_completion, out_of_order, ids, arguments, chunk_types,
                limits, trailers_cache_log):
        for c in fam():
            yield AREA, c
