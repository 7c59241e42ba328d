"""The pytest plugin behind `python3 -m harness.run` and `pytest cases/`.

`pytest cases/ [--impl NAME] [--adapter CMD] [--expectations FILE] [--report-dir DIR]`
loads it through cases/conftest.py (the implementation defaults to the reference);
harness.run loads it with -p and passes every option. Each case carries markers:
its rule ids (WIRE-DATE), their families (WIRE), their classes (OBS, DOC, RFC, IMPL,
UNDEF), its level (level-MUST) and its area (area-wire), so -m and -k select cases;
--lf/--ff use pytest's cache (harness.run keeps it in build/pytest-cache).

Each case file cases/<area>/<id>.toml becomes one test item. Every process
that runs items (the main one, or each pytest-xdist worker) keeps one Runner:
its own adapter process, reused across cases with RESET, and its own oracle.
Each item attaches its result record to the report (user_properties), so the
controlling process sees every result, also from xdist workers, and writes
the reports at the end.

Options (all given by harness.run): --hs-impl, --hs-adapter, --hs-oracle,
--hs-case (repeatable glob), --hs-rule (repeatable glob), --hs-expectations,
--hs-timeout, --hs-server-token, --hs-model-token, --hs-report-dir,
--hs-close-wait, --hs-settle, --hs-cases-dir, --hs-jobs, --hs-no-reports; the
first ones also without "hs-" (--impl, --adapter, --oracle, --expectations,
--server-token, --report-dir, --no-reports) for pytest users.
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
from .runner import DEFAULT_ORACLE, DEFAULT_TOKEN, RunConfig, Runner, resolve_impl
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
    g.addoption("--impl", "--hs-impl", dest="hs_impl", default=None,
                help="implementation name (harness/impls.toml; default reference)")
    g.addoption("--adapter", "--hs-adapter", dest="hs_adapter", default=None,
                help="adapter command or tcp:HOST:PORT (default from harness/impls.toml)")
    g.addoption("--oracle", "--hs-oracle", dest="hs_oracle", default=None,
                help=f"the reference adapter (default {DEFAULT_ORACLE})")
    g.addoption("--hs-case", action="append", default=[])
    g.addoption("--hs-rule", action="append", default=[])
    g.addoption("--expectations", "--hs-expectations", dest="hs_expectations", default=None,
                help="expectations file (default from harness/impls.toml)")
    g.addoption("--hs-timeout", type=float, default=5.0, help="per-case timeout in s (5)")
    g.addoption("--server-token", "--hs-server-token", dest="hs_server_token", default=None,
                help="the implementation's Server product token ('*': any)")
    g.addoption("--hs-model-token", default=DEFAULT_TOKEN)
    g.addoption("--report-dir", "--hs-report-dir", dest="hs_report_dir", default=None,
                help="where the suite's reports go (build/reports/<impl>)")
    g.addoption("--hs-close-wait", type=float, default=1.0)
    g.addoption("--hs-settle", type=float, default=0.02)
    g.addoption("--hs-cases-dir", default=str(CASES_DIR))
    g.addoption("--hs-jobs", default="1")
    g.addoption("--no-reports", "--hs-no-reports", dest="hs_no_reports", action="store_true",
                help="write no report files")


class HSState:
    def __init__(self, config):
        o = config.getoption
        self.config = config
        self.cases_dir = Path(o("hs_cases_dir")).resolve()
        pre = _PRELOADED.get(str(self.cases_dir))
        if pre is not None:                 # harness.run loaded them in this process
            self.rules, self.cases = pre
        else:
            self.rules = load_rules(SPEC_DIR)
            try:
                self.cases = load_cases(self.cases_dir, self.rules)
            except CaseLoadError as exc:
                raise pytest.UsageError("malformed cases:\n" + str(exc)) from None
        self.by_file = {str(Path(c.file) if Path(c.file).is_absolute()
                            else (CASES_DIR.parent / c.file).resolve()): c for c in self.cases}
        self.by_id = {c.id: c for c in self.cases}
        impl = o("hs_impl") or "reference"
        try:
            chosen = resolve_impl(impl, o("hs_adapter"), o("hs_expectations"),
                                  o("hs_server_token"), o("hs_oracle"))
        except (OSError, ValueError) as exc:
            raise pytest.UsageError(str(exc)) from None
        report_dir = Path(o("hs_report_dir") or (ROOT / "build" / "reports" / impl))
        exp_path = chosen["expectations"]
        try:
            expectations = load_expectations(exp_path, {c.id: c.rules for c in self.cases},
                                             self.rules)
        except ExpectationsError as exc:
            raise pytest.UsageError("bad expectations file:\n" + str(exc)) from None
        token = chosen["server_token"]
        self.cfg = RunConfig(impl=impl, adapter=chosen["adapter"],
                             oracle=chosen["oracle"], timeout=o("hs_timeout"),
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
    configure(config)


def configure(config, default_impl: str | None = None) -> None:
    """Start the suite's state when an implementation is named (--impl, as harness.run
    does) or a default is given (cases/conftest.py: the reference)."""
    try:
        if config.getoption("hs_impl") is None:
            if default_impl is None:
                return
            config.option.hs_impl = default_impl
    except ValueError:                 # the options are not registered (a late conftest)
        return
    if getattr(config, "_hs_state", None) is not None:
        return
    config._hs_state = st = HSState(config)
    for name, text in sorted(_marker_help(st).items()):
        config.addinivalue_line("markers", f"{name}: {text}")
    if not hasattr(config, "workerinput"):
        from .run import ensure_oracle
        for command in {st.cfg.adapter, st.cfg.oracle}:
            problem = ensure_oracle(command)
            if problem:
                raise pytest.UsageError(problem)
        if st.temp_logs is None:                                        # a fresh log per run
            import shutil
            shutil.rmtree(st.cfg.report_dir / "logs", ignore_errors=True)


def case_markers(case: Case) -> list[str]:
    """The markers of a case: rule ids, families, classes, level-X, area-X."""
    out = list(case.rules)
    out += sorted({r.split("-")[0] for r in case.rules})
    out += sorted(set(case.rule_classes.values()) - set(out))
    out += [f"level-{case.level}", f"area-{case.area}"]
    return out


def _marker_help(st: "HSState") -> dict[str, str]:
    helps = {}
    for rid, rule in st.rules.items():
        helps[rid] = f"a case checking rule {rid} ({rule.cls})"
        helps.setdefault(rid.split("-")[0], f"a case checking a rule {rid.split('-')[0]}-*")
    for rule in st.rules.values():
        helps.setdefault(rule.cls, f"a case checking a rule of class {rule.cls}")
    for case in st.cases:
        helps[f"level-{case.level}"] = f"a case of level {case.level}"
        helps[f"area-{case.area}"] = f"a case in cases/{case.area}/"
    return helps


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
        item = CaseItem.from_parent(self, name=self.case.id, case=self.case)
        for name in case_markers(self.case):
            item.add_marker(name)
        yield item


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
        if isinstance(excinfo.value, pytest.xfail.Exception):
            # an expected failure: its record says what failed; pytest's own traceback
            # of the xfail() call, with source, costs tens of ms a case and says nothing
            return f"XFAIL: {excinfo.value}"
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
# cases directory -> (rules, cases) that harness.run has loaded in this process
_PRELOADED: dict[str, tuple[dict, list[Case]]] = {}


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
