"""The proof gate can fail: a copy of the model with a seeded bug, or with a
vacuous contract, must be rejected by tools/prove.sh, and the unmodified copy
of the same function must pass under the same settings."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("frama-c") is None,
                                reason="frama-c is not installed: run `make deps`")


def prove_copy(tmp_path, mutate, cache="none", source="hs_check.c", function="hs_rule_error",
               edit=None, committed_cache=False, props=None):
    """Copy the model, apply mutate(text) to edit (a path under model/, by default
    the source), prove function of source only (all of source when function is None).
    With committed_cache, the run starts from a copy of the committed cache, so
    that only the goals the edit changes go to the provers; props names the
    properties to prove (all of them when None)."""
    model = tmp_path / "model"
    shutil.copytree(ROOT / "model", model, ignore=shutil.ignore_patterns("proof-cache", "tests"))
    if committed_cache:
        shutil.copytree(ROOT / "model" / "proof-cache", tmp_path / "cache")
    check = model / "src" / source
    edited = model / edit if edit else check
    edited.write_text(mutate(edited.read_text()))
    env = dict(os.environ,
               PROVE_SRC=str(check),
               PROVE_INCLUDES="-I%s" % (model / "include"),
               PROVE_OUT=str(tmp_path / "out"),
               PROVE_CACHE=cache,
               PROVE_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("PROVE_FCT", None)
    env.pop("PROVE_PROP", None)
    if function is not None:
        env["PROVE_FCT"] = function
    if props is not None:
        env["PROVE_PROP"] = props
    run = subprocess.run([str(ROOT / "tools" / "prove.sh")], env=env, capture_output=True,
                         text=True, timeout=600)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    return run, summary


def test_unmodified_function_passes(tmp_path):
    run, summary = prove_copy(tmp_path, lambda s: s)
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary["passed"] is True
    assert summary["goals"]["proved"] == summary["goals"]["total"] > 0


def prove_seeded(tmp_path, good, bad, **where):
    """Replace good by bad in a copy of the model; the proof must reject it."""
    def seed(text):
        assert good in text
        return text.replace(good, bad)

    run, summary = prove_copy(tmp_path, seed, **where)
    assert run.returncode == 1
    assert summary["passed"] is False
    assert summary["goals"]["proved"] < summary["goals"]["total"]
    return summary


def test_seeded_wrong_error_code_is_rejected(tmp_path):
    summary = prove_seeded(tmp_path,
                           "case HS_RULE_CALL_HANDLE_INVALID:\n        return ERROR_INVALID_HANDLE;",
                           "case HS_RULE_CALL_HANDLE_INVALID:\n        return ERROR_INVALID_PARAMETER;")
    assert any("invalid_handle" in g for g in summary["failed_goals"]), summary["failed_goals"]


def test_vacuous_contract_is_rejected(tmp_path):
    def seed(text):
        anchor = "uint32_t hs_rule_error(enum hs_rule r)\n{"
        assert anchor in text
        # A contradictory precondition would make every goal "provable".
        return text.replace(anchor, "/*@ requires contradiction: r != r; */\n" + anchor)

    run, summary = prove_copy(tmp_path, seed)
    assert run.returncode == 1
    assert summary["passed"] is False
    assert "Failed smoke-test" in summary["unsoundness_warnings"] or summary["failed_goals"]


def test_a_contradiction_only_a_prover_finds_fails_the_smoke_tests(tmp_path):
    """A precondition that no call can meet, though WP's simplifier does not
    see it: three chunks whose running total is below the size of the last.
    Refuting it takes a prover three unfoldings of chunks_total and the sizes'
    signs (CVC4 needed about 40000 steps when this test was written; Z3 did not
    find it). The smoke tests must search that far, and every smoke test a
    prover refutes must count as unproved, although WP's statistics count it
    valid when another prover did not refute it."""
    anchor = "/*@ requires sendable(k, n);\n"

    def seed(text):
        assert anchor in text
        return text.replace(anchor, anchor + "    requires planted: n >= 3 && "
                            "chunks_total(k, 3) < chunk_size(k + 2);\n")

    run, summary = prove_copy(tmp_path, seed, source="hs_body.c", function="hs_render_body",
                              edit="include/hs_render.h")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Failed smoke-test" in summary["unsoundness_warnings"]
    requires = "typed_hs_render_body_wp_smoke_default_requires"
    assert requires in summary["failed_goals"], summary["failed_goals"]
    stats = json.loads((tmp_path / "out" / "wp-stats.json").read_text())
    refuted = stats["wp:functions"]["hs_render_body"][requires.replace("typed_", "", 1)]
    # CVC4's search refuted it: its own entry is not a pass.
    cvc4 = [e for p, e in refuted.items() if p.startswith("CVC4")]
    assert cvc4 and cvc4[0].get("valid", 0) == 0, refuted
    failed_smoke = [g for g in summary["failed_goals"] if "_wp_smoke_" in g]
    smoke = summary["kinds"]["smoke"]
    assert smoke["total"] - smoke["proved"] == len(failed_smoke), (smoke, failed_smoke)
    assert summary["goals"]["total"] - summary["goals"]["proved"] == len(summary["failed_goals"])


def test_replay_with_a_missing_verdict_is_rejected(tmp_path):
    """Offline, WP runs no prover: a goal with no cached verdict fails the
    replay, and so does a smoke test, which an unknown verdict would pass."""
    run, summary = prove_copy(tmp_path, lambda s: s, cache="offline")
    assert run.returncode == 1
    assert summary["passed"] is False
    assert any("need a prover" in p for p in summary["problems"]), summary["problems"]


def test_replay_side_by_side_fails_when_one_run_breaks(tmp_path):
    """A replay runs the files side by side: a file Frama-C cannot read fails
    the whole proof, and the other file's goals are still replayed and counted."""
    model = tmp_path / "model"
    shutil.copytree(ROOT / "model", model, ignore=shutil.ignore_patterns("proof-cache", "tests"))
    broken = model / "src" / "hs_body.c"
    broken.write_text(broken.read_text() + "\nint planted_fault = ;\n")
    env = dict(os.environ,
               PROVE_SRC="%s %s" % (broken, model / "src" / "hs_render.c"),
               PROVE_INCLUDES="-I%s" % (model / "include"),
               PROVE_OUT=str(tmp_path / "out"),
               PROVE_CACHE="offline",
               PROVE_FILES_PAR="2",
               PROVE_CACHE_DIR=str(ROOT / "model" / "proof-cache"))
    env.pop("PROVE_FCT", None)
    env.pop("PROVE_PROP", None)
    run = subprocess.run([str(ROOT / "tools" / "prove.sh")], env=env, capture_output=True,
                         text=True, timeout=600)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert run.returncode == 1, run.stdout + run.stderr
    assert summary["passed"] is False
    assert any("frama-c exited with status" in p for p in summary["problems"]), summary["problems"]
    assert any(f.startswith("hs_render") for f in summary["functions"]), summary["functions"]


