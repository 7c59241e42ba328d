"""The reports of a run, in reports/<impl>/:

- results.json: the stable, documented record (schema harness/schema/results.schema.json,
  described in harness/README.md);
- junit.xml: JUnit XML for CI (validated against harness/schema/junit.xsd by the tests);
- summary.md: the rules conformed to, the rule table, counts by rule class and
  verdict, the deviations grouped by rule (harness.deviations), then every
  failure with expected and actual bytes.

All three are made from the per-case dicts of harness.judge.Result.to_dict, so
they can be written by the pytest controller from what the workers sent.
"""

from __future__ import annotations

import json
import socket
import xml.etree.ElementTree as ET
from pathlib import Path

from .assertions import RULE_STATES
from .deviations import deviations_md
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


def rule_table(spec_rules: dict[str, str], cases: list[dict]) -> dict:
    """Per spec rule: its class and in how many cases it was judged (pass, fail,
    consequence) or not judged; `conforms`: judged somewhere, failed nowhere."""
    table = {rid: {"class": cls, "checked": 0, **{s.replace("-", "_"): 0 for s in RULE_STATES}}
             for rid, cls in sorted(spec_rules.items())}
    for c in cases:
        for rid, state in (c.get("rule_states") or {}).items():
            row = table.setdefault(rid, {"class": "?", "checked": 0,
                                         **{s.replace("-", "_"): 0 for s in RULE_STATES}})
            row[state.replace("-", "_")] += 1
            if state != "not-judged":
                row["checked"] += 1
    for row in table.values():
        row["conforms"] = row["checked"] > 0 and row["fail"] == 0
    return table


def build_results(meta: dict, cases: list[dict]) -> dict:
    cases = sorted(cases, key=lambda c: (c["area"], c["id"]))
    rules = rule_table(meta.get("spec_rules", {}), cases)
    stale = meta.get("run", {}).get("stale_expectations", [])
    return {
        "schema": RESULTS_SCHEMA,
        "suite": {"name": SUITE_NAME, "version": __version__,
                  "cases_total": meta.get("cases_total", len(cases)),
                  "cases_run": len(cases)},
        "implementation": meta.get("implementation", {}),
        "oracle": meta.get("oracle", {}),
        "run": meta.get("run", {}),
        "totals": totals(cases),
        "passed": not run_failed(cases) and not stale,
        "conformance": {"rules_total": len(rules),
                        "rules_conformed": sum(1 for r in rules.values() if r["conforms"]),
                        "rules_failed": sum(1 for r in rules.values() if r["fail"]),
                        "rules_not_judged": sum(1 for r in rules.values() if not r["checked"])},
        "rules": rules,
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
    conf = results.get("conformance") or {}
    if conf:
        ET.SubElement(props, "property", {"name": "rules_conformed", "value":
                                          f"{conf['rules_conformed']} of {conf['rules_total']}"})
    for rid, row in (results.get("rules") or {}).items():       # the rule table
        ET.SubElement(props, "property", {"name": f"rule:{rid}", "value": (
            f"class={row['class']} judged={row['checked']} pass={row['pass']} "
            f"fail={row['fail']} consequence={row['consequence']} "
            f"not_judged={row['not_judged']} conforms={'yes' if row['conforms'] else 'no'}")})
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
    stale = run.get("stale_expectations") or []
    lines.append(f"- Result: **{'passed' if results['passed'] else 'FAILED'}** "
                 f"({', '.join(f'{t[v]} {v}' for v in VERDICTS if t[v])})"
                 + (f"; stale [[rule]] expectations: {', '.join(stale)}" if stale else ""))
    conf = results.get("conformance") or {}
    if conf:
        lines.append(f"- **Conforms to {conf['rules_conformed']} of {conf['rules_total']} "
                     f"rules**: judged in at least one case and failed in none; "
                     f"{conf['rules_failed']} failed, {conf['rules_not_judged']} not judged "
                     "in this run")
    lines += ["", "## Rules", "",
              "Per rule, the cases in which it was judged: pass, fail (a deviation from the "
              "rule itself), consequence (its assertions failed only as a consequence of an "
              "earlier failure), and the cases that name it or touch it without judging it "
              "(an UNDEF rule, or a path the run did not reach). Expected failures (XFAIL) "
              "count as failures here.", "",
              "| rule | class | judged | pass | fail | consequence | not judged | conforms |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for rid, row in (results.get("rules") or {}).items():
        lines.append(f"| {rid} | {row['class']} | {row['checked']} | {row['pass']} | "
                     f"{row['fail']} | {row['consequence']} | {row['not_judged']} | "
                     f"{'yes' if row['conforms'] else 'no' if row['checked'] else '—'} |")
    lines += ["", "## Rules by class", "",
              "| class | rules | conformed | failed | not judged |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for cls in CLASSES:
        rows = [r for r in (results.get("rules") or {}).values() if r["class"] == cls]
        lines.append(f"| {cls} | {len(rows)} | {sum(1 for r in rows if r['conforms'])} | "
                     f"{sum(1 for r in rows if r['fail'])} | "
                     f"{sum(1 for r in rows if not r['checked'])} |")
    lines += ["", "## Case verdicts by rule class", "",
              "A case counts once under each class of the rules it names.", "",
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
    dev = deviations_md(results, heading=2).split("\n")
    lines += [""] + dev
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
            rules = ", ".join(e.get("rules") or {})
            case = (e.get("case") or {}).get("reason")
            lines.append(f"- `{c['id']}`: " + "; ".join(
                x for x in (f"rules {rules}" if rules else "", case or "") if x))
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
    raw: dict[str, int] = {}
    for c in cases:
        for why in sorted(set(c.get("raw_requests", {}).values())):
            raw[why] = raw.get(why, 0) + 1
    if raw:
        lines += ["", "## Requests sent raw", "",
                  f"{len(cases) - len(curl)} of {len(cases)} cases send a request on plain "
                  "sockets, not through libcurl; the cases by reason:", ""]
        lines += [f"- {k}: {why}" for why, k in sorted(raw.items(), key=lambda x: (-x[1], x[0]))]
    if curl:
        bad_curl = [(c["id"], r, o) for c in curl for r, o in c["curl"].items() if o.get("code")]
        lines += ["", "## The real client's view (libcurl)", "",
                  f"{len(curl)} cases also ran their request through libcurl; "
                  f"{len(bad_curl)} transfers ended with a curl error."]
        for cid, r, o in bad_curl[:50]:
            lines.append(f"- `{cid}` {r}: curl error {o['code']}: {o['error']}")
        kept = sum(1 for c in curl for o in c["curl"].values() if o.get("reuse"))
        lines += ["", f"curl would have reused the connection after {kept} of "
                      f"{sum(len(c['curl']) for c in curl)} transfers."]
        disagree = [(c["id"], c["verdict"], d) for c in curl for d in c.get("curl_disagrees", [])]
        lines += ["", "### Where curl and the verdict disagree", "",
                  f"{len(disagree)} transfers: curl failed on bytes the judge accepted, or "
                  "completed a transfer whose bytes the judge rejected."]
        lines += [f"- `{cid}` ({v}) {d}" for cid, v, d in disagree[:100]]
        if len(disagree) > 100:
            lines.append(f"- ... and {len(disagree) - 100} more (results.json: curl_disagrees)")
    return "\n".join(lines) + "\n"
