"""Normalisation, comparison, verdicts and expectations (harness.compare, harness.judge,
harness.expectations), on synthetic outcomes: no adapter involved."""

import email.utils
import time

import pytest

from harness.compare import (Message, Norm, compare_messages, first_difference,
                             imf_fixdate_ok, messages, normalise, parse_head, show_byte,
                             split_like, visible)
from harness.outcome import CallResult, ConnResult, Outcome
from harness.judge import Context, judge

NOW = email.utils.formatdate(usegmt=True).encode()


def head(*lines, body=b""):
    return b"".join(x + b"\r\n" for x in lines) + b"\r\n" + body


RESP = head(b"HTTP/1.1 200 OK", b"Server: Microsoft-HTTPAPI/2.0", b"Date: " + NOW,
            b"Content-Length: 5", body=b"hello")


# ------------------------------------------------------------------ display

def test_visible_shows_crlf_and_controls():
    text = visible(b"A\r\nB\x00\xff\tC\rD\n", indent="")
    assert text.splitlines() == ["A␍␊", "B\\x00\\xff\\tC␍D␊"]
    assert visible(b"", indent="") == "(nothing)"
    assert "more bytes" in visible(bytes(range(65, 115)), limit=10)
    # a run of one byte is counted, not spelled out
    assert visible(b"ab" + b"L" * 1048000 + b"\r\n", indent="") == "ab'L' × 1048000␍␊"
    assert visible(b"x" * 31, indent="") == "x" * 31


def test_first_difference_and_show_byte():
    assert first_difference(b"abc", b"abc") is None
    assert first_difference(b"abc", b"abd") == 2
    assert first_difference(b"ab", b"abc") == 2
    assert show_byte(b"a\r", 1) == "'␍' (0x0d)"
    assert show_byte(b"a", 5) == "end of data"


# ------------------------------------------------------------------ Date

def test_imf_fixdate_window():
    now = time.time()
    assert imf_fixdate_ok(email.utils.formatdate(now, usegmt=True).encode(), now)
    assert imf_fixdate_ok(email.utils.formatdate(now - 290, usegmt=True).encode(), now)
    assert not imf_fixdate_ok(email.utils.formatdate(now - 400, usegmt=True).encode(), now)
    assert not imf_fixdate_ok(b"yesteryear", now)
    assert not imf_fixdate_ok(b"Tue, 22 Sep 2020 07:17:30 GMT", now)          # far away
    assert imf_fixdate_ok(b"Tue, 22 Sep 2020 07:17:30 GMT", 1600759050)
    assert not imf_fixdate_ok(b"Wed, 22 Sep 2020 07:17:30 GMT", 1600759050)   # wrong day
    assert not imf_fixdate_ok(b"Tue, 22 Sep 2020 07:17:30 UTC", 1600759050)
    assert not imf_fixdate_ok(b"Tue, 31 Sep 2020 07:17:30 GMT", 1600759050)   # no such date


# ------------------------------------------------------------------ normalise

def test_normalise_date_and_token_report_what_fired():
    fired = set()
    [m] = normalise([parse_head(RESP)], Norm(token="Microsoft-HTTPAPI/2.0"), fired)
    assert m.headers == [b"Server: <server-token>", b"Date: <date>", b"Content-Length: 5"]
    assert fired == {"date", "server-token"}


def test_normalise_bad_date_left_alone_with_a_note():
    notes, fired = [], set()
    msg = parse_head(head(b"HTTP/1.1 200 OK", b"Date: yesteryear"))
    [m] = normalise([msg], Norm(), fired, notes)
    assert m.headers == [b"Date: yesteryear"] and not fired
    assert notes and "an IMF-fixdate within" in notes[0]


@pytest.mark.parametrize("token, value, out", [
    ("Microsoft-HTTPAPI/2.0", b"Microsoft-HTTPAPI/2.0", b"<server-token>"),
    ("Microsoft-HTTPAPI/2.0", b"probe/1.0 Microsoft-HTTPAPI/2.0", b"probe/1.0 <server-token>"),
    ("Microsoft-HTTPAPI/2.0", b"Other/1.0", b"Other/1.0"),
    ("*", b"Other/1.0", b"<server-token>"),
    ("*", b"probe/1.0 Other/1.0", b"probe/1.0 <server-token>"),
    ("MyServer/3", b"probe/1.0 MyServer/3", b"probe/1.0 <server-token>"),
])
def test_normalise_server_token(token, value, out):
    [m] = normalise([parse_head(head(b"HTTP/1.1 200 OK", b"Server: " + value))], Norm(token=token))
    assert m.headers == [b"Server: " + out]


