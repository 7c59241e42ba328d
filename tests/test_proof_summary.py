"""tools/proof_summary.py on logs written for the purpose: its gate checks that
need no proof run."""
import json
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import proof_summary  # noqa: E402

LOG = """\
[wp] [Z3 4.8.12] Goal typed_f_assert_a : Valid (Qed:23ms) (270ms) (404934) (cached)
[wp] [CVC4 1.8] Goal typed_f_assert_b : Valid (Qed:20ms) (160ms) (33548) (cached)
[wp] [Z3 4.8.12] Goal typed_g_ensures : Valid (Qed:99ms) (180ms) (338855)
[wp] [Qed] Goal typed_g_assigns : Valid (6ms)
"""


def test_a_verdict_past_the_step_limit_is_found():
    assert proof_summary.past_step_limit(LOG, 400000) == ["typed_f_assert_a"]


def test_verdicts_within_the_limit_pass():
    assert proof_summary.past_step_limit(LOG, 500000) == []


def test_the_gate_fails_on_a_verdict_past_the_limit(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "wp.log").write_text(LOG)
    status = proof_summary.main(["--run", str(run), "--no-report",
                                 "--out", str(tmp_path / "out"), "--steps", "400000"])
    summary = (tmp_path / "out" / "summary.json").read_text()
    assert status == 1
    assert "past the step limit of 400000 (first: typed_f_assert_a)" in summary


def _goal(valid):
    return {"wp:main": {"valid": valid, "total": 1}}


def _stats(goals, total=None):
    """One run's statistics: function f with these goals; WP's own total."""
    total = len(goals) if total is None else total
    valid = sum(g["wp:main"]["valid"] for g in goals.values())
    return {"wp:global": {"wp:main": {"valid": valid, "total": total}}, "wp:functions": {"f": goals}}


def test_runs_merge_into_one_set_of_goals():
    """Each function once; a lemma proven in two runs once, with its worse verdict."""
    a = {"wp:global": {"wp:main": {"valid": 2, "total": 2}},
         "wp:functions": {"f": {"f_ensures": _goal(1), "wp:section": _goal(1)}},
         "wp:axiomatics": {"": {"lemma_l": _goal(1), "wp:section": _goal(1)}}}
    b = {"wp:global": {"wp:main": {"valid": 2, "total": 3}},
         "wp:functions": {"g": {"g_ensures": _goal(1), "g_assigns": _goal(1)}},
         "wp:axiomatics": {"": {"lemma_l": _goal(0)}}}
    merged = proof_summary.merge_stats([a, b])
    goals, functions, lemmas, _kinds = proof_summary.summarise(merged)
    assert functions == {"f": {"proved": 1, "total": 1}, "g": {"proved": 2, "total": 2}}
    assert lemmas == {"l": {"proved": 0, "total": 1}}
    assert goals == {"proved": 3, "total": 4}


def test_a_smoke_test_one_prover_refutes_is_not_proved():
    """WP's wp:main counts a smoke test valid when any prover did not refute
    it; CVC4 derived false here, so the guarded branch is dead: not proved,
    in the function's count, its kind's count and the total."""
    refuted = {"CVC4:1.8": {"total": 1, "unknown": 1}, "Z3:4.8.12": {"total": 1, "valid": 1},
               "wp:main": {"total": 1, "valid": 1}}
    passed = {"CVC4:1.8": {"total": 1, "valid": 1}, "Z3:4.8.12": {"total": 1, "valid": 1},
              "wp:main": {"total": 1, "valid": 1}}
    stats = _stats({"f_wp_smoke_dead_code_s3": refuted, "f_wp_smoke_default_requires": passed,
                    "f_ensures": _goal(1)})
    goals, functions, _lemmas, kinds = proof_summary.summarise(stats)
    assert goals == {"proved": 2, "total": 3}
    assert functions == {"f": {"proved": 2, "total": 3}}
    assert kinds["smoke"] == {"proved": 1, "total": 2}
    assert kinds["functional"] == {"proved": 1, "total": 1}


def test_a_goal_one_prover_fails_is_still_proved_by_the_other():
    """For an ordinary goal one valid verdict is enough: the rule above is
    for smoke tests only."""
    goal = {"CVC4:1.8": {"total": 1, "valid": 1}, "Z3:4.8.12": {"total": 1, "unknown": 1},
            "wp:main": {"total": 1, "valid": 1}}
    goals, _functions, _lemmas, _kinds = proof_summary.summarise(_stats({"f_ensures": goal}))
    assert goals == {"proved": 1, "total": 1}


def test_a_function_proven_twice_is_refused():
    a = {"wp:functions": {"f": {"f_ensures": _goal(1)}}}
    with pytest.raises(ValueError, match="function f was proven in two runs"):
        proof_summary.merge_stats([a, a])


def test_a_run_without_statistics_fails_the_gate(tmp_path):
    """A file whose run stopped on an error (no wp-stats.json) fails the whole proof."""
    good, bad = tmp_path / "good", tmp_path / "bad"
    for run in (good, bad):
        run.mkdir()
        (run / "wp.log").write_text("")
    (good / "wp-stats.json").write_text(json.dumps(_stats({"f_ensures": _goal(1)})))
    status = proof_summary.main(["--run", str(good), "--run", str(bad), "--no-report",
                                 "--out", str(tmp_path / "out")])
    summary = (tmp_path / "out" / "summary.json").read_text()
    assert status == 1
    assert "WP wrote no statistics for bad" in summary


def test_a_goal_missing_from_the_listing_fails_the_gate(tmp_path):
    """WP counts a goal the per-function listing lacks: the counts disagree."""
    run = tmp_path / "run"
    run.mkdir()
    (run / "wp.log").write_text("")
    (run / "wp-stats.json").write_text(json.dumps(_stats({"f_ensures": _goal(1)}, total=2)))
    status = proof_summary.main(["--run", str(run), "--no-report", "--out", str(tmp_path / "out")])
    summary = (tmp_path / "out" / "summary.json").read_text()
    assert status == 1
    assert "the functions and lemmas have 1 goals, WP counts 2" in summary
