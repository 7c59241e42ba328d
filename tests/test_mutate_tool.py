"""Self-tests of tools/mutate.py: operator generation on small C snippets (fast, no build)."""
import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("mutate", ROOT / "tools" / "mutate.py")
mutate = importlib.util.module_from_spec(_spec)
sys.modules["mutate"] = mutate
_spec.loader.exec_module(mutate)

SNIPPET = r'''/* a comment with a < b and return 0; */
#include <stdint.h>
/*@ requires n < 10;
    ensures \result == 0 || \result == 1;
*/
static int helper(const char *p, int n)
{
    //@ assert n >= 0;
    if (n == 0)   // n == 0: nothing to do
        return 0;
    if (p[0] != 'x' && n > 2)
        return HS_RULE_CALL_RESERVED1;
    for (int i = 0; i < n; i++) {
        if (p[i] == '<')
            return 1;
    }
    const char *s = "a < b == c";
    return p->x > 0;
}
uint32_t err(int r)
{
    if (r)
        return ERROR_INVALID_HANDLE;
    return ERROR_CONNECTION_INVALID;
}
int st(void) { return HS_ST_DONE; }
'''

RENDER = r'''#define HS_PUT_LIT(o, lit) hs_put((o), (lit), sizeof(lit) - 1u)
static void hs_put(struct hs_out *o, const hs_byte *src, size_t n)
{
    o->n += n;
}
static void f(struct hs_out *o, const hs_byte *d, size_t nd)
{
    hs_put(o, d, nd);   /* WIRE-X */
    HS_PUT_LIT(o, HS_CRLF);
    if (nd > 0u)
        hs_put_date(o, d);
}
'''


def _gen(text, name="x.c"):
    return mutate.generate(Path(name), text=text, rel=name)


def _check_single_edit(text, ms):
    for m in ms:
        new = m.apply(text)
        assert new != text
        a, b = text.split("\n"), new.split("\n")
        assert len(a) == len(b)
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        assert diff == [m.line - 1], m
        # exactly one contiguous edit in that line
        la, lb = a[m.line - 1], b[m.line - 1]
        assert la[:m.col] == lb[:m.col]
        assert la[m.col + len(m.old):] == lb[m.col + len(m.new):]
        assert m.original == la.strip() and m.mutated == lb.strip()


def test_annotations_comments_strings_skipped():
    ms = _gen(SNIPPET)
    lines = SNIPPET.split("\n")
    for m in ms:
        ln = lines[m.line - 1]
        assert not ln.lstrip().startswith(("/*", "//", "#include")), m
        assert m.line not in (1, 3, 4, 5, 8), m       # comment, ACSL, //@
        assert "'<'" not in m.old and "\"" not in m.old
    # the trailing comment on line 9 and the string on line 17 give nothing
    assert [m.old for m in ms if m.line == 9] == ["=="]
    assert not [m for m in ms if m.line == 17]
    # '->' is not a relational operator
    assert [(m.old, m.new) for m in ms if m.line == 18] == [(">", ">=")]


def test_operators_on_snippet():
    ms = _gen(SNIPPET)
    ops = {(m.operator, m.line, m.old, m.new) for m in ms}
    assert ("rel", 9, "==", "!=") in ops
    assert ("rel", 11, "!=", "==") in ops
    assert ("rel", 11, ">", ">=") in ops
    assert ("rel", 13, "<", "<=") in ops
    assert ("bool", 10, "return 0;", "return 1;") in ops
    assert ("bool", 15, "return 1;", "return 0;") in ops
    assert ("skip-check", 12, "return HS_RULE_CALL_RESERVED1;", ";") in ops
    assert ("errcode", 23, "ERROR_INVALID_HANDLE", "ERROR_INVALID_PARAMETER") in ops
    assert ("errcode", 24, "ERROR_CONNECTION_INVALID", "ERROR_INVALID_PARAMETER") in ops
    assert ("state", 26, "HS_ST_DONE", "HS_ST_STREAMING") in ops
    # no render operators outside hs_render.c
    assert not [m for m in ms if m.operator in ("drop-put", "dup-put", "length")]
    _check_single_edit(SNIPPET, ms)


