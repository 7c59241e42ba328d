#!/usr/bin/env bash
# Makes a Debian 13 ("trixie") chroot with its wine64 (Wine 10.0), for
# tools/wine.sh wine-10.0. Idempotent: a finished chroot is left alone.
set -euo pipefail

ROOT=${HS_WINE10_CHROOT:-/var/cache/hs-conformance/wine-10.0}
MIRROR=${HS_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if [ -x "$ROOT/usr/lib/wine/wine64" ]; then
    exit 0
fi
mkdir -p "$(dirname "$ROOT")"
if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    echo "debootstrap trixie into $ROOT (a few minutes)"
    rm -rf "$ROOT"
    debootstrap --variant=minbase trixie "$ROOT" "$MIRROR"
fi
mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
chroot "$ROOT" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get update -qq
chroot "$ROOT" /usr/bin/env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine64
chroot "$ROOT" /usr/lib/wine/wine64 --version
