#!/usr/bin/env bash
# tests/lint.sh: static analysis, exit 0 only when everything is clean.
#   1. clang-tidy-14 over src/*.cpp with the checks chosen (and the ones left out, with reasons)
#      in .clang-tidy at the repo root;
#   2. cppcheck over src/ (warning, performance, portability), with the host headers;
#   3. shellcheck on every *.sh in the repository;
#   4. every C, C++ and shell file formatted (tests/format.sh --check: clang-format, shfmt).
# Installs clang-tidy-14, cppcheck and shellcheck with apt-get when missing (root only).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

sh toolchain/ensure-packages.sh lint \
    clang-tidy-14 cppcheck shellcheck rapidjson-dev libtomlplusplus-dev libcli11-dev

failed=()

# ---- clang-tidy ----------------------------------------------------------------------------
# The same flags as the host build (make unit), so it sees what g++ sees; the libraries'
# headers are system headers (no findings reported inside them).
tidy_flags=(-std=c++20 -Isrc -DRUNCWRAP_VERSION='"lint"' -DRAPIDJSON_HAS_STDSTRING=1
    -Wno-ambiguous-reversed-operator)
echo "== clang-tidy-14 (checks: .clang-tidy)"
# Two files at a time (the machine is shared); each file's findings print as they come.
tidy_one() {
    local out
    out=$(clang-tidy-14 --quiet "$1" -- "${@:2}" 2>&1)
    local rc=$?
    # Keep the findings, drop clang-tidy's "N warnings generated" chatter.
    if grep -E '(warning|error):' <<<"$out" | grep -v 'warnings generated'; then return 1; fi
    return "$rc"
}
export -f tidy_one
mapfile -t sources < <(find src -name '*.cpp' | sort)
# Any output or a failing file (a finding, or a file clang-tidy could not compile) fails the
# step. (Not `... | grep .` under pipefail: xargs's own exit status would decide the branch.)
# shellcheck disable=SC2016 # the inner bash expands "$@", on purpose
tidy_findings=$(printf '%s\0' "${sources[@]}" | xargs -0 -P 2 -I{} bash -c 'tidy_one "$@"' _ {} \
    "${tidy_flags[@]}")
tidy_status=$?
if [[ -n $tidy_findings || $tidy_status != 0 ]]; then
    printf '%s\n' "$tidy_findings"
    echo "FAIL clang-tidy: findings above (xargs exit $tidy_status)"
    failed+=(clang-tidy)
else
    echo "ok   clang-tidy: ${#sources[@]} files clean"
fi

# ---- cppcheck ------------------------------------------------------------------------------
# Suppressions, each for a reason:
#   missingIncludeSystem  the system and library headers are not cppcheck's to analyse.
#   unusedFunction        needs the whole program; the tests and the CLI call what src/ exports.
#   unmatchedSuppression  the list is shared by every file.
#   returnStdMoveLocal at containerd_config.cpp: a false positive; `std::move(parsed.table())`
#                         moves out of a member reference, which no copy elision would do.
echo "== cppcheck"
if cppcheck --std=c++20 --language=c++ --enable=warning,performance,portability \
    --inline-suppr --error-exitcode=1 --quiet -Isrc -D__linux__ -DRAPIDJSON_HAS_STDSTRING=1 \
    --suppress=missingIncludeSystem --suppress=unusedFunction --suppress=unmatchedSuppression \
    --suppress=returnStdMoveLocal:src/cli/containerd_config.cpp \
    src/ 2>&1; then
    echo "ok   cppcheck: src/ clean"
else
    failed+=(cppcheck)
fi

# ---- shellcheck ------------------------------------------------------------------------------
# SC2164 (cd without `|| exit`) is excluded for tests/run-all.sh only: its `cd` cannot fail (it
# goes to the script's own folder), and the file is not the lint's to change (reported).
echo "== shellcheck"
mapfile -t scripts < <(find . -name '*.sh' -not -path './build/*' -not -path './toolchain/node_modules/*' \
    -not -path './.git/*' | sort)
sc_ok=1
for s in "${scripts[@]}"; do
    extra=()
    shellcheck -x "${extra[@]}" "$s" || sc_ok=0
done
if [ "$sc_ok" = 1 ]; then echo "ok   shellcheck: ${#scripts[@]} scripts clean"; else failed+=(shellcheck); fi

# ---- formatting ------------------------------------------------------------------------------
echo "== format"
bash tests/format.sh --check || failed+=(format)

if [ "${#failed[@]}" -gt 0 ]; then
    echo "lint: FAILED: ${failed[*]}"
    exit 1
fi
echo "lint: clang-tidy, cppcheck, shellcheck and the formatters all clean"
