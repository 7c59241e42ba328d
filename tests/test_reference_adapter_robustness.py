"""The reference adapter survives hostile HTTP clients and bad control lines.

Each test starts build/hs-reference-adapter (spec/adapter-protocol.md over
stdin/stdout), does something hostile to it with raw sockets on loopback, and
then shows that the adapter still works: a fresh, well-formed request on a new
connection is RECEIVEd, a `CALL response` on it answers `RESULT 0`, the client
reads an `HTTP/1.1 200` response, and the process is still alive. Where it is
cheap, the test also checks that the adapter let go of the hostile
connections (its open descriptors, read from /proc, fall back to where they
were).

Every wait is short, so the file runs in a few seconds.
"""

from __future__ import annotations

import os
import select
import socket
import struct
import time
from pathlib import Path

import pytest

from harness.adapter import Control

HOST = "127.0.0.1"
ERROR_CONNECTION_INVALID = 1229


# ---------------------------------------------------------------- helpers

class Adapter:
    """One adapter process and its control channel, one line at a time."""

    def __init__(self, command: str, log_path: Path):
        self.ctl = Control(command, log_path)
        self.ctl.start()
        self.buf = b""
        self.port = 0

    @property
    def proc(self):
        return self.ctl.proc

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        return self.ctl.log_since(0)

    def send_line(self, line: str | bytes, timeout: float = 5.0) -> None:
        data = line if isinstance(line, bytes) else line.encode("ascii")
        self.ctl.write(data + b"\n", time.monotonic() + timeout)

    def read_line(self, timeout: float = 3.0) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no reply within {timeout} s; log:\n{self.log()}")
            r, _, _ = select.select([self.ctl.rfd], [], [], left)
            if not r:
                continue
            data = self.ctl.read()
            if not data and self.ctl.eof:
                raise AssertionError(f"control channel closed ({self.ctl.exit_status()}); "
                                     f"log:\n{self.log()}")
            self.buf += data
        line, _, self.buf = self.buf.partition(b"\n")
        return line.decode("ascii", "replace").rstrip("\r")

    def cmd(self, line: str | bytes, timeout: float = 3.0) -> str:
        self.send_line(line)
        return self.read_line(timeout)

    def fd_count(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def wait_fd_count(self, pred, timeout: float = 3.0) -> int:
        """Polls the number of open descriptors until pred(n) holds (or the deadline)."""
        deadline = time.monotonic() + timeout
        n = self.fd_count()
        while not pred(n) and time.monotonic() < deadline:
            time.sleep(0.02)
            n = self.fd_count()
        return n

    def close(self) -> None:
        if self.alive():
            try:
                self.send_line("BYE", timeout=1.0)
            except Exception:
                pass
        self.ctl.close(graceful=True, wait=1.0)


@pytest.fixture
def adapter(reference_cmd, tmp_path):
    a = Adapter(reference_cmd, tmp_path / "adapter.log")
    try:
        hello = a.cmd("HELLO 1")
        assert hello.startswith("HELLO 1 reference "), hello
        listening = a.cmd("LISTEN").split()
        assert listening[:2] == ["LISTENING", HOST], listening
        a.port = int(listening[2])
        yield a
    finally:
        a.close()


def connect(port: int, timeout: float = 3.0, rcvbuf: int | None = None) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((HOST, port))
    return s


def reset(sock: socket.socket) -> None:
    """Close with SO_LINGER 0: the peer gets a RST, not a FIN."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def request(port: int, method: str = "GET", target: str = "/ok") -> bytes:
    return f"{method} {target} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode("ascii")


def read_until_eof(sock: socket.socket, timeout: float = 3.0) -> bytes:
    """Everything the peer sends until it closes; fails if it does not close in time."""
    deadline = time.monotonic() + timeout
    data = b""
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"no end of stream within {timeout} s; got {data[:200]!r}"
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            return data
        data += chunk


def read_response(sock: socket.socket, timeout: float = 3.0) -> tuple[bytes, dict, bytes]:
    """One response with a Content-Length body: (status line, headers, body)."""
    deadline = time.monotonic() + timeout
    data = b""
    while b"\r\n\r\n" not in data:
        left = deadline - time.monotonic()
        assert left > 0, f"no complete response head within {timeout} s; got {data[:200]!r}"
        sock.settimeout(left)
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before the response head; got {data[:200]!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    headers = {}
    for ln in lines[1:]:
        name, _, value = ln.partition(b":")
        headers[name.strip().lower().decode()] = value.strip().decode()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        left = deadline - time.monotonic()
        assert left > 0, "response body incomplete"
        sock.settimeout(left)
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the response body"
        rest += chunk
    return lines[0], headers, rest


def parse_result(line: str) -> int:
    parts = line.split()
    assert len(parts) == 5 and parts[0] == "RESULT", line
    assert parts[2].startswith("bytes_sent=") and parts[3].startswith("completion="), line
    assert parts[4].startswith("rule="), line           # the reference names its rule
    return int(parts[1])


def assert_still_serves(a: Adapter, ref: str = "fresh") -> None:
    """A new connection's request is delivered and answered with a 200."""
    with connect(a.port) as s:
        s.sendall(request(a.port, "GET", "/fresh"))
        assert a.cmd(f"RECEIVE {ref} 2000", timeout=4).startswith(f"REQUEST {ref} GET 1.1 peer=")
        # body "fresh"
        assert parse_result(a.cmd(f"CALL response id={ref} status=200 chunk=mem:6672657368")) == 0
        status, headers, body = read_response(s)
        assert status.startswith(b"HTTP/1.1 200 "), status
        assert headers.get("content-length") == "5"
        assert body == b"fresh"
    assert a.alive(), a.log()
    assert a.cmd("HELLO 1").startswith("HELLO 1 reference ")


# ---------------------------------------------------------------- tests

def test_stalled_half_request_line_times_out_and_others_are_served(adapter):
    a = adapter
    stalled = connect(a.port)
    try:
        stalled.sendall(b"OPTIONS /sta")          # half a request line, then nothing
        t0 = time.monotonic()
        assert a.cmd("RECEIVE stall 300") == "TIMEOUT"
        elapsed = time.monotonic() - t0
        assert 0.25 <= elapsed < 1.5, elapsed

        assert_still_serves(a, "fresh1")
        assert_still_serves(a, "fresh2")

        # The stalled client was kept, unharmed: finishing its line delivers it.
        stalled.sendall(b"ll HTTP/1.1\r\nHost: x\r\n\r\n")
        assert a.cmd("RECEIVE stall 2000").startswith("REQUEST stall OPTIONS 1.1 peer=")
        assert parse_result(a.cmd("CALL response id=stall status=200")) == 0
        status, _, body = read_response(stalled)
        assert status.startswith(b"HTTP/1.1 200 ") and body == b""
    finally:
        stalled.close()
    assert a.alive()


@pytest.mark.parametrize("terminated", [False, True], ids=["endless-head", "complete-head"])
def test_request_head_over_16k_gets_400_and_close(adapter, terminated):
    a = adapter
    head = f"GET /big HTTP/1.1\r\nHost: {HOST}\r\n".encode()
    head += b"".join(b"X-Pad-%d: %s\r\n" % (i, b"a" * 1000) for i in range(20))   # ~20 KiB
    if terminated:
        head += b"\r\n"
    assert len(head) > 16 * 1024
    with connect(a.port) as s:
        s.sendall(head)
        reply = read_until_eof(s)
    assert reply.startswith(b"HTTP/1.1 400 "), reply[:200]
    assert b"\r\nConnection: close\r\n" in reply, reply
    assert reply.endswith(b"\r\n\r\n")             # the 400 and nothing after it
    # The oversized request never reached the application.
    assert a.cmd("RECEIVE big 200") == "TIMEOUT"
    assert "request head over 16 KiB" in a.log()
    assert_still_serves(a)


@pytest.mark.parametrize("raw", [
    b"NOT A REQUEST AT ALL\r\n\r\n",
    b"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    b"GET / HTTP/9x\r\nHost: x\r\n\r\n",
    b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)) + b"\r\n\r\n",
], ids=["words", "four-fields", "bad-version", "nul-in-method", "tls-hello"])
def test_bad_request_line_gets_400_and_close(adapter, raw):
    a = adapter
    with connect(a.port) as s:
        s.sendall(raw)
        reply = read_until_eof(s)
    assert reply.startswith(b"HTTP/1.1 400 "), reply[:200]
    assert b"\r\nConnection: close\r\n" in reply, reply
    assert a.cmd("RECEIVE bad 200") == "TIMEOUT"
    assert_still_serves(a)


