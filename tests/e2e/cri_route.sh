#!/usr/bin/env bash
# End-to-end CRI cases of issue #15: CRI handlers routed through runcwrap with the product's own
# `runcwrap route`, on one containerd release (1.7.x or 2.x from its upstream archive), driven by
# crictl. run.sh runs it once per release from E2E_RELEASES.
#
#   usage: E2E_CTD_BIN_DIR=DIR E2E_CTD_VERSION=V E2E_RUNC_SRC=RUNC E2E_CRICTL=CRICTL \
#            bash tests/e2e/cri_route.sh [PATH/TO/runcwrap]        (root)
#   env:   E2E_LABEL   prefix of the case names (run.sh: "<version>/route/")
#          E2E_KEEP=1  leave everything behind for a post-mortem
#
# The node: runcwrap installed by the real install.sh (--prefix T --bin-dir /bin: T/bin/runcwrap
# and T/bin/runc -> runcwrap, the side file T/etc/runcwrap/config.toml whose [options] name a
# third recorder no pod may reach), containerd's PATH = T/bin. Two CRI handlers whose BinaryName
# name different runtimes: `reca` and `recb`, recording runtimes (each logs its calls, with the
# owners of fds 0-2 at the call, to its own file, then runs runc 1.3.6), each with its own Root.
# The cases run in order on one containerd and build on each other:
#   1. unrouted: a userns pod (uid 1000 and uid 0) on handler reca. 1.7: runcwrap never called,
#      pipes 0:0, `Permission denied` on reopening /dev/stdout and /proc/self/fd/1 (the bug);
#      2.0.4: works through runcwrap on PATH (dropped-sandbox); 2.0.5: works, runcwrap not called.
#   2. doctor before routing: on 1.7 it fails, naming each handler and `runcwrap route`.
#   3. `runcwrap route --all`: --dry-run changes nothing, then the config's BinaryName of each
#      handler is its entry (only those lines change), entries and [handlers.*] tables exist, a
#      second run changes nothing; then containerd is restarted (between cases 3 and 4).
#   4. routed: a pod per handler, each with uid 1000 and uid 0 containers: every one reopens
#      /dev/stdout, /proc/self/fd/1, /dev/stderr (process and crictl exec), pipes are the mapped
#      ids on the host, each pod ran its own handler's runtime with its own Root (recorders, runc
#      state), and the decision log names the case: routed-handler (1.7, 2.0.5; on 2.0.4 the
#      sandbox), dropped-sandbox through the entry mapping on 2.0.4's app containers.
#   5. doctor after routing: every handler's line passes.
#   6. `runcwrap route --undo` while the routed pods run: containerd's config byte for byte as it
#      was (cmp), entries and tables kept for them (exit 2); after rmp a second --undo removes
#      the entries and the [handlers.*] tables.
#
# Prints `PASS <name>`, `FAIL <name>: <reason>` or `N/A <name>: <why>` per case (with indented
# `    note:` lines of measured facts), then `N passed, N failed`.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=cri_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cri_lib.sh"

WRAPPER_ARG=${1:-$E2E_DIR/../../build/runcwrap}
E2E_LABEL=${E2E_LABEL:-}
PASSED=0
FAILED=0
CASE_DIR=""

e2e_require_root
e2e_install_deps
[[ -n ${E2E_CTD_VERSION:-} ]] || E2E_CTD_VERSION=$("$E2E_CTD_BIN_DIR/containerd" --version | awk '{ sub(/^v/, "", $3); print $3 }')
CRI_CTD_VERSION=$E2E_CTD_VERSION
KIND=$(cri_release_kind "$CRI_CTD_VERSION")
[[ $KIND != ignores ]] || e2e_die "containerd $CRI_CTD_VERSION: its CRI makes no user namespace (1.6), nothing to route"
[[ -x $WRAPPER_ARG && -f $WRAPPER_ARG ]] || e2e_die "no runcwrap binary at $WRAPPER_ARG (build it first: make)"

