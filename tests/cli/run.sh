#!/usr/bin/env bash
# The management CLI as an operator uses it: import-containerd-config, doctor, explain, route, and the
# decision log under concurrent wrapper calls. Run as root: side files must be root-owned.
# Usage: tests/cli/run.sh /abs/path/to/build/runcwrap
set -uo pipefail

BIN=${1:?usage: run.sh /path/to/runcwrap}
HERE=$(cd "$(dirname "$0")" && pwd)
FIX=$HERE/fixtures
T=$(mktemp -d /tmp/rcw-cli.XXXXXX)
chmod 0755 "$T"
FAKE_PIDS=()
cleanup() {
    for p in "${FAKE_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

mkdir -p "$T/bin" "$T/etc"
ln -s "$BIN" "$T/bin/runcwrap"
ln -s "$BIN" "$T/bin/runc"
RW=$T/bin/runcwrap
REAL_RUNC=$(command -v runc.real 2>/dev/null || echo /usr/sbin/runc)

passed=0
failed=0
pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1: $2"
    failed=$((failed + 1))
}
# check NAME COMMAND...: the command's status decides; its output is shown on failure.
expect_contains() { # name haystack needle
    if grep -qF -- "$3" <<<"$2"; then return 0; fi
    fail "$1" "expected to find [$3] in:"$'\n'"$2"
    return 1
}

side_file() { # dir content
    mkdir -p "$1"
    chmod 0755 "$1"
    printf '%s\n' "$2" >"$1/config.toml"
    chmod 0644 "$1/config.toml"
}

# ---- import-containerd-config ----------------------------------------------------------------
t_import_v2_default() {
    local out
    out=$("$RW" import-containerd-config "$FIX/v2-config.toml") || {
        fail import-v2-default "exit $?"
        return
    }
    expect_contains import-v2-default "$out" 'BinaryName = "/usr/sbin/runc"' &&
        expect_contains import-v2-default "$out" 'SystemdCgroup = true' &&
        expect_contains import-v2-default "$out" 'Root = "/run/containerd/runc-custom"' &&
        expect_contains import-v2-default "$out" 'other runtime handler "crun": BinaryName = "/usr/bin/crun"' &&
        expect_contains import-v2-default "$out" 'conf.d/10-debug.toml' || return
    # What it prints is a side file runcwrap accepts, and it routes to that runtime.
    side_file "$T/imp1" "$out"
    local explained
    explained=$(RUNCWRAP_CONFIG=$T/imp1/config.toml "$RW" explain -- --version) ||
        {
            fail import-v2-default "the imported side file was refused: $explained"
            return
        }
    expect_contains import-v2-default "$explained" "runtime:   /usr/sbin/runc (from side file $T/imp1/config.toml" &&
        pass import-v2-default
}

t_import_v2_runtime_flag() {
    local out
    out=$("$RW" import-containerd-config "$FIX/v2-config.toml" --runtime crun) || {
        fail import-v2-runtime "exit $?"
        return
    }
    expect_contains import-v2-runtime "$out" 'BinaryName = "/usr/bin/crun"' &&
        expect_contains import-v2-runtime "$out" 'runtime handler "crun"' && pass import-v2-runtime
}

t_import_nvidia_dropin() {
    local out
    out=$("$RW" import-containerd-config "$FIX/v2-nvidia-dropin.toml") || {
        fail import-nvidia-dropin "exit $?"
        return
    }
    # The drop-in replaces the CRI section whole (containerd's mergeConfig): default = nvidia.
    expect_contains import-nvidia-dropin "$out" 'BinaryName = "/usr/bin/nvidia-container-runtime"' &&
        expect_contains import-nvidia-dropin "$out" 'other runtime handler "runc": BinaryName = "", SystemdCgroup = true' &&
        pass import-nvidia-dropin
}

t_import_v3() {
    local out
    out=$("$RW" import-containerd-config "$FIX/v3-config.toml") || {
        fail import-v3 "exit $?"
        return
    }
    expect_contains import-v3 "$out" 'BinaryName = "/usr/bin/crun"' &&
        expect_contains import-v3 "$out" 'SystemdCgroup = false' &&
        expect_contains import-v3 "$out" 'NoNewKeyring = true' && pass import-v3
}

# Issue #17: Debian 12's stock config names no handler; containerd runs its built-in "runc".
t_import_debian_stock() {
    local out
    out=$("$RW" import-containerd-config "$FIX/debian-1.6.20-config.toml" 2>&1) ||
        {
            fail import-debian-stock "exit $?: $out"
            return
        }
    expect_contains import-debian-stock "$out" 'runtime handler "runc"' &&
        expect_contains import-debian-stock "$out" 'BinaryName = "runc"' &&
        expect_contains import-debian-stock "$out" 'SystemdCgroup = false' && pass import-debian-stock
}

t_import_unknown_runtime() {
    local out rc
    out=$("$RW" import-containerd-config "$FIX/v2-config.toml" --runtime kata 2>&1)
    rc=$?
    [ "$rc" = 1 ] || {
        fail import-unknown-runtime "exit $rc, want 1"
        return
    }
    expect_contains import-unknown-runtime "$out" "no CRI runtime \"kata\" in $FIX/v2-config.toml (found: crun, runc)" &&
        pass import-unknown-runtime
}

t_import_write() {
    local dir=$T/imp-write out first second
    side_file "$dir" $'[options]\nBinaryName = "/old/runc"\n\n[runcwrap]\nLogFile = "/var/log/runcwrap-test.log"'
    out=$("$RW" import-containerd-config "$FIX/v2-config.toml" --write --output "$dir/config.toml") ||
        {
            fail import-write "exit $?: $out"
            return
        }
    first=$(cat "$dir/config.toml")
    expect_contains import-write "$first" 'BinaryName = "/usr/sbin/runc"' &&
        expect_contains import-write "$first" 'LogFile = "/var/log/runcwrap-test.log"' || return
    [ "$(stat -c '%a %u %g' "$dir/config.toml")" = "644 0 0" ] ||
        {
            fail import-write "mode/owner $(stat -c '%a %u %g' "$dir/config.toml")"
            return
        }
    "$RW" import-containerd-config "$FIX/v2-config.toml" --write --output "$dir/config.toml" >/dev/null
    second=$(cat "$dir/config.toml")
    [ "$first" = "$second" ] || {
        fail import-write "second --write differs"
        return
    }
    [ -z "$(find "$dir" -name '*.tmp.*')" ] || {
        fail import-write "temp file left behind"
        return
    }
    pass import-write
}

