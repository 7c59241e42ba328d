"""Judging by rule: every check an assertion with its rule, expectations that pin
the failing assertions, comparisons exactly as strict as the spec (harness.assess,
harness.attribution, harness.expectations). Synthetic outcomes, no adapter, except
the end-to-end runs at the bottom (the fake adapter with planted faults)."""

import email.utils
import json
import subprocess
import sys

import pytest

from harness.cases import load_case
from harness.outcome import CallResult, ConnResult, Outcome
from harness.expectations import (Expectations, ExpectationsError, apply_expectations,
                                  from_results, load_expectations, stale_rules)
from harness.judge import Context, judge

NOW = email.utils.formatdate(usegmt=True).encode()


def head(*lines, body=b""):
    return b"".join(x + b"\r\n" for x in lines) + b"\r\n" + body


RESP = head(b"HTTP/1.1 200 OK", b"Server: Microsoft-HTTPAPI/2.0", b"Date: " + NOW,
            b"Content-Length: 5", body=b"hello")

from conftest import JUDGED_CASE as CASE  # noqa: E402


def make_case(tmp_path, rules, text=CASE, name="judged"):
    d = tmp_path / "wire"
    d.mkdir(exist_ok=True)
    (d / f"{name}.toml").write_text(text)
    return load_case(d / f"{name}.toml", rules)


@pytest.fixture
def case(judged_case):
    return judged_case




def outcome(wire=RESP, rc1=0, rc2=1229, fate="open", rule2="CALL-ID-FINISHED", head_end=None):
    """head_end: where the head call's bytes end (the rest is the body call's)."""
    o = Outcome()
    first = len(wire) if head_end is None else head_end
    o.calls = [CallResult(1, "response", rc1, first, "unset", rule="CALL-OK"),
               CallResult(2, "body", rc2, "unset", "unset", rule=rule2)]
    o.conns = {"r1": ConnResult("r1", wire=wire, marks=[(1, first), (2, len(wire))],
                                fate=fate)}
    o.received = {"r1": ("GET", "1.1")}
    return o


def failing(res):
    return {(a.rule, a.kind) for a in res.assertions if a.failed}


# ------------------------------------------------------------------ exactly as strict as the spec

@pytest.mark.parametrize("line", [                      # NOW stands for the current date
    b"Date:\tNOW", b"Date:  NOW", b"Date: NOW ", b"Date: NOW\t", b"Date: NOW-UTC",
], ids=["tab", "two-spaces", "trailing-space", "trailing-tab", "utc"])
@pytest.mark.parametrize("token", ["Microsoft-HTTPAPI/2.0", "*"])
def test_date_line_variants_fail_under_wire_date(case, rules, line, token):
    """WIRE-DATE fixes the line at `Date: ` plus 29 bytes: no blank is forgiven."""
    line = line.replace(b"NOW-UTC", NOW.replace(b"GMT", b"UTC")).replace(b"NOW", NOW)
    impl = outcome(RESP.replace(b"Date: " + NOW, line))
    res = judge(case, outcome(), impl, Context(rules=rules, impl_token=token))
    assert res.verdict == "FAIL" and failing(res) == {("WIRE-DATE", "header")}, res.details


@pytest.mark.parametrize("line", [
    b"Server:Microsoft-HTTPAPI/2.0 \t", b"Server: Microsoft-HTTPAPI/2.0 ",
    b"Server:  Microsoft-HTTPAPI/2.0", b"Server:\tMicrosoft-HTTPAPI/2.0",
    b"Server: Microsoft-HTTPAPI/2.0\t",
])
@pytest.mark.parametrize("token", ["Microsoft-HTTPAPI/2.0", "*"])
def test_server_line_variants_fail_under_wire_server(case, rules, line, token):
    """Only the product token is normalised: the line's shape is WIRE-SERVER's."""
    impl = outcome(RESP.replace(b"Server: Microsoft-HTTPAPI/2.0", line))
    res = judge(case, outcome(), impl, Context(rules=rules, impl_token=token))
    assert res.verdict == "FAIL" and failing(res) == {("WIRE-SERVER", "header")}, res.details


