"""The harness against real adapters: the fault switches give the right verdicts,
the run goes on after crashes and timeouts, and `python3 -m harness.run` has the
documented exit status and reports.

Every test runs against the reference adapter (build/hs-reference-adapter,
built when missing) and against tests/fake_adapter.py, which
implements the same faults.
"""

import json
import subprocess
import sys

import pytest
from lxml import etree

from harness.runner import RunConfig, Runner
from harness.schema.validate import RESULTS_SCHEMA_FILE, validate_json

FAULTS = [
    # fault, case, verdict, mismatch classes
    ("wrong-code", "id-never-issued-0xdeadbeef", "FAIL", ["return-code"]),
    ("drop-date", "status-418-teapot-retry-after", "FAIL", ["headers"]),
    ("extra-byte", "cl-auto-pong-pang-8", "FAIL", ["body"]),
    ("garbage", "status-418-teapot-retry-after", "FAIL", ["status-line", "headers"]),
    ("keep-open", "http10-keep-alive-request-still-closes", "FAIL", ["connection"]),
    ("hang", "status-418-teapot-retry-after", "TIMEOUT", []),
    ("endless", "cl-auto-pong-pang-8", "TIMEOUT", []),
    ("crash", "status-418-teapot-retry-after", "CRASH", []),
]


@pytest.fixture(params=["reference", "fake"])
def adapter(request, fake_cmd):
    if request.param == "reference":
        return request.getfixturevalue("reference_cmd")
    return fake_cmd




def runner(adapter, rules, tmp_path, fault=None, **kw):
    cfg = RunConfig(impl="test", adapter=adapter + (f" --fault {fault}" if fault else ""),
                    oracle=adapter, report_dir=tmp_path, timeout=kw.pop("timeout", 1.0),
                    close_wait=kw.pop("close_wait", 0.3), **kw)
    return Runner(cfg, rules, worker="t")


@pytest.mark.parametrize("fault, cid, verdict, classes", FAULTS, ids=[f[0] for f in FAULTS])
def test_fault_gives_verdict_and_class(adapter, rules, by_id, tmp_path, fault, cid, verdict,
                                       classes):
    r = runner(adapter, rules, tmp_path, fault)
    try:
        res = r.run(by_id[cid])
        assert res.verdict == verdict, res.details
        assert res.mismatches == classes
        assert res.details.startswith(f"{cid}: ")
        if verdict == "FAIL":
            assert "\n  -> " in res.details
        if set(classes) & {"status-line", "headers", "body"}:
            assert "Expected (reference model):" in res.details
            assert "First differing byte at offset" in res.details
    finally:
        r.close()


@pytest.mark.parametrize("fault, verdict", [("crash", "CRASH"), ("hang", "TIMEOUT")])
def test_run_goes_on_after_crash_and_timeout(adapter, rules, by_id, tmp_path, fault, verdict):
    """Each case gets its verdict; the adapter is restarted for the next one."""
    r = runner(adapter, rules, tmp_path, fault, timeout=0.5)
    try:
        ids = ["status-418-teapot-retry-after", "cl-auto-pong-pang-8"]
        assert [r.run(by_id[i]).verdict for i in ids] == [verdict, verdict]
        assert r.impl.starts == 2
    finally:
        r.close()


def test_clean_adapter_passes_the_cases_the_faults_use(adapter, rules, by_id, tmp_path):
    r = runner(adapter, rules, tmp_path)
    try:
        for cid in {f[1] for f in FAULTS}:
            res = r.run(by_id[cid])
            assert res.verdict == "PASS", res.details
    finally:
        r.close()


