"""Explore beyond the corpus: property-based differential testing against the model.

    python3 -m harness.explore --impl NAME [--adapter CMD] [--budget SECONDS] [--seed N]
    python3 -m harness.explore --oracle-check [--budget SECONDS] [--seed N]

Hypothesis draws whole exchanges a case file can express (harness.explore_gen).
Each runs on the reference adapter (the model, the oracle) with a case that
accepts any answer; the model's answer becomes the exchange's expectation
(harness.explore_case); the exchange then runs on the implementation and is
judged exactly like a case (harness.judge), with the implementation's
expectations file applied. A failing exchange is shrunk by Hypothesis and
written as a case file, `<out>/<rule>-<hash>.toml`, one per deviation (its
rule, kind and subject with numbers generalised); a deviation already found
(in this run or a file in <out>) is not searched again. The Hypothesis example
database lives in build/explore/<impl>/db, so a rerun replays first what the
last one found.

--oracle-check needs no implementation: the exchanges are drawn within what
tools/casegen/oracle.py can answer, built with its expectations
(tools/casegen/builder.py), and run on the reference adapter; where the model
disagrees with that independent reading of the spec, the exchange is shrunk and
written the same way (default directory build/explore/oracle/found, since such a
case fails against the reference until one of the two readings is fixed).

Exit status: 0 when nothing new was found, 1 when a deviation was, 2 on usage
errors. --report FILE writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, reject, seed as hseed, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import Flaky, Unsatisfiable

from . import explore_case as xc
from .cases import ROOT, load_case
from .engine import Session
from .outcome import OK_RC
from .expectations import Expectations, apply_expectations, load_expectations
from .explore_gen import exchanges, oracle_exchanges
from .judge import Context, judge
from .runner import DEFAULT_ORACLE, DEFAULT_TOKEN, load_impls
from .spec import load_rules

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
set_hypothesis_home_dir(str(ROOT / "build" / "hypothesis"))    # never .hypothesis/ in the tree

BATCH = 200                 # examples per Hypothesis run; the budget is checked between them
SHRINK_MAX = 120.0          # seconds of shrinking per deviation at most


class Deviation(Exception):
    """Raised inside the property: the exchange deviates (its signature is args[0])."""


@dataclass
class Finding:
    signature: tuple
    path: Path | None
    sizes: dict
    summary: str


@dataclass
class Stats:
    exchanges: int = 0
    rejected: int = 0
    known: int = 0              # exchanges that showed a deviation found before
    flaky: list[tuple] = field(default_factory=list)    # deviations that did not reproduce
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        sz = [f.sizes for f in self.findings]
        return {
            "exchanges": self.exchanges, "rejected": self.rejected,
            "repeats_of_known_deviations": self.known, "seconds": round(self.seconds, 1),
            "exchanges_per_second": round(self.exchanges / self.seconds, 1) if self.seconds else 0,
            "flaky": [list(s) for s in self.flaky],
            "deviations": [{"signature": list(f.signature), "file": str(f.path) if f.path else None,
                            "size": f.sizes, "summary": f.summary} for f in self.findings],
            "median_size": {k: statistics.median(s[k] for s in sz) for k in sz[0]} if sz else None,
        }


class Explorer:
    """Runs and judges one exchange; subclasses say against what."""

    def __init__(self, rules: dict, out_dir: Path, label: str, timeout: float = 5.0):
        self.rules, self.out_dir, self.label, self.timeout = rules, out_dir, label, timeout
        self.stats = Stats()
        self.known: set[tuple] = set()
        self.last: tuple | None = None          # (exchange, signature, case data, summary)
        self.counter = 0
        for p in sorted(out_dir.glob("*.toml")) if out_dir.is_dir() else []:
            sig = _file_signature(p)
            if sig:
                self.known.add(sig)

    def strategy(self):
        raise NotImplementedError

    def check(self, ex: dict) -> tuple[tuple, dict, str] | None:
        """None, or (signature, case data to write, summary)."""
        raise NotImplementedError

    def property(self, ex: dict) -> None:
        self.stats.exchanges += 1
        found = self.check(ex)
        if found is None:
            return
        sig, data, summary = found
        if sig in self.known:
            self.stats.known += 1
            return
        self.last = (ex, sig, data, summary)
        raise Deviation(sig)

    def record(self) -> Finding:
        ex, sig, data, summary = self.last
        cid = f"{sig[0].lower()}-{xc.short_hash(sig)}"
        if not cid[0].isalnum():
            cid = "x" + cid
        data = dict(data, id=cid)
        data["title"] = f"Found by exploring {self.label}: {sig[0]} ({sig[1]}, {sig[2]})"
        data["description"] = (
            f"Drawn by python3 -m harness.explore and shrunk by Hypothesis. Against "
            f"{self.label} it gave: {summary[:600]}\n\nSignature: rule {sig[0]}, kind {sig[1]}, "
            f"subject {sig[2]}. The expectations are the model's answer.")
        if sig[0] in self.rules and sig[0] not in data["rules"]:
            data["rules"] = list(data["rules"]) + [sig[0]]
            data["level"] = xc.rule_level({self.rules[r].cls for r in data["rules"]})
        path = xc.write_found(data, self.out_dir, self.rules)
        self.known.add(sig)
        f = Finding(sig, path, xc.sizes(ex), summary)
        self.stats.findings.append(f)
        self.last = None
        return f

    def close(self) -> None:
        pass


def _file_signature(path: Path) -> tuple | None:
    """The signature a found case file records in its description."""
    try:
        text = path.read_text()
    except OSError:
        return None
    marker = "Signature: rule "
    at = text.find(marker)
    if at < 0:
        return None
    line = text[at + len(marker):].split(". The expectations")[0]
    rule, _, rest = line.partition(", kind ")
    kind, _, subject = rest.partition(", subject ")
    return (rule.strip(), kind.strip(), " ".join(subject.split()))


class ImplExplorer(Explorer):
    """The model against an implementation's adapter."""

    def __init__(self, rules, out_dir, impl: str, adapter: str, expectations: Expectations,
                 server_token: str | None, log_dir: Path, timeout: float = 5.0):
        super().__init__(rules, out_dir, impl, timeout)
        self.exp = expectations
        self.oracle = Session(DEFAULT_ORACLE, log_path=log_dir / "oracle.log", settle=0.0,
                              role="oracle")
        self.impl = Session(adapter, log_path=log_dir / "impl.log", role="impl")
        self.ctx = Context(rules=rules, impl_token=server_token, model_token=DEFAULT_TOKEN,
                           impl_label=impl)
        self.oracle.ensure()
        self.impl.ensure()
        self.caps = frozenset(self.impl.caps) & frozenset(self.oracle.caps)

    def strategy(self):
        return exchanges(self.caps)

    def check(self, ex):
        self.counter += 1
        cid = f"explore-{self.counter}"
        model = self.oracle.run_case(xc.open_case(ex, self.rules, cid), self.timeout)
        if model.status == "receive-failed" or _waits_for_no_operation(ex, model):
            self.stats.rejected += 1
            reject()            # the draw named a request the model never delivered, or
                                # waited for a deferred call the model refused
        if model.status != "ok":
            sig = ("REFERENCE", model.status, "the reference adapter")
            return sig, xc.expected_data(ex, _empty(ex), self.rules, cid), \
                f"the reference adapter: {model.status}: {model.message}"
        data = xc.expected_data(ex, model, self.rules, cid)
        if xc.received_twice(data):
            self.stats.rejected += 1
            reject()            # a receive step after the request was delivered: no case
        case = xc.as_case(data, self.rules)
        impl = self.impl.run_case(case, self.timeout, hint=model)
        res = apply_expectations(judge(case, model, impl, self.ctx), self.exp)
        sig = xc.signature(res)
        if sig is None:
            return None
        other = self._ignored_way(ex, model, impl, sig, cid)
        if other == "":
            return None
        return sig, data, res.summary + (other or "")

    def _ignored_way(self, ex, model, impl, sig, cid) -> str | None:
        """Where the model refused a call under an IGNORABLE rule, the implementation's
        run judged against the model's run of the exchange without that parameter
        (the rule's other allowed way): "" when it passes there (no deviation), else
        what it gave there, for the found case's description; None when no such
        variant exists."""
        variant = xc.ignored_variant(ex, model, sig[0])
        if variant is None:
            return None
        model2 = self.oracle.run_case(xc.open_case(variant, self.rules, cid), self.timeout)
        if model2.status != "ok":
            return None
        case2 = xc.as_case(xc.expected_data(variant, model2, self.rules, cid), self.rules)
        res2 = apply_expectations(judge(case2, model2, impl, self.ctx), self.exp)
        if xc.signature(res2) is None:
            return ""
        return (f"; nor does it take the other way {sig[0]} allows: against the model's "
                f"run without {xc.IGNORABLE[sig[0]]} it gave: {res2.summary}")

    def close(self):
        self.oracle.stop()
        self.impl.stop()


