#!/usr/bin/env bash
# End-to-end ctr cases (issue #4): the runtime options ctr (a Go client) drops on containerd
# 1.6.x-2.0.4, reproduced on a private containerd, then fixed by runcwrap installed as `runc` on
# the shim's PATH. Run once per release by run.sh; alone it runs on Debian's containerd.
#
#   usage: bash tests/e2e/ctr.sh [PATH/TO/runcwrap]      (root; default: build/runcwrap)
#   env:   E2E_ONLY="2 5"  run only these case numbers (case 1 always runs first if listed)
#          E2E_KEEP=1      leave the temp dir and containerd behind for a post-mortem
#          E2E_CTD_BIN_DIR folder with containerd, ctr, containerd-shim-runc-v2 (default: Debian's)
#          E2E_LABEL       prefix of the case names (run.sh: "<version>/ctr/")
#
# Prints one `PASS <name>` / `FAIL <name>: <reason>` line per case, then `N passed, N failed`;
# exits non-zero when any case failed.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WRAPPER_ARG=${1:-$E2E_DIR/../../build/runcwrap}
E2E_ONLY=${E2E_ONLY:-}
E2E_LABEL=${E2E_LABEL:-}
PASSED=0
FAILED=0
CASE_DIR=""

e2e_require_root
e2e_install_deps
HAVE_WRAPPER=0
if [[ -x $WRAPPER_ARG && -f $WRAPPER_ARG ]]; then
    HAVE_WRAPPER=1
    e2e_setup "$WRAPPER_ARG"
else
    e2e_setup ""
fi
E2E_LOG_PREFIX=$E2E_T/work
PTY_RUN=$E2E_T/bin/pty_run
mkdir -p "$E2E_T/bin"
${CC:-cc} -O2 -Wall -o "$PTY_RUN" "$E2E_DIR/../support/pty_run.c"

# ---------------------------------------------------------------------------------------------
# Case plumbing. Each case runs in its own subshell with errexit, its output in CASE_DIR/out.log;
# `fail` records the reason, an unexpected failing command records itself.

fail() {
    printf '%s\n' "$*" >>"$CASE_DIR/reason"
    exit 1
}
# The case does not apply to this release: said so, counted as neither pass nor fail.
not_applicable() {
    printf '%s\n' "$*" >>"$CASE_DIR/reason"
    exit 77
}
CTD_VERSION=$("$E2E_CTR" --version | awk '{ sub(/^v/, "", $3); sub(/[~+-].*/, "", $3); print $3 }')
# ctr (a Go client) drops the runtime options up to 2.0.4; from 2.0.5 on only case 1 applies, as
# the control (run.sh runs it alone there).
CTD_FIXED=0
[[ $(printf '%s\n%s\n' "$CTD_VERSION" 2.0.5 | sort -V | head -n 1) == 2.0.5 ]] && CTD_FIXED=1

# Run ctr for a case; stdin is never a terminal.
cctr() { e2e_ctr "$@" </dev/null; }

need_wrapper() {
    ((HAVE_WRAPPER)) || fail "no runcwrap binary at $WRAPPER_ARG (build it first: make)"
    e2e_wrapper_on
}

run_case() {
    local num=$1 name=$2 fn=$3
    if [[ -n $E2E_ONLY && " $E2E_ONLY " != *" $num "* ]]; then
        return 0
    fi
    CASE_DIR=$E2E_LOG_PREFIX/$name
    mkdir -p "$CASE_DIR"
    : >"$CASE_DIR/reason"
    # Every case starts from the same ground: runcwrap's side file names the real runc.
    e2e_side_file BinaryName="$E2E_REAL_RUNC" SystemdCgroup=false
    e2e_case_body "$name" "$fn"
    case $E2E_CASE_RESULT in
        pass) PASSED=$((PASSED + 1)) ;;
        fail) FAILED=$((FAILED + 1)) ;;
    esac
    # Nothing of this case survives into the next one.
    local ids
    ids=$(e2e_ctr containers ls -q 2>/dev/null || true)
    if [[ -n $ids ]]; then
        # shellcheck disable=SC2086
        e2e_remove $ids
    fi
    e2e_wrapper_off
}

