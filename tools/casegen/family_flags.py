"""All 64 combinations of the six documented flags, for both functions, and
the GOAWAY, AUTOMATIC_CHUNKING and undefined bits (spec 1.3, 2.2, 4)."""

from __future__ import annotations

from . import oracle as o
from .builder import Case

AREA = "gen-flags"
EXTRA_BITS = {"goaway": o.FLAG["GOAWAY"], "automatic-chunking": o.FLAG["AUTOMATIC_CHUNKING"],
              "bit-0x10": 0x10, "bit-0x80": 0x80, "bit-0x400": 0x400, "bit-0x800": 0x800,
              "bit-0x10000": 0x10000, "bit-0x80000000": 0x80000000, "all-undefined-bits": 0xFFFFFE90}
EXTRA_RULES = {"goaway": "FLAG-GOAWAY", "automatic-chunking": "FLAG-AUTOMATIC-CHUNKING"}


def combos():
    for mask in range(64):
        yield sum(o.FLAG[n] for i, n in enumerate(o.DOCUMENTED) if mask >> i & 1)


def tag(flags: int) -> str:
    names = o.flag_names(flags)
    return "-".join(n.lower().replace("_", "-") for n in names) if names else "none"


def _show(flags: int) -> str:
    return " | ".join(o.flag_names(flags)) or "no flags"


def response_200(flags: int) -> Case:
    c = Case(f"response-200-flags-{tag(flags)}",
             f"HttpSendHttpResponse, 200 with a 5-byte body, flags {_show(flags)}",
             f"""
HttpSendHttpResponse on an HTTP/1.1 GET with Flags = {_show(flags)} (0x{flags:x}),
status 200 and one memory chunk "hello". One of the 64 combinations of the six
documented flags: OPAQUE needs status 101 (SEND-FLAG-OPAQUE-101), DISCONNECT
with MORE_DATA is undefined, the others decide the framing (MORE_DATA: no
automatic Content-Length) and the connection (DISCONNECT closes it).
""")
    x = c.request(o.Request(path="/flags"))
    c.response(x, flags, body=b"hello")
    return c


def response_101(flags: int) -> Case:
    c = Case(f"response-101-flags-{tag(flags)}",
             f"HttpSendHttpResponse, 101 to a WebSocket upgrade, flags {_show(flags)}",
             f"""
HttpSendHttpResponse on an HTTP/1.1 WebSocket upgrade request with Flags =
{_show(flags)} (0x{flags:x}), status 101 and Upgrade: websocket. With OPAQUE
the connection becomes opaque (with MORE_DATA) or closes after the head
(CONN-OPAQUE); without it the 101 is an ordinary response. No automatic
Content-Length on a 1xx (the reference), or one (allowed).
""")
    x = c.request(o.Request(path="/upgrade", upgrade=True))
    c.response(x, flags, status=101, reason=b"Switching Protocols", known={"Upgrade": b"websocket"})
    return c


def body_after_more_data(flags: int) -> Case:
    c = Case(f"body-flags-{tag(flags)}",
             f"HttpSendResponseEntityBody after a MORE_DATA head, flags {_show(flags)}",
             f"""
A head with MORE_DATA and Content-Length: 10 carries "hello"; then
HttpSendResponseEntityBody sends "world" with Flags = {_show(flags)} (0x{flags:x}).
OPAQUE is refused on a response that is not opaque (BODY-FLAG-OPAQUE-101),
DISCONNECT with MORE_DATA is undefined; MORE_DATA keeps the response open,
DISCONNECT closes the connection after this final call.
""")
    x = c.request(o.Request(path="/body-flags"))
    c.response(x, o.MD, known={"Content-Length": b"10"}, body=b"hello")
    c.body(x, flags, b"world")
    return c


def body_in_opaque(flags: int) -> Case:
    c = Case(f"body-opaque-flags-{tag(flags)}",
             f"HttpSendResponseEntityBody on an opaque connection, flags {_show(flags)}",
             f"""
After a 101 with OPAQUE | MORE_DATA to a WebSocket upgrade, the application
sends "pong" with HttpSendResponseEntityBody and Flags = {_show(flags)}
(0x{flags:x}). The bytes go out unframed; without MORE_DATA this is the final
call and the connection closes (CONN-OPAQUE).
""")
    x = c.request(o.Request(path="/opaque-flags", upgrade=True))
    c.response(x, o.OPQ | o.MD, status=101, reason=b"Switching Protocols",
               known={"Upgrade": b"websocket", "Connection": b"Upgrade"})
    c.body(x, flags, b"pong")
    return c


def extra_response(name: str, bits: int, more: bool) -> Case:
    flags = bits | (o.MD if more else 0)
    with_md = " with MORE_DATA" if more else ""
    c = Case(f"response-{name}{'-more-data' if more else ''}",
             f"HttpSendHttpResponse with {name.replace('-', ' ')} (0x{bits:x}){with_md}",
             f"""
Flags = 0x{flags:x}: {name.replace('-', ' ')}{with_md} on a 200 with a 5-byte body.
GOAWAY is accepted without effect or refused with 87 (FLAG-GOAWAY);
AUTOMATIC_CHUNKING is undocumented (undefined); a bit no SDK defines is
refused with 87 and nothing sent (the reference) or ignored (CALL-FLAG-UNKNOWN).
""")
    x = c.request(o.Request(path="/bits"))
    res = c.response(x, flags, body=b"hello")
    _goaway_or(c, name, res)
    return c


def _goaway_or(c: Case, name: str, res) -> None:
    """GOAWAY is processed as without it (the reference) or refused with 87
    and nothing sent (FLAG-GOAWAY, IMPL); the other bits are decided by the
    oracle's CALL-FLAG-UNKNOWN reading, AUTOMATIC_CHUNKING is undefined."""
    if name == "goaway":
        res.rc.append(o.INVALID_PARAMETER)
        res.wires.append(b"")
        c.rule("FLAG-GOAWAY")
    elif name in EXTRA_RULES:
        c.rule(EXTRA_RULES[name])
        c.undefined = True


def extra_body(name: str, bits: int, more: bool) -> Case:
    flags = bits | (o.MD if more else 0)
    with_md = " with MORE_DATA" if more else ""
    c = Case(f"body-{name}{'-more-data' if more else ''}",
             f"HttpSendResponseEntityBody with {name.replace('-', ' ')} (0x{bits:x}){with_md}",
             f"""
After a MORE_DATA head with Content-Length: 10 and "hello", the body call
sends "world" with Flags = 0x{flags:x}: {name.replace('-', ' ')}{with_md}. The
same rules as for HttpSendHttpResponse: GOAWAY accepted or refused,
AUTOMATIC_CHUNKING undefined, undefined bits refused or ignored.
""")
    x = c.request(o.Request(path="/bits"))
    c.response(x, o.MD, known={"Content-Length": b"10"}, body=b"hello")
    res = c.body(x, flags, b"world")
    _goaway_or(c, name, res)
    return c


def cases():
    for f in combos():
        yield AREA, response_200(f)
        yield AREA, response_101(f)
        yield AREA, body_after_more_data(f)
        if not f & o.OPQ:
            yield AREA, body_in_opaque(f | o.OPQ)
    for name, bits in EXTRA_BITS.items():
        for more in (False, True):
            yield AREA, extra_response(name, bits, more)
            yield AREA, extra_body(name, bits, more)
