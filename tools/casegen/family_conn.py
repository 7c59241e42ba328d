"""The connection over several exchanges (spec 4): OPAQUE upgrades with bytes
both ways, pipelined requests, and bodies of several MiB."""

from __future__ import annotations

from . import oracle as o
from .builder import Case

AREA = "gen-conn"
UPGRADE_KNOWN = {"Upgrade": b"websocket", "Connection": b"Upgrade"}


def opaque():
    for then in (b"p", b"ping", b"0123456789" * 6):
        for rounds in (1, 3):
            for final in ("plain", "disconnect", "empty"):
                c = Case(f"opaque-client-{len(then)}-bytes-server-{rounds}-sends-final-{final}",
                         f"OPAQUE upgrade: {len(then)} client byte(s) in, {rounds} opaque send(s) out, "
                         f"final call {final}",
                         f"""
A WebSocket upgrade answered 101 with OPAQUE | MORE_DATA. The client then
sends {len(then)} byte(s), which the application reads with
HttpReceiveRequestEntityBody; it answers with {rounds} body call(s) with
OPAQUE | MORE_DATA and ends with a final body call {'with DISCONNECT' if final == 'disconnect' else 'with no chunks' if final == 'empty' else 'with one chunk'}.
The bytes go both ways unframed, and the connection closes after the final
call (CONN-OPAQUE).
""")
                x = c.request(o.Request(path="/ws", upgrade=True), then=then.decode())
                c.response(x, o.OPQ | o.MD, 101, b"Switching Protocols", UPGRADE_KNOWN)
                c.step({"fn": "recv_body", "id": x.name, "max": len(then),
                        "expect": {"data": then.decode()}})
                for i in range(1, rounds + 1):
                    c.body(x, o.OPQ | o.MD, b"frame%d;" % i)
                if final == "empty":
                    c.body(x, 0, chunks=[])
                else:
                    c.body(x, o.D if final == "disconnect" else 0, b"end")
                c.rule("CONN-OPAQUE", "CONN-OPAQUE-REQUEST")
                yield c


SHAPES = {
    "auto": lambda c, x, p: c.response(x, 0, body=p),
    "app-length": lambda c, x, p: c.response(x, 0, known={"Content-Length": b"%d" % len(p)}, body=p),
    "stream": lambda c, x, p: (c.response(x, o.MD, known={"Content-Length": b"%d" % len(p)}),
                               c.body(x, 0, p)),
    "head-request": None,
}


def pipelined():
    for n in (2, 3):
        for shape in ("auto", "app-length", "stream"):
            for last in ("keep-alive", "close"):
                c = Case(f"pipelined-{n}-{shape}-last-{last}",
                         f"{n} pipelined requests answered in order ({shape}), the last asking {last}",
                         f"""
{n} requests go out in one write. Each reaches the application only after the
final send to the one before it (CONN-PIPELINE), and the responses ({shape})
follow each other on the connection. The last request
{'asks for Connection: close, so the connection closes after its response' if last == 'close' else 'keeps the connection open'}.
""")
                xs = []
                for i in range(1, n + 1):
                    x = o.Request(name=f"r{i}", path=f"/p{i}",
                                  connection="close" if last == "close" and i == n else None)
                    c.request(x, **({"pipelined_with": f"r{i - 1}"} if i > 1 else {}))
                    xs.append(x)
                for i, x in enumerate(xs, 1):
                    if i > 1:
                        c.step({"fn": "receive", "id": x.name, "expect": {"delivered": True}})
                    SHAPES[shape](c, x, b"answer%d" % i)
                c.rule("CONN-PIPELINE", "CONN-PERSISTENT")
                yield c
    c = Case("pipelined-second-held-back-while-streaming",
             "A pipelined request is held back while the response before it is still streaming",
             """
Two requests in one write. While the first response is open (MORE_DATA), the
second is not delivered (CONN-PIPELINE); after the final body call it is.
""")
    x1 = c.request(o.Request(name="r1", path="/slow"))
    x2 = c.request(o.Request(name="r2", path="/next"), pipelined_with="r1")
    c.response(x1, o.MD, known={"Content-Length": b"4"}, body=b"sl")
    c.step({"fn": "receive", "id": "r2", "timeout_ms": 100, "expect": {"delivered": False}})
    c.body(x1, 0, b"ow")
    c.step({"fn": "receive", "id": "r2", "expect": {"delivered": True}})
    c.response(x2, 0, body=b"next")
    c.rule("CONN-PIPELINE")
    yield c


def large():
    mib = 1 << 20
    for size in (2 * mib, 5 * mib):
        for how in ("response-auto", "response-app-length", "body-calls"):
            c = Case(f"large-{size // mib}-mib-{how}",
                     f"A {size // mib} MiB entity sent by {how.replace('-', ' ')}, then the connection is reused",
                     f"""
{size // mib} MiB of entity ({size} bytes made by the adapter, protocol 1.1
fill chunks) sent {'in one HttpSendHttpResponse with an automatic Content-Length' if how == 'response-auto' else 'in one HttpSendHttpResponse with the application Content-Length' if how == 'response-app-length' else 'in four HttpSendResponseEntityBody calls after a MORE_DATA head with the Content-Length'}.
Every byte reaches the client (WIRE-BODY, CONN-BYTES-SENT), the call does not
report success for bytes it did not write (CALL-SYSTEM-ERROR), and the
connection is then reused (CONN-PERSISTENT). The bytes on the wire are as the
model renders them; the case does not spell out megabytes.
""")
            c.omit_wire = True
            x = c.request(o.Request(path="/large"))
            fill = [{"fill": "L", "length": size}]
            data = b"L" * size
            if how == "response-auto":
                c.response(x, 0, body=data, chunks=fill)
            elif how == "response-app-length":
                c.response(x, 0, known={"Content-Length": b"%d" % size}, body=data, chunks=fill)
            else:
                c.response(x, o.MD, known={"Content-Length": b"%d" % size})
                q = size // 4
                for i in range(4):
                    c.body(x, o.MD if i < 3 else 0, data[:q], chunks=[{"fill": "L", "length": q}])
            c.rule("CONN-BYTES-SENT", "CALL-SYSTEM-ERROR")
            yield c


def cases():
    for fam in (opaque, pipelined, large):
        for c in fam():
            yield AREA, c
