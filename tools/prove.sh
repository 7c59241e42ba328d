#!/usr/bin/env bash
# Prove the reference model with Frama-C WP and gate on the result.
#
# Frama-C exits 0 even when goals fail, so the gate is ours: the Report plugin
# must classify no property as unknown, every WP goal (smoke tests included)
# must be proved, and the log must carry no unsoundness warning.
#
# Environment: PROVE_SRC (files to prove, default model/src/*.c),
#              PROVE_OUT (report directory, default reports/proof),
#              PROVE_CACHE (WP cache mode: update (default): reuse the cache
#                and add what is missing; offline: replay the cache and run
#                no prover, and fail if any goal or smoke test has no
#                cached verdict or if the cache directory changes; none:
#                prove from scratch, read and write no cache),
#              PROVE_CACHE_DIR (default model/proof-cache),
#              PROVE_SMOKE_TIMEOUT (seconds per smoke test, default 10),
#              PROVE_TIMEOUT (seconds per prover run on any other goal,
#              default 120: a backstop, the step limit decides),
#              PROVE_FILES_PAR (model files proved at once; default: one
#              per core for an offline replay, one when provers run),
#              PROVE_PAR (WP's parallel tasks in each run; default: two per
#              core when provers run, 32 for an offline replay),
#              PROVE_PRUNE (non-empty: after a passing run, drop from the
#              cache the verdicts proved past the step limit, as
#              tools/prune_cache.py says),
#              PROVE_FCT (prove only these functions, comma-separated; the
#              Report plugin is then skipped, since the other functions'
#              properties stay unknown by design, and the gate reads WP's
#              statistics and log only),
#              PROVE_PROP (prove only the properties of these names,
#              comma-separated, e.g. lemmas; the Report plugin is skipped
#              as with PROVE_FCT).
set -uo pipefail
cd "$(dirname "$0")/.."

