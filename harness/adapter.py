"""The control channel to an adapter (spec/adapter-protocol.md, version 1).

An adapter is started from a command line (split with shlex, never run through
a shell; a relative program path is taken from the repository root) and spoken
to over its standard input and output, or reached at `tcp:HOST:PORT` when it
runs elsewhere. Its standard error goes to a log file.

`Control` moves bytes only; harness.engine.Session reads the reply lines while
it also serves the HTTP connections, so that a slow or endless adapter never
blocks the harness.
"""

from __future__ import annotations

import os
import select
import shlex
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOCOL_VERSION = "1"


class AdapterFailure(Exception):
    """Base class: the adapter did not answer as the protocol says."""


class AdapterDied(AdapterFailure):
    """The control channel closed (the process exited or crashed)."""


class AdapterTimeout(AdapterFailure):
    """No reply before the deadline."""


class AdapterError(AdapterFailure):
    """An ERROR reply, or a reply that breaks the protocol."""


class AdapterDesync(AdapterError):
    """A reply that is not the answer to the command (a malformed or unexpected line, a
    line beyond its cap): the control channel is out of step, the adapter is restarted."""


STDERR_MAX = 4 << 20        # bytes of an adapter's stderr kept in its log, per start


def parse_tcp(command: str) -> tuple[str, int]:
    """tcp:HOST:PORT (or tcp:PORT) -> (host, port); ValueError with the reason."""
    host, _, port = command[4:].rpartition(":")
    if not (port.isdigit() and 1 <= int(port) <= 65535):
        raise ValueError(f"{command!r}: expected tcp:HOST:PORT with a port 1..65535")
    return host or "127.0.0.1", int(port)


def split_command(command: str) -> list[str]:
    argv = shlex.split(command)
    if not argv:
        raise ValueError("empty adapter command")
    prog = argv[0]
    if "/" in prog and not os.path.isabs(prog):
        argv[0] = str(ROOT / prog)
    return argv


class Control:
    """One adapter: a child process (or a TCP control connection)."""

    def __init__(self, command: str, log_path: str | Path | None = None):
        self.command = command
        self.log_path = Path(log_path) if log_path else None
        self.proc: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.rfd = -1
        self.wfd = -1
        self.eof = False
        self._log = None

    # ------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.eof = False
        if self.command.startswith("tcp:"):
            try:
                host, port = parse_tcp(self.command)
            except ValueError as exc:
                raise AdapterDied(f"bad adapter address {exc}") from None
            self.sock = socket.create_connection((host, port), timeout=10)
            self.sock.setblocking(False)
            self.rfd = self.wfd = self.sock.fileno()
            return
        try:
            argv = split_command(self.command)
        except ValueError as exc:
            raise AdapterDied(f"bad adapter command {self.command!r}: {exc}") from None
        err_r = -1
        if self.log_path:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            err_r, err_w = os.pipe()
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=err_w if err_r >= 0 else subprocess.DEVNULL,
                cwd=str(ROOT), start_new_session=True, bufsize=0)
        except OSError as exc:
            if err_r >= 0:
                os.close(err_r)
            raise AdapterDied(f"cannot start adapter {self.command!r}: {exc}") from None
        finally:
            if err_r >= 0:
                os.close(err_w)
        if err_r >= 0:
            self._log = threading.Thread(target=_keep_stderr, args=(err_r, self.log_path),
                                         daemon=True)
            self._log.start()
        self.rfd = self.proc.stdout.fileno()
        self.wfd = self.proc.stdin.fileno()
        os.set_blocking(self.rfd, False)
        os.set_blocking(self.wfd, False)

    @property
    def started(self) -> bool:
        return self.proc is not None or self.sock is not None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size if self.log_path else 0
        except OSError:
            return 0

    def log_since(self, offset: int, limit: int = 4000) -> str:
        if not self.log_path:
            return ""
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(offset)
                data = fh.read()
        except OSError:
            return ""
        if len(data) > limit:
            data = b"...\n" + data[-limit:]
        return data.decode("utf-8", "replace")

    def exit_status(self) -> str:
        if not self.proc:
            return "control connection closed"
        try:
            rc = self.proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            return "control channel closed, process still running"
        if rc < 0:
            try:
                return f"killed by signal {signal.Signals(-rc).name}"
            except ValueError:
                return f"killed by signal {-rc}"
        return f"exited with status {rc}"

    def kill(self) -> None:
        """Kill the adapter we started (its own process group) and reap it."""
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None
        if self.proc:
            # The whole process group, also after the adapter itself has exited: a
            # child it left in the background must not outlive the run.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                if self.proc.poll() is None:
                    try:
                        self.proc.kill()
                    except ProcessLookupError:
                        pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
            for f in (self.proc.stdin, self.proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
            self.proc = None
        if self._log:
            self._log.join(timeout=2.0)      # the rest of its stderr, up to the end
            self._log = None
        self.eof = True

    def close(self, graceful: bool = True, wait: float = 2.0) -> None:
        """After BYE: wait briefly for the exit, then make sure it is gone."""
        if self.proc and graceful:
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    # ------------------------------------------------------------ bytes
    def read(self) -> bytes:
        """Whatever is available (b"" and eof=True at end of stream)."""
        try:
            if self.sock:
                data = self.sock.recv(65536)
            else:
                data = os.read(self.rfd, 65536)
        except BlockingIOError:
            return b""
        except OSError:
            data = b""
        if not data:
            self.eof = True
        return data

    def write(self, data: bytes, deadline: float) -> None:
        view = memoryview(data)
        while view:
            try:                        # non-blocking: wait only when the pipe is full
                n = self.sock.send(view) if self.sock else os.write(self.wfd, view)
            except BlockingIOError:
                n = 0
            except (BrokenPipeError, ConnectionError, OSError):
                self.eof = True
                raise AdapterDied("control channel closed while writing") from None
            view = view[n:]
            if not view:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AdapterTimeout("the adapter does not read its control channel")
            try:
                select.select([], [self.wfd], [], remaining)
            except (OSError, ValueError):
                raise AdapterDied("control channel closed") from None


def _keep_stderr(fd: int, path: Path) -> None:
    """Copy an adapter's stderr to its log, the first STDERR_MAX bytes; say what was dropped."""
    kept = dropped = 0
    with open(path, "ab", buffering=0) as log:
        while True:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            keep = data[:max(0, STDERR_MAX - kept)]
            if keep:
                log.write(keep)
                kept += len(keep)
            if len(data) > len(keep):
                if not dropped:
                    log.write(f"\n[log capped: only the first {STDERR_MAX} bytes of the "
                              "adapter's stderr are kept]\n".encode())
                dropped += len(data) - len(keep)
        if dropped:
            log.write(f"[log capped: {dropped} bytes of stderr dropped]\n".encode())
    os.close(fd)
