#!/usr/bin/env python3
"""Writes a Wine expectations file from a run of the suite against Wine.

    python3 tools/wine_expectations.py RESULTS_JSON OUT_TOML "Wine 8.0"

RESULTS_JSON is the results.json of a run without expectations. Every case
that did not pass gets an entry: its verdict, the rule it breaks and what Wine
did instead, read from the run's own mismatch report (return codes, header
lines, connection fate) and the adapter's log (a call that aborts the
process). The rule is the first one the case names that a deviation breaks;
when the only deviation is the missing Server line, it is WIRE-SERVER, which
every case checks.
"""

from __future__ import annotations

import json
import re
import sys

CALL_RE = re.compile(r"^- call (\d+) \((\w+)\): returned (\d+) \((\w+)\), expected (.+)$")
UNEXPECTED_RESPONSE_RE = re.compile(r"^- response \d+: an unexpected response (.+)$")
STUB_RE = re.compile(r"unimplemented function httpapi\.dll\.(\w+)")
FAULT_RE = re.compile(r"exception (0x[0-9a-f]+) at \S+")
CARRIED_RE = re.compile(r"^connection (\w+) carried (\d+) bytes in all, expected (\d+) "
                        r"\(only the first \d+ are kept and compared\)$")
STILL_OPEN_RE = re.compile(r"^connection (\w+): still open \(no end of stream after the response\), "
                           r"expected closed by the server$")
FN_NAMES = {"response": "HttpSendHttpResponse", "body": "HttpSendResponseEntityBody"}


def first_rule(rules: list[str], prefixes: tuple[str, ...], skip=("CALL-OK",)) -> str | None:
    for r in rules:
        if r.startswith(prefixes) and r not in skip:
            return r
    return None


def deviations(case: dict) -> list[tuple[str | None, str]]:
    """(rule or None, what Wine did) for each deviation in the case's report."""
    rules = case["rules"]
    param_rule = first_rule(rules, ("CALL-", "SEND-", "BODY-", "RESP-", "FLAG-")) or rules[0]
    out: list[tuple[str | None, str]] = []
    details = case.get("details", "")
    lines = details.split("\n")
    try:
        start = next(i for i, l in enumerate(lines) if l.startswith("  mismatch:"))
    except StopIteration:
        return [(rules[0], case["summary"])]
    section = None
    for raw in lines[start + 1:]:
        if raw.startswith("  connection ") or raw.startswith("  Expected"):
            break
        line = raw.strip()
        m = CALL_RE.match(line)
        if m:
            n, fn, rc, name, exp = m.groups()
            out.append((param_rule, f"{FN_NAMES.get(fn, fn)} (call {n}) returns {rc} ({name}) "
                                    f"where the case allows {exp}"))
            continue
        m = UNEXPECTED_RESPONSE_RE.match(line)
        if m:
            out.append((param_rule, f"sends a response ({m.group(1).strip()}) where nothing may be sent"))
            continue
        if line.startswith("- response") and "header lines differ" in line:
            section = "headers"
            continue
        if section == "headers" and line.startswith(("missing:", "unexpected:")):
            kind, _, field = line.partition(":")
            field = field.strip()
            name = field.split(":")[0].strip().lower()
            if kind == "missing" and name == "server":
                out.append(("WIRE-SERVER", "writes no Server header"))
            elif name == "content-length":
                rule = (first_rule(rules, ("WIRE-CL-",)) or first_rule(rules, ("WIRE-NOTHING-ELSE",))
                        or first_rule(rules, ("WIRE-",)))
                verb = "omits" if kind == "missing" else "writes"
                out.append((rule, f"{verb} {field}"))
            elif name == "connection":
                rule = first_rule(rules, ("WIRE-CONNECTION-CLOSE",)) or first_rule(rules, ("CONN-", "WIRE-"))
                out.append((rule, f"{'omits' if kind == 'missing' else 'writes'} {field}"))
            else:
                rule = first_rule(rules, ("WIRE-",)) or param_rule
                out.append((rule, f"{'omits the line' if kind == 'missing' else 'writes the line'} {field}"))
            continue
        if line.startswith("- "):
            section = None
            text = line[2:]
            m = STILL_OPEN_RE.match(text)
            if m:
                text = f"keeps connection {m.group(1)} open where the server must close it"
            m = CARRIED_RE.match(text)
            if m and int(m.group(2)) < int(m.group(3)):
                # How much arrives varies from run to run; that it is not all does not.
                text = (f"connection {m.group(1)} carries only part of the {m.group(3)} bytes "
                        "of the response (the call returned success)")
            if text.startswith(("connection", "keeps connection")) or "did not reach the application" in text:
                rule = first_rule(rules, ("CONN-",)) or first_rule(rules, ("WIRE-CONNECTION",)) or rules[0]
            elif "bytes" in text.lower() or "completion" in text.lower():
                rule = first_rule(rules, ("CONN-BYTES", "CONN-ASYNC", "CALL-BYTES")) or param_rule
            elif text.startswith("response"):
                rule = first_rule(rules, ("WIRE-",)) or param_rule
            else:
                rule = param_rule
            out.append((rule, text))
    return out or [(rules[0], case["summary"])]


