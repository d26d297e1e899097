#!/bin/sh
# Installs the named Debian packages that are not installed yet (root only); nothing else.
# Usage: toolchain/ensure-packages.sh WHO PACKAGE...   (WHO names the caller in messages)
set -eu
who=$1
shift
missing=""
for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "$who: missing Debian packages:$missing (run as root, or install them)" >&2
    exit 1
fi
echo "$who: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
