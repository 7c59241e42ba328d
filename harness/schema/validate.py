"""JSON Schema validation with Debian's python3-jsonschema (draft 2020-12).

    validate_json(value, schema)  the problems, each "<path>: <message>" ($.a.b[0])
    RESULTS_SCHEMA_FILE, CASE_SCHEMA_FILE  the schemas of results.json and of a case file
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

RESULTS_SCHEMA_FILE = Path(__file__).with_name("results.schema.json")
CASE_SCHEMA_FILE = Path(__file__).with_name("case.schema.json")


@lru_cache(maxsize=8)
def _validator(text: str):
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
