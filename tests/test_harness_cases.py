"""The case loader and validator (harness.cases, harness.schema)."""

import textwrap

import pytest

from harness.cases import CaseLoadError, load_case, load_cases
from harness.request import curl_expressible
from harness.schema import CaseSchemaError, level_fits

GOOD = '''
id = "{id}"
title = "A good case"
rules = ["WIRE-STATUS-LINE"]
level = "MUST"
description = "Why."

[[request]]
name = "r1"
raw = "GET / HTTP/1.1\\r\\nHost: {{host}}\\r\\n\\r\\n"

[[call]]
fn = "response"
id = "r1"
reason = "OK"
expect = {{ rc = [0] }}

[expect]
connection = "open"
wire = "HTTP/1.1 200 OK\\r\\n"
'''


def write_case(tmp_path, text, area="wire", cid="a-case"):
    d = tmp_path / area
    d.mkdir(parents=True, exist_ok=True)
    p = d / f"{cid}.toml"
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def errors_of(tmp_path, rules, text, cid="a-case"):
    p = write_case(tmp_path, text, cid=cid)
    with pytest.raises(CaseSchemaError) as exc:
        load_case(p, rules)
    return str(exc.value)


def test_every_case_of_the_suite_loads(suite):
    assert len(suite) >= 100
    assert len({c.id for c in suite}) == len(suite)


def test_good_case_loads(tmp_path, rules):
    case = load_case(write_case(tmp_path, GOOD.format(id="a-case")), rules)
    assert case.id == "a-case" and case.area == "wire"
    assert case.requests[0].via == "curl"
    assert case.calls[0].command() == "CALL response id=r1 reason=4f4b"
    assert case.expect["wire"] == {"r1": b"HTTP/1.1 200 OK\r\n"}
    assert case.rule_classes == {"WIRE-STATUS-LINE": "OBS"}


@pytest.mark.parametrize("edit, field, message", [
    (("id = \"a-case\"", "id = \"other\""), "id", "must equal the file name"),
    (("rules = [\"WIRE-STATUS-LINE\"]", "rules = [\"NO-SUCH-RULE\"]"), "rules[1]",
     "not a rule id of the spec"),
    (("level = \"MUST\"", "level = \"UNDEF\""), "level", "does not fit the rules' classes"),
    (("level = \"MUST\"", "level = \"OFTEN\""), "level", "expected one of"),
    (("title = \"A good case\"\n", ""), "title", "missing"),
    (("fn = \"response\"", "fn = \"respond\""), "call[1].fn", "expected one of"),
    (("id = \"r1\"\nreason", "id = \"r9\"\nreason"), "call[1].id", "not a request name"),
    (("expect = { rc = [0] }", "expect = { bytes_sent = 3 }"), "call[1].expect.rc", "missing"),
    (("reason = \"OK\"", "reason = \"OK\"\nflags = [\"MORE_DATTA\"]"), "call[1].flags[1]",
     "unknown flag"),
    (("reason = \"OK\"", "reason = \"\\u20ac\""), "call[1].reason", "is not a byte"),
    (("reason = \"OK\"", "reason = \"OK\"\nknown = { X-Foo = \"1\" }"), "call[1].known.X-Foo",
     "not a known response header"),
    (("reason = \"OK\"", "reason = \"OK\"\nchunks = [{ memory = 1 }]"),
     "call[1].chunks[1].memory", "expected a byte string"),
    (("reason = \"OK\"", "reason = \"OK\"\nchunks = [{ file = \"x\", memory = \"y\" }]"),
     "call[1].chunks[1]", "exactly one of"),
    (("reason = \"OK\"", "reason = \"OK\"\nbogus = 1"), "call[1].bogus", "unknown field"),
    (("connection = \"open\"", "connection = \"maybe\""), "expect.connection",
     "expected one of"),
    (("name = \"r1\"", "name = \"r 1\""), "request[1].name", "must match"),
    (("name = \"r1\"", "name = \"r1\"\nvia = \"curl\"\nclose_after_send = true"),
     "request[1].via", "curl cannot be used"),
])
def test_malformed_case_names_file_and_field(tmp_path, rules, edit, field, message):
    text = GOOD.format(id="a-case").replace(*edit, 1)
    assert text != GOOD.format(id="a-case"), "the edit must change the case"
    err = errors_of(tmp_path, rules, text)
    assert "wire/a-case.toml" in err
    assert f": {field}: " in err, err
    assert message in err, err


