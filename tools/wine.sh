#!/usr/bin/env bash
# Runs the Win32 adapter (harness/adapters/win32) under Wine, headless, in a
# private prefix.
#
#   tools/wine.sh prepare FLAVOUR      make the prefix and start Wine's services
#   tools/wine.sh adapter FLAVOUR ...  exec the adapter (the harness's adapter command)
#   tools/wine.sh release FLAVOUR      stop what prepare started
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
wine-8.0)
    state=$ROOT/build/wine-8.0
    export WINEPREFIX=$state/prefix
    run=()
    exe=$EXE
    ;;
wine-10.0)
    state=$ROOT/build/wine-10.0
    [ -x "$CHROOT10/usr/lib/wine/wine64" ] || {
        echo "no Wine 10.0 chroot at $CHROOT10: run make wine10-chroot" >&2; exit 1; }
    run=(chroot "$CHROOT10" /usr/bin/env WINEPREFIX=/root/hs-prefix WINEDLLOVERRIDES="$WINEDLLOVERRIDES"
         WINEDEBUG="$WINEDEBUG" HOME=/root)
    export WINEPREFIX=$CHROOT10/root/hs-prefix
    exe='C:\hs\hs-win32-adapter.exe'
    ;;
*)
    echo "unknown flavour $flavour (wine-8.0 or wine-10.0)" >&2; exit 2 ;;
esac

# The chroot needs /proc and /dev; mounted once, left for later runs.
mount_chroot() {
    local d
    for d in proc dev dev/pts dev/shm; do
        mkdir -p "$CHROOT10/$d"
        mountpoint -q "$CHROOT10/$d" && continue
        if [ $d = proc ]; then mount -t proc proc "$CHROOT10/proc"; else mount --bind "/$d" "$CHROOT10/$d"; fi
    done
}

prepare() {
    mkdir -p "$state"
    [ -f "$EXE" ] || { echo "$EXE is missing: run make build-win32" >&2; exit 1; }
    exec 9>"$state/lock"
    flock 9
    if [ $flavour = wine-10.0 ]; then
        mount_chroot
        mkdir -p "$WINEPREFIX/drive_c/hs"
    fi
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        echo "creating the Wine prefix $WINEPREFIX"
        wine wineboot -i >"$state/wineboot.log" 2>&1
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
    if [ -f "$state/keeper.pid" ] && kill -0 "$(cat "$state/keeper.pid")" 2>/dev/null; then
        return 0
    fi
    local fifo=$state/keeper.in
    rm -f "$fifo"; mkfifo "$fifo"
    setsid bash -c 'exec "$@"' keeper "$0" adapter "$flavour" <"$fifo" >"$state/keeper.out" 2>"$state/keeper.log" 9>&- &
    echo $! >"$state/keeper.pid"
    exec 8>"$fifo"
    printf 'HELLO 1\n' >&8
    local i
    for i in $(seq 1 600); do
        grep -q '^HELLO' "$state/keeper.out" 2>/dev/null && break
        grep -q '^ERROR' "$state/keeper.out" 2>/dev/null && break
        kill -0 "$(cat "$state/keeper.pid")" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q '^HELLO' "$state/keeper.out"; then
        echo "the Win32 adapter did not start under $flavour:" >&2
        cat "$state/keeper.out" "$state/keeper.log" >&2
        exit 1
    fi
    # The keeper reads the fifo until release closes its writer.
    (exec 8>&- 9>&- </dev/null 2>/dev/null; exec sleep 86400 >"$fifo") &
    echo $! >"$state/holder.pid"
    echo "$flavour ready: $(head -1 "$state/keeper.out")"
}

release() {
    local f
    for f in holder keeper; do
        if [ -f "$state/$f.pid" ]; then
            kill "$(cat "$state/$f.pid")" 2>/dev/null || true
            rm -f "$state/$f.pid"
        fi
    done
}

wine() { "${run[@]}" /usr/lib/wine/wine64 "$@"; }
wineserver() { "${run[@]}" /usr/lib/wine/wineserver "$@"; }

case $cmd in
prepare) prepare ;;
release) release ;;
adapter)
    [ $flavour = wine-10.0 ] && mount_chroot
    exec "${run[@]}" /usr/lib/wine/wine64 "$exe" "$@" ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