@pytest.mark.parametrize("name", ["hs_render.c", "hs_head.c", "hs_known.c", "hs_body.c", "hs_write.c"])
def test_render_operators(name):
    ms = _gen(RENDER, name)
    ops = {(m.operator, m.line, m.old, m.new) for m in ms}
    assert ("length", 1, "sizeof(lit) - 1u", "sizeof(lit)") in ops
    assert ("length", 8, "nd", "nd - 1") in ops
    assert ("length", 8, "nd", "nd + 1") in ops
    assert ("drop-put", 8, "hs_put(o, d, nd);", ";") in ops
    assert ("dup-put", 8, "hs_put(o, d, nd);", "{ hs_put(o, d, nd); hs_put(o, d, nd); }") in ops
    assert ("drop-put", 9, "HS_PUT_LIT(o, HS_CRLF);", ";") in ops
    assert ("drop-put", 11, "hs_put_date(o, d);", ";") in ops
    # the definition of hs_put is not a call
    assert not [m for m in ms if m.line == 2 and m.operator != "rel"]
    _check_single_edit(RENDER, ms)


def test_deterministic_and_ids_unique():
    files = sorted((ROOT / "model" / "src").glob("*.c"))
    a = mutate.all_mutants(files, set(mutate.OPERATORS))
    b = mutate.all_mutants(files, set(mutate.OPERATORS))
    assert [m.id for m in a] == [m.id for m in b]
    assert len({m.id for m in a}) == len(a)
    assert {m.operator for m in a} == set(mutate.OPERATORS)
    for f in files:
        text = f.read_text()
        _check_single_edit(text, [m for m in a if m.file.endswith(f.name)])


def test_equivalents_file_parses():
    path = ROOT / "tools" / "mutation-equivalents.toml"
    data = tomllib.loads(path.read_text())
    for e in data.get("equivalent", []):
        assert e["id"] and e["reason"].strip()


def test_equivalents_name_current_mutants():
    """An entry for a mutant that no longer exists (the model changed) is stale."""
    files = sorted((ROOT / "model" / "src").glob("*.c"))
    ids = {m.id for m in mutate.all_mutants(files, set(mutate.OPERATORS))}
    data = tomllib.loads((ROOT / "tools" / "mutation-equivalents.toml").read_text())
    stale = [e["id"] for e in data.get("equivalent", []) if e["id"] not in ids]
    assert not stale, f"entries for mutants that no longer exist: {stale}"


def test_score_counts_equivalents_out_and_sanitizer_kills_in():
    results = [
        {"n": 1, "id": "a", "operator": "rel", "file": "f", "line": 1, "original": "", "mutated": "",
         "status": "killed", "reason": "x"},
        {"n": 2, "id": "b", "operator": "rel", "file": "f", "line": 2, "original": "", "mutated": "",
         "status": "killed", "reason": "killed under ASan/UBSan: y", "sanitizer": True},
        {"n": 3, "id": "c", "operator": "rel", "file": "f", "line": 3, "original": "", "mutated": "",
         "status": "survived", "reason": "every case passed"},
        {"n": 4, "id": "d", "operator": "bool", "file": "f", "line": 4, "original": "", "mutated": "",
         "status": "survived", "reason": "every case passed"},
    ]
    s = mutate.summarise(results, {"c": "latitude: allowed", "d": "not-drivable: no input"}, 1.0, [])
    assert (s["killed"], s["total"], s["compiled"], s["equivalent"]) == (2, 3, 4, 1)
    assert s["score"] == round(2 / 3, 4) and s["raw_score"] == 0.5
    assert s["killed_by_sanitizer"] == 1
    assert [v["id"] for v in s["survivors"] if not v["equivalent"]] == ["d"]
    assert all(v["explained"] for v in s["survivors"])


def test_committed_report_meets_the_target():
    """reports/mutation/summary.json, as make mutate last wrote it: the score
    target of the suite, and no survivor left unexplained."""
    import json
    s = json.loads((ROOT / "reports" / "mutation" / "summary.json").read_text())
    assert s["killed"] / s["total"] >= 0.95, (s["killed"], s["total"])
    gaps = [v["id"] for v in s["survivors"] if not v.get("explained")]
    assert not gaps, f"survivors not listed in tools/mutation-equivalents.toml: {gaps}"


def test_committed_report_names_the_current_mutants():
    """A mutant id spells its line, so once the model changes, a report whose
    ids differ from today's mutants describes another model. The check is the
    one --update makes of the results it keeps, here with no file run again."""
    files = sorted((ROOT / "model" / "src").glob("*.c"))
    try:
        mutate.kept_results(ROOT / "reports" / "mutation", files, [])
    except ValueError as e:
        pytest.fail(f"reports/mutation/summary.json is stale: {e}")