def test_body_call_rejects_response_fields(tmp_path, rules):
    text = GOOD.format(id="a-case").replace('fn = "response"', 'fn = "body"')
    err = errors_of(tmp_path, rules, text)
    assert "call[1].reason: only for fn = \"response\"" in err


def test_all_errors_are_reported_together(tmp_path, rules):
    text = GOOD.format(id="a-case").replace('level = "MUST"', 'level = "NOPE"').replace(
        'fn = "response"', 'fn = "nope"')
    err = errors_of(tmp_path, rules, text)
    assert ": level: " in err and ": call[1].fn: " in err


def test_toml_syntax_error_names_file(tmp_path, rules):
    err = errors_of(tmp_path, rules, GOOD.format(id="a-case") + "\n[[call\n")
    assert "wire/a-case.toml" in err and "(TOML)" in err


def test_load_cases_lists_every_bad_file(tmp_path, rules):
    write_case(tmp_path, GOOD.format(id="good-one"), cid="good-one")
    write_case(tmp_path, GOOD.format(id="bad-one").replace('level = "MUST"', 'level = "X"'),
               cid="bad-one")
    write_case(tmp_path, GOOD.format(id="bad-two").replace('fn = "response"', 'fn = "x"'),
               cid="bad-two")
    with pytest.raises(CaseLoadError) as exc:
        load_cases(tmp_path, rules)
    text = str(exc.value)
    assert "bad-one.toml: level" in text and "bad-two.toml: call[1].fn" in text
    assert "good-one" not in text


def test_byte_strings_escapes_and_forms(tmp_path, rules):
    text = GOOD.format(id="a-case").replace(
        'reason = "OK"',
        'reason = "caf\\u00e9\\t"\n'
        'unknown = [["X-A", { hex = "00ff" }], { name = "X-B", value = "v", times = 2 }]\n'
        'chunks = [{ memory = { repeat = "ab", count = 3 } }, { file = "hello", start = 1 },\n'
        '          { fragment = "/f", missing = true }, { type = 4, times = 2 }]')
    case = load_case(write_case(tmp_path, text), rules)
    a = case.calls[0].args
    assert a["reason"] == b"caf\xe9\t"
    assert a["unknown"] == [(b"X-A", b"\x00\xff"), (b"X-B", b"v"), (b"X-B", b"v")]
    cmd = case.calls[0].command()
    assert "reason=636166e909" in cmd
    assert "unknown=582d41:00ff unknown=582d42:76 unknown=582d42:76" in cmd
    assert "chunk=mem:616261626162 chunk=file:68656c6c6f:1:eof chunk=frag:2f66:- " \
           "chunk=type:4 chunk=type:4" in cmd
    assert set(case.needs) == {"file", "fragment"}


def test_protocol_example_command(suite):
    """The 418 case gives the CALL line of the protocol's own example."""
    case = next(c for c in suite if c.id == "status-418-teapot-retry-after")
    assert case.calls[0].command() == \
        "CALL response id=r1 status=418 reason=49276d206120746561706f74 known.25=313230"


def test_via_defaults(tmp_path, rules):
    base = GOOD.format(id="a-case")
    post = base.replace('raw = "GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"',
                        'raw = "POST / HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Length: 2\\r\\n\\r\\nhi"')
    assert load_case(write_case(tmp_path, post), rules).requests[0].via == "curl"
    put = post.replace("POST /", "PUT /")
    assert load_case(write_case(tmp_path, put), rules).requests[0].via == "raw"
    err = errors_of(tmp_path, rules, put.replace('name = "r1"', 'name = "r1"\nvia = "curl"'))
    assert "request[1].via: curl cannot send this request" in err


