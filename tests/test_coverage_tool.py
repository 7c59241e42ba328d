"""tools/coverage.py: its pure parts (rule coverage, exception matching) on
made-up inputs, the committed exceptions file, and no unexplained branch in
the last measured run (reports/coverage/summary.json, re-judged against the
current exceptions file and sources, without rebuilding or running gcov)."""

import importlib.util
import json
import tomllib

import pytest

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("hs_coverage_tool", ROOT / "tools" / "coverage.py")
cov = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cov)

SUMMARY = ROOT / "reports" / "coverage" / "summary.json"


# ------------------------------------------------------------------ rule coverage

def test_rule_coverage_counts_and_cases():
    got = cov.rule_coverage(["R-ONE", "R-TWO", "R-THREE"],
                            {"a": ["R-ONE"], "b": ["R-ONE", "R-TWO"]},
                            {"R-THREE": {"reason": "cannot\n  be driven"}})
    assert (got["covered"], got["total"]) == (2, 3)
    assert got["cases"] == {"R-ONE": ["a", "b"], "R-TWO": ["b"], "R-THREE": []}
    assert got["uncovered"] == [{"rule": "R-THREE", "reason": "cannot be driven"}]
    assert got["problems"] == []


def test_rule_without_case_or_reason_is_a_problem():
    got = cov.rule_coverage(["R-ONE", "R-TWO"], {"a": ["R-ONE"]}, {})
    assert got["uncovered"] == [{"rule": "R-TWO", "reason": None}]
    assert len(got["problems"]) == 1 and got["problems"][0].startswith("R-TWO: no case")


def test_rule_with_empty_reason_is_a_problem():
    got = cov.rule_coverage(["R-ONE"], {}, {"R-ONE": {"reason": "  "}})
    assert got["problems"] and got["problems"][0].startswith("R-ONE")


@pytest.mark.parametrize("uncovered, start", [
    ({"R-ONE": {"reason": "x"}}, "R-ONE: listed in harness/uncovered.toml but named by a"),
    ({"R-NOPE": {"reason": "x"}}, "R-NOPE: listed in harness/uncovered.toml but not a rule"),
])
def test_stale_uncovered_entries(uncovered, start):
    got = cov.rule_coverage(["R-ONE"], {"a": ["R-ONE"]}, uncovered)
    assert [p for p in got["problems"] if p.startswith(start)], got["problems"]


def test_rule_coverage_of_the_suite_holds(rules):
    with open(ROOT / cov.UNCOVERED, "rb") as fh:
        uncovered = tomllib.load(fh)
    got = cov.rule_coverage(rules, cov.load_case_rules(ROOT / "cases"), uncovered)
    assert got["problems"] == []
    assert got["covered"] + len(got["uncovered"]) == got["total"] == len(rules)


# ------------------------------------------------------------------ exceptions

EXC = {
    "lines": {"hs_plan.c:10": "line ten"},
    "pattern": [
        {"text": "while (n <   20u)", "file": "hs_render.c", "branches": [1], "reason": "bound"},
        {"text": "SIZE_MAX", "reason": "saturation\n  only"},
    ],
}


@pytest.mark.parametrize("file, line, source, branch, want", [
    ("model/src/hs_plan.c", 10, "anything", 0, "line ten"),           # file:line key
    ("hs_plan.c", 11, "anything", 0, None),                           # other line
    ("model/src/hs_render.c", 142, "while (n < 20u) {", 1, "bound"),  # blanks collapsed
    ("model/src/hs_render.c", 142, "while (n < 20u) {", 0, None),     # other branch
    ("model/src/hs_check.c", 142, "while (n < 20u) {", 1, None),      # other file
    ("hs_check.c", 5, "x = (n > SIZE_MAX - y) ? SIZE_MAX : y;", 3, "saturation only"),
    ("hs_check.c", 5, "if (a == b)", 0, None),
])
def test_explain(file, line, source, branch, want):
    assert cov.explain(file, line, source, EXC, branch) == want


def test_classify_marks_unexplained_and_stale_entries():
    branches = [
        {"file": "model/src/hs_render.c", "line": 142, "branch": 1, "source": "while (n < 20u) {"},
        {"file": "model/src/hs_check.c", "line": 80, "branch": 0, "source": "if (u->name == NULL)"},
    ]
    got = cov.classify(branches, EXC)
    assert [b["explained"] for b in got] == [True, False]
    assert got[1]["reason"] == "unexplained"
    stale = cov.unused_exceptions(branches, EXC)
    assert stale == ["lines.hs_plan.c:10", "pattern 'SIZE_MAX'"]


@pytest.mark.parametrize("data", [
    {"other": {}},
    {"lines": {"hs_plan.c": "no line number"}},
    {"lines": {"hs_plan.c:3": " "}},
    {"pattern": [{"text": "x"}]},
    {"pattern": [{"text": "", "reason": "r"}]},
    {"pattern": [{"text": "x", "reason": "r", "branches": []}]},
    {"pattern": [{"text": "x", "reason": "r", "branch": [1]}]},
])
def test_malformed_exceptions_rejected(data):
    with pytest.raises(cov.UsageError):
        cov.check_exceptions(data)


def test_committed_exceptions_file_is_well_formed():
    exc = cov.load_exceptions(ROOT / cov.EXCEPTIONS)
    assert exc["pattern"] or exc["lines"]


# ------------------------------------------------------------------ the last measured run

def test_no_unexplained_branch_in_the_last_run():
    """Every branch the last `tools/coverage.py` run found not taken is
    explained by the current tools/coverage-exceptions.toml, and its source
    line is still the one measured (else the run is out of date: rerun it)."""
    if not SUMMARY.exists():
        pytest.skip("no reports/coverage/summary.json: run tools/coverage.py")
    summary = json.loads(SUMMARY.read_text())
    if not summary.get("model"):
        pytest.skip("the last run measured rules only")
    exc = cov.load_exceptions(ROOT / cov.EXCEPTIONS)
    problems = []
    for b in summary["model"]["not_taken"]:
        lines = (ROOT / b["file"]).read_text(encoding="utf-8").splitlines()
        now = lines[b["line"] - 1].strip() if b["line"] <= len(lines) else ""
        if now != b["source"]:
            problems.append(f"{b['file']}:{b['line']}: source changed since the run "
                            "(rerun tools/coverage.py)")
        elif cov.explain(b["file"], b["line"], b["source"], exc, b["branch"]) is None:
            problems.append(f"{b['file']}:{b['line']} branch {b['branch']}: unexplained: "
                            f"{b['source']}")
    assert not problems, "\n".join(problems)