# Bundle path of a container while its task exists.
bundle_of() { printf '%s/%s' "$E2E_BUNDLES" "$1"; }

# The shim got TaskOptions only: options.json holds no binary_name (the bug's precondition).
assert_options_dropped() {
    local id=$1 opts
    opts=$(cat "$(bundle_of "$id")/options.json" 2>/dev/null) || fail "no options.json in the bundle of $id"
    jq -e '(.binary_name // "") == ""' <<<"$opts" >/dev/null ||
        fail "the bug was not triggered for $id: options.json still has binary_name ($opts)"
}

uid_map_ok() { # FILE: first mapping line is "0 100000 65536"
    tr -d '\r' <"$1" | awk 'NF == 3 && $1 == 0 { print $1, $2, $3; exit }' | grep -qx '0 100000 65536'
}

# ---------------------------------------------------------------------------------------------
# 1. Without runcwrap the environment reproduces the bug.
case_bug_reproduces() {
    e2e_wrapper_off
    if ((CTD_FIXED)); then
        cctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" c1 \
            sh -c 'echo runs-without-runcwrap; cat /proc/self/uid_map' >c1.out 2>c1.err ||
            fail "ctr run with --uidmap failed without runcwrap on the fixed containerd $CTD_VERSION: $(tail -n 1 c1.err)"
        cat c1.out
        grep -qx runs-without-runcwrap c1.out || fail "the container printed nothing"
        uid_map_ok c1.out || fail "no user namespace: $(tail -n 1 c1.out)"
        return 0
    fi
    if cctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" c1 \
        sh -c 'echo should-not-run' >c1.out 2>c1.err; then
        fail "ctr run succeeded with no runc on PATH: this containerd does not have the bug, nothing to fix"
    fi
    cat c1.err
    # shellcheck disable=SC2016 # a literal $PATH
    grep -qF 'executable file not found in $PATH' c1.err ||
        fail "ctr run failed, but not with 'executable file not found in \$PATH': $(tail -n 1 c1.err)"
}

# 2. The same run through runcwrap: user namespace, writable /dev/stdout and /dev/stderr.
case_userns_fixed() {
    need_wrapper
    # shellcheck disable=SC2016 # expanded inside the container
    cctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" c2 \
        sh -c 'cat /proc/self/uid_map; echo to-stdout >/dev/stdout; echo to-stderr >/dev/stderr; echo "uid=$(id -u)"' \
        >c2.out 2>c2.err || fail "ctr run through runcwrap failed: $(tail -n 2 c2.err | tr '\n' ' ')"
    cat c2.out c2.err
    uid_map_ok c2.out || fail "container's /proc/self/uid_map is not '0 100000 65536': $(head -n 1 c2.out)"
    grep -qx 'uid=0' c2.out || fail "container process is not uid 0 inside its namespace"
    grep -qx 'to-stdout' c2.out || fail "container could not write to /dev/stdout (stderr: $(tr '\n' ' ' <c2.err))"
    grep -qx 'to-stderr' c2.err || fail "container could not write to /dev/stderr (stderr: $(tr '\n' ' ' <c2.err))"
}

