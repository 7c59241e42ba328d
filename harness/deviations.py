"""The deviation list of a run: failing assertions grouped by rule and signature.

A group is one rule, one kind of check and one (expected, actual) shape; its
cases are every case with such an assertion. Root causes come first (most
cases first), then the groups that only follow from another failure. Each
group shows one worked example: the case's failing assertion with its
expected and actual values. Used by summary.md and by
`python3 -m harness.expectations --deviations`.
"""

from __future__ import annotations

import re
from collections import defaultdict

# a number, or a list of numbers ("148 or 5 or 98"): values that differ only in
# numbers (lengths, dates, counts, the alternatives a rule allows) share a shape
_NUM = re.compile(r"\d+(?: or \d+)*")


def shape(text: str) -> str:
    return _NUM.sub("N", text or "")[:160]


_shape = shape


def groups(cases: list[dict]) -> list[dict]:
    """[{rule, kind, consequence, expected, actual, cases: [...], example: {...}}]."""
    found: dict[tuple, dict] = {}
    order = defaultdict(int)
    for c in cases:
        for a in c.get("assertions", []):
            if a.get("state") != "fail":
                continue
            cons = "consequence_of" in a
            key = (a["rule"], a["kind"], cons, _shape(a.get("expected", "")),
                   _shape(a.get("actual", "")))
            g = found.get(key)
            if g is None:
                g = found[key] = {"rule": a["rule"], "kind": a["kind"], "consequence": cons,
                                  "expected": a.get("expected", ""),
                                  "actual": a.get("actual", ""), "cases": [],
                                  "example": {"case": c["id"], "file": c.get("file", ""),
                                              **a}}
            if c["id"] not in g["cases"]:
                g["cases"].append(c["id"])
            order[a["rule"]] += 1
    return sorted(found.values(), key=lambda g: (g["consequence"], -len(g["cases"]),
                                                  g["rule"], g["kind"]))


def deviations_md(results: dict, label: str | None = None, heading: int = 1) -> str:
    name = label or results.get("implementation", {}).get("name", "?")
    gs = groups(results["cases"])
    h = "#" * heading
    out = [f"{h} Deviations: {name}", "",
           f"Failing assertions of {len(results['cases'])} cases, grouped by the rule they "
           "enforce and the shape of the difference (numbers folded). Root causes first, "
           "most cases first; then what only follows from an earlier failure in the same "
           "case.", ""]
    if not gs:
        return "\n".join(out + ["None.", ""])
    roots = [g for g in gs if not g["consequence"]]
    out += [f"{len(roots)} root-cause groups over {len({g['rule'] for g in roots})} rules; "
            f"{len(gs) - len(roots)} consequence groups.", "",
            "| # | rule | check | cases | expected | actual |",
            "| ---: | --- | --- | ---: | --- | --- |"]
    for n, g in enumerate(gs, 1):
        out.append(f"| {n} | {g['rule']}{' (consequence)' if g['consequence'] else ''} | "
                   f"{g['kind']} | {len(g['cases'])} | {_cell(g['expected'])} | "
                   f"{_cell(g['actual'])} |")
    out.append("")
    for n, g in enumerate(gs, 1):
        ex = g["example"]
        out += [f"{h}# {n}. {g['rule']}: {g['kind']}"
                f"{' (follows from another failure)' if g['consequence'] else ''}", "",
                f"{len(g['cases'])} case{'s' if len(g['cases']) != 1 else ''}: "
                + ", ".join(f"`{c}`" for c in g["cases"][:40])
                + (f" and {len(g['cases']) - 40} more" if len(g["cases"]) > 40 else ""), "",
                f"Example: `{ex['case']}` ({ex.get('file', '')}), {ex['subject']}: "
                f"{ex.get('text', '')}", "", "```text",
                f"expected: {ex.get('expected', '')}", f"actual:   {ex.get('actual', '')}",
                "```", ""]
    return "\n".join(out)


def _cell(text: str) -> str:
    text = (text or "").replace("|", "\\|").replace("\n", " ")
    return (text[:70] + "…") if len(text) > 70 else text
