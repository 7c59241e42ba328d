#!/usr/bin/python3
"""Coverage of the conformance suite: spec rules and the reference model's code.

    /usr/bin/python3 tools/coverage.py [--no-run] [--out reports/coverage]

1. Rule coverage: every rule of spec/ (harness.spec.load_rules) and the cases
   whose `rules` name it; a rule no case names must be listed in
   harness/uncovered.toml with its reason.
2. Code coverage: builds an instrumented reference adapter (gcc --coverage
   -O0, the sources and flags of the Makefile's build/hs-reference-adapter
   rule) into build/coverage/, runs the whole suite against it (the oracle
   stays build/hs-reference-adapter), then runs gcov (-b -c --json-format) on
   the model sources model/src/*.c: line and branch coverage per file and per
   function.
3. Every model branch not taken, with file:line and the source line, and the
   reason from tools/coverage-exceptions.toml; one without a reason is
   "unexplained".
4. Writes reports/coverage/summary.json and summary.md.

Exit status: 0 when every rule has a case or an uncovered entry and every
branch not taken is explained (and the build and the suite run worked);
1 otherwise; 2 for a usage error (a malformed exceptions file).

tools/coverage-exceptions.toml:

    [lines]                       # "file:line" -> reason (every branch of that line)
    "hs_plan.c:123" = "why"

    [[pattern]]                   # a stable piece of the source text
    text = "if (total > HS_MAX"   # substring of the source line (blanks collapsed)
    file = "hs_render.c"          # optional: only in this file
    branches = [1, 3]             # optional: only these gcov branch numbers of the line
    reason = "why"

A "file:line" key wins over a pattern. Patterns survive edits that move lines,
so prefer them; keep the text specific enough to match only the lines meant.
"""

from __future__ import annotations

import argparse
import glob
import gzip
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNCOVERED = "harness/uncovered.toml"
EXCEPTIONS = "tools/coverage-exceptions.toml"
COV_DIR = "build/coverage"
ADAPTER = f"{COV_DIR}/hs-reference-adapter"
MODEL_GLOB = "model/src/*.c"
ADAPTER_GLOBS = ("harness/adapters/reference/*.c", "harness/adapters/common/*.c")
# The Makefile's CFLAGS_STRICT and the adapter rule's extra flags, -O2 -> -O0.
CFLAGS = ["-std=c99", "-O0", "-g", "-Wall", "-Wextra", "-Werror", "-Imodel/include",
          "-D_POSIX_C_SOURCE=200809L", "-Iharness/adapters/reference", "-Iharness/adapters/common",
          "--coverage"]
PYTHON = "/usr/bin/python3"


class UsageError(Exception):
    pass


# ---------------------------------------------------------------- rule coverage

def load_case_rules(cases_dir: Path) -> dict[str, list[str]]:
    """case id -> its `rules`, for every cases/<area>/<id>.toml."""
    out = {}
    for path in sorted(Path(cases_dir).glob("*/*.toml")):
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        out[data.get("id", path.stem)] = list(data.get("rules", []))
    return out


def rule_coverage(rule_ids, case_rules: dict[str, list[str]], uncovered: dict) -> dict:
    """Which cases name each rule; the uncovered rules with their reasons; problems.

    A problem is a rule with neither a case nor an entry in uncovered (what
    makes the script fail), or an uncovered entry for a rule a case names or
    that is no rule of the spec.
    """
    rule_ids = list(rule_ids)
    by_rule = {rid: [] for rid in rule_ids}
    for cid, rules in case_rules.items():
        for rid in rules:
            if rid in by_rule:
                by_rule[rid].append(cid)
    covered = [rid for rid in rule_ids if by_rule[rid]]
    uncovered_list, problems = [], []
    for rid in rule_ids:
        if by_rule[rid]:
            continue
        entry = uncovered.get(rid)
        reason = entry.get("reason", "").strip() if isinstance(entry, dict) else ""
        if reason:
            uncovered_list.append({"rule": rid, "reason": " ".join(reason.split())})
        else:
            uncovered_list.append({"rule": rid, "reason": None})
            problems.append(f"{rid}: no case names it and {UNCOVERED} gives no reason")
    for rid in uncovered:
        if rid not in by_rule:
            problems.append(f"{rid}: listed in {UNCOVERED} but not a rule of the spec")
        elif by_rule[rid]:
            problems.append(f"{rid}: listed in {UNCOVERED} but named by "
                            f"{', '.join(sorted(by_rule[rid]))}")
    return {"covered": len(covered), "total": len(rule_ids),
            "cases": {rid: sorted(c) for rid, c in by_rule.items()},
            "uncovered": uncovered_list, "problems": problems}