def test_deviating_implementation_against_the_reference(reference_cmd, fake_cmd, rules, by_id,
                                                         tmp_path):
    """The fake with deviations, judged against the reference as the oracle."""
    def verdict(extra, cid, **kw):
        cfg = RunConfig(impl="fake", adapter=f"{fake_cmd} {extra}", oracle=reference_cmd,
                        report_dir=tmp_path, timeout=2, close_wait=0.3, **kw)
        r = Runner(cfg, rules, worker="d")
        try:
            return r.run(by_id[cid])
        finally:
            r.close()
    # header order differs: a normalisation, not a failure ...
    res = verdict("--order reverse", "known-headers-names-spelled")
    assert res.verdict == "PASS" and "header-order" in res.normalisations
    # ... unless the case asks for strict order (an INFO case: reported, not failed)
    res = verdict("--order reverse", "header-order-reference-order-info")
    assert res.verdict == "PASS" and res.mismatches == ["headers"]
    # another Server token passes with --server-token, fails without
    assert verdict("--token Fake/1.0", "server-token-added").verdict == "FAIL"
    assert verdict("--token Fake/1.0", "server-token-added",
                   server_token="Fake/1.0").verdict == "PASS"
    assert verdict("--token Fake/1.0", "server-token-added", server_token="*").verdict == "PASS"
    # no Server line at all fails whatever the token
    assert verdict("--no-server", "server-token-added", server_token="*").mismatches == ["headers"]
    # HTTP/1.0 connection left open
    res = verdict("--no-close", "http10-request-148-bytes-then-close")
    assert res.verdict == "FAIL" and "connection" in res.mismatches
    # HTTP/1.1 connections closed after each response: the probe finds it closed ...
    res = verdict("--close-always", "status-418-teapot-retry-after")
    assert res.verdict == "FAIL" and res.mismatches == ["connection"]
    # ... and the next request of a case cannot be sent on it
    res = verdict("--close-always", "persistent-second-request-new-id")
    assert res.verdict == "FAIL" and res.mismatches == ["connection"]
    assert "closed connection r1" in res.summary


NEW_CONN_CASES = ["pipelined-two-gets-answered-in-order", "pipelined-second-waits-for-first-response",
                  "pipelined-after-http10-never-delivered", "bad-request-foo-answered-400-and-closed"]


def test_clean_adapter_passes_pipelining_and_bad_request(adapter, rules, by_id, tmp_path):
    """Receive steps, pipelined writes and wire patterns, each adapter as its own oracle."""
    r = runner(adapter, rules, tmp_path)
    try:
        for cid in NEW_CONN_CASES:
            res = r.run(by_id[cid])
            assert res.verdict == "PASS", res.details
    finally:
        r.close()


def test_pipelining_and_bad_request_against_the_reference(reference_cmd, fake_cmd, rules, by_id,
                                                          tmp_path):
    def verdict(extra, cid):
        cfg = RunConfig(impl="fake", adapter=f"{fake_cmd} {extra}".strip(), oracle=reference_cmd,
                        report_dir=tmp_path, timeout=2, close_wait=0.3)
        r = Runner(cfg, rules, worker="p")
        try:
            return r.run(by_id[cid])
        finally:
            r.close()
    # the fake's 400 has other bytes than the reference's (HTML body, Server, Content-Type):
    # only the patterns are judged
    res = verdict("", "bad-request-foo-answered-400-and-closed")
    assert res.verdict == "PASS", res.details
    # a 400 head without its empty line fails the patterns
    res = verdict("--unended-400", "bad-request-foo-answered-400-and-closed")
    assert res.verdict == "FAIL" and res.mismatches == ["headers"], res.details
    assert "no empty line" in res.details and "Expected (the case): starts with" in res.details
    # delivering the pipelined request before the first response is a connection mismatch
    res = verdict("--eager", "pipelined-second-waits-for-first-response")
    assert res.verdict == "FAIL" and res.mismatches == ["connection"], res.details
    assert "step 1 (receive r2): the request is not delivered\n      expected: not delivered\n      actual:   delivered" in res.details
    # ... the receive step is the only place it shows
    res = verdict("--eager", "pipelined-two-gets-answered-in-order")
    assert res.verdict == "PASS", res.details
    # an HTTP/1.0 connection left open delivers the pipelined request
    res = verdict("--no-close", "pipelined-after-http10-never-delivered")
    assert res.verdict == "FAIL" and "connection" in res.mismatches, res.details


VARIANT_CASES = ["flag-unknown-bit-rejected-or-ignored", "cache-policy-type-3-rejected-or-ignored",
                 "log-data-type-1-rejected-or-ignored", "request-connection-close-closes",
                 "disconnect-flag-closes", "cl-none-304-or-auto", "cl-none-100-or-auto",
                 "unknown-header-empty-value", "opaque-101-without-more-data-ends-at-once",
                 "expect-continue-interim-optional"]


