"""The Windows kit (make windows-kit): its build, that the archive holds what
its README lists, and the PowerShell script's commands, read as text
(PowerShell is not packaged for Debian)."""

import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT

KIT = ROOT / "tools" / "windows-kit"
SCRIPT = (KIT / "run-adapter.ps1").read_text(encoding="utf-8")
EXE = ROOT / "build" / "win32" / "hs-win32-adapter.exe"


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    if not EXE.exists():
        if shutil.which("x86_64-w64-mingw32-gcc") is None:
            pytest.skip("mingw-w64 is not installed (make deps-wine)")
        subprocess.run(["make", "-s", "build-win32"], cwd=ROOT, check=True)
    out = tmp_path_factory.mktemp("kit") / "kit.zip"
    subprocess.run([sys.executable, "tools/windows_kit.py", str(EXE), str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    return zipfile.ZipFile(out)


def _readme_files():
    text = (KIT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Contents", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, re.M)


def test_the_archive_holds_exactly_what_the_readme_lists(kit):
    names = [n.split("/", 1)[1] for n in kit.namelist()]
    assert all(n.startswith("hs-conformance-windows-kit/") for n in kit.namelist())
    assert sorted(names) == sorted(_readme_files())


def test_the_adapter_is_a_64_bit_windows_program_importing_httpapi(kit):
    exe = kit.read("hs-conformance-windows-kit/hs-win32-adapter.exe")
    assert exe[:2] == b"MZ"
    pe = int.from_bytes(exe[0x3C:0x40], "little")
    assert exe[pe:pe + 4] == b"PE\0\0"
    assert int.from_bytes(exe[pe + 4:pe + 6], "little") == 0x8664      # x86-64
    assert b"HTTPAPI.dll" in exe and b"HttpSendHttpResponse" in exe
    assert b"HttpSendResponseEntityBody" in exe


def test_the_kit_names_its_version(kit):
    from harness.version import __version__
    version = kit.read("hs-conformance-windows-kit/VERSION").decode()
    assert f"suite {__version__}\n" in version and re.search(r"^commit \S+$", version, re.M)


def test_the_build_is_reproducible(kit, tmp_path):
    again = tmp_path / "again.zip"
    subprocess.run([sys.executable, "tools/windows_kit.py", str(EXE), str(again)], cwd=ROOT,
                   check=True, capture_output=True)
    assert again.read_bytes() == open(kit.filename, "rb").read()


def test_the_builder_refuses_a_file_that_is_not_a_windows_program(tmp_path):
    bad = tmp_path / "not.exe"
    bad.write_bytes(b"#!/bin/sh\n")
    r = subprocess.run([sys.executable, "tools/windows_kit.py", str(bad), str(tmp_path / "k.zip")],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and "not a Windows executable" in r.stderr
    assert not (tmp_path / "k.zip").exists()


def _try_finally():
    body, _, cleanup = SCRIPT.partition("\nfinally {")
    assert cleanup, "the script has no finally block"
    return body.split("\ntry {", 1)[1], cleanup


def test_the_script_needs_elevation_and_the_adapter():
    assert "WindowsBuiltInRole]::Administrator" in SCRIPT
    assert 'Join-Path $Kit "hs-win32-adapter.exe"' in SCRIPT


def test_the_script_reserves_the_url_and_opens_both_ports_inside_try():
    body, _ = _try_finally()
    assert '$Url = "http://+:$HttpPort/"' in SCRIPT
    assert re.search(r"netsh http add urlacl url=\$Url user=\$user", body)
    assert re.search(r"foreach \(\$port in @\(\$ControlPort, \$HttpPort\)\)", body)
    assert re.search(r"New-NetFirewallRule -DisplayName \$name -Direction Inbound -Protocol TCP "
                     r"-LocalPort \$port -Action Allow", body)


def test_the_script_removes_what_it_made_in_finally():
    _, cleanup = _try_finally()
    assert re.search(r"Remove-NetFirewallRule -DisplayName \$name", cleanup)
    assert re.search(r"netsh http delete urlacl url=\$Url", cleanup)
    assert "if ($madeAcl)" in cleanup      # never deletes a reservation it did not make


def test_the_script_runs_the_adapter_as_the_harness_expects():
    body, _ = _try_finally()
    m = re.search(r'& \$Adapter (.+)', body)
    assert m, "the adapter is not run"
    args = m.group(1)
    for part in ('--control "tcp:$ControlPort"', "--port $HttpPort", "--address $Address",
                 '--url-host "+"', "--api $Api"):
        assert part in args, part
    usage = (ROOT / "harness" / "adapters" / "win32" / "main.c").read_text()
    for opt in ("--control", "--port", "--address", "--url-host", "--api"):
        assert f'"{opt}"' in usage, opt


def test_the_printed_harness_command_is_one_the_harness_accepts():
    m = re.search(r'Write-Host "  (/usr/bin/python3 -m harness\.run [^"]+)"', SCRIPT)
    assert m, "no harness command printed"
    cmd = m.group(1).replace("${Address}", "192.0.2.10").replace("$ControlPort", "7071") \
                    .replace("$Build", "22631.1")
    argv = cmd.split()[3:]
    assert argv[:2] == ["--impl", "windows"] and "--jobs" in argv and "1" in argv
    assert "tcp:192.0.2.10:7071" in argv
    help_text = subprocess.run([sys.executable, "-m", "harness.run", "--help"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout
    for opt in (a for a in argv if a.startswith("--")):
        assert opt in help_text, opt
