"""The model's ACSL contracts, read from its headers, and the rules they name.

Spec chapter 7.1 fixes the convention this module relies on: every ACSL
behaviour of a public function opens with a comment naming the rule ids it
encodes (`behavior opaque_without_101:    // SEND-FLAG-OPAQUE-101`), a named
clause may carry one too (`ensures counted: ...   // CONN-BYTES-SENT`), and
the predicates of hs_logic.h name their rule in the comment above them.
A global lemma of a lemma header is a rule's contract when it says all the
rule promises; its first line names the rule the same way
(`lemma buffer_data_no_effect:     // FLAG-BUFFER-DATA`).
A comment may use a glob (`WIRE-CL-NONE-*`), expanded against the spec ids.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

CONTRACT_HEADERS = ("hs_model.h", "hs_render.h", "hs_render_accepted.h")
LEMMA_HEADERS = ("hs_flag_lemmas.h",)
LEMMAS = "lemma"                # the function name the lemmas are listed under
LOGIC_HEADER = "hs_logic.h"
RULES_HEADER = "hs_rules.h"

ID_TOKEN_RE = re.compile(r"\b[A-Z0-9]+(?:-[A-Z0-9*]+)+\*?")
ANNOT_RE = re.compile(r"/\*@(.*?)\*/", re.S)
BEHAVIOR_RE = re.compile(r"^\s*behavior\s+(\w+)\s*:\s*(?://\s*(.*))?$")
NAMED_CLAUSE_RE = re.compile(r"^\s*(ensures|requires|assigns)\s+(\w+)\s*:(.*?)(?://\s*(.*))?$")
LEMMA_RE = re.compile(r"^\s*lemma\s+(\w+)\s*(?:\{[^}]*\})?\s*:\s*(?://\s*(.*))?$")
GROUP_RE = re.compile(r"^\s*(complete|disjoint)\s+behaviors\s*([\w\s,]*);")
DEF_RE = re.compile(r"^\s*(predicate|logic\s+\w+(?:\s*\*)?)\s+(\w+)")
FUNC_RE = re.compile(r"(\w+)\s*\(")
HS_RULE_RE = re.compile(r'HS_RULE\(\s*(\w+)\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*\)')
# A positive mention of a rule symbol in an assumes clause (not `r != HS_RULE_X`).
POSITIVE_SYMBOL_RE = re.compile(r"(?<!!=\s)(?<!!=)\bHS_RULE_(\w+)")


@dataclass
class Element:
    """One behaviour or named clause of a function contract, or a lemma."""
    function: str               # LEMMAS for a lemma
    name: str
    kind: str                   # "behavior", "ensures"/"requires"/"assigns" or "lemma"
    comment: str                # the text after // on its first line
    rules: list[str]            # spec ids the comment names (globs expanded)
    unknown: list[str]          # id-like tokens of the comment that name no rule
    file: str
    line: int
    text: list[str] = field(default_factory=list)   # the ACSL lines
    symbols: list[str] = field(default_factory=list)  # HS_RULE_ symbols assumed positively
    behavior: str | None = None  # a named clause inside this behaviour

    @property
    def key(self) -> str:
        if self.behavior:
            return f"{self.function}.{self.behavior}.{self.name}"
        return f"{self.function}.{self.name}"


@dataclass
class Definition:
    """A predicate or logic function of hs_logic.h whose comment names rules."""
    name: str
    rules: list[str]
    comment: str
    file: str
    line: int


@dataclass
class Contracts:
    elements: list[Element]
    groups: dict[str, list[list[str]]]      # function -> behaviour groups (complete/disjoint)
    definitions: list[Definition]
    symbols: dict[str, str]                 # HS_RULE symbol -> spec id


def ids_in(comment: str, spec_ids: list[str]) -> tuple[list[str], list[str]]:
    """The spec ids a comment names, in order, globs expanded; and the
    id-like tokens that match no rule."""
    found: list[str] = []
    unknown: list[str] = []
    for token in ID_TOKEN_RE.findall(comment):
        matched = fnmatch.filter(spec_ids, token) if "*" in token else (
            [token] if token in spec_ids else [])
        if not matched:
            unknown.append(token)
        for rid in matched:
            if rid not in found:
                found.append(rid)
    return found, unknown


def rule_symbols(include_dir: Path) -> dict[str, str]:
    """HS_RULE symbol -> spec id, from the X-macro list of hs_rules.h."""
    text = (include_dir / RULES_HEADER).read_text(encoding="utf-8")
    return {sym: rid for sym, rid, _cls in HS_RULE_RE.findall(text) if sym != "NONE"}


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _function_after(text: str, end: int) -> str | None:
    """The name of the function declared right after an annotation."""
    decl = text[end:text.find(";", end) + 1]
    m = FUNC_RE.search(decl)
    return m.group(1) if m else None


def _contract_elements(text: str, file: str, spec_ids: list[str],
                       groups: dict[str, list[list[str]]]) -> list[Element]:
    out: list[Element] = []
    for m in ANNOT_RE.finditer(text):
        function = _function_after(text, m.end())
        body = m.group(1)
        if function is None or "behavior" not in body and "//" not in body:
            continue
        first_line = _line_of(text, m.start(1))
        current: Element | None = None
        in_assumes = False
        for i, line in enumerate(body.split("\n")):
            lineno = first_line + i
            bm = BEHAVIOR_RE.match(line)
            gm = GROUP_RE.match(line)
            cm = NAMED_CLAUSE_RE.match(line)
            if bm:
                comment = (bm.group(2) or "").strip()
                rules, unknown = ids_in(comment, spec_ids)
                current = Element(function, bm.group(1), "behavior", comment, rules, unknown,
                                  file, lineno, [line.strip()])
                out.append(current)
            elif gm:
                current = None
                names = [n.strip() for n in gm.group(2).split(",") if n.strip()]
                if gm.group(1) == "complete":
                    groups.setdefault(function, []).append(names)
            elif cm and current is None:
                # A named clause of the whole contract; those whose comment names
                # no rule still matter when tools/docs/traceability.toml links them.
                comment = (cm.group(4) or "").strip()
                rules, unknown = ids_in(comment, spec_ids)
                out.append(Element(function, cm.group(2), cm.group(1), comment, rules,
                                   unknown, file, lineno, [line.strip()]))
            elif current is not None and line.strip():
                current.text.append(line.strip())
                comment = (cm.group(4) or "").strip() if cm else ""
                rules, unknown = ids_in(comment, spec_ids)
                if cm and (rules or unknown):
                    # A named clause of a behaviour whose comment names rules:
                    # its own element, so those rules link to its goals alone.
                    out.append(Element(function, cm.group(2), cm.group(1), comment, rules,
                                       unknown, file, lineno, [line.strip()],
                                       behavior=current.name))
                if line.strip().startswith("assumes"):
                    in_assumes = True
                if in_assumes:      # an assumes clause may span several lines
                    current.symbols += POSITIVE_SYMBOL_RE.findall(line)
                    in_assumes = not line.rstrip().endswith(";")
    return out


def _lemmas(text: str, file: str, spec_ids: list[str]) -> list[Element]:
    """The global lemmas of a lemma header whose first line names rules."""
    out: list[Element] = []
    for m in ANNOT_RE.finditer(text):
        first_line = _line_of(text, m.start(1))
        current: Element | None = None
        for i, line in enumerate(m.group(1).split("\n")):
            lm = LEMMA_RE.match(line)
            if lm:
                comment = (lm.group(2) or "").strip()
                rules, unknown = ids_in(comment, spec_ids)
                current = Element(LEMMAS, lm.group(1), "lemma", comment, rules, unknown,
                                  file, first_line + i, [line.strip()])
                out.append(current)
            elif current is not None and line.strip():
                current.text.append(line.strip())
                if line.rstrip().endswith(";"):
                    current = None
    return out


def _definitions(text: str, file: str, spec_ids: list[str]) -> list[Definition]:
    """Predicates and logic functions with rule ids in the comment lines above them."""
    out: list[Definition] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = DEF_RE.match(line)
        if not m:
            continue
        comment: list[str] = []
        j = i - 1
        while j >= 0 and lines[j].strip().startswith("//"):
            comment.insert(0, lines[j].strip()[2:].strip())
            j -= 1
        rules, _ = ids_in(" ".join(comment), spec_ids)
        if rules:
            out.append(Definition(m.group(2), rules, " ".join(comment), file, i + 1))
    return out


def load_contracts(include_dir: str | Path, spec_ids: list[str],
                   shown_prefix: str = "model/include/") -> Contracts:
    include_dir = Path(include_dir)
    elements: list[Element] = []
    groups: dict[str, list[list[str]]] = {}
    for name in CONTRACT_HEADERS:
        text = (include_dir / name).read_text(encoding="utf-8")
        elements += _contract_elements(text, shown_prefix + name, spec_ids, groups)
    for name in LEMMA_HEADERS:
        text = (include_dir / name).read_text(encoding="utf-8")
        elements += _lemmas(text, shown_prefix + name, spec_ids)
    logic = (include_dir / LOGIC_HEADER).read_text(encoding="utf-8")
    definitions = _definitions(logic, shown_prefix + LOGIC_HEADER, spec_ids)
    return Contracts(elements, groups, definitions, rule_symbols(include_dir))
