#!/usr/bin/python3
"""mutate.py: mutation testing of the conformance suite against the C model.

Generates mutants of model/src/*.c by small textual operators, one edit per
mutant, builds the reference adapter from each mutant model and runs the
conformance suite against it with the unmutated reference adapter as the
oracle. A mutant is killed when the suite run fails (exit status non-zero).
The model's unit tests are run against each mutant too and recorded
separately; the score counts the suite only.

    /usr/bin/python3 tools/mutate.py                 # all mutants
    /usr/bin/python3 tools/mutate.py --list          # print the mutants, run nothing
    /usr/bin/python3 tools/mutate.py --limit 40 --operators rel,errcode --file hs_check.c
    /usr/bin/python3 tools/mutate.py --file hs_head.c --update   # one file again, the rest kept

Writes reports/mutation/summary.json and summary.md; per-mutant work goes to
build/mutants/<n>/. Survivors judged equivalent are listed, with a reason, in
tools/mutation-equivalents.toml (keyed by mutant id) and stay in the survivor
list marked equivalent. Stdlib only.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = "/usr/bin/python3"
OPERATORS = ("rel", "errcode", "skip-check", "drop-put", "dup-put", "length", "bool", "state")
ERRCODE_SWAP = {
    "ERROR_INVALID_PARAMETER": "ERROR_CONNECTION_INVALID",
    "ERROR_CONNECTION_INVALID": "ERROR_INVALID_PARAMETER",
    "ERROR_INVALID_HANDLE": "ERROR_INVALID_PARAMETER",
    "ERROR_PATH_NOT_FOUND": "ERROR_INVALID_PARAMETER",
}
REL_SWAP = {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="}
STATE_SWAP = {"HS_ST_DONE": "HS_ST_STREAMING", "HS_ST_STREAMING": "HS_ST_DONE"}
CFLAGS = ["-std=c99", "-O2", "-g", "-Wall", "-Wextra"]
EQUIVALENT_KINDS = ("equivalent", "latitude")
SANITIZER_KILL = "killed under ASan/UBSan: "
SANITIZE = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]


@dataclass
class Mutant:
    operator: str
    file: str          # e.g. model/src/hs_check.c
    line: int          # 1-based
    col: int           # 0-based column of the edit in the line
    old: str           # replaced text (within the line)
    new: str           # replacement text
    original: str = ""  # the whole original line (stripped)
    mutated: str = ""   # the whole mutated line (stripped)
    id: str = ""

    def apply(self, text: str) -> str:
        lines = text.split("\n")
        ln = lines[self.line - 1]
        assert ln[self.col:self.col + len(self.old)] == self.old, (self, ln)
        lines[self.line - 1] = ln[:self.col] + self.new + ln[self.col + len(self.old):]
        return "\n".join(lines)


# ---------------------------------------------------------------- scanning

def code_mask(text: str) -> list[bool]:
    """For each character of text: True when it is C code, False inside a
    comment (including ACSL /*@ */ and //@ annotations), a string or a
    character literal."""
    mask = [True] * len(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                mask[k] = False
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                mask[k] = False
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + 1)
            for k in range(i, j):
                mask[k] = False
            i = j
        else:
            i += 1
    return mask


def _code_lines(text: str):
    """Yield (lineno, line, line_mask, code_only) for each line; code_only
    has the non-code characters replaced by spaces (columns preserved)."""
    mask = code_mask(text)
    pos = 0
    for no, line in enumerate(text.split("\n"), 1):
        lm = mask[pos:pos + len(line)]
        code = "".join(ch if m else " " for ch, m in zip(line, lm))
        yield no, line, lm, code
        pos += len(line) + 1


def _match_paren(s: str, open_idx: int) -> int:
    """Index of the ')' matching s[open_idx] == '(' on this line, or -1."""
    depth = 0
    for k in range(open_idx, len(s)):
        if s[k] == "(":
            depth += 1
        elif s[k] == ")":
            depth -= 1
            if depth == 0:
                return k
    return -1


def _split_last_arg(code: str, open_idx: int, close_idx: int) -> int:
    """Start index of the last top-level argument of the call (...)."""
    depth, last = 0, open_idx + 1
    for k in range(open_idx + 1, close_idx):
        if code[k] in "([":
            depth += 1
        elif code[k] in ")]":
            depth -= 1
        elif code[k] == "," and depth == 0:
            last = k + 1
    while last < close_idx and code[last] == " ":
        last += 1
    return last


REL_RE = re.compile(r"<=|>=|==|!=|<<=?|>>=?|->|<|>")
# A writer's step: `need = hs_put...(...);` (or a bare call), and a writer's last
# step `return hs_put...(...);`. A declaration (`size_t need = ...`) is left alone.
PUT_STMT_RE = re.compile(r"^(\s*)((?:\w+\s*=\s*)?(?:hs_put\w*|HS_PUT_LIT)\s*\(.*\)\s*;)\s*$")
PUT_RETURN_RE = re.compile(r"^(\s*)(return\s+((?:hs_put\w*|HS_PUT_LIT)\s*\(.*\))\s*;)\s*$")
# The head of a function's declaration or definition: `size_t hs_put(...`.
DEFINITION_RE = re.compile(r"^(?:static\s+)?(?:const\s+)?\w+\s+\**\w+\s*\((?:const\s+)?\w+(?:\s+|\s*\*+\s*)\w+\s*[,)]")
# The files whose code writes the bytes of a response through hs_put.
RENDER_FILES = ("hs_render.c", "hs_head.c", "hs_known.c", "hs_body.c", "hs_write.c")
RET_RULE_RE = re.compile(r"return\s+HS_RULE_\w+\s*;")
RET_BOOL_RE = re.compile(r"return\s+([01])\s*;")


def generate(path: Path, text: str | None = None, rel: str | None = None) -> list[Mutant]:
    """All mutants of one C file, in a deterministic order (line, column, operator)."""
    if text is None:
        text = path.read_text()
    rel = rel or str(path)
    is_render = path.name in RENDER_FILES
    out: list[Mutant] = []
    prev_code = ""
    for no, line, lm, code in _code_lines(text):
        stripped = code.strip()
        if not stripped:
            continue
        found: list[Mutant] = []
        is_include = stripped.startswith("#include")
        # relational flips / off-by-one
        if not is_include:
            for m in REL_RE.finditer(code):
                tok = m.group(0)
                if tok in REL_SWAP:
                    found.append(Mutant("rel", rel, no, m.start(), tok, REL_SWAP[tok]))
        # error codes
        for name, repl in ERRCODE_SWAP.items():
            for m in re.finditer(r"\b%s\b" % name, code):
                found.append(Mutant("errcode", rel, no, m.start(), name, repl))
        # skipped validation: a braceless if's `return HS_RULE_X;` becomes a fall-through
        for m in RET_RULE_RE.finditer(code):
            before = code[:m.start()].strip()
            single = re.match(r"^(else\s+)?if\s*\(", before) and before.endswith(")")
            braceless = not before and prev_code.rstrip().endswith(")") and \
                re.search(r"\b(if|\|\||&&)\b|^\s*\(|\)$", prev_code)
            if single or braceless:
                found.append(Mutant("skip-check", rel, no, m.start(), m.group(0), ";"))
        # the writers of the bytes (RENDER_FILES): dropped, duplicated, wrong length
        if is_render:
            pm = PUT_STMT_RE.match(code)
            if pm and not stripped.startswith("static"):
                stmt = line[pm.start(2):pm.end(2)]   # the source, literals included
                col = len(pm.group(1))
                found.append(Mutant("drop-put", rel, no, col, stmt, ";"))
                found.append(Mutant("dup-put", rel, no, col, stmt, "{ %s %s }" % (stmt, stmt)))
            rm = PUT_RETURN_RE.match(code)
            if rm:
                stmt, call = line[rm.start(2):rm.end(2)], line[rm.start(3):rm.end(3)]
                col = len(rm.group(1))
                # the writers' count is named need: dropped, the step returns it unchanged
                found.append(Mutant("drop-put", rel, no, col, stmt, "return need;"))
                found.append(Mutant("dup-put", rel, no, col, stmt,
                                    "{ need = %s; return %s; }" % (call, call)))
            for m in re.finditer(r"\bhs_put\s*\(", code):
                # a declaration or definition of a writer, not a call
                if stripped.startswith("static") or stripped.startswith("#define") or \
                        DEFINITION_RE.match(stripped):
                    continue
                op = code.index("(", m.start())
                cl = _match_paren(code, op)
                if cl < 0:
                    continue
                la = _split_last_arg(code, op, cl)
                arg = line[la:cl].rstrip()
                if not arg:
                    continue
                if re.fullmatch(r"[\w.\->\[\]]+", arg):
                    found.append(Mutant("length", rel, no, la, arg, "%s - 1" % arg))
                    found.append(Mutant("length", rel, no, la, arg, "%s + 1" % arg))
                else:
                    found.append(Mutant("length", rel, no, la, arg, "(%s) - 1" % arg))
                    found.append(Mutant("length", rel, no, la, arg, "(%s) + 1" % arg))
            for m in re.finditer(r"sizeof\s*\(?\s*\w+\s*\)?\s*-\s*1u", code):
                sz = re.match(r"sizeof\s*\(?\s*\w+\s*\)?", m.group(0)).group(0)
                found.append(Mutant("length", rel, no, m.start(), m.group(0), sz))
        # flipped boolean results
        for m in RET_BOOL_RE.finditer(code):
            flip = "1" if m.group(1) == "0" else "0"
            found.append(Mutant("bool", rel, no, m.start(), m.group(0), "return %s;" % flip))
        # state changes
        for name, repl in STATE_SWAP.items():
            for m in re.finditer(r"\b%s\b" % name, code):
                found.append(Mutant("state", rel, no, m.start(), name, repl))
        found.sort(key=lambda mu: (mu.col, OPERATORS.index(mu.operator)))
        for mu in found:
            mu.original = line.strip()
            mu.mutated = (line[:mu.col] + mu.new + line[mu.col + len(mu.old):]).strip()
        out.extend(found)
        prev_code = code
    return out


def all_mutants(files: list[Path], operators: set[str]) -> list[Mutant]:
    ms: list[Mutant] = []
    for f in files:
        for mu in generate(f, rel=str(f.relative_to(ROOT))):
            if mu.operator in operators:
                ms.append(mu)
    for n, mu in enumerate(ms, 1):
        short = Path(mu.file).stem
        mu.id = "%s:%s:%d:%d:%s->%s" % (mu.operator, short, mu.line, mu.col, mu.old, mu.new)
    return ms


# ---------------------------------------------------------------- running

def _run(cmd, cwd=None, timeout=None, log=None):
    """Run cmd in its own process group; kill the group on timeout.
    Returns (returncode or None on timeout, output)."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True, text=True, errors="replace")
    try:
        out, _ = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        rc = None
    if log:
        Path(log).write_text(out)
    return rc, out


def _compile(out_path: Path, srcs: list[str], incs: list[str], extra: list[str], log: Path):
    cmd_strict = ["gcc", *CFLAGS, "-Werror", *extra, *["-I" + i for i in incs], "-o", str(out_path), *srcs]
    rc, out = _run(cmd_strict, cwd=ROOT, timeout=120)
    if rc == 0:
        log.write_text(out)
        return "ok"
    cmd = [c for c in cmd_strict if c != "-Werror"]
    rc2, out2 = _run(cmd, cwd=ROOT, timeout=120)
    log.write_text(out + "\n--- without -Werror ---\n" + out2)
    return "warnings" if rc2 == 0 else "failed"


def run_mutant(n: int, mu: Mutant, args) -> dict:
    t0 = time.time()
    d = Path(args.work).resolve() / str(n)
    if d.exists():
        shutil.rmtree(d)
    (d / "model").mkdir(parents=True)
    for sub in ("src", "include", "tests"):
        shutil.copytree(ROOT / "model" / sub, d / "model" / sub)
    target = d / "model" / "src" / Path(mu.file).name
    target.write_text(mu.apply(target.read_text()))
    (d / "mutant.json").write_text(json.dumps(mu.__dict__, indent=1))
    srcs = sorted(str(p) for p in (d / "model" / "src").glob("*.c"))
    # as the Makefile: every adapter source (fuzz_parser.c is empty without -DHS_FUZZ_PARSER)
    adapter_src = sorted(str(p) for d in ("reference", "common")
                         for p in (ROOT / "harness/adapters" / d).glob("*.c"))
    res = {"n": n, **mu.__dict__}
    build = _compile(d / "hs-reference-adapter", adapter_src + srcs,
                     ["harness/adapters/reference", "harness/adapters/common", str(d / "model/include")],
                     ["-D_POSIX_C_SOURCE=200809L"] + (SANITIZE if args.sanitize else []),
                     d / "build.log")
    res["build"] = build
    if build == "failed":
        res["status"] = "stillborn"
        res["seconds"] = round(time.time() - t0, 2)
        return res
    # the model's unit tests against the mutant
    ub = _compile(d / "unit-tests", [str(d / "model/tests/unit_tests.c"), *srcs],
                  [str(d / "model/include")], [], d / "unit-build.log")
    if ub == "failed":
        res["unit"] = "stillborn"
    else:
        rc, _ = _run([str(d / "unit-tests")], cwd=ROOT, timeout=30, log=d / "unit.log")
        res["unit"] = "killed" if rc != 0 else "survived"
    cmd = [PYTHON, "-m", "harness.run", "--impl", "mutant",
           "--adapter", str(d / "hs-reference-adapter"),
           "--oracle", str(ROOT / "build" / "hs-reference-adapter"),
           "--server-token", "Microsoft-HTTPAPI/2.0",
           "--jobs", str(args.jobs), "--report-dir", str(d / "report")]
    if args.fail_fast:
        cmd += ["--", "-x"]
    rc, out = _run(cmd, cwd=ROOT, timeout=args.suite_timeout, log=d / "suite.log")
    res["suite_rc"] = rc
    if rc is None:
        res["status"], res["reason"] = "killed", "suite run timed out"
    elif rc == 2:
        res["status"], res["reason"] = "error", "harness usage error (exit 2)"
    elif rc != 0:
        res["status"] = "killed"
        res["reason"] = _kill_reason(d / "report" / "results.json")
    else:
        res["status"] = "survived"
        res["reason"] = "every case passed"
    res["seconds"] = round(time.time() - t0, 2)
    return res


def _kill_reason(results: Path) -> str:
    try:
        data = json.loads(results.read_text())
    except (OSError, ValueError):
        return "suite failed (no results.json)"
    bad = [c for c in data.get("cases", []) if c.get("verdict") in ("FAIL", "CRASH", "TIMEOUT", "ERROR", "XPASS")]
    if not bad:
        return "suite failed"
    first = bad[0]
    return "%d case(s) failed, first %s %s %s" % (len(bad), first["verdict"], first["id"],
                                                  ",".join(first.get("mismatches") or []))


def load_equivalents(path: Path) -> dict[str, str]:
    """id -> "kind: reason" from tools/mutation-equivalents.toml."""
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text())
    out = {}
    for e in data.get("equivalent", []):
        out[e["id"]] = "%s: %s" % (e.get("kind", "equivalent"), e["reason"])
    return out


