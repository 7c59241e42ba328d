"""What a run on real Windows says about the open rules (spec/08-evidence.md, 8.4).

Usage: python3 tools/settle.py reports/windows-<build>/results.json [--spec spec] [--cases cases]

For every rule that is IMPL or UNDEF, or that carries an Allowed set, lists the
cases of the run that name it, with their verdict, the return codes of their
calls, the wire alternative that matched and the connections' fates, and says
whether the run shows one variant or several. Reads only; writes to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from harness.spec import load_rules  # noqa: E402

SCHEMA = "hs-conformance-results/1"


def open_rules(spec_dir: str) -> dict:
    return {rid: r for rid, r in load_rules(spec_dir).items()
            if r.cls in ("IMPL", "UNDEF") or r.allowed}


def variant(case: dict) -> str:
    """One line for what the implementation did in this case."""
    rcs = ",".join(str(c.get("rc")) for c in case.get("calls", []) if "rc" in c)
    alts = [n for n in case.get("normalisations", []) if n.startswith("wire-alternative-")]
    fates = ",".join(f"{k}={v}" for k, v in sorted(case.get("connections", {}).items()))
    return f"rc {rcs or '-'}; wire {alts[0] if alts else 'as the reference'}; connections {fates or '-'}"


def settle(results: dict, rules: dict) -> list[str]:
    if results.get("schema") != SCHEMA:
        raise ValueError(f"not a {SCHEMA} file: schema {results.get('schema')!r}")
    impl = results.get("implementation", {})
    out = [f"# Open rules against {impl.get('name')} "
           f"({impl.get('hello_name')} {impl.get('version')}), suite {results['suite']['version']}", ""]
    by_rule: dict[str, list[dict]] = {rid: [] for rid in rules}
    for case in results.get("cases", []):
        for rid in case.get("rules", []):
            if rid in by_rule:
                by_rule[rid].append(case)
    for rid, rule in rules.items():
        cases = by_rule[rid]
        seen = {variant(c) for c in cases if c.get("verdict") in ("PASS", "XFAIL", "FAIL")}
        verdicts = sorted({c.get("verdict") for c in cases})
        if not cases:
            state = "not run"
        elif any(c.get("verdict") == "FAIL" for c in cases):
            state = "FAIL: the rule or a case asserts what this implementation does not do"
        elif len(seen) == 1:
            state = "the same outcome in every case"
        else:
            state = f"{len(seen)} different outcomes (cases differ in their calls; compare them)"
        out.append(f"## {rid} ({rule.cls}): {state}")
        out.append(f"Allowed: {rule.allowed or 'only the reference result'}")
        out.append(f"Verdicts: {', '.join(verdicts) or '-'}")
        for c in cases:
            out.append(f"- {c['id']}: {c.get('verdict')}; {variant(c)}")
        out.append("")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 tools/settle.py", description=__doc__.splitlines()[0])
    ap.add_argument("results", help="results.json of a run on Windows")
    ap.add_argument("--spec", default="spec")
    args = ap.parse_args(argv)
    try:
        results = json.loads(Path(args.results).read_text(encoding="utf-8"))
        lines = settle(results, open_rules(args.spec))
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
