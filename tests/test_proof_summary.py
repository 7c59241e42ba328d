"""tools/proof_summary.py on logs written for the purpose: its gate checks that
need no proof run."""
import pathlib
import sys

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
    log = tmp_path / "wp.log"
    log.write_text(LOG)
    status = proof_summary.main(["--stats", str(tmp_path / "none.json"), "--no-report",
                                 "--log", str(log), "--out", str(tmp_path / "out"),
                                 "--steps", "400000"])
    summary = (tmp_path / "out" / "summary.json").read_text()
    assert status == 1
    assert "past the step limit of 400000 (first: typed_f_assert_a)" in summary
