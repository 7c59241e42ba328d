"""Parse the rule blocks of the specification (spec/*.md).

A rule block is a level-three heading ``### <ID>: <title>`` followed at once
by field lines ``- Key: value`` (Class, Source, Applies to, Reference,
Allowed, Model) and then by prose. Headings of any other shape are ordinary
headings. Lines inside fenced code blocks are never headings.

Usage:
    python3 -m harness.spec spec/            # all rules as JSON
    python3 -m harness.spec --summary spec/  # number of rules by class
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

CLASSES = ("DOC", "OBS", "RFC", "IMPL", "UNDEF")
ID_RE = re.compile(r"^[A-Z0-9]+(?:-[A-Z0-9]+)+$")
# A rule heading: level three, first word ending in a colon.
RULE_HEADING_RE = re.compile(r"^###[ \t]+(\S+):(?:[ \t]+(.*?))?[ \t]*$")
HEADING_RE = re.compile(r"^(#{1,6})[ \t]")
FIELD_RE = re.compile(r"^- ([A-Za-z][A-Za-z ]*?):[ \t]*(.*?)[ \t]*$")
FENCE_RE = re.compile(r"^[ \t]{0,3}(```|~~~)")

# field name in the spec -> attribute of Rule
FIELDS = {
    "Class": "cls",
    "Source": "source",
    "Applies to": "applies",
    "Reference": "reference",
    "Allowed": "allowed",
    "Model": "model",
}
REQUIRED = ("Class", "Source", "Applies to", "Model")
MODEL_NOT = "not modelled:"


class SpecError(ValueError):
    """A malformed rule block; the message names the file and the line."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    cls: str
    source: str
    applies: str
    reference: str | None
    allowed: str | None
    model: str
    file: str
    line: int

    @property
    def modelled(self) -> bool:
        return self.model == "modelled"


def _parse_file(path: Path, display: str) -> list[Rule]:
    lines = path.read_text(encoding="utf-8").splitlines()
    rules: list[Rule] = []
    in_fence = False
    i = 0
    while i < len(lines):
        text = lines[i]
        if FENCE_RE.match(text):
            in_fence = not in_fence
            i += 1
            continue
        m = None if in_fence else RULE_HEADING_RE.match(text)
        if not m:
            i += 1
            continue
        lineno = i + 1
        rule_id, title = m.group(1), (m.group(2) or "")
        if not ID_RE.match(rule_id):
            raise SpecError(display, lineno,
                            f"bad rule id {rule_id!r} (expected [A-Z0-9]+(-[A-Z0-9]+)+)")
        if not title:
            raise SpecError(display, lineno, f"rule {rule_id} has no title")
        values: dict[str, str] = {}
        j = i + 1
        while j < len(lines):
            fm = FIELD_RE.match(lines[j])
            if not fm:
                if lines[j].startswith("- "):
                    raise SpecError(display, j + 1,
                                    f"rule {rule_id}: malformed field line {lines[j]!r}")
                break
            key, value = fm.group(1), fm.group(2)
            if key not in FIELDS:
                raise SpecError(display, j + 1, f"rule {rule_id}: unknown field {key!r}")
            if key in values:
                raise SpecError(display, j + 1, f"rule {rule_id}: field {key!r} given twice")
            if not value:
                raise SpecError(display, j + 1, f"rule {rule_id}: field {key!r} is empty")
            values[key] = value
            j += 1
        for key in REQUIRED:
            if key not in values:
                raise SpecError(display, lineno, f"rule {rule_id}: missing field {key!r}")
        if values["Class"] not in CLASSES:
            raise SpecError(display, lineno,
                            f"rule {rule_id}: unknown class {values['Class']!r} "
                            f"(expected one of {', '.join(CLASSES)})")
        model = values["Model"]
        if model != "modelled" and not (model.startswith(MODEL_NOT)
                                        and model[len(MODEL_NOT):].strip()):
            raise SpecError(display, lineno,
                            f"rule {rule_id}: Model must be 'modelled' or "
                            f"'not modelled: <reason>', got {model!r}")
        kwargs = {FIELDS[k]: values.get(k) for k in FIELDS}
        rules.append(Rule(id=rule_id, title=title, file=display, line=lineno, **kwargs))
        i = j
    if in_fence:
        raise SpecError(display, len(lines), "unterminated code fence")
    return rules


def load_rules(spec_dir: str | Path) -> dict[str, Rule]:
    """Return every rule of the *.md files in spec_dir, keyed by id, in file order.

    Raises SpecError (naming file and line) for a malformed rule block:
    a bad id, a missing or unknown field, an unknown class, a duplicate id.
    """
    spec_dir = Path(spec_dir)
    if not spec_dir.is_dir():
        raise FileNotFoundError(f"{spec_dir}: not a directory")
    rules: dict[str, Rule] = {}
    for path in sorted(spec_dir.glob("*.md")):
        for rule in _parse_file(path, path.name):
            if rule.id in rules:
                first = rules[rule.id]
                raise SpecError(rule.file, rule.line,
                                f"duplicate rule id {rule.id} "
                                f"(first at {first.file}:{first.line})")
            rules[rule.id] = rule
    return rules


def summary(rules: dict[str, Rule]) -> dict[str, int]:
    counts = {cls: 0 for cls in CLASSES}
    for rule in rules.values():
        counts[rule.cls] += 1
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m harness.spec",
                                     description="Parse the specification's rule blocks.")
    parser.add_argument("spec_dir", nargs="?", default="spec", help="the spec directory")
    parser.add_argument("--summary", action="store_true",
                        help="print the number of rules by class")
    args = parser.parse_args(argv)
    try:
        rules = load_rules(args.spec_dir)
    except (SpecError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.summary:
        counts = summary(rules)
        modelled = sum(1 for r in rules.values() if r.modelled)
        for cls in CLASSES:
            print(f"{cls:6} {counts[cls]}")
        print(f"{'total':6} {len(rules)} ({modelled} modelled)")
    else:
        json.dump({rid: asdict(rule) for rid, rule in rules.items()}, sys.stdout, indent=2)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
