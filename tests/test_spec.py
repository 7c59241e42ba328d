"""Checks of the specification's rule blocks against the model's rule list."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.spec import CLASSES, ID_RE, SpecError, load_rules  # noqa: E402

SPEC_DIR = ROOT / "spec"
RULES_H = ROOT / "model" / "include" / "hs_rules.h"
HS_RULE_RE = re.compile(r'HS_RULE\(\s*(\w+)\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*\)')


def model_rules() -> dict[str, str]:
    """Id -> class of every HS_RULE entry of hs_rules.h except NONE."""
    source = RULES_H.read_text(encoding="utf-8")
    source = re.sub(r"/\*.*?\*/", " ", source, flags=re.S)  # drop comments
    source = re.sub(r"//[^\n]*", " ", source)
    found: dict[str, str] = {}
    for sym, rule_id, cls in HS_RULE_RE.findall(source):
        if rule_id == "NONE":
            continue
        assert rule_id not in found, f"{rule_id} listed twice in hs_rules.h"
        found[rule_id] = cls
    return found


@pytest.fixture(scope="module")
def rules():
    return load_rules(SPEC_DIR)


def test_every_rule_parses(rules):
    assert len(rules) > 0
    for rule in rules.values():
        assert rule.title, rule.id
        assert rule.applies, rule.id


def test_ids_well_formed_and_unique(rules):
    for rid, rule in rules.items():
        assert rid == rule.id
        assert ID_RE.match(rid), rid
    assert len(set(rules)) == len(rules)


def test_classes_valid(rules):
    for rule in rules.values():
        assert rule.cls in CLASSES, (rule.id, rule.cls)


def test_every_rule_has_source(rules):
    for rule in rules.values():
        assert rule.source and rule.source.strip(), rule.id


def test_model_field(rules):
    for rule in rules.values():
        assert rule.model == "modelled" or (
            rule.model.startswith("not modelled:") and rule.model[len("not modelled:"):].strip()
        ), (rule.id, rule.model)


def test_hs_rules_header_parses():
    found = model_rules()
    assert len(found) > 0
    for rule_id, cls in found.items():
        assert ID_RE.match(rule_id), rule_id
        assert cls in CLASSES, (rule_id, cls)


def test_rule_symbols_spell_their_ids():
    """HS_RULE_X names rule X: the symbol is the id with '_' for '-'."""
    source = re.sub(r"/\*.*?\*/", " ", RULES_H.read_text(encoding="utf-8"), flags=re.S)
    wrong = [f"{sym} for {rule_id}" for sym, rule_id, _cls in HS_RULE_RE.findall(source)
             if sym.replace("_", "-") != rule_id]
    assert not wrong, "rule symbols that do not spell their id: " + ", ".join(wrong)


def test_model_rules_are_in_spec(rules):
    problems = []
    for rule_id, cls in model_rules().items():
        rule = rules.get(rule_id)
        if rule is None:
            problems.append(f"{rule_id}: in hs_rules.h, not in the spec")
            continue
        if rule.cls != cls:
            problems.append(f"{rule_id}: class {cls} in hs_rules.h, {rule.cls} in the spec")
        if not rule.modelled:
            problems.append(f"{rule_id}: in hs_rules.h but the spec says {rule.model!r}")
    assert not problems, "\n".join(problems)


def test_modelled_spec_rules_are_in_model(rules):
    listed = model_rules()
    extra = [f"{r.id} ({r.file}:{r.line})" for r in rules.values()
             if r.modelled and r.id not in listed]
    assert not extra, "Model: modelled but not in hs_rules.h: " + ", ".join(extra)


GOOD_BLOCK = """\
### ABC-DEF: a rule
- Class: DOC
- Source: somewhere
- Applies to: HttpSendHttpResponse
- Model: modelled

Text.
"""


def write_spec(tmp_path, text, name="09-bad.md"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_parser_accepts_good_block(tmp_path):
    rules = load_rules(write_spec(tmp_path, GOOD_BLOCK, "01-good.md"))
    rule = rules["ABC-DEF"]
    assert (rule.cls, rule.source, rule.file, rule.line) == ("DOC", "somewhere", "01-good.md", 1)
    assert rule.reference is None and rule.allowed is None


def test_parser_ignores_fenced_and_plain_headings(tmp_path):
    text = "### Plain heading\n\n```\n### XYZ-1: inside a fence\n```\n\n" + GOOD_BLOCK
    assert list(load_rules(write_spec(tmp_path, text, "01-good.md"))) == ["ABC-DEF"]


@pytest.mark.parametrize("text, fragment", [
    (GOOD_BLOCK.replace("- Class: DOC\n", ""), "missing field 'Class'"),
    (GOOD_BLOCK.replace("Class: DOC", "Class: MAYBE"), "unknown class"),
    (GOOD_BLOCK.replace("ABC-DEF", "abc_def"), "bad rule id"),
    (GOOD_BLOCK.replace("- Source: somewhere\n", ""), "missing field 'Source'"),
    (GOOD_BLOCK.replace("Model: modelled", "Model: maybe"), "Model must be"),
    (GOOD_BLOCK + "\n" + GOOD_BLOCK, "duplicate rule id ABC-DEF"),
])
def test_parser_rejects_malformed_block(tmp_path, text, fragment):
    with pytest.raises(SpecError) as info:
        load_rules(write_spec(tmp_path, text))
    message = str(info.value)
    assert "09-bad.md" in message
    assert fragment in message
    assert re.search(r"09-bad\.md:\d+:", message)


def test_duplicate_across_files_names_both(tmp_path):
    write_spec(tmp_path, GOOD_BLOCK, "01-a.md")
    write_spec(tmp_path, GOOD_BLOCK, "02-b.md")
    with pytest.raises(SpecError) as info:
        load_rules(tmp_path)
    assert "02-b.md:1" in str(info.value) and "01-a.md:1" in str(info.value)


# A trailing "-*" (as in "the WIRE-CL-NONE-* rules") names a family, not an id.
ID_REF_RE = re.compile(r"\b(?:CALL|SEND|BODY|WIRE|CONN|FLAG|RESP)(?:-[A-Z0-9]+)+(-\*)?")


def test_referenced_ids_are_defined(rules):
    """Every rule id named anywhere in the spec text is a defined rule."""
    missing = []
    for path in sorted(SPEC_DIR.glob("*.md")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in ID_REF_RE.finditer(line):
                if not match.group(1) and match.group(0) not in rules:
                    missing.append(f"{path.name}:{lineno}: {match.group(0)}")
    assert not missing, "\n".join(missing)


def test_known_header_names_match_spec_section_1_4():
    """The one C table of header names (hs_sdk.h) spells spec 01's table."""
    spec = (ROOT / "spec" / "01-interface.md").read_text(encoding="utf-8")
    table = dict((int(i), name) for i, name in
                 re.findall(r"^\| (\d+) \| HttpHeader\w+ \| `([^`]+)` \|$", spec, re.M))
    sdk = (ROOT / "model" / "include" / "hs_sdk.h").read_text(encoding="utf-8")
    block = sdk[sdk.index("#define HS_KNOWN_HEADER_NAMES"):]
    block = block[:block.index("\n\n")]
    names = re.findall(r'"([^"]+)"', block)
    assert len(names) == 30
    assert names == [table[i] for i in range(30)]