def test_any_product_token_passes_with_star(case, rules):
    impl = outcome(RESP.replace(b"Microsoft-HTTPAPI/2.0", b"Other-Server/9.1"))
    assert judge(case, outcome(), impl, Context(rules=rules, impl_token="*")).verdict == "PASS"


def test_header_names_compare_in_any_letter_case(case, ctx):
    """RFC 9110 5.1: field names are case-insensitive; values are compared as bytes."""
    impl = outcome(RESP.replace(b"Content-Length: 5", b"content-LENGTH: 5"))
    assert judge(case, outcome(), impl, ctx).verdict == "PASS"
    impl = outcome(RESP.replace(b"Content-Length: 5", b"content-length: 5 "))
    assert failing(judge(case, outcome(), impl, ctx)) == {("WIRE-CL-AUTO", "header")}


def test_bytes_sent_left_unwritten_fails_the_head_call(case, ctx):
    """CONN-BYTES-SENT-HEAD: all the call's bytes or its entity bytes, written."""
    impl = outcome()
    impl.calls[0].bytes_sent = "unset"
    assert failing(judge(case, outcome(), impl, ctx)) == {("CONN-BYTES-SENT-HEAD", "bytes-sent")}


def test_request_line_reaching_the_application_is_checked(case, ctx):
    impl = outcome()
    impl.received = {"r1": ("helloGET", "1.1")}
    res = judge(case, outcome(), impl, ctx)
    assert failing(res) == {("CONN-PERSISTENT", "request-line")}, res.details
    assert "helloGET" in res.details


def test_a_request_delivered_on_another_connection_fails(case, ctx):
    """peer= in the RECEIVE reply: leftovers of another connection are not taken
    for this case's request."""
    impl = outcome()
    impl.received = {"r1": ("GET", "1.1", "r9")}
    res = judge(case, outcome(), impl, ctx)
    assert failing(res) == {("CONN-PERSISTENT", "delivery")}, res.details
    impl.received = {"r1": ("GET", "1.1", "r1")}
    assert judge(case, outcome(), impl, ctx).verdict == "PASS"


def test_an_ended_more_data_response_is_caught(case, ctx):
    """The open-response probe: the model's final empty body call succeeds, the
    implementation's finds the response already ended."""
    model, impl = outcome(), outcome()
    model.open_probe, impl.open_probe = {"r1": 0}, {"r1": 1229}
    res = judge(case, model, impl, ctx)
    assert failing(res) == {("CONN-MORE-DATA", "response-open")}, res.details


# ------------------------------------------------------------------ attribution and consequences

def test_a_call_accepted_against_the_rule_makes_the_rest_its_consequence(case, ctx):
    impl = outcome(RESP + b"more", rc2=0, head_end=len(RESP))
    res = judge(case, outcome(), impl, ctx)
    roots = [a for a in res.assertions if a.failed and a.consequence_of is None]
    assert [(a.rule, a.kind, a.subject) for a in roots] == [
        ("CALL-ID-FINISHED", "rc", "call 2")], res.details
    cons = [a for a in res.assertions if a.failed and a.consequence_of is not None]
    assert cons and all(res.assertions[a.consequence_of] is roots[0] for a in cons)
    assert res.to_dict()["rule_states"]["CALL-ID-FINISHED"] == "fail"
    assert res.to_dict()["rule_states"]["WIRE-BODY"] == "consequence"


UNDEF_CASE = CASE.replace('rules = ["WIRE-CL-AUTO", "CONN-PERSISTENT"]',
                          'rules = ["WIRE-CL-AUTO", "CONN-PERSISTENT", "SEND-STATUS-RANGE"]'
                          ).replace('level = "MUST"', 'level = "UNDEF"')


