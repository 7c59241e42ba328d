"""The reference adapter's protocol 1.1 additions (spec/adapter-protocol.md,
"Version 1.1 additions"): fill: chunks, deferred calls with WAIT and CANCEL,
HTTP_RESPONSE_V2 with multi_known, and an ERROR naming the argument for every
malformed use of them.
"""

from __future__ import annotations

import socket
import time

import pytest

from test_reference_adapter_robustness import (HOST, Adapter, assert_still_serves, connect,
                                               parse_result, read_response, read_until_eof,
                                               request)

BIG = 32 * 1024 * 1024          # more than the loopback socket buffers hold


@pytest.fixture
def adapter(reference_cmd, tmp_path):
    a = Adapter(reference_cmd, tmp_path / "adapter.log")
    try:
        hello = a.cmd("HELLO 1").split()
        assert hello[:3] == ["HELLO", "1", "reference"], hello
        a.caps = hello[4].split(",")
        a.port = int(a.cmd("LISTEN").split()[2])
        yield a
    finally:
        a.close()


def received(a: Adapter, ref: str = "r1", target: str = "/t", rcvbuf: int | None = None):
    s = connect(a.port, rcvbuf=rcvbuf)
    s.sendall(request(a.port, "GET", target))
    # peer= names the client's port of the connection the request came on
    assert a.cmd(f"RECEIVE {ref} 2000") == f"REQUEST {ref} GET 1.1 peer={s.getsockname()[1]}"
    return s


def result(line: str) -> tuple[int, str, str]:
    parse_result(line)
    parts = line.split()
    return int(parts[1]), parts[2].split("=")[1], parts[3].split("=")[1]


def drain(s: socket.socket, want: int, timeout: float = 5.0) -> bytes:
    deadline = time.monotonic() + timeout
    data = bytearray()
    while len(data) < want and time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = s.recv(1 << 20)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    return bytes(data)


def test_hello_lists_the_1_1_capabilities(adapter):
    assert {"fill", "defer", "response-v2"} <= set(adapter.caps)


def test_fill_chunk_is_that_many_copies_of_the_byte(adapter):
    a = adapter
    with received(a) as s:
        assert result(a.cmd("CALL response id=r1 chunk=fill:41:5 chunk=fill:42:0 "
                            "chunk=mem:43"))[0] == 0
        _, headers, body = read_response(s)
        assert headers["content-length"] == "6" and body == b"AAAAAC"


BAD_LINES = [
    # (line, a word the ERROR must name)
    ("CALL response id=r1 chunk=fill:4:5", "fill byte"),
    ("CALL response id=r1 chunk=fill:4142:5", "fill byte"),
    ("CALL response id=r1 chunk=fill:41:x", "fill length"),
    ("CALL response id=r1 chunk=fill:41:4294967296", "fill length"),
    ("CALL response id=r1 chunk=fill:41:4294967295", "fill length"),   # more than it supports
    ("CALL response id=r1 chunk=fill:41", "chunk"),
    ("CALL response id=r1 overlapped=later", "overlapped"),
    ("CALL response id=r1 overlapped=defer", "op"),
    ("CALL response id=r1 op=o1", "op"),
    ("CALL response id=r1 overlapped=defer op=bad-name", "op"),
    ("CALL response id=r1 response_version=3", "response_version"),
    ("CALL response id=r1 response_version=1 multi_known=29:1:41", "response_version"),
    ("CALL body id=r1 response_version=2", "response_version"),
    ("CALL body id=r1 multi_known=29:1:41", "multi_known"),
    ("CALL response id=r1 multi_known=29:1", "multi_known"),
    ("CALL response id=r1 multi_known=x:1:41", "multi_known header id"),
    ("CALL response id=r1 multi_known=30:1:41", "multi_known header id"),
    ("CALL response id=r1 multi_known=11:1:41", "multi_known header id"),
    ("CALL response id=r1 multi_known=29:y:41", "multi_known flags"),
    ("CALL response id=r1 multi_known=29:1:41,zz", "multi_known value 2"),
    ("CALL response id=r1 multi_known=29:1:", "multi_known value 1"),
    ("WAIT", "usage: WAIT"),
    ("WAIT o1", "usage: WAIT"),
    ("WAIT o-1 10", "usage: WAIT"),
    ("WAIT o1 soon", "usage: WAIT"),
    ("WAIT nosuch 10", "unknown op 'nosuch'"),
    ("CANCEL", "usage: CANCEL"),
    ("CANCEL a b", "usage: CANCEL"),
    ("CANCEL nosuch", "unknown op 'nosuch'"),
]