# ---------------------------------------------------------------- exceptions

def load_exceptions(path: Path) -> dict:
    """Read and check tools/coverage-exceptions.toml; raise UsageError if malformed."""
    if not Path(path).exists():
        return {"lines": {}, "pattern": []}
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    return check_exceptions(data, str(path))


def check_exceptions(data: dict, name: str = EXCEPTIONS) -> dict:
    errors = []
    for key in data:
        if key not in ("lines", "pattern"):
            errors.append(f"{name}: unknown key {key!r} (expected [lines] and [[pattern]])")
    lines = data.get("lines", {})
    if not isinstance(lines, dict):
        errors.append(f"{name}: lines must be a table")
        lines = {}
    for key, reason in lines.items():
        f, _, ln = key.rpartition(":")
        if not f or not ln.isdigit():
            errors.append(f"{name}: lines.{key!r}: expected \"file.c:LINE\"")
        if not isinstance(reason, str) or not reason.strip():
            errors.append(f"{name}: lines.{key!r}: the reason must be a non-empty string")
    patterns = data.get("pattern", [])
    if not isinstance(patterns, list):
        errors.append(f"{name}: pattern must be an array of tables")
        patterns = []
    for i, p in enumerate(patterns, 1):
        if not isinstance(p, dict) or not set(p) <= {"text", "file", "branches", "reason"}:
            errors.append(f"{name}: pattern[{i}]: expected the fields text, reason, "
                          "file and branches")
            continue
        if "branches" in p and not (isinstance(p["branches"], list) and p["branches"]
                                    and all(isinstance(b, int) and b >= 0 for b in p["branches"])):
            errors.append(f"{name}: pattern[{i}].branches must be a list of branch numbers")
            continue
        if not isinstance(p.get("text"), str) or not p["text"].strip():
            errors.append(f"{name}: pattern[{i}].text must be a non-empty string")
        if not isinstance(p.get("reason"), str) or not p["reason"].strip():
            errors.append(f"{name}: pattern[{i}].reason must be a non-empty string")
        if "file" in p and not isinstance(p["file"], str):
            errors.append(f"{name}: pattern[{i}].file must be a string")
    if errors:
        raise UsageError("\n".join(errors))
    return {"lines": dict(lines), "pattern": list(patterns)}


def _pattern_matches(p: dict, base: str, source: str, branch: int | None) -> bool:
    if p.get("file") and os.path.basename(p["file"]) != base:
        return False
    if "branches" in p and branch is not None and branch not in p["branches"]:
        return False
    return " ".join(p["text"].split()) in " ".join(source.split())


def explain(file: str, line: int, source: str, exceptions: dict,
            branch: int | None = None) -> str | None:
    """The reason a branch not taken at file:line (source text `source`, gcov
    branch number `branch`) is accepted, or None. Only the base name of
    `file` counts (model/src/hs_plan.c and hs_plan.c are the same)."""
    base = os.path.basename(file)
    reason = exceptions.get("lines", {}).get(f"{base}:{line}")
    if reason:
        return " ".join(reason.split())
    for p in exceptions.get("pattern", []):
        if _pattern_matches(p, base, source, branch):
            return " ".join(p["reason"].split())
    return None


