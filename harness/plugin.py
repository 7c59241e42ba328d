"""The pytest plugin behind `python3 -m harness.run`.

Each case file cases/<area>/<id>.toml becomes one test item. Every process
that runs items (the main one, or each pytest-xdist worker) keeps one Runner:
its own adapter process, reused across cases with RESET, and its own oracle.
Each item attaches its result record to the report (user_properties), so the
controlling process sees every result, also from xdist workers, and writes
the reports at the end.

Options (all given by harness.run): --hs-impl, --hs-adapter, --hs-oracle,
--hs-case (repeatable glob), --hs-rule (repeatable glob), --hs-expectations,
--hs-timeout, --hs-server-token, --hs-model-token, --hs-report-dir,
--hs-close-wait, --hs-settle, --hs-cases-dir, --hs-jobs, --hs-no-reports.
"""

from __future__ import annotations

import datetime
import json
import tempfile
import time
from pathlib import Path

import pytest

from .cases import CASES_DIR, ROOT, SPEC_DIR, Case, CaseLoadError, load_cases
from .expectations import ExpectationsError, load_expectations, stale_rules
from .judge import BAD
from .report import totals, write_reports
from .runner import DEFAULT_ORACLE, DEFAULT_TOKEN, RunConfig, Runner
from .spec import load_rules

RESULT_KEY = "hs_result"
HELLO_KEY = "hs_hello"



