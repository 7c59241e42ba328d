"""Shared fixtures of the harness self-tests (tests/test_harness_*.py)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

REFERENCE = ROOT / "build" / "hs-reference-adapter"
FAKE = ROOT / "tests" / "fake_adapter.py"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def rules():
    from harness.spec import load_rules
    return load_rules(ROOT / "spec")


@pytest.fixture(scope="session")
def suite(rules):
    from harness.cases import load_cases
    return load_cases(ROOT / "cases", rules)


@pytest.fixture(scope="session")
def by_id(suite):
    """The suite's cases by id."""
    return {c.id: c for c in suite}


@pytest.fixture
def ctx(rules):
    """A judging context for an implementation labelled "impl"."""
    from harness.judge import Context
    return Context(rules=rules, impl_label="impl")


@pytest.fixture(scope="session")
def harness_run():
    """python3 -m harness.run ARGS... from the repository: its CompletedProcess."""
    def run(*args, timeout=60):
        return subprocess.run([sys.executable, "-m", "harness.run", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
    return run


@pytest.fixture(scope="session")
def fake_cmd() -> str:
    return f"{sys.executable} {FAKE}"


@pytest.fixture(scope="session")
def reference_cmd() -> str:
    """The reference adapter, built if needed; a build failure fails the test."""
    if not REFERENCE.exists():
        build = subprocess.run(["make", "-s", "build/hs-reference-adapter"], cwd=ROOT,
                               capture_output=True, text=True, timeout=300)
        if not REFERENCE.exists():
            pytest.fail("build/hs-reference-adapter could not be built:\n" + build.stdout + build.stderr)
    return str(REFERENCE)


# One small case for the judge's tests on synthetic outcomes (test_harness_compare,
# test_judge_by_rule): a 200 with "hello", then a body call that must fail.
JUDGED_CASE = '''
id = "judged"
title = "A judged case"
rules = ["WIRE-CL-AUTO", "CONN-PERSISTENT"]
level = "MUST"
description = "Why."

[[request]]
name = "r1"
raw = "GET / HTTP/1.1\\r\\nHost: {host}\\r\\n\\r\\n"

[[call]]
fn = "response"
id = "r1"
reason = "OK"
chunks = [{ memory = "hello" }]
expect = { rc = [0] }

[[call]]
fn = "body"
id = "r1"
expect = { rc = [1229] }

[expect]
connection = "open"
wire = """
HTTP/1.1 200 OK\\r\\n\\
Server: Microsoft-HTTPAPI/2.0\\r\\n\\
Date: <date>\\r\\n\\
Content-Length: 5\\r\\n\\
\\r\\n\\
hello"""
'''


@pytest.fixture
def judged_case(tmp_path, rules):
    from harness.cases import load_case
    d = tmp_path / "wire"
    d.mkdir(exist_ok=True)
    (d / "judged.toml").write_text(JUDGED_CASE)
    return load_case(d / "judged.toml", rules)
