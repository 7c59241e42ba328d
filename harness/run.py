"""Run the conformance suite against an implementation.

    python3 -m harness.run --impl reference|<name> [--adapter "CMD"] [--cases GLOB]
                           [--rule ID] [--jobs N|auto] [--expectations FILE]
                           [--timeout S] [--server-token T] [--report-dir DIR] [--list]

The implementations are registered in harness/impls.toml (name -> adapter
command, expectations file, server token); --adapter, --expectations and
--server-token override the entry. The reference adapter
(build/hs-reference-adapter) is the oracle: every case also runs on it, and
the implementation is compared with what it did.

Exit status: 0 when every case passed, was skipped or failed as its
expectations entry says; 1 when any case is FAIL, CRASH, TIMEOUT, XPASS or
ERROR without such an entry; 2 for a usage error (bad options, malformed
cases, a bad expectations file, e.g. an entry for a case that does not exist).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path

from .adapter import parse_tcp, split_command
from .cases import CASES_DIR, ROOT, CaseLoadError, load_cases
from .expectations import ExpectationsError, load_expectations
from .runner import DEFAULT_ORACLE, IMPLS_FILE, load_impls, resolve_impl
from .spec import SpecError, load_rules


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python3 -m harness.run",
                                description=__doc__.split("\n\n")[0],
                                epilog="\n\n".join(__doc__.split("\n\n")[2:]),
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--impl", default="reference",
                   help="implementation name (harness/impls.toml); default reference")
    p.add_argument("--adapter", help="adapter command, overriding impls.toml "
                                     "(or tcp:HOST:PORT for an adapter that runs elsewhere)")
    p.add_argument("--oracle", default=None,
                   help=f"the reference adapter used as the oracle (default {DEFAULT_ORACLE})")
    p.add_argument("--cases", action="append", default=[], metavar="GLOB",
                   help="run only cases whose id (or area/id) matches; repeatable")
    p.add_argument("--rule", action="append", default=[], metavar="ID",
                   help="run only cases that check this spec rule (glob); repeatable")
    p.add_argument("--jobs", default="1", help="parallel workers: a number or auto")
    p.add_argument("--expectations", help="expectations file (default from impls.toml)")
    p.add_argument("--timeout", type=float, default=5.0, help="per-case timeout in s (5)")
    p.add_argument("--server-token", help="the implementation's Server product token; "
                                          "'*' accepts any token")
    p.add_argument("--report-dir", help="where to write the reports (build/reports/<impl>; "
                                        "the committed reports/<impl> are written by make publish)")
    p.add_argument("--close-wait", type=float, default=1.0,
                   help="how long to wait for a connection to close or a probe (1 s)")
    p.add_argument("--settle", type=float, default=0.02,
                   help="how long to wait for bytes the model says are still due (0.02 s)")
    p.add_argument("--cases-dir", default=str(CASES_DIR),
                   help="the directory of the cases (default cases/)")
    p.add_argument("--list", action="store_true", help="list the selected cases and exit")
    p.add_argument("--no-reports", action="store_true", help="write no report files")
    p.add_argument("-v", "--verbose", action="count", default=0)
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        rules = load_rules(ROOT / "spec")
        cases = load_cases(args.cases_dir, rules)
    except (SpecError, CaseLoadError) as exc:
        print(f"error: malformed cases or spec:\n{exc}", file=sys.stderr)
        return 2
    try:
        impls = load_impls(IMPLS_FILE)
        chosen = resolve_impl(args.impl, args.adapter, args.expectations, args.server_token,
                              args.oracle, impls)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    adapter, exp, token, oracle = (chosen[k] for k in ("adapter", "expectations",
                                                       "server_token", "oracle"))
    for option, command in (("--adapter", adapter), ("--oracle", args.oracle)):
        problem = _bad_adapter(command) if command else None
        if problem:
            print(f"error: {option}: {problem}", file=sys.stderr)
            return 2
    try:
        load_expectations(exp, {c.id: c.rules for c in cases}, rules)
    except ExpectationsError as exc:
        print(f"error: bad expectations file:\n{exc}", file=sys.stderr)
        return 2
    selected = [c for c in cases if c.matches(args.cases, args.rule)]
    if args.list:
        for c in selected:
            print(f"{c.nodeid:60} {c.level:6} {' '.join(c.rules)}")
        print(f"{len(selected)} of {len(cases)} cases", file=sys.stderr)
        return 0
    if not selected:
        print("error: no case matches the selection", file=sys.stderr)
        return 2
    for command in {adapter, oracle}:
        problem = ensure_oracle(command)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
    report_dir = args.report_dir or str(ROOT / "build" / "reports" / args.impl)
    jobs = args.jobs
    if jobs != "auto":
        if not jobs.isdigit() or int(jobs) < 1:
            print(f"error: --jobs takes a number of at least 1 or auto, not {jobs!r}",
                  file=sys.stderr)
            return 2
        if int(jobs) > len(selected):
            jobs = str(len(selected))
    pyargs = [str(Path(args.cases_dir).resolve()), "-p", "harness.plugin",
              "--rootdir", str(ROOT), "-c", os.devnull, "--noconftest",
              "-o", f"cache_dir={_cache_dir(args.impl, args.cases_dir)}",
              f"--hs-impl={args.impl}", f"--hs-adapter={adapter}", f"--hs-oracle={oracle}",
              f"--hs-timeout={args.timeout}", f"--hs-server-token={token}",
              f"--hs-model-token={chosen['model_token']}",
              f"--hs-report-dir={report_dir}", f"--hs-close-wait={args.close_wait}",
              f"--hs-settle={args.settle}", f"--hs-jobs={args.jobs}",
              f"--hs-cases-dir={Path(args.cases_dir).resolve()}"]
    if exp:
        pyargs.append(f"--hs-expectations={exp}")
    if args.no_reports:
        pyargs.append("--hs-no-reports")
    pyargs += [f"--hs-case={g}" for g in args.cases]
    pyargs += [f"--hs-rule={g}" for g in args.rule]
    if jobs == "auto" or int(jobs) > 1:
        pyargs += ["-n", jobs]
    else:
        pyargs += ["-p", "no:xdist"]
    pyargs += ["-q"] if not args.verbose else ["-" + "v" * args.verbose]
    pyargs += ["-rN", "--tb=short", "--assert=plain"]
    # pytest's per-test log, warning and output capture and the plugins the case items
    # never use cost about 0.5 ms a case; the items print nothing and warn of nothing
    pyargs += ["--capture=no", "-p", "no:logging", "-p", "no:warnings", "-p", "no:faulthandler",
               "-p", "no:hypothesispytest"]
    pyargs += args.pytest_args
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import pytest
    from . import plugin
    plugin._PRELOADED[str(Path(args.cases_dir).resolve())] = (rules, cases)
    code = pytest.main(pyargs)
    st = plugin._CURRENT.get("state")
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        return 2
    from .report import run_failed
    records = getattr(st, "records", None) or [] if st is not None else []
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        return 1                     # failed items (FAIL, CRASH, ... XPASS) or an interruption
    return 1 if run_failed(records) or getattr(st, "stale", None) else 0


def _cache_dir(impl: str, cases_dir: str) -> Path:
    """pytest's cache (--lf, --ff) of harness.run: one per implementation and cases directory."""
    where = Path(cases_dir).resolve()
    name = impl if where == CASES_DIR.resolve() else \
        f"{impl}-{hashlib.sha1(str(where).encode()).hexdigest()[:8]}"
    return ROOT / "build" / "pytest-cache" / name.replace(os.sep, "_")


