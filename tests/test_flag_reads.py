"""The flags with no effect (FLAG-BUFFER-DATA, FLAG-ENABLE-NAGLING,
FLAG-PROCESS-RANGES, FLAG-GOAWAY) have lemmas for contracts
(model/include/hs_flag_lemmas.h): each flag leaves the model's four tests of a
Flags word as they were. That says the flag has no effect only while nothing
else in the model reads Flags, which these tests check: the contracts read a
call's Flags only in the four predicates of hs_logic.h that name the tests,
and the code only with the same four tests. Each check is shown catching a
planted read."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODEL = ROOT / "model"

ANNOT_RE = re.compile(r"/\*@.*?\*/|//@[^\n]*", re.S)
FLAGS_READ_RE = re.compile(r"(?:->|\.)\s*flags\b")

# The one place a contract may read Flags: hs_logic.h hands each test a call's Flags.
ALLOWED_ACSL = {
    "predicate disconnect(struct hs_call *c)    = HS_FLAG_DISCONNECT(c->flags);",
    "predicate more_data(struct hs_call *c)     = HS_FLAG_MORE_DATA(c->flags);",
    "predicate opaque(struct hs_call *c)        = HS_FLAG_OPAQUE(c->flags);",
    "predicate unknown_flags(struct hs_call *c) = HS_FLAG_UNKNOWN(c->flags);",
}

# The code's reads of Flags: the same four tests, each with its own mask.
ALLOWED_CODE_RE = re.compile(
    r"\(c->flags (?:& HTTP_SEND_RESPONSE_FLAG_(?:DISCONNECT|MORE_DATA|OPAQUE)\)"
    r"|\| HS_FLAGS_KNOWN\) != HS_FLAGS_KNOWN)")


def acsl_flag_reads(text):
    """The ACSL lines of text that read a Flags field, other than the four
    allowed definitions."""
    out = []
    for m in ANNOT_RE.finditer(text):
        for line in m.group(0).split("\n"):
            if FLAGS_READ_RE.search(line) and line.strip() not in ALLOWED_ACSL:
                out.append(line.strip())
    return out


def code_flag_reads(text):
    """The code lines of text (annotations and comments removed) that read a
    Flags field other than through one of the four tests."""
    code = ANNOT_RE.sub("", text)
    code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    out = []
    for line in code.split("\n"):
        rest = ALLOWED_CODE_RE.sub("", line)
        if FLAGS_READ_RE.search(rest):
            out.append(line.strip())
    return out


def model_files():
    return sorted(MODEL.glob("include/*.h")) + sorted(MODEL.glob("src/*.c"))


def test_contracts_read_flags_only_through_the_four_tests():
    reads = {f.name: acsl_flag_reads(f.read_text()) for f in model_files()}
    assert {name: r for name, r in reads.items() if r} == {}
    # The four definitions are there, so the check above looked at the right text.
    logic = (MODEL / "include" / "hs_logic.h").read_text()
    assert all(line in logic for line in ALLOWED_ACSL)


def test_code_reads_flags_only_through_the_four_tests():
    reads = {f.name: code_flag_reads(f.read_text()) for f in model_files()}
    assert {name: r for name, r in reads.items() if r} == {}
    # The code does read Flags, so the check above had reads to judge.
    assert any(ALLOWED_CODE_RE.search(f.read_text()) for f in model_files())


def test_a_contract_reading_flags_is_caught():
    planted = """/*@ behavior buffered:
      assumes (c->flags & HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA) != 0;
      ensures \\result == 0; */"""
    assert acsl_flag_reads(planted) == [
        "assumes (c->flags & HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA) != 0;"]
    assert acsl_flag_reads("//@ assert r->flags == 0;") == ["//@ assert r->flags == 0;"]


def test_code_reading_another_flag_is_caught():
    plan = (MODEL / "src" / "hs_plan.c").read_text()
    good = "p.close_after = x->close_after != 0u || (c->flags & HTTP_SEND_RESPONSE_FLAG_DISCONNECT) != 0u;"
    bad = ("p.close_after = x->close_after != 0u || (c->flags & (HTTP_SEND_RESPONSE_FLAG_DISCONNECT"
           " | HTTP_SEND_RESPONSE_FLAG_GOAWAY)) != 0u;")
    assert good in plan
    assert code_flag_reads(plan.replace(good, bad)) == [bad]
    assert code_flag_reads("if (c->flags != 0u) return 1;") == ["if (c->flags != 0u) return 1;"]