def test_raw_says_why(tmp_path, rules):
    """A request goes raw only with a reason: the loader's, or why_raw in the case."""
    base = GOOD.format(id="a-case")
    put = base.replace("GET /", "PUT /")
    assert load_case(write_case(tmp_path, put), rules).requests[0].why_raw.startswith("method PUT")
    pinned = base.replace('name = "r1"', 'name = "r1"\nvia = "raw"')
    err = errors_of(tmp_path, rules, pinned)
    assert "request[1].why_raw: missing: curl could send this request" in err
    given = pinned.replace('via = "raw"', 'via = "raw"\nwhy_raw = "the test says so"')
    r = load_case(write_case(tmp_path, given), rules).requests[0]
    assert (r.via, r.why_raw) == ("raw", "the test says so")
    err = errors_of(tmp_path, rules, base.replace('name = "r1"', 'name = "r1"\nwhy_raw = "x"'))
    assert "request[1].why_raw: only for a request with via = \"raw\"" in err


@pytest.mark.parametrize("raw, ok", [
    (b"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n", True),
    (b"HEAD /x HTTP/1.0\r\nHost: {host}\r\n\r\n", True),
    (b"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 3\r\n\r\nabc", True),
    (b"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: 3\r\n\r\nab", False),
    (b"GET / HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n", False),
    (b"GET / HTTP/2.0\r\nHost: {host}\r\n\r\n", False),
    (b"GET / HTTP/1.1\r\n Host: {host}\r\n\r\n", False),
    (b"GET / HTTP/1.1\r\n\r\n", False),
])
def test_curl_expressible(raw, ok):
    assert (curl_expressible(raw) is None) == ok


def test_level_fits():
    assert level_fits("MUST", {"DOC", "OBS"})
    assert not level_fits("MUST", {"DOC", "IMPL"})
    assert level_fits("IMPL", {"DOC", "IMPL"})
    assert level_fits("SHOULD", {"DOC"})
    assert level_fits("INFO", {"UNDEF"})
    assert level_fits("UNDEF", {"UNDEF", "DOC"})
    assert not level_fits("IMPL", {"UNDEF"})


def test_selection_by_glob_and_rule(suite):
    sel = [c for c in suite if c.matches(["wire/cl-*"], None)]
    assert sel and all(c.area == "wire" and c.id.startswith("cl-") for c in sel)
    sel = [c for c in suite if c.matches(None, ["CONN-OPAQUE"])]
    assert sel and all("CONN-OPAQUE" in c.rules for c in sel)


# ------------------------------------------------------------------ pipelining, receive steps,
# wire patterns

PIPELINED = '''
id = "{id}"
title = "Two pipelined requests"
rules = ["CONN-PIPELINE"]
level = "MUST"
description = "Why."

[[request]]
name = "r1"
raw = "GET /1 HTTP/1.1\\r\\nHost: {{host}}\\r\\n\\r\\n"

[[request]]
name = "r2"
pipelined_with = "r1"
raw = "GET /2 HTTP/1.1\\r\\nHost: {{host}}\\r\\n\\r\\n"

[[call]]
fn = "receive"
id = "r2"
expect = {{ delivered = false }}

[[call]]
fn = "response"
id = "r1"
expect = {{ rc = [0] }}

[[call]]
fn = "response"
id = "r2"
expect = {{ rc = [0] }}

[expect]
connection = "open"
'''


def test_pipelined_request_shares_the_connection_and_one_write(tmp_path, rules):
    case = load_case(write_case(tmp_path, PIPELINED.format(id="a-case")), rules)
    r1, r2 = case.requests
    assert r2.pipelined_with == "r1" and r2.conn == "r1" and case.conns == ["r1"]
    assert r1.via == r2.via == "raw"
    assert [r.name for r in case.write_group("r2")] == ["r1", "r2"]
    assert [r.name for r in case.write_group("r1")] == ["r1", "r2"]
    step = case.calls[0]
    assert step.fn == "receive" and step.args["timeout_ms"] == 100
    assert step.expect == {"delivered": False}
    with pytest.raises(ValueError):
        step.command()


