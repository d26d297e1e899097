#!/usr/bin/env bash
# fuzz/run.sh SECONDS: the libFuzzer smoke (`make fuzz FUZZ_SECONDS=N`; `make test` uses 30).
#
# Builds one libFuzzer target per input runcwrap parses (Debian's clang-14, ASan + UBSan, every
# UBSan finding fatal) into build/fuzz/, then for each target:
#   1. replays fuzz/regressions/<target>/* (inputs that once crashed it) and fails if one does;
#   2. fuzzes it for SECONDS from the seed corpus fuzz/corpus/<target>/ (new inputs go to
#      build/fuzz/corpus/<target>/, never into the repo) and fails on any crash, leak, timeout
#      or out-of-memory; libFuzzer's artifact is left in build/fuzz/artifacts/<target>/.
# FUZZ_TARGETS="a b" limits the run to those targets.
# Installs clang-14 and libclang-rt-14-dev (and the parsers' headers) with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
case $seconds in
    '' | *[!0-9]*)
        echo "usage: fuzz/run.sh SECONDS" >&2
        exit 2
        ;;
esac

all_targets=(runc_args config_json process_json state_json side_config side_config_strict options_json binary_marker)
# FUZZ_TARGETS="side_config state_json" runs only those (for a longer run on one parser).
read -r -a targets <<<"${FUZZ_TARGETS:-${all_targets[*]}}"
# The parsers under test (pure code), plus restore_dropped_options in decision.cpp.
srcs=(wrapper/runc_args wrapper/decision wrapper/handler_entry wrapper/side_config wrapper/side_config_strict common/toml_guard wrapper/shim_options
    wrapper/oci_spec wrapper/runc_state wrapper/idmap wrapper/binary_marker)
declare -A dict=([runc_args]=runc_args [config_json]=json [process_json]=json
    [state_json]=json [side_config]=toml [side_config_strict]=toml [options_json]=json [binary_marker]=elf)

# ---- what the build needs, installed only when missing ------------------------------------
sh "$(dirname "$0")/../toolchain/ensure-packages.sh" fuzz/run.sh \
    clang-14 libclang-rt-14-dev rapidjson-dev libtomlplusplus-dev

# ---- build ---------------------------------------------------------------------------------
CXX=${FUZZ_CXX:-clang++-14}
out=build/fuzz
mkdir -p "$out/obj/wrapper" "$out/obj/common"
# -Wno-ambiguous-reversed-operator: RapidJSON 1.1.0's iterators predate C++20's rewritten
# comparisons; clang warns at every use in our code (the result is the same either way).
common=(-std=c++20 -g -O1 -Isrc -Ifuzz -Itests/support -DRAPIDJSON_HAS_STDSTRING=1 -Wall -Wextra -Wno-ambiguous-reversed-operator
    -fno-omit-frame-pointer -fno-sanitize-recover=all)
san=address,undefined
ignore=(-fsanitize-ignorelist=fuzz/sanitizer-ignorelist.txt)

# Rebuilds an output when it is older than its source or any project header.
stale() {
    local target=$1 src=$2 h
    [ -f "$target" ] || return 0
    [ "$src" -nt "$target" ] && return 0
    for h in src/*/*.hpp fuzz/*.hpp tests/support/*.hpp fuzz/sanitizer-ignorelist.txt "$0"; do [ "$h" -nt "$target" ] && return 0; done
    return 1
}

objs=()
for s in "${srcs[@]}"; do
    o=$out/obj/$s.o
    if stale "$o" "src/$s.cpp"; then
        echo "fuzz: compile src/$s.cpp"
        "$CXX" "${common[@]}" -fsanitize=fuzzer-no-link,$san "${ignore[@]}" -c "src/$s.cpp" -o "$o"
    fi
    objs+=("$o")
done
for t in "${targets[@]}"; do
    bin=$out/$t
    relink=0
    stale "$bin" "fuzz/${t}_fuzz.cpp" && relink=1
    for o in "${objs[@]}"; do [ "$o" -nt "$bin" ] && relink=1; done
    if [ "$relink" = 1 ]; then
        echo "fuzz: build $bin"
        "$CXX" "${common[@]}" -fsanitize=fuzzer,$san "${ignore[@]}" "fuzz/${t}_fuzz.cpp" "${objs[@]}" -o "$bin"
    fi
done

# ---- run -----------------------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
    bin=$out/$t
    log=$out/$t.log
    mkdir -p "$out/corpus/$t" "$out/artifacts/$t"

    # 1. Known crashers first: each file is run once.
    mapfile -t regressions < <(find "fuzz/regressions/$t" -type f 2>/dev/null | sort)
    if [ "${#regressions[@]}" -gt 0 ]; then
        if ! "$bin" "${regressions[@]}" >"$log.replay" 2>&1; then
            tail -n 30 "$log.replay"
            echo "FAIL fuzz $t: a regression input crashes again (log: $log.replay)"
            failed+=("$t")
            continue
        fi
    fi

    # ELF seeds are made here, not committed: the heads of a program without the note and of
    # the fuzz binary itself, which links binary_marker.cpp and so carries it.
    if [ "$t" = binary_marker ]; then
        head -c 4096 /bin/true >"$out/corpus/$t/seed-true"
        head -c 4096 "$bin" >"$out/corpus/$t/seed-with-note"
    fi

    # 2. Fuzz for the time given, from the seeds.
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -dict="fuzz/dicts/${dict[$t]}.dict" -artifact_prefix="$out/artifacts/$t/" \
        -print_final_stats=1 "$out/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
        echo "ok   fuzz $t: ${runs:-?} runs in ${seconds}s, ${cov:-cov: ?}," \
            "${#regressions[@]} regression input(s) replayed"
    else
        grep -E 'ERROR|SUMMARY|invariant failed|runtime error|Test unit written' "$log" | head -n 20
        echo "FAIL fuzz $t (log: $log); add the artifact to fuzz/regressions/$t/ once fixed"
        failed+=("$t")
    fi
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]}"
    exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without a crash"
