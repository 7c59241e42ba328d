"""Turn a Frama-C WP run into reports/proof/summary.json and summary.md, and gate on it.

The run passes only when every goal (smoke tests included) is proved, the
Report plugin left no property unknown, and the log has no warning that makes
the proof unsound. Exit status: 0 passed, 1 failed.
"""
import argparse
import json
import pathlib
import re
import subprocess
import sys

# Messages after which a "proved" result cannot be trusted.
UNSOUND = [
    "Missing RTE guards",
    "might be unsound",
    "Memory model hypotheses",
    "Cast with incompatible pointers types",
    "Failed smoke-test",
    "Neither code nor specification",
]


def goal_counts(node):
    """The wp:main counts of one goal entry (a dict of prover -> counts)."""
    main = node.get("wp:main", {})
    return main.get("valid", 0), main.get("total", 0)


def summarise(stats):
    total_valid, total = goal_counts(stats.get("wp:global", {}))
    functions = {}
    for fname, goals in sorted(stats.get("wp:functions", {}).items()):
        valid = count = 0
        for goal in goals.values():
            v, t = goal_counts(goal)
            valid += v
            count += t
        functions[fname] = {"proved": valid, "total": count}
    lemmas = {}
    for name, goal in sorted(stats.get("wp:lemmas", {}).items()):
        v, t = goal_counts(goal)
        lemmas[name] = {"proved": v, "total": t}
    return {"proved": total_valid, "total": total}, functions, lemmas


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "unknown"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--report", help="the Report plugin's JSON output")
    ap.add_argument("--no-report", action="store_true", help="a partial run: no Report plugin output")
    ap.add_argument("--log", required=True)
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--frama-c-status", type=int, default=0)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)

    out = pathlib.Path(args.out)
    log = pathlib.Path(args.log).read_text(errors="replace")
    problems = []

    stats_path = pathlib.Path(args.stats)
    if stats_path.exists():
        goals, functions, lemmas = summarise(json.loads(stats_path.read_text()))
    else:
        goals, functions, lemmas = {"proved": 0, "total": 0}, {}, {}
        problems.append("WP wrote no statistics (did Frama-C stop on an error? see %s)" % args.log)

    unknown = []
    report_path = pathlib.Path(args.report or "")
    if args.no_report:
        pass
    elif args.report and report_path.exists():
        for entry in json.loads(report_path.read_text() or "[]"):
            if entry.get("classid", "").endswith("unknown") or entry.get("action") == "ERROR":
                unknown.append({k: entry.get(k) for k in ("title", "file", "line", "descr")})
    elif not problems:
        problems.append("the Report plugin wrote no report")

    warnings = sorted({m for m in UNSOUND if m in log})
    failed_goals = re.findall(r"\[Failed\] (?:Goal|Smoke-test) (\S+)", log)

    if goals["total"] == 0:
        problems.append("no goal was generated")
    if goals["proved"] != goals["total"]:
        problems.append("%d of %d goals unproved" % (goals["total"] - goals["proved"], goals["total"]))
    if unknown:
        problems.append("%d properties left unknown by the Report plugin" % len(unknown))
    if warnings:
        problems.append("unsoundness warnings: " + ", ".join(warnings))
    if args.frama_c_status != 0:
        problems.append("frama-c exited with status %d" % args.frama_c_status)

    summary = {
        "goals": goals,
        "functions": functions,
        "lemmas": lemmas,
        "seconds": args.seconds,
        "failed_goals": failed_goals,
        "unknown_properties": unknown,
        "unsoundness_warnings": warnings,
        "passed": not problems,
        "problems": problems,
        "tools": {
            "frama-c": version(["frama-c", "-version"]),
            "why3": version(["why3", "--version"]),
            "provers": "cvc4,z3",
        },
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")

    lines = ["# Proof of the reference model", "",
             "Frama-C WP with `-wp-rte`, unsigned overflow and downcast checks, smoke tests; provers CVC4 and Z3.", "",
             "**Result: %s**, %d / %d goals proved in %d s." % (
                 "passed" if not problems else "FAILED", goals["proved"], goals["total"], args.seconds), ""]
    for p in problems:
        lines.append("- problem: " + p)
    if problems:
        lines.append("")
    lines += ["| function | proved | total |", "| --- | --- | --- |"]
    for name, c in functions.items():
        lines.append("| %s | %d | %d |" % (name, c["proved"], c["total"]))
    for name, c in lemmas.items():
        lines.append("| lemma %s | %d | %d |" % (name, c["proved"], c["total"]))
    if failed_goals:
        lines += ["", "Unproved goals:", ""] + ["- `%s`" % g for g in failed_goals]
    (out / "summary.md").write_text("\n".join(lines) + "\n")

    print("proof: %d / %d goals proved in %d s: %s" % (
        goals["proved"], goals["total"], args.seconds, "passed" if not problems else "FAILED"))
    for p in problems:
        print("proof: " + p, file=sys.stderr)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
