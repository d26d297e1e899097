#!/usr/bin/env bash
# The fixtures travel with the tree: a clone of this commit into a folder with nothing beside it
# (no shared/ reference shelf, nothing at all) runs the unit, integration and CLI suites from there, with no
# fixture path given, so every file they read must come from the clone itself.
# The suites' binaries are the ones `make` just built from the same sources (building them again
# in the clone would only cost minutes); what this proves is where their data comes from.
# Usage: tests/clone/run.sh BUILD_DIR     (BUILD_DIR holds runcwrap, unit-tests, integration-tests)
set -euo pipefail

BUILD=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/rcw-clone.XXXXXX)
trap 'rm -rf "$T"' EXIT
chmod 0755 "$T"

# Committed files only: what a user's `git clone` gets. Uncommitted fixtures would not travel.
git -C "$TOP" ls-files --error-unmatch tests/fixtures >/dev/null
git clone -q --no-hardlinks "$TOP" "$T/runcwrap"
[[ ! -e $T/shared ]] || {
    echo "FAIL: $T/shared exists"
    exit 1
}
cd "$T/runcwrap"
echo "clone of $(git rev-parse --short HEAD) in $PWD (beside it: $(find "$T" -mindepth 1 -maxdepth 1 -printf "%f ")only)"

failed=0
run() {
    local name=$1
    shift
    if "$@" >"$T/$name.log" 2>&1; then
        echo "PASS $name: $(grep -E '^\[  PASSED  \]|passed, [0-9]+ failed' "$T/$name.log" | tail -1)"
    else
        echo "FAIL $name"
        tail -30 "$T/$name.log"
        failed=$((failed + 1))
    fi
}
# No FIXTURES_DIR / SAMPLES_DIR: the suites' own defaults, relative to the clone.
run unit env -u FIXTURES_DIR -u SAMPLES_DIR "$BUILD/unit-tests" --gtest_brief=1
run integration env RUNCWRAP_BIN="$BUILD/runcwrap" PROBE_BIN="$BUILD/probe-runtime" \
    SAMPLES_DIR="$PWD/tests/fixtures/shim-1.6.20" "$BUILD/integration-tests" --gtest_brief=1
run cli env -u SAMPLES_DIR bash tests/cli/run.sh "$BUILD/runcwrap"

# And nothing in the build or the tests names a folder outside the tree, but the release
# archives the e2e suite is handed in E2E_RELEASES.
if outside=$(grep -rIn -e '\.\./shared' -e '\.\./\.\./shared' Makefile tests .ci | grep -v 'shared/releases'); then
    echo "FAIL: the tree reads the reference shelf beside the project:"
    echo "$outside"
    failed=$((failed + 1))
else
    echo "PASS no-outside-paths: Makefile, tests/ and .ci/ name no folder beside the project (but the release archives)"
fi
((failed == 0))