# Issue #18: --write replaces the side file atomically: a new inode each time, and a reader
# polling it meanwhile sees only whole files, the old or the new. doctor agrees (side-file-write).
t_import_write_atomic() {
    local dir=$T/imp-atomic ino i cfg seen watcher c reads partial a b
    side_file "$dir" $'[options]\nBinaryName = "/old/runc"'
    "$RW" import-containerd-config "$FIX/v2-config.toml" --write --output "$dir/config.toml" >/dev/null ||
        {
            fail import-write-atomic "first --write failed"
            return
        }
    a=$(cat "$dir/config.toml")
    cfg=$T/imp-atomic-crun.toml
    write_containerd_config "$cfg" false /usr/bin/crun
    "$RW" import-containerd-config "$cfg" --write --output "$dir/config.toml" >/dev/null
    b=$(cat "$dir/config.toml")
    seen=$T/imp-atomic-seen
    : >"$seen"
    (while :; do c=$(cat "$dir/config.toml" 2>/dev/null) && printf '%s\n--\n' "$c" >>"$seen"; done) &
    watcher=$!
    ino=$(stat -c %i "$dir/config.toml")
    for i in $(seq 1 40); do
        if [ $((i % 2)) = 0 ]; then
            "$RW" import-containerd-config "$cfg" --write --output "$dir/config.toml" >/dev/null
        else
            "$RW" import-containerd-config "$FIX/v2-config.toml" --write --output "$dir/config.toml" >/dev/null
        fi
        [ "$(stat -c %i "$dir/config.toml")" != "$ino" ] ||
            {
                kill "$watcher"
                fail import-write-atomic "--write $i kept the inode: rewritten in place"
                return
            }
        ino=$(stat -c %i "$dir/config.toml")
    done
    kill "$watcher"
    wait "$watcher" 2>/dev/null
    reads=$(grep -c '^--$' "$seen")
    partial=$(awk -v a="$a" -v b="$b" 'BEGIN { RS = "\n--\n" } $0 != a && $0 != b { n++ } END { print n + 0 }' "$seen")
    if [ "$reads" -le 20 ] || [ "$partial" != 0 ]; then
        fail import-write-atomic "$partial of $reads reads saw a partial side file"
        return
    fi
    # doctor's side-file-write check: ok after --write, a warning once rewritten in place.
    RUNCWRAP_CONFIG=$dir/config.toml "$RW" doctor --containerd-config "$cfg" >"$T/imp-atomic-doc1" 2>&1
    grep -q '^\[ok\]   side-file-write: ' "$T/imp-atomic-doc1" ||
        {
            fail import-write-atomic "doctor after --write: $(grep side-file-write "$T/imp-atomic-doc1")"
            return
        }
    sleep 0.05
    printf '%s\n' "$b" >"$dir/config.toml" # in place: truncate, then write
    RUNCWRAP_CONFIG=$dir/config.toml "$RW" doctor --containerd-config "$cfg" >"$T/imp-atomic-doc2" 2>&1
    if ! grep -q '^\[warn\] side-file-write: .* was last rewritten in place' "$T/imp-atomic-doc2" ||
        ! grep -q "fix: write it atomically: a temp file in the same folder, then rename" "$T/imp-atomic-doc2"; then
        fail import-write-atomic "doctor after an in-place write: $(grep -A1 side-file-write "$T/imp-atomic-doc2")"
        return
    fi
    pass "import-write-atomic ($reads reads during 40 --write, none partial; doctor tells in-place from atomic)"
}

# ---- doctor ----------------------------------------------------------------------------------
# A stand-in containerd: a process whose comm is "containerd" and whose PATH we choose.
start_fake_containerd() { # path_env -> sets FAKE_PID
    local dir
    dir=$(mktemp -d "$T/fake.XXXXXX")
    cp /bin/sleep "$dir/containerd"
    env -i PATH="$1" "$dir/containerd" 300 &
    FAKE_PID=$!
    FAKE_PIDS+=("$FAKE_PID")
    sleep 0.1
}

write_containerd_config() { # file systemd_cgroup binary_name
    cat >"$1" <<CFG
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      BinaryName = "$3"
      SystemdCgroup = $2
CFG
}

doctor() { # pid cfg side -> output, status in DOCTOR_RC
    DOCTOR_OUT=$(RUNCWRAP_CONFIG=$3 "$RW" doctor --containerd-pid "$1" --containerd-config "$2" --bin-dir "$T/bin" 2>&1)
    DOCTOR_RC=$?
}

t_doctor_healthy() {
    start_fake_containerd "$T/bin:/usr/sbin:/usr/bin"
    side_file "$T/doc-ok" $'[options]\nBinaryName = "'"$REAL_RUNC"$'"\nSystemdCgroup = false'
    write_containerd_config "$T/doc-ok/containerd.toml" false "$REAL_RUNC"
    doctor "$FAKE_PID" "$T/doc-ok/containerd.toml" "$T/doc-ok/config.toml"
    [ "$DOCTOR_RC" = 0 ] || {
        fail doctor-healthy "exit $DOCTOR_RC:"$'\n'"$DOCTOR_OUT"
        return
    }
    expect_contains doctor-healthy "$DOCTOR_OUT" "[ok]   runc-on-containerd-path" &&
        expect_contains doctor-healthy "$DOCTOR_OUT" "[ok]   runtime (side file BinaryName): $REAL_RUNC: runc version" &&
        expect_contains doctor-healthy "$DOCTOR_OUT" "[ok]   containerd-config-drift" &&
        expect_contains doctor-healthy "$DOCTOR_OUT" "runcwrap doctor: healthy" || return
    local json
    json=$(RUNCWRAP_CONFIG=$T/doc-ok/config.toml "$RW" doctor --json --containerd-pid "$FAKE_PID" --containerd-config "$T/doc-ok/containerd.toml")
    if [ "$(jq -r .healthy <<<"$json")" != true ] ||
        [ "$(jq '[.checks[] | select(.status == "fail")] | length' <<<"$json")" != 0 ]; then
        fail doctor-healthy "--json: $json"
        return
    fi
    pass doctor-healthy
}

# Each broken setup must fail (exit 1) and name the failing check with a fix.
doctor_broken() { # name check-name pid cfg side
    doctor "$3" "$4" "$5"
    [ "$DOCTOR_RC" = 1 ] || {
        fail "$1" "exit $DOCTOR_RC, want 1:"$'\n'"$DOCTOR_OUT"
        return
    }
    expect_contains "$1" "$DOCTOR_OUT" "[FAIL] $2" && expect_contains "$1" "$DOCTOR_OUT" "fix: " && pass "$1"
}

