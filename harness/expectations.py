"""Expectations files: the known failures of one implementation, down to the assertion.

harness/expectations/<impl>.toml says what is expected to fail, in two forms:

    [[rule]]                          # a deviation that runs through the suite
    id = "WIRE-SERVER"
    reason = "writes no Server line"

    [[case]]                          # the rest, case by case
    id = "app-connection-close-closes"
    reason = "keeps the connection open where the server must close it"
    fails = [
      { rule = "CONN-APP-CLOSE", kind = "fate", subject = "connection r1" },
    ]

A failing assertion (harness.assertions) is expected when a [[rule]] names
its rule, or when the case's [[case]] entry lists its rule, kind and subject.
A case whose failing assertions are all expected is XFAIL; any other failing
assertion makes it FAIL (a new deviation cannot hide behind an old one); a
listed assertion that no longer fails makes it XPASS, which fails the run.
A [[rule]] whose rule fails in no case of a full run is stale and fails the
run too. Files of the older form (one table per case with expected / rule /
reason) are refused with a message that says how to rewrite them.

    python3 -m harness.expectations --from reports/<impl>/results.json \
        --write harness/expectations/<impl>.toml [--rule-threshold N] \
        [--deviations reports/<impl>/deviations.md]

writes an expectations file (and the deviation list, harness.deviations) from
a run without expectations: a rule that fails as a root cause in at least N
cases (default 10; deaths of the adapter do not count, they stay pinned to
their case and step), with at least 90% of its failures of one shape (one
behaviour, not several bugs under one rule), gets a [[rule]] entry, every other failing case a
[[case]] entry listing its failing assertions. Rewriting a file keeps the
reasons people wrote: of the [[rule]] entries that remain, and of the [[case]]
entries whose failing assertions did not change. Given several runs (--from
twice or more), an assertion that fails in some and passes in others goes in
the case's `flaky` list: it may fail, and nothing is concluded from it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

from .attribution import KINDS

ENTRY_KEYS = {"rule": {"id", "reason"}, "case": {"id", "reason", "fails", "flaky"}}
FAIL_KEYS = {"rule", "kind", "subject"}


class ExpectationsError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


class Expectations:
    """rules: rule id -> reason; cases: case id -> {"reason", "fails": Counter of
    (rule, kind, subject)}."""

    def __init__(self, rules: dict[str, str] | None = None, cases: dict | None = None):
        self.rules = rules or {}
        self.cases = cases or {}

    def __bool__(self) -> bool:
        return bool(self.rules or self.cases)

    def get(self, case_id: str) -> dict | None:                 # what a case shows
        return self.cases.get(case_id)


def load_expectations(path: str | Path | None, case_ids: dict[str, list[str]],
                      rules: dict) -> Expectations:
    """Read and check an expectations file; ExpectationsError names the file and
    the entry for each problem. case_ids: every case id of the suite -> its rules."""
    if path is None:
        return Expectations()
    path = Path(path)
    if not path.exists():
        return Expectations()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ExpectationsError([f"{path}: (TOML) {exc}"]) from None
    except OSError as exc:
        raise ExpectationsError([f"{path}: cannot read: {exc}"]) from None
    errors: list[str] = []
    old = [k for k, v in data.items() if k not in ("rule", "case") and isinstance(v, dict)]
    if old:
        raise ExpectationsError([
            f"{path}: [{old[0]}] and {len(old) - 1} more tables are of the old form "
            "(one table per case with expected / rule / reason), which matched a case's "
            "verdict only. Expectations now name the failing assertions: rewrite the file "
            "with python3 -m harness.expectations --from reports/<impl>/results.json "
            f"--write {path} (from a run without expectations), or by hand as "
            "harness/README.md describes ([[rule]] and [[case]] entries)."])
    for key in data:
        if key not in ("rule", "case"):
            errors.append(f"{path}: {key}: unknown key (allowed: [[rule]], [[case]])")
    out = Expectations()
    for n, entry in enumerate(_array(data, "rule", path, errors), 1):
        where = f"{path}: [[rule]] #{n}"
        if not _entry_ok(entry, "rule", where, errors):
            continue
        rid = entry.get("id")
        if not isinstance(rid, str) or rid not in rules:
            errors.append(f"{where}.id: {rid!r} is not a rule id of the spec")
            continue
        if rid in out.rules:
            errors.append(f"{where}.id: {rid} is named twice")
        out.rules[rid] = entry["reason"]
    for n, entry in enumerate(_array(data, "case", path, errors), 1):
        where = f"{path}: [[case]] #{n}"
        if not _entry_ok(entry, "case", where, errors):
            continue
        cid = entry.get("id")
        if cid not in case_ids:
            errors.append(f"{where}.id: no case has the id {cid!r}")
            continue
        where = f"{path}: [[case]] {cid}"
        if cid in out.cases:
            errors.append(f"{where}: the case has two entries")
        fails, flaky = entry.get("fails", []), entry.get("flaky", [])
        if not isinstance(fails, list) or not isinstance(flaky, list) or not (fails or flaky):
            errors.append(f"{where}.fails: list the failing assertions "
                          "({ rule, kind, subject } each)")
            continue
        out.cases[cid] = {"reason": entry["reason"],
                          "fails": _signatures(fails, f"{where}.fails", rules, errors),
                          "flaky": _signatures(flaky, f"{where}.flaky", rules, errors)}
    if errors:
        raise ExpectationsError(errors)
    return out


def _signatures(items: list, where: str, rules: dict, errors: list[str]) -> Counter:
    sigs: Counter = Counter()
    for k, f in enumerate(items, 1):
        fw = f"{where}[{k}]"
        if not isinstance(f, dict) or set(f) != FAIL_KEYS:
            errors.append(f"{fw}: needs exactly rule, kind and subject")
            continue
        if f["rule"] not in rules:
            errors.append(f"{fw}.rule: {f['rule']!r} is not a rule id of the spec")
        if f["kind"] not in KINDS:
            errors.append(f"{fw}.kind: {f['kind']!r} is not one of {', '.join(KINDS)}")
        if not isinstance(f["subject"], str) or not f["subject"]:
            errors.append(f"{fw}.subject: a non-empty string")
        sigs[(f["rule"], f["kind"], str(f["subject"]))] += 1
    return sigs


def _array(data: dict, key: str, path: Path, errors: list[str]) -> list:
    v = data.get(key, [])
    if not isinstance(v, list):
        errors.append(f"{path}: {key}: write [[{key}]] entries")
        return []
    return v


def _entry_ok(entry, kind: str, where: str, errors: list[str]) -> bool:
    if not isinstance(entry, dict):
        errors.append(f"{where}: expected a table")
        return False
    for k in entry:
        if k not in ENTRY_KEYS[kind]:
            errors.append(f"{where}.{k}: unknown field (allowed: "
                          f"{', '.join(sorted(ENTRY_KEYS[kind]))})")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        errors.append(f"{where}.reason: say what the implementation does instead")
        return False
    return True


# ------------------------------------------------------------------ matching

def apply_expectations(res, exp: Expectations | None):
    """XFAIL when every failing assertion of the case is expected; XPASS when an
    expected one no longer fails (and nothing unexpected fails); else unchanged."""
    if not exp or res.verdict not in ("PASS", "FAIL", "CRASH", "TIMEOUT"):
        return res
    failing = [a for a in res.assertions if a.failed]
    if not failing and res.verdict != "PASS":
        return res                  # a death before any step: nothing to match
    entry = exp.cases.get(res.case.id)
    rest = Counter(a.signature for a in failing if a.rule not in exp.rules)
    listed = entry["fails"] if entry else Counter()
    flaky = entry["flaky"] if entry else Counter()
    unexpected = rest - listed
    unexpected = Counter({s: n for s, n in unexpected.items() if s not in flaky})
    vanished = listed - rest
    res.unexpected = sorted(unexpected.elements())
    res.vanished = sorted(vanished.elements())
    if entry or any(a.rule in exp.rules for a in failing):
        res.expectation = {
            "rules": {r: exp.rules[r] for r in sorted({a.rule for a in failing
                                                       if a.rule in exp.rules})},
            "case": ({"reason": entry["reason"],
                      "fails": [list(s) for s in sorted(listed.elements())],
                      "flaky": [list(s) for s in sorted(flaky)]} if entry else None)}
    if unexpected:
        res.summary = (f"{sum(unexpected.values())} unexpected failing assertion"
                       f"{'s' if sum(unexpected.values()) != 1 else ''} ("
                       + "; ".join(" · ".join(s) for s in sorted(unexpected)) + "); "
                       + res.summary)
        return res
    if vanished:
        res.verdict = "XPASS"
        res.summary = ("expected failures no longer happen: "
                       + "; ".join(" · ".join(s) for s in sorted(vanished))
                       + " (remove the entry for them from the expectations file)")
        res.details = res.summary + ("\n" + res.details if res.details else "")
        return res
    if failing:
        reasons = [exp.rules[r] for r in sorted({a.rule for a in failing if a.rule in exp.rules})]
        if entry:
            reasons.append(entry["reason"])
        res.verdict = "XFAIL"
        res.summary = "expected: " + "; ".join(reasons) + "; " + res.summary
    return res


def stale_rules(exp: Expectations, records: list[dict]) -> list[str]:
    """[[rule]] entries whose rule failed in no case of the run."""
    failed = {a["rule"] for r in records for a in r.get("assertions", [])
              if a.get("state") == "fail"}
    return sorted(r for r in exp.rules if r not in failed)


# ------------------------------------------------------------------ writing

SYSTEMIC_KINDS_EXCLUDED = ("crash", "timeout")   # a death is pinned to its case and step


def from_results(results: dict, threshold: int = 10, label: str | None = None,
                 keep: dict | None = None, others: list[dict] | None = None) -> str:
    """An expectations file (TOML text) from a run's results.json. `keep`: the
    parsed TOML of the file being rewritten, whose reasons (written by people)
    are kept for the [[rule]] entries that remain and for the [[case]] entries
    whose failing assertions are unchanged. `others`: more runs of the same
    implementation; an assertion that fails in some runs and passes in others is
    listed as flaky (it may fail), one that fails in every run as failing. A run
    that did not run a case says nothing of it."""
    cases = results["cases"]
    seen = [_failing_by_case(r) for r in [results] + list(others or [])]
    label = label or results.get("implementation", {}).get("name", "the implementation")
    kept_rules = {e.get("id"): e.get("reason") for e in (keep or {}).get("rule", [])}
    kept_cases = {e.get("id"): e for e in (keep or {}).get("case", [])}
    roots: Counter = Counter()
    shapes: dict[str, Counter] = {}
    for c in cases:
        for a in c.get("assertions", []):
            if a["state"] == "fail" and "consequence_of" not in a:
                shapes.setdefault(a["rule"], Counter())[
                    (a["kind"], a.get("expected", ""), a.get("actual", ""))] += 1
        for rule in {a["rule"] for a in c.get("assertions", [])
                     if a["state"] == "fail" and "consequence_of" not in a
                     and a["kind"] not in SYSTEMIC_KINDS_EXCLUDED}:
            roots[rule] += 1
    # one behaviour through the suite: enough cases, and most failures alike
    rule_level = sorted(r for r, n in roots.items() if n >= threshold and _one_shape(shapes[r]))
    out = [f"# {label}: what is expected to fail, down to the assertion (harness/README.md,",
           "# \"Expectations\"). Written by python3 -m harness.expectations from a run of the",
           f"# suite {results['suite']['version']} without expectations; an entry that no longer",
           "# fails (XPASS, or a stale [[rule]]) fails the run: then rewrite this file.", ""]
    reasons = _rule_reasons(cases)
    for rule in rule_level:
        reason = kept_rules.get(rule) or reasons.get(rule, f"fails in {roots[rule]} cases")
        out += ["[[rule]]", f"id = {json.dumps(rule)}", f"reason = {json.dumps(reason)}", ""]
    for c in sorted(cases, key=lambda c: c["id"]):
        # only the runs that ran the case tell of it (a selection, an older corpus)
        runs = [s[c["id"]] for s in seen if c["id"] in s]
        every = set.intersection(*runs)
        some = set.union(*runs) - every
        fails = [a for a in c.get("assertions", []) if a["state"] == "fail"
                 and a["rule"] not in rule_level
                 and (a["rule"], a["kind"], a["subject"]) in every]
        flaky = sorted(sig for sig in some if sig[0] not in rule_level)
        if not fails and not flaky:
            continue
        rootfails = [a for a in fails if "consequence_of" not in a] or fails
        reason = "; ".join(dict.fromkeys(_short_reason(a) for a in rootfails))
        old = kept_cases.get(c["id"])
        if old and sorted(tuple(f.get(k) for k in ("rule", "kind", "subject"))
                          for f in old.get("fails", [])) == sorted(
                (a["rule"], a["kind"], a["subject"]) for a in fails):
            reason = old.get("reason") or reason
        if not fails:
            reason = "fails in some runs and not in others: " + ", ".join(
                " · ".join(sig) for sig in flaky)
        out += ["[[case]]", f"id = {json.dumps(c['id'])}", f"reason = {json.dumps(reason)}"]
        # as often as they fail: a case may fail one check several times
        for key, sigs in (("fails", sorted((a["rule"], a["kind"], a["subject"])
                                           for a in fails)), ("flaky", flaky)):
            if sigs:
                out.append(f"{key} = [")
                out += [f"  {{ rule = {json.dumps(r)}, kind = {json.dumps(k)}, "
                        f"subject = {json.dumps(sub)} }}," for r, k, sub in sigs]
                out.append("]")
        out.append("")
    return "\n".join(out)


def _failing_by_case(results: dict) -> dict[str, set]:
    """case id -> the (rule, kind, subject) of its failing assertions in one run."""
    return {c["id"]: {(a["rule"], a["kind"], a["subject"]) for a in c.get("assertions", [])
                      if a["state"] == "fail"} for c in results["cases"]}


def _one_shape(shapes: Counter, share: float = 0.9) -> bool:
    """Most failing assertions of a rule are one (kind, expected, actual), numbers
    folded: a systematic deviation, not several bugs under one rule."""
    from .deviations import shape
    folded: Counter = Counter()
    for (kind, e, x), n in shapes.items():
        folded[(kind, shape(e), shape(x))] += n
    return folded.most_common(1)[0][1] >= share * sum(folded.values())


def _clip(text: str, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[:n - 1] + "…"


def _short_reason(a: dict) -> str:
    text = a.get("text", "")
    if a.get("expected") or a.get("actual"):
        text += f": expected {_clip(a.get('expected', ''), 80)}, got {_clip(a.get('actual', ''), 80)}"
    return _clip(f"{a['rule']}: {text}", 300)


def _rule_reasons(cases: list[dict]) -> dict[str, str]:
    """A reason per rule: the most common (kind, expected, actual) of its failures."""
    seen: dict[str, Counter] = {}
    for c in cases:
        for a in c.get("assertions", []):
            if a["state"] == "fail" and "consequence_of" not in a:
                key = (a["kind"], a.get("expected", ""), a.get("actual", ""))
                seen.setdefault(a["rule"], Counter())[key] += 1
    out = {}
    for rule, counter in seen.items():
        (kind, e, x), n = counter.most_common(1)[0]
        out[rule] = (f"{kind}: expected {_clip(e, 60) or '-'}, got {_clip(x, 60) or '-'} "
                     f"({n} of its {sum(counter.values())} failing assertions)")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m harness.expectations",
                                description="Write an expectations file and the deviation "
                                            "list from a run's results.json.")
    p.add_argument("--from", dest="sources", required=True, action="append",
                   help="results.json of a run; give several runs to find flaky assertions")
    p.add_argument("--write", required=True, help="the expectations file to write")
    p.add_argument("--deviations", help="also write the deviation list (Markdown) here")
    p.add_argument("--rule-threshold", type=int, default=10,
                   help="a rule failing as a root cause in this many cases gets a [[rule]] entry")
    p.add_argument("--label", help="the implementation's name in the files' titles")
    args = p.parse_args(argv)
    runs = []
    for source in args.sources:
        try:
            runs.append(json.loads(Path(source).read_text(encoding="utf-8")))
            runs[-1]["cases"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"error: {source}: not a results.json: {exc}", file=sys.stderr)
            return 2
    results = runs[0]
    if args.rule_threshold < 1:
        print("error: --rule-threshold must be at least 1", file=sys.stderr)
        return 2
    keep = {}
    if Path(args.write).exists():                 # keep the reasons people wrote
        try:
            keep = tomllib.loads(Path(args.write).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            keep = {}
    Path(args.write).write_text(from_results(results, args.rule_threshold, args.label, keep,
                                             runs[1:]), encoding="utf-8")
    print(f"wrote {args.write}")
    if args.deviations:
        from .deviations import deviations_md
        Path(args.deviations).write_text(deviations_md(results, args.label), encoding="utf-8")
        print(f"wrote {args.deviations}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
