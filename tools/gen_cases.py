#!/usr/bin/python3
"""Write the generated cases: cases/gen-*/<id>.toml.

    /usr/bin/python3 tools/gen_cases.py            # rewrite every generated case
    /usr/bin/python3 tools/gen_cases.py --check    # exit 1 if a committed file differs

The expectations come from tools/casegen/oracle.py, the generator's own
reading of the spec; the harness checks the model against them on every run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from casegen import family_conn, family_cross, family_flags, family_seq  # noqa: E402
from casegen.toml_out import case_toml  # noqa: E402

FAMILIES = (family_flags, family_cross, family_seq, family_conn)


def generate() -> dict[Path, str]:
    files: dict[Path, str] = {}
    for fam in FAMILIES:
        for area, case in fam.cases():
            path = ROOT / "cases" / area / f"{case.id}.toml"
            if path in files:
                raise SystemExit(f"tools/gen_cases.py: duplicate case id {area}/{case.id}")
            files[path] = case_toml(case.data())
    return files


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare instead of writing")
    args = ap.parse_args(argv)
    files = generate()
    areas = {p.parent for p in files}
    stale = [p for a in areas for p in a.glob("*.toml") if p not in files]
    if args.check:
        bad = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
        for p in bad + stale:
            print(f"{p.relative_to(ROOT)}: differs from the generator's output", file=sys.stderr)
        if bad or stale:
            print("run: /usr/bin/python3 tools/gen_cases.py", file=sys.stderr)
            return 1
        print(f"{len(files)} generated cases up to date")
        return 0
    for p in stale:
        p.unlink()
    for p, text in files.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        if not p.exists() or p.read_text() != text:
            p.write_text(text)
    print(f"{len(files)} generated cases in {', '.join(sorted(a.name for a in areas))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