@pytest.mark.parametrize("how", ["close", "reset"])
def test_connect_and_close_immediately(adapter, how):
    a = adapter
    base = a.fd_count()
    for _ in range(20):
        s = connect(a.port)
        if how == "reset":
            reset(s)
        else:
            s.close()
    assert a.cmd("RECEIVE none 200") == "TIMEOUT"
    assert a.wait_fd_count(lambda n: n <= base) == base, "connections were not let go"
    assert_still_serves(a)


@pytest.mark.parametrize("how", ["close", "reset"])
def test_client_vanishes_before_the_response(adapter, how):
    a = adapter
    s = connect(a.port)
    s.sendall(request(a.port, "GET", "/gone"))
    assert a.cmd("RECEIVE gone 2000").startswith("REQUEST gone GET 1.1 peer=")
    if how == "reset":
        reset(s)
    else:
        s.close()
    time.sleep(0.1)                                # let the FIN / RST arrive
    line = a.cmd("CALL response id=gone status=200 chunk=mem:6869")
    assert line == (f"RESULT {ERROR_CONNECTION_INVALID} bytes_sent=unset completion=unset "
                    "rule=CALL-CONN-GONE"), line
    # Asking again gives the same answer; nothing was sent, nothing crashed.
    assert parse_result(a.cmd("CALL response id=gone status=200")) == ERROR_CONNECTION_INVALID
    assert parse_result(a.cmd("CALL body id=gone chunk=mem:6869")) == ERROR_CONNECTION_INVALID
    assert a.alive(), a.log()
    assert_still_serves(a)


