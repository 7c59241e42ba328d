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
import sys


def past_limit(cache_dir, steps):
    """The cache files holding a valid verdict with more steps than the limit."""
    found = []
    for path in sorted(pathlib.Path(cache_dir).glob("*.json")):
        try:
            entry = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if entry.get("verdict") == "valid" and int(entry.get("steps", 0)) > steps:
            found.append(path)
    return found


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("cache_dir")
    args = ap.parse_args(argv)
    dropped = past_limit(args.cache_dir, args.steps)
    for path in dropped:
        print("prune_cache: dropped %s (%s)" % (path.name, path.read_text().strip()))
        path.unlink()
    print("prune_cache: %d entries past the step limit of %d dropped" % (len(dropped), args.steps))
    return 0


if __name__ == "__main__":
    sys.exit(main())
