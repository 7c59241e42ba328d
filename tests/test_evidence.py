"""spec/08-evidence.md lists every rule with its class and evidence strength,
and tools/settle.py reads a results.json into the open rules' outcomes."""

import json
import re
import subprocess
import sys
from collections import Counter

from conftest import ROOT
from harness.spec import load_rules

STRENGTHS = {"documented", "observed", "inferred"}


def _table():
    text = (ROOT / "spec" / "08-evidence.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^\| ([A-Z0-9]+(?:-[A-Z0-9]+)+) \| (\w+) \| (\w+) \| (.+?) \| (.+?) \|$", line)
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} listed twice"
            rows[m.group(1)] = m.groups()[1:]
    return text, rows


def test_every_rule_is_listed_once_with_its_class_and_a_strength():
    rules = load_rules(ROOT / "spec")
    _, rows = _table()
    assert set(rows) == set(rules)
    for rid, (cls, strength, evidence, _open) in rows.items():
        assert cls == rules[rid].cls, rid
        assert strength in STRENGTHS, rid
        assert evidence.strip(), rid


def test_open_details_match_the_rules():
    """A rule with an open detail is IMPL or UNDEF or has an Allowed set, and
    an IMPL or UNDEF rule names what is open."""
    rules = load_rules(ROOT / "spec")
    _, rows = _table()
    for rid, (cls, _s, _e, open_) in rows.items():
        if open_ != "-":
            assert cls in ("IMPL", "UNDEF") or rules[rid].allowed, rid
        if cls in ("IMPL", "UNDEF"):
            assert open_ != "-", rid


def test_counts_agree_with_the_table():
    text, rows = _table()
    cls = Counter(c for c, *_ in rows.values())
    strength = Counter(s for _, s, *_ in rows.values())
    assert (f"| classes | {cls['DOC']} | {cls['OBS']} | {cls['RFC']} | {cls['IMPL']} | "
            f"{cls['UNDEF']} | {len(rows)} |") in text
    assert (f"| rules | {strength['documented']} | {strength['observed']} | "
            f"{strength['inferred']} |") in text


def _results(cases):
    return {"schema": "hs-conformance-results/1", "suite": {"version": "9.9.9"},
            "implementation": {"name": "windows", "hello_name": "win32", "version": "1"},
            "cases": cases}


def test_settle_lists_the_outcomes_of_open_rules(tmp_path):
    case = {"id": "conn-gone-client-closed", "rules": ["CALL-CONN-GONE"], "verdict": "PASS",
            "calls": [{"index": 1, "rc": 0}, {"index": 2, "rc": 1229}],
            "normalisations": ["wire-alternative-1"], "connections": {"r1": "client-closed"}}
    p = tmp_path / "results.json"
    p.write_text(json.dumps(_results([case])))
    out = subprocess.run([sys.executable, "tools/settle.py", str(p)], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "## CALL-CONN-GONE (IMPL): the same outcome in every case" in out
    assert "- conn-gone-client-closed: PASS; rc 0,1229; wire wire-alternative-1" in out
    assert "## WIRE-STATUS-LINE" not in out          # a closed rule is not listed


def test_settle_refuses_another_file(tmp_path):
    p = tmp_path / "results.json"
    p.write_text(json.dumps({"schema": "something-else"}))
    r = subprocess.run([sys.executable, "tools/settle.py", str(p)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and "schema" in r.stderr