# 3. A detached container's whole lifecycle through runcwrap.
case_lifecycle() {
    need_wrapper
    local id=c3 st pid
    cctr run -d --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" "$id" sleep 300 \
        >run.out 2>&1 || fail "ctr run -d (create+start) failed: $(tail -n 1 run.out)"
    e2e_wait_status "$id" RUNNING || fail "after create+start the task is '$(e2e_task_status "$id")', not RUNNING"
    assert_options_dropped "$id"
    jq -e '.config.uid_mappings[0].host_id == 100000' "$E2E_RUNC_ROOT/$id/state.json" >/dev/null ||
        fail "runc's state.json for $id has no uid mapping to 100000"
    cctr tasks exec --exec-id x1 "$id" sh -c 'echo exec-output; id -u' >exec.out 2>&1 ||
        fail "ctr tasks exec failed: $(tail -n 1 exec.out)"
    grep -qx 'exec-output' exec.out || fail "exec printed no output: $(tr '\n' ' ' <exec.out)"
    pid=$(e2e_ctr tasks ls | awk -v id="$id" '$1 == id { print $2 }')
    cctr tasks ps "$id" >ps.out 2>&1 || fail "ctr tasks ps failed: $(tail -n 1 ps.out)"
    awk 'NR > 1 { print $1 }' ps.out | grep -qx "$pid" || fail "ctr tasks ps does not list the init pid $pid"
    cctr tasks pause "$id" >pause.out 2>&1 || fail "ctr tasks pause failed: $(tail -n 1 pause.out)"
    e2e_wait_status "$id" PAUSED || fail "after pause the task is '$(e2e_task_status "$id")', not PAUSED"
    cctr tasks resume "$id" >resume.out 2>&1 || fail "ctr tasks resume failed: $(tail -n 1 resume.out)"
    e2e_wait_status "$id" RUNNING || fail "after resume the task is '$(e2e_task_status "$id")', not RUNNING"
    cctr tasks kill -s SIGKILL "$id" >kill.out 2>&1 || fail "ctr tasks kill failed: $(tail -n 1 kill.out)"
    e2e_wait_status "$id" STOPPED || fail "after kill the task is '$(e2e_task_status "$id")', not STOPPED"
    cctr tasks delete "$id" >delete.out 2>&1 || fail "ctr tasks delete failed: $(tail -n 1 delete.out)"
    st=$(e2e_task_status "$id")
    [[ -z $st ]] || fail "after delete ctr still lists the task ($st)"
    [[ ! -e $E2E_RUNC_ROOT/$id ]] || fail "runc state $E2E_RUNC_ROOT/$id left after delete"
    cctr containers delete "$id" >cdel.out 2>&1 || fail "ctr containers delete failed: $(tail -n 1 cdel.out)"
}

# 4. --no-pivot alone (TaskOptions, no user namespace) reaches the real runtime.
case_no_pivot() {
    need_wrapper
    local id=c4
    cctr run -d --runc-binary "$E2E_REAL_RUNC" --no-pivot "$E2E_IMAGE" "$id" sleep 300 \
        >run.out 2>&1 || fail "ctr run -d --no-pivot through runcwrap failed: $(tail -n 1 run.out)"
    e2e_wait_status "$id" RUNNING || fail "task is '$(e2e_task_status "$id")', not RUNNING"
    assert_options_dropped "$id"
    local np
    np=$(jq -r '.config.no_pivot_root' "$E2E_RUNC_ROOT/$id/state.json" 2>&1) ||
        fail "cannot read runc's state.json for $id: $np"
    [[ $np == true ]] || fail "--no-pivot did not reach the real runtime: state.json config.no_pivot_root=$np"
}

# 5. A tty container (-t): works, and runcwrap chowns nothing (the shim gave runc no IO pipes).
case_tty() {
    need_wrapper
    local rec=$E2E_T/opt/rec5/runc
    e2e_make_recorder "$rec" "$CASE_DIR/calls.log" "$E2E_REAL_RUNC"
    e2e_side_file BinaryName="$rec" SystemdCgroup=false
    local cmd
    cmd="timeout 60 $E2E_CTR -a $E2E_SOCK -n $E2E_NS run -t --rm --runc-binary $E2E_REAL_RUNC ${E2E_UIDMAP[*]}"
    cmd+=" $E2E_IMAGE c5 sh -c 'tty; cat /proc/self/uid_map; echo tty-done'"
    # pty_run gives ctr the terminal it insists on for -t (and, unlike script(1), writes nothing
    # to it and runs ctr without a shell in between).
    local rc=0
    "$PTY_RUN" 90 bash -c "$cmd" </dev/null >tty.out 2>tty.err || rc=$?
    if ((rc != 0)); then
        fail "ctr run -t through runcwrap failed (exit $rc): $(tr -d '\r' <tty.out | tail -n 3 | tr '\n' ' ')" \
            "$(tail -n 3 tty.err | tr '\n' ' ')" "calls: $(grep -c '^CALL' calls.log 2>/dev/null || echo 0)," \
            "last: $(grep '^CALL' calls.log 2>/dev/null | tail -n 1)"
    fi
    # a terminal's output: CRs, and a NUL ctr's console resize may leave
    tr -d '\r\000' <tty.out >tty.txt
    cat tty.txt
    grep -qx 'tty-done' tty.txt || fail "the tty container printed nothing"
    grep -q '/dev/pts/[0-9]' tty.txt || fail "no terminal inside the container: $(head -n 1 tty.txt)"
    uid_map_ok tty.txt || fail "no user namespace in the tty container"
    grep -q '^CALL .* create .*--console-socket' calls.log ||
        fail "the real runtime never got create --console-socket (calls: $(grep -c ^CALL calls.log))"
    local fds
    fds=$(grep -A1 '^CALL .* create ' calls.log | awk '/^FDS/ { print $2, $3, $4; exit }')
    [[ $fds == "0:0 0:0 0:0" ]] || fail "runcwrap chowned stdio in tty mode: create's fds 0-2 owned by '$fds', want root"
}