def test_unmodified_decimal_passes(tmp_path):
    run, summary = prove_copy(tmp_path, lambda s: s, source="hs_write.c", function="hs_decimal")
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary["goals"]["proved"] == summary["goals"]["total"] > 0


def test_seeded_off_by_one_in_the_digits_is_rejected(tmp_path):
    """10 spelled with one digit: the numeral of a Content-Length is wrong."""
    summary = prove_seeded(tmp_path, "while (n < 20u && v >= hs_pow10_at(n))",
                           "while (n < 20u && v > hs_pow10_at(n))",
                           source="hs_write.c", function="hs_decimal")
    assert summary["failed_goals"], summary


# The model file of each renderer function a seeded bug changes.
RENDER_SOURCE = {
    "hs_render_body": "hs_body.c",
    "hs_name_at": "hs_write.c",
    "hs_put_known": "hs_known.c",
    "hs_put_known_line": "hs_known.c",
    "hs_put_server": "hs_known.c",
}

# Seeded bugs in the renderer: each breaks bytes its contract states, and each
# runs the proof of the one function it changes (in hs_head.c unless
# RENDER_SOURCE says otherwise):
# (function, what the code says, what the seeded bug says instead[, the file
# under model/ the bug is seeded in, when it is not the function's own]).
RENDER_BUGS = {
    # A byte range copied from one byte too far: the body is not the chunks' bytes (WIRE-BODY).
    "body_chunk_off_by_one": (
        "hs_render_body",
        "need = hs_put(buf, room, need, c->data + off, (size_t)len);",
        "need = hs_put(buf, room, need, c->data + off + 1, (size_t)len);"),
    # Memory chunks skipped: the size and the bytes are wrong (WIRE-BODY).
    "body_memory_chunk_dropped": (
        "hs_render_body",
        "        if (len > 0u) {\n",
        "        if (len > 0u && c->type != HttpDataChunkFromMemory) {\n"),
    # HTTP/1.0 in the status line (WIRE-STATUS-LINE, WIRE-VERSION-IGNORED).
    "status_line_version": (
        "hs_put_status",
        "{ 'H', 'T', 'T', 'P', '/', '1', '.', '1', ' ' }",
        "{ 'H', 'T', 'T', 'P', '/', '1', '.', '0', ' ' }"),
    # A wrong header name: "Connection: Close" (WIRE-CONNECTION-CLOSE).
    "close_header_name": (
        "hs_put_close",
        'static const hs_byte HS_CLOSE[] = "Connection: close";',
        'static const hs_byte HS_CLOSE[] = "Connection: Close";'),
    # The Date line's CRLF dropped (WIRE-DATE).
    "date_crlf_dropped": (
        "hs_put_date",
        "Crlf: __attribute__((unused));\n    need = hs_put_crlf(buf, room, need);\n"
        "    //@ assert kept_name",
        "Crlf: __attribute__((unused));\n    //@ assert kept_name"),
    # An unknown header line without the space after its colon (WIRE-UNKNOWN-HEADER).
    "unknown_header_no_space": (
        "hs_put_unknown_line",
        "need = hs_put_byte(buf, room, need, ':');\n    need = hs_put_byte(buf, room, need, ' ');\n",
        "need = hs_put_byte(buf, room, need, ':');\n"),
    # An unknown header's value written where its name goes (WIRE-UNKNOWN-HEADER).
    "unknown_header_value_as_name": (
        "hs_put_unknown_line",
        "need = hs_put(buf, room, need, u->name, u->name_len);",
        "need = hs_put(buf, room, need, u->value, u->name_len);"),
    # A misspelt known header name in the SDK's list the C table is built from:
    # the table no longer holds the names of spec 01, section 1.4 (WIRE-KNOWN-HEADER).
    "known_header_name_misspelt": (
        "hs_name_at",
        '"Retry-After"',
        '"Retry-after"',
        "include/hs_sdk.h"),
    # An empty known header written as "Name: " CRLF (WIRE-KNOWN-EMPTY-OMITTED).
    "known_header_empty_written": (
        "hs_put_known_line",
        "    if (h->len == 0u) {\n",
        "    if (h->len == 0u && id < 0) {\n"),
    # A known header's value with its last byte dropped (WIRE-KNOWN-HEADER).
    "known_header_value_short": (
        "hs_put_known_line",
        "need = hs_put(buf, room, need, h->value, h->len);",
        "need = hs_put(buf, room, need, h->value, h->len - 1u);"),
    # The application's Date slot written among the known headers: two Date
    # lines (WIRE-DATE).
    "known_date_slot_written": (
        "hs_put_known",
        "        if (i == HttpHeaderDate)\n            continue;\n",
        ""),
    # No space between the application's Server value and the token (WIRE-SERVER).
    "server_line_no_space": (
        "hs_put_server",
        "    if (server == HS_SERVER_APP_TOKEN)\n        need = hs_put_byte(buf, room, need, ' ');\n",
        ""),
    # An off-by-one in the Content-Length digits (WIRE-CL-AUTO).
    "content_length_off_by_one": (
        "hs_put_length",
        "need = hs_put_decimal(buf, room, need, body_len);",
        "need = hs_put_decimal(buf, room, need, body_len + 1u);"),
}


