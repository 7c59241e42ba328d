"""tools/docs: the relation of rules, contracts and cases (tools/docs/trace.py)
on the repository as it is, and its gap detection on made-up inputs."""

import json
import shutil

import pytest

from conftest import ROOT
from tools.docs import markdown_table
from tools.docs.contracts import ids_in
from tools.docs.results import load_results
from tools.docs.trace import TABLE, build


@pytest.fixture(scope="module")
def trace():
    return build(ROOT)


def test_no_gap_without_a_reason(trace):
    assert trace.problems == []


def test_every_rule_has_a_contract_or_a_reason(trace):
    for rid, t in trace.rules.items():
        assert t.links or (t.no_contract and t.no_contract.reason), rid
        if not t.rule.modelled:
            assert not t.links, f"{rid} is not modelled, yet a contract names it"


def test_every_rule_has_a_case_or_a_reason(trace):
    for rid, t in trace.rules.items():
        assert t.cases or (t.no_case and t.no_case.reason), rid


def test_every_behaviour_has_a_rule_or_a_reason(trace):
    reasons = {e.subject for e in trace.exceptions if e.kind == "no-rule-contract"}
    for e in trace.contracts.elements:
        if e.kind == "behavior":
            assert trace.element_rules[e.key] or e.key in reasons, e.key


def test_comment_ids_agree_with_the_assumed_rule_symbols(trace):
    """A behaviour that assumes `send_rule(c, x, HS_RULE_X)` names X's spec id."""
    checked = 0
    for e in trace.contracts.elements:
        for sym in e.symbols:
            assert trace.contracts.symbols[sym] in e.rules, (e.key, sym)
            checked += 1
    assert checked >= 50


def test_invalid_parameter_link_is_every_other_rejection(trace):
    """The table spells out hs_rule_error's "every other rejection"."""
    elements = trace.contracts.elements
    rejections = []
    for e in elements:
        if e.function in ("hs_check_send_response", "hs_check_send_body"):
            rejections += [r for r in e.rules if r != "CALL-OK" and r not in rejections]
    named = {r for e in elements if e.function == "hs_rule_error" and e.name != "invalid_parameter"
             for r in e.rules}
    assert set(trace.element_rules["hs_rule_error.invalid_parameter"]) == set(rejections) - named


def test_every_behaviour_has_proved_goals(trace):
    """Every behaviour, and every named clause of a behaviour that names a rule,
    maps to goals of the committed proof, all proved."""
    assert trace.proof.available and trace.proof.passed
    for e in trace.contracts.elements:
        if e.kind == "behavior" or e.behavior:
            goals = trace.element_goals[e.key]
            assert goals is not None and goals.complete, (e.key, goals)


def test_ids_in_expands_globs_and_reports_unknown_ids():
    spec = ["WIRE-CL-NONE-HEAD", "WIRE-CL-NONE-TE", "WIRE-CL-APP"]
    assert ids_in("WIRE-CL-NONE-*, WIRE-CL-APP", spec) == (spec, [])
    assert ids_in("CONN-GONE (and more)", spec) == ([], ["CONN-GONE"])


def _table_with(tmp_path, extra: str):
    table = tmp_path / "traceability.toml"
    table.write_text(TABLE.read_text(encoding="utf-8") + "\n" + extra, encoding="utf-8")
    return table


def test_a_stale_entry_is_a_problem(tmp_path):
    table = _table_with(tmp_path, '[uncontracted.WIRE-CL-AUTO]\nreason = "old"\n')
    problems = build(ROOT, table=table).problems
    assert any("uncontracted WIRE-CL-AUTO: a contract names it" in p for p in problems), problems


def test_a_missing_reason_is_a_problem(tmp_path):
    """A modelled rule whose contract goes away needs a reason in the table."""
    root = tmp_path / "root"
    (root / "model").mkdir(parents=True)
    shutil.copytree(ROOT / "model" / "include", root / "model" / "include")
    for sub in ("spec", "cases", "reports", "harness"):
        (root / sub).symlink_to(ROOT / sub)
    lemmas = root / "model" / "include" / "hs_flag_lemmas.h"
    text = lemmas.read_text(encoding="utf-8")
    assert "// FLAG-BUFFER-DATA" in text
    lemmas.write_text(text.replace("// FLAG-BUFFER-DATA", "//"), encoding="utf-8")
    problems = build(root, table=TABLE).problems
    assert any(p.startswith("FLAG-BUFFER-DATA: modelled, but no contract names it") for p in problems), problems


def test_a_rule_without_case_or_reason_is_a_problem(tmp_path):
    (tmp_path / "wire").mkdir()
    shutil.copyfile(ROOT / "cases" / "wire" / "cl-auto-pong-pang-8.toml",
                    tmp_path / "wire" / "cl-auto-pong-pang-8.toml")
    problems = build(ROOT, cases_dir=tmp_path).problems
    assert any(p.startswith("CALL-OK: no case names it") for p in problems), problems
    assert not any(p.startswith("WIRE-CL-AUTO:") for p in problems), problems


def test_results_are_discovered_and_bad_files_skipped(tmp_path):
    good = {"schema": "hs-conformance-results/2", "totals": {"PASS": 1},
            "cases": [{"id": "x", "verdict": "PASS"}]}
    for name in ("zeta", "wine-10.0", "reference", "wine-8.0"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(good), encoding="utf-8")
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "results.json").write_text("{", encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "results.json").write_text('{"schema": "x"}', encoding="utf-8")
    found, skipped = load_results(tmp_path)
    assert [r.name for r in found] == ["reference", "wine-8.0", "wine-10.0", "zeta"]
    assert found[3].totals["PASS"] == 1 and found[3].cases["x"]["verdict"] == "PASS"
    assert len(skipped) == 2


def test_markdown_lists_every_rule_and_exception(trace):
    text = markdown_table.render(trace)
    for rid in trace.rules:
        assert f"[{rid}](../spec/" in text, rid
    for e in trace.exceptions:
        assert e.subject in text
    assert f"| rules | {len(trace.rules)} |" in text


def test_committed_markdown_names_every_rule():
    text = (ROOT / "reports" / "traceability.md").read_text(encoding="utf-8")
    for rid in build(ROOT).rules:
        assert f"[{rid}]" in text, f"{rid}: run make docs"
