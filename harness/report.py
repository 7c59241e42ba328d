"""The reports of a run, in reports/<impl>/:

- results.json: the stable, documented record (schema harness/schema/results.schema.json,
  described in harness/README.md);
- junit.xml: JUnit XML for CI (validated against harness/schema/junit.xsd by the tests);
- summary.md: counts by rule class and verdict, then every failure with expected
  and actual bytes.

All three are made from the per-case dicts of harness.judge.Result.to_dict, so
they can be written by the pytest controller from what the workers sent.
"""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

from .judge import BAD, VERDICTS
from .spec import CLASSES
from .version import RESULTS_SCHEMA, SUITE_NAME, __version__


def totals(cases: list[dict]) -> dict[str, int]:
    t = {v: 0 for v in VERDICTS}
    for c in cases:
        t[c["verdict"]] += 1
    return t


def run_failed(cases: list[dict]) -> bool:
    return any(c["verdict"] in BAD for c in cases)


def build_results(meta: dict, cases: list[dict]) -> dict:
    cases = sorted(cases, key=lambda c: (c["area"], c["id"]))
    return {
        "schema": RESULTS_SCHEMA,
        "suite": {"name": SUITE_NAME, "version": __version__,
                  "cases_total": meta.get("cases_total", len(cases)),
                  "cases_run": len(cases)},
        "implementation": meta.get("implementation", {}),
        "oracle": meta.get("oracle", {}),
        "run": meta.get("run", {}),
        "totals": totals(cases),
        "passed": not run_failed(cases),
        "cases": cases,
    }


def write_reports(report_dir: str | Path, meta: dict, cases: list[dict]) -> dict[str, Path]:
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    results = build_results(meta, cases)
    paths = {"json": report_dir / "results.json", "junit": report_dir / "junit.xml",
             "summary": report_dir / "summary.md"}
    paths["json"].write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    paths["junit"].write_bytes(junit_xml(results))
    paths["summary"].write_text(summary_md(results), encoding="utf-8")
    return paths


# ------------------------------------------------------------------ JUnit

def _clean(text: str) -> str:
    """Only characters XML 1.0 allows."""
    return "".join(ch if (ch in "\t\n\r" or 0x20 <= ord(ch) <= 0xD7FF or
                          0xE000 <= ord(ch) <= 0xFFFD or ord(ch) >= 0x10000) else
                   f"\\x{ord(ch):02x}" for ch in text)


def junit_xml(results: dict) -> bytes:
    cases = results["cases"]
    t = results["totals"]
    impl = results["implementation"].get("name", "?")
    failures = t["FAIL"] + t["XPASS"]
    errors = t["CRASH"] + t["TIMEOUT"] + t["ERROR"]
    skipped = t["SKIP"] + t["XFAIL"]
    total_time = sum(c["duration_s"] for c in cases)
    attrs = {"name": SUITE_NAME, "tests": str(len(cases)), "failures": str(failures),
             "errors": str(errors), "skipped": str(skipped), "time": f"{total_time:.3f}"}
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", dict(
        attrs, name=f"{SUITE_NAME}.{impl}",
        timestamp=results["run"].get("started", "1970-01-01T00:00:00"),
        hostname=socket.gethostname() or "localhost"))
    props = ET.SubElement(suite, "properties")
    hello = results["implementation"]
    for name, value in (("suite_version", results["suite"]["version"]),
                        ("implementation", impl),
                        ("implementation_version", hello.get("version", "")),
                        ("adapter", hello.get("adapter", "")),
                        ("results_schema", results["schema"])):
        ET.SubElement(props, "property", {"name": name, "value": _clean(str(value))})
    for c in cases:
        tc = ET.SubElement(suite, "testcase", {"classname": f"{SUITE_NAME}.{c['area']}",
                                               "name": c["id"], "time": f"{c['duration_s']:.3f}",
                                               "file": c["file"]})
        v = c["verdict"]
        msg = _clean(c.get("summary") or v)
        body = _clean(c.get("details") or c.get("summary") or "")
        if v in ("FAIL", "XPASS"):
            el = ET.SubElement(tc, "failure", {"message": msg, "type": v})
            el.text = body
        elif v in ("CRASH", "TIMEOUT", "ERROR"):
            el = ET.SubElement(tc, "error", {"message": msg, "type": v})
            el.text = body
        elif v in ("SKIP", "XFAIL"):
            ET.SubElement(tc, "skipped", {"message": f"{v}: {msg}"})
        out = ET.SubElement(tc, "system-out")
        out.text = _clean(f"verdict: {v}\nlevel: {c['level']}\nrules: {', '.join(c['rules'])}\n"
                          + (f"mismatches: {', '.join(c['mismatches'])}\n" if c["mismatches"] else "")
                          + (f"normalisations: {', '.join(c['normalisations'])}\n"
                             if c["normalisations"] else ""))
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


