#!/usr/bin/env bash
# tests/image/run.sh IMAGE_ARCHIVE: the installer image (make image) on a real containerd.
#
# The image is imported into a private containerd (tests/e2e/lib.sh: Debian's containerd 1.6.20,
# then, with E2E_RELEASES, upstream's 2.0.4)
# and run the way the DaemonSet runs it: the container's command, env, capabilities, read-only
# root, hostPID and mounts are read from deploy/kubernetes/runcwrap-installer.yaml
# (tests/image/manifest.py) and turned into `ctr run` flags; the effective capabilities inside
# are checked against the manifest. The node is a staged root (a temp folder laid out like a
# node: /usr/bin, /usr/sbin/runc with its libraries, /usr/local/bin, /etc/containerd/config.toml
# with a drop-in, /proc) with a running stand-in containerd (fake_containerd.c, in a mount
# namespace rooted at the staged root, with containerd's PATH in its environment). Checked:
#   1. node with containerd 1.7.24: the pod installs runcwrap on that PATH before the runc, the
#      runc link, the side file from the config and its drop-in, the manifest; the readiness
#      probe passes (runcwrap doctor in the staged root); the pod's log has one line per action
#   2. a restart (or rolling update): terminating the pod (with its preStop hook, if the manifest
#      has one) leaves the install as it was, and a new pod changes nothing (listing with hashes,
#      modes, owners, link targets); the runc slot never lacks runcwrap in between (watched)
#   3. the staged result works: ctr run --uidmap (the e2e bug case) through the installed
#      runcwrap and its side file, on the private containerd (which drops the options)
#   4. the uninstall DaemonSet (deploy/kubernetes/runcwrap-uninstall.yaml, its container run the
#      same way): the staged root is byte for byte what it was, the pod's probe says done
#   5. node with containerd 2.0.4 and a version 3 config: installed, side file, probe, uninstall
#   6. node whose containerd PATH finds runc first: the pod fails, says why, changes nothing
#   7. node with containerd 2.0.5 (fixed): nothing installed, the pod says so and is ready; with
#      RUNCWRAP_INSTALL_ON_FIXED=1 it installs, and the uninstall restores the node
#   8. node with containerd 1.7.24, a handler naming its runtime, RUNCWRAP_ROUTE_HANDLERS=all:
#      installed and routed (the handler's entry, its side-file table, only its BinaryName line
#      changed), a second pod changes nothing, the uninstall DaemonSet restores every byte,
#      containerd's drop-in included; where nothing needs routing, nothing is routed and no
#      restart is asked for
#   0. the archive: per architecture (amd64, arm64 when built), the binaries are that machine's
# Root only. About 15 seconds once the image is built.
set -euo pipefail
IMAGE_ARCHIVE=$(readlink -f "${1:?usage: tests/image/run.sh IMAGE_ARCHIVE}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
MANIFEST_YAML=$TOP/deploy/kubernetes/runcwrap-installer.yaml
UNINSTALL_YAML=$TOP/deploy/kubernetes/runcwrap-uninstall.yaml

# E2E_RELEASES=DIR with containerd-2.0.4-linux-amd64.tar.gz (checked against DIR/SHA256SUMS):
# the whole suite runs again with that containerd as the private one (it drops the options for
# ctr --uidmap as 1.6 does, and reads the pods' settings as 2.0 does).
if [[ -z ${IMAGE_SUITE_CHILD:-} ]]; then
    rc=0
    IMAGE_SUITE_CHILD=1 bash "$0" "$IMAGE_ARCHIVE" || rc=1
    asset=containerd-2.0.4-linux-amd64.tar.gz
    if [[ -n ${E2E_RELEASES:-} && -f $E2E_RELEASES/$asset ]]; then
        rel=$(mktemp -d /tmp/rcw-image-rel.XXXXXX)
        if (cd "$E2E_RELEASES" && grep -F " $asset" SHA256SUMS | sha256sum -c --quiet -) &&
            tar -xzf "$E2E_RELEASES/$asset" -C "$rel"; then
            IMAGE_SUITE_CHILD=1 E2E_CTD_BIN_DIR=$rel/bin bash "$0" "$IMAGE_ARCHIVE" || rc=1
        else
            echo "FAIL $E2E_RELEASES/$asset does not match its SHA256SUMS line (or does not unpack)"
            rc=1
        fi
        rm -rf "$rel"
    else
        echo "(containerd 2.0.4 not run: E2E_RELEASES=DIR with $asset runs the suite on it too)"
    fi
    exit "$rc"
fi

# shellcheck source=tests/e2e/lib.sh
source "$TOP/tests/e2e/lib.sh"
e2e_require_root
e2e_install_deps
sh "$TOP/toolchain/ensure-packages.sh" tests/image python3-yaml gcc libc6-dev >/dev/null

PASSED=0
FAILED=0
FAKE_PIDS=()
STAGE_MOUNTS=()
fail() {
    printf 'FAIL %s\n' "$*"
    FAILED=$((FAILED + 1))
}
pass() {
    printf 'PASS %s\n' "$*"
    PASSED=$((PASSED + 1))
}
image_cleanup() {
    local p m
    for p in "${FAKE_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    for m in "${STAGE_MOUNTS[@]}"; do umount -l "$m" 2>/dev/null || true; done
}
E2E_CLEANUP_FN=image_cleanup # read by lib.sh
image_trap() {
    image_cleanup
    e2e_cleanup
}
E2E_TRAP_FN=image_trap # read by lib.sh

# check_archive: per architecture, the image holds runcwrap built for it and nothing else (no
# shell, no tools: the file list is fixed here on purpose).
check_archive() {
    local x=$T/archive arch digest config layer r want f bad
    mkdir -p "$x"
    tar -xf "$IMAGE_ARCHIVE" -C "$x"
    local top
    top=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$x/index.json")
    local -a mans
    if jq -e '.mediaType == "application/vnd.oci.image.index.v1+json"' "$x/blobs/sha256/$top" >/dev/null 2>&1; then
        mapfile -t mans < <(jq -r '.manifests[] | .platform.architecture + " " + .digest' "$x/blobs/sha256/$top")
    else
        mapfile -t mans < <(jq -r '.manifests[] | .platform.architecture + " " + .digest' "$x/index.json")
    fi
    local m files
    for m in "${mans[@]}"; do
        bad=0
        arch=${m%% *}
        digest=${m#* sha256:}
        config=$(jq -r '.config.digest | sub("sha256:"; "")' "$x/blobs/sha256/$digest")
        [[ $(jq -r .architecture "$x/blobs/sha256/$config") == "$arch" ]] || bad=1
        r=$x/rootfs-$arch
        mkdir -p "$r"
        for layer in $(jq -r '.layers[].digest | sub("sha256:"; "")' "$x/blobs/sha256/$digest"); do
            tar -xzf "$x/blobs/sha256/$layer" -C "$r"
        done
        case "$arch" in amd64) want=x86-64 ;; arm64) want=aarch64 ;; *) want=unknown ;; esac
        f=opt/runcwrap/runcwrap
        file -b "$r/$f" | grep -q "$want.*statically linked" || {
            bad=1
            echo "    $arch: $f is $(file -b "$r/$f")"
        }
        [[ $(jq -r '.config.Entrypoint | join(" ")' "$x/blobs/sha256/$config") == "${M_COMMAND[0]} ${M_COMMAND[1]}" ]] || bad=1
        files=$(cd "$r" && find . -type f | sort | tr '\n' ' ')
        if [[ $files != "./opt/runcwrap/runcwrap " ]]; then
            bad=1
            echo "    $arch: files: $files"
        fi
        if ((bad == 0)); then
            pass "archive: the $arch image holds $want static runcwrap and nothing else; entry point ${M_COMMAND[0]} ${M_COMMAND[1]}"
        else
            fail "archive: the $arch image is not as built ($(jq -c '{architecture, config: .config.Entrypoint}' "$x/blobs/sha256/$config"))"
        fi
    done
    ((${#mans[@]} == 2)) || echo "    (one architecture in this archive: build/aarch64/runcwrap was not built)"
}

eval "$(python3 "$HERE/manifest.py" "$MANIFEST_YAML")"
eval "$(python3 "$HERE/manifest.py" "$UNINSTALL_YAML" U)"
start=$SECONDS
e2e_setup "" # no wrapper: each case puts its runc on containerd's PATH itself
T=$E2E_T

e2e_ctr images import --platform "linux/$(e2e_oci_arch)" "$IMAGE_ARCHIVE" >"$T/import-installer.log" 2>&1 ||
    {
        cat "$T/import-installer.log"
        e2e_die "ctr images import $IMAGE_ARCHIVE failed"
    }
INSTALLER_IMAGE=$(e2e_ctr images ls -q | grep -F "runcwrap-installer:" | head -n 1 || true)
[[ -n $INSTALLER_IMAGE ]] || {
    e2e_ctr images ls
    e2e_die "no runcwrap-installer image after the import"
}
[[ $INSTALLER_IMAGE == *"$M_IMAGE" ]] || fail "the manifest names $M_IMAGE, the archive holds $INSTALLER_IMAGE"
if [[ $U_IMAGE == "$M_IMAGE" && $U_NAMESPACE == "$M_NAMESPACE" && $U_NODE_SELECTOR == "$M_NODE_SELECTOR" ]]; then
    pass "the uninstall DaemonSet has the installer's image, namespace and node selector"
else
    fail "the uninstall DaemonSet differs from the installer's: $U_IMAGE $U_NAMESPACE $U_NODE_SELECTOR"
fi

check_archive

for v in 1.7.24 2.0.4 2.0.5; do
    gcc -static -O2 -DFAKE_VERSION="\"$v\"" -o "$T/fake-containerd-$v" "$HERE/fake_containerd.c"
done

# stage_node DIR VERSION [v3]: a node root whose containerd (VERSION) runs with PATH=NODE_PATH;
# its config is version 2 with a drop-in, or version 3.
# Not systemd's default PATH (which has /usr/local/sbin first): the bin dir then shows that the
# pod read containerd's own environment.
NODE_PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
stage_node() {
    local r=$1 version=$2 style=${3:-v2} lib
    mkdir -p "$r"/{usr/bin,usr/sbin,usr/local/bin,usr/local/sbin,etc/containerd/conf.d,var/lib,proc,dev,tmp,run}
    ln -s usr/bin "$r/bin"
    ln -s usr/sbin "$r/sbin"
    chmod 1777 "$r/tmp"
    install -m 0755 "$T/fake-containerd-$version" "$r/usr/bin/containerd"
    install -m 0755 /usr/sbin/runc "$r/usr/sbin/runc"
    # runc's libraries, so that doctor can run `runc --version` in the staged root.
    for lib in $(ldd /usr/sbin/runc | grep -o '/[^ ]*'); do
        mkdir -p "$r$(dirname "$lib")"
        cp -L "$lib" "$r$lib"
    done
    if [[ $style == v3 ]]; then
        cat >"$r/etc/containerd/config.toml" <<'TOML'
# a containerd 2.x config (version 3) naming its runc
version = 3
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  BinaryName = "/usr/sbin/runc"
  SystemdCgroup = false
TOML
    else
        cat >"$r/etc/containerd/config.toml" <<'TOML'
# a node's containerd config: the runtime's options live in a drop-in
version = 2
imports = ["/etc/containerd/conf.d/*.toml"]
TOML
        cat >"$r/etc/containerd/conf.d/10-runc.toml" <<'TOML'
version = 2
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = false
  Root = "/run/containerd/runc"
TOML
        # named: the handler names its runtime, so the shim runs it directly and runcwrap only
        # sees its calls once the handler is routed (issue #15)
        [[ $style != named ]] || echo '  BinaryName = "/usr/sbin/runc"' >>"$r/etc/containerd/conf.d/10-runc.toml"
    fi
    # A node's /proc and /dev (doctor runs programs with /dev/null as stdin).
    mount --bind /proc "$r/proc"
    STAGE_MOUNTS+=("$r/proc")
    mount --bind /dev "$r/dev"
    STAGE_MOUNTS+=("$r/dev")
    # It runs in its own mount namespace whose root is the staged root (fake_containerd.c), as a
    # node's containerd runs in the node's: its /proc/<pid>/exe reads /usr/bin/containerd.
    (exec env -i PATH="$NODE_PATH" FAKE_NODE_ROOT="$r" "$r/usr/bin/containerd" --config /etc/containerd/config.toml \
        </dev/null >"$T/fake-containerd-$version.log" 2>&1) &
    FAKE_PIDS+=($!)
    disown $! # killed by image_cleanup: no "Killed" line from bash
    local i
    for ((i = 0; i < 50; i++)); do
        [[ $(cat "/proc/$!/environ" 2>/dev/null | tr '\0' ' ') == "PATH=$NODE_PATH " ]] && break
        sleep 0.1
    done
    FAKE_PID=$!
}

# listing DIR: every path under DIR (not /proc, /dev) with type, mode, owner, size, link target, hash.
listing() {
    (cd "$1" && find . \( -path ./proc -o -path ./dev \) -prune -o -printf '%p %y %m %U:%G %s %l\n' | sort |
        while read -r p rest; do
            if [[ -f $p && ! -L $p ]]; then
                printf '%s %s %s\n' "$p" "$rest" "$(sha256sum <"$p" | cut -c1-16)"
            else
                printf '%s %s\n' "$p" "$rest"
            fi
        done)
}

# pod_flags STAGE STATE_DIR SPEC: ctr run flags for what the manifest read into SPEC_* declares
# (M: the installer, U: the uninstall DaemonSet), hostPath under STAGE.
pod_flags() {
    local stage=$1 state=$2 spec=$3 m kind src dst mode c
    local privileged=${spec}_PRIVILEGED read_only=${spec}_READ_ONLY host_pid=${spec}_HOST_PID
    local -n caps=${spec}_CAPS mounts=${spec}_MOUNTS env=${spec}_ENV
    POD=()
    ((${!privileged})) && POD+=(--privileged)
    ((${!read_only})) && POD+=(--read-only)
    # hostPID: the PID namespace the node's containerd runs in (this machine's pid 1 may be
    # in a parent namespace, which setns cannot enter).
    ((${!host_pid})) && POD+=(--with-ns "pid:/proc/$E2E_CTD_PID/ns/pid")
    # capabilities.drop [ALL] + add: drop every default capability of ctr's spec, add the list.
    for c in CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW CAP_SETGID \
        CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_KILL CAP_AUDIT_WRITE; do
        [[ " ${caps[*]} " == *" $c "* ]] || POD+=(--cap-drop "$c")
    done
    for c in "${caps[@]}"; do POD+=(--cap-add "$c"); done
    for m in "${mounts[@]}"; do
        IFS='|' read -r kind src dst mode <<<"$m"
        case "$kind" in
            hostPath) src=$stage$src ;;
            emptyDir) src=$state ;;
        esac
        POD+=(--mount "type=bind,src=$src,dst=$dst,options=rbind:$mode")
    done
    for m in "${env[@]}"; do POD+=(--env "$m"); done
    # The one addition: this machine runs other containerds (this test's own, other suites'),
    # so the pod is told which process is the node's.
    POD+=(--env "RUNCWRAP_CONTAINERD_PID=$FAKE_PID")
    for m in "${EXTRA_ENV[@]}"; do POD+=(--env "$m"); done
}
EXTRA_ENV=()

