"""Bad input and broken adapters: every one gets a clear error or a verdict, never a
traceback, a hang or a silent pass (harness/CASES.md, "Caps and bad input")."""

import os
import sys

import pytest

from harness.cases import CaseLoadError, load_cases

GOOD = ('id = "x"\ntitle = "t"\nrules = ["WIRE-DATE"]\nlevel = "MUST"\ndescription = "d"\n'
        '[[request]]\nname = "r1"\nraw = "{raw}"\n'
        '[[call]]\nfn = "response"\nid = "r1"\nexpect = {{ rc = [0] }}\n')
GET = "GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"




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


def test_fifo_is_a_load_error_not_a_hang(harness_run, root, tmp_path):
    cases, f = case_dir(tmp_path)
    os.mkfifo(f)
    for extra in ([], ["--list"]):
        p = harness_run("--cases-dir", str(cases), "--no-reports", *extra, timeout=60)
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


def test_bad_case_file_exits_2_without_traceback(harness_run, root, tmp_path):
    cases, f = case_dir(tmp_path)
    f.write_bytes(b'id = "x"\ntitle = "caf\xe9"\n')
    p = harness_run("--cases-dir", str(cases), "--no-reports")
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


# ------------------------------------------------------------------ 3 to 6: adapters

HOSTILE = f"{sys.executable} tests/hostile_adapter.py"
CURL_CASE = "status-418-teapot-retry-after"
BODY_CASE = "request-body-read-by-application"




def hostile(reference_cmd, mode, *extra):
    return f"{HOSTILE} {mode} {' '.join(extra)} -- {reference_cmd}"


def session(command, tmp_path, **kw):
    from harness.engine import Session
    return Session(command, log_path=tmp_path / "adapter.log", close_wait=0.3, **kw)


def run_cases(command, tmp_path, cases, timeout=3.0, **kw):
    """Run the cases in turn on one session; (outcomes, number of adapter starts)."""
    s = session(command, tmp_path, **kw)
    try:
        return [s.run_case(c, timeout) for c in cases], s.starts
    finally:
        s.stop()


def test_an_adapter_that_never_answers_hello_stops_being_started(tmp_path, by_id,
                                                                  reference_cmd):
    """START_TRIES failed starts in a row, then every case gets its verdict at once."""
    from harness.engine import START_TRIES
    outs, starts = run_cases(hostile(reference_cmd, "silent"), tmp_path,
                             [by_id[CURL_CASE]] * (START_TRIES + 3), 2.0, start_timeout=0.5)
    assert [o.status for o in outs] == ["crash"] * (START_TRIES + 3)
    assert starts == START_TRIES
    assert "no reply to 'HELLO 1'" in outs[0].message
    assert "no new start is tried in this run" in outs[START_TRIES].message


def test_relay_that_cannot_connect_is_an_adapter_error_and_resyncs(tmp_path, by_id,
                                                                  reference_cmd):
    assert by_id[CURL_CASE].requests[0].via == "curl"
    outs, _ = run_cases(hostile(reference_cmd, "port-1"), tmp_path, [by_id[CURL_CASE]] * 3)
    for o in outs:
        assert o.status == "adapter-error", o.message
        assert "the relay cannot connect to 127.0.0.1:1" in o.message
        assert "out of step: adapter restarted" in o.message


def test_one_reply_line_too_many_restarts_the_adapter(tmp_path, by_id, reference_cmd):
    outs, starts = run_cases(hostile(reference_cmd, "extra-line", str(tmp_path / "once")),
                             tmp_path, [by_id[CURL_CASE]] * 3)
    assert [o.status for o in outs] == ["adapter-error", "ok", "ok"], [o.message for o in outs]
    assert "unexpected line from the adapter" in outs[0].message
    assert starts == 2


def test_an_endless_reply_line_is_cut_at_its_cap(tmp_path, by_id, reference_cmd):
    outs, _ = run_cases(hostile(reference_cmd, "long-line"), tmp_path, [by_id[CURL_CASE]] * 3, 5.0)
    assert [o.status for o in outs] == ["ok", "adapter-error", "ok"], [o.message for o in outs]
    assert "the reply to RESET is longer than 65536 bytes" in outs[1].message