def _waits_for_no_operation(ex: dict, model) -> bool:
    """The model's run stopped at a wait or cancel step whose deferred call it
    refused: no operation was started, so the step names none (the draw guessed
    wrong that the call would be accepted)."""
    if model.status != "adapter-error" or not 0 < model.step <= len(ex["calls"]):
        return False
    step = ex["calls"][model.step - 1]
    if step["fn"] not in ("wait", "cancel"):
        return False
    for i, c in enumerate(ex["calls"], 1):
        if c.get("op") == step["op"] and c["fn"] in ("response", "body"):
            res = model.call(i)
            return res is None or res.rc not in OK_RC
    return False


def _empty(ex):
    from .outcome import CallResult, Outcome
    out = Outcome()
    out.calls = [CallResult(index=i, fn=c["fn"], rc=0, delivered=True)
                 for i, c in enumerate(ex["calls"], 1)]
    return out


class OracleExplorer(Explorer):
    """The model against tools/casegen/oracle.py, on the reference adapter alone."""

    def __init__(self, rules, out_dir, log_dir: Path, timeout: float = 5.0):
        super().__init__(rules, out_dir, "tools/casegen/oracle.py", timeout)
        from tools.casegen import builder, oracle
        self.builder, self.o = builder, oracle
        self.model = Session(DEFAULT_ORACLE, log_path=log_dir / "oracle.log", role="oracle")
        self.ctx = Context(rules=rules)

    def strategy(self):
        return oracle_exchanges()

    def build(self, ex: dict, cid: str) -> dict:
        c = self.builder.Case(cid, "An explored exchange", "An exchange drawn by harness.explore.")
        xs = [c.request(self.o.Request(**r)) for r in ex["requests"]]
        for fn, i, kw in ex["steps"]:
            kw = dict(kw)
            if fn == "response":
                c.response(xs[i], kw.pop("flags"), kw.pop("status"), kw.pop("reason"),
                           kw.pop("known"), kw.pop("body"), **kw)
            else:
                c.body(xs[i], kw.pop("flags"), kw.pop("body"), **kw)
        return c.data()

    def check(self, ex):
        self.counter += 1
        try:
            data = self.build(ex, f"explore-{self.counter}")
        except AssertionError:      # the builder writes alternatives on one connection only
            self.stats.rejected += 1
            reject()
        case = xc.as_case(data, self.rules)
        out = self.model.run_case(case, self.timeout)
        res = judge(case, out, out, self.ctx, same=True)
        if res.verdict in ("PASS", "SKIP"):
            return None
        first = res.details.split("reference model disagrees with the case:\n")[-1]
        first = first.strip().splitlines()[0].lstrip("- ") if first.strip() else res.summary
        rule = "ORACLE"
        import re
        m = re.search(r"(call|step) (\d+)", first)
        if m and out.call(int(m.group(2))) is not None and out.call(int(m.group(2))).rule:
            rule = out.call(int(m.group(2))).rule
        elif "connection" in first:
            rule = "CONN-PERSISTENT" if "open" in first else "WIRE-BODY"
        subject = re.sub(r"\d+", "N", re.sub(r"\br\d+\b", "R", first))[:90]
        return (rule, "oracle", subject), data, res.details[-1500:]

    def close(self):
        self.model.stop()