CRI_HANDLERS="reca recb"
CRI_DEFAULT_HANDLER=reca
cri_setup "$WRAPPER_ARG"
# E2E_CLEANUP_FN (containerd still runs): the pods, then any container still in a handler's
# root: when its entry is gone (an undo that should have kept it) its shim can no longer kill it.
route_cleanup() {
    cri_cleanup
    local state root
    for state in "$E2E_T"/hroot/*/k8s.io/*/state.json; do
        [[ -f $state ]] || continue
        root=$(dirname "$(dirname "$state")")
        e2e_log "container ${state%/state.json} outlived its pod: runc delete --force"
        timeout 20 "$E2E_REAL_RUNC" --root "$root" delete --force "$(basename "$(dirname "$state")")" >/dev/null 2>&1 || true
    done
}
E2E_CLEANUP_FN=route_cleanup

# ---------------------------------------------------------------------------------------------
# The node as an operator has it: install.sh puts runcwrap and runc (-> runcwrap) in T/bin, the
# only folder on containerd's PATH, and writes the side file containerd's RUNCWRAP_CONFIG names.

RCW=$E2E_T/bin/runcwrap
CFG=$E2E_T/config.toml
ENTRY_DIR=$E2E_T/lib/runcwrap/handlers
KEEP=$E2E_T/work/keep # facts one case leaves for the next (cases run in subshells)
mkdir -p "$KEEP"
install_runcwrap() {
    bash "$E2E_DIR/../../install.sh" --prefix "$E2E_T" --bin-dir /bin --source-binary "$E2E_WRAPPER" \
        --binary-name "$E2E_T/opt/side/runc" --replace-config --no-doctor >"$E2E_T/work/install.log" 2>&1 ||
        {
            tail -n 20 "$E2E_T/work/install.log" >&2
            e2e_die "install.sh --prefix $E2E_T failed"
        }
    [[ -L $E2E_T/bin/runc && $(readlink -f "$E2E_T/bin/runc") == "$RCW" ]] ||
        e2e_die "install.sh did not make $E2E_T/bin/runc a link to runcwrap"
    # the decision log (a case reads which case each call was), added atomically as an operator
    # would (temp file + rename)
    local tmp
    tmp=$(mktemp "$E2E_T/etc/runcwrap/.config.XXXXXX")
    { cat "$E2E_SIDE" && printf '\n[runcwrap]\nLogFile = "%s"\n' "$E2E_T/runcwrap.log"; } >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$E2E_SIDE"
    cp "$E2E_SIDE" "$KEEP/side.before-route"
    cp "$CFG" "$KEEP/config.before-route"
}
install_runcwrap

# containerd reads its config only at start: stop it and start it on the same config (not
# rewritten: E2E_CONFIG_FN is a no-op now). Pods' shims outlive it.
restart_containerd() {
    e2e_stop_containerd
    E2E_CONFIG_FN=:
    e2e_start_containerd
    local i
    for ((i = 0; i < 100; i++)); do
        cri inspecti "$E2E_IMAGE" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    e2e_die "the CRI did not come back after the restart"
}

# ---------------------------------------------------------------------------------------------
# Case plumbing (as in cri.sh): a subshell per case, its output in CASE_DIR/out.log.

fail() {
    printf '%s\n' "$*" >>"$CASE_DIR/reason"
    exit 1
}
not_applicable() {
    printf '%s\n' "$*" >>"$CASE_DIR/reason"
    exit 77
}
note() { printf '%s\n' "$*" >>"$CASE_DIR/notes"; }

run_case() { # NUM NAME FN
    local name="$1-$2" fn=$3
    CASE_DIR=$E2E_T/work/$name
    mkdir -p "$CASE_DIR"
    : >"$CASE_DIR/reason"
    : >"$CASE_DIR/notes"
    e2e_case_body "$name" "$fn"
    case $E2E_CASE_RESULT in
        pass)
            PASSED=$((PASSED + 1))
            touch "$KEEP/passed-$1"
            ;;
        fail) FAILED=$((FAILED + 1)) ;;
    esac
    sed 's/^/    note: /' "$CASE_DIR/notes"
}
# A case that builds on case NUM stops when NUM did not pass.
needs_case() { # NUM WHAT
    [[ -e $KEEP/passed-$1 ]] || fail "case $1 ($2) did not pass: nothing to test"
}