@pytest.mark.parametrize("function", sorted({bug[0] for bug in RENDER_BUGS.values()}))
def test_unmodified_renderer_function_passes(tmp_path, function):
    """The same proof of the unmodified function passes: a seeded bug's rejection is its own."""
    run, summary = prove_copy(tmp_path, lambda s: s, function=function,
                              source=RENDER_SOURCE.get(function, "hs_head.c"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary["goals"]["proved"] == summary["goals"]["total"] > 0


@pytest.mark.parametrize("bug", sorted(RENDER_BUGS))
def test_seeded_renderer_bug_is_rejected(tmp_path, bug):
    function, good, bad, *edit = RENDER_BUGS[bug]
    summary = prove_seeded(tmp_path, good, bad, function=function,
                           source=RENDER_SOURCE.get(function, "hs_head.c"),
                           edit=edit[0] if edit else None)
    assert summary["failed_goals"], summary


# The facts at the end of hs_check.c are stated from the specification: each
# fails when the rule it rests on is dropped from the checks' definitions.
FACT_SEEDS = {
    # SEND-FLAG-OPAQUE-101 forgotten: an opaque head of any status would be accepted.
    "hs_fact_accepted_opaque_head_is_101": (
        "(opaque(c) && c->response->status != 101) ? r == HS_RULE_SEND_FLAG_OPAQUE_101 :",
        "(opaque(c) && c->response->status != 101 && \\false) ? r == HS_RULE_SEND_FLAG_OPAQUE_101 :"),
    # SEND-AFTER-HEAD forgotten: a second head would be accepted.
    "hs_fact_one_head_per_request": (
        "head_sent(x) ? r == HS_RULE_SEND_AFTER_HEAD :",
        "x->state == HS_ST_STREAMING ? r == HS_RULE_SEND_AFTER_HEAD :"),
    # BODY-FLAG-OPAQUE-101 forgotten: an opaque body call on a streaming response.
    "hs_fact_body_follows_its_head": (
        "(opaque(c) && x->state != HS_ST_OPAQUE) ? r == HS_RULE_BODY_FLAG_OPAQUE_101 :",
        "(opaque(c) && x->state == HS_ST_RECEIVED) ? r == HS_RULE_BODY_FLAG_OPAQUE_101 :"),
}


@pytest.mark.parametrize("fact", sorted(FACT_SEEDS))
def test_fact_holds_for_the_rules(tmp_path, fact):
    run, summary = prove_copy(tmp_path, lambda s: s, function=fact)
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary["goals"]["proved"] == summary["goals"]["total"] > 0


@pytest.mark.parametrize("fact", sorted(FACT_SEEDS))
def test_fact_fails_without_its_rule(tmp_path, fact):
    good, bad = FACT_SEEDS[fact]
    summary = prove_seeded(tmp_path, good, bad, function=fact, edit="include/hs_logic.h")
    assert summary["failed_goals"], summary


# The facts of hs_head_facts.c about the head as bytes: each seed takes away
# what one of them rests on, and the proof of the properties that rest on it
# (a lemma, or the fact's own clause) must fail; the runs start from the
# committed cache and prove only those properties.
HEAD_FACT_SEEDS = {
    # WIRE-FIELD-BYTES without CR: a header value could carry a CR into its line.
    "field_bytes_without_cr": (
        "(p[i] == 0 || p[i] == 10 || p[i] == 13)",
        "(p[i] == 0 || p[i] == 10)",
        "include/hs_logic.h",
        "head_known_slot,head_unknown_line"),
    # The Date slot given a line among the known headers: a second Date field (WIRE-DATE).
    "date_slot_has_a_line": (
        "      id == HttpHeaderDate ? 0 :\n",
        "",
        "include/hs_render.h",
        "head_known_slot_fields"),
    # One Date field claimed even when an unknown header is named Date.
    "one_date_without_its_exception": (
        "     ensures one_date: !some_unknown_date(r) ==> one_date_field(b, n);",
        "     ensures one_date: \\true ==> one_date_field(b, n);",
        "include/hs_head_facts.h",
        "one_date"),
}

# The goals each seed fails, as the proof reports them.
HEAD_FACT_FAILURES = {
    "field_bytes_without_cr": ["typed_lemma_head_known_slot", "typed_lemma_head_unknown_line"],
    "date_slot_has_a_line": ["typed_lemma_head_known_slot_fields"],
    "one_date_without_its_exception": ["typed_hs_fact_head_lines_ensures_one_date"],
}


def test_head_facts_hold(tmp_path):
    """The committed cache replays the whole file, with no prover."""
    run, summary = prove_copy(tmp_path, lambda s: s, cache="offline", source="hs_head_facts.c",
                              function=None, committed_cache=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary["goals"]["proved"] == summary["goals"]["total"] > 0


@pytest.mark.parametrize("seed", sorted(HEAD_FACT_SEEDS))
def test_head_fact_fails_without_its_rule(tmp_path, seed):
    good, bad, edit, props = HEAD_FACT_SEEDS[seed]
    summary = prove_seeded(tmp_path, good, bad, source="hs_head_facts.c", function=None, edit=edit,
                           cache="update", committed_cache=True, props=props)
    assert sorted(summary["failed_goals"]) == sorted(HEAD_FACT_FAILURES[seed]), summary


# The flags with no effect (hs_flag_lemmas.h): each lemma fails when the flag
# it names becomes visible to one of the model's four tests of Flags.
FLAG_LEMMAS = "buffer_data_no_effect,enable_nagling_no_effect,process_ranges_no_effect,goaway_no_effect"
FLAG_SEEDS = {
    # GOAWAY left out of the known flags: the unknown-flag test would see it.
    "goaway_unknown": (
        " | \\\n                        HTTP_SEND_RESPONSE_FLAG_GOAWAY)",
        ")",
        "include/hs_sdk.h",
        ["typed_lemma_goaway_no_effect"]),
    # The OPAQUE test reading the wrong bit, BUFFER_DATA's.
    "opaque_reads_buffer_data": (
        "#define HS_FLAG_OPAQUE(f)     (((f) & HTTP_SEND_RESPONSE_FLAG_OPAQUE) != 0)",
        "#define HS_FLAG_OPAQUE(f)     (((f) & HTTP_SEND_RESPONSE_FLAG_BUFFER_DATA) != 0)",
        "include/hs_logic.h",
        ["typed_lemma_buffer_data_no_effect"]),
}


def test_flag_lemmas_hold(tmp_path):
    run, summary = prove_copy(tmp_path, lambda s: s, function=None, props=FLAG_LEMMAS)
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary["goals"]["proved"] == summary["goals"]["total"] == 4


@pytest.mark.parametrize("seed", sorted(FLAG_SEEDS))
def test_flag_lemma_fails_when_its_flag_has_an_effect(tmp_path, seed):
    good, bad, edit, failures = FLAG_SEEDS[seed]
    summary = prove_seeded(tmp_path, good, bad, function=None, edit=edit, props=FLAG_LEMMAS)
    assert sorted(summary["failed_goals"]) == failures, summary


# The head the renderer wrote (hs_render_accepted.c): the facts are proven of
# the bytes hs_render_head just wrote, and a write between the two fails the
# step that carries the status line across.
def test_rendered_head_facts_hold(tmp_path):
    """The committed cache replays the whole file, with no prover."""
    run, summary = prove_copy(tmp_path, lambda s: s, cache="offline", source="hs_render_accepted.c",
                              function=None, committed_cache=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary["goals"]["proved"] == summary["goals"]["total"] > 0


def test_rendered_head_changed_after_the_renderer_is_rejected(tmp_path):
    summary = prove_seeded(
        tmp_path,
        "    size_t n = hs_render_head(r, p, cfg, date, buf, cap);\n",
        "    size_t n = hs_render_head(r, p, cfg, date, buf, cap);\n"
        "    if (n > 0u && n <= cap) buf[0] = 'h';\n",
        source="hs_render_accepted.c", function="hs_render_accepted_head",
        cache="update", committed_cache=True)
    # The failed assertion, and the smoke test of the ghost call after it:
    # WP assumes the assertion from there on, which the planted write
    # contradicts, so the call is found dead.
    assert sorted(summary["failed_goals"]) == [
        "typed_hs_render_accepted_head_assert_status_now",
        "typed_hs_render_accepted_head_wp_smoke_dead_code_s34"], summary


def test_a_heap_module_that_does_not_compile_stops_the_proof(tmp_path):
    # An ocamlopt that fails, first on PATH: prove.sh must stop with its own
    # message before any Frama-C run, not prove with a half-set-up runtime.
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "ocamlopt").write_text("#!/bin/sh\nexit 1\n")
    (fake / "ocamlopt").chmod(0o755)
    env = dict(os.environ, PATH="%s:%s" % (fake, os.environ["PATH"]),
               PROVE_OUT=str(tmp_path / "out"), PROVE_CACHE="offline")
    run = subprocess.run([str(ROOT / "tools" / "prove.sh")], env=env, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "cannot compile tools/frama_c_gc.ml" in run.stderr
    assert not (tmp_path / "out" / "summary.json").exists()
