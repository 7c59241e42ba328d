"""Waits that end when the answer is certain, and the loader's cache.

- A large stream's bytes end where the probe's response begins (no quiet period):
  probe_response_start finds that boundary, and an extra byte after a 5 MiB
  response is still counted as the case's and fails it.
- A connection that should close and does not is found out by a probe request
  (fate "not-closed" as soon as the server serves it), not by waiting out close_wait.
- A CALL line of many MiB of hex is written in pieces and the call still passes.
- CaseCache: a case is taken from the cache only for the same file bytes, rules and
  loader; a changed file is checked again, a damaged cache is ignored.
"""

import pickle

import pytest

from harness.cases import CaseCache, CaseSchemaError, load_case
from harness.fate import probe_response_start
from harness.runner import RunConfig, Runner
from test_harness_cases import GOOD, write_case

PROBE = b"HTTP/1.1 200 OK\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: x\r\nContent-Length: 0\r\n\r\n"


@pytest.mark.parametrize("before", [b"", b"L" * 5000, b"abc\r\n\r\n",
                                    b"HTTP/1.1 200 OK\r\n",          # a body that looks like one
                                    b"HTTP/1.1 200 OK\r\n\r\n"])
def test_probe_response_start_finds_the_last_head(before):
    tail = before + PROBE
    assert probe_response_start(tail) == len(before)


@pytest.mark.parametrize("tail", [b"", b"L" * 100, PROBE[:-1], PROBE + b"x",
                                  b"HTTP/1.1 200 OK\r\nbroken\n\r\n",
                                  PROBE.replace(b"200", b"2x0")])
def test_probe_response_start_waits_for_a_whole_head(tail):
    assert probe_response_start(tail) is None


def run(reference_cmd, rules, tmp_path, case, fault=None, close_wait=1.0, adapter=None):
    cfg = RunConfig(impl="test", adapter=(adapter or reference_cmd)
                    + (f" --fault {fault}" if fault else ""),
                    oracle=reference_cmd, report_dir=tmp_path, timeout=5.0,
                    close_wait=close_wait)
    r = Runner(cfg, rules, worker="t")
    try:
        return r.run(case)
    finally:
        r.close()


def test_large_stream_counted_to_the_probe(reference_cmd, rules, by_id, tmp_path):
    """5 MiB + head on an open connection: every byte before the probe's response is
    the case's, none of the probe's."""
    case = by_id["large-5-mib-response-app-length"]
    res = run(reference_cmd, rules, tmp_path, case)
    assert res.verdict == "PASS", res.details
    conn = res.impl.conns["r1"]
    assert conn.fate == "open"
    total = len(conn.wire) + conn.overflow
    head_end = conn.wire.index(b"\r\n\r\n") + 4
    assert total == head_end + 5 * 1024 * 1024, (total, head_end)
    assert "probe" not in conn.note


def test_extra_byte_after_a_large_stream_fails(reference_cmd, rules, by_id, tmp_path):
    """Planted: an 'X' after the 5 MiB entity, beyond WIRE_CAP, is counted as the
    case's, not hidden with the probe's response. (This fault also ends the probe's
    response with an 'X', so no head ends the stream: every byte is counted, and the
    connection's note says so.)"""
    case = by_id["large-5-mib-response-app-length"]
    res = run(reference_cmd, rules, tmp_path, case, fault="extra-byte")
    assert res.verdict == "FAIL", res.details
    conn = res.impl.conns["r1"]
    head_end = conn.wire.index(b"\r\n\r\n") + 4
    assert len(conn.wire) + conn.overflow > head_end + 5 * 1024 * 1024
    assert "probe's response was not found" in conn.note


def test_connection_left_open_is_found_by_a_probe(reference_cmd, fake_cmd, rules, by_id,
                                                  tmp_path):
    """Planted: keep-open (the fake adapter's serves later requests) on a case whose
    connection must close; with a close_wait longer than the case timeout, a verdict
    shows that the answer came from the probe the server served, not from the wait."""
    case = by_id["http10-keep-alive-request-still-closes"]
    res = run(reference_cmd, rules, tmp_path, case, fault="keep-open", close_wait=30.0,
              adapter=fake_cmd)
    assert res.verdict == "FAIL", res.details
    assert res.impl.conns["r1"].fate == "not-closed"
    assert any(t.startswith("< REQUEST hsprobe") for t in res.impl.transcript)
    assert "connection" in res.mismatches


def test_closing_connection_needs_no_probe(reference_cmd, rules, by_id, tmp_path):
    case = by_id["http10-keep-alive-request-still-closes"]
    res = run(reference_cmd, rules, tmp_path, case)
    assert res.verdict == "PASS", res.details
    assert res.impl.conns["r1"].fate == "closed"
    assert not any("hsprobe" in t for t in res.impl.transcript)


# ------------------------------------------------------------------ the case cache

CASE = "cases/wire/status-418-teapot-retry-after.toml"


@pytest.fixture
def case_file(root):
    path = root / CASE
    assert path.exists(), CASE
    return path


def test_cache_gives_the_checked_case(case_file, rules, tmp_path):
    store = CaseCache(rules, tmp_path / "c.pickle")
    first = load_case(case_file, rules, cache=store)
    store.save()
    again = CaseCache(rules, tmp_path / "c.pickle")
    assert again.entries, "nothing was kept"
    assert load_case(case_file, rules, cache=again) == first == load_case(case_file, rules)