# ------------------------------------------------------------------ summary.md

def summary_md(results: dict) -> str:
    cases = results["cases"]
    t = results["totals"]
    impl = results["implementation"]
    oracle = results["oracle"]
    run = results["run"]
    shown = [v for v in VERDICTS if any(c["verdict"] == v for c in cases)] or ["PASS"]
    lines = [f"# Conformance summary: {impl.get('name', '?')}", ""]
    lines.append(f"- Suite: {results['suite']['name']} {results['suite']['version']}, "
                 f"{results['suite']['cases_run']} of {results['suite']['cases_total']} cases run")
    lines.append(f"- Implementation: {impl.get('hello_name', '?')} {impl.get('version', '?')}, "
                 f"adapter `{impl.get('adapter', '?')}`, capabilities "
                 f"{', '.join(impl.get('capabilities', [])) or '?'}")
    if oracle.get("same_as_implementation"):
        lines.append("- Oracle: the same adapter (the reference model judged by the cases alone)")
    else:
        lines.append(f"- Oracle: {oracle.get('name', '?')} {oracle.get('version', '?')}, adapter "
                     f"`{oracle.get('adapter', '?')}`")
    lines.append(f"- Run: {run.get('started', '?')}, {run.get('duration_s', 0):.2f} s, "
                 f"jobs {run.get('jobs', '?')}, case timeout {run.get('timeout_s', '?')} s")
    bad = [c for c in cases if c["verdict"] in BAD]
    lines.append(f"- Result: **{'passed' if not bad else 'FAILED'}** "
                 f"({', '.join(f'{t[v]} {v}' for v in VERDICTS if t[v])})")
    lines += ["", "## Verdicts by rule class", "",
              "A case counts once under each class of the rules it checks.", "",
              "| class | " + " | ".join(shown) + " | cases |",
              "| --- | " + " | ".join("---:" for _ in shown) + " | ---: |"]
    for cls in CLASSES:
        sel = [c for c in cases if cls in c["rule_classes"]]
        row = [str(sum(1 for c in sel if c["verdict"] == v)) for v in shown]
        lines.append(f"| {cls} | " + " | ".join(row) + f" | {len(sel)} |")
    lines.append("| all | " + " | ".join(str(t[v]) for v in shown) + f" | {len(cases)} |")
    lines += ["", "## Verdicts by level", "",
              "| level | " + " | ".join(shown) + " |",
              "| --- | " + " | ".join("---:" for _ in shown) + " |"]
    for level in ("MUST", "SHOULD", "IMPL", "UNDEF", "INFO"):
        sel = [c for c in cases if c["level"] == level]
        if sel:
            lines.append(f"| {level} | " + " | ".join(
                str(sum(1 for c in sel if c["verdict"] == v)) for v in shown) + " |")
    lines += ["", "## Failures", ""]
    if not bad:
        lines.append("None.")
    for c in bad:
        lines += [f"### {c['id']}: {c['verdict']}", "",
                  f"{c['title']} (`{c['file']}`, level {c['level']}, rules "
                  f"{', '.join(c['rules'])})", "",
                  "```text", c.get("details") or c.get("summary", ""), "```", ""]
    xf = [c for c in cases if c["verdict"] == "XFAIL"]
    if xf:
        lines += ["", "## Expected failures (XFAIL)", ""]
        for c in xf:
            e = c.get("expected") or {}
            lines.append(f"- `{c['id']}`: {e.get('expected')} on {e.get('rule')}: "
                         f"{e.get('reason')}")
    sk = [c for c in cases if c["verdict"] == "SKIP"]
    if sk:
        lines += ["", "## Skipped", ""]
        lines += [f"- `{c['id']}`: {c['summary']}" for c in sk]
    norm: dict[str, int] = {}
    for c in cases:
        for n in c["normalisations"]:
            norm[n] = norm.get(n, 0) + 1
    if norm:
        lines += ["", "## Normalisations", "",
                  "How often each normalisation fired on the implementation's bytes.", ""]
        lines += [f"- {n}: {k} case{'s' if k != 1 else ''}" for n, k in sorted(norm.items())]
    curl = [c for c in cases if c.get("curl")]
    if curl:
        bad_curl = [(c["id"], r, o) for c in curl for r, o in c["curl"].items() if o.get("code")]
        lines += ["", "## The real client's view (libcurl)", "",
                  f"{len(curl)} cases also ran their request through libcurl; "
                  f"{len(bad_curl)} transfers ended with a curl error."]
        for cid, r, o in bad_curl[:50]:
            lines.append(f"- `{cid}` {r}: curl error {o['code']}: {o['error']}")
    return "\n".join(lines) + "\n"
