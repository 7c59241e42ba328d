"""Expectations files: the known failures of one implementation.

harness/expectations/<impl>.toml holds one table per case that is known not
to pass:

    ["wire-date-app-value-replaced"]
    expected = "FAIL"                 # or "CRASH" / "TIMEOUT"
    rule = "WIRE-DATE"                # the spec rule the implementation breaks:
                                      # one the case names, or WIRE-SERVER
    reason = "writes the application's Date value verbatim"

A case listed here and failing that way is XFAIL; passing is XPASS, which
fails the run (so a fixed bug cannot regress unnoticed); failing another way
keeps its verdict. An entry for a case that does not exist fails the run.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

EXPECTABLE = ("FAIL", "CRASH", "TIMEOUT")
# Rules every case checks whether or not it names them: the Server line of
# each response head is compared in every case, so an implementation that
# writes none fails cases that are about something else.
IMPLICIT_RULES = ("WIRE-SERVER",)
KEYS = {"expected", "rule", "reason"}


class ExpectationsError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


def load_expectations(path: str | Path | None, case_ids: dict[str, list[str]],
                      rules: dict) -> dict[str, dict]:
    """Read and check an expectations file.

    case_ids maps every case id of the suite to its rule ids. Raises
    ExpectationsError naming the file and the entry for each problem.
    """
    if path is None:
        return {}
    path = Path(path)
    if not path.exists():
        return {}
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationsError([f"{path}: (TOML) {exc}"]) from None
    errors: list[str] = []
    out: dict[str, dict] = {}
    for cid, entry in data.items():
        where = f"{path}: [{cid}]"
        if cid not in case_ids:
            errors.append(f"{where}: no case has this id")
            continue
        if not isinstance(entry, dict):
            errors.append(f"{where}: expected a table")
            continue
        for k in entry:
            if k not in KEYS:
                errors.append(f"{where}.{k}: unknown field (allowed: expected, rule, reason)")
        exp = entry.get("expected")
        if exp not in EXPECTABLE:
            errors.append(f"{where}.expected: must be one of {', '.join(EXPECTABLE)}, got {exp!r}")
        rule = entry.get("rule")
        if not isinstance(rule, str) or rule not in rules:
            errors.append(f"{where}.rule: {rule!r} is not a rule id of the spec")
        elif rule not in case_ids[cid] and rule not in IMPLICIT_RULES:
            errors.append(f"{where}.rule: the case does not check {rule} "
                          f"(it checks {', '.join(case_ids[cid])})")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            errors.append(f"{where}.reason: say what the implementation does instead")
        out[cid] = {"expected": exp, "rule": rule, "reason": reason}
    if errors:
        raise ExpectationsError(errors)
    return out