def test_changed_bytes_are_checked_again(case_file, rules, tmp_path):
    """The cache holds the good file; the same name with a planted error fails."""
    store = CaseCache(rules, tmp_path / "c.pickle")
    load_case(case_file, rules, cache=store)
    store.save()
    bad = tmp_path / "cases" / "wire" / case_file.name
    bad.parent.mkdir(parents=True)
    bad.write_bytes(case_file.read_bytes().replace(b'level = "', b'level = "NOPE'))
    with pytest.raises(CaseSchemaError, match="level"):
        load_case(bad, rules, root=tmp_path, cache=CaseCache(rules, tmp_path / "c.pickle"))


def test_other_rules_or_damage_empty_the_cache(case_file, rules, tmp_path):
    path = tmp_path / "c.pickle"
    store = CaseCache(rules, path)
    load_case(case_file, rules, cache=store)
    store.save()
    fewer = {k: v for k, v in rules.items() if k != next(iter(rules))}
    assert CaseCache(fewer, path).entries == {}
    path.write_bytes(b"not a pickle")
    assert CaseCache(rules, path).entries == {}
    with open(path, "wb") as fh:
        pickle.dump(("another key", {b"x": 1}), fh)
    assert CaseCache(rules, path).entries == {}


# ------------------------------------------------------------------ RECEIVE sent=

def test_sent_only_to_an_adapter_that_lists_it(reference_cmd, fake_cmd, rules, by_id,
                                               tmp_path):
    """The pipelined case (raw requests): the reference gets sent= and answers the
    held-back request's RECEIVE at once; the fake adapter lacks the capability and
    gets none; the verdicts agree."""
    case = by_id["pipelined-second-waits-for-first-response"]
    ref = run(reference_cmd, rules, tmp_path, case)
    fake = run(reference_cmd, rules, tmp_path, case, adapter=fake_cmd)
    assert ref.verdict == fake.verdict == "PASS", ref.details + fake.details
    assert any(t.startswith("> RECEIVE r2 100 sent=") for t in ref.impl.transcript)
    assert not any(t.startswith("> RECEIVE") and " sent=" in t for t in fake.impl.transcript)


def test_no_sent_while_curl_drives_a_connection(reference_cmd, rules, by_id, tmp_path):
    """What libcurl still has to write is not known to the harness: no sent=."""
    case = by_id["status-418-teapot-retry-after"]
    assert case.requests[0].via == "curl"
    res = run(reference_cmd, rules, tmp_path, case)
    assert res.verdict == "PASS", res.details
    receives = [t for t in res.impl.transcript if t.startswith("> RECEIVE")]
    assert receives and not any(" sent=" in t for t in receives)


BIG_CHUNKS = 'reason = "OK"\nchunks = [{ memory = { repeat = "abcd", count = 250000 }, times = 3 }]'


def test_big_call_line_streamed(reference_cmd, rules, tmp_path, monkeypatch):
    """The engine writes a CALL line over STREAM_LINE in pieces (never one 6 MB
    string), and the adapter gets every byte: the 3,000,000-byte body arrives."""
    from harness import engine
    text = GOOD.format(id="a-case").replace('reason = "OK"', BIG_CHUNKS) \
        .replace('wire = "HTTP/1.1 200 OK\\r\\n"\n', "")
    case = load_case(write_case(tmp_path / "cases", text), rules, root=tmp_path)
    written = []
    real = engine.Session.command

    def spy(self, line, deadline, limit=engine.REPLY_MAX, pieces=None):
        if pieces is not None:
            pieces = list(pieces)
            written.append(max(len(p) for p in pieces))
        return real(self, line, deadline, limit, pieces)

    monkeypatch.setattr(engine.Session, "command", spy)
    res = run(reference_cmd, rules, tmp_path / "r", case)
    assert res.verdict == "PASS", res.details
    assert written and max(written) < engine.STREAM_LINE
    wire = res.impl.conns["r1"].wire
    assert wire.endswith(b"abcd" * 1000) and b"Content-Length: 3000000\r\n" in wire


def test_wait_on_a_stalled_send_ends_at_once(reference_cmd, rules, by_id, tmp_path):
    """The 50 ms wait that proves a 32 MiB send pending carries stalled= for the paused
    connection (capability stalled), the reference answers TIMEOUT at once, and the
    case still passes; a wait on a connection that reads carries no stalled=."""
    case = by_id["concurrent-body-while-head-pending-bad-command"]
    res = run(reference_cmd, rules, tmp_path, case)
    assert res.verdict == "PASS", res.details
    waits = [t for t in res.impl.transcript if t.startswith("> WAIT")]
    assert waits[0].startswith("> WAIT head 50 stalled=") and ":" in waits[0], waits
    assert all("stalled=" not in w for w in waits[1:]), waits      # read again by then


@pytest.mark.parametrize("cid", ["body-while-paused", "pipelined-response-while-paused"])
def test_bytes_reaching_a_paused_client_are_the_steps_that_sent_them(reference_cmd, rules,
                                                                      tmp_path, cid):
    """Regression (found by harness.explore, reference against itself): a step's mark on
    a paused connection counts what waits unread in the client's receive queue, so a
    synchronous call made while the client pauses owns its bytes. Before, they went to
    the deferred call and both cases failed in every run; each now passes three times."""
    from pathlib import Path
    data = Path(__file__).parent / "data"
    case = load_case(data / "paused" / f"{cid}.toml", rules, root=data)
    for _ in range(3):
        res = run(reference_cmd, rules, tmp_path, case)
        assert res.verdict == "PASS", res.details
    marks = dict(res.impl.conns["r1"].marks)
    wire = res.impl.conns["r1"].wire
    if cid == "body-while-paused":
        assert wire[marks[1]:marks[2]] == b"0"                  # the body call's one byte
    else:
        assert wire[marks[2]:marks[3]].startswith(b"HTTP/1.1 200 OK\r\n")   # r2's response