# 6. Argv equivalence: with the bug and runcwrap the runtime gets, call by call, what containerd
#    gives it when nothing is dropped.
argv_lifecycle() { # ID EXTRA-RUN-ARGS...
    local id=$1
    shift
    cctr run -d --runc-binary "$REC6" --runc-root "$ROOT6" "$@" "$E2E_IMAGE" "$id" sleep 300 \
        >"run-$id.out" 2>&1 || fail "ctr run -d $id failed: $(tail -n 1 "run-$id.out")"
    e2e_wait_status "$id" RUNNING || fail "$id is '$(e2e_task_status "$id")', not RUNNING"
    cctr tasks exec --exec-id x1 "$id" echo hi >"exec-$id.out" 2>&1 || fail "exec in $id failed: $(tail -n 1 "exec-$id.out")"
    cctr tasks ps "$id" >/dev/null 2>&1 || fail "ps of $id failed"
    cctr tasks pause "$id" >/dev/null 2>&1 || fail "pause of $id failed"
    cctr tasks resume "$id" >/dev/null 2>&1 || fail "resume of $id failed"
    cctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || fail "kill of $id failed"
    e2e_wait_status "$id" STOPPED || fail "$id did not stop"
    cctr tasks delete "$id" >/dev/null 2>&1 || fail "task delete of $id failed"
    cctr containers delete "$id" >/dev/null 2>&1 || fail "container delete of $id failed"
    # the shim's own cleanup call may come just after: wait until the call log stops growing
    local n=-1 i
    for ((i = 0; i < 20; i++)); do
        [[ $(wc -l <calls.log) == "$n" ]] && break
        n=$(wc -l <calls.log)
        sleep 0.3
    done
}
normalise_calls() { # ID < calls.log
    local id=$1
    grep "^CALL .*\b$id\b" | sed -e "s#$E2E_BUNDLES/$id\b#<BUNDLE>#g" \
        -e "s#\b$id\b#<ID>#g" \
        -e 's#/tmp/runc-process[0-9]*#<PROCESS-JSON>#g' \
        -e "s#$E2E_T#<T>#g"
}
case_argv_equivalence() {
    need_wrapper
    REC6=$E2E_T/opt/rec6/runc
    ROOT6=$E2E_T/runc-root
    mkdir -p "$ROOT6"
    e2e_make_recorder "$REC6" "$CASE_DIR/calls.log" "$E2E_REAL_RUNC"
    : >calls.log
    # (a) healthy: no TaskOptions, RuntimeOptions carry BinaryName and Root; runcwrap not involved
    argv_lifecycle c6a
    normalise_calls c6a <calls.log >a.calls
    grep -q ' create ' a.calls || fail "the healthy run recorded no create call"
    grep -q -- "--root <T>/runc-root/$E2E_NS " a.calls || fail "ctr --runc-root did not reach the healthy run's --root"
    # (b) the bug: uidmap makes TaskOptions; the side file names the recorder and Root
    e2e_side_file BinaryName="$REC6" Root="$ROOT6" SystemdCgroup=false
    argv_lifecycle c6b "${E2E_UIDMAP[@]}"
    normalise_calls c6b <calls.log >b.calls
    echo "--- healthy (a)"
    cat a.calls
    echo "--- bug + runcwrap (b)"
    cat b.calls
    [[ -s b.calls ]] || fail "the recording runtime was never run through runcwrap"
    if ! diff -u a.calls b.calls >argv.diff; then
        fail "argv differs from the healthy run: $(grep -E '^[-+]CALL' argv.diff | head -n 2 | tr '\n' ' ')"
    fi
}