def test_undef_case_still_judges_its_other_rules(tmp_path, rules, ctx):
    case = make_case(tmp_path, rules, UNDEF_CASE)
    ok = judge(case, outcome(), outcome(), ctx)
    assert ok.verdict == "PASS"
    assert ok.to_dict()["rule_states"]["SEND-STATUS-RANGE"] == "pass"       # survived
    bad = judge(case, outcome(), outcome(RESP.replace(b"hello", b"HELLO")), ctx)
    assert bad.verdict == "FAIL" and failing(bad) == {("WIRE-BODY", "body")}


def test_undefined_call_answered_outside_the_list_leaves_the_rest_unjudged(tmp_path, rules, ctx):
    case = make_case(tmp_path, rules, UNDEF_CASE)
    model = outcome(rule2="SEND-STATUS-RANGE")
    impl = outcome(RESP + b"x", rc2=0, rule2=None, head_end=len(RESP))
    res = judge(case, model, impl, ctx)
    assert res.verdict == "PASS", res.details
    states = {(a.kind, a.subject): a.state for a in res.assertions}
    assert states[("rc", "call 1")] == "pass" and states[("rc", "call 2")] == "not-judged"
    assert states[("body", "response 1 on r1")] == "not-judged"
    assert "SEND-STATUS-RANGE" in {a.rule for a in res.assertions if a.kind == "survival"}


def test_failures_show_actual_bytes_in_wire_order(case, ctx):
    swapped = head(b"HTTP/1.1 200 OK", b"Content-Length: 5", b"Date: " + NOW,
                   b"Server: Microsoft-HTTPAPI/2.0", b"X: y", body=b"hello")
    res = judge(case, outcome(), outcome(swapped), ctx)
    actual = res.details.split("Actual (impl):")[1]
    assert actual.index("Content-Length") < actual.index("Date") < actual.index("Server")


# ------------------------------------------------------------------ expectations

def expectations(tmp_path, rules, text, ids=("judged",)):
    p = tmp_path / "exp.toml"
    p.write_text(text)
    return load_expectations(p, {i: ["WIRE-CL-AUTO"] for i in ids}, rules)


RULE_SERVER = '[[rule]]\nid = "WIRE-SERVER"\nreason = "writes no Server line"\n'
NO_SERVER = RESP.replace(b"Server: Microsoft-HTTPAPI/2.0\r\n", b"")


def test_rule_entry_expects_only_its_rule(tmp_path, rules, case, ctx):
    exp = expectations(tmp_path, rules, RULE_SERVER)
    res = apply_expectations(judge(case, outcome(), outcome(NO_SERVER), ctx), exp)
    assert res.verdict == "XFAIL"
    # the hidden regression: a byte too many beside the known deviation
    res = apply_expectations(judge(case, outcome(), outcome(NO_SERVER + b"X"), ctx), exp)
    assert res.verdict == "FAIL" and res.unexpected == [("WIRE-BODY", "body", "response 1 on r1")]
    assert "unexpected failing assertion" in res.summary


CASE_ENTRY = ('[[case]]\nid = "judged"\nreason = "drops the Date line"\nfails = [\n'
              '  { rule = "WIRE-DATE", kind = "header", subject = "response 1 on r1 (Date)" },\n]\n')
NO_DATE = RESP.replace(b"Date: " + NOW + b"\r\n", b"")


def test_case_entry_pins_its_assertions(tmp_path, rules, case, ctx):
    exp = expectations(tmp_path, rules, CASE_ENTRY)
    assert apply_expectations(judge(case, outcome(), outcome(NO_DATE), ctx), exp).verdict == "XFAIL"
    more = apply_expectations(judge(case, outcome(), outcome(NO_DATE, fate="closed"), ctx), exp)
    assert more.verdict == "FAIL" and more.unexpected == [("CONN-PERSISTENT", "fate",
                                                           "connection r1")]
    fixed = apply_expectations(judge(case, outcome(), outcome(), ctx), exp)
    assert fixed.verdict == "XPASS" and fixed.vanished == [("WIRE-DATE", "header",
                                                            "response 1 on r1 (Date)")]
    crash = judge(case, outcome(), Outcome(status="crash", message="boom"), ctx)
    assert apply_expectations(crash, exp).verdict == "CRASH"


