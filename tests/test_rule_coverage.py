"""Rule coverage: every rule of the spec (harness.spec.load_rules) is named by
at least one case's `rules`, or listed in harness/uncovered.toml with the
reason adapter protocol version 1 cannot drive it; an entry there must name
an existing rule that no case names."""

import tomllib

import pytest

UNCOVERED = "harness/uncovered.toml"


def load_uncovered(path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def entry_problems(uncovered: dict) -> list[str]:
    """Malformed entries: each is a table holding one non-empty `reason`."""
    problems = []
    for rid, entry in uncovered.items():
        if not isinstance(entry, dict):
            problems.append(f"{rid}: expected a table with reason = \"...\"")
        elif set(entry) != {"reason"}:
            problems.append(f"{rid}: expected exactly the field reason, got {sorted(entry)}")
        elif not isinstance(entry["reason"], str) or not entry["reason"].strip():
            problems.append(f"{rid}: reason must be a non-empty string")
    return problems


def coverage_problems(rule_ids, cases, uncovered: dict) -> list[str]:
    """What breaks the coverage contract, one line each (empty: it holds)."""
    rule_ids = list(rule_ids)
    named = {r for c in cases for r in c.rules}
    problems = []
    for rid in rule_ids:
        if rid not in named and rid not in uncovered:
            problems.append(f"{rid}: no case names it and {UNCOVERED} does not list it")
    for rid in uncovered:
        if rid not in rule_ids:
            problems.append(f"{rid}: listed in {UNCOVERED} but not a rule of the spec")
        elif rid in named:
            cases_naming = sorted(c.id for c in cases if rid in c.rules)
            problems.append(f"{rid}: listed in {UNCOVERED} but named by "
                            f"{', '.join(cases_naming)}: remove the entry")
    return problems


@pytest.fixture(scope="module")
def uncovered(root):
    return load_uncovered(root / UNCOVERED)


def test_uncovered_entries_are_well_formed(uncovered):
    assert entry_problems(uncovered) == []


def test_every_rule_is_covered_or_listed_as_uncovered(rules, suite, uncovered):
    problems = coverage_problems(rules, suite, uncovered)
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------ the check itself

class _Case:
    def __init__(self, cid, rules):
        self.id, self.rules = cid, rules


@pytest.mark.parametrize("cases, uncovered, expected", [
    ([_Case("a", ["R-ONE"]), _Case("b", ["R-TWO"])], {}, []),
    ([_Case("a", ["R-ONE"])], {"R-TWO": {"reason": "x"}}, []),
    ([_Case("a", ["R-ONE"])], {}, ["R-TWO: no case names it"]),
    ([_Case("a", ["R-ONE", "R-TWO"])], {"R-TWO": {"reason": "x"}},
     ["R-TWO: listed in harness/uncovered.toml but named by a: remove the entry"]),
    ([_Case("a", ["R-ONE", "R-TWO"])], {"R-NOPE": {"reason": "x"}},
     ["R-NOPE: listed in harness/uncovered.toml but not a rule of the spec"]),
])
def test_coverage_problems(cases, uncovered, expected):
    got = coverage_problems(["R-ONE", "R-TWO"], cases, uncovered)
    assert len(got) == len(expected), got
    for line, want in zip(got, expected):
        assert line.startswith(want), got


@pytest.mark.parametrize("entry, ok", [
    ({"reason": "why"}, True),
    ({"reason": "  "}, False),
    ({"reason": "why", "case": "x"}, False),
    ({}, False),
    ("why", False),
])
def test_entry_problems(entry, ok):
    assert (entry_problems({"R-ONE": entry}) == []) == ok
