"""The response crossed with the request and the framing: status class,
method, HTTP version, the request's Connection header, the framing the
application chooses, and whether there is a body (spec 3, 4). All pairs of
values, plus the full cross of the request dimensions where that is cheap."""

from __future__ import annotations

import itertools
import textwrap

from . import oracle as o
from .builder import Case
from .pairwise import allpairs

AREA = "gen-cross"
STATUSES = [(100, b"Continue"), (101, b"Switching Protocols"), (200, b"OK"), (204, b"No Content"),
            (205, b"Reset Content"), (304, b"Not Modified"), (404, b"Not Found"),
            (503, b"Service Unavailable"), (999, b""), (99, b"Low"), (1000, b"High")]
METHODS = ["GET", "HEAD", "POST"]
VERSIONS = ["1.0", "1.1"]
CONNECTIONS = [None, "close", "keep-alive"]
# cl: the application's Content-Length, right; cl-less: it declares fewer
# bytes than it sends; cl-more: more than it sends; te: Transfer-Encoding:
# chunked, the application encoding the chunks; more-data: MORE_DATA, no
# length, a final empty HttpSendResponseEntityBody; auto: nothing.
FRAMINGS = ["cl", "cl-less", "cl-more", "te", "more-data", "auto"]
FRAMING_TEXT = {
    "cl": "gives the right Content-Length (WIRE-CL-APP)",
    "cl-less": "gives a Content-Length 2 smaller than the bytes it sends, which pass through "
               "unchanged (WIRE-CL-APP)",
    "cl-more": "gives a Content-Length 4 larger than the bytes it sends (WIRE-CL-SHORT, undefined)",
    "te": "gives Transfer-Encoding: chunked and encodes the chunks itself (WIRE-CL-NONE-TE)",
    "more-data": "sends the head with MORE_DATA and ends with an empty HttpSendResponseEntityBody "
                 "(WIRE-CL-NONE-MORE-DATA)",
    "auto": "gives no framing header, leaving any Content-Length to the implementation "
            "(WIRE-CL-AUTO and the cases without one)",
}
BODIES = [True, False]
BODY = b"hello"


def _valid(c) -> bool:
    status, method, version, conn, framing, body = c
    return not (framing == "cl-less" and not body)


def _name(c) -> str:
    status, method, version, conn, framing, body = c
    return "-".join([str(status[0]), method.lower(), "http" + version.replace(".", ""),
                     "conn-" + (conn or "none"), framing, "body" if body else "empty"])


def _wrap(text: str) -> str:
    return "\n".join(textwrap.wrap(text, 78))


def build(c, cid: str | None = None) -> Case:
    (status, reason), method, version, conn, framing, body = c
    entity = BODY if body else b""
    known: dict[str, bytes] = {}
    flags = 0
    if framing == "cl":
        known["Content-Length"] = str(len(entity)).encode()
    elif framing == "cl-less":
        known["Content-Length"] = str(len(entity) - 2).encode()
    elif framing == "cl-more":
        known["Content-Length"] = str(len(entity) + 4).encode()
    elif framing == "te":
        known["Transfer-Encoding"] = b"chunked"
        entity = (b"%x\r\n%s\r\n" % (len(entity), entity) if entity else b"") + b"0\r\n\r\n"
    elif framing == "more-data":
        flags = o.MD
    x = o.Request(method=method, version=version, connection=conn,
                  body=b"abc" if method == "POST" else b"", path="/cross")
    cc = Case(cid or f"cross-{_name(c)}",
              f"{status} to {method} HTTP/{version}, Connection: {conn or 'none'}, framing {framing}, "
              f"{'a body' if body else 'no body'}",
              _wrap(f"A {method} HTTP/{version} request"
                    f"{' with a 3-byte body the application does not read' if method == 'POST' else ''}"
                    f" and {'a Connection: ' + conn + ' header' if conn else 'no Connection header'}."
                    f" The application answers {status} with"
                    f" {'the 5-byte entity hello' if body else 'no entity'} and {FRAMING_TEXT[framing]}."
                    " The request's version and Connection header decide the Connection line and"
                    " whether the connection closes (chapter 4)."))
    cc.request(x)
    if method == "POST":
        cc.rule("CONN-REQUEST-BODY-DISCARDED")
    res = cc.response(x, flags, status, reason, known, entity)
    if framing == "more-data" and res.ok:
        cc.body(x, 0, chunks=[])
    if framing == "cl-more" and res.ok:
        cc.rule("WIRE-CL-SHORT")
        cc.undefined = True
    if framing == "cl-less" and res.ok:
        cc.fates[x.name] = "any"          # the client reads the extra bytes as the next response
    if conn == "keep-alive" and version == "1.0" and res.ok:
        cc.rule("CONN-HTTP10-CLOSE")
    return cc


def cases():
    dims = [STATUSES, METHODS, VERSIONS, CONNECTIONS, FRAMINGS, BODIES]
    seen = set()
    for c in allpairs(dims, _valid):
        seen.add(c)
        yield AREA, build(c)
    # The request dimensions in full, on a plain 200 with each framing that
    # leaves the connection's fate to the request.
    for method, version, conn, framing in itertools.product(METHODS, VERSIONS, CONNECTIONS,
                                                             ["auto", "cl", "more-data"]):
        c = ((200, b"OK"), method, version, conn, framing, True)
        if c not in seen:
            seen.add(c)
            yield "gen-conn-matrix", build(c, f"matrix-{_name(c)}")
