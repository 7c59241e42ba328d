"""Write the static site (reports/site/) from a Trace.

Pages: index.html (the spec rule by rule, anchored by rule id, with each
rule's contracts, proof, cases and verdicts), matrix.html (cases ×
implementations), traceability.html, contracts.html, one page per rule under
rules/ with all its cases (the index shows the first ten), and one small page
per case under cases/, so the rule pages do not grow with the whole suite. Everything the
pages need (CSS, the matrix filter script) is copied next to them: viewing
needs no network.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from . import casefmt
from harness.spec import CLASSES

from .results import VERDICTS
from .specprose import chapter_title, rule_prose, to_html
from .trace import Trace

HERE = Path(__file__).resolve().parent


def _environment() -> Environment:
    # Lenient about missing fields: a results file a user adds may lack optional ones.
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["bytes"] = casefmt.show_bytes
    env.filters["line_ends"] = casefmt.label_line_ends
    env.globals.update(VERDICTS=VERDICTS, CLASSES=CLASSES,
                       arguments=casefmt.call_arguments, expectation=casefmt.call_expectation)
    return env


def case_page(case_id: str) -> str:
    return f"cases/{case_id}.html"


def _verdict_counts(trace: Trace, case_ids: list[str]) -> dict[str, Counter]:
    return {impl.name: Counter(v for v in (trace.verdict(impl, c) for c in case_ids) if v)
            for impl in trace.results}


def _chapters(trace: Trace, spec_dir: Path) -> list[dict]:
    chapters: dict[str, dict] = {}
    for rid, t in trace.rules.items():
        path = spec_dir / t.rule.file
        chapter = chapters.setdefault(t.rule.file, {"file": t.rule.file, "title": chapter_title(path),
                                                    "rules": []})
        chapter["rules"].append({
            "t": t,
            "prose": to_html(rule_prose(path, t.rule.line)),
            "counts": _verdict_counts(trace, [c.id for c in t.cases]),
        })
    return list(chapters.values())


def _matrix_rows(trace: Trace) -> list[dict]:
    """One row per case of the suite, then per case that only a results file knows."""
    rows = []
    known = set()
    for case in trace.cases:
        known.add(case.id)
        rows.append({"id": case.id, "area": case.area, "title": case.title, "level": case.level,
                     "rules": case.rules, "classes": sorted(set(case.rule_classes.values())),
                     "page": case_page(case.id), "in_suite": True})
    for impl in trace.results:
        for cid, entry in impl.cases.items():
            if cid in known:
                continue
            known.add(cid)
            classes = entry.get("rule_classes") or []
            rows.append({"id": cid, "area": entry.get("area", "?"), "title": entry.get("title", ""),
                         "level": entry.get("level", ""), "rules": entry.get("rules", []),
                         "classes": sorted(set(classes)), "page": None, "in_suite": False})
    rows.sort(key=lambda r: (r["area"], r["id"]))
    return rows


def _class_counts(trace: Trace, rows: list[dict]) -> dict[str, dict[str, Counter]]:
    """class -> impl -> verdict counts, a case counted under each class of its rules."""
    out: dict[str, dict[str, Counter]] = {cls: {i.name: Counter() for i in trace.results}
                                          for cls in CLASSES}
    for row in rows:
        for impl in trace.results:
            v = trace.verdict(impl, row["id"])
            if v:
                for cls in row["classes"]:
                    out.setdefault(cls, {}).setdefault(impl.name, Counter())[v] += 1
    return out


def summary(trace: Trace) -> dict:
    rules = trace.rules.values()
    behaviours = [e for e in trace.contracts.elements if e.kind == "behavior"]
    linked = [e for e in trace.contracts.elements if trace.element_rules[e.key]]
    return {
        "rules": len(trace.rules),
        "modelled": sum(1 for t in rules if t.rule.modelled),
        "with_contract": sum(1 for t in rules if t.links),
        "with_case": sum(1 for t in rules if t.cases),
        "behaviours": len(behaviours),
        "elements_linked": len(linked),
        "functions": len({e.function for e in trace.contracts.elements if e.kind != "lemma"}),
        "cases": len(trace.cases),
        "cases_linked": sum(1 for c in trace.cases if c.rules),
        "exceptions": len(trace.exceptions),
        "problems": len(trace.problems),
    }


def write_site(trace: Trace, out: str | Path, root: str | Path, spec_dir: str | Path | None = None) -> list[Path]:
    """Write the site into out (replacing its pages); return the files written."""
    out, root = Path(out), Path(root)
    spec_dir = Path(spec_dir or root / "spec")
    env = _environment()
    for sub in ("cases", "rules"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
        (out / sub).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    counts = summary(trace)

    def put(name: str, template: str, **context) -> None:
        base = "../" * name.count("/")
        html = env.get_template(template).render(base=base, trace=trace, s=counts, **context)
        path = out / name
        path.write_text(html, encoding="utf-8")
        written.append(path)

    for asset in ("site.css", "matrix.js"):
        shutil.copyfile(HERE / "static" / asset, out / asset)
        written.append(out / asset)
    rows = _matrix_rows(trace)
    put("index.html", "index.html", chapters=_chapters(trace, spec_dir), page="spec")
    put("matrix.html", "matrix.html", rows=rows, class_counts=_class_counts(trace, rows), page="matrix")
    put("traceability.html", "traceability.html", page="traceability")
    functions: dict[str, list] = {}
    for e in trace.contracts.elements:
        functions.setdefault(e.function, []).append(e)
    put("contracts.html", "contracts.html", functions=functions, page="contracts")
    for t in trace.rules.values():
        if t.cases:
            put(f"rules/{t.rule.id}.html", "rule_cases.html", t=t, page="spec",
                counts=_verdict_counts(trace, [c.id for c in t.cases]))
    for case in trace.cases:
        source = (root / case.file).read_text(encoding="utf-8", errors="replace")
        put(case_page(case.id), "case.html", case=case, source=source, page="case")
    return written