def test_resummarise_applies_the_current_equivalents(tmp_path):
    results = [
        {"n": 1, "id": "a", "operator": "rel", "file": "f", "line": 1, "original": "x", "mutated": "y",
         "status": "survived", "reason": "every case passed", "unit": "killed"},
        {"n": 2, "id": "b", "operator": "rel", "file": "f", "line": 2, "original": "", "mutated": "",
         "status": "killed", "reason": mutate.SANITIZER_KILL + "1 case(s) failed", "unit": "killed"},
    ]
    (tmp_path / "summary.json").write_text(
        __import__("json").dumps(mutate.summarise(results, {}, 3.0, [])))
    eq = tmp_path / "eq.toml"
    eq.write_text('[[equivalent]]\nid = "a"\nkind = "latitude"\nreason = "allowed"\n')
    assert mutate.resummarise(tmp_path, eq) == 0
    s = __import__("json").loads((tmp_path / "summary.json").read_text())
    assert (s["killed"], s["total"], s["equivalent"], s["killed_by_sanitizer"]) == (1, 1, 1, 1)
    assert s["survivors"][0]["original"] == "x" and s["survivors"][0]["equivalent"]


RENDER_BY_VALUE = r'''static size_t g(hs_byte *buf, size_t room, size_t need, const hs_byte *d, size_t nd)
{
    size_t first = hs_put(buf, room, need, d, nd);
    need = hs_put(buf, room, first, d, nd);
    need = hs_put_byte(buf, room, need, ' ');
    return hs_put_crlf(buf, room, need);
}
'''


def test_render_operators_on_writers_that_return_the_count():
    """A step `need = hs_put...(...);` and a last step `return hs_put...(...);` are dropped
    and doubled; a declaration is left alone (dropping it would not compile)."""
    ms = _gen(RENDER_BY_VALUE, "hs_render.c")
    ops = {(m.operator, m.line, m.old, m.new) for m in ms}
    step = "need = hs_put(buf, room, first, d, nd);"
    assert ("drop-put", 4, step, ";") in ops
    assert ("dup-put", 4, step, "{ %s %s }" % (step, step)) in ops
    # a character literal in a step is copied as written, not as the blanked scan sees it
    assert ("drop-put", 5, "need = hs_put_byte(buf, room, need, ' ');", ";") in ops
    last = "return hs_put_crlf(buf, room, need);"
    call = "hs_put_crlf(buf, room, need)"
    assert ("drop-put", 6, last, "return need;") in ops
    assert ("dup-put", 6, last, "{ need = %s; return %s; }" % (call, call)) in ops
    assert not [m for m in ms if m.line == 3 and m.operator in ("drop-put", "dup-put")]
    _check_single_edit(RENDER_BY_VALUE, ms)


def test_update_keeps_the_other_files_and_refuses_a_stale_summary(tmp_path):
    """--update takes the last run's results for the files it does not run again; a result
    that names no current mutant, or a current mutant without a result, stops it."""
    import json
    files = sorted((ROOT / "model" / "src").glob("*.c"))
    check = [f for f in files if f.name == "hs_check.c"]
    render = [f for f in files if f.name == "hs_render.c"]
    current = mutate.all_mutants(check, set(mutate.OPERATORS))
    rows = [{"n": i, "id": mu.id, "operator": mu.operator, "file": mu.file, "line": mu.line,
             "status": "killed", "reason": "r", "unit": "killed", "original": mu.original,
             "mutated": mu.mutated} for i, mu in enumerate(current, 1)]
    stale = {"n": 0, "id": "rel:hs_render:1:1:<-><=", "operator": "rel",
             "file": "model/src/hs_render.c", "line": 1, "status": "killed", "reason": "r",
             "unit": "killed", "original": "", "mutated": ""}
    (tmp_path / "summary.json").write_text(json.dumps(mutate.summarise(rows + [stale], {}, 1.0, [])))
    kept = mutate.kept_results(tmp_path, check + render, render)
    assert [k["id"] for k in kept] == [mu.id for mu in current]   # hs_render's row replaced
    gone = dict(rows[0], id="rel:hs_check:1:1:<-><=")
    (tmp_path / "summary.json").write_text(json.dumps(mutate.summarise([gone] + rows[1:], {}, 1.0, [])))
    import pytest
    with pytest.raises(ValueError, match="no longer a mutant"):
        mutate.kept_results(tmp_path, check + render, render)
    (tmp_path / "summary.json").write_text(json.dumps(mutate.summarise(rows[1:], {}, 1.0, [])))
    with pytest.raises(ValueError, match="have no result in the last run"):
        mutate.kept_results(tmp_path, check + render, render)


def test_a_writer_definition_is_not_a_call():
    """The line that defines hs_put (no longer static) gets no length mutant."""
    text = ("size_t hs_put(hs_byte *buf, size_t room, size_t need, const hs_byte *src, size_t n)\n"
            "{\n    return hs_put(buf, room, need, src, n);\n}\n")
    ms = _gen(text, "hs_write.c")
    assert [m.line for m in ms if m.operator == "length"] == [3, 3]
