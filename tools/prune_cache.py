"""Drop from a WP cache the verdicts a replay must not use: a prover's
"valid" past the step limit.

Z3 checks its step limit only now and then, and can finish a little past it.
A run that calls the provers takes such a fresh verdict as valid, and WP
caches it; a later run that may call the provers reads the cached verdict
as a step-out and decides with the other prover, while an offline replay
takes it as valid. So that the committed cache replays as a proving run
decides, `make prove-rebuild` proves twice (the second run gives each such
goal the other prover's verdict) and then drops these entries; the replay
that follows must still prove every goal.

Usage: prune_cache.py --steps N CACHE_DIR    (prints what it dropped)
"""
import argparse
import json
import pathlib
import re
import sys

# WP writes a whole number of seconds as "10." (OCaml's float syntax), which
# JSON does not accept.
OCAML_FLOAT = re.compile(r"(\d)\.(?=\s*[,}\]])")


def read_entry(path):
    """One cache entry as a dict. A file that cannot be read or parsed is an
    error naming it: skipping it would hide the verdict it holds."""
    try:
        return json.loads(OCAML_FLOAT.sub(r"\1.0", path.read_text()))
    except (OSError, ValueError) as err:
        raise ValueError("%s: not a WP cache entry (%s)" % (path, err)) from err


def entries(cache_dir):
    """(path, entry) for every cache file, in name order."""
    return [(path, read_entry(path)) for path in sorted(pathlib.Path(cache_dir).glob("*.json"))]


def past_limit(cache_dir, steps):
    """The cache files holding a valid verdict with more steps than the limit."""
    return [path for path, entry in entries(cache_dir)
            if entry.get("verdict") == "valid" and int(entry.get("steps", 0)) > steps]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("cache_dir")
    args = ap.parse_args(argv)
    try:
        dropped = past_limit(args.cache_dir, args.steps)
    except ValueError as err:
        print("prune_cache: %s" % err, file=sys.stderr)
        return 1
    for path in dropped:
        print("prune_cache: dropped %s (%s)" % (path.name, path.read_text().strip()))
        path.unlink()
    print("prune_cache: %d entries past the step limit of %d dropped" % (len(dropped), args.steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