SRC=${PROVE_SRC:-$(ls model/src/*.c)}
OUT=${PROVE_OUT:-reports/proof}
CACHE=${PROVE_CACHE:-update}
CACHE_DIR=${PROVE_CACHE_DIR:-model/proof-cache}
INCLUDES=${PROVE_INCLUDES:--Imodel/include}
# WP advances its tasks one step per 50 ms tick, so a task spends ticks idle
# around each prover run: a replay, which runs no prover, is bounded by how many
# tasks it holds at once, not by the cores, and two tasks per core keep the
# cores busy. Not more: the smoke timeout is wall-clock time, and at two per
# core a smoke test still gets half a core for it (5 s of prover time, twice
# what the longest proof of the model takes).
# A replay runs the model files side by side, one per core: WP simplifies
# each goal (Qed) in its own process, on one core, and with no prover to run
# that is all the work there is. A proving run keeps the cores busy with
# provers already, so it takes one file at a time: more processes would only
# take time from the smoke tests' wall-clock budget.
CORES=$(nproc 2>/dev/null || echo 2)
if [ "$CACHE" = offline ]; then
    JOBS=${PROVE_PAR:-32}
    FILES_PAR=${PROVE_FILES_PAR:-$CORES}
else
    JOBS=${PROVE_PAR:-$(( 2 * CORES ))}
    FILES_PAR=${PROVE_FILES_PAR:-1}
fi
NFILES=$(echo $SRC | wc -w)
[ "$FILES_PAR" -gt "$NFILES" ] && FILES_PAR=$NFILES
mkdir -p "$OUT" "$CACHE_DIR"

SMOKE_TIMEOUT=${PROVE_SMOKE_TIMEOUT:-10}
TIMEOUT=${PROVE_TIMEOUT:-120}
STEPS=400000

# A goal is proved when a prover proves it within the step limit, which
# counts the same on any machine under any load. The clock can only fail a
# goal, never pass it, so its bound is a backstop far past the step limit:
# in a proof from scratch on a loaded 2-core machine, a 15 s bound failed a
# goal that CVC4 proves in 327439 steps.
# A smoke test passes when no prover derives false from the hypotheses, so
# there the clock can pass it: the search stops at the step limit or the
# smoke timeout, whichever comes first. Under load the timeout ends many
# searches (in a proof from scratch of hs_known.c, 19 of the 22 CVC4); a
# step limit alone would cost far more (one search of hs_body.c needs 53 s
# of a core to reach 400000 steps).
# A larger OCaml heap for WP (why: tools/frama_c_gc.ml), compiled once per run
# outside the tree and loaded into every Frama-C process.
GC_DIR=$(mktemp -d)
trap 'rm -rf "$GC_DIR"' EXIT
cp tools/frama_c_gc.ml "$GC_DIR/" &&
    ocamlopt -shared -o "$GC_DIR/frama_c_gc.cmxs" "$GC_DIR/frama_c_gc.ml" ||
    { echo "prove.sh: cannot compile tools/frama_c_gc.ml (is the ocaml package installed? make deps)" >&2; exit 2; }

WPFLAGS=(-load-module "$GC_DIR/frama_c_gc.cmxs"
         -wp -wp-rte -warn-unsigned-overflow -warn-unsigned-downcast -warn-signed-downcast
         -wp-model Typed -wp-literals
         -wp-smoke-tests -wp-smoke-timeout "$SMOKE_TIMEOUT" -wp-no-smoke-dead-call
         -wp-prover cvc4,z3 -wp-steps "$STEPS" -wp-timeout "$TIMEOUT" -wp-par "$JOBS"
         -wp-cache "$CACHE" -wp-cache-dir "$CACHE_DIR")
GATE=(-then -report-classify -report-unclassified-unknown ERROR)
SUMMARY_ARGS=()
if [ -n "${PROVE_FCT:-}" ]; then
    WPFLAGS+=(-wp-fct "$PROVE_FCT")
fi
if [ -n "${PROVE_PROP:-}" ]; then
    WPFLAGS+=(-wp-prop "$PROVE_PROP")
fi
if [ -n "${PROVE_FCT:-}${PROVE_PROP:-}" ]; then
    GATE=()
    SUMMARY_ARGS+=(--no-report)
fi

if [ "$CACHE" = offline ]; then
    SUMMARY_ARGS+=(--offline)
fi

# A digest of the cache directory: a replay must leave it as it was.
cache_digest() {
    (cd "$CACHE_DIR" && find . -type f -print0 | sort -z | xargs -0 -r sha1sum) | sha1sum
}
before=$(cache_digest)

# One Frama-C run per model file. WP gives every goal of a run all the lemmas
# of that run as hypotheses, needed or not; a run per file keeps each goal's
# context to the lemmas of its own file and the headers it includes
# (spec 7.3). A call into another file uses the callee's contract, which the
# callee's own run proves.
RUNS="$OUT/runs"
rm -rf "$RUNS" "$OUT/wp-stats.json" "$OUT/report.json"

prove_file() {
    local src=$1 run="$RUNS/$(basename "$1" .c)"
    local report=()
    if [ ${#GATE[@]} -gt 0 ]; then
        report=("${GATE[@]}" -report-output "$run/report.json")
    fi
    frama-c -cpp-extra-args="$INCLUDES" "$src" "${WPFLAGS[@]}" -wp-report-json "$run/wp-stats.json" \
        "${report[@]}" > "$run/wp.log" 2>&1
    echo $? > "$run/status"
}

# Largest file first: size is a rough guess at a run's length, so that a long
# run is unlikely to start last when files go side by side.
start=$(date +%s)
running=0
for src in $(ls -S $SRC); do
    mkdir -p "$RUNS/$(basename "$src" .c)"
    if [ "$running" -ge "$FILES_PAR" ]; then
        wait -n
        running=$((running - 1))
    fi
    prove_file "$src" &
    running=$((running + 1))
done
wait
frama_status=0
for src in $SRC; do
    run="$RUNS/$(basename "$src" .c)"
    status=$(cat "$run/status" 2>/dev/null || echo 125)
    [ "$status" -ne 0 ] && frama_status=$status
    SUMMARY_ARGS+=(--run "$run")
done
seconds=$(( $(date +%s) - start ))
if [ "$CACHE" = offline ] && [ "$(cache_digest)" != "$before" ]; then
    SUMMARY_ARGS+=(--cache-changed)
fi

# A verdict past the step limit reads differently from the cache in a proving
# run and in a replay (tools/prune_cache.py); with no cache, nothing reads it.
if [ "$CACHE" != none ]; then
    SUMMARY_ARGS+=(--steps "$STEPS")
fi

/usr/bin/python3 tools/proof_summary.py "${SUMMARY_ARGS[@]}" \
    --seconds "$seconds" --frama-c-status "$frama_status" --out "$OUT"
status=$?
rm -rf "$RUNS"
# make prove-rebuild: after its second run, drop those verdicts from the cache.
if [ -n "${PROVE_PRUNE:-}" ] && [ "$status" -eq 0 ]; then
    /usr/bin/python3 tools/prune_cache.py --steps "$STEPS" "$CACHE_DIR" || status=1
fi
exit $status
