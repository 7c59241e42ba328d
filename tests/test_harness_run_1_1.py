"""The protocol 1.1 cases against real adapters: they pass on the reference
adapter; the reference's faults `truncate` (a large body cut short while the
call reports success, as Wine 8.0 does) and `short-completion` (a deferred
send's completion counts a byte too few) fail them with the right class; an
adapter without the 1.1 capabilities gets SKIP naming the capability."""

import pytest

from harness.runner import RunConfig, Runner

CASES_1_1 = [
    "large-body-16-mib-all-written",
    "large-body-call-8-mib-all-written",
    "concurrent-body-while-body-pending-bad-command",
    "concurrent-body-while-head-pending-bad-command",
    "cancel-pending-response-aborted",
    "async-deferred-body-completes-later",
    "v2-without-info-same-as-v1",
    "multi-known-www-authenticate-lines",
    "multi-known-preserve-order-given-order",
]




def runner(impl, oracle, rules, tmp_path, **kw):
    cfg = RunConfig(impl="test", adapter=impl, oracle=oracle, report_dir=tmp_path,
                    timeout=kw.pop("timeout", 5.0), close_wait=kw.pop("close_wait", 0.5), **kw)
    return Runner(cfg, rules, worker="t")


def test_the_1_1_cases_pass_on_the_reference(reference_cmd, rules, by_id, tmp_path):
    r = runner(reference_cmd, reference_cmd, rules, tmp_path)
    try:
        for cid in CASES_1_1:
            res = r.run(by_id[cid])
            assert res.verdict == "PASS", res.details
    finally:
        r.close()


@pytest.mark.parametrize("cid", ["large-body-16-mib-all-written",
                                 "large-body-call-8-mib-all-written"])
def test_a_large_body_cut_short_fails(reference_cmd, rules, by_id, tmp_path, cid):
    r = runner(reference_cmd + " --fault truncate", reference_cmd, rules, tmp_path)
    try:
        res = r.run(by_id[cid])
        assert res.verdict == "FAIL", res.details
        assert "body" in res.mismatches, res.details
        assert "carried" in res.details and "in all" in res.details
    finally:
        r.close()


@pytest.mark.parametrize("cid", ["async-deferred-body-completes-later",
                                 "concurrent-body-while-body-pending-bad-command"])
def test_a_completion_that_miscounts_fails(reference_cmd, rules, by_id, tmp_path, cid):
    r = runner(reference_cmd + " --fault short-completion", reference_cmd, rules, tmp_path)
    try:
        res = r.run(by_id[cid])
        assert res.verdict == "FAIL", res.details
        assert res.mismatches == ["bytes-sent"], res.details
        assert "(wait " in res.details
    finally:
        r.close()


@pytest.mark.parametrize("cid, cap", [
    ("large-body-16-mib-all-written", "fill"),
    ("cancel-pending-response-aborted", "defer"),
    ("v2-without-info-same-as-v1", "response-v2"),
])
def test_an_adapter_without_the_capability_skips(fake_cmd, reference_cmd, rules, by_id,
                                                 tmp_path, cid, cap):
    caps = "memory,body,file,fragment,overlapped,opaque,recv-body"
    r = runner(f"{fake_cmd} --caps {caps}", reference_cmd, rules, tmp_path)
    try:
        res = r.run(by_id[cid])
        assert res.verdict == "SKIP" and cap in res.summary, res.summary
    finally:
        r.close()