def classify(not_taken: list[dict], exceptions: dict) -> list[dict]:
    """Fill in `reason` ("unexplained" when none) and `explained` for each branch."""
    out = []
    for b in not_taken:
        reason = explain(b["file"], b["line"], b["source"], exceptions, b.get("branch"))
        out.append({**b, "reason": reason or "unexplained", "explained": reason is not None})
    return out


def unused_exceptions(not_taken: list[dict], exceptions: dict) -> list[str]:
    """Exception entries that explain no branch not taken (stale after a code edit)."""
    used_lines, used_pat = set(), set()
    for b in not_taken:
        base = os.path.basename(b["file"])
        key = f"{base}:{b['line']}"
        if key in exceptions.get("lines", {}):
            used_lines.add(key)
            continue
        for i, p in enumerate(exceptions.get("pattern", [])):
            if _pattern_matches(p, base, b["source"], b.get("branch")):
                used_pat.add(i)
                break
    stale = [f"lines.{k}" for k in exceptions.get("lines", {}) if k not in used_lines]
    stale += [f"pattern {p['text']!r}" for i, p in enumerate(exceptions.get("pattern", []))
              if i not in used_pat]
    return stale


# ---------------------------------------------------------------- build, run, gcov

def run(cmd, **kw):
    print("+ " + " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, cwd=kw.pop("cwd", ROOT), **kw)


def build_adapter() -> bool:
    obj = ROOT / COV_DIR / "obj"
    if obj.exists():
        shutil.rmtree(obj)
    obj.mkdir(parents=True)
    sources = [p for g in ADAPTER_GLOBS for p in sorted(glob.glob(g, root_dir=ROOT))]
    sources += sorted(glob.glob(MODEL_GLOB, root_dir=ROOT))
    objects = []
    for src in sources:
        o = obj / (Path(src).stem + ".o")
        if run(["gcc", *CFLAGS, "-c", src, "-o", str(o)]).returncode != 0:
            return False
        objects.append(str(o))
    return run(["gcc", "--coverage", "-o", str(ROOT / ADAPTER), *objects]).returncode == 0


def run_suite(report_dir: Path) -> int:
    for f in (ROOT / COV_DIR / "obj").glob("*.gcda"):
        f.unlink()
    return run([PYTHON, "-m", "harness.run", "--impl", "coverage", "--adapter", ADAPTER,
                "--oracle", "build/hs-reference-adapter",
                "--report-dir", str(report_dir), "--jobs", "1"]).returncode


def gcov_json() -> list[dict]:
    """gcov's JSON records of the model sources (one per source file)."""
    out_dir = ROOT / COV_DIR / "gcov"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    obj = ROOT / COV_DIR / "obj"
    files = []
    for src in sorted(glob.glob(MODEL_GLOB, root_dir=ROOT)):
        gcda = obj / (Path(src).stem + ".gcda")
        if not gcda.exists():
            raise RuntimeError(f"{gcda.relative_to(ROOT)} missing: the suite never ran the model "
                               "(or the adapter was killed before it could write its counts)")
        r = run(["gcov", "-b", "-c", "--json-format", "-o", str(obj), str(ROOT / src)],
                cwd=out_dir, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"gcov failed on {src}:\n{r.stderr}")
        for gz in out_dir.glob("*.gcov.json.gz"):
            with gzip.open(gz, "rt") as fh:
                data = json.load(fh)
            gz.unlink()
            for rec in data["files"]:
                if os.path.basename(rec["file"]) == os.path.basename(src):
                    rec["file"] = src
                    files.append(rec)
    return files


def summarise_model(files: list[dict]) -> tuple[dict, list[dict]]:
    """Line and branch figures per file and function; the branches not taken."""
    per_file, not_taken = {}, []
    tot = {"lines": [0, 0], "branches": [0, 0]}
    for rec in files:
        src_lines = (ROOT / rec["file"]).read_text(encoding="utf-8").splitlines()
        funcs: dict[str, dict] = {}
        for fn in rec.get("functions", []):
            funcs[fn["name"]] = {"start_line": fn["start_line"], "calls": fn["execution_count"],
                                 "lines": [0, 0], "branches": [0, 0]}
        fl = [0, 0]
        fb = [0, 0]
        for ln in rec.get("lines", []):
            f = funcs.get(ln.get("function_name"))
            fl[1] += 1
            fl[0] += ln["count"] > 0
            if f:
                f["lines"][1] += 1
                f["lines"][0] += ln["count"] > 0
            for i, br in enumerate(ln.get("branches", [])):
                fb[1] += 1
                fb[0] += br["count"] > 0
                if f:
                    f["branches"][1] += 1
                    f["branches"][0] += br["count"] > 0
                if br["count"] == 0:
                    n = ln["line_number"]
                    not_taken.append({
                        "file": rec["file"], "line": n, "branch": i,
                        "function": ln.get("function_name"),
                        "line_executed": ln["count"] > 0,
                        "source": src_lines[n - 1].strip() if n <= len(src_lines) else ""})
        per_file[rec["file"]] = {
            "lines": {"covered": fl[0], "total": fl[1]},
            "branches": {"taken": fb[0], "total": fb[1]},
            "functions": {name: {"start_line": f["start_line"], "calls": f["calls"],
                                 "lines": {"covered": f["lines"][0], "total": f["lines"][1]},
                                 "branches": {"taken": f["branches"][0],
                                              "total": f["branches"][1]}}
                          for name, f in sorted(funcs.items(), key=lambda kv: kv[1]["start_line"])},
        }
        tot["lines"][0] += fl[0]
        tot["lines"][1] += fl[1]
        tot["branches"][0] += fb[0]
        tot["branches"][1] += fb[1]
    model = {"lines": {"covered": tot["lines"][0], "total": tot["lines"][1]},
             "branches": {"taken": tot["branches"][0], "total": tot["branches"][1]},
             "per_file": per_file}
    return model, not_taken


# ---------------------------------------------------------------- reports

def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:.1f}%" if b else "n/a"