@pytest.mark.parametrize("line, word", BAD_LINES, ids=[b[0] for b in BAD_LINES])
def test_malformed_1_1_lines_get_an_error_naming_the_argument(adapter, line, word):
    a = adapter
    with received(a) as s:
        reply = a.cmd(line)
        assert reply.startswith("ERROR ") and word in reply, (line, reply)
        # nothing was sent and the request is still there
        assert result(a.cmd("CALL response id=r1 chunk=mem:6f6b"))[0] == 0
        assert read_response(s)[2] == b"ok"


def test_deferred_send_pending_then_bad_command_then_completion(adapter):
    a = adapter
    s = received(a, rcvbuf=65536)          # the client reads nothing for now
    try:
        assert result(a.cmd(f"CALL response id=r1 flags=2 known.11={str(BIG + 1).encode().hex()}"))[0] == 0
        rc, bs, co = result(a.cmd(f"CALL body id=r1 flags=2 overlapped=defer op=big "
                                  f"chunk=fill:61:{BIG}"))
        assert (rc, bs, co) == (997, "unset", "pending")
        assert a.cmd("WAIT big 50") == "TIMEOUT"
        assert a.cmd("WAIT big 0") == "TIMEOUT"
        # CALL-CONCURRENT-SEND: any send on the id fails while one is pending
        assert result(a.cmd("CALL body id=r1 chunk=mem:7a"))[0] == 22
        assert result(a.cmd("CALL response id=r1"))[0] == 22
        assert a.cmd("CALL body id=r1 overlapped=defer op=big chunk=mem:7a") == \
            "ERROR op 'big' is already used since the last RESET"
        head = drain(s, 1)
        data = head + drain(s, BIG + 200 - len(head))
        assert a.cmd("WAIT big 3000") == f"COMPLETION 0 {BIG}"
        assert a.cmd("WAIT big 0") == f"COMPLETION 0 {BIG}"      # the same, every time
        assert a.cmd("CANCEL big") == "OK"                         # completed: no effect
        assert a.cmd("WAIT big 0") == f"COMPLETION 0 {BIG}"
        assert result(a.cmd("CALL body id=r1 chunk=mem:7a"))[0] == 0
        data += drain(s, 1)
        body = data.partition(b"\r\n\r\n")[2]
        assert len(body) == BIG + 1 and body.endswith(b"aaz") and body.count(b"a") == BIG
    finally:
        s.close()
    assert_still_serves(a)


def test_cancel_aborts_the_pending_send_and_closes(adapter):
    a = adapter
    s = received(a, rcvbuf=65536)
    try:
        assert result(a.cmd(f"CALL response id=r1 overlapped=defer op=c chunk=fill:63:{BIG}"))[0] \
            == 997
        assert a.cmd("WAIT c 20") == "TIMEOUT"
        assert a.cmd("CANCEL c") == "OK"
        reply = a.cmd("WAIT c 2000").split()
        assert reply[:2] == ["COMPLETION", "995"] and 0 < int(reply[2]) < BIG, reply
        assert a.cmd("CANCEL c") == "OK"
        data = read_until_eof(s)
        assert data.startswith(b"HTTP/1.1 200 ") and len(data) < BIG
        # the response was not completed: the id is gone
        assert result(a.cmd("CALL body id=r1 chunk=mem:7a"))[0] == 1229
    finally:
        s.close()
    assert_still_serves(a)


