"""The Win32 adapter (harness/adapters/win32) under Wine 8.0, and the Wine
expectations files.

The adapter is built with make (mingw-w64) and run through tools/wine.sh in
the project's private prefix; `make deps-wine` installs Wine and the
cross-compiler. Each test fails when the adapter misbehaves or Wine is
missing: nothing is skipped.
"""

import fcntl
import socket
import subprocess
import time

import pytest

from conftest import ROOT

EXE = ROOT / "build" / "win32" / "hs-win32-adapter.exe"
WINE_SH = ROOT / "tools" / "wine.sh"


@pytest.fixture(scope="module")
def wine_ready():
    build = subprocess.run(["make", "-s", "build/win32/hs-win32-adapter.exe"], cwd=ROOT,
                           capture_output=True, text=True, timeout=600)
    if build.returncode != 0 or not EXE.exists():
        pytest.fail("the Win32 adapter did not build (make deps-wine installs mingw-w64):\n"
                    + build.stdout + build.stderr)
    # One user of the prefix at a time, like make conform IMPL=wine.
    with open(ROOT / "build" / "wine-8.0.run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        prep = subprocess.run([str(WINE_SH), "prepare", "wine-8.0"], cwd=ROOT,
                              capture_output=True, text=True, timeout=300)
        if prep.returncode != 0:
            pytest.fail("tools/wine.sh prepare wine-8.0 failed:\n" + prep.stdout + prep.stderr)
        yield
        subprocess.run([str(WINE_SH), "release", "wine-8.0"], cwd=ROOT, timeout=60)


class Adapter:
    """The adapter under Wine, spoken to line by line."""

    def __init__(self):
        self.proc = subprocess.Popen([str(WINE_SH), "adapter", "wine-8.0"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, start_new_session=True)

    def cmd(self, line: str) -> str:
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().decode().rstrip("\r\n")

    def close(self) -> int:
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.mark.parametrize("args", [["--control", "tcp:5555"],
                                  ["--control", "stdio", "--token", "s3cret"]])
def test_control_port_needs_an_explicit_address(wine_ready, args):
    p = subprocess.run([str(WINE_SH), "adapter", "wine-8.0", *args], cwd=ROOT,
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert "--control-address" in p.stderr


def test_executable_imports_the_http_server_api(wine_ready):
    data = EXE.read_bytes()
    assert data[:2] == b"MZ", "not a PE executable"
    assert b"httpapi.dll" in data.lower()
    for fn in (b"HttpSendHttpResponse", b"HttpSendResponseEntityBody", b"HttpReceiveHttpRequest"):
        assert fn in data, fn


def test_hello_listen_and_one_response_under_wine(wine_ready):
    a = Adapter()
    try:
        hello = a.cmd("HELLO 1").split()
        assert hello[:4] == ["HELLO", "1", "win32", "wine-8.0"], hello
        assert {"memory", "body", "defer", "fill", "response-v2"} <= set(hello[4].split(","))
        listening = a.cmd("LISTEN").split()
        assert listening[:2] == ["LISTENING", "127.0.0.1"], listening
        port = int(listening[2])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"GET /t HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
            assert a.cmd("RECEIVE r1 3000") == f"REQUEST r1 GET 1.1 peer={s.getsockname()[1]}"
            # 418 "I'm a teapot" with Retry-After: 120 (known header 25)
            assert a.cmd("CALL response id=r1 status=418 reason=49276d206120746561706f74 "
                         "known.25=313230").startswith("RESULT 0 ")
            wire = b""
            deadline = time.monotonic() + 5
            while b"\r\n\r\n" not in wire and time.monotonic() < deadline:
                wire += s.recv(4096)
        assert wire.startswith(b"HTTP/1.1 418 I'm a teapot\r\n"), wire
        assert b"\r\nRetry-After: 120\r\n" in wire
        # The same id again: Wine and Windows both refuse an answered request.
        assert a.cmd("CALL response id=r1").startswith("RESULT 1229 ")
        assert a.cmd("RESET") == "OK"
        assert a.cmd("RECEIVE r2 100") == "TIMEOUT"
        assert a.cmd("BYE") == "OK"
        assert a.close() == 0
    finally:
        if a.proc.poll() is None:
            a.proc.kill()


def test_bad_commands_are_errors_not_calls(wine_ready):
    a = Adapter()
    try:
        a.cmd("HELLO 1")
        for line in ("CALL response status=200",              # no id
                     "CALL response id=r1 colour=blue",       # unknown argument
                     "CALL body id=r1 multi_known=29:1:41",   # response info on a body call
                     "CALL response id=r1 overlapped=defer",  # defer without op
                     "CALL response id=nobody",               # a ref never received
                     "WAIT nothing 10",
                     "FROB"):
            assert a.cmd(line).startswith("ERROR "), line
        assert a.cmd("BYE") == "OK"
        assert a.close() == 0
    finally:
        if a.proc.poll() is None:
            a.proc.kill()


@pytest.mark.parametrize("name", ["wine-8.0", "wine-10.0"])
def test_expectations_pin_assertions_with_reasons(name, suite, rules):
    """Each Wine expectation names rules of the spec and says what Wine does, and
    pins assertions: failing in every observed run, or (flaky) in some only."""
    from harness.expectations import load_expectations
    path = ROOT / "harness" / "expectations" / f"{name}.toml"
    data = load_expectations(path, {c.id: c.rules for c in suite}, rules)
    assert data.rules and data.cases, f"{path} lists no deviation"
    for rule, reason in data.rules.items():
        assert len(reason.strip()) >= 20, f"[[rule]] {rule}: say what Wine does instead"
    for cid, entry in data.cases.items():
        assert len(entry["reason"].strip()) >= 20, f"{cid}: say what Wine does instead"
        assert entry["fails"] or entry["flaky"], cid
