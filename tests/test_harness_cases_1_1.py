"""The case format of protocol 1.1 (harness/CASES.md): fill chunks, deferred
calls with wait / cancel / resume steps, pause_reading, response_version and
multi_known, wire_lines_ordered; what they load to, the CALL lines and the
capabilities they need, and every malformed use named by file and field."""

import pytest

from harness.cases import load_case
from test_harness_cases import errors_of, write_case

DEFERRED = '''
id = "{id}"
title = "A deferred case"
rules = ["CALL-CANCELLED"]
level = "IMPL"
description = "Why."

[[request]]
name = "r1"
raw = "GET / HTTP/1.1\\r\\nHost: {{host}}\\r\\n\\r\\n"
pause_reading = true

[[call]]
fn = "response"
id = "r1"
overlapped = "defer"
op = "send"
chunks = [{{ fill = "c", length = 1000 }}, {{ memory = "d" }}]
expect = {{ rc = [0, 997] }}

[[call]]
fn = "wait"
op = "send"
timeout_ms = 50
expect = {{ pending = true }}

[[call]]
fn = "cancel"
op = "send"

[[call]]
fn = "resume"
id = "r1"

[[call]]
fn = "wait"
op = "send"
expect = {{ rc = [995, "error"], completion = "any" }}

[expect]
wire_starts_with = "HTTP/1.1 200 "
'''

V2 = '''
id = "{id}"
title = "A V2 case"
rules = ["RESP-INFO-MULTIPLE-KNOWN"]
level = "MUST"
description = "Why."

[[request]]
name = "r1"
raw = "GET / HTTP/1.1\\r\\nHost: {{host}}\\r\\n\\r\\n"

[[call]]
fn = "response"
id = "r1"
status = 401
multi_known = [{{ header = "www-authenticate", flags = ["PRESERVE_ORDER"], values = ["A", "B c"] }},
               {{ header = "Set-Cookie", flags = 0, values = [""] }}]
expect = {{ rc = [0] }}

[expect]
wire_lines = ["WWW-Authenticate: A", "WWW-Authenticate: B c"]
wire_lines_ordered = true
'''


def test_deferred_case_loads_with_its_steps_and_capabilities(tmp_path, rules):
    case = load_case(write_case(tmp_path, DEFERRED.format(id="a-case")), rules)
    assert case.needs == ["defer", "fill", "overlapped"]
    assert case.requests[0].pause_reading
    send, pending, cancel, resume, done = case.calls
    assert send.deferred and send.op == "send"
    assert send.command() == "CALL response id=r1 overlapped=defer op=send chunk=fill:63:1000 " \
                             "chunk=mem:64"
    assert send.entity_bytes() == 1001
    assert (pending.fn, pending.op, pending.id, pending.expect) == ("wait", "send", "r1",
                                                                    {"pending": True})
    assert pending.args["timeout_ms"] == 50
    assert (cancel.fn, cancel.id, resume.fn, resume.id) == ("cancel", "r1", "resume", "r1")
    assert done.expect == {"rc": [995, "error"], "completion": "any"}
    for step in (pending, cancel, resume, done):
        with pytest.raises(ValueError):
            step.command()


def test_v2_case_loads_with_its_call_line(tmp_path, rules):
    case = load_case(write_case(tmp_path, V2.format(id="a-case")), rules)
    assert case.needs == ["response-v2"]
    assert case.calls[0].command() == ("CALL response id=r1 status=401 multi_known=29:1:41,"
                                       "422063 multi_known=27:0:-")
    assert case.expect["wire_lines_ordered"] is True


def test_v2_without_info_and_a_plain_case_lines(tmp_path, rules):
    text = V2.format(id="a-case").replace(
        '''multi_known = [{ header = "www-authenticate", flags = ["PRESERVE_ORDER"], values = ["A", "B c"] },
               { header = "Set-Cookie", flags = 0, values = [""] }]''', "response_version = 2")
    case = load_case(write_case(tmp_path, text), rules)
    assert case.calls[0].command() == "CALL response id=r1 status=401 response_version=2"
    assert case.needs == ["response-v2"]
    plain = text.replace("response_version = 2", "response_version = 1")
    case = load_case(write_case(tmp_path, plain), rules)
    assert case.calls[0].command() == "CALL response id=r1 status=401" and case.needs == []