def test_a_body_longer_than_max_bytes_is_an_adapter_error(tmp_path, by_id, reference_cmd):
    [out], _ = run_cases(hostile(reference_cmd, "long-body"), tmp_path, [by_id[BODY_CASE]])
    assert out.status == "adapter-error"
    assert "more than the max-bytes" in out.message


def test_adapter_stderr_is_capped_in_its_log(tmp_path, by_id, reference_cmd):
    from harness.adapter import STDERR_MAX
    [out], _ = run_cases(hostile(reference_cmd, "stderr-flood", str(3 * STDERR_MAX)), tmp_path,
                         [by_id[CURL_CASE]], 5.0)
    assert out.status == "ok", out.message
    log = (tmp_path / "adapter.log").read_bytes()
    assert STDERR_MAX < len(log) < STDERR_MAX + 400
    assert b"[log capped: only the first" in log
    assert f"[log capped: {2 * STDERR_MAX} bytes of stderr dropped]".encode() in log


def test_a_background_child_of_the_adapter_does_not_outlive_it(tmp_path, by_id, reference_cmd):
    import time
    pidfile = tmp_path / "pid"
    [out], _ = run_cases(hostile(reference_cmd, "background", str(pidfile)), tmp_path,
                         [by_id[CURL_CASE]])
    assert out.status == "ok", out.message
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
        except OSError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        pytest.fail(f"the adapter's background child {pid} outlived the run")


# ------------------------------------------------------------------ 5. the command line

@pytest.mark.parametrize("args, message", [
    (["--adapter", "tcp:abc"], "error: --adapter: 'tcp:abc': expected tcp:HOST:PORT"),
    (["--adapter", "tcp:127.0.0.1:70000"], "with a port 1..65535"),
    (["--adapter", "'unbalanced"], "error: --adapter: "),
    (["--jobs", "0"], "error: --jobs takes a number of at least 1 or auto, not '0'"),
    (["--jobs", "-3"], "not '-3'"),
])
def test_bad_options_are_usage_errors(harness_run, root, tmp_path, args, message):
    p = harness_run("--cases", "status-418-*", "--report-dir", str(tmp_path), *args)
    assert p.returncode == 2, p.stdout + p.stderr
    assert message in p.stderr and "Traceback" not in p.stderr
    assert not list(tmp_path.iterdir())


def test_no_reports_leaves_the_report_directory_alone(harness_run, root, tmp_path, reference_cmd):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "keep.log").write_text("from an earlier run\n")
    p = harness_run("--adapter", reference_cmd, "--cases", "status-418-*",
                    "--report-dir", str(tmp_path), "--no-reports")
    assert p.returncode == 0, p.stdout + p.stderr
    assert sorted(x.name for x in tmp_path.rglob("*")) == ["keep.log", "logs"]
    assert (logs / "keep.log").read_text() == "from an earlier run\n"


def test_after_a_restart_the_next_adapter_is_started_ahead(tmp_path, by_id, reference_cmd):
    """An adapter that dies in every case: from its second start on, each start takes the
    process started ahead during the case before (the spare), every case still gets its
    own crash, and stopping the session leaves no adapter process behind."""
    s = session(f"{reference_cmd} --fault crash", tmp_path)
    spares = []
    try:
        for k in range(4):
            spare = s.spare
            out = s.run_case(by_id[CURL_CASE], 3.0)
            assert out.status == "crash", out.message
            if k < 2:
                assert spare is None            # no spare before the first restart
            else:
                assert spare is not None and s.control is spare
            if s.spare is not None:
                spares.append(s.spare.pid)
        assert s.starts == 4 and len(spares) == 3
    finally:
        s.stop()
    assert s.spare is None
    for pid in spares:                          # reaped: no process, not even a zombie
        assert not os.path.exists(f"/proc/{pid}"), f"spare adapter {pid} outlived the session"


def test_a_spare_that_died_waiting_is_replaced(tmp_path, by_id, reference_cmd):
    import signal
    s = session(f"{reference_cmd} --fault crash", tmp_path)
    try:
        for _ in range(2):
            s.run_case(by_id[CURL_CASE], 3.0)
        dead = s.spare
        assert dead is not None
        os.kill(dead.pid, signal.SIGKILL)
        dead.proc.wait()
        out = s.run_case(by_id[CURL_CASE], 3.0)
        assert out.status == "crash", out.message
        assert s.control is not dead and s.starts == 3
    finally:
        s.stop()