def test_reset_with_a_pending_send_forgets_it(adapter):
    a = adapter
    s = received(a, rcvbuf=65536)
    try:
        assert result(a.cmd(f"CALL response id=r1 overlapped=defer op=p chunk=fill:70:{BIG}"))[0] \
            == 997
        assert a.cmd("RESET") == "OK"
        assert a.cmd("WAIT p 10").startswith("ERROR unknown op 'p'")
        assert a.cmd("CANCEL p").startswith("ERROR unknown op 'p'")
    finally:
        s.close()
    assert_still_serves(a)


def test_small_deferred_send_completes_with_its_bytes(adapter):
    a = adapter
    with received(a) as s:
        assert result(a.cmd("CALL response id=r1 overlapped=defer op=d chunk=mem:6869"))[:1] \
            == (997,)
        status, headers, body = read_response(s)
        assert status == b"HTTP/1.1 200 " and body == b"hi"
        reply = a.cmd("WAIT d 2000").split()
        assert reply[:2] == ["COMPLETION", "0"]
        assert int(reply[2]) == len(status) + 2 + sum(len(k) + len(v) + 4 for k, v in
                                                        headers.items()) + 2 + 2
        # the response is complete: the connection serves the next request
        s.sendall(request(a.port, "GET", "/next"))
        assert a.cmd("RECEIVE r2 2000").startswith("REQUEST r2 GET 1.1 peer=")


def test_multi_known_values_are_lines_and_v2_without_info_is_v1(adapter):
    a = adapter
    heads = []
    for ref, extra in (("v1", ""), ("v2", " response_version=2"),
                       ("mk", " multi_known=29:1:4e65676f7469617465,4e544c4d,-"
                              " multi_known=27:0:613d31")):
        with received(a, ref) as s:
            assert result(a.cmd(f"CALL response id={ref} status=401 known.25=313230{extra}"))[0] \
                == 0
            data = drain(s, 1)
            while b"\r\n\r\n" not in data:
                data += drain(s, 1)
            heads.append(data.split(b"\r\n"))
    no_date = [[x for x in h if not x.startswith(b"Date: ")] for h in heads]
    assert no_date[0] == no_date[1]
    extra = [x for x in no_date[2] if x not in no_date[0]]
    assert extra == [b"WWW-Authenticate: Negotiate", b"WWW-Authenticate: NTLM",
                     b"WWW-Authenticate: ", b"Set-Cookie: a=1"]


# ------------------------------------------------------------------ sent

def test_sent_times_out_at_once_when_nothing_can_arrive(adapter):
    """Two pipelined requests, the first received: with sent= the second, held back,
    is a certain TIMEOUT, answered well within a 30 s timeout (read_line fails after
    3 s)."""
    assert "sent" in adapter.caps
    s = connect(adapter.port)
    both = request(adapter.port, "GET", "/a") + request(adapter.port, "GET", "/b")
    s.sendall(both)
    assert adapter.cmd("RECEIVE r1 2000").startswith("REQUEST r1 GET")
    port = s.getsockname()[1]
    assert adapter.cmd(f"RECEIVE r2 30000 sent={port}:{len(both)}") == "TIMEOUT"
    # the request is still there: once the first is answered it is delivered
    parse_result(adapter.cmd("CALL response id=r1 status=204"))
    assert adapter.cmd(f"RECEIVE r2 2000 sent={port}:{len(both)}").startswith("REQUEST r2 GET")


def test_sent_waits_for_bytes_still_on_their_way(adapter):
    """Planted: sent= counts the request's last two bytes before they are written; the
    adapter must wait for them and deliver, not answer TIMEOUT on what it has."""
    s = connect(adapter.port)
    whole = request(adapter.port, "GET", "/late")
    s.sendall(whole[:-2])
    adapter.send_line(f"RECEIVE r1 5000 sent={s.getsockname()[1]}:{len(whole)}")
    time.sleep(0.2)
    s.sendall(whole[-2:])
    assert adapter.read_line(timeout=5.0).startswith("REQUEST r1 GET")


