#!/usr/bin/env bash
# Installs the Debian packages named on the command line that are not
# installed yet (idempotent), waiting for another apt run to release the dpkg
# lock. --no-recommends leaves out recommended packages (Wine's pull in a lot).
set -euo pipefail
opts=()
if [ "${1:-}" = "--no-recommends" ]; then
    opts+=(--no-install-recommends)
    shift
fi
# One dpkg-query for all of them: a process per package costs more than the check.
declare -A installed=()
while IFS=: read -r name status; do
    [ "$status" = "install ok installed" ] && installed[$name]=1
done < <(dpkg-query -W -f='${Package}:${Status}\n' "$@" 2>/dev/null || true)
missing=()
for p in "$@"; do
    [ -n "${installed[$p]:-}" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
lock=(-o DPkg::Lock::Timeout=600)
$sudo apt-get "${lock[@]}" update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get "${lock[@]}" install -y -qq "${opts[@]}" "${missing[@]}"
