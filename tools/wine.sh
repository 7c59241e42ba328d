#!/usr/bin/env bash
# Runs the Win32 adapter (harness/adapters/win32) under Wine, headless, in
# private prefixes: one per parallel worker, each with its own wineserver,
# services and http.sys, so that one worker's adapter crash or closed queue
# never touches another's.
#
#   tools/wine.sh prepare FLAVOUR [N]  make N prefixes (default 1) and start Wine's
#                                      services in each
#   tools/wine.sh adapter FLAVOUR ...  exec the adapter (the harness's adapter command)
#                                      in the prefix of this worker: K for pytest-xdist's
#                                      worker gwK (PYTEST_XDIST_WORKER), 0 without one
#   tools/wine.sh release FLAVOUR      stop what prepare started, in every prefix
#
# FLAVOUR: wine-8.0 (this system's wine64) or wine-10.0 (Debian 13's wine64
# in the chroot that tools/wine10-chroot.sh makes).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
EXE=$ROOT/build/win32/hs-win32-adapter.exe
CHROOT10=${HS_WINE10_CHROOT:-/var/cache/hs-conformance/wine-10.0}

cmd=${1:?usage: tools/wine.sh prepare|adapter|release FLAVOUR}
flavour=${2:?usage: tools/wine.sh prepare|adapter|release FLAVOUR}
shift 2

# No Mono or Gecko prompts in a fresh prefix; no display needed.
export WINEDLLOVERRIDES="mscoree=;mshtml="
export WINEDEBUG=${WINEDEBUG:-fixme+http,err+all,-all}
unset DISPLAY

case $flavour in
wine-8.0|wine-10.0) state=$ROOT/build/$flavour ;;
*) echo "unknown flavour $flavour (wine-8.0 or wine-10.0)" >&2; exit 2 ;;
esac
if [ $flavour = wine-10.0 ] && [ ! -x "$CHROOT10/usr/lib/wine/wine64" ]; then
    echo "no Wine 10.0 chroot at $CHROOT10: run make wine10-chroot" >&2; exit 1
fi

# slot K: the prefix of worker K (sfx "" for 0, "-K" otherwise), how to run Wine in it
# and where its keeper's files are.
slot() {
    local k=$1
    sfx=$([ "$k" = 0 ] && echo "" || echo "-$k")
    keeper=$state/keeper$sfx
    case $flavour in
    wine-8.0)
        export WINEPREFIX=$state/prefix$sfx
        run=()
        exe=$EXE
        ;;
    wine-10.0)
        run=(chroot "$CHROOT10" /usr/bin/env WINEPREFIX=/root/hs-prefix$sfx
             WINEDLLOVERRIDES="$WINEDLLOVERRIDES" WINEDEBUG="$WINEDEBUG" HOME=/root)
        export WINEPREFIX=$CHROOT10/root/hs-prefix$sfx
        exe='C:\hs\hs-win32-adapter.exe'
        ;;
    esac
}

# The chroot needs /proc and /dev; mounted once, left for later runs.
mount_chroot() {
    local d
    for d in proc dev dev/pts dev/shm; do
        mkdir -p "$CHROOT10/$d"
        mountpoint -q "$CHROOT10/$d" && continue
        if [ $d = proc ]; then mount -t proc proc "$CHROOT10/proc"; else mount --bind "/$d" "$CHROOT10/$d"; fi
    done
}

wine() { "${run[@]}" /usr/lib/wine/wine64 "$@"; }
wineserver() { "${run[@]}" /usr/lib/wine/wineserver "$@"; }

# Make slot K's prefix if need be and start its keeper.
prepare_slot() {
    slot "$1"
    if [ $flavour = wine-10.0 ]; then
        mkdir -p "$WINEPREFIX/drive_c/hs"
    fi
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        echo "creating the Wine prefix $WINEPREFIX"
        wine wineboot -i >"$state/wineboot$sfx.log" 2>&1
        # HttpInitialize fails (1053, 1055) while wineboot's services are still settling.
        wineserver -w
    fi
    if [ $flavour = wine-10.0 ]; then
        cp "$EXE" "$WINEPREFIX/drive_c/hs/hs-win32-adapter.exe"
    fi
    # An idle adapter keeps Wine's services (and, once started, the http.sys
    # driver in winedevice.exe) running under this process, not under an
    # adapter the harness may kill. It never registers a URL: Wine compares
    # only the first digits of a "+" URL's port, so its queue could take
    # requests meant for the adapter under test.
    if [ -f "$keeper.pid" ] && kill -0 "$(cat "$keeper.pid")" 2>/dev/null; then
        return 0
    fi
    local fifo=$keeper.in
    rm -f "$fifo"; mkfifo "$fifo"
    PYTEST_XDIST_WORKER=gw$1 setsid bash -c 'exec "$@"' keeper "$0" adapter "$flavour" \
        <"$fifo" >"$keeper.out" 2>"$keeper.log" 9>&- &
    echo $! >"$keeper.pid"
    local w
    exec {w}>"$fifo"
    printf 'HELLO 1\n' >&$w
    local i
    for i in $(seq 1 600); do
        grep -q '^HELLO' "$keeper.out" 2>/dev/null && break
        grep -q '^ERROR' "$keeper.out" 2>/dev/null && break
        kill -0 "$(cat "$keeper.pid")" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q '^HELLO' "$keeper.out"; then
        echo "the Win32 adapter did not start under $flavour (prefix $WINEPREFIX):" >&2
        cat "$keeper.out" "$keeper.log" >&2
        exit 1
    fi
    # The keeper reads the fifo until release stops the holder, its last writer;
    # ours is closed once the holder has the fifo open.
    (exec {w}>&- 9>&- </dev/null 2>/dev/null; exec sleep 86400 >"$fifo") &
    local holder=$!
    echo $holder >"$keeper.holder.pid"
    for i in $(seq 1 100); do
        [ "$(readlink "/proc/$holder/fd/1" 2>/dev/null)" = "$fifo" ] && break
        sleep 0.01
    done
    exec {w}>&-
    echo "$flavour ready in $WINEPREFIX: $(head -1 "$keeper.out")"
}

prepare() {
    local n=${1:-1} k
    case $n in ''|*[!0-9]*|0) echo "prepare: the number of prefixes is a number of at least 1" >&2; exit 2 ;; esac
    mkdir -p "$state"
    [ -f "$EXE" ] || { echo "$EXE is missing: run make build-win32" >&2; exit 1; }
    exec 9>"$state/lock"
    flock 9
    [ $flavour = wine-10.0 ] && mount_chroot
    for k in $(seq 0 $((n - 1))); do
        prepare_slot "$k"
    done
}

release() {
    local f
    for f in "$state"/keeper*.holder.pid "$state"/keeper*.pid "$state"/holder.pid; do
        [ -f "$f" ] || continue
        kill "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
}

case $cmd in
prepare) prepare "$@" ;;
release) release ;;
adapter)
    w=${PYTEST_XDIST_WORKER:-gw0}
    k=${w#gw}
    case $k in ''|*[!0-9]*) k=0 ;; esac
    slot "$k"
    [ $flavour = wine-10.0 ] && mount_chroot
    exec "${run[@]}" /usr/lib/wine/wine64 "$exe" "$@" ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
