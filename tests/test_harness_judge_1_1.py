"""Judging what protocol 1.1 adds, on synthetic outcomes: bytes beyond the
1 MiB kept per connection are counted and compared (a large body cut short
fails), bytes of a deferred call that arrive during later steps are its own,
and wait steps are judged (pending or not, completion code and count)."""

import email.utils

import pytest

from harness.cases import load_case
from harness.outcome import CallResult, ConnResult, Outcome
from harness.transport import WIRE_CAP
from harness.judge import Context, judge
from test_harness_cases import write_case

NOW = email.utils.formatdate(usegmt=True).encode()
MIB = 1 << 20

LARGE = '''
id = "large"
title = "A large body"
rules = ["CALL-SYSTEM-ERROR"]
level = "MUST"
description = "Why."

[[request]]
name = "r1"
raw = "GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"

[[call]]
fn = "response"
id = "r1"
reason = "OK"
chunks = [{ fill = "a", length = 3145728 }]
expect = { rc = [0] }

[expect]
connection = "open"
'''

DEFERRED = '''
id = "deferred"
title = "A deferred body call"
rules = ["CALL-CONCURRENT-SEND"]
level = "IMPL"
description = "Why."

[[request]]
name = "r1"
raw = "GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"
pause_reading = true

[[call]]
fn = "response"
id = "r1"
flags = ["MORE_DATA"]
reason = "OK"
known = { Content-Length = "7" }
expect = { rc = [0] }

[[call]]
fn = "body"
id = "r1"
flags = ["MORE_DATA"]
overlapped = "defer"
op = "big"
chunks = [{ memory = "abcdef" }]
expect = { rc = [0, 997] }

[[call]]
fn = "wait"
op = "big"
timeout_ms = 50
expect = { pending = true }

[[call]]
fn = "body"
id = "r1"
chunks = [{ memory = "z" }]
expect = { rc = [22] }

[[call]]
fn = "resume"
id = "r1"

[[call]]
fn = "wait"
op = "big"
expect = { rc = [0] }

[[call]]
fn = "body"
id = "r1"
chunks = [{ memory = "z" }]
expect = { rc = [0] }

[expect]
connection = "open"
'''

HEAD = (b"HTTP/1.1 200 OK\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: " + NOW
        + b"\r\nContent-Length: 3145728\r\n\r\n")
HEAD7 = (b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: " + NOW
         + b"\r\n\r\n")




def large_outcome(total=3 * MIB, head=HEAD, bytes_sent=None):
    """A response of `total` entity bytes of which the first WIRE_CAP bytes of the
    connection are kept and the rest counted."""
    wire = (head + b"a" * total)[:WIRE_CAP]
    overflow = len(head) + total - len(wire)
    o = Outcome()
    o.calls = [CallResult(1, "response", 0, bytes_sent if bytes_sent is not None else total,
                          "unset")]
    o.conns = {"r1": ConnResult("r1", wire=wire, marks=[(1, len(wire))], fate="open",
                                overflow=overflow, totals=[(1, len(wire) + overflow)])}
    return o


def test_large_body_counted_past_the_cap_passes(tmp_path, rules, ctx):
    case = load_case(write_case(tmp_path, LARGE, area="conn", cid="large"), rules)
    res = judge(case, large_outcome(), large_outcome(), ctx)
    assert res.verdict == "PASS", res.details


def test_large_body_cut_short_fails_as_body(tmp_path, rules, ctx):
    case = load_case(write_case(tmp_path, LARGE, area="conn", cid="large"), rules)
    # the call reports all 3 MiB sent, but only 2 MiB reach the client
    res = judge(case, large_outcome(), large_outcome(total=2 * MIB, bytes_sent=3 * MIB), ctx)
    assert res.verdict == "FAIL" and res.mismatches == ["body"], res.details
    assert "carried" in res.details and "-> CALL-SYSTEM-ERROR" in res.details


def test_large_body_count_allows_another_server_token(tmp_path, rules):
    case = load_case(write_case(tmp_path, LARGE, area="conn", cid="large"), rules)
    other = large_outcome(head=HEAD.replace(b"Microsoft-HTTPAPI/2.0", b"Other/9"))
    ctx = Context(rules=rules, impl_token="Other/9")
    assert judge(case, large_outcome(), other, ctx).verdict == "PASS"
    short = large_outcome(total=3 * MIB - 1, head=HEAD.replace(b"Microsoft-HTTPAPI/2.0",
                                                                b"Other/9"), bytes_sent=3 * MIB)
    assert judge(case, large_outcome(), short, ctx).mismatches == ["body"]


def deferred_outcome(split_at=3, pending=True, completion=6, rc=0, wait_rc=0, late=b""):
    """The deferred case: the head, then "abcdef" of which `split_at` bytes arrive
    during the call and the rest during the second wait step; `late` arrives during
    the last call before its own "z"."""
    body = b"abcdef"
    wire = HEAD7 + body[:split_at]
    marks = [(1, len(HEAD7)), (2, len(wire)), (3, len(wire)), (4, len(wire)), (5, len(wire))]
    wire += body[split_at:]
    marks.append((6, len(wire)))
    wire += late + b"z"
    marks.append((7, len(wire)))
    o = Outcome()
    o.calls = [CallResult(1, "response", 0, len(HEAD7), "unset"),
               CallResult(2, "body", rc, "unset", "pending"),
               CallResult(3, "wait", None if pending else 0, None, None if pending else 6,
                          pending=pending),
               CallResult(4, "body", 22, "unset", "unset"),
               CallResult(5, "resume"),
               CallResult(6, "wait", wait_rc, None, completion, pending=False),
               CallResult(7, "body", 0, 1, "unset")]
    o.conns = {"r1": ConnResult("r1", wire=wire, marks=marks, fate="open")}
    return o


@pytest.fixture
def deferred(tmp_path, rules):
    return load_case(write_case(tmp_path, DEFERRED, area="call", cid="deferred"), rules)


@pytest.mark.parametrize("split_at", [0, 3, 6])
def test_bytes_of_a_deferred_call_are_its_own_whenever_they_arrive(deferred, ctx, split_at):
    res = judge(deferred, deferred_outcome(), deferred_outcome(split_at=split_at), ctx)
    assert res.verdict == "PASS", res.details


@pytest.mark.parametrize("impl, classes, text", [
    (dict(pending=False, split_at=6), ["return-code"], "expected: pending after"),
    (dict(completion=5), ["bytes-sent"], "equals the bytes the call put on the wire"),
    (dict(wait_rc=995), ["return-code"], "995 (ERROR_OPERATION_ABORTED)"),
    (dict(late=b"Q"), ["body"], ""),
])
def test_wait_steps_and_stray_bytes_are_judged(deferred, ctx, impl, classes, text):
    res = judge(deferred, deferred_outcome(), deferred_outcome(**impl), ctx)
    assert res.verdict == "FAIL" and res.mismatches == classes, res.details
    assert text in res.details


def test_a_still_pending_completion_is_a_mismatch(deferred, ctx):
    impl = deferred_outcome()
    impl.calls[5] = CallResult(6, "wait", None, None, None, pending=True)
    res = judge(deferred, deferred_outcome(), impl, ctx)
    assert res.mismatches == ["return-code"] and "WAIT answered TIMEOUT" in res.details


def test_the_model_must_agree_with_a_wait_step(deferred, ctx):
    res = judge(deferred, deferred_outcome(pending=False), deferred_outcome(), ctx)
    assert res.verdict == "ERROR" and "step 3 (wait big): the model: the operation is still pending" in res.details