wait_logs() { # ID ERE FILE
    local id=$1 re=$2 file=$3 i
    for ((i = 0; i < 50; i++)); do
        cri logs "$id" >"$file" 2>&1 || true
        grep -qE "$re" "$file" && return 0
        sleep 0.2
    done
    return 1
}
# decision log lines of runcwrap naming container ID
decisions_of() { grep -F "\"id\":\"$1\"" "$E2E_T/runcwrap.log" 2>/dev/null || true; }
cases_of() { # ID -> "case xN, ..." of its decisions
    decisions_of "$1" | jq -r .case | sort | uniq -c | awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }'
}

# ---------------------------------------------------------------------------------------------
# Pods: user-namespaced (mode POD, 0 -> 100000), one container per uid, each writing to its
# stdio by reopening it.

STDIO_SCRIPT='echo w-start; echo w-devstdout >/dev/stdout; echo w-procfd1 >/proc/self/fd/1; echo w-devstderr >/dev/stderr; echo w-plain; sleep 600'

new_pod() { # HANDLER NAME -> prints the pod id
    local handler=$1 name=$2 pod
    cri_pod_json "$name" "$name-pod.json"
    pod=$(cri runp --runtime "$handler" "$name-pod.json" 2>"$name.err") ||
        fail "pod $name (handler $handler): runp failed: $(grep -v '^$' "$name.err" | tail -n 1)"
    cri_note_socket "$pod"
    echo "$pod"
}
new_ctr() { # POD PODNAME UID -> prints the container id
    local pod=$1 name=$2 uid=$3 cid
    cri_ctr_json "u$uid" "$uid" "$STDIO_SCRIPT" "$name-u$uid.json"
    cid=$(cri create --no-pull "$pod" "$name-u$uid.json" "$name-pod.json" 2>>"$name.err") ||
        fail "pod $name: create uid $uid failed: $(grep -v '^$' "$name.err" | tail -n 1)"
    cri start "$cid" >>"$name.err" 2>&1 ||
        fail "pod $name: start uid $uid failed: $(grep -v '^$' "$name.err" | tail -n 1)"
    echo "$cid"
}

# check_stdio CID UID EXPECT(works|denied) TAG: the container's process (its own writes, in
# crictl logs) and a `crictl exec -s` reopen their stdio; the pipes' owners are read on the host
# (`stat -L /proc/<pid>/fd/N`; the exec's pid found in the container's cgroup by a marker).
check_stdio() {
    local cid=$1 uid=$2 expect=$3 tag=$4 pid own1 own2 eown1=gone want
    wait_logs "$cid" '^w-plain$' "$tag.logs" || fail "$tag: no output in crictl logs: $(tr '\n' ' ' <"$tag.logs" | head -c 300)"
    pid=$(cri_pid_of "$cid")
    [[ $pid -gt 0 ]] || fail "$tag: no pid for $cid"
    [[ $(tr -s ' ' <"/proc/$pid/uid_map" | sed 's/^ //' | head -n 1) == "0 100000 65536" ]] ||
        fail "$tag: the process is not in the pod's user namespace: $(head -n 1 "/proc/$pid/uid_map")"
    own1=$(cri_fd_owner "$pid" 1) own2=$(cri_fd_owner "$pid" 2)
    local marker=rcwroute$$$uid$RANDOM p epid="" i procs
    cri exec -s "$cid" sh -c 'echo e-devstdout >/dev/stdout; echo e-procfd1 >/proc/self/fd/1; echo e-plain; sleep 2; echo e-end' "$marker" >"$tag.exec" 2>&1 &
    local job=$!
    procs=$(compgen -G "/sys/fs/cgroup/*$CRI_CGROUP_PARENT/$cid/cgroup.procs" | head -n 1 || true)
    [[ -n $procs ]] || fail "$tag: no cgroup.procs of $cid under $CRI_CGROUP_PARENT"
    for ((i = 0; i < 40; i++)); do
        while read -r p; do
            if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$marker"; then
                epid=$p
                break
            fi
        done <"$procs"
        [[ -z $epid ]] || break
        sleep 0.1
    done
    [[ -n $epid ]] && eown1=$(cri_fd_owner "$epid" 1)
    wait "$job" || fail "$tag: crictl exec -s failed: $(tail -n 1 "$tag.exec")"
    echo "--- $tag: process fds 1/2 $own1 $own2, exec fd 1 $eown1"
    cat "$tag.logs" "$tag.exec"
    grep -qx w-plain "$tag.logs" || fail "$tag: even the open fd 1 did not work"
    grep -qx e-plain "$tag.exec" || fail "$tag: the exec's open fd 1 did not work: $(tr '\n' ' ' <"$tag.exec")"
    local line
    if [[ $expect == denied ]]; then
        want=0:0
        for line in "can't create /dev/stdout: Permission denied" "can't create /proc/self/fd/1: Permission denied"; do
            grep -qF "$line" "$tag.logs" || fail "$tag: the process did not get '$line': $(tr '\n' ' ' <"$tag.logs")"
            grep -qF "$line" "$tag.exec" || fail "$tag: the exec did not get '$line': $(tr '\n' ' ' <"$tag.exec")"
        done
    else
        want=$((100000 + uid)):100000
        ! grep -q 'Permission denied' "$tag.logs" "$tag.exec" ||
            fail "$tag: $(grep -h 'Permission denied' "$tag.logs" "$tag.exec" | head -n 1)"
        for line in w-devstdout w-procfd1 w-devstderr; do
            grep -qx "$line" "$tag.logs" || fail "$tag: the process could not reopen its stdio ($line): $(tr '\n' ' ' <"$tag.logs")"
        done
        for line in e-devstdout e-procfd1; do
            grep -qx "$line" "$tag.exec" || fail "$tag: the exec could not reopen its stdout ($line): $(tr '\n' ' ' <"$tag.exec")"
        done
    fi
    [[ $own1 == "$want" && $own2 == "$want" ]] || fail "$tag: the process's pipes are $own1/$own2 on the host, want $want"
    [[ $eown1 == "$want" ]] || fail "$tag: the exec's stdout pipe is $eown1 on the host, want $want"
    local seen=" /dev/stdout, /proc/self/fd/1, /dev/stderr reopened (process and exec)"
    [[ $expect == works ]] || seen=" $(grep -h -m 1 'Permission denied' "$tag.logs")"
    note "$tag (uid $uid): pipes on the host: process fd1 $own1 fd2 $own2, exec fd1 $eown1;$seen"
}

