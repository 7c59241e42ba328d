"""tools/docs/proof.py on proof reports written for the purpose: which goals
belong to a lemma, a behaviour or a named clause, and how they count."""
import json

from tools.docs.proof import Goals, load_proof

PROVED = {"CVC4:1.8": {"total": 1, "valid": 1}, "wp:main": {"total": 1, "valid": 1}}
UNPROVED = {"CVC4:1.8": {"total": 1, "unknown": 1}, "wp:main": {"total": 1, "unknown": 1}}
# WP's wp:main for a smoke test that CVC4 refuted and Z3 did not.
REFUTED_SMOKE = {"CVC4:1.8": {"total": 1, "unknown": 1}, "Z3:4.8.12": {"total": 1, "valid": 1},
                 "wp:main": {"total": 1, "valid": 1}}


def write_proof(tmp_path, functions, lemmas):
    (tmp_path / "summary.json").write_text(json.dumps(
        {"passed": True, "goals": {"proved": 1, "total": 1}, "functions": {}, "problems": []}))
    (tmp_path / "wp-stats.json").write_text(json.dumps(
        {"wp:functions": functions, "wp:axiomatics": {"": lemmas}}))
    return load_proof(tmp_path)


def test_a_lemma_is_found_by_its_name(tmp_path):
    proof = write_proof(tmp_path, {}, {"lemma_buffer_data_no_effect": PROVED,
                                       "lemma_half_done": UNPROVED})
    assert proof.element("lemma", "buffer_data_no_effect", "lemma") == Goals(1, 1)
    assert proof.element("lemma", "half_done", "lemma") == Goals(0, 1)


def test_a_lemma_wp_did_not_list_has_no_goals(tmp_path):
    """A lemma missing from WP's statistics is not proved: no goals, not 0/0."""
    proof = write_proof(tmp_path, {}, {"lemma_other": PROVED})
    assert proof.element("lemma", "buffer_data_no_effect", "lemma") is None
    # a name that only ends like a listed lemma is another lemma
    assert proof.element("lemma", "other_x", "lemma") is None


def test_a_behaviour_counts_its_clauses_and_its_smoke_test(tmp_path):
    goals = {"f_ok_ensures": PROVED, "f_ok_ensures_code": PROVED, "f_ok_assigns": PROVED,
             "f_wp_smoke_ok_assumes": PROVED, "f_okay_ensures": UNPROVED,
             "f_assert_rte_mem_access": PROVED}
    proof = write_proof(tmp_path, {"f": goals}, {})
    assert proof.element("f", "ok", "behavior") == Goals(4, 4)
    assert proof.element("f", "code", "ensures", behavior="ok") == Goals(1, 1)


def test_a_refuted_smoke_test_does_not_count_as_proved(tmp_path):
    """The site counts as the gate does (tools/proof_summary.py)."""
    goals = {"f_ok_ensures": PROVED, "f_wp_smoke_ok_assumes": REFUTED_SMOKE}
    proof = write_proof(tmp_path, {"f": goals}, {})
    assert proof.element("f", "ok", "behavior") == Goals(1, 2)
