"""Bad input and broken adapters: every one gets a clear error or a verdict, never a
traceback, a hang or a silent pass (harness/README.md, "Caps and bad input")."""

import os
import subprocess
import sys

import pytest

from harness.cases import CaseLoadError, load_cases

GOOD = ('id = "x"\ntitle = "t"\nrules = ["WIRE-DATE"]\nlevel = "MUST"\ndescription = "d"\n'
        '[[request]]\nname = "r1"\nraw = "{raw}"\n'
        '[[call]]\nfn = "response"\nid = "r1"\nexpect = {{ rc = [0] }}\n')
GET = "GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"


def harness_run(root, *args, timeout=60):
    return subprocess.run([sys.executable, "-m", "harness.run", *args], cwd=root,
                          capture_output=True, text=True, timeout=timeout)


def case_dir(tmp_path, name="x.toml"):
    d = tmp_path / "cases" / "wire"
    d.mkdir(parents=True)
    return tmp_path / "cases", d / name


def load_errors(cases, rules):
    with pytest.raises(CaseLoadError) as exc:
        load_cases(cases, rules)
    return str(exc.value)


# ------------------------------------------------------------------ 1. the loader

def test_non_utf8_case_file_is_a_load_error(tmp_path, rules):
    cases, f = case_dir(tmp_path)
    f.write_bytes(b'id = "x"\ntitle = "caf\xe9"\n')
    assert "wire/x.toml: (file) not UTF-8: byte 0xe9 at offset 21 (line 2)" in load_errors(cases, rules)


def test_directory_named_like_a_case_is_a_load_error(tmp_path, rules):
    cases, f = case_dir(tmp_path)
    f.mkdir()
    assert "wire/x.toml: (file) is a directory, not a regular file" in load_errors(cases, rules)


def test_deep_nesting_is_a_load_error(tmp_path, rules):
    cases, f = case_dir(tmp_path)
    f.write_text("title = " + "[" * 1000 + "]" * 1000 + "\n")
    err = load_errors(cases, rules)
    assert "wire/x.toml: " in err and "nested more than 16 levels deep" in err
    f.write_text(GOOD.format(raw=GET).replace('title = "t"', 'title = ' + "[" * 20 + "]" * 20))
    assert "wire/x.toml: title" in load_errors(cases, rules)


def test_fifo_is_a_load_error_not_a_hang(root, tmp_path):
    cases, f = case_dir(tmp_path)
    os.mkfifo(f)
    for extra in ([], ["--list"]):
        p = harness_run(root, "--cases-dir", str(cases), "--no-reports", *extra, timeout=60)
        assert p.returncode == 2, p.stderr
        assert "x.toml: (file) is a FIFO, not a regular file" in p.stderr
        assert "Traceback" not in p.stderr


def test_symlink_to_dev_zero_is_a_load_error(tmp_path, rules):
    cases, f = case_dir(tmp_path)
    os.symlink("/dev/zero", f)
    assert "wire/x.toml: (file) is a device, not a regular file" in load_errors(cases, rules)


def test_oversized_case_file_is_a_load_error(tmp_path, rules):
    cases, f = case_dir(tmp_path)
    f.write_text(GOOD.format(raw=GET) + "# " + "x" * (1 << 20) + "\n")
    assert "wire/x.toml: (file) " in load_errors(cases, rules)
    assert "more than the 1048576 a case file may have" in load_errors(cases, rules)


@pytest.mark.parametrize("raw", ["GET /a\\u0000b HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n",
                                 "GET /caf\\u00e9 HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n",
                                 "GET / HTTP/1.1\\r\\nHost: {host}\\r\\nX: a\\u0000b\\r\\n\\r\\n",
                                 "GET / HTTP/1.1\\r\\nHost: {host}\\r\\nX: \\u00ff\\r\\n\\r\\n"])
def test_nul_or_non_ascii_request_bytes_never_reach_curl(tmp_path, rules, raw):
    cases, f = case_dir(tmp_path)
    f.write_text(GOOD.format(raw=raw))
    [case] = load_cases(cases, rules)
    assert case.requests[0].via == "raw"
    f.write_text(GOOD.format(raw=raw).replace('name = "r1"', 'name = "r1"\nvia = "curl"'))
    assert ("wire/x.toml: request[1].via: curl cannot send this request: a NUL, control or "
            "non-ASCII byte") in load_errors(cases, rules)


def test_bad_case_file_exits_2_without_traceback(root, tmp_path):
    cases, f = case_dir(tmp_path)
    f.write_bytes(b'id = "x"\ntitle = "caf\xe9"\n')
    p = harness_run(root, "--cases-dir", str(cases), "--no-reports")
    assert p.returncode == 2 and "not UTF-8" in p.stderr and "Traceback" not in p.stderr


# ------------------------------------------------------------------ 2. sizes have caps

def body_case(chunks):
    return GOOD.format(raw=GET).replace('id = "r1"\n', f'id = "r1"\nchunks = [{chunks}]\n', 1)


@pytest.mark.parametrize("chunks, message", [
    ('{ memory = { repeat = "a", count = 10000000 } }',
     "call[1].chunks[1].memory: 1 x 10000000 bytes is more than the 1048576"),
    ('{ memory = { repeat = "abcdefghij", count = 1000000 }, times = 100000 }',
     "call[1].chunks[1].memory: 10 x 1000000 bytes is more than the 1048576"),
    ('{ memory = { repeat = "a", count = 1048576 }, times = 100 }',
     "call[1]: 104857600 bytes of arguments"),
    ('{ fill = "a", length = 268435456, times = 4 }',
     "call[1].chunks: 1073741824 fill bytes (times counted) is more than the 67108864"),
    ('{ fill = "a", length = 40000000 }, { fill = "b", length = 40000000 }',
     "call[1].chunks: 80000000 fill bytes"),
    ('{ memory = "a", times = 60000 }, { memory = "b", times = 60000 }',
     "call[1].chunks[2].times: more than the 100000 chunks a call may have"),
])
def test_sizes_beyond_their_caps_are_load_errors(tmp_path, rules, chunks, message):
    cases, f = case_dir(tmp_path)
    f.write_text(body_case(chunks))
    assert f"wire/x.toml: {message}" in load_errors(cases, rules)


def test_sizes_within_their_caps_load(tmp_path, rules):
    cases, f = case_dir(tmp_path)
    f.write_text(body_case('{ memory = { repeat = "a", count = 1048576 }, times = 16 }, '
                           '{ fill = "a", length = 33554432, times = 2 }'))
    [case] = load_cases(cases, rules)
    assert case.calls[0].entity_bytes() == 16 * 1048576 + 2 * 33554432


def test_header_times_beyond_the_cap_is_a_load_error(tmp_path, rules):
    cases, f = case_dir(tmp_path)
    f.write_text(GOOD.format(raw=GET).replace(
        'id = "r1"\n', 'id = "r1"\nunknown = [{ name = "A", value = "b", times = 100000 }, '
                       '{ name = "C", value = "d", times = 100000 }]\n', 1))
    assert ("wire/x.toml: call[1].unknown[2]: more than the 100000 headers a call may have"
            in load_errors(cases, rules))