def summarise(results: list[dict], equivalents: dict[str, str], seconds: float, argv) -> dict:
    scored = [r for r in results if r["status"] in ("killed", "survived")]
    killed = sum(r["status"] == "killed" for r in scored)
    by_op: dict[str, dict] = {}
    for r in results:
        b = by_op.setdefault(r["operator"], {"killed": 0, "total": 0, "stillborn": 0,
                                             "survived": 0, "equivalent": 0, "unit_killed": 0})
        if r["status"] == "stillborn":
            b["stillborn"] += 1
            continue
        if r["status"] not in ("killed", "survived"):
            continue
        b["total"] += 1
        b["killed"] += r["status"] == "killed"
        b["survived"] += r["status"] == "survived"
        b["equivalent"] += r["status"] == "survived" and r["id"] in equivalents
        b["unit_killed"] += r.get("unit") == "killed"
    for b in by_op.values():
        b["score"] = round(b["killed"] / b["total"], 4) if b["total"] else None
    survivors = []
    for r in results:
        if r["status"] != "survived":
            continue
        eq = r["id"] in equivalents
        survivors.append({"id": r["id"], "operator": r["operator"], "file": r["file"],
                          "line": r["line"], "original": r["original"], "mutated": r["mutated"],
                          "reason": equivalents.get(r["id"], "not killed by any case (a gap)"),
                          "equivalent": eq, "unit_tests": r.get("unit")})
    scored_n = len(scored)
    # Only a survivor whose behaviour is the model's or one the spec allows is
    # equivalent; one the protocol cannot drive stays in the count, explained.
    for sv in survivors:
        sv["equivalent"] = sv["equivalent"] and sv["reason"].split(":")[0] in EQUIVALENT_KINDS
        sv["explained"] = sv["id"] in equivalents
    n_eq = sum(s["equivalent"] for s in survivors)
    # The mutation score's usual definition: killed over the mutants that can
    # be killed, i.e. without the equivalent ones (each listed with its reason).
    total = scored_n - n_eq
    return {
        "killed": killed, "total": total,
        "score": round(killed / total, 4) if total else None,
        "definition": "killed / (compiled mutants - equivalent survivors); a mutant is killed when "
                      "the suite fails against it, in the plain build or, for survivors, under ASan/UBSan",
        "compiled": scored_n, "equivalent": n_eq,
        "raw_score": round(killed / scored_n, 4) if scored_n else None,
        "killed_by_sanitizer": sum(str(r.get("reason", "")).startswith(SANITIZER_KILL) for r in results),
        "stillborn": sum(r["status"] == "stillborn" for r in results),
        "errors": sum(r["status"] == "error" for r in results),
        "generated": len(results),
        "unit_tests_killed": sum(r.get("unit") == "killed" for r in scored),
        "survivors": survivors,
        "by_operator": by_op,
        "run": {"seconds": round(seconds, 1), "argv": argv},
        "mutants": [{k: r.get(k) for k in ("n", "id", "operator", "file", "line", "status",
                                           "reason", "unit", "build", "seconds")} for r in results],
    }