t_doctor_broken() {
    local good_cfg=$T/doc-ok/containerd.toml good_side=$T/doc-ok/config.toml
    # Another runc comes first in containerd's PATH.
    mkdir -p "$T/other"
    printf '#!/bin/sh\nexit 0\n' >"$T/other/runc"
    chmod 0755 "$T/other/runc"
    start_fake_containerd "$T/other:$T/bin"
    doctor_broken doctor-foreign-runc-first runc-on-containerd-path "$FAKE_PID" "$good_cfg" "$good_side"
    start_fake_containerd "$T/bin:/usr/sbin:/usr/bin"
    local pid=$FAKE_PID
    # The side file names a runtime that does not exist.
    side_file "$T/doc-missing" $'[options]\nBinaryName = "/nonexistent/runc"'
    doctor_broken doctor-missing-runtime "runtime (side file BinaryName)" "$pid" "$good_cfg" "$T/doc-missing/config.toml"
    # The side file is writable by others.
    side_file "$T/doc-ww" $'[options]\nBinaryName = "/usr/sbin/runc"'
    chmod 0666 "$T/doc-ww/config.toml"
    doctor_broken doctor-untrusted-side-file side-file "$pid" "$good_cfg" "$T/doc-ww/config.toml"
    # The side file has an unknown key.
    side_file "$T/doc-key" $'[options]\nBinaryNmae = "/usr/sbin/runc"'
    doctor_broken doctor-bad-side-file side-file "$pid" "$good_cfg" "$T/doc-key/config.toml"
    # Drift: containerd says SystemdCgroup = true, the side file false.
    write_containerd_config "$T/doc-ok/drift.toml" true "$REAL_RUNC"
    doctor_broken doctor-drift containerd-config-drift "$pid" "$T/doc-ok/drift.toml" "$good_side"
    # The runtime does not answer --version.
    mkdir -p "$T/broken-rt"
    chmod 0755 "$T/broken-rt"
    printf '#!/bin/sh\necho "no such thing" >&2\nexit 3\n' >"$T/broken-rt/runc"
    chmod 0755 "$T/broken-rt/runc"
    side_file "$T/doc-broken" $'[options]\nBinaryName = "'"$T/broken-rt/runc"$'"'
    doctor_broken doctor-runtime-fails "runtime (side file BinaryName)" "$pid" "$good_cfg" "$T/doc-broken/config.toml"
}

# Another copy of runcwrap (another inode) first in containerd's PATH: it works, so not a
# failure, but doctor says that what it checked is not what containerd runs.
t_doctor_other_copy() {
    mkdir -p "$T/copy"
    cp "$RW" "$T/copy/runc"
    start_fake_containerd "$T/copy:$T/bin:/usr/sbin:/usr/bin"
    doctor "$FAKE_PID" "$T/doc-ok/containerd.toml" "$T/doc-ok/config.toml"
    [ "$DOCTOR_RC" = 0 ] || {
        fail doctor-other-copy "exit $DOCTOR_RC, want 0 (a warning):"$'\n'"$DOCTOR_OUT"
        return
    }
    expect_contains doctor-other-copy "$DOCTOR_OUT" \
        "[warn] runc-on-containerd-path: the first runc in the PATH of containerd (pid $FAKE_PID) is $T/copy/runc, another copy of runcwrap" &&
        pass doctor-other-copy
}

# ---- doctor and containerd's release (issues #15, #17) ---------------------------------------
# A stand-in containerd that answers --version with the release we choose.
FAKE_CONTAINERD_BIN=
build_fake_containerd() {
    FAKE_CONTAINERD_BIN=$T/fake-containerd
    gcc -O2 -Wall -o "$FAKE_CONTAINERD_BIN" "$FIX/fake-containerd.c" 2>&1 || FAKE_CONTAINERD_BIN=
}
start_containerd_release() { # version path_env [containerd arguments...] -> sets FAKE_PID
    local dir version=$1 path_env=$2
    shift 2
    dir=$(mktemp -d "$T/release.XXXXXX")
    cp "$FAKE_CONTAINERD_BIN" "$dir/containerd"
    echo "$version" >"$dir/version"
    env -i PATH="$path_env" "$dir/containerd" "$@" &
    FAKE_PID=$!
    FAKE_PIDS+=("$FAKE_PID")
    local _
    for _ in $(seq 50); do
        [ "$(cat "/proc/$FAKE_PID/comm" 2>/dev/null)" = containerd ] && return 0
        sleep 0.1
    done
    return 1
}
# doctor for a containerd started with start_containerd_release; extra arguments go to doctor.
doctor_release() { # pid side [doctor arguments...] -> DOCTOR_OUT, DOCTOR_RC, DOCTOR_JSON
    local pid=$1 side=$2
    shift 2
    DOCTOR_OUT=$(RUNCWRAP_CONFIG=$side "$RW" doctor --containerd-pid "$pid" --bin-dir "$T/bin" "$@" 2>&1)
    DOCTOR_RC=$?
    DOCTOR_JSON=$(RUNCWRAP_CONFIG=$side "$RW" doctor --json --containerd-pid "$pid" --bin-dir "$T/bin" "$@" 2>&1)
}
# The text line of a check and its JSON detail must say the same.
same_in_json() { # name check
    local line detail
    line=$(grep -F -- " $2: " <<<"$DOCTOR_OUT" | head -n1)
    detail=$(jq -r --arg c "$2" '.checks[] | select(.check == $c) | .detail' <<<"$DOCTOR_JSON")
    [ -n "$detail" ] && [ "${line#*" $2: "}" = "$detail" ] && return 0
    fail "$1" "check $2: text [$line], json [$detail]"
    return 1
}

# Issue #17: Debian 12's stock config (containerd 1.6.20~ds1's, copied byte for byte) has a CRI
# section and no runtimes table: containerd then runs its built-in handler "runc" (runc v2 shim,
# no BinaryName, SystemdCgroup false), and that is what doctor must compare the side file with.
# The config is the one on containerd's command line (--config), as on a node.
t_doctor_debian_stock_config() {
    [ -n "$FAKE_CONTAINERD_BIN" ] || {
        fail doctor-debian-stock "cannot build the fake containerd (gcc)"
        return
    }
    side_file "$T/doc-deb" $'[options]\nBinaryName = "'"$REAL_RUNC"$'"\nSystemdCgroup = false'
    start_containerd_release 1.6.20~ds1 "$T/bin:/usr/sbin:/usr/bin" --config "$FIX/debian-1.6.20-config.toml" ||
        {
            fail doctor-debian-stock "fake containerd did not start"
            return
        }
    doctor_release "$FAKE_PID" "$T/doc-deb/config.toml"
    [ "$DOCTOR_RC" = 0 ] || {
        fail doctor-debian-stock "exit $DOCTOR_RC:"$'\n'"$DOCTOR_OUT"
        return
    }
    expect_contains doctor-debian-stock "$DOCTOR_OUT" \
        "[ok]   containerd-config-drift: side file agrees with containerd's built-in runtime \"runc\" (not in $FIX/debian-1.6.20-config.toml: BinaryName unset, SystemdCgroup false)" &&
        expect_contains doctor-debian-stock "$DOCTOR_OUT" \
            "[ok]   cri-handler \"runc\": containerd's built-in handler: BinaryName unset: the shim runs runc from containerd's PATH, $T/bin/runc = runcwrap, which runs the side file's BinaryName $REAL_RUNC" || return
    if grep -qF 'no CRI runtime' <<<"$DOCTOR_OUT"; then
        fail doctor-debian-stock "doctor still says the default handler is missing:"$'\n'"$DOCTOR_OUT"
        return
    fi
    local handlers
    handlers=$(jq -c '[.containerd.handlers[] | [.name, .builtin, .runtime_type, .binary_name, .systemd_cgroup, .reaches_runcwrap]]' <<<"$DOCTOR_JSON")
    [ "$handlers" = '[["runc",true,"io.containerd.runc.v2","",false,true]]' ] ||
        {
            fail doctor-debian-stock "--json handlers: $handlers"
            return
        }
    same_in_json doctor-debian-stock containerd-config-drift && pass doctor-debian-stock
}