def test_flaky_assertions_may_fail_or_pass(tmp_path, rules, case, ctx):
    """A racy behaviour is listed as flaky: neither its failure nor its pass
    concludes anything, while any other failure still fails the case."""
    exp = expectations(tmp_path, rules, CASE_ENTRY.replace("fails = [", "flaky = ["))
    assert apply_expectations(judge(case, outcome(), outcome(NO_DATE), ctx), exp).verdict == "XFAIL"
    assert apply_expectations(judge(case, outcome(), outcome(), ctx), exp).verdict == "PASS"
    other = apply_expectations(judge(case, outcome(), outcome(NO_SERVER), ctx), exp)
    assert other.verdict == "FAIL"


def test_writer_lists_an_assertion_as_often_as_it_fails(tmp_path, rules, case, ctx):
    """Two Date lines missing from two responses... or one check failing twice in a
    case: the entry lists it twice, so a third failure is still new."""
    res = judge(case, outcome(), outcome(NO_DATE), ctx)
    res.assertions.append(res.assertions[[a.failed for a in res.assertions].index(True)])
    results = {"suite": {"version": "t"}, "implementation": {"name": "t"},
               "cases": [res.to_dict()]}
    exp = expectations(tmp_path, rules, from_results(results, threshold=5))
    assert exp.cases["judged"]["fails"][("WIRE-DATE", "header", "response 1 on r1 (Date)")] == 2
    assert apply_expectations(res, exp).verdict == "XFAIL"


def test_writer_lists_what_fails_in_some_runs_only_as_flaky(tmp_path, rules, case, ctx):
    def run(impl):
        return {"suite": {"version": "t"}, "implementation": {"name": "t"},
                "cases": [judge(case, outcome(), impl, ctx).to_dict()]}
    text = from_results(run(outcome(NO_DATE)), threshold=5, others=[run(outcome())])
    exp = expectations(tmp_path, rules, text)
    assert not exp.cases["judged"]["fails"]
    assert list(exp.cases["judged"]["flaky"]) == [("WIRE-DATE", "header",
                                                   "response 1 on r1 (Date)")]


def test_writer_takes_a_case_only_from_the_runs_that_ran_it(tmp_path, rules, case, ctx):
    """A run of another selection (or an older corpus) has no word on a case it did
    not run: the case's failures stay failing, not flaky."""
    def run(cases):
        return {"suite": {"version": "t"}, "implementation": {"name": "t"}, "cases": cases}
    failing = judge(case, outcome(), outcome(NO_DATE), ctx).to_dict()
    text = from_results(run([failing]), threshold=5, others=[run([]), run([failing])])
    exp = expectations(tmp_path, rules, text)
    assert list(exp.cases["judged"]["fails"]) == [("WIRE-DATE", "header",
                                                   "response 1 on r1 (Date)")]
    assert not exp.cases["judged"]["flaky"]


def test_expectations_file_errors_name_file_and_field(tmp_path, rules):
    with pytest.raises(ExpectationsError) as exc:
        expectations(tmp_path, rules, '[judged]\nexpected = "FAIL"\nrule = "WIRE-DATE"\n'
                                      'reason = "x"\n')
    assert "old form" in str(exc.value) and "python3 -m harness.expectations" in str(exc.value)
    with pytest.raises(ExpectationsError) as exc:
        expectations(tmp_path, rules, '[[rule]]\nid = "NO-SUCH"\nreason = "x"\n'
                                      '[[case]]\nid = "judged"\nreason = "y"\n'
                                      'fails = [{ rule = "WIRE-DATE", kind = "nope", subject = "s" }]\n'
                                      '[[case]]\nid = "judged"\nreason = ""\n')
    text = str(exc.value)
    assert "[[rule]] #1.id: 'NO-SUCH' is not a rule id" in text
    assert "[[case]] judged.fails[1].kind: 'nope'" in text
    assert "[[case]] #2.reason" in text


def test_a_rule_entry_that_fails_nowhere_is_stale():
    exp = Expectations(rules={"WIRE-SERVER": "x", "WIRE-DATE": "y"})
    records = [{"assertions": [{"rule": "WIRE-SERVER", "state": "fail"}]}]
    assert stale_rules(exp, records) == ["WIRE-DATE"]