# The doctor of the installed runcwrap, against this containerd: doctor.json, its exit status.
run_doctor() { # TAG
    local rc=0
    RUNCWRAP_CONFIG=$E2E_SIDE "$RCW" doctor --json --bin-dir "$E2E_T/bin" --containerd-config "$CFG" \
        --containerd-pid "$E2E_CTD_PID" >"$1.json" 2>"$1.err" || rc=$?
    echo "$rc" >"$1.rc"
    jq -r '.checks[] | "[\(.status)] \(.check): \(.detail)" + (if .fix != "" then "\n       fix: \(.fix)" else "" end)' \
        "$1.json" >"$1.txt" || fail "doctor --json printed no JSON (exit $rc): $(head -c 300 "$1.err")"
    cat "$1.txt"
}
handler_check() { # TAG HANDLER FIELD -> that field of doctor's `cri-handler "HANDLER"` line
    jq -r --arg c "cri-handler \"$2\"" --arg f "$3" '.checks[] | select(.check == $c) | .[$f]' "$1.json"
}

# ---------------------------------------------------------------------------------------------
# 1. Unrouted: the handler names its runtime.
case_unrouted() {
    local pod u cid expect=works
    pod=$(new_pod reca p1)
    [[ $KIND == keeps ]] && expect=denied
    for u in 1000 0; do
        cid=$(new_ctr "$pod" p1 "$u")
        check_stdio "$cid" "$u" "$expect" "unrouted-u$u"
        case $KIND in
            keeps)
                [[ -z $(decisions_of "$cid") ]] || fail "runcwrap was called for $cid on 1.7 unrouted: $(decisions_of "$cid" | head -n 1)"
                ;;
            drops)
                cases_of "$cid" | grep -qx 'dropped-sandbox x[0-9]*' ||
                    fail "2.0.4 unrouted: the app's calls were not all dropped-sandbox: $(cases_of "$cid")"
                ;;
            fixed)
                [[ -z $(decisions_of "$cid") ]] || fail "runcwrap was called for $cid on 2.0.5: $(decisions_of "$cid" | head -n 1)"
                ;;
        esac
        note "unrouted uid $u: runcwrap's decisions: $(cases_of "$cid" | grep . || echo 'none (not called)')"
    done
    cri_remove_pod "$pod"
}