# Issue #17: per release, which client paths are affected and what runcwrap does for each, in
# the text and in --json alike.
t_doctor_release_facts() {
    [ -n "$FAKE_CONTAINERD_BIN" ] || {
        fail doctor-release-facts "cannot build the fake containerd (gcc)"
        return
    }
    local row version release cri go must says
    # version | release | CRI affected | ctr/Go affected | handlers must reach runcwrap | the CRI line says
    while IFS='|' read -r version release cri go must says; do
        start_containerd_release "$version" "$T/bin:/usr/sbin:/usr/bin" ||
            {
                fail doctor-release-facts "fake containerd $version did not start"
                return
            }
        doctor_release "$FAKE_PID" "$T/doc-ok/config.toml" --containerd-config "$FIX/debian-1.6.20-config.toml"
        row=$(jq -r '[.containerd.version, .containerd.release, (.containerd.client_paths[] | .affected), .containerd.handlers_must_reach_runcwrap] | map(tostring) | join("|")' <<<"$DOCTOR_JSON")
        [ "$row" = "$version|$release|$cri|$go|$must" ] ||
            {
                fail doctor-release-facts "containerd $version: --json says [$row], want [$version|$release|$cri|$go|$must]"
                return
            }
        expect_contains doctor-release-facts "$DOCTOR_OUT" "$says" || return
        if [ "$version" != 2.0.5 ] && [ "$version" != 2.1.0 ]; then
            expect_contains doctor-release-facts "$DOCTOR_OUT" "[ok]   ctr-go-clients: affected: a task option (ctr run --uidmap/--gidmap or --no-pivot" || return
        fi
        same_in_json doctor-release-facts cri-pods && same_in_json doctor-release-facts ctr-go-clients &&
            same_in_json doctor-release-facts containerd-version || return
        kill "$FAKE_PID"
    done <<'ROWS'
1.6.20~ds1|1.6.x|false|true|false|[ok]   cri-pods: not affected: containerd 1.6's CRI ignores user namespaces (pods get none)
1.7.24|1.7.x|true|true|true|[ok]   cri-pods: affected: containerd 1.7's CRI keeps the handler's options but sets no IoUid/IoGid, so the stdio pipes of user-namespaced pods stay owned by host root
2.0.0|2.0.0|true|true|true|(IoUid/IoGid arrived in 2.0.1); runcwrap: it chowns those pipes to the container's mapped ids, but only for handlers whose BinaryName is empty
2.0.4|2.0.1-2.0.4|true|true|false|[ok]   cri-pods: affected: for the app containers of user-namespaced pods CRI sets IoUid/IoGid, which replace the handler's options
2.0.5|2.0.5+|false|false|false|[warn] containerd-version: containerd 2.0.5 has the fix; runcwrap is harmless but not needed
2.1.0|2.1+|false|false|false|[ok]   ctr-go-clients: not affected: fixed in the client library of 2.0.5 and 2.1.0
ROWS
    # The old text said every release before 2.0.5 "drops runtime options" through CRI as well.
    start_containerd_release 1.6.20~ds1 "$T/bin:/usr/sbin:/usr/bin"
    doctor_release "$FAKE_PID" "$T/doc-ok/config.toml" --containerd-config "$FIX/debian-1.6.20-config.toml"
    expect_contains doctor-release-facts "$DOCTOR_OUT" \
        "[ok]   containerd-version: containerd 1.6.20~ds1 (release 1.6.x): runcwrap is needed for ctr and Go clients; CRI pods are not affected" &&
        pass doctor-release-facts
}

# Issue #15: each CRI handler, built-in ones included: is runcwrap on its call path, and on a
# release where it must be (1.7.x, 2.0.0) a failure naming the handler and the fix.
write_handlers_config() { # file: v2, runc (no BinaryName), crun (names a binary), kata (another shim)
    cat >"$1" <<CFG
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun.options]
      BinaryName = "$T/rt/crun"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.kata]
    runtime_type = "io.containerd.kata.v2"
CFG
}

t_doctor_handler_paths() {
    [ -n "$FAKE_CONTAINERD_BIN" ] || {
        fail doctor-handler-paths "cannot build the fake containerd (gcc)"
        return
    }
    mkdir -p "$T/rt"
    printf '#!/bin/sh\necho "crun version 1.8"\n' >"$T/rt/crun"
    chmod 0755 "$T/rt" "$T/rt/crun"
    local cfg=$T/doc-ok/handlers.toml
    write_handlers_config "$cfg"
    start_containerd_release 1.7.24 "$T/bin:/usr/sbin:/usr/bin" ||
        {
            fail doctor-handler-paths "fake containerd did not start"
            return
        }
    doctor_release "$FAKE_PID" "$T/doc-ok/config.toml" --containerd-config "$cfg"
    [ "$DOCTOR_RC" = 1 ] || {
        fail doctor-handler-paths "1.7.24: exit $DOCTOR_RC, want 1:"$'\n'"$DOCTOR_OUT"
        return
    }
    expect_contains doctor-handler-paths "$DOCTOR_OUT" \
        "[ok]   cri-handler \"runc\": BinaryName unset: the shim runs runc from containerd's PATH, $T/bin/runc = runcwrap" &&
        expect_contains doctor-handler-paths "$DOCTOR_OUT" \
            "[FAIL] cri-handler \"crun\": BinaryName = $T/rt/crun: the shim runs $T/rt/crun itself; runcwrap is not on this handler's path; containerd 1.7.24's CRI leaves the stdio pipes of this handler's user-namespaced pods owned by host root" &&
        expect_contains doctor-handler-paths "$DOCTOR_OUT" \
            "fix: runcwrap route --handler crun (it makes the handler's BinaryName in $cfg runcwrap's entry for it and records $T/rt/crun as its runtime in the side file), then restart containerd" &&
        expect_contains doctor-handler-paths "$DOCTOR_OUT" \
            "[ok]   cri-handler \"kata\": runtime_type io.containerd.kata.v2 is not the runc shim" || return
    local routes
    routes=$(jq -c '[.containerd.handlers[] | [.name, .runc_shim, .reaches_runcwrap]]' <<<"$DOCTOR_JSON")
    [ "$routes" = '[["crun",true,false],["kata",false,false],["runc",true,true]]' ] ||
        {
            fail doctor-handler-paths "--json handlers: $routes"
            return
        }
    [ "$(jq -r '.checks[] | select(.check == "cri-handler \"crun\"") | .status' <<<"$DOCTOR_JSON")" = fail ] ||
        {
            fail doctor-handler-paths "--json: crun is not a failure"
            return
        }
    same_in_json doctor-handler-paths 'cri-handler "crun"' || return
    # 2.0.4: the app containers of userns pods reach runcwrap through PATH whatever BinaryName says.
    start_containerd_release 2.0.4 "$T/bin:/usr/sbin:/usr/bin"
    doctor_release "$FAKE_PID" "$T/doc-ok/config.toml" --containerd-config "$cfg"
    [ "$DOCTOR_RC" = 0 ] || {
        fail doctor-handler-paths "2.0.4: exit $DOCTOR_RC, want 0:"$'\n'"$DOCTOR_OUT"
        return
    }
    expect_contains doctor-handler-paths "$DOCTOR_OUT" \
        "[ok]   cri-handler \"crun\": BinaryName = $T/rt/crun: the shim runs $T/rt/crun itself; runcwrap is not on this handler's path; enough on containerd 2.0.4" || return
    # 2.0.0 (the stdio problem, before IoUid/IoGid) with a v3 config that names no "runc":
    # containerd 2.x merges the file's handlers into its built-in "runc".
    cat >"$T/doc-ok/v3.toml" <<CFG
version = 3
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.crun]
  runtime_type = "io.containerd.runc.v2"
  [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.crun.options]
    BinaryName = "crun"
