"""Relate every spec rule to its contracts, its proof, its cases and each
implementation's verdicts, and list the gaps of that relation.

The gaps are what the traceability pages show: rules without a case, rules
without a contract, contracts without a rule, cases without a rule. Each is
an *exception* when a committed file gives its reason (harness/uncovered.toml,
the rule's `Model: not modelled: ...` line, tools/docs/traceability.toml),
and a *problem* otherwise. Stale entries of those files are problems too.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from harness.cases import Case, load_cases
from harness.spec import Rule, load_rules

from .contracts import Contracts, Element, load_contracts
from .proof import Goals, Proof, load_proof
from .results import Results, load_results

TABLE = Path(__file__).resolve().parent / "traceability.toml"
CHECK_FUNCTIONS = ("hs_check_send_response", "hs_check_send_body")
# Model sources and unit tests whose comments name rule ids (spec 7.1).
CODE_FILES = ("model/src/*.c", "model/tests/*.c")


@dataclass
class Link:
    element: Element
    via: str                    # "comment" (the header says so) or "table" (traceability.toml)
    why: str = ""
    goals: Goals | None = None


@dataclass
class Gap:
    """A gap of the relation with the reason a committed file gives (an exception)."""
    subject: str                # rule id or contract key
    kind: str                   # no-case, no-contract, no-rule-contract
    reason: str
    source: str                 # the file that gives the reason


@dataclass
class RuleTrace:
    rule: Rule
    links: list[Link] = field(default_factory=list)
    definitions: list = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    code: list[tuple[str, int]] = field(default_factory=list)
    no_case: Gap | None = None
    no_contract: Gap | None = None


@dataclass
class Trace:
    rules: dict[str, RuleTrace]
    contracts: Contracts
    element_rules: dict[str, list[str]]   # contract key -> rules (comment and table)
    element_goals: dict[str, Goals | None]
    proof: Proof
    cases: list[Case]
    results: list[Results]
    skipped_results: list[str]
    exceptions: list[Gap]
    problems: list[str]

    def verdict(self, impl: Results, case_id: str) -> str | None:
        entry = impl.cases.get(case_id)
        return entry.get("verdict") if entry else None


def _clean(text: str) -> str:
    return " ".join(text.split())


def _code_mentions(root: Path, ids: list[str]) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {rid: [] for rid in ids}
    pattern = re.compile(r"(?<![A-Z0-9-])(" + "|".join(map(re.escape, ids)) + r")(?![A-Z0-9-])")
    for glob in CODE_FILES:
        for path in sorted(root.glob(glob)):
            shown = str(path.relative_to(root))
            for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                for rid in set(pattern.findall(line)):
                    found[rid].append((shown, n))
    return found


def build(root: str | Path, spec_dir: str | Path | None = None, cases_dir: str | Path | None = None,
          reports_dir: str | Path | None = None, uncovered: str | Path | None = None,
          table: str | Path = TABLE) -> Trace:
    root = Path(root)
    rules = load_rules(spec_dir or root / "spec")
    ids = list(rules)
    cases = load_cases(cases_dir or root / "cases", rules)
    contracts = load_contracts(root / "model" / "include", ids)
    proof = load_proof(root / "reports" / "proof")
    results, skipped = load_results(reports_dir or root / "reports")
    uncovered_path = Path(uncovered or root / "harness" / "uncovered.toml")
    not_covered = tomllib.loads(uncovered_path.read_text(encoding="utf-8")) if uncovered_path.exists() else {}
    notes = tomllib.loads(Path(table).read_text(encoding="utf-8"))
    problems: list[str] = []
    exceptions: list[Gap] = []

    traces = {rid: RuleTrace(rule) for rid, rule in rules.items()}
    by_key = {e.key: e for e in contracts.elements}

    # Contracts -> rules: the header comments, then the table's links.
    element_rules: dict[str, list[str]] = {}
    element_goals: dict[str, Goals | None] = {}
    for e in contracts.elements:
        goals = proof.element(e.function, e.name, e.kind, e.behavior)
        element_goals[e.key] = goals
        element_rules[e.key] = list(e.rules)
        for token in e.unknown:
            problems.append(f"{e.file}:{e.line}: {e.key} names {token}, which is no rule of the spec")
        for rid in e.rules:
            traces[rid].links.append(Link(e, "comment", goals=goals))
    for key, entry in notes.get("link", {}).items():
        e = by_key.get(key)
        if e is None:
            problems.append(f"tools/docs/traceability.toml: link {key}: no such behaviour or named clause")
            continue
        for rid in entry.get("rules", []):
            if rid not in traces:
                problems.append(f"tools/docs/traceability.toml: link {key}: {rid} is no rule of the spec")
            elif rid in element_rules[key]:
                problems.append(f"tools/docs/traceability.toml: link {key}: the comment already names {rid}")
            else:
                element_rules[key].append(rid)
                traces[rid].links.append(Link(e, "table", _clean(entry.get("why", "")), element_goals[key]))

    # Contracts without a rule.
    norule = notes.get("norule", {})
    for e in contracts.elements:
        if e.kind != "behavior" or element_rules[e.key]:
            if e.key in norule:
                problems.append(f"tools/docs/traceability.toml: norule {e.key}: it encodes "
                                + ", ".join(element_rules[e.key]))
            continue
        if e.key in norule:
            exceptions.append(Gap(e.key, "no-rule-contract", _clean(norule[e.key]["reason"]),
                                         "tools/docs/traceability.toml"))
        else:
            problems.append(f"{e.file}:{e.line}: behaviour {e.key} names no rule")
    for key in norule:
        if key not in by_key:
            problems.append(f"tools/docs/traceability.toml: norule {key}: no such behaviour")

    for d in contracts.definitions:
        for rid in d.rules:
            traces[rid].definitions.append(d)

    # Rules without a contract.
    uncontracted = notes.get("uncontracted", {})
    for rid, t in traces.items():
        has = bool(t.links)
        if not t.rule.modelled:
            reason = t.rule.model.split(":", 1)[1].strip()
            t.no_contract = Gap(rid, "no-contract", "not modelled: " + reason, f"spec/{t.rule.file}")
        elif not has and rid in uncontracted:
            t.no_contract = Gap(rid, "no-contract", _clean(uncontracted[rid]["reason"]),
                                       "tools/docs/traceability.toml")
        elif not has:
            problems.append(f"{rid}: modelled, but no contract names it and "
                            "tools/docs/traceability.toml gives no reason")
        if t.no_contract:
            exceptions.append(t.no_contract)
        if has and rid in uncontracted:
            problems.append(f"tools/docs/traceability.toml: uncontracted {rid}: a contract names it")
    for rid in uncontracted:
        if rid not in traces:
            problems.append(f"tools/docs/traceability.toml: uncontracted {rid}: no such rule")
        elif not traces[rid].rule.modelled:
            problems.append(f"tools/docs/traceability.toml: uncontracted {rid}: the spec says not modelled")

    # Cases -> rules.
    for case in cases:
        if not case.rules:
            problems.append(f"{case.file}: names no rule")
        for rid in case.rules:
            if rid in traces:
                traces[rid].cases.append(case)
            else:
                problems.append(f"{case.file}: names {rid}, which is no rule of the spec")
    for t in traces.values():
        # Hand-written cases, which cite their evidence, before the generated ones.
        t.cases.sort(key=lambda c: (c.area.startswith("gen-"), c.area, c.id))
    for rid, t in traces.items():
        if t.cases:
            if rid in not_covered:
                problems.append(f"harness/uncovered.toml: {rid} has cases now")
            continue
        if rid in not_covered:
            t.no_case = Gap(rid, "no-case", _clean(not_covered[rid].get("reason", "")),
                                   "harness/uncovered.toml")
            exceptions.append(t.no_case)
        else:
            problems.append(f"{rid}: no case names it and harness/uncovered.toml gives no reason")
    for rid in not_covered:
        if rid not in traces:
            problems.append(f"harness/uncovered.toml: {rid}: no such rule")

    for rid, places in _code_mentions(root, ids).items():
        traces[rid].code = places

    return Trace(traces, contracts, element_rules, element_goals, proof, cases, results, skipped,
                 exceptions, problems)