def test_client_resets_in_the_middle_of_a_large_response(adapter):
    a = adapter
    size = 4 * 1024 * 1024
    # A tiny receive window, and the client reads nothing: the 4 MiB cannot all go out.
    s = connect(a.port, rcvbuf=4096)
    s.sendall(request(a.port, "GET", "/large"))
    assert a.cmd("RECEIVE large 2000").startswith("REQUEST large GET 1.1 peer=")
    t0 = time.monotonic()
    a.send_line("CALL response id=large status=200 chunk=mem:" + "41" * size, timeout=10)
    time.sleep(0.5)
    reset(s)
    line = a.read_line(timeout=8)
    elapsed = time.monotonic() - t0
    assert elapsed < 6.0, f"CALL took {elapsed:.1f} s"
    rc = parse_result(line)
    assert rc in (0, ERROR_CONNECTION_INVALID), line
    assert a.alive(), a.log()
    # Whatever the call returned, the exchange is over: no second response.
    assert parse_result(a.cmd("CALL response id=large status=200")) != 0
    assert_still_serves(a)


def test_200_connections_at_once_then_closed(adapter):
    a = adapter
    base = a.fd_count()
    socks = []
    try:
        for _ in range(200):
            socks.append(connect(a.port))
        # Half of them start a request and stop, half send nothing.
        for s in socks[::2]:
            s.sendall(b"GET /many HT")
        assert a.wait_fd_count(lambda n: n >= base + 200) == base + 200, "not all were accepted"
        assert a.cmd("RECEIVE many 100") == "TIMEOUT"
    finally:
        for i, s in enumerate(socks):
            if i % 4 == 3:
                reset(s)
            else:
                s.close()
    assert a.wait_fd_count(lambda n: n <= base) == base, "closed connections were not let go"
    assert_still_serves(a)
    assert a.wait_fd_count(lambda n: n <= base) == base


BAD_CONTROL_LINES = [
    "CALL response id=",
    "CALL response id=pending bogus_key=1",
    "CALL response id=pending reason=zz",
    "CALL response id=pending reason=abc",
    "CALL response id=pending chunk=mem:0g",
    "CALL response id=pending chunk=mem:abc",
    "CALL response id=pending chunk=mem:00:11:22:33:44:55",
    "CALL response id=pending chunk=",
    "CALL response id=pending chunk=file:00:0:",
    "CALL response id=pending known.25=xyz1",
    "CALL response id=pending known.30=00",
    "CALL response id=pending unknown=zz:00",
    "CALL response id=pending unknown=4142",
    "CALL response id=pending status=70000",
    "CALL response id=pending version=1",
    "CALL response id=pending cache=1:2:3",
    "CALL response id=pending noequals",
    "CALL response id=pending =",
    "CALL response id=0x",
    "CALL response id=0xZZ",
    "CALL response id=no-such!",
    "CALL response id=nosuchref",
    "CALL response status=200",
    "CALL frobnicate id=pending",
    "CALL",
    "",
    "   ",
    "FROB",
    "RECEIVE pending",
    "RECEIVE bad-ref! 10",
    "RECEIVE r 99999999999999999999999",
    "HELLO 2",
    "RESET now",
    "CALL response id=pending \x00",
    "CALL response id=pending reason=" + "zz" * 5000,
]