def test_allowed_variants_pass_through_the_written_alternatives(reference_cmd, fake_cmd, rules,
                                                                by_id, tmp_path):
    cfg = RunConfig(impl="fake", adapter=f"{fake_cmd} --variants", oracle=reference_cmd,
                    report_dir=tmp_path, timeout=2, close_wait=0.3)
    r = Runner(cfg, rules, worker="v")
    try:
        for cid in VARIANT_CASES:
            res = r.run(by_id[cid])
            assert res.verdict == "PASS", res.details
            assert "wire-alternative-1" in res.normalisations, cid
    finally:
        r.close()


# ------------------------------------------------------------------ the command line



def read_results(path):
    data = json.loads((path / "results.json").read_text())
    schema = json.loads(RESULTS_SCHEMA_FILE.read_text())
    assert validate_json(data, schema) == []
    return data


@pytest.fixture(scope="module")
def junit_schema(root):
    return etree.XMLSchema(etree.parse(str(root / "harness" / "schema" / "junit.xsd")))


def test_run_with_jobs_writes_valid_reports(harness_run, root, adapter, tmp_path, junit_schema):
    p = harness_run("--impl", "t", "--adapter", adapter, "--oracle", adapter,
                    "--cases", "wire/cl-*", "--cases", "status-418-*", "--jobs", "2",
                    "--report-dir", str(tmp_path))
    assert p.returncode == 0, p.stdout + p.stderr
    data = read_results(tmp_path)
    assert data["passed"] and data["totals"]["PASS"] == len(data["cases"]) >= 10
    assert data["implementation"]["hello_name"] in ("reference", "fake")
    assert data["suite"]["version"]
    junit = etree.parse(str(tmp_path / "junit.xml"))
    assert junit_schema.validate(junit), junit_schema.error_log
    summary = (tmp_path / "summary.md").read_text()
    assert "## Case verdicts by rule class" in summary and "| OBS |" in summary
    assert "## Rules" in summary and "Conforms to" in summary


def test_failures_exit_1_and_are_reported(harness_run, root, adapter, tmp_path, junit_schema):
    p = harness_run("--impl", "t", "--adapter", f"{adapter} --fault crash",
                    "--oracle", adapter, "--cases", "status-418-*", "--cases", "cl-auto-*",
                    "--report-dir", str(tmp_path), "--timeout", "2")
    assert p.returncode == 1
    data = read_results(tmp_path)
    assert [c["verdict"] for c in data["cases"]] == ["CRASH", "CRASH"]
    assert "SIGABRT" in data["cases"][0]["summary"]
    assert "CRASH" in p.stdout
    assert junit_schema.validate(etree.parse(str(tmp_path / "junit.xml")))
    assert "### cl-auto-pong-pang-8: CRASH" in (tmp_path / "summary.md").read_text()