# start_pod NAME STAGE [SPEC]: runs the manifest's command detached (SPEC: M, the installer, or U,
# the uninstall DaemonSet); waits for its state (or exit).
start_pod() {
    local name=$1 stage=$2 spec=${3:-M} i
    local -n pod_command=${spec}_COMMAND
    mkdir -p "$T/pods/$name"
    pod_flags "$stage" "$T/pods/$name" "$spec"
    POD_SPEC[$name]=$spec
    e2e_ctr run -d --runc-binary "$E2E_REAL_RUNC" --log-uri "file://$T/pods/$name.log" "${POD[@]}" \
        "$INSTALLER_IMAGE" "$name" "${pod_command[@]}" </dev/null >/dev/null
    for ((i = 0; i < 150; i++)); do
        [[ -f $T/pods/$name/state ]] && return 0
        [[ $(e2e_task_status "$name") == RUNNING ]] || break
        sleep 0.2
    done
    return 0
}
pod_exec() { # NAME ID CMD...
    local name=$1 id=$2
    shift 2
    e2e_ctr tasks exec --exec-id "$id" "$name" "$@" </dev/null
}
declare -A POD_SPEC=()
stop_pod() { # NAME: as the kubelet does: the preStop hook if the manifest has one, SIGTERM; the task must end by itself
    local -n prestop=${POD_SPEC[$1]:-M}_PRESTOP
    if ((${#prestop[@]})); then
        pod_exec "$1" prestop "${prestop[@]}" >"$T/pods/$1.prestop.log" 2>&1 ||
            fail "the preStop hook (${prestop[*]}) failed on $1: $(tail -n 3 "$T/pods/$1.prestop.log" | tr '\n' ' ')"
    fi
    e2e_ctr tasks kill -s SIGTERM "$1" >/dev/null 2>&1 || true
    local i
    for ((i = 0; i < 50; i++)); do
        [[ $(e2e_task_status "$1") == STOPPED ]] && break
        sleep 0.1
    done
    e2e_remove "$1"
}

# uninstall_node NAME STAGE BEFORE WHAT: the uninstall DaemonSet's pod on STAGE (after the
# installer's pod is gone): it reports done (its state, its readiness probe), keeps running, and
# the staged root is BEFORE again, byte for byte.
uninstall_node() {
    local name=$1 stage=$2 before=$3 what=$4 after
    start_pod "$name" "$stage" U
    after=$(listing "$stage")
    if [[ $(cat "$T/pods/$name/state" 2>/dev/null) == uninstalled && $(e2e_task_status "$name") == RUNNING ]] &&
        pod_exec "$name" probe "${U_PROBE[@]}" && [[ $before == "$after" ]]; then
        pass "$what: the uninstall DaemonSet's pod (${U_COMMAND[*]}) restores the staged root byte for byte ($(wc -l <<<"$before") paths) and is ready"
    else
        fail "$what: uninstall pod state '$(cat "$T/pods/$name/state" 2>/dev/null)', task $(e2e_task_status "$name"); staged root:"
        diff <(echo "$before") <(echo "$after") | sed 's/^/    /' | head -n 20 || true
        sed 's/^/    /' "$T/pods/$name.log" | tail -n 20
    fi
    stop_pod "$name"
}

# watch_slot DIR OUT: until OUT.stop exists, checks that DIR/runc is the link to runcwrap and
# DIR/runcwrap an executable file; writes "SAMPLES MISSES" to OUT.
watch_slot() {
    local dir=$1 out=$2 n=0 miss=0
    while [[ ! -e $out.stop ]]; do
        [[ $(readlink "$dir/runc") == runcwrap && -f $dir/runcwrap && -x $dir/runcwrap ]] || miss=$((miss + 1))
        n=$((n + 1))
    done
    echo "$n $miss" >"$out"
}

# ---- node 1: containerd 1.7.24 ----------------------------------------------------------------
S=$T/node1
mkdir -p "$S"
stage_node "$S" 1.7.24
before=$(listing "$S")

start_pod pod1 "$S"
if [[ $(cat "$T/pods/pod1/state" 2>/dev/null) == "installed /usr/local/bin" ]]; then
    pass "node 1.7.24: the pod installed into /usr/local/bin, the first folder of containerd's PATH (from its environ)"
else
    fail "node 1.7.24: pod state '$(cat "$T/pods/pod1/state" 2>/dev/null)', log:"
    sed 's/^/    /' "$T/pods/pod1.log" | tail -n 40
fi
sed 's/^/    | /' "$T/pods/pod1.log" | head -n 60

# The capabilities inside are exactly the manifest's.
want_caps=0
for c in "${M_CAPS[@]}"; do
    n=$(grep -E "^#define ${c}[[:space:]]" /usr/include/linux/capability.h | awk '{print $3}')
    want_caps=$((want_caps | (1 << n)))
done
# (read from the host: the image has no shell or grep; the pod's process is the runcwrap that
# waits, with the container's capabilities)
pod1_pid=$(e2e_ctr tasks ls | awk '$1 == "pod1" { print $2 }')
got=$(awk '$1 == "CapEff:" { print $2 }' "/proc/${pod1_pid:-0}/status" 2>/dev/null || echo none)
if [[ $((16#$got)) == "$want_caps" ]]; then
    pass "the pod's effective capabilities are the manifest's ${M_CAPS[*]} ($got)"
else
    fail "the pod's CapEff is $got, the manifest's set is $(printf '%016x' "$want_caps")"
fi

if [[ -L $S/usr/local/bin/runc && $(readlink "$S/usr/local/bin/runc") == runcwrap &&
-f $S/usr/local/bin/runcwrap ]] && cmp -s "$S/usr/local/bin/runcwrap" "$TOP/build/runcwrap" &&
    [[ $(stat -c '%a %u' "$S/usr/local/bin/runcwrap") == "755 0" ]]; then
    pass "runcwrap (the built binary) and runc -> runcwrap are in /usr/local/bin, before /usr/sbin/runc in PATH"
else
    fail "no runcwrap/runc in $S/usr/local/bin: $(find "$S/usr/local/bin" -printf '%p %y %m %l; ')"
fi
side=$S/etc/runcwrap/config.toml
if grep -qx 'Root = "/run/containerd/runc"' "$side" 2>/dev/null && grep -qx 'SystemdCgroup = false' "$side" &&
    grep -qx 'BinaryName = "runc"' "$side"; then
    pass "the side file has the drop-in's options (Root, SystemdCgroup; BinaryName \"runc\": the next runc in PATH)"
else
    fail "side file: $(tr '\n' ' ' <"$side" 2>&1)"
fi
if grep -qx $'bin-dir\t/usr/local/bin' "$S/var/lib/runcwrap/install-manifest" 2>/dev/null &&
    grep -q $'^sidefile\t/etc/runcwrap/config.toml' "$S/var/lib/runcwrap/install-manifest"; then
    pass "runcwrap install's manifest lists the install"
else
    fail "manifest: $(tr '\n' ' ' <"$S/var/lib/runcwrap/install-manifest" 2>&1)"
fi
if pod_exec pod1 probe "${M_PROBE[@]}"; then
    pass "the readiness probe (${M_PROBE[*]}) passes: doctor says the staged node is ready"
else
    fail "the readiness probe failed"
    chroot "$S" /usr/local/bin/runcwrap doctor --bin-dir /usr/local/bin --containerd-pid "$FAKE_PID" 2>&1 | sed 's/^/    /' || true
fi
if grep -q 'running runcwrap install' "$T/pods/pod1.log" && grep -q 'this node is fixed' "$T/pods/pod1.log"; then
    pass "the pod's log says what it ran and that the node is fixed"
else
    fail "the pod's log does not say what it ran and that the node is fixed"
fi

# ---- a restart or rolling update: the old pod ends, a new one starts ------------------------------
# Terminating the pod (as the kubelet does, its preStop hook included) must leave runcwrap in
# place, and the new pod must change nothing: running containers' runc calls go through the runc
# slot all along, which is watched while one pod replaces the other.
installed=$(listing "$S")
watch_slot "$S/usr/local/bin" "$T/slot-watch" &
watcher=$!
stop_pod pod1
after1=$(listing "$S")
start_pod pod2 "$S"
after2=$(listing "$S")
touch "$T/slot-watch.stop"
wait "$watcher" || true
read -r samples misses <"$T/slot-watch" || samples=0
if [[ $installed == "$after1" ]]; then
    pass "terminating the installer pod leaves the install as it was ($(wc -l <<<"$after1") paths compared)"
else
    fail "terminating the installer pod changed the node:"
    diff <(echo "$installed") <(echo "$after1") | sed 's/^/    /' | head -n 20 || true
fi
if [[ $(cat "$T/pods/pod2/state" 2>/dev/null) == "installed /usr/local/bin" && $after1 == "$after2" ]]; then
    pass "a new pod over the old install changes nothing ($(wc -l <<<"$after2") paths compared)"
else
    fail "the new pod changed the node (state '$(cat "$T/pods/pod2/state" 2>/dev/null)'):"
    diff <(echo "$after1") <(echo "$after2") | sed 's/^/    /' | head -n 20 || true
fi
if ((samples >= 10 && misses == 0)); then
    pass "the runc slot was runcwrap at each of $samples checks while the new pod replaced the old"
else
    fail "the runc slot during the pod switch: $misses of $samples checks found no runcwrap"
fi

# ---- the staged result works: the e2e bug case through the installed runcwrap --------------------
# The private containerd drops the runtime options (ctr run --uidmap on 1.6): its shim runs runc
# from its PATH (T/ctd-opt/bin, then T/bin). As on the node, that PATH finds the runcwrap the pod
# installed first and a real runc after it (the side file's BinaryName "runc": runcwrap runs the
# next runc in PATH); that runc records each call and whether runcwrap ran it (RUNCWRAP_DEPTH).
mkdir -p "$T/ctd-opt/bin"
ln -sfn "$S/usr/local/bin/runc" "$T/ctd-opt/bin/runc"
cat >"$T/bin/runc" <<SH
#!/bin/sh
echo "DEPTH=\${RUNCWRAP_DEPTH:-} \$*" >>'$T/runc-calls.log'
exec '$E2E_REAL_RUNC' "\$@"
SH
chmod 0755 "$T/bin/runc"
install -m 0644 "$side" "$E2E_SIDE"
if e2e_ctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" bug1 \
    sh -c 'cat /proc/self/uid_map; echo to-stdout >/dev/stdout' </dev/null >"$T/bug1.out" 2>"$T/bug1.err" &&
    grep -qx to-stdout "$T/bug1.out" && awk '$1 == 0 && $2 == 100000 && $3 == 65536' "$T/bug1.out" | grep -q . &&
    grep -E '^DEPTH=[^ ]+ .* create ' "$T/runc-calls.log" >/dev/null; then
    pass "ctr run --uidmap (options dropped) runs through the installed runcwrap, its side file and the next runc in PATH"
else
    fail "the bug case through the installed runcwrap: $(tail -n 3 "$T/bug1.err" "$T/bug1.out" "$T/runc-calls.log" 2>&1 | tr '\n' ' ')"
fi
rm -f "$T/ctd-opt/bin/runc" "$T/bin/runc"
e2e_wrapper_off
# Control: without runcwrap the same run fails (this containerd has the bug).
if e2e_ctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" bug0 true </dev/null >/dev/null 2>"$T/bug0.err"; then
    fail "control: ctr run --uidmap succeeded without runcwrap: the case proves nothing"
elif grep -qF "executable file not found in \$PATH" "$T/bug0.err"; then
    pass "control: without runcwrap the same run fails (executable file not found in \$PATH)"
else
    fail "control: ctr run failed, but not as the bug does: $(tail -n 1 "$T/bug0.err")"
fi
# ---- removal: delete the installer DaemonSet, apply the uninstall one ----------------------------
stop_pod pod2
[[ $(listing "$S") == "$after2" ]] || fail "deleting the installer pod changed the node"
uninstall_node pod2u "$S" "$before" "node 1.7.24"

# ---- node 3: containerd 2.0.4, a version 3 config ------------------------------------------------
S3=$T/node3
mkdir -p "$S3"
stage_node "$S3" 2.0.4 v3
before=$(listing "$S3")
start_pod pod4 "$S3"
if [[ $(cat "$T/pods/pod4/state" 2>/dev/null) == "installed /usr/local/bin" ]] &&
    grep -qx 'BinaryName = "/usr/sbin/runc"' "$S3/etc/runcwrap/config.toml" &&
    grep -qx 'SystemdCgroup = false' "$S3/etc/runcwrap/config.toml" &&
    pod_exec pod4 probe "${M_PROBE[@]}"; then
    pass "node 2.0.4 (config version 3): installed, the side file has its BinaryName, the probe passes"
else
    fail "node 2.0.4: state '$(cat "$T/pods/pod4/state" 2>/dev/null)'"
    grep -v '^ ' "$T/pods/pod4.log" | sed 's/^/    /' | tail -n 20
    grep -E '^\s+\[(FAIL|warn)\]' "$T/pods/pod4.log" | sed 's/^/    /' || true
fi
stop_pod pod4
uninstall_node pod4u "$S3" "$before" "node 2.0.4"

# ---- node 5: containerd 1.7.24, its handler routed (RUNCWRAP_ROUTE_HANDLERS=all) ----------------
# The DaemonSet's route pass-through. The drop-in's handler names its runtime (BinaryName
# /usr/sbin/runc: on 1.7 runcwrap never sees its calls, issue #15): the pod installs, routes it
# through its entry, records its options in the side file's [handlers.runc], says containerd
# must be restarted (and restarts nothing); a second pod changes nothing and says so; the
# uninstall DaemonSet puts every byte back, containerd's drop-in included.
S5=$T/node5
mkdir -p "$S5"
stage_node "$S5" 1.7.24 named
before=$(listing "$S5")
cp "$S5/etc/containerd/conf.d/10-runc.toml" "$T/node5-dropin.before"
EXTRA_ENV=(RUNCWRAP_ROUTE_HANDLERS=all)
start_pod pod7 "$S5"
entry=/usr/local/lib/runcwrap/handlers/runc/runc
dropin_diff=$(diff "$T/node5-dropin.before" "$S5/etc/containerd/conf.d/10-runc.toml" || true)
table=$(sed -n '/^\[handlers.runc\]$/,/^\[/p' "$S5/etc/runcwrap/config.toml" 2>/dev/null)
if [[ $(cat "$T/pods/pod7/state" 2>/dev/null) == "installed /usr/local/bin" && -L $S5$entry ]] &&
    [[ $(readlink "$S5$entry") == /usr/local/bin/runcwrap ]] && # a node path: the node's runcwrap
    grep -qx 'BinaryName = "/usr/sbin/runc"' <<<"$table" && grep -qx 'Root = "/run/containerd/runc"' <<<"$table" &&
    [[ $(grep -c '^[<>]' <<<"$dropin_diff") == 2 ]] &&
    grep -qxF '<   BinaryName = "/usr/sbin/runc"' <<<"$dropin_diff" && grep -qxF ">   BinaryName = \"$entry\"" <<<"$dropin_diff" &&
    grep -q '^runcwrap-installer: routed (RUNCWRAP_ROUTE_HANDLERS=all): containerd must be restarted' "$T/pods/pod7.log" &&
    pod_exec pod7 probe "${M_PROBE[@]}"; then
    pass "node 1.7.24, handler naming /usr/sbin/runc, RUNCWRAP_ROUTE_HANDLERS=all: installed and routed (entry $entry -> runcwrap; [handlers.runc] has the handler's BinaryName and Root; only the drop-in's BinaryName line changed), the pod says containerd must be restarted, the probe passes"
else
    fail "node 1.7.24 routed: state '$(cat "$T/pods/pod7/state" 2>/dev/null)', entry '$(readlink "$S5$entry" 2>&1)', table '$(tr '\n' ' ' <<<"$table")', drop-in diff: $(tr '\n' ' ' <<<"$dropin_diff")"
    sed 's/^/    /' "$T/pods/pod7.log" | tail -n 30
fi
routed=$(listing "$S5")
stop_pod pod7
start_pod pod7b "$S5"
if [[ $(cat "$T/pods/pod7b/state" 2>/dev/null) == "installed /usr/local/bin" && $(listing "$S5") == "$routed" ]] &&
    grep -q '^runcwrap-installer: RUNCWRAP_ROUTE_HANDLERS=all: routed earlier .*nothing changed now' "$T/pods/pod7b.log"; then
    pass "node 1.7.24 routed: a new pod with the same env changes nothing and says so ($(wc -l <<<"$routed") paths compared)"
else
    fail "node 1.7.24 routed: the second pod (state '$(cat "$T/pods/pod7b/state" 2>/dev/null)'):"
    diff <(echo "$routed") <(listing "$S5") | sed 's/^/    /' | head -n 20 || true
    grep '^runcwrap-installer' "$T/pods/pod7b.log" | sed 's/^/    /' | tail -n 8
fi
EXTRA_ENV=()
stop_pod pod7b
uninstall_node pod7u "$S5" "$before" "node 1.7.24 routed"

# ---- node 6: RUNCWRAP_ROUTE_HANDLERS=all where nothing needs routing -----------------------------
# The handler leaves BinaryName unset: the shim already runs runc from PATH, i.e. runcwrap. The
# pod routes nothing, leaves containerd's config as it was, and does not ask for a restart.
S6=$T/node6
mkdir -p "$S6"
stage_node "$S6" 1.7.24
before=$(listing "$S6")
cp "$S6/etc/containerd/conf.d/10-runc.toml" "$T/node6-dropin.before"
EXTRA_ENV=(RUNCWRAP_ROUTE_HANDLERS=all)
start_pod pod8 "$S6"
EXTRA_ENV=()
if [[ $(cat "$T/pods/pod8/state" 2>/dev/null) == "installed /usr/local/bin" && ! -e $S6/usr/local/lib/runcwrap ]] &&
    cmp -s "$T/node6-dropin.before" "$S6/etc/containerd/conf.d/10-runc.toml" &&
    grep -q '^runcwrap-installer: RUNCWRAP_ROUTE_HANDLERS=all: nothing routed, containerd.s config is unchanged' "$T/pods/pod8.log" &&
    ! grep -q 'must be restarted' "$T/pods/pod8.log"; then
    pass "node 1.7.24, BinaryName unset, RUNCWRAP_ROUTE_HANDLERS=all: installed, nothing routed (it already leads to runcwrap), containerd's config unchanged, no restart asked for"
else
    fail "node 1.7.24 nothing to route: state '$(cat "$T/pods/pod8/state" 2>/dev/null)'"
    grep '^runcwrap-installer' "$T/pods/pod8.log" | sed 's/^/    /' | tail -n 8
fi
stop_pod pod8
uninstall_node pod8u "$S6" "$before" "node 1.7.24 with nothing to route"

# ---- node 4: nowhere to go (containerd's PATH finds runc in its first folder) --------------------
S4=$T/node4
mkdir -p "$S4"
NODE_PATH=/usr/sbin:/usr/bin stage_node "$S4" 1.7.24
before=$(listing "$S4")
start_pod pod6 "$S4"
for ((i = 0; i < 50; i++)); do
    [[ $(e2e_task_status pod6) == STOPPED ]] && break
    sleep 0.2
done
after=$(listing "$S4")
if [[ $(e2e_task_status pod6) == STOPPED && ! -e $T/pods/pod6/state && $before == "$after" ]] &&
    grep -q 'no folder comes before it' "$T/pods/pod6.log"; then
    pass "node with runc in the first folder of containerd's PATH: the pod fails, says why, changes nothing"
else
    fail "node 4: task $(e2e_task_status pod6), state '$(cat "$T/pods/pod6/state" 2>/dev/null)', log: $(tail -n 3 "$T/pods/pod6.log" | tr '\n' ' ')"
fi
e2e_remove pod6

# ---- node 2: containerd 2.0.5 (fixed) -------------------------------------------------------------
S2=$T/node2
mkdir -p "$S2"
stage_node "$S2" 2.0.5
before=$(listing "$S2")
start_pod pod3 "$S2"
after=$(listing "$S2")
if [[ $(cat "$T/pods/pod3/state" 2>/dev/null) == not-needed && $before == "$after" ]] &&
    grep -q 'has the fix (2.0.5+, 2.1+): installing nothing' "$T/pods/pod3.log" &&
    pod_exec pod3 probe "${M_PROBE[@]}"; then
    pass "node 2.0.5: nothing installed, the pod says so and is ready"
else
    fail "node 2.0.5: state '$(cat "$T/pods/pod3/state" 2>/dev/null)'; log: $(tr '\n' ' ' <"$T/pods/pod3.log")"
    diff <(echo "$before") <(echo "$after") | sed 's/^/    /' | head -n 20
fi
stop_pod pod3

# Told to (RUNCWRAP_INSTALL_ON_FIXED=1, the manifest's env with another value): it installs there
# too, and the uninstall leaves the node as it was.
EXTRA_ENV=(RUNCWRAP_INSTALL_ON_FIXED=1)
start_pod pod5 "$S2"
EXTRA_ENV=()
if [[ $(cat "$T/pods/pod5/state" 2>/dev/null) == "installed /usr/local/bin" && -L $S2/usr/local/bin/runc ]]; then
    pass "node 2.0.5 with RUNCWRAP_INSTALL_ON_FIXED=1: installed"
else
    fail "node 2.0.5 with RUNCWRAP_INSTALL_ON_FIXED=1: state '$(cat "$T/pods/pod5/state" 2>/dev/null)'"
    grep -v '^ ' "$T/pods/pod5.log" | sed 's/^/    /' | tail -n 10
fi
stop_pod pod5
uninstall_node pod5u "$S2" "$before" "node 2.0.5 with RUNCWRAP_INSTALL_ON_FIXED=1"

echo "image suite: $PASSED passed, $FAILED failed ($((SECONDS - start)) s; private containerd $("$E2E_CTR" --version | awk '{print $3}'), image $INSTALLER_IMAGE)"
((FAILED == 0))
