#!/usr/bin/python3
"""A misbehaving adapter for the harness's hardening tests: it passes the control
lines through to a real adapter (the reference) and breaks the protocol on purpose.

    tests/hostile_adapter.py MODE [ARG] -- ADAPTER COMMAND...

Modes: silent (never answers, not even HELLO), port-1 (announces port 1 in its
LISTENING reply), extra-line MARKER (one reply line too many, after the first RESET
while MARKER does not exist, which it then creates),
long-line (answers the second RESET with an endless line), long-body (a BODY
reply twice as long as max-bytes), stderr-flood N (writes N bytes on stderr at
the first RESET), background PIDFILE (leaves a child in the background, its pid
in PIDFILE).
"""

import os
import subprocess
import sys


def main() -> int:
    args = sys.argv[1:]
    cut = args.index("--")
    mode, extra, inner = args[0], args[1:cut], args[cut + 1:]
    if mode == "silent":
        while sys.stdin.buffer.read(65536):
            pass
        return 0
    if mode == "background":
        child = subprocess.Popen(["sleep", "600"], stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL)
        with open(extra[0], "w") as fh:
            fh.write(str(child.pid))
    proc = subprocess.Popen(inner, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = sys.stdout.buffer
    resets = 0
    for line in sys.stdin.buffer:
        proc.stdin.write(line)
        proc.stdin.flush()
        reply = proc.stdout.readline()
        if not reply:
            return 1
        words = line.split()
        if mode == "port-1" and reply.startswith(b"LISTENING "):
            reply = b" ".join(reply.split()[:2]) + b" 1\n"
        if words[:1] == [b"RESET"]:
            resets += 1
            if mode == "extra-line" and not os.path.exists(extra[0]):
                open(extra[0], "w").close()         # once per test, not per start
                reply += b"OK\n"
            if mode == "long-line" and resets == 2:
                chunk = b"x" * 65536
                while True:
                    out.write(chunk)
                    out.flush()
            if mode == "stderr-flood" and resets == 1:
                left = int(extra[0])
                while left > 0:
                    n = min(left, 1 << 20)
                    os.write(2, b"e" * n)
                    left -= n
        if mode == "long-body" and reply.startswith(b"BODY "):
            reply = b"BODY " + b"61" * (2 * int(words[2])) + b"\n"
        out.write(reply)
        out.flush()
        if words[:1] == [b"BYE"]:
            proc.wait()
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
