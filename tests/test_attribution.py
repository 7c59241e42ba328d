"""The one table of which rule each check enforces (harness.attribution) names only
rules of the spec, and a death in the adapter's own setup is not a verdict on the
function under test (SETUP lines, spec/adapter-protocol.md)."""

from harness import attribution as attr
from harness.engine import Session
from harness.judge import Context, judge


def test_every_rule_the_table_names_is_a_spec_rule(rules):
    named = set(attr.FIXED_RULES) | set(attr.REQUEST_RULES) | {r for _, r in attr.FEATURE_FLAGS}
    assert named - set(rules) == set()
    assert set(attr.KIND_CLASS) == set(attr.KINDS)


def test_a_death_after_setup_is_skip_not_crash(tmp_path, fake_cmd, suite, rules):
    case = next(c for c in suite if c.id == "status-418-teapot-retry-after")
    outs = {}
    for fault in ("setup-crash", "crash"):
        s = Session(f"{fake_cmd} --fault {fault}", log_path=tmp_path / f"{fault}.log",
                    close_wait=0.3)
        try:
            outs[fault] = s.run_case(case, 3.0)
        finally:
            s.stop()
    assert outs["crash"].status == "crash"          # the same death without SETUP
    assert outs["setup-crash"].status == "setup-failed", outs["setup-crash"].message
    res = judge(case, None, outs["setup-crash"], Context(rules=rules))
    assert res.verdict == "SKIP" and "HttpAddFragmentToCache" in res.summary