@pytest.mark.parametrize("edit, field, message", [
    (('op = "send"\nchunks', 'chunks'), "call[1].op", "missing"),
    (('overlapped = "defer"\n', 'overlapped = true\n'), "call[1].op", 'only for overlapped = "defer"'),
    (('overlapped = "defer"', 'overlapped = "later"'), "call[1].overlapped", "expected true/false"),
    (('op = "send"\nchunks', 'op = "a b"\nchunks'), "call[1].op", "must match"),
    (('expect = { rc = [0, 997] }', 'expect = { rc = [0, 997], completion = 1001 }'),
     "call[1].expect", "checked by a wait step"),
    (('{ fill = "c", length = 1000 }', '{ fill = "cc", length = 1000 }'), "call[1].chunks[1].fill",
     "exactly one byte"),
    (('{ fill = "c", length = 1000 }', '{ fill = "c" }'), "call[1].chunks[1].length", "missing"),
    (('{ fill = "c", length = 1000 }', '{ fill = "c", length = 4294967296 }'),
     "call[1].chunks[1].length", "out of range"),
    (('{ fill = "c", length = 1000 }', '{ fill = "c", length = 1, start = 0 }'),
     "call[1].chunks[1].start", "unknown field"),
    (('fn = "cancel"\nop = "send"', 'fn = "cancel"\nop = "other"'), "call[3].op",
     "not the op of an earlier deferred call"),
    (('fn = "cancel"\nop = "send"', 'fn = "cancel"'), "call[3].op", "missing"),
    (('fn = "cancel"\nop = "send"', 'fn = "cancel"\nop = "send"\nexpect = { rc = [0] }'),
     "call[3].expect", "unknown field"),
    (('timeout_ms = 50\nexpect = { pending = true }', 'timeout_ms = 50\nexpect = { pending = false }'),
     "call[2].expect.pending", "only pending = true"),
    (('timeout_ms = 50\nexpect = { pending = true }', 'timeout_ms = 50\nexpect = { pending = true, rc = [0] }'),
     "call[2].expect", "either pending = true or rc"),
    (('timeout_ms = 50\n', 'timeout_ms = 0\n'), "call[2].timeout_ms", "out of range"),
    (('expect = { rc = [995, "error"], completion = "any" }', 'expect = { completion = "any" }'),
     "call[5].expect.rc", "missing"),
    (('expect = { rc = [995, "error"], completion = "any" }', ''), "call[5].expect",
     "missing"),
    (('fn = "resume"\nid = "r1"', 'fn = "resume"\nid = "r9"'), "call[4].id", "not a request name"),
    (('pause_reading = true\n', ''), "call[4].id", "has no pause_reading"),
    (('pause_reading = true', 'pause_reading = "yes"'), "request[1].pause_reading",
     "expected true/false"),
])
def test_malformed_deferred_case_names_file_and_field(tmp_path, rules, edit, field, message):
    text = DEFERRED.format(id="a-case").replace(*edit, 1)
    assert text != DEFERRED.format(id="a-case"), "the edit must change the case"
    err = errors_of(tmp_path, rules, text)
    assert "wire/a-case.toml" in err
    assert f": {field}: " in err, err
    assert message in err, err


def test_pause_reading_needs_a_deferred_call_on_the_request(tmp_path, rules):
    text = DEFERRED.format(id="a-case").replace('overlapped = "defer"\nop = "send"\n', '', 1)
    text = text[:text.index('[[call]]\nfn = "wait"')] + '[expect]\nconnection = "any"\n'
    err = errors_of(tmp_path, rules, text)
    assert ": request[1].pause_reading: the client stops reading at the first deferred" in err, err