def write_markdown(summary: dict, path: Path) -> None:
    r, m = summary["rules"], summary["model"]
    out = [f"# Coverage of the conformance suite {summary['suite_version']}", ""]
    out += ["## Spec rules", "",
            f"{r['covered']} of {r['total']} rules are named by a case ({pct(r['covered'], r['total'])}).", ""]
    if r["uncovered"]:
        out += ["| rule without a case | reason (harness/uncovered.toml) |", "| --- | --- |"]
        out += [f"| {u['rule']} | {u['reason'] or '**no reason: add a case or an entry**'} |"
                for u in r["uncovered"]]
        out.append("")
    for p in r.get("problems", []):
        out.append(f"* problem: {p}")
    if m is None:
        out += ["## Model code", "", "not measured (--rules-only)", ""]
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
        return
    out += ["## Model code (model/src/*.c, reached through the reference adapter)", "",
            ("counts of the last run, reused (--no-run)" if summary["suite_run"]["exit"] is None
             else f"suite run against the instrumented adapter: exit {summary['suite_run']['exit']}, "
                  + ", ".join(f"{n} {v}" for v, n in (summary["suite_run"]["totals"] or {}).items() if n)), "",
            f"* lines: {m['lines']['covered']} of {m['lines']['total']} "
            f"({pct(m['lines']['covered'], m['lines']['total'])})",
            f"* branches taken: {m['branches']['taken']} of {m['branches']['total']} "
            f"({pct(m['branches']['taken'], m['branches']['total'])})", "",
            "| file / function | lines | branches taken |", "| --- | --- | --- |"]
    for fname, f in m["per_file"].items():
        out.append(f"| **{fname}** | {f['lines']['covered']}/{f['lines']['total']} | "
                   f"{f['branches']['taken']}/{f['branches']['total']} |")
        for name, fn in f["functions"].items():
            out.append(f"| &nbsp;&nbsp;{name} (line {fn['start_line']}, {fn['calls']} calls) | "
                       f"{fn['lines']['covered']}/{fn['lines']['total']} | "
                       f"{fn['branches']['taken']}/{fn['branches']['total']} |")
    out += ["", "## Branches not taken", ""]
    if not m["not_taken"]:
        out.append("none")
    else:
        out += ["| where | branch | source | reason |", "| --- | --- | --- | --- |"]
        for b in m["not_taken"]:
            src = b["source"].replace("|", "\\|")
            reason = b["reason"] if b["explained"] else "**unexplained**"
            out.append(f"| {os.path.basename(b['file'])}:{b['line']} | {b['branch']} | `{src}` | {reason} |")
    if summary.get("stale_exceptions"):
        out += ["", "Exceptions that explain no branch not taken (stale?):", ""]
        out += [f"* {s}" for s in summary["stale_exceptions"]]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="tools/coverage.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="reports/coverage", help="report directory (reports/coverage)")
    p.add_argument("--no-run", action="store_true",
                   help="reuse the counts of the last run (no build, no suite run)")
    p.add_argument("--rules-only", action="store_true", help="rule coverage only")
    args = p.parse_args(argv)
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from harness.spec import load_rules
    from harness.version import __version__

    rules = load_rules(ROOT / "spec")
    with open(ROOT / UNCOVERED, "rb") as fh:
        uncovered = tomllib.load(fh)
    rc_rules = rule_coverage(rules, load_case_rules(ROOT / "cases"), uncovered)
    try:
        exceptions = load_exceptions(ROOT / EXCEPTIONS)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    failed = bool(rc_rules["problems"])
    summary = {"rules": {k: rc_rules[k] for k in ("covered", "total", "uncovered", "problems", "cases")},
               "model": None, "suite_version": __version__}
    if not args.rules_only:
        report_dir = ROOT / COV_DIR / "report"
        if args.no_run:
            suite_rc = None
        else:
            if not build_adapter():
                print("error: building the instrumented adapter failed", file=sys.stderr)
                return 1
            suite_rc = run_suite(report_dir)
        results = report_dir / "results.json"
        totals = json.loads(results.read_text())["totals"] if results.exists() else None
        summary["suite_run"] = {"exit": suite_rc, "totals": totals,
                                "report": str(report_dir.relative_to(ROOT))}
        if suite_rc not in (0, None):
            print(f"error: the suite run against the instrumented adapter exited {suite_rc}",
                  file=sys.stderr)
            failed = True
        try:
            model, not_taken = summarise_model(gcov_json())
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        model["not_taken"] = classify(not_taken, exceptions)
        summary["model"] = model
        summary["stale_exceptions"] = unused_exceptions(not_taken, exceptions)
        unexplained = [b for b in model["not_taken"] if not b["explained"]]
        if unexplained:
            failed = True

    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    write_markdown(summary, out / "summary.md")

    r = summary["rules"]
    print(f"rules: {r['covered']}/{r['total']} named by a case, "
          f"{len(r['uncovered'])} uncovered with a reason" if not rc_rules["problems"] else
          f"rules: {r['covered']}/{r['total']}; problems:\n  " + "\n  ".join(rc_rules["problems"]))
    if summary["model"]:
        m = summary["model"]
        print(f"model: lines {m['lines']['covered']}/{m['lines']['total']}, "
              f"branches {m['branches']['taken']}/{m['branches']['total']}, "
              f"{len(m['not_taken'])} not taken, "
              f"{sum(not b['explained'] for b in m['not_taken'])} unexplained")
        for b in m["not_taken"]:
            if not b["explained"]:
                print(f"  unexplained: {b['file']}:{b['line']} [{b['branch']}] {b['source']}")
        for s in summary.get("stale_exceptions", []):
            print(f"  stale exception: {s}")
    print(f"wrote {out.relative_to(ROOT)}/summary.json and summary.md")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
