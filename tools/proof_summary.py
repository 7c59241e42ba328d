"""Turn the Frama-C WP runs of a proof into reports/proof/summary.json and
summary.md, and gate on them.

tools/prove.sh proves each model file in its own run (a directory with the
run's wp.log, WP's wp-stats.json and the Report plugin's report.json). This
merges them into one wp.log, wp-stats.json and report.json in the output
directory. The proof passes only when every goal (smoke tests included) is
proved, the Report plugin left no property unknown, and no log has a warning
that makes the proof unsound. Exit status: 0 passed, 1 failed.
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


def smoke_refuted(node):
    """A smoke test that some prover refuted: it derived false from the
    hypotheses, so the contract or branch the test guards is vacuous.

    WP's wp:main keeps the best of the provers' results, and for a smoke test
    "not refuted" is the good one: a test that CVC4 refutes and Z3 does not
    is counted valid there. Per prover, a refutation (or a search that ended
    in an error) is a result other than valid."""
    return any(entry.get("valid", 0) < entry.get("total", 0)
               for prover, entry in node.items() if not prover.startswith("wp:"))


def listed_counts(gname, goal):
    """(proved, total) of one listed goal; a smoke test any prover refuted is
    not proved, whatever wp:main says."""
    valid, total = goal_counts(goal)
    if goal_kind(gname) == "smoke" and smoke_refuted(goal):
        valid = 0
    return valid, total


def goal_kind(name):
    """What a goal shows: "smoke" (a smoke test: the contract is not vacuous),
    "rte" (freedom from a runtime error) or "functional" (a contract clause,
    a callee's precondition, a loop invariant or an assertion)."""
    if "_wp_smoke_" in name:
        return "smoke"
    if "_rte_" in name:
        return "rte"
    return "functional"


def summarise(stats):
    """Totals, per-function counts, per-lemma counts and counts per kind of goal.

    WP's statistics give, under each function and each axiomatic block, one
    entry per goal plus a "wp:section" entry with their subtotal: the
    subtotal is skipped, or every count would be doubled. Lemmas are listed
    under "wp:axiomatics" (the global block has the empty name). The total
    proved is WP's own, less the smoke tests it counts valid although a
    prover refuted them (smoke_refuted)."""
    total_valid, total = goal_counts(stats.get("wp:global", {}))
    kinds = {k: {"proved": 0, "total": 0} for k in ("functional", "rte", "smoke")}
    functions = {}
    for fname, goals in sorted(stats.get("wp:functions", {}).items()):
        valid = count = 0
        for gname, goal in goals.items():
            if gname == "wp:section":
                continue
            v, t = listed_counts(gname, goal)
            # WP's own total counted this refuted smoke test as valid.
            total_valid -= goal_counts(goal)[0] - v
            valid += v
            count += t
            kinds[goal_kind(gname)]["proved"] += v
            kinds[goal_kind(gname)]["total"] += t
        functions[fname] = {"proved": valid, "total": count}
    lemmas = {}
    for _block, goals in sorted(stats.get("wp:axiomatics", {}).items()):
        for gname, goal in sorted(goals.items()):
            if gname == "wp:section":
                continue
            v, t = goal_counts(goal)
            lemmas[re.sub(r"^lemma_", "", gname)] = {"proved": v, "total": t}
            kinds["functional"]["proved"] += v
            kinds["functional"]["total"] += t
    return {"proved": total_valid, "total": total}, functions, lemmas, kinds


def merge_stats(runs):
    """One wp-stats.json from the statistics of several runs.

    A function is proven in the run of the file that defines it. A lemma of
    a header that several files include is proven in each of their runs: it
    is listed once, with the verdict of the run that did worst. The global
    counts are WP's own totals of the runs less the lemma goals listed twice,
    so that they stay a count independent of the goals listed (main checks
    the two agree)."""
    functions, axiomatics = {}, {}
    valid = total = 0
    for stats in runs:
        v, t = goal_counts(stats.get("wp:global", {}))
        valid += v
        total += t
        for fname, goals in stats.get("wp:functions", {}).items():
            if fname in functions:
                raise ValueError("function %s was proven in two runs" % fname)
            functions[fname] = goals
        for block, goals in stats.get("wp:axiomatics", {}).items():
            merged = axiomatics.setdefault(block, {})
            for gname, goal in goals.items():
                if gname == "wp:section":
                    continue
                old = merged.get(gname)
                if old is not None:
                    # counted once: take back the better of the two
                    better = max(old, goal, key=lambda g: goal_counts(g)[0])
                    bv, bt = goal_counts(better)
                    valid -= bv
                    total -= bt
                if old is None or goal_counts(goal)[0] < goal_counts(old)[0]:
                    merged[gname] = goal
    return {"wp:global": {"wp:main": {"valid": valid, "total": total}},
            "wp:axiomatics": axiomatics, "wp:functions": functions}


def needs_prover(stats):
    """Goals of an offline replay that no cached verdict decided.

    Offline, WP runs no prover: a goal missing from the cache is left
    unknown, which fails an ordinary goal but would let a smoke test pass.
    A goal that Qed did not settle must therefore carry a prover's verdict."""
    missing = []
    for _fname, goals in sorted(stats.get("wp:functions", {}).items()):
        for gname, goal in sorted(goals.items()):
            if gname == "wp:section":
                continue
            main = goal.get("wp:main", {})
            provers = [k for k in goal if k not in ("wp:main", "qed")]
            settled_by_qed = goal.get("qed", {}).get("valid", 0) == main.get("total", 0)
            if not provers and not settled_by_qed:
                missing.append(gname)
    return missing


VALID_RE = re.compile(r"^\[wp\] \[[^]]+\] Goal (\S+) : Valid .*?\((\d+)\)(?: \(cached\))?\s*$", re.M)


def past_step_limit(log, steps):
    """Goals a prover proved with more steps than the limit.

    Z3 can finish a little past its limit. A replay takes such a cached
    verdict as valid, but a run that may call the provers reads it as a
    step-out and fails the goal: the proof would then depend on the mode."""
    return [name for name, used in VALID_RE.findall(log) if int(used) > steps]


def version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
    except OSError:
        return "unknown"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--run", action="append", default=[], required=True,
                    help="a run's directory (wp.log, wp-stats.json, report.json); repeatable")
    ap.add_argument("--no-report", action="store_true", help="a partial run: no Report plugin output")
    ap.add_argument("--offline", action="store_true",
                    help="a replay of the cache: every goal must have a cached verdict")
    ap.add_argument("--cache-changed", action="store_true",
                    help="the replay changed the cache directory")
    ap.add_argument("--seconds", type=int, default=0)
    ap.add_argument("--frama-c-status", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=0, help="the provers' step limit (0: not checked)")
    args = ap.parse_args(argv)

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    runs = [pathlib.Path(r) for r in args.run]
    problems = []
    logs, run_stats, entries = [], [], []
    for run in runs:
        log_path = run / "wp.log"
        logs.append(log_path.read_text(errors="replace") if log_path.exists() else "")
        stats_path = run / "wp-stats.json"
        if stats_path.exists():
            run_stats.append(json.loads(stats_path.read_text()))
        else:
            problems.append("WP wrote no statistics for %s (did Frama-C stop on an error? see its wp.log)"
                            % run.name)
        report_path = run / "report.json"
        if args.no_report:
            pass
        elif report_path.exists():
            entries += json.loads(report_path.read_text() or "[]")
        elif stats_path.exists():
            problems.append("the Report plugin wrote no report for %s" % run.name)
    log = "".join(logs)
    (out / "wp.log").write_text(log)
    stats = None
    try:
        stats = merge_stats(run_stats) if run_stats else None
    except ValueError as err:
        problems.append(str(err))
    if stats is not None:
        (out / "wp-stats.json").write_text(json.dumps(stats, indent=1, sort_keys=True) + "\n")
        goals, functions, lemmas, kinds = summarise(stats)
    else:
        goals, functions, lemmas, kinds = {"proved": 0, "total": 0}, {}, {}, {}
    if not args.no_report:
        (out / "report.json").write_text(json.dumps(entries, indent=1) + "\n")

    unknown = []
    for entry in entries:
        if entry.get("classid", "").endswith("unknown") or entry.get("action") == "ERROR":
            unknown.append({k: entry.get(k) for k in ("title", "file", "line", "descr")})

    warnings = sorted({m for m in UNSOUND if m in log})
    # Each failed goal once, though WP logs it once per prover that failed it.
    failed_goals = list(dict.fromkeys(re.findall(r"\[Failed\] (?:Goal|Smoke-test) (\S+)", log)))

    if args.offline and stats is not None:
        uncached = needs_prover(stats)
        if uncached:
            problems.append("%d goals have no cached verdict and need a prover (first: %s)"
                            % (len(uncached), uncached[0]))
    over = past_step_limit(log, args.steps) if args.steps else []
    if over:
        problems.append("%d goals were proved past the step limit of %d (first: %s)"
                        % (len(over), args.steps, over[0]))
    if args.cache_changed:
        problems.append("the replay changed the proof cache")
    if goals["total"] == 0:
        problems.append("no goal was generated")
    counted = sum(c["total"] for c in functions.values()) + sum(c["total"] for c in lemmas.values())
    if stats is not None and counted != goals["total"]:
        problems.append("the functions and lemmas have %d goals, WP counts %d" % (counted, goals["total"]))
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
        "kinds": kinds,
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
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")

    lines = ["# Proof of the reference model", "",
             "Frama-C WP with `-wp-rte`, unsigned overflow and downcast checks, smoke tests; provers CVC4 and Z3.", "",
             "**Result: %s**, %d / %d goals proved in %d s." % (
                 "passed" if not problems else "FAILED", goals["proved"], goals["total"], args.seconds), ""]
    for p in problems:
        lines.append("- problem: " + p)
    if problems:
        lines.append("")
    if kinds:
        lines += ["| kind of goal | proved | total |", "| --- | --- | --- |"]
        for kind, what in (("functional", "contracts, callee preconditions, loop invariants, assertions, lemmas"),
                           ("rte", "no runtime error"),
                           ("smoke", "smoke tests: no contract or branch is vacuous")):
            lines.append("| %s (%s) | %d | %d |" % (kind, what, kinds[kind]["proved"], kinds[kind]["total"]))
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
