"""One process's share of a run: the adapter under test, the oracle, the verdicts.

`Runner.run(case)` runs the case on the reference adapter (the oracle, once per
case and process: the outcome is cached) and on the implementation's adapter,
then judges. When both adapters are the same command the implementation's run
is the model's run, and each case runs once.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .adapter import AdapterFailure, split_command
from .cases import ROOT, Case
from .engine import Session
from .outcome import Outcome
from .expectations import Expectations, apply_expectations
from .judge import Context, Result, judge

IMPLS_FILE = ROOT / "harness" / "impls.toml"
DEFAULT_ORACLE = "build/hs-reference-adapter"
DEFAULT_TOKEN = "Microsoft-HTTPAPI/2.0"


@dataclass
class RunConfig:
    impl: str = "reference"
    adapter: str = DEFAULT_ORACLE
    oracle: str = DEFAULT_ORACLE
    timeout: float = 5.0
    server_token: str | None = DEFAULT_TOKEN
    model_token: str | None = DEFAULT_TOKEN
    close_wait: float = 1.0
    settle: float = 0.02
    report_dir: Path = ROOT / "build" / "reports" / "reference"
    expectations: Path | None = None
    expectations_data: Expectations = field(default_factory=Expectations)
    log_dir: Path | None = None             # the adapters' logs (default report_dir/logs)

    @property
    def same(self) -> bool:
        try:
            return split_command(self.adapter) == split_command(self.oracle)
        except ValueError:
            return False


def load_impls(path: Path = IMPLS_FILE) -> dict[str, dict]:
    """harness/impls.toml: name -> {adapter, expectations, server_token, description}."""
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    out = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or "adapter" not in entry:
            raise ValueError(f"{path}: [{name}] needs adapter = \"command\"")
        out[name] = entry
    return out


def resolve_impl(impl: str, adapter: str | None = None, expectations: str | None = None,
                 server_token: str | None = None, oracle: str | None = None,
                 impls: dict | None = None) -> dict:
    """What a run of `impl` uses: its adapter, expectations file (absolute or None), server
    token, the oracle and the model's token, from harness/impls.toml unless given; raises
    ValueError naming what is wrong (an unknown implementation without an adapter)."""
    impls = load_impls(IMPLS_FILE) if impls is None else impls
    entry = impls.get(impl)
    if entry is None and not adapter:
        raise ValueError(f"unknown implementation {impl!r} (known: {', '.join(impls)}); "
                         "register it in harness/impls.toml or give --adapter")
    entry = entry or {}
    exp = expectations or entry.get("expectations")
    if not exp and (ROOT / "harness" / "expectations" / f"{impl}.toml").exists():
        exp = f"harness/expectations/{impl}.toml"
    if exp and not Path(exp).is_absolute():
        exp = str(ROOT / exp)
    reference = impls.get("reference", {})
    return {"adapter": adapter or entry["adapter"], "expectations": exp,
            "server_token": server_token or entry.get("server_token") or "*",
            "oracle": oracle or reference.get("adapter", DEFAULT_ORACLE),
            "model_token": reference.get("server_token", DEFAULT_TOKEN)}


def pin_worker(worker: str) -> int | None:
    """Pin a numbered worker process (gw0, gw1 ... of pytest-xdist, bench0 ...) to one of
    the CPUs it may use, round robin, so that the adapter it starts runs there too;
    returns the CPU, or None when nothing was pinned. A worker and its adapter answer
    each other in turn: on one CPU each hand-over is a plain switch rather than a
    wake-up on the other CPU, and the workers keep out of each other's way (2 workers
    on 2 CPUs: about 9% more cases per second against the reference)."""
    m = re.fullmatch(r"[A-Za-z]*(\d+)", worker)
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None
    if m is None or len(cpus) < 2:
        return None
    cpu = cpus[int(m.group(1)) % len(cpus)]
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError:
        return None
    return cpu


class Runner:
    def __init__(self, cfg: RunConfig, rules: dict, worker: str | None = None):
        self.cfg = cfg
        self.same = cfg.same
        worker = worker or os.environ.get("PYTEST_XDIST_WORKER", "main")
        # only against the reference itself: an implementation with processes of its
        # own (Wine's wineserver) is left to the scheduler
        self.cpu = pin_worker(worker) if self.same else None
        logs = Path(cfg.log_dir or Path(cfg.report_dir) / "logs")
        self.impl = Session(cfg.adapter, log_path=logs / f"{worker}-impl.log",
                            close_wait=cfg.close_wait, settle=cfg.settle, role="impl")
        self.oracle = None if self.same else Session(
            cfg.oracle, log_path=logs / f"{worker}-oracle.log", close_wait=cfg.close_wait,
            settle=0.0, role="oracle")
        self.models: dict[str, Outcome] = {}
        self.ctx = Context(rules=rules, impl_token=cfg.server_token,
                           model_token=cfg.model_token if not self.same else cfg.server_token,
                           impl_label=cfg.impl)

    @property
    def hello(self) -> dict:
        return dict(self.impl.hello)

    @property
    def oracle_hello(self) -> dict:
        return dict((self.oracle or self.impl).hello)

    def model_outcome(self, case: Case) -> Outcome:
        out = self.models.get(case.id)
        if out is None:
            out = self.oracle.run_case(case, self.cfg.timeout)
            self.models[case.id] = out
        return out

    def run(self, case: Case) -> Result:
        if self.same:
            impl = self.impl.run_case(case, self.cfg.timeout)
            res = judge(case, impl, impl, self.ctx, same=True)
        else:
            try:
                self.impl.ensure()
                missing = [n for n in case.needs if n not in self.impl.caps]
            except AdapterFailure:
                missing = []
            if missing:
                impl = self.impl.run_case(case, self.cfg.timeout)   # reports the SKIP
                res = judge(case, None, impl, self.ctx)
            else:
                model = self.model_outcome(case)
                impl = self.impl.run_case(case, self.cfg.timeout,
                                          hint=model if model.status == "ok" else None)
                res = judge(case, model, impl, self.ctx)
        return apply_expectations(res, self.cfg.expectations_data)

    def close(self) -> None:
        for s in (self.impl, self.oracle):
            if s is not None:
                s.stop()