def test_receive_step_expecting_delivery_has_no_short_timeout(tmp_path, rules):
    text = PIPELINED.format(id="a-case").replace("delivered = false", "delivered = true")
    case = load_case(write_case(tmp_path, text), rules)
    assert case.calls[0].args["timeout_ms"] is None


@pytest.mark.parametrize("edit, field, message", [
    (('pipelined_with = "r1"', 'pipelined_with = "r9"'), "request[2].pipelined_with",
     "not the name of an earlier request"),
    (('pipelined_with = "r1"', 'pipelined_with = "r2"'), "request[2].pipelined_with",
     "cannot be pipelined with itself"),
    (('pipelined_with = "r1"', 'pipelined_with = "r1"\nconn = "other"'), "request[2].conn",
     "goes on its connection"),
    (('name = "r1"', 'name = "r1"\nclose_after_send = true'), "request[2].pipelined_with",
     "has close_after_send"),
    (('expect = { delivered = false }', 'expect = { rc = [0] }'), "call[1].expect.delivered",
     "missing"),
    (('expect = { delivered = false }', 'expect = { delivered = false }\ntimeout_ms = 0'),
     "call[1].timeout_ms", "out of range"),
    (('expect = { delivered = false }', 'expect = { delivered = false }\nstatus = 200'),
     "call[1].status", "unknown field"),
    (('fn = "receive"\nid = "r2"', 'fn = "receive"\nid = "null"'), "call[1].id",
     "a receive step needs a request name"),
])
def test_malformed_pipelining_names_file_and_field(tmp_path, rules, edit, field, message):
    text = PIPELINED.format(id="a-case").replace(*edit, 1)
    assert text != PIPELINED.format(id="a-case"), "the edit must change the case"
    err = errors_of(tmp_path, rules, text)
    assert f": {field}: " in err, err
    assert message in err, err


def test_receive_step_after_the_request_was_delivered_is_rejected(tmp_path, rules):
    text = PIPELINED.format(id="a-case") + '''
[[call]]
fn = "receive"
id = "r2"
expect = { delivered = true }
'''
    err = errors_of(tmp_path, rules, text)
    assert ": call[4].id: request 'r2' was already delivered by call[3]" in err, err


def test_pipelined_request_must_be_named_by_a_step(tmp_path, rules):
    text = PIPELINED.format(id="a-case").replace(
        '[[call]]\nfn = "response"\nid = "r2"\nexpect = { rc = [0] }\n', "").replace(
        'fn = "receive"\nid = "r2"', 'fn = "receive"\nid = "r1"')
    err = errors_of(tmp_path, rules, text)
    assert ": request[2].pipelined_with: request 'r2' must be named by a call" in err, err


BAD_REQUEST = '''
id = "{id}"
title = "A malformed request"
rules = ["CONN-BAD-REQUEST"]
level = "MUST"
description = "Why."

[[request]]
name = "r1"
raw = "foo\\r\\n\\r\\n"

[[call]]
fn = "receive"
id = "r1"
expect = {{ delivered = false }}

[expect]
connection = "closed"
wire_starts_with = "HTTP/1.1 400 "
wire_lines = ["Connection: close", ""]
'''


def test_wire_patterns_load(tmp_path, rules):
    case = load_case(write_case(tmp_path, BAD_REQUEST.format(id="a-case")), rules)
    assert case.requests[0].via == "raw"
    assert case.expect["wire_starts_with"] == {"r1": b"HTTP/1.1 400 "}
    assert case.expect["wire_lines"] == {"r1": [b"Connection: close", b""]}
    assert case.expect["wire"] is None