# 2. doctor before routing.
case_doctor_before() {
    run_doctor before
    local h status fix rc
    rc=$(cat before.rc)
    for h in reca recb; do
        status=$(handler_check before "$h" status)
        fix=$(handler_check before "$h" fix)
        [[ -n $status ]] || fail "doctor has no line for handler $h"
        if [[ $KIND == keeps ]]; then
            [[ $status == fail ]] || fail "doctor's line for handler $h is '$status' on 1.7 unrouted (want fail): $(handler_check before "$h" detail)"
            grep -qF "runcwrap route --handler $h" <<<"$fix" || fail "doctor's fix for handler $h does not say runcwrap route --handler $h: $fix"
        fi
        note "doctor before routing, cri-handler \"$h\": [$status] $(handler_check before "$h" detail)${fix:+; fix: $fix}"
    done
    if [[ $KIND == keeps ]]; then
        [[ $rc != 0 ]] || fail "doctor exited 0 on 1.7 with unrouted handlers"
    fi
    note "doctor before routing: exit $rc$(jq -r '[.checks[] | select(.status == "fail") | .check] | if length > 0 then " (failing: " + join(", ") + ")" else "" end' before.json)"
}

# 3. runcwrap route --all, dry run first; then containerd is restarted.
# Every location route reads or writes is this node's own, its record and backups too.
ROUTE_RECORD_DIR=$E2E_T/route-state
route() {
    "$RCW" route "$@" --containerd-config "$CFG" --config "$E2E_SIDE" --entry-dir "$ENTRY_DIR" \
        --binary "$RCW" --containerd-state "$E2E_STATE" --state-dir "$ROUTE_RECORD_DIR"
}
case_route_all() {
    local h entry rc=0
    route --all --dry-run >dry.out 2>&1 || rc=$?
    cat dry.out
    ((rc == 0)) || fail "runcwrap route --all --dry-run exited $rc: $(tail -n 1 dry.out)"
    cmp -s "$CFG" "$KEEP/config.before-route" || fail "--dry-run changed containerd's config"
    cmp -s "$E2E_SIDE" "$KEEP/side.before-route" || fail "--dry-run changed the side file"
    [[ ! -e $ENTRY_DIR ]] || fail "--dry-run made $ENTRY_DIR"
    grep -q '^+.*BinaryName' dry.out || fail "--dry-run printed no diff of BinaryName"
    route --all >route.out 2>&1 || fail "runcwrap route --all exited non-zero: $(tail -n 1 route.out)"
    cat route.out
    grep -qi 'restart' route.out || fail "route did not say containerd must be restarted: $(tail -n 1 route.out)"
    diff "$KEEP/config.before-route" "$CFG" >config.diff || true
    cat config.diff
    for h in reca recb; do
        entry=$ENTRY_DIR/$h/runc
        [[ -L $entry && $(readlink -f "$entry") == "$(readlink -f "$RCW")" ]] || fail "entry $entry is not a link to $RCW: $(ls -l "$entry" 2>&1)"
        grep -qF "BinaryName = \"$entry\"" "$CFG" || fail "containerd's config does not name $entry"
        grep -qF "[handlers.$h]" "$E2E_SIDE" || fail "the side file has no [handlers.$h]"
        awk -v t="[handlers.$h]" '$0 == t { on = 1; next } /^\[/ { on = 0 } on' "$E2E_SIDE" >"side-$h.toml"
        grep -qF "BinaryName = \"$E2E_T/opt/$h/runc\"" "side-$h.toml" || fail "[handlers.$h] does not keep BinaryName $E2E_T/opt/$h/runc: $(tr '\n' ' ' <"side-$h.toml")"
        grep -qF "Root = \"$E2E_T/hroot/$h\"" "side-$h.toml" || fail "[handlers.$h] does not keep Root $E2E_T/hroot/$h: $(tr '\n' ' ' <"side-$h.toml")"
    done
    # only the two BinaryName lines changed
    local changed
    changed=$(grep -c '^[<>]' config.diff || true)
    if ((changed != 4)) || grep '^[<>]' config.diff | grep -qv 'BinaryName = '; then
        fail "route changed more than the two BinaryName lines: $(grep '^[<>]' config.diff | head -n 6 | tr '\n' ' ')"
    fi
    [[ -n $(find "$ROUTE_RECORD_DIR" -type f 2>/dev/null) ]] || fail "route left no record or backup in --state-dir $ROUTE_RECORD_DIR"
    find "$ROUTE_RECORD_DIR" -type f
    cp "$CFG" routed.toml
    cp "$E2E_SIDE" routed-side.toml
    route --all >again.out 2>&1 || fail "a second runcwrap route --all exited non-zero: $(tail -n 1 again.out)"
    cmp -s "$CFG" routed.toml || fail "a second route --all changed containerd's config again"
    cmp -s "$E2E_SIDE" routed-side.toml || fail "a second route --all changed the side file again"
    note "route --all: $(grep -c '^>' config.diff) BinaryName lines changed in containerd's config, entries $ENTRY_DIR/{reca,recb}/runc, tables [handlers.reca] [handlers.recb]; --dry-run changed nothing, a second run changed nothing"
    note "route said: $(grep -i -m 1 restart route.out)"
}