def crash_reason(case: dict) -> str:
    log = case.get("adapter_log", "")
    calls = [l for l in case.get("transcript", []) if l.startswith("> CALL ")]
    m = STUB_RE.search(log)
    if m:
        fn = m.group(1)
        if fn == "HttpAddFragmentToCache":
            return ("HttpAddFragmentToCache is an unimplemented stub: the process aborts when the "
                    "application caches the fragment the call names, before the call")
        return f"{fn} is an unimplemented stub: the call aborts the process"
    crash = [l for l in log.splitlines() if "crash:" in l]
    if crash:
        what = FAULT_RE.sub(r"exception \1", crash[-1].split("crash:", 1)[1].strip())
        if "0xc0000005" in what:
            what = "an access violation (exception 0xc0000005)"
        return f"{what} ends the process during {calls[-1][2:] if calls else 'the case'}"
    return case["summary"]


def entry_for(case: dict) -> tuple[str, str]:
    if case["verdict"] == "CRASH":
        return case["rules"][0], crash_reason(case)
    if case["verdict"] == "TIMEOUT":
        return case["rules"][0], case["summary"]
    devs = deviations(case)
    own = [r for r, _ in devs if r and r in case["rules"]]
    rule = own[0] if own else ("WIRE-SERVER" if any(r == "WIRE-SERVER" for r, _ in devs) else case["rules"][0])
    seen: list[str] = []
    for _, text in devs:
        if text not in seen:
            seen.append(text)
    return rule, "; ".join(seen)


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=True)


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    results, out_path, label = argv[1:]
    with open(results) as fh:
        data = json.load(fh)
    cases = sorted((c for c in data["cases"] if c["verdict"] in ("FAIL", "CRASH", "TIMEOUT", "XFAIL")),
                   key=lambda c: c["id"])
    lines = [f"# {label}: the cases it fails, each with the spec rule it breaks and what it",
             "# does instead. Written by tools/wine_expectations.py from a run of the suite",
             f"# ({data['implementation'].get('version', '?')}, suite {data['suite']['version']});",
             "# `make wine-expectations` rewrites it. An entry that starts to pass (XPASS)",
             "# fails the run: then refresh this file.", ""]
    for c in cases:
        if c["verdict"] == "XFAIL":
            exp = c["expected"]
            verdict, rule, reason = exp["expected"], exp["rule"], exp["reason"]
        else:
            verdict = c["verdict"]
            rule, reason = entry_for(c)
        lines += [f"[{toml_str(c['id'])}]", f"expected = {toml_str(verdict)}",
                  f"rule = {toml_str(rule)}", f"reason = {toml_str(reason)}", ""]
    with open(out_path, "w") as fh:
        fh.write("\n".join(lines))
    print(f"{out_path}: {len(cases)} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