@pytest.mark.parametrize("edit, field, message", [
    (('wire_starts_with = "HTTP/1.1 400 "', 'wire_starts_with = "HTTP/1.1 400 "\nwire = "x"'),
     "expect.wire_starts_with", "also has an exact wire"),
    (('wire_lines = ["Connection: close", ""]', 'wire_lines = ["Connection: close\\r\\n"]'),
     "expect.wire_lines[1]", "holds no CR or LF"),
    (('wire_lines = ["Connection: close", ""]', 'wire_lines = []'),
     "expect.wire_lines", "non-empty list"),
    (('wire_starts_with = "HTTP/1.1 400 "', 'wire_starts_with = ""'),
     "expect.wire_starts_with", "must not be empty"),
    (('wire_starts_with = "HTTP/1.1 400 "', 'wire_starts_with = { r9 = "x" }'),
     "expect.wire_starts_with.r9", "no connection named"),
])
def test_malformed_wire_patterns_name_file_and_field(tmp_path, rules, edit, field, message):
    text = BAD_REQUEST.format(id="a-case").replace(*edit, 1)
    assert text != BAD_REQUEST.format(id="a-case"), "the edit must change the case"
    err = errors_of(tmp_path, rules, text)
    assert f": {field}: " in err, err
    assert message in err, err


@pytest.mark.parametrize("wire, line, ok", [
    (b"HTTP/1.1 400 Bad\r\nConnection: close\r\n\r\n", b"Connection: close", True),
    (b"HTTP/1.1 400 Bad\r\nX-Connection: close\r\n\r\n", b"Connection: close", False),
    (b"HTTP/1.1 400 Bad\r\nConnection: close, x\r\n\r\n", b"Connection: close", False),
    (b"HTTP/1.1 400 Bad\r\nConnection: close", b"Connection: close", False),
    (b"HTTP/1.1 400 Bad\r\n", b"HTTP/1.1 400 Bad", True),
    (b"HTTP/1.1 400 Bad\r\nA: b\r\n\r\n", b"", True),
    (b"HTTP/1.1 400 Bad\r\nA: b\r\n", b"", False),
])
def test_wire_line_check(wire, line, ok):
    from harness.judge import has_line
    assert has_line(wire, line) == ok


def test_case_schema_is_2020_12_and_fits_the_corpus_and_the_checker():
    """harness/schema/case.schema.json: a valid draft 2020-12 schema, every case of the
    suite valid against it with the plain validator, its lists those of the checker."""
    import json
    import tomllib

    import jsonschema

    from harness.cases import case_files
    from harness.schema import CAPS, FNS, KNOWN_HEADERS, LEVELS
    from harness.schema.validate import CASE_SCHEMA_FILE
    schema = json.loads(CASE_SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    check = jsonschema.Draft202012Validator(schema)
    for path in case_files():
        assert not list(check.iter_errors(tomllib.loads(path.read_text()))), path
    props = schema["properties"]
    assert props["level"]["enum"] == list(LEVELS)
    assert props["needs"]["items"]["enum"] == list(CAPS)
    assert schema["$defs"]["call"]["properties"]["fn"]["enum"] == list(FNS)
    assert all(h in json.dumps(schema) for h in KNOWN_HEADERS)


def test_large_call_line_in_pieces(tmp_path, rules):
    """A CALL line of many MiB of hex comes in pieces of bounded size whose
    concatenation is the line, so that the engine writes it without building it."""
    from harness.cases import HEX_PIECE
    text = GOOD.format(id="a-case").replace(
        'reason = "OK"',
        'reason = "OK"\n'
        'chunks = [{ memory = { repeat = "abcd", count = 250000 }, times = 3 }, { file = "xy" },\n'
        '          { fragment_ex = "/f", content = { repeat = "z", count = 700000 }, start = 1 }]')
    call = load_case(write_case(tmp_path, text), rules).calls[0]
    pieces = list(call.pieces())
    assert max(len(p) for p in pieces) <= 2 * HEX_PIECE
    line = "".join(pieces)
    mem = " chunk=mem:" + "61626364" * 250000
    assert line == ("CALL response id=r1 reason=4f4b" + mem * 3 +
                    " chunk=file:7879:0:eof chunk=fragex:2f66:" + "7a" * 700000 + ":1:eof")
    assert call.command() == line
    assert call.line_size() >= len(line) > (1 << 20)      # the engine streams it