# 4. Routed pods: each handler's runtime, stdio for uid 1000 and 0, the decisions.
own_runtime() { # HANDLER OTHER POD CID... : the pod's calls went to HANDLER's recorder only
    local h=$1 other=$2 pod=$3 id
    shift 3
    for id in "$pod" "$@"; do
        (($(grep -c "^CALL .* create .*\b$id\b" "$E2E_T/$h.calls" || true) == 1)) ||
            fail "handler $h's runtime recorded $(grep -c "^CALL .* create .*\b$id\b" "$E2E_T/$h.calls" || true) creates of $id (want 1)"
        ! grep -qs "\b$id\b" "$E2E_T/$other.calls" || fail "$id (handler $h) ran through handler $other's runtime"
        ! grep -qs "\b$id\b" "$E2E_T/side.calls" || fail "$id ran through the side file's [options] runtime"
        local bad
        bad=$(grep "^CALL .*\b$id\b" "$E2E_T/$h.calls" | grep -v -- "--root $E2E_T/hroot/$h/k8s.io " || true)
        [[ -z $bad ]] || fail "a call of $id without handler $h's --root: $(head -n 1 <<<"$bad")"
    done
    for id in "$@"; do
        [[ -f $E2E_T/hroot/$h/k8s.io/$id/state.json ]] || fail "no runc state of $id in handler $h's root"
        grep -q "^CALL .* exec .*\b$id\b" "$E2E_T/$h.calls" || fail "handler $h's runtime never saw $id's exec"
    done
}
decisions_ok() { # HANDLER POD CID... : the decision log names the case, per release
    local h=$1 pod=$2 id d runtime=$E2E_T/opt/$1/runc want_root="--root $E2E_T/hroot/$1/k8s.io"
    shift 2
    d=$(decisions_of "$pod")
    [[ -n $d ]] || fail "no decision logged for pod $pod (handler $h): runcwrap was not on its path"
    jq -e -s --arg r "$runtime" 'all(.case == "routed-handler" and .runtime == $r and .restored == [])' <<<"$d" >/dev/null ||
        fail "pod $pod's sandbox calls: $(jq -c '[.command, .case, .runtime, .restored]' <<<"$d" | sort -u | head -n 3 | tr '\n' ' ')"
    for id in "$@"; do
        d=$(decisions_of "$id")
        [[ -n $d ]] || fail "no decision logged for $id (handler $h)"
        jq -e -s 'any(.command == "create")' <<<"$d" >/dev/null || fail "no create decision for $id"
        if [[ $KIND == drops ]]; then
            jq -e -s --arg r "$runtime" --arg root "$want_root" \
                'all(.case == "dropped-sandbox" and .runtime == $r and any(.restored[]; . == $root or startswith($root + " ")))' <<<"$d" >/dev/null ||
                fail "2.0.4: $id's calls are not all dropped-sandbox to $runtime restoring $want_root: $(jq -c '[.command, .case, .runtime, .restored]' <<<"$d" | sort -u | head -n 3 | tr '\n' ' ')"
        else
            jq -e -s --arg r "$runtime" 'all(.case == "routed-handler" and .runtime == $r and .restored == [])' <<<"$d" >/dev/null ||
                fail "$id's calls are not all routed-handler to $runtime restoring nothing: $(jq -c '[.command, .case, .runtime, .restored]' <<<"$d" | sort -u | head -n 3 | tr '\n' ' ')"
        fi
        if [[ $KIND == keeps ]]; then
            jq -e -s 'any(.command == "create" and (.chowned_fds | length) > 0)' <<<"$d" >/dev/null ||
                fail "1.7: runcwrap chowned nothing at $id's create: $(jq -c 'select(.command == "create") | .chowned_fds' <<<"$d")"
        else
            jq -e -s 'all((.chowned_fds | length) == 0)' <<<"$d" >/dev/null ||
                fail "runcwrap chowned pipes the shim had already given to the user ($id)"
        fi
    done
}
case_routed_pods() {
    needs_case 3 "route --all"
    local h other pod u cid ids
    for h in reca recb; do
        other=recb
        [[ $h == recb ]] && other=reca
        pod=$(new_pod "$h" "p4$h")
        ids=()
        for u in 1000 0; do
            cid=$(new_ctr "$pod" "p4$h" "$u")
            ids+=("$cid")
            check_stdio "$cid" "$u" works "routed-$h-u$u"
        done
        own_runtime "$h" "$other" "$pod" "${ids[@]}"
        decisions_ok "$h" "$pod" "${ids[@]}"
        local fds
        fds=$(grep -A1 "^CALL .* create .*\b${ids[0]}\b" "$E2E_T/$h.calls" | sed -n 's/^FDS //p' | head -n 1)
        note "handler $h: pod ${pod:0:12} and its uid 1000/0 containers ran only through $E2E_T/opt/$h/runc with --root $E2E_T/hroot/$h/k8s.io (the uid 1000 create saw fds 0-2 owned $fds); decisions: sandbox $(cases_of "$pod"), uid 1000 $(cases_of "${ids[0]}"), uid 0 $(cases_of "${ids[1]}")"
        echo "$pod" >>"$KEEP/routed-pods"
        printf '%s\n' "$pod" "${ids[@]}" >>"$KEEP/routed-ids"
    done
    # the `features` call CRI makes at start (2.0) reached each handler's runtime through its entry
    if [[ $KIND != keeps ]]; then
        for h in reca recb; do
            jq -e -s --arg r "$E2E_T/opt/$h/runc" 'any(.command == "features" and .case == "routed-handler" and .runtime == $r)' \
                "$E2E_T/runcwrap.log" >/dev/null || fail "no routed-handler features call to handler $h's runtime"
        done
        note "containerd's features calls went through the entries to each handler's runtime ($(jq -s -r '[.[] | select(.command == "features")] | length' "$E2E_T/runcwrap.log") features decisions)"
    fi
}

