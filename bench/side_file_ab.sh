#!/usr/bin/env bash
# bench/side_file_ab.sh NAME=BUILD_DIR... : what reading the side file costs, A/B (issue #18 and
# the side-file lead of #14). Not part of `make test`. Each BUILD_DIR holds runcwrap and
# runcwrap-sym (`make build/runcwrap build/runcwrap-sym` in that tree).
#
#   bash bench/side_file_ab.sh base=/tmp/base/build toml=/tmp/nostrict/build new=build
#
# Two calls, both to a static no-op runtime (so only runcwrap's work differs): `runc --version`
# (no bundle: the side file alone says what runs) and the shim's create call with its options
# dropped and no pod sandbox (S1: options.json, a 9 KB config.json, the side file). The side
# file is 111 bytes as in bench/run.sh, written atomically and left alone (the common case).
# Wall time: bench/spawn_bench.c, interleaved rounds, the median of the paired difference to the
# first NAME. Instructions: callgrind on runcwrap-sym, dumped before every syscall()/execve()/
# fexecve() and summed, as bench/run.sh does (valgrind writes no profile for a process that
# execs): every instruction runcwrap runs before its exec, whatever the machine's load.
# Knobs: AB_RUNS (default 400).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
RUNS=${AB_RUNS:-400}
[ "$#" -ge 2 ] || {
    echo "usage: $0 NAME=RUNCWRAP NAME=RUNCWRAP..." >&2
    exit 2
}
[ "$(id -u)" = 0 ] || {
    echo "run as root (the side file must be root-owned)" >&2
    exit 2
}
for t in valgrind musl-gcc python3; do command -v "$t" >/dev/null || {
    echo "needs $t" >&2
    exit 2
}; done

W=$(mktemp -d /tmp/runcwrap-side-ab.XXXXXX)
chmod 0755 "$W"
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/bin" "$W/etc" "$W/state/k8s.io/c1"
printf 'int main(void){return 0;}\n' >"$W/noop.c"
musl-gcc -static -O2 -s -o "$W/bin/noop" "$W/noop.c"
musl-gcc -static -O2 -Wall -o "$W/bin/spawn_bench" "$here/spawn_bench.c"
printf '[options]\nBinaryName = "%s"\nSystemdCgroup = true\n' "$W/bin/noop" >"$W/etc/config.toml.new"
mv "$W/etc/config.toml.new" "$W/etc/config.toml"
B=$W/state/k8s.io/c1
printf '{"io_uid":100000,"io_gid":100000}' >"$B/options.json"
# bench/run.sh's 9 KB config.json, no user namespace, naming a pod sandbox that is not there.
sed -e 's/@USERNS_MAPPINGS@//; s/@USERNS_NAMESPACE@//; s/@CONTAINER_ID@/c1/; s/@PADDING@//' \
    -e 's/@SANDBOX_ID@/no-such-sandbox/' "$here/fixtures/config.json.in" >"$B/config.json"
create=(--root /run/containerd/runc/k8s.io --log "$B/log.json" --log-format json create --bundle "$B"
    --pid-file "$B/init.pid" c1)

names=()
for nv in "$@"; do
    name=${nv%%=*}
    dir=$(readlink -f "${nv#*=}")
    mkdir -p "$W/$name" "$W/$name-sym"
    cp "$dir/runcwrap" "$W/$name/runcwrap"
    ln -s runcwrap "$W/$name/runc"
    cp "$dir/runcwrap-sym" "$W/$name-sym/runc"
    names+=("$name")
done
sleep 0.2 # the side file is quiet: no variant waits

run_env=(/usr/bin/env -i "PATH=$W/bin:/usr/bin:/bin" "RUNCWRAP_CONFIG=$W/etc/config.toml")
for n in "${names[@]}"; do # every variant must go through, silently
    "${run_env[@]}" "$W/$n/runc" --version >/dev/null 2>&1 || {
        echo "$n: --version failed" >&2
        exit 1
    }
    "${run_env[@]}" "$W/$n/runc" "${create[@]}" >/dev/null 2>&1 || {
        echo "$n: create failed: $("${run_env[@]}" "$W/$n/runc" "${create[@]}" 2>&1)" >&2
        exit 1
    }
done

instructions() { # NAME ARGS...: callgrind's total for one call
    local name=$1 out
    shift
    out=$W/cg-$name-$RANDOM
    mkdir -p "$out"
    "${run_env[@]}" "$(command -v valgrind)" --tool=callgrind --dump-before=syscall \
        --dump-before=execve --dump-before=fexecve --callgrind-out-file="$out/cg.out" \
        --log-file="$out/cg.log" "$W/$name-sym/runc" "$@" >/dev/null 2>&1 || true
    cat "$out"/cg.out.* | awk '/^summary:/ { s += $2 } END { print s + 0 }'
}

echo "# side file A/B, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for c in version create; do
    args=(--version)
    [ "$c" = create ] && args=("${create[@]}")
    echo
    echo "## $c: instructions (callgrind)"
    for n in "${names[@]}"; do printf '%-10s %s\n' "$n" "$(instructions "$n" "${args[@]}")"; done
    echo "## $c: wall time, $RUNS interleaved rounds (us; diff = median of paired differences to ${names[0]})"
    cmds=()
    for n in "${names[@]}"; do cmds+=(--cmd "$n" "$W/$n/runc" "${args[@]}"); done
    printf 'name\tn\tmedian\tp10\tp90\tmin\tmaxrss_kib\tdiff\tratio\n'
    "${run_env[@]}" nice -n -10 "$W/bin/spawn_bench" --runs "$RUNS" --warmup 40 \
        --baseline "${names[0]}" "${cmds[@]}"
    echo "## $c: page faults per call (minor, mean of 200 calls, runcwrap + the no-op)"
    for n in "${names[@]}"; do
        printf '%-10s %s\n' "$n" "$("${run_env[@]}" python3 -c '
import os, resource, subprocess, sys
before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
for _ in range(200):
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("%.1f" % ((resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before) / 200))
' "$W/$n/runc" "${args[@]}")"
    done
done