# 7. crun as the intended runtime.
case_crun() {
    need_wrapper
    local id=c7 crun=$E2E_REAL_CRUN
    # crun refuses a hybrid cgroup host whose cgroup2 holds a controller ("cgroups in hybrid mode
    # not supported", even with its cgroup manager disabled). There the intended runtime is crun
    # run in a private mount namespace without the cgroup2 mount, where it sees plain cgroup v1.
    if [[ ! -e /sys/fs/cgroup/cgroup.controllers && -n $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null) ]]; then
        crun=$E2E_T/opt/crun-real/crun-v1view
        {
            echo '#!/bin/sh'
            echo '# crun, with the hybrid host'"'"'s cgroup2 mount hidden in a private mount namespace'
            # shellcheck disable=SC2016 # expanded by the generated script
            printf 'exec /usr/bin/unshare --mount --propagation private /bin/sh -c %s %s "$@"\n' \
                "'/bin/umount -l /sys/fs/cgroup/unified && exec \"\$0\" \"\$@\"'" "'$E2E_REAL_CRUN'"
        } >"$crun"
        chmod 0755 "$crun"
        echo "hybrid cgroups ($(cat /sys/fs/cgroup/unified/cgroup.controllers) in cgroup2): BinaryName is $crun:"
        cat "$crun"
    fi
    e2e_side_file BinaryName="$crun" SystemdCgroup=false
    # the OCI spec version this containerd writes (measured: Debian 12's crun 1.8.1 refuses 1.2.0)
    local spec_version
    cctr containers create "$E2E_IMAGE" c7probe true >/dev/null 2>&1 || fail "ctr containers create (probe) failed"
    spec_version=$(e2e_ctr containers info c7probe | jq -r '.Spec.ociVersion')
    cctr containers delete c7probe >/dev/null 2>&1 || true
    echo "containerd $CTD_VERSION writes OCI spec version $spec_version"
    if ! cctr run -d --runc-binary "$crun" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" "$id" sleep 300 >run.out 2>&1; then
        if [[ $spec_version != 1.0.* ]] && grep -q 'OCI runtime create failed: unknown version specified' run.out; then
            not_applicable "Debian 12's $(/usr/bin/crun --version | head -n 1) refuses containerd $CTD_VERSION's" \
                "OCI spec version $spec_version: $(tail -n 1 run.out)"
        fi
        fail "ctr run -d with crun through runcwrap failed: $(tail -n 1 run.out)"
    fi
    e2e_wait_status "$id" RUNNING || fail "task is '$(e2e_task_status "$id")', not RUNNING"
    assert_options_dropped "$id"
    [[ -f $E2E_RUNC_ROOT/$id/status ]] ||
        fail "no crun state ($E2E_RUNC_ROOT/$id/status): $(find "$E2E_RUNC_ROOT/$id" -maxdepth 1 2>&1 | tr '\n' ' ')"
    [[ ! -e $E2E_RUNC_ROOT/$id/state.json ]] || fail "runc's state.json found: the container ran under runc, not crun"
    cctr tasks exec --exec-id x1 "$id" cat /proc/self/uid_map >exec.out 2>&1 || fail "exec under crun failed: $(tail -n 1 exec.out)"
    uid_map_ok exec.out || fail "exec under crun shows no user namespace: $(head -n 1 exec.out)"
    cctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || fail "kill under crun failed"
    e2e_wait_status "$id" STOPPED || fail "task did not stop under crun"
    cctr tasks delete "$id" >del.out 2>&1 || fail "task delete under crun failed: $(tail -n 1 del.out)"
    [[ ! -e $E2E_RUNC_ROOT/$id ]] || fail "crun state left after delete"
}

