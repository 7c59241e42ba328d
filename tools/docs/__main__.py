"""make docs: the static site (reports/site/) and reports/traceability.md.

    /usr/bin/python3 -m tools.docs [--out reports/site] [--markdown reports/traceability.md]

Reads the spec, the model's headers, the committed proof reports, the cases
and every reports/<impl>/results.json; runs nothing else. Exit status 1 when
the traceability has a problem (a gap without a reason), after writing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import markdown_table
from .site import summary, write_site
from .trace import build

ROOT = Path(__file__).resolve().parent.parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m tools.docs", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "reports" / "site"), help="the site's directory")
    ap.add_argument("--markdown", default=str(ROOT / "reports" / "traceability.md"),
                    help="the Markdown traceability table ('' to skip)")
    ap.add_argument("--spec", default=None, help="the spec directory (default spec/)")
    ap.add_argument("--reports", default=None, help="where the <impl>/results.json are (default reports/)")
    args = ap.parse_args(argv)
    started = time.monotonic()
    trace = build(ROOT, spec_dir=args.spec, reports_dir=args.reports)
    written = write_site(trace, args.out, ROOT, spec_dir=args.spec)
    if args.markdown:
        Path(args.markdown).write_text(markdown_table.render(trace), encoding="utf-8")
    s = summary(trace)
    impls = ", ".join(r.name for r in trace.results) or "none"
    try:
        shown = Path(args.out).resolve().relative_to(ROOT)
    except ValueError:
        shown = Path(args.out)
    print(f"docs: {len(written)} files in {shown}/ ({time.monotonic() - started:.1f}s): "
          f"{s['rules']} rules, {s['with_contract']} with a contract, {s['with_case']} with a case, "
          f"{s['cases']} cases, implementations: {impls}; {s['exceptions']} exceptions, "
          f"{s['problems']} problems")
    for p in trace.problems:
        print(f"problem: {p}", file=sys.stderr)
    for skipped in trace.skipped_results:
        print(f"skipped: {skipped}", file=sys.stderr)
    return 1 if trace.problems else 0


if __name__ == "__main__":
    sys.exit(main())