def explore(explorer: Explorer, budget: float, seed: int, db_dir: Path | None,
            max_examples: int | None = None, log=print) -> Stats:
    """Draw and judge exchanges until the budget (seconds) or max_examples is spent."""
    t0 = time.monotonic()
    deadline = t0 + budget
    state = {"shrink_until": None}
    db = DirectoryBasedExampleDatabase(str(db_dir)) if db_dir is not None else None
    batch = 0
    while time.monotonic() < deadline:
        left = None if max_examples is None else max_examples - explorer.stats.exchanges
        if left is not None and left <= 0:
            break
        n = BATCH if left is None else min(BATCH, left)

        def prop(ex):
            now = time.monotonic()
            if state["shrink_until"] is None and now > deadline:
                return
            if state["shrink_until"] is not None and now > state["shrink_until"]:
                return
            try:
                explorer.property(ex)
            except Deviation:
                if state["shrink_until"] is None:
                    state["shrink_until"] = time.monotonic() + SHRINK_MAX
                raise

        test = settings(max_examples=n, deadline=None, database=db, derandomize=False,
                        suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
                        print_blob=False)(given(explorer.strategy())(prop))
        test = hseed(seed + batch)(test)
        batch += 1
        state["shrink_until"] = None
        try:
            test()
        except Deviation:
            f = explorer.record()
            log(f"found: {' · '.join(f.signature)} -> {f.path} "
                f"({f.sizes['calls']} calls, {f.sizes['headers']} headers, "
                f"{f.sizes['body_bytes']} body bytes)")
        except Flaky:
            ex, sig, _, _ = explorer.last
            explorer.known.add(sig)
            explorer.stats.flaky.append(sig)
            explorer.last = None
            log(f"flaky (did not reproduce, not written): {' · '.join(sig)}")
        except Unsatisfiable:
            pass
    explorer.stats.seconds = time.monotonic() - t0
    return explorer.stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m harness.explore",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("--impl", default="reference", help="an implementation of harness/impls.toml")
    ap.add_argument("--adapter", help="the adapter command (or tcp:HOST:PORT)")
    ap.add_argument("--expectations", help="the expectations file (default: the impl's)")
    ap.add_argument("--server-token")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds to explore (default 60)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-examples", type=int, help="stop after this many exchanges")
    ap.add_argument("--out", help="where found cases go (default cases/found)")
    ap.add_argument("--db", help="the Hypothesis example database (default build/explore/<impl>/db)")
    ap.add_argument("--no-db", action="store_true", help="no example database")
    ap.add_argument("--oracle-check", action="store_true",
                    help="the model against tools/casegen/oracle.py, no implementation")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per exchange and side")
    ap.add_argument("--report", help="write the figures as JSON to this file")
    args = ap.parse_args(argv)
    if args.budget <= 0:
        ap.error("--budget must be positive")
    os.chdir(ROOT)
    rules = load_rules(ROOT / "spec")
    name = "oracle" if args.oracle_check else args.impl
    work = ROOT / "build" / "explore" / name
    out_dir = Path(args.out) if args.out else (work / "found" if args.oracle_check
                                               else ROOT / "cases" / "found")
    db_dir = None if args.no_db else Path(args.db) if args.db else work / "db"
    log_dir = Path(tempfile.mkdtemp(prefix="explore-logs-"))
    if args.oracle_check:
        explorer: Explorer = OracleExplorer(rules, out_dir, log_dir, args.timeout)
    else:
        impls = load_impls()
        entry = impls.get(args.impl, {})
        if not entry and not args.adapter:
            ap.error(f"--impl {args.impl}: not in harness/impls.toml; give --adapter")
        adapter = args.adapter or entry["adapter"]
        exp_path = args.expectations or entry.get("expectations")
        try:
            from .cases import load_cases
            exp = (load_expectations(ROOT / exp_path, {c.id: c.rules for c in load_cases()},
                                     rules) if exp_path else Expectations())
        except Exception as exc:      # a bad expectations file is a usage error
            ap.error(f"{exp_path}: {exc}")
        token = args.server_token or entry.get("server_token", DEFAULT_TOKEN)
        explorer = ImplExplorer(rules, out_dir, args.impl, adapter, exp, token, log_dir,
                                args.timeout)
    try:
        stats = explore(explorer, args.budget, args.seed, db_dir, args.max_examples)
    finally:
        explorer.close()
    d = stats.to_dict()
    print(f"{d['exchanges']} exchanges in {d['seconds']} s ({d['exchanges_per_second']}/s), "
          f"{d['rejected']} rejected, {len(d['deviations'])} new deviation(s)"
          + (f", median size {d['median_size']}" if d["median_size"] else ""))
    if args.report:
        Path(args.report).parent.mkdir(parents=True, exist_ok=True)
        Path(args.report).write_text(json.dumps(d, indent=2) + "\n")
    return 1 if stats.findings else 0


if __name__ == "__main__":
    sys.exit(main())