def test_sent_waits_for_a_connection_it_does_not_list(adapter):
    """A second connection that sent= does not name may still complete a request."""
    s1 = connect(adapter.port)
    s2 = connect(adapter.port)
    whole = request(adapter.port, "GET", "/other")
    s2.sendall(whole[:-2])
    adapter.send_line(f"RECEIVE r1 5000 sent={s1.getsockname()[1]}:0")
    time.sleep(0.2)
    s2.sendall(whole[-2:])
    assert adapter.read_line(timeout=5.0) == (f"REQUEST r1 GET 1.1 peer={s2.getsockname()[1]}")


@pytest.mark.parametrize("field", ["sent=abc", "sent=1:2:3", "sent=70000:1", "sent=:5",
                                   "nosent=1:1", "sent=1:1,"])
def test_sent_malformed_is_a_usage_error(adapter, field):
    assert adapter.cmd(f"RECEIVE r1 100 {field}").startswith("ERROR usage: RECEIVE")
    assert_still_serves(adapter)


def _pending_big(a: Adapter, rcvbuf: int = 65536) -> socket.socket:
    """A client that reads nothing, and a deferred 32 MiB body call on its request."""
    s = received(a, rcvbuf=rcvbuf)
    assert result(a.cmd(f"CALL response id=r1 flags=2 known.11={str(BIG).encode().hex()}"))[0] == 0
    assert result(a.cmd(f"CALL body id=r1 overlapped=defer op=big chunk=fill:61:{BIG}"))[0] in (0, 997)
    return s


def _timed(a: Adapter, line: str, timeout: float = 10.0) -> tuple[str, float]:
    t0 = time.monotonic()
    a.send_line(line)
    reply = a.read_line(timeout=timeout)
    return reply, time.monotonic() - t0


def test_stalled_times_out_at_once_when_the_send_cannot_finish(adapter):
    """stalled= names the paused client with its receive buffer: 32 MiB cannot fit in
    the buffers, so a 20 s WAIT is a certain TIMEOUT, answered at once; the send
    still completes, with every byte, once the client reads."""
    a = adapter
    assert "stalled" in a.caps
    s = _pending_big(a)
    try:
        port, rcvbuf = s.getsockname()[1], s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        reply, took = _timed(a, f"WAIT big 20000 stalled={port}:{rcvbuf}")
        assert reply == "TIMEOUT" and took < 2.0, (reply, took)
        head = drain(s, 1)
        data = head + drain(s, BIG + 200 - len(head))
        assert a.cmd("WAIT big 5000") == f"COMPLETION 0 {BIG}"
        assert data.partition(b"\r\n\r\n")[2] == b"a" * BIG
    finally:
        s.close()
    assert_still_serves(a)


@pytest.mark.parametrize("how", ["other-port", "huge-buffer"])
def test_stalled_waits_when_the_send_may_still_finish(adapter, how):
    """Planted wrong hints: a stalled= that names another connection, or a receive
    buffer large enough to take the rest, proves nothing, and WAIT waits its
    timeout out as before."""
    a = adapter
    s = _pending_big(a)
    try:
        port = s.getsockname()[1]
        field = f"stalled={port + 1 if port < 65535 else 1}:65536" if how == "other-port" \
            else f"stalled={port}:{BIG}"
        reply, took = _timed(a, f"WAIT big 300 {field}")
        assert reply == "TIMEOUT" and took >= 0.29, (reply, took)
    finally:
        s.close()
    assert_still_serves(a)


@pytest.mark.parametrize("field", ["stalled=abc", "stalled=1", "stalled=70000:1", "stalled=:5",
                                   "nostalled=1:1", "stalled=1:1,"])
def test_stalled_malformed_is_a_usage_error(adapter, field):
    with received(adapter) as s:
        assert result(adapter.cmd("CALL response id=r1 overlapped=defer op=w chunk=mem:41"))[0] in (0, 997)
        assert adapter.cmd(f"WAIT w 100 {field}").startswith("ERROR usage: WAIT")
        s.close()
    assert_still_serves(adapter)