# 5. doctor after routing.
case_doctor_after() {
    needs_case 3 "route --all"
    run_doctor after
    local h status
    for h in reca recb; do
        status=$(handler_check after "$h" status)
        [[ $status == ok ]] || fail "doctor's line for routed handler $h is '$status': $(handler_check after "$h" detail) $(handler_check after "$h" fix)"
        # and it names the runtime the handler really runs, not the side file's [options] one
        handler_check after "$h" detail | grep -qF "$E2E_T/opt/$h/runc" ||
            fail "doctor's line for routed handler $h does not name its runtime $E2E_T/opt/$h/runc: $(handler_check after "$h" detail)"
        note "doctor after routing, cri-handler \"$h\": [$status] $(handler_check after "$h" detail)"
    done
    note "doctor after routing: exit $(cat after.rc)$(jq -r '[.checks[] | select(.status == "fail") | .check] | if length > 0 then " (failing: " + join(", ") + ")" else "" end' after.json)"
}

# 6. runcwrap route --undo: while the routed pods run it puts containerd's config back but keeps
#    the entries and tables they still run through (exit 2); once they are gone, it removes them.
entries_and_tables() { # -> what is left of the routing: entries (and their folders), then tables
    if [[ -d $ENTRY_DIR ]]; then find "$ENTRY_DIR" -mindepth 1 | sort; fi
    grep '^\[handlers\.' "$E2E_SIDE" || true
}
case_route_undo() {
    needs_case 3 "route --all"
    local pod rc=0 pods=()
    if [[ -f $KEEP/routed-pods ]]; then mapfile -t pods <"$KEEP/routed-pods"; fi
    ((${#pods[@]} == 2)) || fail "case 4 left ${#pods[@]} running routed pods (want 2): nothing runs through the entries"
    route --undo >undo1.out 2>&1 || rc=$?
    cat undo1.out
    ((rc == 2)) || fail "route --undo with 2 routed pods running exited $rc (want 2: entries kept for them): $(tail -n 1 undo1.out)"
    cmp "$KEEP/config.before-route" "$CFG" || fail "the first --undo did not put containerd's config back byte for byte: $(diff "$KEEP/config.before-route" "$CFG" | head -n 4 | tr '\n' ' ')"
    entries_and_tables >kept.txt
    (($(grep -c '/runc$' kept.txt) == 2 && $(grep -c '^\[handlers\.' kept.txt) == 2)) ||
        fail "the first --undo did not keep both entries and tables for the running pods: $(tr '\n' ' ' <kept.txt)"
    # it names every sandbox and container that runs through the entries
    local id listed=0
    while read -r id; do
        grep -qF "$id" undo1.out || fail "the first --undo does not name $id, which runs through an entry: $(head -n 1 undo1.out)"
        listed=$((listed + 1))
    done <"$KEEP/routed-ids"
    for pod in "${pods[@]}"; do cri_remove_pod "$pod"; done
    [[ -z $(cri pods -q) ]] || fail "pods left after removing the routed ones: $(cri pods -q | tr '\n' ' ')"
    route --undo >undo2.out 2>&1 || fail "the second route --undo (no pod left) exited non-zero: $(tail -n 1 undo2.out)"
    cat undo2.out
    cmp "$KEEP/config.before-route" "$CFG" || fail "containerd's config is not byte for byte what it was: $(diff "$KEEP/config.before-route" "$CFG" | head -n 4 | tr '\n' ' ')"
    entries_and_tables >left.txt
    [[ ! -s left.txt ]] || fail "left after --undo: $(tr '\n' ' ' <left.txt)"
    local side_same="the side file is byte for byte what it was too"
    cmp -s "$KEEP/side.before-route" "$E2E_SIDE" || side_same="the side file differs from before routing: $(diff "$KEEP/side.before-route" "$E2E_SIDE" | head -n 3 | tr '\n' ' ')"
    note "route --undo with the 2 routed pods running: exit 2, containerd's config cmp-equal to before routing, both entries and [handlers.*] tables kept, all $listed sandboxes and containers named; after rmp a second --undo: exit 0, no entry, no table; $side_same"
}

# ---------------------------------------------------------------------------------------------
e2e_log "containerd $CRI_CTD_VERSION ($KIND), temp dir $E2E_T, containerd pid $E2E_CTD_PID"
run_case 1 unrouted-userns-stdio case_unrouted
run_case 2 doctor-before-routing case_doctor_before
run_case 3 route-all case_route_all
if [[ -e $KEEP/passed-3 ]]; then restart_containerd; fi
run_case 4 routed-pods-own-runtime-and-stdio case_routed_pods
run_case 5 doctor-after-routing case_doctor_after
run_case 6 route-undo-restores-config case_route_undo

CLEAN_T=$E2E_T
leftover=""
SOCKETS=()
if [[ -f $E2E_T/shim-sockets ]]; then mapfile -t SOCKETS <"$E2E_T/shim-sockets"; fi
cri_full_cleanup || true
for s in "${SOCKETS[@]}"; do if [[ -e $s ]]; then leftover+=" $s"; fi; done
[[ -e $CLEAN_T ]] && leftover+=" $CLEAN_T"
compgen -G "/var/lib/cni/results/$CRI_NET-*" >/dev/null && leftover+=" /var/lib/cni/results/$CRI_NET-*"
compgen -G "/sys/fs/cgroup/*$CRI_CGROUP_PARENT" >/dev/null && leftover+=" cgroups $CRI_CGROUP_PARENT"
compgen -G "/sys/fs/cgroup/*/*$CRI_CGROUP_PARENT" >/dev/null && leftover+=" cgroups $CRI_CGROUP_PARENT"
for ns in "${CRI_NETNS_SEEN[@]}"; do if [[ -e $ns ]]; then leftover+=" $ns"; fi; done
if [[ -n $leftover && $E2E_KEEP != 1 ]]; then
    echo "FAIL ${E2E_LABEL}cleanup: left behind:$leftover"
    FAILED=$((FAILED + 1))
fi
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