def ensure_oracle(command: str) -> str | None:
    """Build the reference adapter (make oracle) when the command is it and it is missing;
    None when it is there, else what went wrong and the command to run."""
    if command.startswith("tcp:"):
        return None
    try:
        program = split_command(command)[0]
    except (ValueError, IndexError):
        return None
    path = Path(program) if Path(program).is_absolute() else ROOT / program
    if path.resolve() != (ROOT / DEFAULT_ORACLE).resolve() or path.exists():
        return None
    how = f"make -C {_shell_word(str(ROOT))} oracle"
    print(f"the oracle {DEFAULT_ORACLE} is missing: building it ({how})", file=sys.stderr)
    import shutil
    import subprocess
    if shutil.which("make") is None or shutil.which(os.environ.get("CC", "gcc")) is None:
        return (f"the oracle {DEFAULT_ORACLE} is missing and make or a C compiler is not "
                f"installed; run: make -C {_shell_word(str(ROOT))} deps-conform oracle "
                "(or: apt-get install build-essential)")
    r = subprocess.run(["make", "-C", str(ROOT), "--no-print-directory", "oracle"],
                       stdout=sys.stderr)
    if r.returncode != 0 or not path.exists():
        return f"building the oracle failed; run: {how}"
    return None


def _shell_word(text: str) -> str:
    import shlex
    return shlex.quote(text)


def _bad_adapter(command: str) -> str | None:
    """Why an adapter command cannot be used, or None."""
    if command.startswith("tcp:"):
        try:
            parse_tcp(command)
        except ValueError as exc:
            return str(exc)
        return None
    try:
        split_command(command)
    except ValueError as exc:
        return f"{command!r}: {exc}"
    return None


if __name__ == "__main__":
    sys.exit(main())
