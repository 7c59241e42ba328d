"""Conformance results of every implementation: reports/<impl>/results.json.

Any directory of reports/ holding a results.json of schema
hs-conformance-results/2 is an implementation, so a user's own run shows up
without configuration. Missing or unreadable files are skipped and reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

SCHEMA = "hs-conformance-results/2"
VERDICTS = ("PASS", "FAIL", "CRASH", "TIMEOUT", "SKIP", "XFAIL", "XPASS", "ERROR")
# The reference first, then the others by name.
FIRST = "reference"


@dataclass
class Results:
    name: str                    # the directory under reports/
    path: str                    # shown path of results.json
    data: dict
    cases: dict[str, dict]       # case id -> its entry

    @property
    def totals(self) -> dict[str, int]:
        return {v: self.data.get("totals", {}).get(v, 0) for v in VERDICTS}

    @property
    def rules(self) -> dict[str, dict]:
        """Per spec rule: checked, pass, fail, consequence, not_judged, conforms."""
        return self.data.get("rules") or {}

    @property
    def conformance(self) -> dict:
        return self.data.get("conformance") or {}

    @property
    def label(self) -> str:
        impl = self.data.get("implementation", {})
        version = impl.get("version")
        return self.name if not version or version in self.name else f"{self.name} ({version})"


def load_results(reports_dir: str | Path) -> tuple[list[Results], list[str]]:
    """Every implementation's results, reference first; and the files skipped, with why."""
    reports_dir = Path(reports_dir)
    found: list[Results] = []
    skipped: list[str] = []
    for path in sorted(reports_dir.glob("*/results.json")):
        shown = f"reports/{path.parent.name}/results.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            skipped.append(f"{shown}: {exc}")
            continue
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            skipped.append(f"{shown}: not a {SCHEMA} file")
            continue
        cases = {c["id"]: c for c in data.get("cases", []) if isinstance(c, dict) and "id" in c}
        found.append(Results(path.parent.name, shown, data, cases))
    found.sort(key=lambda r: (r.name != FIRST, _natural(r.name)))
    return found, skipped


def _natural(name: str) -> list:
    """wine-8.0 before wine-10.0."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]