def test_any_token_does_not_swallow_an_expected_unknown_server_line():
    expected = normalise([parse_head(head(b"HTTP/1.1 200 OK", b"Server: Microsoft-HTTPAPI/2.0",
                                          b"Server: app/1.0"))], Norm())
    actual = parse_head(head(b"HTTP/1.1 200 OK", b"Server: Wine/1", b"Server: app/1.0"))
    [m] = normalise([actual], Norm(token="*"), keep=expected)
    assert m.headers == [b"Server: <server-token>", b"Server: app/1.0"]


# ------------------------------------------------------------------ compare

def msgs(data):
    return [parse_head(data)]


def test_header_order_is_a_normalisation_unless_strict():
    a = msgs(head(b"HTTP/1.1 200 OK", b"A: 1", b"B: 2"))
    b = msgs(head(b"HTTP/1.1 200 OK", b"B: 2", b"A: 1"))
    cmp = compare_messages(a, b, "any")
    assert cmp.ok and cmp.fired == {"header-order"}
    cmp = compare_messages(a, b, "strict")
    assert [d.cls for d in cmp.diffs] == ["headers"]


def test_mismatch_classes():
    base = head(b"HTTP/1.1 200 OK", b"A: 1", body=b"body")
    cases = {
        head(b"HTTP/1.1 201 OK", b"A: 1", body=b"body"): {"status-line"},
        head(b"HTTP/1.1 200 OK", b"A: 2", body=b"body"): {"headers"},
        head(b"HTTP/1.1 200 OK", b"A: 1", b"A: 1", body=b"body"): {"headers"},
        head(b"HTTP/1.1 200 OK", b"A: 1", body=b"bodyX"): {"body"},
    }
    for actual, classes in cases.items():
        cmp = compare_messages(msgs(base), msgs(actual))
        assert {d.cls for d in cmp.diffs} == classes, actual
    cmp = compare_messages(msgs(base), [])
    assert [d.cls for d in cmp.diffs] == ["status-line"] and "missing" in cmp.diffs[0].text
    cmp = compare_messages([], [Message(status=None, body=b"junk")])
    assert [d.cls for d in cmp.diffs] == ["body"]


def test_offset_of_first_real_difference_ignores_order():
    a = msgs(head(b"HTTP/1.1 200 OK", b"A: 1", b"B: 2", body=b"xyz"))
    b = msgs(head(b"HTTP/1.1 200 OK", b"B: 2", b"A: 1", body=b"xyQ"))
    cmp = compare_messages(a, b)
    assert [d.cls for d in cmp.diffs] == ["body"]
    assert cmp.expected[cmp.offset:cmp.offset + 1] == b"z"
    assert cmp.actual[cmp.offset:cmp.offset + 1] == b"Q"


def test_messages_follow_the_calls():
    ms = messages([("none", b""), ("head", head(b"HTTP/1.1 200 OK", body=b"ab")),
                   ("body", b"cd"), ("none", b"stray"), ("head", head(b"HTTP/1.1 204 X"))])
    assert [m.status for m in ms] == [b"HTTP/1.1 200 OK", None, b"HTTP/1.1 204 X"]
    assert ms[0].body == b"abcd" and ms[1].body == b"stray"


def test_split_like_uses_the_shape_of_the_model():
    model = messages([("head", head(b"HTTP/1.1 200 OK", body=b"ab")),
                      ("head", head(b"HTTP/1.1 200 OK", body=b"cd"))])
    written = head(b"HTTP/1.1 200 OK", body=b"ab") + head(b"HTTP/1.1 200 OK", body=b"cd")
    assert [m.body for m in split_like(written, model)] == [b"ab", b"cd"]
    garbage = split_like(b"XYZ", model)
    assert garbage[0].status == b"XYZ" and not garbage[0].head_complete


# ------------------------------------------------------------------ judge

@pytest.fixture
def case(judged_case):
    return judged_case