def test_malformed_control_lines_get_error_and_the_adapter_goes_on(adapter):
    a = adapter
    s = connect(a.port)
    try:
        s.sendall(request(a.port, "GET", "/pending"))
        assert a.cmd("RECEIVE pending 2000").startswith("REQUEST pending GET 1.1 peer=")
        for line in BAD_CONTROL_LINES:
            reply = a.cmd(line)
            assert reply.startswith("ERROR "), (line[:80], reply)
            # One reply per command: the channel is still in step.
            assert a.cmd("HELLO 1").startswith("HELLO 1 reference "), line[:80]
        # Binary garbage with CR and high bytes is an error too.
        assert a.cmd(b"\xff\xfe CALL \x80\r").startswith("ERROR ")
        assert a.alive(), a.log()
        # None of it touched the pending request: it is answered once, now.
        assert parse_result(a.cmd("CALL response id=pending status=200 chunk=mem:6f6b")) == 0
        status, _, body = read_response(s)
        assert status.startswith(b"HTTP/1.1 200 ") and body == b"ok"
    finally:
        s.close()
    assert_still_serves(a)


# ---------------------------------------------------------------- limits

def test_half_sent_heads_do_not_lock_out_a_real_request(adapter):
    """Slowloris: more connections than the adapter keeps, each with half a request head;
    the oldest of them make room, and a fresh request is still served."""
    held = []
    try:
        for _ in range(600):
            s = connect(adapter.port)
            s.sendall(f"GET / HTTP/1.1\r\nHost: {HOST}\r\n".encode())
            held.append(s)
        assert_still_serves(adapter)
    finally:
        for s in held:
            s.close()
    assert "closed to make room for a new one" in adapter.log()


def test_fill_chunks_of_one_call_are_bounded_together(adapter):
    reply = adapter.cmd("CALL response id=0x1 chunk=fill:61:167772160 chunk=fill:62:167772160",
                        timeout=20)
    assert reply.startswith("ERROR fill chunks of more than 268435456 bytes in one call"), reply
    assert_still_serves(adapter)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@pytest.fixture
def tcp_adapter(reference_cmd, tmp_path):
    """The adapter with --control tcp:PORT; yields (port, extra arguments setter)."""
    import subprocess
    procs = []

    def start(*args):
        port = free_port()
        p = subprocess.Popen([reference_cmd, "--control", f"tcp:{port}", *args],
                             stdin=subprocess.DEVNULL, stderr=open(tmp_path / "log", "ab"))
        procs.append(p)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, port), timeout=1).close()
                return port
            except OSError:
                time.sleep(0.05)
        pytest.fail("the adapter does not listen for its control channel")
    yield start
    for p in procs:
        p.kill()
        p.wait()


def line_of(sock: socket.socket, timeout: float = 3.0) -> bytes:
    sock.settimeout(timeout)
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_a_silent_harness_does_not_hold_the_control_port(tcp_adapter):
    port = tcp_adapter("--control-idle-ms", "300")
    time.sleep(0.5)                  # the probe connection of tcp_adapter is gone by now
    first = socket.create_connection((HOST, port), timeout=3)
    first.sendall(b"HELLO 1\n")
    assert line_of(first).startswith(b"HELLO 1 reference ")
    with socket.create_connection((HOST, port), timeout=3) as second:   # first is active
        assert line_of(second) == b"ERROR busy: another harness is connected\n"
        assert line_of(second) == b""
    time.sleep(1.0)                  # first is now silent for more than 300 ms
    with socket.create_connection((HOST, port), timeout=3) as third:
        third.sendall(b"HELLO 1\n")
        assert line_of(third).startswith(b"HELLO 1 reference ")
    assert line_of(first) == b""      # replaced: its connection was closed
    first.close()


def test_control_token_is_required_when_given(tcp_adapter, monkeypatch, suite, tmp_path):
    port = tcp_adapter("--token", "s3cret")
    time.sleep(0.2)
    with socket.create_connection((HOST, port), timeout=3) as s:
        s.sendall(b"HELLO 1\n")
        assert line_of(s).startswith(b"ERROR authentication required")
        assert line_of(s) == b""
    with socket.create_connection((HOST, port), timeout=3) as s:
        s.sendall(b"AUTH wrong\n")
        assert line_of(s).startswith(b"ERROR authentication required")
    from harness.engine import Session
    monkeypatch.setenv("HS_CONTROL_TOKEN", "s3cret")
    session = Session(f"tcp:{HOST}:{port}", log_path=tmp_path / "s.log", close_wait=0.3)
    case = next(c for c in suite if c.id == "status-418-teapot-retry-after")
    try:
        out = session.run_case(case, 5.0)
    finally:
        session.kill()
    assert out.status == "ok", out.message