CFG
    start_containerd_release 2.0.0 "$T/bin:$T/rt:/usr/sbin:/usr/bin"
    doctor_release "$FAKE_PID" "$T/doc-ok/config.toml" --containerd-config "$T/doc-ok/v3.toml"
    [ "$DOCTOR_RC" = 1 ] || {
        fail doctor-handler-paths "2.0.0: exit $DOCTOR_RC, want 1:"$'\n'"$DOCTOR_OUT"
        return
    }
    expect_contains doctor-handler-paths "$DOCTOR_OUT" \
        "[ok]   cri-handler \"runc\": containerd's built-in handler: BinaryName unset: the shim runs runc from containerd's PATH, $T/bin/runc = runcwrap" &&
        expect_contains doctor-handler-paths "$DOCTOR_OUT" \
            "[FAIL] cri-handler \"crun\": BinaryName = crun: the shim runs $T/rt/crun itself; runcwrap is not on this handler's path; containerd 2.0.0's CRI" || return
    # containerd 1.x reads a v2 runtimes table as the whole map: no built-in "runc" beside it.
    sed -e '/runtimes.runc\]/,+1d' -e 's/default_runtime_name = "runc"/default_runtime_name = "crun"/' "$cfg" >"$T/doc-ok/no-runc.toml"
    start_containerd_release 1.7.24 "$T/bin:/usr/sbin:/usr/bin"
    doctor_release "$FAKE_PID" "$T/doc-ok/config.toml" --containerd-config "$T/doc-ok/no-runc.toml"
    routes=$(jq -c '[.containerd.handlers[] | .name]' <<<"$DOCTOR_JSON")
    [ "$routes" = '["crun","kata"]' ] || {
        fail doctor-handler-paths "1.7 with no runc table: handlers $routes"
        return
    }
    pass doctor-handler-paths
}

