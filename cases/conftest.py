"""pytest cases/: the conformance suite with pytest itself as the entry point.

    pytest cases/ [--impl NAME] [--adapter CMD] [--expectations FILE] [--report-dir DIR]
    pytest cases/ -m "WIRE and not UNDEF" --lf
    pytest cases/ -k opaque -n 2 --junitxml build/junit-pytest.xml

The hooks are those of harness.plugin (which harness.run loads by itself); the
implementation defaults to the reference, so plain `pytest cases/` runs the suite.
"""

import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from harness import plugin as _plugin  # noqa: E402
from harness.plugin import (pytest_addoption, pytest_collect_file,  # noqa: E402,F401
                            pytest_collection_modifyitems, pytest_runtest_logreport,
                            pytest_sessionfinish, pytest_sessionstart, pytest_terminal_summary)


def pytest_configure(config):
    _plugin.configure(config, default_impl="reference")