def _shown(path) -> str:
    """A path as reports show it: relative to the repository when inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)

def pytest_addoption(parser):
    g = parser.getgroup("hs", "HttpSendHttpResponse conformance")
    g.addoption("--hs-impl", default=None)
    g.addoption("--hs-adapter", default=None)
    g.addoption("--hs-oracle", default=DEFAULT_ORACLE)
    g.addoption("--hs-case", action="append", default=[])
    g.addoption("--hs-rule", action="append", default=[])
    g.addoption("--hs-expectations", default=None)
    g.addoption("--hs-timeout", type=float, default=5.0)
    g.addoption("--hs-server-token", default=DEFAULT_TOKEN)
    g.addoption("--hs-model-token", default=DEFAULT_TOKEN)
    g.addoption("--hs-report-dir", default=None)
    g.addoption("--hs-close-wait", type=float, default=1.0)
    g.addoption("--hs-settle", type=float, default=0.02)
    g.addoption("--hs-cases-dir", default=str(CASES_DIR))
    g.addoption("--hs-jobs", default="1")
    g.addoption("--hs-no-reports", action="store_true")


class HSState:
    def __init__(self, config):
        o = config.getoption
        self.config = config
        self.rules = load_rules(SPEC_DIR)
        self.cases_dir = Path(o("hs_cases_dir")).resolve()
        try:
            self.cases = load_cases(self.cases_dir, self.rules)
        except CaseLoadError as exc:
            raise pytest.UsageError("malformed cases:\n" + str(exc)) from None
        self.by_file = {str(Path(c.file) if Path(c.file).is_absolute()
                            else (CASES_DIR.parent / c.file).resolve()): c for c in self.cases}
        self.by_id = {c.id: c for c in self.cases}
        impl = o("hs_impl") or "reference"
        report_dir = Path(o("hs_report_dir") or (ROOT / "build" / "reports" / impl))
        exp_path = o("hs_expectations")
        try:
            expectations = load_expectations(exp_path, {c.id: c.rules for c in self.cases},
                                             self.rules)
        except ExpectationsError as exc:
            raise pytest.UsageError("bad expectations file:\n" + str(exc)) from None
        token = o("hs_server_token")
        self.cfg = RunConfig(impl=impl, adapter=o("hs_adapter") or DEFAULT_ORACLE,
                             oracle=o("hs_oracle"), timeout=o("hs_timeout"),
                             server_token=None if token == "none" else token,
                             model_token=o("hs_model_token"), close_wait=o("hs_close_wait"),
                             settle=o("hs_settle"), report_dir=report_dir,
                             expectations=Path(exp_path) if exp_path else None,
                             expectations_data=expectations)
        self.temp_logs = None
        if o("hs_no_reports"):              # the adapters' logs go to a temporary directory
            self.temp_logs = self.cfg.log_dir = Path(tempfile.mkdtemp(prefix="hs-logs-"))
        self.globs = o("hs_case")
        self.rule_globs = o("hs_rule")
        self.runner: Runner | None = None
        self.results: dict[str, dict] = {}
        self.hello: dict = {}
        self.started = time.time()
        self.started_iso = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds")

    def get_runner(self) -> Runner:
        if self.runner is None:
            self.runner = Runner(self.cfg, self.rules)
        return self.runner


def _state(config) -> HSState | None:
    return getattr(config, "_hs_state", None)


def pytest_configure(config):
    if config.getoption("hs_impl") is None:
        return
    config._hs_state = st = HSState(config)
    if not hasattr(config, "workerinput") and st.temp_logs is None:   # a fresh log per run
        import shutil
        shutil.rmtree(st.cfg.report_dir / "logs", ignore_errors=True)


def pytest_collect_file(file_path, parent):
    st = _state(parent.config)
    if st is None or file_path.suffix != ".toml":
        return None
    case = st.by_file.get(str(file_path.resolve()))
    if case is None:
        return None
    return CaseFile.from_parent(parent, path=file_path, case=case)


def pytest_collection_modifyitems(session, config, items):
    st = _state(config)
    if st is None:
        return
    keep, drop = [], []
    for item in items:
        case = getattr(item, "case", None)
        if case is not None and not case.matches(st.globs, st.rule_globs):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class CaseFile(pytest.File):
    def __init__(self, *, case: Case, **kw):
        super().__init__(**kw)
        self.case = case

    def collect(self):
        yield CaseItem.from_parent(self, name=self.case.id, case=self.case)


class CaseFailed(Exception):
    def __init__(self, result):
        super().__init__(result.summary)
        self.result = result


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, **kw):
        super().__init__(**kw)
        self.case = case

    def runtest(self):
        st = _state(self.config)
        runner = st.get_runner()
        try:
            res = runner.run(self.case)
        except Exception:                      # a harness bug must still be reported
            import traceback
            from .judge import Result
            res = Result(case=self.case, verdict="ERROR",
                         summary="harness error: " + traceback.format_exc().strip().splitlines()[-1],
                         details=traceback.format_exc())
        self.user_properties.append((RESULT_KEY, json.dumps(res.to_dict())))
        if not st.hello and runner.impl.hello:
            st.hello = {"impl": runner.hello, "oracle": runner.oracle_hello}
            self.user_properties.append((HELLO_KEY, json.dumps(st.hello)))
        elif st.hello:
            self.user_properties.append((HELLO_KEY, json.dumps(st.hello)))
        v = res.verdict
        if v == "PASS":
            return
        if v == "SKIP":
            pytest.skip(res.summary)
        if v == "XFAIL":
            pytest.xfail(res.summary)
        raise CaseFailed(res)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CaseFailed):
            r = excinfo.value.result
            return f"{r.verdict}: {r.details or r.summary}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.case.nodeid} [{', '.join(self.case.rules)}]"


def pytest_runtest_logreport(report):
    props = dict(report.user_properties or [])
    if RESULT_KEY not in props:
        return
    st = _CURRENT.get("state")
    if st is None:
        return
    rec = json.loads(props[RESULT_KEY])
    st.results[rec["id"]] = rec
    if HELLO_KEY in props and not st.hello:
        st.hello = json.loads(props[HELLO_KEY])


_CURRENT: dict = {}


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    st = _state(session.config)
    if st is not None:
        _CURRENT["state"] = st


def pytest_sessionfinish(session, exitstatus):
    st = _state(session.config)
    if st is None:
        return
    if st.runner is not None:
        st.runner.close()
        st.runner = None
    if st.temp_logs is not None:
        import shutil
        shutil.rmtree(st.temp_logs, ignore_errors=True)
    if hasattr(session.config, "workerinput"):
        return                                   # an xdist worker: the controller reports
    cfg = st.cfg
    impl_hello = st.hello.get("impl", {})
    oracle_hello = st.hello.get("oracle", {})
    meta = {
        "cases_total": len(st.cases),
        "implementation": {"name": cfg.impl, "adapter": cfg.adapter,
                           "hello_name": impl_hello.get("name"),
                           "version": impl_hello.get("version"),
                           "capabilities": impl_hello.get("caps", []),
                           "server_token": cfg.server_token},
        "oracle": {"adapter": cfg.oracle, "same_as_implementation": cfg.same,
                   "name": oracle_hello.get("name"), "version": oracle_hello.get("version")},
        "run": {"started": st.started_iso,
                "duration_s": round(time.time() - st.started, 3),
                "jobs": session.config.getoption("hs_jobs"),
                "timeout_s": cfg.timeout,
                "selection": {"cases": st.globs, "rules": st.rule_globs},
                "expectations": _shown(cfg.expectations) if cfg.expectations else None},
    }
    st.records = list(st.results.values())
    full = not st.globs and not st.rule_globs and len(st.records) == len(st.cases)
    st.stale = stale_rules(cfg.expectations_data, st.records) if full else []
    meta["run"]["stale_expectations"] = st.stale
    meta["spec_rules"] = {rid: r.cls for rid, r in st.rules.items()}
    st.meta = meta
    if not session.config.getoption("hs_no_reports"):
        st.paths = write_reports(cfg.report_dir, meta, st.records)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    st = _state(config)
    if st is None or hasattr(config, "workerinput"):
        return
    recs = getattr(st, "records", [])
    t = totals(recs)
    tr = terminalreporter
    tr.section("conformance")
    tr.write_line(f"implementation {st.cfg.impl}: "
                  + ", ".join(f"{n} {v}" for v, n in t.items() if n))
    bad = [r for r in recs if r["verdict"] in BAD]
    for r in sorted(bad, key=lambda r: r["id"]):
        tr.write_line(f"  {r['verdict']:7} {r['id']}: {r['summary'].splitlines()[0]}")
    for rule in getattr(st, "stale", []):
        tr.write_line(f"  STALE   [[rule]] {rule}: the expectations file expects it to fail, "
                      "but it failed in no case (remove the entry)")
    for key, path in getattr(st, "paths", {}).items():
        tr.write_line(f"{key:8} {path}")