def outcome(wire=RESP, rc1=0, rc2=1229, fate="open", bytes_sent=None):
    o = Outcome()
    o.calls = [CallResult(1, "response", rc1, bytes_sent if bytes_sent is not None else len(wire),
                          "unset"),
               CallResult(2, "body", rc2, "unset", "unset")]
    o.conns = {"r1": ConnResult("r1", wire=wire, marks=[(1, len(wire)), (2, len(wire))],
                                fate=fate)}
    return o




def test_identical_outcomes_pass(case, ctx):
    res = judge(case, outcome(), outcome(), ctx)
    assert res.verdict == "PASS" and not res.mismatches
    assert "date" in res.normalisations and "server-token" in res.normalisations


def test_model_disagreeing_with_the_case_is_a_suite_error(case, ctx):
    model = outcome(wire=RESP.replace(b"hello", b"HELLO"))
    res = judge(case, model, outcome(), ctx)
    assert res.verdict == "ERROR" and "suite bug" in res.summary
    assert "First differing byte" in res.details


@pytest.mark.parametrize("impl, classes, want_rules", [
    (dict(rc2=87), ["return-code"], {"CALL-OK"}),
    (dict(fate="closed"), ["connection"], {"CONN-PERSISTENT"}),
    (dict(wire=RESP + b"X"), ["body"], {"WIRE-BODY"}),
    (dict(wire=RESP.replace(b"Date: " + NOW + b"\r\n", b"")), ["headers"], {"WIRE-DATE"}),
    (dict(wire=RESP.replace(b"Server: Microsoft-HTTPAPI/2.0\r\n", b"")), ["headers"],
     {"WIRE-SERVER"}),
    (dict(wire=RESP.replace(b"Content-Length: 5", b"Content-Length: 5\r\nConnection: keep-alive")),
     ["headers"], {"WIRE-NOTHING-ELSE"}),
    (dict(wire=RESP.replace(b"Content-Length: 5", b"Content-Length: 6")), ["headers"],
     {"WIRE-CL-AUTO"}),
    (dict(wire=b"\x00" * 64), ["status-line", "headers", "body"],
     {"WIRE-STATUS-LINE", "WIRE-NOTHING-ELSE", "WIRE-SERVER", "WIRE-DATE", "WIRE-CL-AUTO",
      "WIRE-BODY"}),
    (dict(bytes_sent=7), ["bytes-sent"], {"CONN-BYTES-SENT-HEAD"}),
])
def test_impl_mismatch_classes_and_rules(case, ctx, impl, classes, want_rules):
    """Each deviation is filed under the rule it breaks, not the case's first rule."""
    res = judge(case, outcome(), outcome(**impl), ctx)
    assert res.verdict == "FAIL"
    assert res.mismatches == classes
    assert {a.rule for a in res.assertions if a.failed} == want_rules
    assert "-> WIRE-CL-AUTO (OBS): automatic Content-Length" in res.details


def test_bytes_sent_variants_of_the_head(case, ctx):
    """CONN-BYTES-SENT-HEAD: all the call's bytes or its entity bytes; not left unwritten."""
    for value in (len(RESP), 5):
        assert judge(case, outcome(), outcome(bytes_sent=value), ctx).verdict == "PASS"
    assert judge(case, outcome(), outcome(bytes_sent="unset"), ctx).verdict == "FAIL"


def test_other_token_normalised(case, rules):
    impl = outcome(wire=RESP.replace(b"Microsoft-HTTPAPI/2.0", b"Other/9"))
    assert judge(case, outcome(), impl, Context(rules=rules)).verdict == "FAIL"
    assert judge(case, outcome(), impl, Context(rules=rules, impl_token="Other/9")).verdict == "PASS"
    assert judge(case, outcome(), impl, Context(rules=rules, impl_token="*")).verdict == "PASS"


def test_adapter_trouble_verdicts(case, ctx):
    for status, verdict in (("crash", "CRASH"), ("timeout", "TIMEOUT"),
                            ("adapter-error", "ERROR")):
        impl = Outcome(status=status, message="boom")
        assert judge(case, outcome(), impl, ctx).verdict == verdict
    assert judge(case, Outcome(status="crash"), outcome(), ctx).verdict == "ERROR"
    assert judge(case, None, Outcome(status="skip", message="no file"), ctx).verdict == "SKIP"