def test_an_op_name_is_used_once(tmp_path, rules):
    text = DEFERRED.format(id="a-case").replace('''[[call]]
fn = "wait"
op = "send"
timeout_ms''', '''[[call]]
fn = "body"
id = "r1"
overlapped = "defer"
op = "send"
expect = { rc = [0, 997] }

[[call]]
fn = "wait"
op = "send"
timeout_ms''', 1)
    err = errors_of(tmp_path, rules, text)
    assert ": call[2].op: op 'send' is already the name of an earlier call" in err, err


@pytest.mark.parametrize("edit, field, message", [
    (('header = "Set-Cookie"', 'header = "X-Foo"'), "call[1].multi_known[2].header",
     "not a known response header"),
    (('flags = ["PRESERVE_ORDER"]', 'flags = ["KEEP_ORDER"]'), "call[1].multi_known[1].flags[1]",
     "unknown flag"),
    (('values = [""]', 'values = []'), "call[1].multi_known[2].values", "1 to 65535"),
    (('values = [""]', 'values = ["\\u20ac"]'), "call[1].multi_known[2].values[1]", "not a byte"),
    (('values = [""] }]', 'values = [""], order = 1 }]'), "call[1].multi_known[2].order",
     "unknown field"),
    (('status = 401', 'status = 401\nresponse_version = 1'), "call[1].response_version",
     "needs response_version = 2"),
    (('status = 401', 'status = 401\nresponse_version = 3'), "call[1].response_version",
     "expected one of"),
    (('wire_lines_ordered = true', 'wire_lines_ordered = "yes"'), "expect.wire_lines_ordered",
     "expected true/false"),
    (('wire_lines = ["WWW-Authenticate: A", "WWW-Authenticate: B c"]\n', 'connection = "open"\n'),
     "expect.wire_lines_ordered", "only with wire_lines"),
])
def test_malformed_v2_case_names_file_and_field(tmp_path, rules, edit, field, message):
    text = V2.format(id="a-case").replace(*edit, 1)
    assert text != V2.format(id="a-case"), "the edit must change the case"
    err = errors_of(tmp_path, rules, text)
    assert f": {field}: " in err, err
    assert message in err, err


def test_response_version_is_for_response_calls_only(tmp_path, rules):
    text = V2.format(id="a-case").replace('fn = "response"', 'fn = "body"')
    err = errors_of(tmp_path, rules, text)
    assert 'call[1].multi_known: only for fn = "response"' in err, err


@pytest.mark.parametrize("wire, ok", [
    (b"HTTP/1.1 401 \r\nWWW-Authenticate: A\r\nX: y\r\nWWW-Authenticate: B c\r\n\r\n", True),
    (b"HTTP/1.1 401 \r\nWWW-Authenticate: B c\r\nWWW-Authenticate: A\r\n\r\n", False),
    (b"HTTP/1.1 401 \r\nWWW-Authenticate: A\r\n\r\n", False),
])
def test_wire_lines_ordered(tmp_path, rules, wire, ok):
    from harness.judge import pattern_problems
    case = load_case(write_case(tmp_path, V2.format(id="a-case")), rules)
    found = pattern_problems(case, "r1", wire)
    assert (found == []) == ok, found
    if not ok:
        assert all(cls == "headers" for cls, _ in found)


@pytest.mark.parametrize("wire, line, start, end", [
    (b"A: 1\r\nB: 2\r\n\r\n", b"B: 2", 0, 12),
    (b"A: 1\r\nB: 2\r\n\r\n", b"A: 1", 6, None),
    (b"XA: 1\r\nA: 1\r\n", b"A: 1", 0, 13),
    (b"A: 1\r\nB: 2\r\n\r\n", b"", 6, 14),
    (b"A: 1\r\nB: 2\r\n", b"", 0, None),
])
def test_line_end(wire, line, start, end):
    from harness.judge import line_end
    assert line_end(wire, line, start) == end
