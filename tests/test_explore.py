"""harness.explore: generated exchanges judged against the model, shrunk to case files.

Needs build/hs-reference-adapter (make build). Found cases go to tmp_path only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("hypothesis")

from harness import explore as x  # noqa: E402
from harness.cases import ROOT, load_case  # noqa: E402
from harness.engine import Session  # noqa: E402
from harness.expectations import Expectations  # noqa: E402
from harness.judge import Context, judge  # noqa: E402
from harness.spec import load_rules  # noqa: E402

ADAPTER = ROOT / "build" / "hs-reference-adapter"
pytestmark = pytest.mark.skipif(not ADAPTER.exists(), reason="make build first")


@pytest.fixture(scope="module")
def rules():
    return load_rules(ROOT / "spec")


def _impl(rules, out: Path, adapter: str, tmp: Path) -> x.ImplExplorer:
    return x.ImplExplorer(rules, out, "under-test", adapter, Expectations(),
                          "Microsoft-HTTPAPI/2.0", tmp)


def _explore(e: x.Explorer, **kw) -> x.Stats:
    try:
        return x.explore(e, **kw)
    finally:
        e.close()


def test_reference_against_itself_finds_nothing(rules, tmp_path):
    """The short deterministic run of make test: a fixed seed, a small budget."""
    stats = _explore(_impl(rules, tmp_path / "found", str(ADAPTER), tmp_path),
                     budget=60, seed=15, db_dir=None, max_examples=60)
    assert stats.exchanges >= 60
    assert [f.signature for f in stats.findings] == []
    assert stats.flaky == []
    assert not (tmp_path / "found").exists()


def test_planted_deviation_is_found_shrunk_and_written(rules, tmp_path):
    """The reference adapter with --fault extra-byte (an 'X' after each call's entity
    bytes) must be caught; the case written is valid, small, and fails on that adapter
    while the model passes it."""
    faulty = f"{ADAPTER} --fault extra-byte"
    out = tmp_path / "found"
    stats = _explore(_impl(rules, out, faulty, tmp_path), budget=90, seed=1,
                     db_dir=tmp_path / "db", max_examples=150)
    assert stats.findings, "the planted deviation was not found"
    files = sorted(out.glob("*.toml"))
    assert len(files) == len({f.signature for f in stats.findings})
    f = stats.findings[0]
    assert f.sizes["calls"] <= 2 and f.sizes["headers"] == 0, f.sizes
    case = load_case(f.path, rules)             # schema-valid
    assert case.id == f.path.stem and case.rules
    ctx = Context(rules=rules)
    model = Session(str(ADAPTER), log_path=tmp_path / "m.log", settle=0.0, role="oracle")
    bad = Session(faulty, log_path=tmp_path / "i.log", role="impl")
    try:
        m = model.run_case(case)
        assert judge(case, m, m, ctx, same=True).verdict == "PASS"
        res = judge(case, m, bad.run_case(case, hint=m), ctx)
        assert res.verdict == "FAIL"
    finally:
        model.stop()
        bad.stop()
    # a rerun knows the deviation (the file in out/) and replays the database first
    e = _impl(rules, out, faulty, tmp_path)
    try:
        assert f.signature in e.known
    finally:
        e.close()


def test_model_against_the_casegen_oracle(rules, tmp_path):
    """The two readings of the spec agree on a short deterministic run."""
    stats = _explore(x.OracleExplorer(rules, tmp_path / "found", tmp_path),
                     budget=60, seed=15, db_dir=None, max_examples=40)
    assert stats.exchanges >= 40
    assert [f.signature for f in stats.findings] == []


def test_command_line_usage_error():
    with pytest.raises(SystemExit) as exc:
        x.main(["--budget", "0"])
    assert exc.value.code == 2


def test_deferred_steps_are_drawn_as_valid_cases(rules):
    """Deferred calls (overlapped = "defer") come with wait steps, some with a cancel
    step, some on a client that pauses reading and resumes; every draw is a case."""
    from hypothesis import HealthCheck, given, settings

    from harness import explore_case as xc
    from harness.explore_gen import exchanges
    seen: set[str] = set()

    @settings(max_examples=400, database=None, suppress_health_check=list(HealthCheck),
              derandomize=True, deadline=None)     # a loaded machine is no failure
    @given(exchanges(frozenset({"memory", "body", "overlapped", "defer"})))
    def draw(ex):
        xc.open_case(ex, rules)                 # raises on a case the schema refuses
        seen.update(c["fn"] for c in ex["calls"])
        if any(r.get("pause_reading") for r in ex["requests"]):
            seen.add("pause_reading")
        if any(c.get("overlapped") == "defer" for c in ex["calls"]):
            seen.add("defer")

    draw()
    assert {"defer", "wait", "cancel", "resume", "pause_reading"} <= seen, seen


def test_short_deferred_completion_is_found(rules, tmp_path):
    """Planted: --fault short-completion (a deferred call's completion one byte short),
    which only a wait step sees, is caught and written as a case with a wait step."""
    faulty = f"{ADAPTER} --fault short-completion"
    out = tmp_path / "found"
    stats = _explore(_impl(rules, out, faulty, tmp_path), budget=120, seed=2,
                     db_dir=None, max_examples=300)
    assert stats.findings, "the planted deviation was not found"
    case = load_case(stats.findings[0].path, rules)
    assert any(c.fn == "wait" for c in case.calls), case.calls


def test_wait_for_a_refused_deferred_call_is_rejected_not_reported():
    """A draw that waits for a deferred call the model refused names no operation:
    the reference's ERROR there rejects the draw; it is no deviation."""
    from harness.outcome import CallResult, Outcome
    ex = {"requests": [{"name": "r1", "raw": "GET / HTTP/1.1\r\n\r\n"}],
          "calls": [{"fn": "body", "id": "r1", "overlapped": "defer", "op": "op1"},
                    {"fn": "cancel", "op": "op1"}, {"fn": "wait", "op": "op1"}]}
    refused = Outcome(status="adapter-error", step=2,
                      calls=[CallResult(index=1, fn="body", rc=1229)])
    assert x._waits_for_no_operation(ex, refused)
    accepted = Outcome(status="adapter-error", step=2,
                       calls=[CallResult(index=1, fn="body", rc=997)])
    assert not x._waits_for_no_operation(ex, accepted)
    other = Outcome(status="crash", step=2, calls=[CallResult(index=1, fn="body", rc=1229)])
    assert not x._waits_for_no_operation(ex, other)


UNKNOWN_BIT = {"requests": [{"name": "r1", "raw": "GET /x1 HTTP/1.1\r\nHost: {host}\r\n\r\n",
                             "via": "raw", "why_raw": "a test"}],
               "calls": [{"fn": "response", "id": "r1", "reason": "OK", "flags": 16}]}


@pytest.mark.parametrize("planted", [False, True])
def test_an_ignored_unknown_flag_is_latitude_not_a_deviation(rules, tmp_path, monkeypatch,
                                                            planted):
    """CALL-FLAG-UNKNOWN (IMPL) lets an implementation ignore an unknown bit: an adapter
    that does so (--fault ignore-unknown-flags) is judged against the model's run
    without the bit and passes. Planted: a variant with another reason than the call
    gave, so that the implementation's bytes differ from it: then the deviation stands,
    so the variant is judged, not waved through."""
    from harness import explore_case as xc
    if planted:
        real = xc.ignored_variant

        def wrong(ex, model, rule):
            v = real(ex, model, rule)
            return v and {**v, "calls": [{**c, "reason": "Nope"} for c in v["calls"]]}
        monkeypatch.setattr(xc, "ignored_variant", wrong)
    e = _impl(rules, tmp_path / "found", f"{ADAPTER} --fault ignore-unknown-flags", tmp_path)
    try:
        found = e.check(UNKNOWN_BIT)
    finally:
        e.close()
    assert (found is not None) == planted, found
    if planted:
        assert found[0][:2] == ("CALL-FLAG-UNKNOWN", "rc"), found[0]
        assert "nor does it take the other way CALL-FLAG-UNKNOWN allows" in found[2]


def test_ignored_variant_and_app_close_latitude():
    """The variant drops only what the refusing rule names; a known Connection: close
    leaves the connection's fate open (CONN-APP-CLOSE, IMPL)."""
    from harness import explore_case as xc
    from harness.outcome import CallResult, Outcome
    model = Outcome(calls=[CallResult(index=1, fn="response", rc=87, rule="CALL-FLAG-UNKNOWN")])
    ex = {**UNKNOWN_BIT, "calls": [{**UNKNOWN_BIT["calls"][0], "flags": 16 | 2}]}
    assert xc.ignored_variant(ex, model, "CALL-FLAG-UNKNOWN")["calls"][0]["flags"] == 2
    assert xc.ignored_variant(ex, model, "CALL-RESERVED1") is None
    assert xc.ignored_variant(ex, model, "WIRE-BODY") is None
    closing = {**UNKNOWN_BIT, "calls": [{"fn": "response", "id": "r1",
                                         "known": {"Connection": "close"}}]}
    assert xc._app_close_conns(closing) == {"r1"}
    opaque = {**UNKNOWN_BIT, "calls": [{"fn": "response", "id": "r1", "status": 101,
                                        "flags": ["OPAQUE", "MORE_DATA"]}]}
    assert xc._opaque_conns(opaque) == {"r1"} and xc._opaque_conns(closing) == set()


def test_an_accepted_overlapped_call_may_finish_at_once_or_later():
    """CONN-ASYNC-RESULT allows NO_ERROR and ERROR_IO_PENDING for an accepted
    overlapped call, whichever the model gave; a synchronous call keeps its one code."""
    from harness import explore_case as xc
    from harness.outcome import CallResult, ConnResult, Outcome
    ex = {**UNKNOWN_BIT, "calls": [{"fn": "response", "id": "r1", "overlapped": True},
                                   {"fn": "body", "id": "r1"}]}
    model = Outcome(calls=[CallResult(index=1, fn="response", rc=997, rule="CALL-OK"),
                           CallResult(index=2, fn="body", rc=1229, rule="CALL-ID-FINISHED")],
                    conns={"r1": ConnResult(name="r1", fate="open")})
    rules = load_rules(ROOT / "spec")
    calls = xc.expected_data(ex, model, rules, "t")["calls"]
    assert calls[0]["expect"]["rc"] == [997, 0]
    assert 0 not in calls[1]["expect"]["rc"]


def test_a_wait_is_judged_against_the_bytes_on_the_wire_not_the_models_count():
    """A completed wait step's count is left to the relative check (the bytes the
    deferred call put on the wire): an implementation whose head lacks a line the
    model writes deviates under that line's rule, not under CONN-ASYNC-RESULT."""
    from harness import explore_case as xc
    from harness.outcome import CallResult, ConnResult, Outcome
    ex = {**UNKNOWN_BIT, "calls": [{"fn": "response", "id": "r1", "overlapped": "defer",
                                    "op": "op1"}, {"fn": "wait", "op": "op1"}]}
    model = Outcome(calls=[CallResult(index=1, fn="response", rc=997, rule="CALL-OK"),
                           CallResult(index=2, fn="wait", rc=0, completion=106, pending=False)],
                    conns={"r1": ConnResult(name="r1", fate="open")})
    wait = xc.expected_data(ex, model, load_rules(ROOT / "spec"), "t")["calls"][1]
    assert wait["expect"] == {"rc": [0]}


@pytest.mark.parametrize("rule, expected, actual, allowed", [
    ("WIRE-CL-NONE-1XX-304", "(no such line)", "Content-Length: 5", True),
    # planted: anything else under the same rule, or the same line under another rule
    ("WIRE-CL-NONE-1XX-304", "(no such line)", "Content-Length: five", False),
    ("WIRE-CL-NONE-1XX-304", "Content-Length: 5", "(no such line)", False),
    ("WIRE-CL-NONE-HEAD", "(no such line)", "Content-Length: 5", False),
    ("WIRE-CONNECTION-CLOSE-OTHER", "Connection: close", "(no such line)", True),
    ("WIRE-CONNECTION-CLOSE-OTHER", "Connection: close", "Connection: keep-alive", False),
])
def test_only_the_allowed_header_differences_are_left_unreported(rule, expected, actual,
                                                                 allowed):
    """The explorer leaves unreported only what the IMPL rule allows: an automatic
    Content-Length on a 1xx/304 response, a missing generated Connection: close."""
    from harness import explore_case as xc
    from harness.assertions import Assertion
    a = Assertion(rule=rule, kind="header", subject="response 1 on r1", state="fail",
                  expected=expected, actual=actual)
    assert xc._allowed(a) is allowed