def write_md(summary: dict, path: Path) -> None:
    s = summary
    lines = ["# Mutation testing of the conformance suite", "",
             f"Mutants run: {s['generated']}; compiled: {s['compiled']}; equivalent survivors: "
             f"{s['equivalent']}; killable: {s['total']}; killed by the suite: {s['killed']} "
             f"({s['killed_by_sanitizer']} of them only under ASan/UBSan); "
             f"stillborn: {s['stillborn']}; harness errors: {s['errors']}.", "",
             f"**Score: {s['score']}** = killed / killable, the usual definition: an equivalent "
             f"mutant (its behaviour is one the spec allows, or the same as the model's) cannot be "
             f"killed by any correct case, and each is listed below with its reason. "
             f"Killed over all compiled mutants: {s['raw_score']}.",
             f"The model's unit tests kill {s['unit_tests_killed']} of the {s['compiled']} (not part of the score).",
             f"Run time: {s['run']['seconds']} s.", "",
             "| operator | total | killed | survived | equivalent | stillborn | score | unit tests kill |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for op, b in sorted(s["by_operator"].items()):
        lines.append(f"| {op} | {b['total']} | {b['killed']} | {b['survived']} | {b['equivalent']} "
                     f"| {b['stillborn']} | {b['score']} | {b['unit_killed']} |")
    lines += ["", "## Survivors", ""]
    if not s["survivors"]:
        lines.append("None.")
    for sv in s["survivors"]:
        tag = "equivalent" if sv["equivalent"] else "explained" if sv.get("explained") else "GAP"
        lines += [f"* **{tag}** `{sv['id']}` ({sv['file']}:{sv['line']}, unit tests: {sv['unit_tests']})",
                  f"  - original: `{sv['original']}`", f"  - mutated:  `{sv['mutated']}`",
                  f"  - {sv['reason']}"]
    path.write_text("\n".join(lines) + "\n")


def kept_results(out: Path, all_files: list[Path], rerun: list[Path]) -> list[dict]:
    """The last summary's results for the files not run again (--update); each must
    still name a current mutant with the same line, or the whole run is due."""
    old = json.loads((out / "summary.json").read_text())
    lines = {sv["id"]: sv for sv in old["survivors"]}
    again = {str(f.relative_to(ROOT)) for f in rerun}
    current = {mu.id: mu for mu in all_mutants([f for f in all_files
                                                if str(f.relative_to(ROOT)) not in again],
                                               set(OPERATORS))}
    kept = []
    for m in old["mutants"]:
        if m["file"] in again:
            continue
        mu = current.get(m["id"])
        if mu is None:
            raise ValueError(f"{m['id']} of the last run is no longer a mutant of "
                             f"{m['file']}: run that file again too, or the whole run")
        sv = lines.get(m["id"], {})
        kept.append({**m, "original": sv.get("original", mu.original),
                     "mutated": sv.get("mutated", mu.mutated)})
    missing = set(current) - {m["id"] for m in kept}
    if missing:
        raise ValueError(f"{len(missing)} current mutants (e.g. {sorted(missing)[0]}) have no "
                         "result in the last run: run their files again too, or the whole run")
    return kept


def resummarise(out: Path, equivalents: Path) -> int:
    """The summary again from the per-mutant results the last run recorded."""
    old = json.loads((out / "summary.json").read_text())
    lines = {sv["id"]: sv for sv in old["survivors"]}
    results = []
    for m in old["mutants"]:
        sv = lines.get(m["id"], {})
        results.append({**m, "original": sv.get("original", ""), "mutated": sv.get("mutated", "")})
    summary = summarise(results, load_equivalents(equivalents), old["run"]["seconds"],
                        old["run"]["argv"])
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    write_md(summary, out / "summary.md")
    print(f"killed {summary['killed']}/{summary['total']} score {summary['score']}")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--limit", type=int, default=0, help="run at most N mutants (0: all)")
    p.add_argument("--offset", type=int, default=0, help="skip the first N mutants")
    p.add_argument("--operators", default=",".join(OPERATORS),
                   help="comma-separated operators (%s)" % ",".join(OPERATORS))
    p.add_argument("--file", action="append", default=[],
                   help="mutate only this model/src file (name or path); repeatable")
    p.add_argument("--match", action="append", default=[],
                   help="run only mutants whose id contains this text; repeatable")
    p.add_argument("--sanitize", action="store_true",
                   help="build the mutant adapters with ASan/UBSan (out-of-bounds accesses crash)")
    p.add_argument("--sanitize-survivors", action="store_true",
                   help="run every survivor again with an ASan/UBSan build: an out-of-bounds "
                        "read that the plain build gets away with is caught there")
    p.add_argument("--list", action="store_true", help="list the mutants and exit")
    p.add_argument("--update", action="store_true",
                   help="run only the mutants of the files named with --file and put their "
                        "results in the last summary in place of those files' old ones; the "
                        "other files' results are kept, and must still name current mutants")
    p.add_argument("--resummarise", action="store_true",
                   help="rewrite the summary from the last run's results with the current "
                        "equivalents file, running nothing")
    p.add_argument("--jobs", default="2", help="suite workers per mutant (--jobs of harness.run)")
    p.add_argument("--parallel", type=int, default=1, help="mutants processed at once")
    p.add_argument("--suite-timeout", type=float, default=180.0, help="per-mutant suite timeout in s")
    p.add_argument("--no-fail-fast", dest="fail_fast", action="store_false",
                   help="run every case of a killed mutant (default: stop at the first failure)")
    p.add_argument("--equivalents", default=str(ROOT / "tools" / "mutation-equivalents.toml"))
    p.add_argument("--out", default=str(ROOT / "reports" / "mutation"), help="where the summary goes")
    p.add_argument("--work", default=str(ROOT / "build" / "mutants"),
                   help="per-mutant directories <work>/<n> (default build/mutants)")
    args = p.parse_args(argv)
    ops = {o.strip() for o in args.operators.split(",") if o.strip()}
    unknown = ops - set(OPERATORS)
    if unknown:
        p.error("unknown operators: %s" % ", ".join(sorted(unknown)))
    files = sorted((ROOT / "model" / "src").glob("*.c"))
    all_files = files
    if args.update and not args.file:
        p.error("--update needs --file: the files whose mutants run again")
    if args.file:
        want = {Path(f).name for f in args.file}
        files = [f for f in files if f.name in want]
        if not files:
            p.error("no such model file: %s" % ", ".join(args.file))
    ms = all_mutants(files, ops)
    numbered = list(enumerate(ms, 1))
    if args.match:
        numbered = [(n, mu) for n, mu in numbered if any(t in mu.id for t in args.match)]
    numbered = numbered[args.offset:]
    if args.limit:
        numbered = numbered[:args.limit]
    if args.resummarise:
        return resummarise(Path(args.out), Path(args.equivalents))
    if args.list:
        for n, mu in numbered:
            print(f"{n:4} {mu.id}\n       {mu.original}\n    => {mu.mutated}")
        print(f"{len(numbered)} of {len(ms)} mutants", file=sys.stderr)
        return 0
    if not (ROOT / "build" / "hs-reference-adapter").exists():
        print("error: build/hs-reference-adapter missing (make build)", file=sys.stderr)
        return 2
    kept: list[dict] = []
    if args.update:
        try:
            kept = kept_results(Path(args.out), all_files, files)
        except (OSError, ValueError, KeyError) as exc:
            print(f"error: --update: {exc}", file=sys.stderr)
            return 2
    t0 = time.time()
    results: list[dict] = []

    def one(item):
        n, mu = item
        r = run_mutant(n, mu, args)
        print(f"[{n}/{len(ms)}] {r['status']:9} unit={r.get('unit', '-'):9} {r['seconds']:6}s {mu.id}",
              flush=True)
        return r

    with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as ex:
        results = list(ex.map(one, numbered))
        if args.sanitize_survivors and not args.sanitize:
            again = [(r["n"], mu) for (n, mu), r in zip(numbered, results) if r["status"] == "survived"]
            args.sanitize = True
            for r2 in ex.map(one, again):
                if r2["status"] == "killed":
                    r = next(r for r in results if r["n"] == r2["n"])
                    r["status"] = "killed"
                    r["reason"] = SANITIZER_KILL + r2["reason"]
                    r["sanitizer"] = True
            args.sanitize = False
    seconds = time.time() - t0
    run_argv = sys.argv[1:] if argv is None else list(argv)
    if args.update:
        old_run = json.loads((Path(args.out) / "summary.json").read_text())["run"]
        seconds += old_run.get("seconds", 0)
        run_argv = {"last": run_argv, "before": old_run.get("argv")}
        results = kept + results
    summary = summarise(results, load_equivalents(Path(args.equivalents)), seconds, run_argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    write_md(summary, out / "summary.md")
    print(f"killed {summary['killed']}/{summary['total']} score {summary['score']} "
          f"stillborn {summary['stillborn']} survivors {len(summary['survivors'])} "
          f"in {summary['run']['seconds']} s")
    return 0 if summary["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