# 8. Load: 20 user-namespaced containers at once.
case_load() {
    need_wrapper
    local n=20 i id pids=() bad=()
    # ctr 1.6 makes the remapped (chowned) parent snapshot on first use, and 20 first uses at
    # once race ("snapshot ...-remap: already exists"); unreferenced, it is garbage-collected.
    # A detached holder container makes it first and keeps it alive for the 20.
    cctr run -d --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" hold8 sleep 300 \
        >hold8.out 2>&1 || fail "holder container failed: $(tail -n 1 hold8.out)"
    for ((i = 1; i <= n; i++)); do
        id=$(printf 'l%02d' "$i")
        (
            rc=0
            cctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" "$id" \
                sh -c "echo $id; cat /proc/self/uid_map" >"$id.out" 2>"$id.err" || rc=$?
            echo "$rc" >"$id.rc"
        ) &
        pids+=("$!")
    done
    for i in "${pids[@]}"; do wait "$i" || true; done
    e2e_remove hold8
    for ((i = 1; i <= n; i++)); do
        id=$(printf 'l%02d' "$i")
        if [[ $(cat "$id.rc" 2>/dev/null) != 0 ]]; then
            bad+=("$id(exit $(cat "$id.rc" 2>/dev/null || echo ?): $(tail -n 1 "$id.err" 2>/dev/null))")
        elif [[ $(head -n 1 "$id.out") != "$id" ]] || ! uid_map_ok "$id.out"; then
            bad+=("$id(output: $(tr '\n' ' ' <"$id.out"))")
        fi
    done
    ((${#bad[@]} == 0)) || fail "${#bad[@]}/$n containers failed: ${bad[*]:0:3}"
    # nothing left behind: containers, tasks, runc state, bundles, shims
    local left="" tries
    for ((tries = 0; tries < 50; tries++)); do
        left=""
        e2e_ctr containers ls -q | grep '^l[0-9]' >/dev/null && left+="containers "
        e2e_ctr tasks ls -q | grep '^l[0-9]' >/dev/null && left+="tasks "
        compgen -G "$E2E_RUNC_ROOT/l[0-9]*" >/dev/null && left+="runc-state "
        compgen -G "$E2E_BUNDLES/l[0-9]*" >/dev/null && left+="bundles "
        [[ -n $(e2e_our_shims) ]] && left+="shims "
        [[ -z $left ]] && break
        sleep 0.2
    done
    [[ -z $left ]] || fail "left behind after all 20 were deleted: $left"
}

# 9. Errors reach the user: a side file naming a missing binary.
case_errors_reach_user() {
    need_wrapper
    local absent=$E2E_T/opt/missing/runc
    e2e_side_file BinaryName="$absent" SystemdCgroup=false
    if cctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" c9 true >c9.out 2>c9.err; then
        fail "ctr run succeeded although the side file names a missing runtime"
    fi
    cat c9.err
    grep -q 'unable to retrieve OCI runtime error' c9.err &&
        fail "containerd could not read runcwrap's error from log.json: $(tail -n 1 c9.err)"
    grep -q 'OCI runtime create failed: runcwrap: ' c9.err ||
        fail "the error does not carry runcwrap's message from log.json: $(tail -n 1 c9.err)"
    grep -qF "$absent" c9.err || fail "the error does not name the missing path $absent: $(tail -n 1 c9.err)"
}

# ---------------------------------------------------------------------------------------------
((HAVE_WRAPPER)) || e2e_log "no runcwrap at $WRAPPER_ARG: cases 2-9 will fail"
e2e_log "temp dir $E2E_T, namespace $E2E_NS, containerd pid $E2E_CTD_PID"

if ((CTD_FIXED)); then
    run_case 1 options-kept-without-runcwrap case_bug_reproduces
else
    run_case 1 bug-reproduces-without-runcwrap case_bug_reproduces
fi
run_case 2 userns-run-through-runcwrap case_userns_fixed
run_case 3 detached-lifecycle case_lifecycle
run_case 4 no-pivot-reaches-runtime case_no_pivot
run_case 5 tty-nothing-chowned case_tty
run_case 6 argv-equivalence case_argv_equivalence
run_case 7 crun-as-intended-runtime case_crun
run_case 8 load-20-concurrent case_load
run_case 9 errors-reach-user case_errors_reach_user

e2e_cleanup || true
leftover=""
[[ -e $E2E_T ]] && leftover+=" $E2E_T"
[[ -e $E2E_RUNC_ROOT ]] && leftover+=" $E2E_RUNC_ROOT"
if [[ -n $leftover && $E2E_KEEP != 1 ]]; then
    echo "FAIL ${E2E_LABEL}cleanup: left behind:$leftover"
    FAILED=$((FAILED + 1))
fi
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
