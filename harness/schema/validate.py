"""JSON Schema validation with Debian's python3-jsonschema (draft 2020-12).

    validate_json(value, schema)  the problems, each "<path>: <message>" ($.a.b[0])
    RESULTS_SCHEMA_FILE, CASE_SCHEMA_FILE  the schemas of results.json and of a case file
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

RESULTS_SCHEMA_FILE = Path(__file__).with_name("results.schema.json")
CASE_SCHEMA_FILE = Path(__file__).with_name("case.schema.json")


@lru_cache(maxsize=8)
def _validator(text: str):
    import jsonschema        # here: a run whose cases come from the cache never needs it
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(schema)
    return cls(schema)


def validator(schema: dict | Path):
    text = schema.read_text(encoding="utf-8") if isinstance(schema, Path) else json.dumps(schema)
    return _validator(text)


def validate_json(value: Any, schema: dict | Path) -> list[str]:
    """Check `value` against a JSON Schema; the problems, each naming the JSON path."""
    out = []
    for e in sorted(validator(schema).iter_errors(value), key=lambda e: list(map(str, e.path))):
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.path)
        out.append(f"{path}: {e.message}")
    return out


def case_schema_errors(data: Any) -> list[str]:
    """A case's data against case.schema.json: one "<field>: <message>" per problem, the
    field as the harness names it (call[2].chunks[1].memory, arrays counted from 1), the
    message the schema's errorMessage where it gives one."""
    out: list[str] = []
    for e in validator(CASE_SCHEMA_FILE).iter_errors(data):
        for line in _case_error(e):
            if line not in out:
                out.append(line)
    return out


_WEAK = ("type", "required", "not")
_NAMES = {"integer": "an integer", "string": "a string", "boolean": "true/false",
          "array": "a list", "object": "a table", "number": "a number"}


def _case_error(e) -> list[str]:
    schema = e.schema if isinstance(e.schema, dict) else {}
    where = _field(e.absolute_path)
    if e.validator == "required":
        return [f"{_join(where, k)}: missing" for k in e.validator_value
                if isinstance(e.instance, dict) and k not in e.instance]
    if e.validator == "anyOf" and "errorMessage" in schema:
        return [f"{where}: {schema['errorMessage']}"]
    if e.validator == "oneOf" and e.context:          # the one branch that fits best, if one
        branches: dict = {}
        for x in e.context:
            branches.setdefault(x.relative_schema_path[0], []).append(x)
        fewest = min(len(v) for v in branches.values())
        best = [v for v in branches.values() if len(v) == fewest]
        if len(best) == 1:
            return [line for x in best[0] for line in _case_error(x)]
    if e.validator == "anyOf" and e.context:
        strong = [x for x in e.context if x.validator not in _WEAK]
        if strong:
            return _case_error(max(strong, key=lambda x: len(x.absolute_path)))
    if "errorMessage" in schema:
        return [f"{where}: {schema['errorMessage']}"]
    if e.validator == "enum":
        return [f"{where}: expected one of {', '.join(map(repr, e.validator_value))}, "
                f"got {_show(e.instance)}"]
    if e.validator in ("minimum", "maximum"):
        return [f"{where}: {e.instance} is out of range "
                f"{schema.get('minimum', '')}..{schema.get('maximum', '')}"]
    if e.validator == "type":
        return [f"{where}: expected {' or '.join(_NAMES.get(t, t) for t in _list(e.validator_value))}"
                f", got {_show(e.instance)}"]
    if e.validator == "minItems" and e.validator_value == 1:
        return [f"{where}: must not be empty"]
    return [f"{where}: {e.message}"]


def _field(path) -> str:
    out = ""
    for p in path:
        out += f"[{p + 1}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top)"


def _join(where: str, key: str) -> str:
    return key if where == "(top)" else f"{where}.{key}"


def _list(v) -> list[str]:
    return v if isinstance(v, list) else [v]


def _show(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 60 else text[:57] + "..."
