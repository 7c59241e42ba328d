"""The prose of each rule block and the chapter titles, from spec/*.md.

harness.spec parses the fields; the prose is what follows them up to the next
heading of level three or less (spec/README.md, "Rule blocks").
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown

HEADING_RE = re.compile(r"^(#{1,3})[ \t]")
FENCE_RE = re.compile(r"^[ \t]{0,3}(```|~~~)")
FIELD_RE = re.compile(r"^- [A-Za-z][A-Za-z ]*?:")


def chapter_title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def rule_prose(path: Path, line: int) -> str:
    """The Markdown prose of the rule whose heading is at 1-based `line`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = line  # the line after the heading
    while i < len(lines) and FIELD_RE.match(lines[i]):
        i += 1
    body: list[str] = []
    in_fence = False
    while i < len(lines):
        text = lines[i]
        if FENCE_RE.match(text):
            in_fence = not in_fence
        elif not in_fence and HEADING_RE.match(text):
            break
        body.append(text)
        i += 1
    return "\n".join(body).strip()


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=["tables", "fenced_code"], output_format="html")
