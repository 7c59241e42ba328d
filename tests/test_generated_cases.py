"""The generated cases: committed as the generator writes them, and the
generator's families cover what they claim."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from casegen import family_flags, oracle  # noqa: E402
from casegen.pairwise import allpairs  # noqa: E402
from casegen.toml_out import bstr, wire  # noqa: E402


def test_committed_cases_match_the_generator():
    r = subprocess.run(["/usr/bin/python3", "tools/gen_cases.py", "--check"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_all_64_documented_combinations_for_both_functions():
    ids = {c.id for _, c in family_flags.cases()}
    combos = list(family_flags.combos())
    assert len(set(combos)) == 64
    for f in combos:
        t = family_flags.tag(f)
        assert f"response-200-flags-{t}" in ids
        assert f"body-flags-{t}" in ids


def test_allpairs_covers_every_pair():
    dims = [[1, 2, 3], ["a", "b"], [True, False], ["x", "y", "z"]]
    chosen = allpairs(dims, lambda c: not (c[0] == 3 and c[1] == "b"))
    for i in range(len(dims)):
        for j in range(i + 1, len(dims)):
            for a in dims[i]:
                for b in dims[j]:
                    possible = any(c[i] == a and c[j] == b for c in __import__("itertools").product(*dims)
                                   if not (c[0] == 3 and c[1] == "b"))
                    got = any(c[i] == a and c[j] == b for c in chosen)
                    assert got == possible, (i, a, j, b)
    assert len(chosen) < 3 * 2 * 2 * 3


def test_byte_strings_round_trip_through_toml():
    import tomllib
    raw = bytes(range(256)) + b"\r\n  lead"
    assert tomllib.loads(f"v = {bstr(raw)}")["v"].encode("latin-1") == raw
    w = b"HTTP/1.1 200 OK\r\n Folded: x\r\n\r\n\x00body\""
    assert tomllib.loads(f"v = {wire(w)}")["v"].encode("latin-1") == w


def test_oracle_reads_the_check_order():
    x = oracle.Request()
    # DISCONNECT with MORE_DATA is decided before OPAQUE on a 200
    r = oracle.send_response(x, oracle.D | oracle.MD | oracle.OPQ, 200)
    assert r.rules == ["CALL-FLAG-DISCONNECT-MORE-DATA"] and r.undefined
    r = oracle.send_response(x, oracle.OPQ, 200)
    assert r.rc == [87] and r.rules == ["SEND-FLAG-OPAQUE-101"] and x.state == "received"
    r = oracle.send_response(x, oracle.MD, 200, body=b"ab")
    assert r.rc == [0] and x.state == "streaming" and b"Content-Length" not in r.wires[0]
    assert oracle.send_response(x, 0).rules == ["SEND-AFTER-HEAD"]
    assert oracle.send_body(x, 0, b"cd").bytes_sent == 2 and x.state == "done"
    assert oracle.send_body(x, 0, b"ef").rc == [1229, "error"]   # CALL-ID-FINISHED: any error code
