#!/usr/bin/env bash
# `make test`: every suite, one after another; a closing line "N passed, N failed" counts suites.
# Each suite prints its own details. Runs as root on CI (the e2e suite needs root).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
failed_names=()
suite() {
    local name=$1
    shift
    echo "=== suite: $name"
    if "$@"; then
        echo "=== PASS suite $name"
        passed=$((passed + 1))
    else
        echo "=== FAIL suite $name"
        failed=$((failed + 1))
        failed_names+=("$name")
    fi
}

suite build make --no-print-directory all
suite unit make --no-print-directory -j2 unit
suite unit-asan make --no-print-directory -j2 unit-asan
suite integration make --no-print-directory -j2 integration
suite integration-asan make --no-print-directory -j2 integration-asan
if [ -f fuzz/run.sh ]; then
    suite fuzz-smoke make --no-print-directory fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
fi
suite cli make --no-print-directory cli-tests
suite fixtures-in-clone make --no-print-directory clone-test
suite lint make --no-print-directory lint
if [ -f tests/install/run.sh ]; then
    suite install make --no-print-directory install-tests
fi
# The release files: archives, .debs (dpkg in a throwaway overlay root), arm64 under qemu-user,
# reproducibility (root: binfmt_misc, mount namespaces, dpkg).
if [ "$(id -u)" = 0 ] && [ -f tests/dist/run.sh ]; then
    suite dist make --no-print-directory -j2 dist-tests
else
    echo "=== dist suite needs root: not run"
fi
# The installer image (deploy/kubernetes/) on a private containerd against staged nodes (root).
if [ "$(id -u)" = 0 ] && [ -f tests/image/run.sh ]; then suite image make --no-print-directory image-tests; fi
if [ "$(id -u)" = 0 ] && [ -f tests/e2e/run.sh ]; then
    suite e2e make --no-print-directory e2e
else
    echo "=== e2e suite needs root and tests/e2e/run.sh: not run"
fi
# Operations under fault on a busy node (root: private containerds, tmpfs mounts).
if [ "$(id -u)" = 0 ] && [ -f tests/faults/run.sh ]; then suite faults make --no-print-directory faults; else echo "=== faults suite needs root: not run"; fi

echo
[ "$failed" -gt 0 ] && echo "failed suites: ${failed_names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
