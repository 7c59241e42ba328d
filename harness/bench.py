"""Measure the suite's speed against the reference adapter.

    python3 -m harness.bench [--repeat N] [--jobs N|auto] [--adapter CMD] [--cases GLOB]
                             [--e2e]

Starts one worker process per job, each with its own persistent adapter (as
harness.run's pytest-xdist workers do), lets every worker start its adapter,
then runs the whole suite N times split across the workers and prints the
throughput in cases per second: every case is run, judged against its
written expectation and given a verdict, exactly as in a real run. With
--e2e it also times one complete `python3 -m harness.run --jobs N`, process
start-up and reports included.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time

from .cases import ROOT, load_cases
from .runner import DEFAULT_ORACLE, RunConfig, Runner
from .spec import load_rules


def _worker(idx, jobs, cases, repeat, cfg, rules, barrier, queue):
    runner = Runner(cfg, rules, worker=f"bench{idx}")
    runner.impl.ensure()
    mine = [c for i, c in enumerate(cases) if i % jobs == idx]
    counts: dict[str, int] = {}
    barrier.wait()
    t0 = time.perf_counter()
    for _ in range(repeat):
        for case in mine:
            res = runner.run(case)
            counts[res.verdict] = counts.get(res.verdict, 0) + 1
    elapsed = time.perf_counter() - t0
    runner.close()
    queue.put((idx, counts, elapsed))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m harness.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=20, help="how many times to run the suite (20)")
    p.add_argument("--jobs", default="auto", help="worker processes (default: one per CPU)")
    p.add_argument("--adapter", default=DEFAULT_ORACLE, help="adapter command (the reference)")
    p.add_argument("--cases", action="append", default=[], metavar="GLOB")
    p.add_argument("--e2e", action="store_true", help="also time one full harness.run")
    args = p.parse_args(argv)
    jobs = (os.cpu_count() or 1) if args.jobs == "auto" else max(1, int(args.jobs))
    rules = load_rules(ROOT / "spec")
    cases = [c for c in load_cases(rules=rules) if c.matches(args.cases, None)]
    logs = tempfile.mkdtemp(prefix="hs-bench-")       # the adapters' stderr, thrown away
    cfg = RunConfig(impl="bench", adapter=args.adapter, oracle=args.adapter, report_dir=logs)
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(jobs + 1)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(i, jobs, cases, args.repeat, cfg, rules,
                                              barrier, queue)) for i in range(jobs)]
    for proc in procs:
        proc.start()
    barrier.wait()
    t0 = time.perf_counter()
    results = [queue.get() for _ in procs]
    wall = time.perf_counter() - t0
    for proc in procs:
        proc.join()
    counts: dict[str, int] = {}
    for _, c, _ in results:
        for k, v in c.items():
            counts[k] = counts.get(k, 0) + v
    total = sum(counts.values())
    print(f"suite: {len(cases)} cases x {args.repeat} runs = {total} case runs, "
          f"{jobs} worker{'s' if jobs != 1 else ''}, adapter {args.adapter}")
    print(f"verdicts: {', '.join(f'{n} {v}' for v, n in sorted(counts.items()))}")
    print(f"time: {wall:.3f} s  ->  {total / wall:.0f} cases/s "
          f"({wall / total * 1000 * jobs:.2f} ms per case per worker)")
    shutil.rmtree(logs, ignore_errors=True)
    status = 0 if set(counts) <= {"PASS", "SKIP", "XFAIL"} else 1
    if args.e2e:
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "harness.run", "--impl", "reference",
                            "--adapter", args.adapter, "--jobs", str(jobs), "--no-reports"],
                           cwd=ROOT, capture_output=True, text=True)
        e2e = time.perf_counter() - t0
        print(f"end to end: python3 -m harness.run --jobs {jobs}: {e2e:.2f} s for "
              f"{len(cases)} cases, start-up included ({len(cases) / e2e:.0f} cases/s), "
              f"exit status {r.returncode}")
        status = status or r.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
