"""Proof status from the committed reports of `make prove` (never runs Frama-C).

reports/proof/summary.json has the goals of each function; wp-stats.json,
Frama-C WP's own statistics, names every goal, which gives the goals of one
behaviour: its ensures and assigns clauses, named or not, and its smoke test
(`<fn>_<behaviour>_ensures`, `<fn>_<behaviour>_ensures_<name>`,
`<fn>_wp_smoke_<behaviour>_assumes`). A named
clause's goals are `<fn>_ensures_<name>`, or `<fn>_<behaviour>_ensures_<name>`
inside a behaviour. Goals of the whole function
(runtime errors, complete/disjoint, callee preconditions) are counted for the
function only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.proof_summary import listed_counts

CLAUSES = r"(?:ensures|assigns|exits|allocates|frees)"


@dataclass
class Goals:
    proved: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.proved == self.total

    def __str__(self) -> str:
        return f"{self.proved}/{self.total}"


@dataclass
class Proof:
    available: bool
    passed: bool | None
    total: Goals | None
    functions: dict[str, Goals]
    goal_stats: dict[str, dict]          # function -> goal name -> wp:main counts
    problems: list[str]
    lemma_stats: dict[str, dict] = field(default_factory=dict)   # lemma_<name> -> counts

    def function(self, name: str) -> Goals | None:
        return self.functions.get(name)

    def element(self, function: str, name: str, kind: str,
                behavior: str | None = None) -> Goals | None:
        """Goals of one behaviour (kind "behavior") or one named clause, of the
        whole contract or of a behaviour; or of a lemma (kind "lemma")."""
        if kind == "lemma":
            main = self.lemma_stats.get(f"lemma_{name}", {}).get("wp:main", {})
            return Goals(main.get("valid", 0), main["total"]) if main.get("total") else None
        goals = self.goal_stats.get(function)
        if goals is None:
            return None
        fn, nm = re.escape(function), re.escape(name)
        if kind == "behavior":
            pattern = re.compile(rf"^(?:{fn}_{nm}_{CLAUSES}(?:_\w+)?|{fn}_wp_smoke_{nm}_assumes)$")
        elif behavior:
            pattern = re.compile(rf"^{fn}_{re.escape(behavior)}_{re.escape(kind)}_{nm}(?:_\d+)?$")
        else:
            pattern = re.compile(rf"^{fn}_{re.escape(kind)}_{nm}(?:_\d+)?$")
        proved = total = 0
        for goal, stats in goals.items():
            if pattern.match(goal):
                # the gate's count: a smoke test a prover refuted is not proved
                valid, count = listed_counts(goal, stats)
                proved += valid
                total += count
        return Goals(proved, total) if total else None


def load_proof(proof_dir: str | Path) -> Proof:
    proof_dir = Path(proof_dir)
    summary_path = proof_dir / "summary.json"
    stats_path = proof_dir / "wp-stats.json"
    if not summary_path.exists():
        return Proof(False, None, None, {}, {}, [])
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    functions = {name: Goals(g["proved"], g["total"])
                 for name, g in summary.get("functions", {}).items()}
    goal_stats, lemma_stats = {}, {}
    if stats_path.exists():
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
        goal_stats = stats.get("wp:functions", {})
        lemma_stats = stats.get("wp:axiomatics", {}).get("", {})
    total = summary.get("goals", {})
    return Proof(True, summary.get("passed"), Goals(total.get("proved", 0), total.get("total", 0)),
                 functions, goal_stats, list(summary.get("problems", [])), lemma_stats)