def test_writer_round_trips(tmp_path, rules, case, ctx):
    """An expectations file written from a run turns that run's failures into XFAIL."""
    res = judge(case, outcome(), outcome(NO_SERVER + b"X"), ctx)
    results = {"suite": {"version": "t"}, "implementation": {"name": "t"},
               "cases": [res.to_dict()]}
    text = from_results(results, threshold=1)
    assert '[[rule]]\nid = "WIRE-BODY"' in text and '[[rule]]\nid = "WIRE-SERVER"' in text
    exp = expectations(tmp_path, rules, text)
    again = apply_expectations(judge(case, outcome(), outcome(NO_SERVER + b"X"), ctx), exp)
    assert again.verdict == "XFAIL"
    per_case = expectations(tmp_path, rules, from_results(results, threshold=2))
    assert not per_case.rules and per_case.cases["judged"]["fails"]


# ------------------------------------------------------------------ end to end, planted faults

WINE_LIKE = RULE_SERVER + (
    '\n[[case]]\nid = "cl-auto-pong-pang-8"\nreason = "keeps the connection open"\n'
    'fails = [{ rule = "CONN-PERSISTENT", kind = "fate", subject = "connection r1" }]\n')
BODY_CASES = ["cl-auto-pong-pang-8", "body-file-and-memory-in-order", "status-418-teapot-*"]


def run(root, fake_cmd, tmp_path, *flags):
    exp = tmp_path / "wine-like.toml"
    exp.write_text(RULE_SERVER)
    args = [sys.executable, "-m", "harness.run", "--impl", "t", "--adapter",
            f"{fake_cmd} {' '.join(flags)}", "--oracle", str(root / "build" /
                                                              "hs-reference-adapter"),
            "--expectations", str(exp), "--report-dir", str(tmp_path / "r"), "--jobs", "1"]
    for c in BODY_CASES:
        args += ["--cases", c]
    p = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=120)
    return p, json.loads((tmp_path / "r" / "results.json").read_text())


@pytest.mark.parametrize("fault", ["extra-byte", "drop-date"])
def test_a_regression_beside_a_known_deviation_fails_the_run(root, fake_cmd, reference_cmd,
                                                              tmp_path, fault):
    p, results = run(root, fake_cmd, tmp_path, "--no-server")
    assert p.returncode == 0, p.stdout + p.stderr
    assert {c["verdict"] for c in results["cases"]} == {"XFAIL"}
    p, results = run(root, fake_cmd, tmp_path, "--no-server", "--fault", fault)
    assert p.returncode == 1, p.stdout
    verdicts = {c["id"]: c["verdict"] for c in results["cases"]}
    assert "FAIL" in verdicts.values(), verdicts
    rule = {"extra-byte": "WIRE-BODY", "drop-date": "WIRE-DATE"}[fault]
    assert any(u[0] == rule for c in results["cases"] for u in c["unexpected"])


# ------------------------------------------------------------------ curl's view

def test_curl_disagreements_name_both_directions():
    from harness.judge import curl_disagreements
    ok = {"code": 0, "error": "", "status": 200, "body_bytes": 5}
    bad = {"code": 18, "error": "transfer closed with 5 bytes remaining to read"}
    assert curl_disagreements("PASS", {"r1": ok}, {"r1": 40}) == []
    assert curl_disagreements("PASS", {"r1": bad}, {"r1": 40}) == [
        "r1: curl fails on bytes the judge accepts (curl error 18: transfer closed with 5 "
        "bytes remaining to read)"]
    assert curl_disagreements("PASS", {"r1": bad}, {"r1": 0}) == []      # no bytes at all
    assert curl_disagreements("FAIL", {"r1": ok}, {"r1": 40}) == [
        "r1: curl accepts bytes the judge rejects (status 200, 5 body bytes)"]
    assert curl_disagreements("FAIL", {"r1": bad}, {"r1": 40}) == []
