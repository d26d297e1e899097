#!/usr/bin/env bash
# One formatter per language for the whole tree: clang-format (.clang-format) for C and C++,
# shfmt for shell (4 spaces, indented case arms: the flags below, also in .editorconfig).
#   tests/format.sh          rewrite every file in place (make format)
#   tests/format.sh --check  list the files that are not formatted, exit 1 if any (make lint)
# Files are the ones git tracks (recorded fixtures excluded: they are kept verbatim); a shell
# script is any *.sh or any tracked file whose first line names sh or bash.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
SHFMT_FLAGS=(-i 4 -ci)

sh toolchain/ensure-packages.sh format clang-format-14 shfmt
check=0
[[ ${1:-} == --check ]] && check=1

mapfile -t cxx < <(git ls-files '*.cpp' '*.hpp' '*.c' '*.h' | grep -v '^tests/fixtures/')
mapfile -t shell < <(git ls-files | grep -v '^tests/fixtures/' | while read -r f; do
    [[ -f $f ]] || continue
    if [[ $f == *.sh ]] || head -n1 "$f" | grep -qE '^#!.*/(env )?(ba)?sh( |$)'; then echo "$f"; fi
done)

if ((!check)); then
    clang-format-14 -i "${cxx[@]}"
    shfmt "${SHFMT_FLAGS[@]}" -w "${shell[@]}"
    echo "format: ${#cxx[@]} C/C++ files, ${#shell[@]} shell scripts formatted"
    exit 0
fi

bad=()
for f in "${cxx[@]}"; do
    clang-format-14 --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
mapfile -t bad_shell < <(shfmt "${SHFMT_FLAGS[@]}" -l "${shell[@]}")
bad+=("${bad_shell[@]}")
if ((${#bad[@]})); then
    printf 'not formatted: %s\n' "${bad[@]}"
    echo "FAIL format: ${#bad[@]} file(s); run: make format"
    exit 1
fi
echo "ok   format: ${#cxx[@]} C/C++ files (clang-format), ${#shell[@]} shell scripts (shfmt) formatted"
