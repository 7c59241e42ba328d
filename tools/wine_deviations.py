#!/usr/bin/env python3
"""Writes a Wine run's deviations as a bug list, grouped by spec rule.

    python3 tools/wine_deviations.py OBSERVED_RESULTS_JSON EXPECTATIONS_TOML OUT_MD "Wine 8.0"

OBSERVED_RESULTS_JSON is a run without expectations (it keeps every failing
case's report); EXPECTATIONS_TOML gives each case's rule and what Wine does.
For each rule: its requirement, then each distinct behaviour with the cases
that show it and, for the first of them, the expected and actual bytes.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.judge import requirement  # noqa: E402
from harness.spec import load_rules  # noqa: E402

MAX_IDS = 8


def excerpt(details: str) -> str:
    """The mismatch lines and the bytes, without the rule list above them."""
    lines = details.split("\n")
    for i, l in enumerate(lines):
        if l.startswith("  mismatch:"):
            return "\n".join(lines[i:i + 40])
    return "\n".join(lines[:40])


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    observed, exp_path, out_path, label = argv[1:]
    data = json.loads(Path(observed).read_text())
    exp = tomllib.loads(Path(exp_path).read_text())
    rules = load_rules(ROOT / "spec")
    cases = {c["id"]: c for c in data["cases"]}
    groups: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for cid, e in sorted(exp.items()):
        groups[e["rule"]][f"{e['expected']}: {e['reason']}"].append(cid)
    t = data["totals"]
    out = [f"# {label}: deviations from the specification", "",
           f"The suite ({data['suite']['cases_total']} cases) against {label} through the Win32 "
           f"adapter ({data['implementation'].get('version')}): {t['PASS']} cases pass, "
           f"{len(exp)} do not. Each case that does not pass is listed once, under the "
           "rule its expectations entry names (the first rule of the case that Wine breaks; "
           "WIRE-SERVER when the missing Server line is all); its other deviations are in "
           "the same line. Written by tools/wine_deviations.py from a run without expectations "
           "(`make wine-expectations`); the committed summary.md is the run against them.", "",
           "| rule | class | cases |", "| --- | --- | ---: |"]
    order = sorted(groups, key=lambda r: (-sum(len(v) for v in groups[r].values()), r))
    for r in order:
        rule = rules.get(r)
        out.append(f"| [{r}](#{r.lower()}) | {rule.cls if rule else '?'} | "
                   f"{sum(len(v) for v in groups[r].values())} |")
    out.append("")
    for r in order:
        rule = rules.get(r)
        out += [f"## {r}", ""]
        if rule:
            out += [f"{rule.title} ({rule.cls}; spec/{rule.file}). {requirement(rule)}", ""]
        for what, ids in sorted(groups[r].items(), key=lambda kv: -len(kv[1])):
            shown = ", ".join(f"`{i}`" for i in ids[:MAX_IDS])
            more = f" and {len(ids) - MAX_IDS} more" if len(ids) > MAX_IDS else ""
            out += [f"- **{len(ids)} case{'s' if len(ids) > 1 else ''}**, {what}", f"  ({shown}{more})"]
            first = cases.get(ids[0], {})
            if first.get("details"):
                out += ["", "  ```", *("  " + l for l in excerpt(first["details"]).split("\n")), "  ```"]
            out.append("")
    Path(out_path).write_text("\n".join(out) + "\n")
    print(f"{out_path}: {len(exp)} cases under {len(groups)} rules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
