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