# Issue #15, routed: a handler whose BinaryName is its runcwrap entry is on runcwrap's path when
# the entry is runcwrap, the side file has its [handlers.NAME] table and that runtime resolves;
# any of those missing fails on every release (each of its calls would fail closed).
t_doctor_routed_handlers() {
    [ -n "$FAKE_CONTAINERD_BIN" ] || {
        fail doctor-routed-handlers "cannot build the fake containerd (gcc)"
        return
    }
    local e=$T/route/runcwrap/handlers side=$T/doc-route/config.toml cfg=$T/doc-route/containerd.toml name
    mkdir -p "$T/rt2"
    printf '#!/bin/sh\necho "crun version 1.8"\n' >"$T/rt2/crun-real"
    chmod 0755 "$T/rt2" "$T/rt2/crun-real"
    for name in crun gpu broken; do
        mkdir -p "$e/$name"
        ln -s "$BIN" "$e/$name/runc"
    done
    side_file "$T/doc-route" "[options]
BinaryName = \"$REAL_RUNC\"
[handlers.crun]
BinaryName = \"$T/rt2/crun-real\"
SystemdCgroup = true
[handlers.broken]
BinaryName = \"$T/rt2/missing\""
    {
        echo 'version = 2'
        echo '[plugins."io.containerd.grpc.v1.cri".containerd]'
        echo '  default_runtime_name = "crun"'
        for name in crun gpu broken gone plain; do
            echo "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$name]"
            echo '    runtime_type = "io.containerd.runc.v2"'
            echo "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$name.options]"
            if [ "$name" = plain ]; then
                echo "    BinaryName = \"$T/rt2/crun-real\""
            else
                echo "    BinaryName = \"$e/$name/runc\""
            fi
        done
    } >"$cfg"
    start_containerd_release 1.7.24 "$T/bin:/usr/sbin:/usr/bin" || {
        fail doctor-routed-handlers "fake containerd did not start"
        return
    }
    doctor_release "$FAKE_PID" "$side" --containerd-config "$cfg"
    [ "$DOCTOR_RC" = 1 ] || {
        fail doctor-routed-handlers "1.7.24: exit $DOCTOR_RC, want 1:"$'\n'"$DOCTOR_OUT"
        return
    }
    expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
        "[ok]   cri-handler \"crun\": BinaryName = $e/crun/runc: handler crun's runcwrap entry = runcwrap, which runs the side file's [handlers.crun] BinaryName $T/rt2/crun-real: the handler is routed through runcwrap" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
            "[FAIL] cri-handler \"gpu\": BinaryName = $e/gpu/runc: handler gpu's runcwrap entry = runcwrap, but the side file $side has no [handlers.gpu] table, so every call of this handler fails" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
            "fix: runcwrap route --handler gpu (it records the handler's runtime there)" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
            "[FAIL] cri-handler \"gone\": BinaryName = $e/gone/runc: handler gone's runcwrap entry, which is missing (or not executable)" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
            "fix: runcwrap route --handler gone (it recreates the entry), or runcwrap route --undo" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
            "[FAIL] cri-handler \"broken\": BinaryName = $e/broken/runc: handler broken's runcwrap entry = runcwrap, which cannot run the handler's runtime: runtime $T/rt2/missing (from side file $side [handlers.broken] BinaryName): No such file or directory" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
            "[FAIL] cri-handler \"plain\": BinaryName = $T/rt2/crun-real: the shim runs $T/rt2/crun-real itself; runcwrap is not on this handler's path; containerd 1.7.24's CRI" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
            "fix: runcwrap route --handler plain (it makes the handler's BinaryName in $cfg runcwrap's entry for it" || return
    local routes
    routes=$(jq -c '[.containerd.handlers[] | [.name, .reaches_runcwrap, .routed_handler]]' <<<"$DOCTOR_JSON")
    [ "$routes" = '[["broken",true,"broken"],["crun",true,"crun"],["gone",false,"gone"],["gpu",true,"gpu"],["plain",false,null]]' ] || {
        fail doctor-routed-handlers "--json handlers: $routes"
        return
    }
    same_in_json doctor-routed-handlers 'cri-handler "crun"' &&
        same_in_json doctor-routed-handlers 'cri-handler "gpu"' || return
    # The default handler is routed: its drift is measured against [handlers.crun], not [options].
    expect_contains doctor-routed-handlers "$DOCTOR_OUT" \
        "[FAIL] containerd-config-drift: SystemdCgroup: containerd false, side file [handlers.crun] true" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" "fix: runcwrap route --handler crun (it records the handler's options again)" || return
    # 2.0.5 needs no runcwrap, but a broken route still fails every call of its handler.
    start_containerd_release 2.0.5 "$T/bin:/usr/sbin:/usr/bin"
    doctor_release "$FAKE_PID" "$side" --containerd-config "$cfg"
    expect_contains doctor-routed-handlers "$DOCTOR_OUT" "[ok]   cri-handler \"crun\": BinaryName = $e/crun/runc" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" "[FAIL] cri-handler \"gpu\": BinaryName = $e/gpu/runc" &&
        expect_contains doctor-routed-handlers "$DOCTOR_OUT" "[ok]   cri-handler \"plain\": BinaryName = $T/rt2/crun-real: the shim runs $T/rt2/crun-real itself; runcwrap is not on this handler's path; containerd 2.0.5 needs no runcwrap there" || return
    pass doctor-routed-handlers
}

# Issue #15: a container whose options.json names a routed handler's entry (2.0.5, 1.7.x), or
# whose options were dropped and whose pod sandbox's options.json names one (2.0.4), needs that
# entry; a sandbox naming the real runtime does not make its app container depend on an entry.
t_dependents_routed() {
    local s=$T/dep-route task out rc e=/usr/local/lib/runcwrap/handlers
    task=$s/io.containerd.runtime.v2.task/k8s.io
    mkdir -p "$task/sbx" "$task/app" "$task/direct" "$task/plain-sbx" "$task/plain-app"
    echo '{"binary_name":"'"$e"'/crun-fast/runc","systemd_cgroup":true}' >"$task/sbx/options.json"
    echo '{"ociVersion":"1.0.2","annotations":{"io.kubernetes.cri.sandbox-id":"sbx"}}' >"$task/app/config.json"
    echo '{"io_uid":100000,"io_gid":100000}' >"$task/app/options.json"
    echo '{"binary_name":"'"$e"'/gpu.nvidia/runc"}' >"$task/direct/options.json"
    echo '{"binary_name":"/usr/sbin/runc"}' >"$task/plain-sbx/options.json"
    echo '{"ociVersion":"1.0.2","annotations":{"io.kubernetes.cri.sandbox-id":"plain-sbx"}}' >"$task/plain-app/config.json"
    echo '{"io_uid":100000,"io_gid":100000}' >"$task/plain-app/options.json"
    out=$("$RW" dependents --state "$s" --runc-root "$T/dep-route/runc")
    rc=$?
    [ "$rc" = 2 ] || {
        fail dependents-routed "exit $rc, want 2: $out"
        return
    }
    [ "$(grep -c . <<<"$out")" = 4 ] || {
        fail dependents-routed "want app, direct, plain-app and sbx:"$'\n'"$out"
        return
    }
    expect_contains dependents-routed "$out" "k8s.io/app handler-entry $task/app: needs handler crun-fast's entry $e/crun-fast/runc and the side file's [handlers.crun-fast]" &&
        expect_contains dependents-routed "$out" "k8s.io/sbx handler-entry $task/sbx: needs handler crun-fast's entry" &&
        expect_contains dependents-routed "$out" "k8s.io/direct handler-entry $task/direct: needs handler gpu.nvidia's entry $e/gpu.nvidia/runc and the side file's [handlers.\"gpu.nvidia\"]" &&
        expect_contains dependents-routed "$out" "k8s.io/plain-app options-dropped" || return
    out=$("$RW" dependents --state "$s" --runc-root "$T/dep-route/runc" --json)
    expect_contains dependents-routed "$out" '{"namespace":"k8s.io","id":"app","bundle":"'"$task"'/app","reason":"handler-entry","in_default_root":false,"handler":"crun-fast","entry":"'"$e"'/crun-fast/runc","breaks":"needs handler crun-fast' || return
    pass dependents-routed
}

# ---- explain ---------------------------------------------------------------------------------
make_bug_bundle() { # dir
    mkdir -p "$1/rootfs"
    cp "${SAMPLES_DIR:-$HERE/../fixtures/shim-1.6.20}/c2/01-create-config.json" "$1/config.json"
    printf '{"io_uid":100000,"io_gid":100000}' >"$1/options.json"
    chmod 0600 "$1/options.json"
}

t_explain_bundle() {
    local b=$T/state/io.containerd.runtime.v2.task/e2e/ctr1 out
    make_bug_bundle "$b"
    side_file "$T/exp" $'[options]\nBinaryName = "'"$REAL_RUNC"$'"\nSystemdCgroup = true\nRoot = "/run/custom-runc"'
    out=$(RUNCWRAP_CONFIG=$T/exp/config.toml "$RW" explain --bundle "$b") || {
        fail explain-bundle "exit $?: $out"
        return
    }
    expect_contains explain-bundle "$out" "case:      dropped-side-file" &&
        expect_contains explain-bundle "$out" "restored:  --root /run/custom-runc/e2e, --systemd-cgroup" &&
        expect_contains explain-bundle "$out" "exec:      $REAL_RUNC --root /run/custom-runc/e2e --log $b/log.json --log-format json --systemd-cgroup create --bundle $b --pid-file $b/init.pid ctr1" ||
        return
    local json
    json=$(RUNCWRAP_CONFIG=$T/exp/config.toml "$RW" explain --json --bundle "$b")
    if [ "$(jq -r '.case' <<<"$json")" != dropped-side-file ] || [ "$(jq -r '.exec[0]' <<<"$json")" != "$REAL_RUNC" ] ||
        [ "$(jq -r '.restored | length' <<<"$json")" != 2 ]; then
        fail explain-bundle "json: $json"
        return
    fi
    pass explain-bundle
}

# Issue #15: explain shows the routed case: a bundle whose options.json names a handler's entry
# is the shim's call through that entry (argv[0]); --via gives any call that argv[0].
t_explain_routed() {
    local b=$T/state/io.containerd.runtime.v2.task/e2e/routed1 e=$T/rlib/runcwrap/handlers out rc
    make_bug_bundle "$b"
    mkdir -p "$e/fast"
    ln -s "$BIN" "$e/fast/runc"
    printf '{"binary_name":"%s"}' "$e/fast/runc" >"$b/options.json"
    side_file "$T/exp-route" "[options]
BinaryName = \"$REAL_RUNC\"
[handlers.fast]
BinaryName = \"$REAL_RUNC\"
SystemdCgroup = true"
    out=$(RUNCWRAP_CONFIG=$T/exp-route/config.toml "$RW" explain --bundle "$b" 2>/dev/null) || {
        fail explain-routed "exit $?: $out"
        return
    }
    expect_contains explain-routed "$out" "call:      $e/fast/runc --root /run/containerd/runc/e2e" &&
        expect_contains explain-routed "$out" "case:      routed-handler" &&
        expect_contains explain-routed "$out" "why:       argv[0] $e/fast/runc is CRI handler fast's runcwrap entry ($b/options.json holds the runtime options): run the handler's runtime, restore nothing" &&
        expect_contains explain-routed "$out" "runtime:   $REAL_RUNC (from side file $T/exp-route/config.toml [handlers.fast] BinaryName)" &&
        expect_contains explain-routed "$out" "restored:  nothing (no options were dropped)" || return
    out=$(RUNCWRAP_CONFIG=$T/exp-route/config.toml "$RW" explain --json --via "$e/fast/runc" -- features)
    if [ "$(jq -r '.case' <<<"$out")" != routed-handler ] || [ "$(jq -r '.argv[0]' <<<"$out")" != "$e/fast/runc" ]; then
        fail explain-routed "--via features: $out"
        return
    fi
    # An entry the side file has no table for: the error the wrapper would fail with.
    out=$(RUNCWRAP_CONFIG=$T/exp-route/config.toml "$RW" explain --via "$e/slow/runc" -- features)
    rc=$?
    if [ "$rc" != 1 ]; then
        fail explain-routed "missing table: exit $rc, want 1: $out"
        return
    fi
    expect_contains explain-routed "$out" "error:     runcwrap: argv[0] $e/slow/runc is CRI handler slow's runcwrap entry, but the side file $T/exp-route/config.toml has no [handlers.slow] table to say which runtime that handler runs; fix: runcwrap route --handler slow" || return
    # options.json naming runcwrap itself (its runc in PATH): healthy, not a wrapping runtime.
    printf '{"binary_name":"%s"}' "$T/bin/runc" >"$b/options.json"
    out=$(RUNCWRAP_CONFIG=$T/exp-route/config.toml "$RW" explain --bundle "$b" 2>/dev/null)
    expect_contains explain-routed "$out" "case:      healthy" &&
        expect_contains explain-routed "$out" "names $T/bin/runc, which names runcwrap itself" || return
    pass explain-routed
}

t_explain_stdio() {
    # Issue #3: explain shows the process user, the mapped host ids and, per fd, what it is.
    local b=$T/state/io.containerd.runtime.v2.task/e2e/ctr1 out
    out=$(
        : | RUNCWRAP_CONFIG=$T/exp/config.toml "$RW" explain --bundle "$b" 2>/dev/null >"$T/explain-stdio.txt"
        cat "$T/explain-stdio.txt"
    )
    expect_contains explain-stdio "$out" "stdio:     chown: user namespace: process user 0:0 is host 100000:100000" &&
        expect_contains explain-stdio "$out" "mappings:  uid 0->100000 (65536); gid 0->100000 (65536)" &&
        expect_contains explain-stdio "$out" "fd 0:    pipe pipe:[" &&
        expect_contains explain-stdio "$out" "chown 0:0 -> 100000:100000" &&
        expect_contains explain-stdio "$out" "fd 1:    regular file $T/explain-stdio.txt: left alone" || return
    # The pipe was only described: explain changes nothing.
    pass explain-stdio
}

t_explain_userns_path() {
    # Issue #3: a spec that joins an existing user namespace by path, with no mappings of its
    # own: the mappings come from the namespace owner's /proc/<pid>/uid_map and gid_map.
    local b=$T/state/io.containerd.runtime.v2.task/e2e/joined out pid
    unshare --user sleep 60 &
    pid=$!
    FAKE_PIDS+=("$pid")
    sleep 0.2
    # As root in the parent namespace, write the new namespace's maps (what newuidmap does).
    echo "0 200000 65536" >"/proc/$pid/uid_map"
    echo "0 200000 65536" >"/proc/$pid/gid_map"
    mkdir -p "$b"
    printf '{"ociVersion":"1.0.2","process":{"user":{"uid":5,"gid":6},"args":["sh"],"cwd":"/"},"root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"user","path":"/proc/%s/ns/user"},{"type":"mount"}]}}' "$pid" >"$b/config.json"
    printf '{"io_uid":200005,"io_gid":200006}' >"$b/options.json"
    out=$(
        : | RUNCWRAP_CONFIG=$T/exp/config.toml "$RW" explain --bundle "$b" 2>&1 >"$T/explain-joined.txt"
        cat "$T/explain-joined.txt"
    )
    expect_contains explain-userns-path "$out" "stdio:     chown: user namespace: process user 5:6 is host 200005:200006" &&
        expect_contains explain-userns-path "$out" "(/proc/$pid/uid_map and gid_map)" && pass explain-userns-path
}

t_explain_id() {
    local root=$T/runc-root b=$T/state/io.containerd.runtime.v2.task/e2e/ctr1 out
    mkdir -p "$root/ctr1"
    printf '{"id":"ctr1","init_process_pid":1,"config":{"labels":["bundle=%s"],"uid_mappings":[{"container_id":0,"host_id":100000,"size":65536}]}}' "$b" >"$root/ctr1/state.json"
    out=$(RUNCWRAP_CONFIG=$T/exp/config.toml "$RW" explain --id ctr1 --root "$root") || {
        fail explain-id "exit $?: $out"
        return
    }
    expect_contains explain-id "$out" "bundle:    $b (from the folder of --log)" &&
        expect_contains explain-id "$out" "case:      dropped-side-file" && pass explain-id
}

# ---- decision log ----------------------------------------------------------------------------
t_decision_log_concurrent() {
    local log=$T/decision.log
    side_file "$T/dlog" $'[options]\nBinaryName = "'"$REAL_RUNC"$'"\n\n[runcwrap]\nLogFile = "'"$log"$'"'
    local _ calls=()
    for _ in $(seq 1 50); do
        RUNCWRAP_CONFIG=$T/dlog/config.toml "$T/bin/runc" --version >/dev/null 2>&1 &
        calls+=($!)
    done
    wait "${calls[@]}" # only these: the fake containerds are children too
    local lines bad
    lines=$(wc -l <"$log")
    [ "$lines" = 50 ] || {
        fail decision-log-concurrent "$lines lines, want 50"
        return
    }
    bad=$(jq -c 'select((.time|test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")) and .outcome == "exec" and .runtime == "'"$REAL_RUNC"'" and (.pid|type) == "number" | not)' "$log" 2>&1)
    [ -z "$bad" ] || {
        fail decision-log-concurrent "bad lines: $bad"
        return
    }
    pass decision-log-concurrent
}

t_decision_log_rotates() {
    local log=$T/rotate.log
    side_file "$T/drot" $'[options]\nBinaryName = "'"$REAL_RUNC"$'"\n\n[runcwrap]\nLogFile = "'"$log"$'"'
    head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' 'x' >"$log"
    RUNCWRAP_CONFIG=$T/drot/config.toml "$T/bin/runc" --version >/dev/null || {
        fail decision-log-rotates "call failed"
        return
    }
    if [ ! -f "$log.1" ] || [ "$(stat -c %s "$log.1")" -lt $((4 * 1024 * 1024)) ] || [ "$(wc -l <"$log")" != 1 ]; then
        fail decision-log-rotates "no rotation: $(stat -c '%n %s' "$log"*)"
        return
    fi
    pass decision-log-rotates
}

t_decision_log_unwritable() {
    side_file "$T/dbad" $'[options]\nBinaryName = "'"$REAL_RUNC"$'"\n\n[runcwrap]\nLogFile = "/nonexistent/dir/runcwrap.log"'
    local out
    out=$(RUNCWRAP_CONFIG=$T/dbad/config.toml "$T/bin/runc" --version 2>&1) ||
        {
            fail decision-log-unwritable "the call failed: $out"
            return
        }
    expect_contains decision-log-unwritable "$out" "runc version" && pass decision-log-unwritable
}

# ---- dependents ------------------------------------------------------------------------------
# A containerd state dir as the shims leave it: a pod sandbox (handler options kept), an app
# container of 2.0.4 (task keys only: options dropped), a healthy ctr container, and one whose
# stdio the decision log says runcwrap chowned.
t_dependents() {
    local s=$T/dep/state task out rc
    task=$s/io.containerd.runtime.v2.task
    mkdir -p "$task/k8s.io/sandbox1" "$task/k8s.io/app1" "$task/default/healthy" "$task/k8s.io/pipes1" "$T/dep/runc/k8s.io/app1"
    echo '{"binary_name":"/usr/sbin/runc","systemd_cgroup":true}' >"$task/k8s.io/sandbox1/options.json"
    echo '{"io_uid":100000,"io_gid":100000}' >"$task/k8s.io/app1/options.json"
    echo '{"binary_name":"runc"}' >"$task/default/healthy/options.json"
    echo '{"binary_name":"runc"}' >"$task/k8s.io/pipes1/options.json"
    echo '{}' >"$T/dep/runc/k8s.io/app1/state.json"
    printf '%s\n' '{"time":"t","pid":1,"command":"create","id":"pipes1","case":"S5","runtime":"/usr/sbin/runc","source":"PATH","restored":[],"chowned_fds":[0,1,2],"outcome":"exec"}' \
        '{"time":"t","pid":2,"command":"exec","id":"healthy","case":"S5","runtime":"/usr/sbin/runc","source":"PATH","restored":[],"chowned_fds":[1],"outcome":"exec"}' >"$T/dep/log"
    out=$("$RW" dependents --state "$s" --runc-root "$T/dep/runc" --decision-log "$T/dep/log")
    rc=$?
    [ "$rc" = 2 ] || {
        fail dependents "exit $rc with dependents, want 2: $out"
        return
    }
    [ "$(grep -c . <<<"$out")" = 2 ] || {
        fail dependents "want exactly app1 and pipes1:"$'\n'"$out"
        return
    }
    expect_contains dependents "$out" "k8s.io/app1 options-dropped $task/k8s.io/app1: its shim's later calls (exec, kill, delete) run \`runc\` from containerd's PATH" &&
        expect_contains dependents "$out" "k8s.io/pipes1 stdio-chowned" || return
    # The task dir itself is accepted; JSON carries the same; runc's state elsewhere says so.
    out=$("$RW" dependents --state "$task" --runc-root "$T/dep/none" --json)
    [ "$?" = 2 ] || {
        fail dependents "--json: exit not 2: $out"
        return
    }
    expect_contains dependents "$out" '"dependents":[{"namespace":"k8s.io","id":"app1","bundle":"'"$task"'/k8s.io/app1","reason":"options-dropped","in_default_root":false,"breaks":"its shim'"'"'s later calls (exec, kill, delete) fail: runc looks for it under /run/containerd/runc/k8s.io' || return
    # Without the log, the chowned container is not known; the side file's LogFile is the default.
    side_file "$T/dep/etc" "[options]
BinaryName = \"$REAL_RUNC\"
[runcwrap]
LogFile = \"$T/dep/log\""
    out=$(RUNCWRAP_CONFIG=$T/dep/etc/config.toml "$RW" dependents --state "$s")
    expect_contains dependents "$out" "k8s.io/pipes1 stdio-chowned" || return
    # Nothing running, or no containerd at all: exit 0, nothing printed.
    rm -rf "$task/k8s.io/app1" "$task/k8s.io/pipes1"
    out=$("$RW" dependents --state "$s" --decision-log "$T/dep/log")
    rc=$?
    if [ "$rc" != 0 ] || [ -n "$out" ]; then
        fail dependents "healthy state: exit $rc, output [$out]"
        return
    fi
    out=$("$RW" dependents --state "$T/dep/no-such-dir")
    rc=$?
    if [ "$rc" != 0 ] || [ -n "$out" ]; then
        fail dependents "no state dir: exit $rc, output [$out]"
        return
    fi
    pass dependents
}

# `runcwrap route` on staged node trees: its own script, one line here.
t_route() {
    local out
    if out=$(bash "$HERE/route.sh" "$BIN" 2>&1); then
        echo "$out"
        pass "route ($(tail -1 <<<"$out"))"
    else
        echo "$out"
        fail route "tests/cli/route.sh: $(tail -1 <<<"$out")"
    fi
}

t_dependents
t_dependents_routed
t_route
t_import_v2_default
t_import_v2_runtime_flag
t_import_nvidia_dropin
t_import_v3
t_import_debian_stock
t_import_unknown_runtime
t_import_write
t_import_write_atomic
t_doctor_healthy
t_doctor_broken
t_doctor_other_copy
build_fake_containerd
t_doctor_debian_stock_config
t_doctor_release_facts
t_doctor_handler_paths
t_doctor_routed_handlers
t_explain_bundle
t_explain_routed
t_explain_stdio
t_explain_userns_path
t_explain_id
t_decision_log_concurrent
t_decision_log_rotates
t_decision_log_unwritable

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