def test_expected_failure_is_xfail_and_exit_0(harness_run, root, adapter, tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text('[[case]]\nid = "status-418-teapot-retry-after"\nreason = "writes no Date line"\n'
                   'fails = [{ rule = "WIRE-DATE", kind = "header", '
                   'subject = "response 1 on r1 (Date)" }]\n')
    p = harness_run("--impl", "t", "--adapter", f"{adapter} --fault drop-date",
                    "--oracle", adapter, "--cases", "status-418-*", "--expectations", str(exp),
                    "--report-dir", str(tmp_path / "r"))
    assert p.returncode == 0, p.stdout
    [case] = read_results(tmp_path / "r")["cases"]
    assert case["verdict"] == "XFAIL"
    assert case["expected"]["case"]["fails"] == [["WIRE-DATE", "header", "response 1 on r1 (Date)"]]


def test_unexpected_pass_fails_the_run(harness_run, root, adapter, tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text('[[case]]\nid = "status-418-teapot-retry-after"\nreason = "was broken once"\n'
                   'fails = [{ rule = "WIRE-DATE", kind = "header", '
                   'subject = "response 1 on r1 (Date)" }]\n')
    p = harness_run("--impl", "t", "--adapter", adapter, "--oracle", adapter,
                    "--cases", "status-418-*", "--expectations", str(exp),
                    "--report-dir", str(tmp_path / "r"))
    assert p.returncode == 1
    [case] = read_results(tmp_path / "r")["cases"]
    assert case["verdict"] == "XPASS" and "remove the entry" in case["summary"]


def test_expectation_for_a_missing_case_fails_the_run(harness_run, root, fake_cmd, tmp_path):
    exp = tmp_path / "exp.toml"
    exp.write_text('[[case]]\nid = "no-such-case"\nreason = "x"\n'
                   'fails = [{ rule = "WIRE-DATE", kind = "header", subject = "response 1 on r1" }]\n')
    p = harness_run("--impl", "t", "--adapter", fake_cmd, "--oracle", fake_cmd,
                    "--expectations", str(exp), "--report-dir", str(tmp_path / "r"))
    assert p.returncode == 2
    assert "[[case]] #1.id: no case has the id 'no-such-case'" in p.stderr


def test_malformed_cases_fail_the_run_naming_file_and_field(harness_run, root, fake_cmd, tmp_path):
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "broken.toml").write_text(
        'id = "broken"\ntitle = "t"\nrules = ["WIRE-DATE"]\nlevel = "MUST"\n'
        'description = "d"\n[[request]]\nname = "r1"\nraw = "GET / HTTP/1.1\\r\\n\\r\\n"\n'
        '[[call]]\nfn = "response"\nid = "r1"\nstatus = "200"\nexpect = { rc = [0] }\n')
    p = harness_run("--impl", "t", "--adapter", fake_cmd, "--cases-dir", str(tmp_path))
    assert p.returncode == 2
    assert "wire/broken.toml: call[1].status: expected an integer" in p.stderr


def test_list_and_rule_selection(harness_run, root):
    p = harness_run("--list", "--rule", "CONN-OPAQUE")
    assert p.returncode == 0
    lines = p.stdout.splitlines()
    assert lines and all("CONN-OPAQUE" in line for line in lines)
    p = harness_run("--impl", "nonesuch")
    assert p.returncode == 2 and "unknown implementation" in p.stderr


# ------------------------------------------------------------------ pytest cases/

def test_pytest_on_cases_selects_by_marker_and_keyword(root, by_id):
    """pytest cases/ is an entry point: markers for rules, families, classes, level and
    area (-m), case ids (-k)."""
    def collected(*args):
        p = subprocess.run([sys.executable, "-m", "pytest", "cases/", "--co", "-q",
                            "-p", "no:cacheprovider", *args], cwd=root, capture_output=True,
                           text=True, timeout=120)
        assert p.returncode == 0, p.stdout + p.stderr
        return {line.split("::")[-1] for line in p.stdout.splitlines() if "::" in line}
    wire_date = collected("-m", "WIRE-DATE")
    assert wire_date == {i for i, c in by_id.items() if "WIRE-DATE" in c.rules}
    assert collected("-m", "WIRE and not UNDEF") == {
        i for i, c in by_id.items() if any(r.startswith("WIRE-") for r in c.rules)
        and "UNDEF" not in c.rule_classes.values()}
    assert collected("-m", "level-IMPL and area-conn") == {
        i for i, c in by_id.items() if c.level == "IMPL" and c.area == "conn"}
    assert collected("-k", "opaque") == {i for i in by_id if "opaque" in i}


def test_numbered_worker_is_pinned_round_robin_and_others_are_not():
    """pin_worker: gwN (or benchN) runs on the N-th CPU it may use, round robin, so the
    adapter it starts shares that CPU; a worker without a number is left alone. Run in
    a child process, whose affinity is its own."""
    code = ("import json, os; from harness.runner import pin_worker; "
            "cpus = sorted(os.sched_getaffinity(0)); main = pin_worker('main'); "
            "gw = pin_worker('gw' + str(len(cpus) + 1)); "
            "print(json.dumps([main, gw, sorted(os.sched_getaffinity(0)), cpus]))")
    main, gw, after, cpus = json.loads(subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    if len(cpus) < 2:
        assert (main, gw) == (None, None)
        return
    want = cpus[(len(cpus) + 1) % len(cpus)]
    assert main is None and gw == want and after == [want]
