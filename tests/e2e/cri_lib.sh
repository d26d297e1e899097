#!/usr/bin/env bash
# The CRI side of the e2e suite: a private containerd (1.7.x or 2.x from a release archive) with
# its CRI plugin on, driven by crictl. Sourced by cri.sh after lib.sh. Provides:
#   cri_setup            lib.sh's e2e_setup with the CRI config, CNI plugins, handlers, crictl
#   cri ARGS...          crictl against the private containerd (bounded)
#   cri_pod_json / cri_ctr_json   CRI configs (user-namespaced pods, mode POD)
#   cri_run_pod HANDLER NAME USER CMD   runp + create + start; sets POD_ID CTR_ID
#   cri_remove_pod POD   stopp + rmp, quiet
#   cri_lone_shim_is_containerds POD   containerd 2.0.x's lone shim, told apart from a leftover
#
# Every wall of running a private CRI here (see the README of tests/e2e): CRI userns mode POD = 0
# in the pod and in each container config; the CRI wants an IP on eth0, and this kernel has no
# dummy/macvlan/tun links, so a CNI plugin of our own makes a veth pair with both ends inside
# the pod's netns; root here cannot lower oom_score_adj (restrict_oom_score_adj); the pod's
# userns root must traverse every folder above the rootfs (0711/0755); the image is imported
# offline; pods' cgroups go under a parent of our own; CNI results (/var/lib/cni/results) and
# shim sockets (/run/containerd/s) are hard-coded paths, cleaned by name.
# shellcheck shell=bash disable=SC2034

CRI_CTD_VERSION=${E2E_CTD_VERSION:-}
CRICTL=${E2E_CRICTL:-}
CRI_NET="rcwnet$$"            # CNI network name: its results are /var/lib/cni/results/$CRI_NET-*
CRI_CGROUP_PARENT="/rcwcri$$" # every pod's cgroups under this parent
CRI_HAD_CNI_RESULTS=0
CRI_HAD_VAR_LIB_CNI=0
CRI_HAD_RUN_NETNS=0
CRI_USERNS='{"mode":0,"uids":[{"host_id":100000,"container_id":0,"length":65536}],"gids":[{"host_id":100000,"container_id":0,"length":65536}]}'
POD_ID=""
CTR_ID=""

# containerd's config: version 3 for 2.x, version 2 for 1.7. Handlers (BinaryName, Root):
#   runc      the real runc, outside PATH            root T/hroot/runc
#   reca/recb recording runtimes, each its own log   root T/hroot/reca, T/hroot/recb
#   wrapbin   runcwrap itself as the handler binary  root T/hroot/wrapbin
#   pathrunc  (1.7 only) empty BinaryName: `runc` from PATH
#   routeda/routedb  routed through runcwrap (issue #15), as `runcwrap route` leaves them:
#             BinaryName = runcwrap's entry T/lib/runcwrap/handlers/NAME/runc (a symlink to
#             T/opt/wrapbin/runc), the side file's [handlers.NAME] naming the recorder
#             T/opt/NAME-real/runc (log T/NAME.calls); only with a runcwrap binary
cri_handler_toml() { # PREFIX NAME BINARY
    local prefix=$1 name=$2 bin=$3
    printf '[%s.containerd.runtimes.%s]\n  runtime_type = "io.containerd.runc.v2"\n' "$prefix" "$name"
    printf '[%s.containerd.runtimes.%s.options]\n' "$prefix" "$name"
    [[ -n $bin ]] && printf '  BinaryName = "%s"\n' "$bin"
    printf '  Root = "%s"\n' "$E2E_T/hroot/$name"
}
CRI_ROUTED_HANDLERS=(routeda routedb)
cri_entry_of() { echo "$E2E_T/lib/runcwrap/handlers/$1/runc"; }
# CRI_HANDLERS (names from the list above) picks the handlers and CRI_DEFAULT_HANDLER the
# default; unset: all of them, default `runc` (cri.sh). cri_route.sh routes its own two recorders
# with `runcwrap route`, so it takes neither the hand-routed ones nor their entries and tables.
CRI_HANDLERS=${CRI_HANDLERS:-}
CRI_DEFAULT_HANDLER=${CRI_DEFAULT_HANDLER:-runc}
cri_handler_binary() { # NAME -> its BinaryName ("" for pathrunc)
    case $1 in
        runc) echo "$E2E_REAL_RUNC" ;;
        reca | recb | wrapbin) echo "$E2E_T/opt/$1/runc" ;;
        pathrunc) echo "" ;;
        routeda | routedb) cri_entry_of "$1" ;;
        *) e2e_die "unknown CRI handler $1" ;;
    esac
}
cri_routed_in_use() { # -> the hand-routed handlers of this config (only with a runcwrap binary)
    [[ -n $E2E_WRAPPER ]] || return 0
    local name
    for name in "${CRI_ROUTED_HANDLERS[@]}"; do
        if [[ -z $CRI_HANDLERS || " $CRI_HANDLERS " == *" $name "* ]]; then echo "$name"; fi
    done
}
cri_handlers_toml() { # PREFIX: every handler of CRI_HANDLERS (default: all of this release's)
    local prefix=$1 names=$CRI_HANDLERS name
    if [[ -z $names ]]; then
        names="runc reca recb wrapbin"
        [[ ${CRI_CTD_VERSION%%.*} -ge 2 ]] || names+=" pathrunc"
        names+=" $(cri_routed_in_use | tr '\n' ' ')"
    fi
    for name in $names; do cri_handler_toml "$prefix" "$name" "$(cri_handler_binary "$name")"; done
}
cri_write_containerd_config() {
    local common
    common=$(
        cat <<EOF
root = "$E2E_T/root"
state = "$E2E_T/state"
[grpc]
  address = "$E2E_SOCK"
[ttrpc]
  address = "$E2E_SOCK.ttrpc"
[debug]
  level = "info"
[metrics]
  address = ""
EOF
    )
    if [[ ${CRI_CTD_VERSION%%.*} -ge 2 ]]; then
        local rt="plugins.'io.containerd.cri.v1.runtime'"
        {
            echo "version = 3"
            echo "$common"
            cat <<EOF
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing",
  "io.containerd.nri.v1.nri",
]
[plugins.'io.containerd.internal.v1.opt']
  path = "$E2E_T/ctd-opt"
[plugins.'io.containerd.snapshotter.v1.overlayfs']
  slow_chown = false
[plugins.'io.containerd.cri.v1.images']
  snapshotter = "overlayfs"
[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = "$E2E_IMAGE"
[plugins.'io.containerd.grpc.v1.cri']
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
[$rt]
  enable_selinux = false
  restrict_oom_score_adj = true
[$rt.cni]
  bin_dir = "$E2E_T/cni/bin"
  conf_dir = "$E2E_T/cni/conf"
[$rt.containerd]
  default_runtime_name = "$CRI_DEFAULT_HANDLER"
EOF
            cri_handlers_toml "$rt"
        } >"$E2E_T/config.toml"
    else
        local rt='plugins."io.containerd.grpc.v1.cri"'
        {
            echo "version = 2"
            echo "$common"
            cat <<EOF
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing",
  "io.containerd.nri.v1.nri",
]
[plugins."io.containerd.internal.v1.opt"]
  path = "$E2E_T/ctd-opt"
[$rt]
  sandbox_image = "$E2E_IMAGE"
  enable_selinux = false
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
[$rt.cni]
  bin_dir = "$E2E_T/cni/bin"
  conf_dir = "$E2E_T/cni/conf"
[$rt.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "$CRI_DEFAULT_HANDLER"
EOF
            cri_handlers_toml "$rt"
        } >"$E2E_T/config.toml"
    fi
}

# CNI: `loopback` (the CRI's own lo network) and `rcwnet` (eth0: a veth pair with both ends in
# the pod's netns, so nothing on the host changes). Both log ADD/DEL to T/cni/calls.log.
cri_write_cni() {
    mkdir -p "$E2E_T/cni/bin" "$E2E_T/cni/conf"
    local common
    # shellcheck disable=SC2016 # expanded by the plugin
    common='conf=$(cat); ver=$(printf %s "$conf" | /usr/bin/jq -r ".cniVersion // \"1.0.0\"")
in_ns() { /usr/bin/nsenter --net="$CNI_NETNS" "$@"; }
case "$CNI_COMMAND" in
VERSION) printf "{\"cniVersion\":\"%s\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]}" "$ver"; exit 0 ;;
DEL | CHECK | GC | STATUS) echo "$CNI_COMMAND $CNI_CONTAINERID $CNI_NETNS" >>"'"$E2E_T"'/cni/calls.log"; exit 0 ;;
esac
echo "$CNI_COMMAND $CNI_CONTAINERID $CNI_NETNS" >>"'"$E2E_T"'/cni/calls.log"'
    {
        echo '#!/bin/sh'
        echo '# runcwrap e2e CNI plugin: lo up in the pod netns'
        echo "$common"
        # shellcheck disable=SC2016
        echo 'in_ns /usr/sbin/ip link set lo up >&2 || exit 1
printf "{\"cniVersion\":\"%s\",\"interfaces\":[{\"name\":\"lo\",\"sandbox\":\"%s\"}],\"ips\":[{\"version\":\"4\",\"address\":\"127.0.0.1/8\",\"interface\":0}]}" "$ver" "$CNI_NETNS"'
    } >"$E2E_T/cni/bin/loopback"
    {
        echo '#!/bin/sh'
        echo '# runcwrap e2e CNI plugin: eth0 = one end of a veth pair whose both ends live in the pod netns'
        echo "$common"
        # shellcheck disable=SC2016
        echo 'in_ns /usr/sbin/ip link add "$CNI_IFNAME" type veth peer name rcwpeer0 >&2 || exit 1
in_ns /usr/sbin/ip addr add 10.254.0.2/24 dev "$CNI_IFNAME" >&2 || exit 1
in_ns /usr/sbin/ip link set rcwpeer0 up >&2 || exit 1
in_ns /usr/sbin/ip link set "$CNI_IFNAME" up >&2 || exit 1
printf "{\"cniVersion\":\"%s\",\"interfaces\":[{\"name\":\"%s\",\"sandbox\":\"%s\"}],\"ips\":[{\"version\":\"4\",\"address\":\"10.254.0.2/24\",\"interface\":0}]}" "$ver" "$CNI_IFNAME" "$CNI_NETNS"'
    } >"$E2E_T/cni/bin/rcwnet"
    chmod 0755 "$E2E_T/cni" "$E2E_T/cni/bin" "$E2E_T/cni/bin/loopback" "$E2E_T/cni/bin/rcwnet"
    printf '{"cniVersion":"1.0.0","name":"%s","plugins":[{"type":"rcwnet"}]}\n' "$CRI_NET" \
        >"$E2E_T/cni/conf/10-rcwnet.conflist"
}

cri() {
    timeout 120 "$CRICTL" --config "$E2E_T/crictl.yaml" "$@"
}

# Pod config: user-namespaced (mode POD) unless USERNS=0. cri_pod_json NAME FILE [USERNS]
cri_pod_json() {
    local name=$1 file=$2 userns=${3:-1} sc='{}'
    ((userns)) && sc="{\"namespace_options\":{\"userns_options\":$CRI_USERNS}}"
    mkdir -p "$E2E_T/logs/$name"
    printf '{"metadata":{"name":"%s","namespace":"rcwe2e","uid":"uid-%s-%s","attempt":0},"log_directory":"%s","linux":{"cgroup_parent":"%s","security_context":%s}}\n' \
        "$name" "$name" "$$" "$E2E_T/logs/$name" "$CRI_CGROUP_PARENT" "$sc" >"$file"
}
# Container config: cri_ctr_json NAME USER(uid) SCRIPT FILE [USERNS]
cri_ctr_json() {
    local name=$1 user=$2 script=$3 file=$4 userns=${5:-1} ns=''
    ((userns)) && ns=",\"namespace_options\":{\"userns_options\":$CRI_USERNS}"
    jq -n --arg name "$name" --arg image "$E2E_IMAGE" --arg script "$script" --argjson uid "$user" \
        --argjson ns "{${ns#,}}" \
        '{metadata: {name: $name}, image: {image: $image}, command: ["/bin/sh", "-c", $script],
          log_path: ($name + ".log"),
          linux: {security_context: ({run_as_user: {value: $uid}} + $ns)}}' >"$file"
}

# cri_run_pod HANDLER NAME UID SCRIPT: runp + create + start in CASE_DIR; sets POD_ID, CTR_ID.
# Fails (returns 1) at the first step that fails; its stderr is in NAME.err.
cri_run_pod() {
    local handler=$1 name=$2 uid=$3 script=$4
    POD_ID="" CTR_ID=""
    cri_pod_json "$name" "$name-pod.json"
    cri_ctr_json app "$uid" "$script" "$name-ctr.json"
    POD_ID=$(cri runp --runtime "$handler" "$name-pod.json" 2>"$name.err") || return 1
    cri_note_socket "$POD_ID"
    CTR_ID=$(cri create --no-pull "$POD_ID" "$name-ctr.json" "$name-pod.json" 2>>"$name.err") || return 1
    cri start "$CTR_ID" >>"$name.err" 2>&1 || return 1
}

# Remember a pod's shim socket (/run/containerd/s/<hash>, from its sandbox bundle) for the
# cleanup: after rmp the bundle is gone, and a shim killed then leaves the socket behind.
cri_note_socket() { # POD
    local b=$E2E_BUNDLES/$1 a=""
    if [[ -f $b/bootstrap.json ]]; then
        a=$(jq -r '.address // ""' "$b/bootstrap.json" 2>/dev/null)
    elif [[ -f $b/address ]]; then
        a=$(cat "$b/address")
    fi
    if [[ -n $a ]]; then echo "${a#unix://}" >>"$E2E_T/shim-sockets"; fi
    return 0
}

cri_remove_pod() {
    local pod
    for pod in "$@"; do
        cri stopp "$pod" >/dev/null 2>&1 || true
        cri rmp -f "$pod" >/dev/null 2>&1 || true
    done
}

# Shim processes of these pods (one shim per pod, its -id the sandbox id; the shim's own
# `delete` cleanup process too), as "pid: command line" lines.
cri_pod_shims() { # POD...
    local p cmd pod
    for p in /proc/[0-9]*; do
        cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
        [[ $cmd == *containerd-shim-runc-v2*"-address $E2E_SOCK "* ]] || continue
        for pod in "$@"; do
            if [[ $cmd == *" -id $pod "* ]]; then echo "${p#/proc/}: $cmd"; fi
        done
    done
}

# The host's pid of a container's init (0 when not running).
cri_pid_of() { cri inspect "$1" 2>/dev/null | jq -r '.info.pid // 0'; }
# owner uid:gid of a process's fd, seen from the host
cri_fd_owner() { stat -L -c %u:%g "/proc/$1/fd/$2" 2>/dev/null || echo gone; }

cri_cleanup() { # E2E_CLEANUP_FN: containerd still runs
    local pods
    pods=$(cri pods -q 2>/dev/null || true)
    if [[ -n $pods ]]; then
        # shellcheck disable=SC2086
        cri_remove_pod $pods
    fi
}
# After e2e_cleanup: what the CRI made outside T (hard-coded paths), ours by name or record.
cri_cleanup_outside() {
    local ns cg
    for ns in "${CRI_NETNS_SEEN[@]}"; do
        if [[ -e $ns ]]; then
            umount -l "$ns" 2>/dev/null || true
            rm -f "$ns"
        fi
    done
    rm -f /var/lib/cni/results/"$CRI_NET"-* 2>/dev/null || true
    local pod
    for pod in "${CRI_PODS_SEEN[@]}"; do
        rm -f /var/lib/cni/results/cni-loopback-"$pod"-* 2>/dev/null || true
    done
    ((CRI_HAD_CNI_RESULTS)) || rmdir /var/lib/cni/results 2>/dev/null || true
    ((CRI_HAD_VAR_LIB_CNI)) || rmdir /var/lib/cni 2>/dev/null || true
    # the CRI pins pod netns under a hard-coded /var/run/netns
    ((CRI_HAD_RUN_NETNS)) || rmdir /run/netns 2>/dev/null || true
    for cg in /sys/fs/cgroup/*"$CRI_CGROUP_PARENT" /sys/fs/cgroup/*/*"$CRI_CGROUP_PARENT"; do
        [[ -d $cg ]] || continue
        find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
}
CRI_NETNS_SEEN=()
CRI_PODS_SEEN=()
cri_note_netns() { # read the CNI plugin's log before T goes
    local cmd id ns
    [[ -f $E2E_T/cni/calls.log ]] || return 0
    while read -r cmd id ns; do
        if [[ $cmd == ADD && $ns == /*/netns/* ]]; then CRI_NETNS_SEEN+=("$ns"); fi
        if [[ $cmd == ADD && $id =~ ^[0-9a-f]+$ ]]; then CRI_PODS_SEEN+=("$id"); fi
    done <"$E2E_T/cni/calls.log"
    return 0
}
cri_full_cleanup() {
    local rc=$?
    set +e # the EXIT trap: every step is best effort, none may end the cleanup
    cri_note_netns
    e2e_cleanup || true
    cri_cleanup_outside
    return "$rc"
}

# E2E_CONFIG_FN: lib.sh's e2e_setup calls it once T exists; the CNI and handler binaries must be
# there before containerd starts (2.0's CRI runs every handler's `features` at start).
cri_before_containerd() {
    cri_write_cni
    mkdir -p "$E2E_T/hroot" "$E2E_T/logs" "$E2E_T/opt/wrapbin"
    chmod 0755 "$E2E_T/hroot" "$E2E_T/logs"
    e2e_make_recorder "$E2E_T/opt/reca/runc" "$E2E_T/reca.calls" "$E2E_REAL_RUNC"
    e2e_make_recorder "$E2E_T/opt/recb/runc" "$E2E_T/recb.calls" "$E2E_REAL_RUNC"
    e2e_make_recorder "$E2E_T/opt/side/runc" "$E2E_T/side.calls" "$E2E_REAL_RUNC"
    if [[ -n $E2E_WRAPPER ]]; then install -m 0755 "$E2E_WRAPPER" "$E2E_T/opt/wrapbin/runc"; fi
    chmod 0755 "$E2E_T/opt/wrapbin"
    # The routed handlers' entries and their real runtimes (2.0's CRI asks each for `features`
    # at start: through the entry, runcwrap answers with the handler's runtime).
    local name
    for name in $(cri_routed_in_use); do
        e2e_make_recorder "$E2E_T/opt/$name-real/runc" "$E2E_T/$name.calls" "$E2E_REAL_RUNC"
        install -d -m 0755 "$(dirname "$(cri_entry_of "$name")")"
        ln -sfn "$E2E_T/opt/wrapbin/runc" "$(cri_entry_of "$name")"
        chmod -R go-w "$E2E_T/lib"
    done
    cri_side_file
    printf 'runtime-endpoint: unix://%s\nimage-endpoint: unix://%s\ntimeout: 60\ndebug: false\npull-image-on-create: false\n' \
        "$E2E_SOCK" "$E2E_SOCK" >"$E2E_T/crictl.yaml"
    cri_write_containerd_config
}

cri_setup() {
    [[ -x $CRICTL ]] || e2e_die "no crictl (E2E_CRICTL)"
    [[ -n $CRI_CTD_VERSION ]] || e2e_die "no containerd version (E2E_CTD_VERSION)"
    [[ -d /var/lib/cni ]] && CRI_HAD_VAR_LIB_CNI=1
    [[ -d /var/lib/cni/results ]] && CRI_HAD_CNI_RESULTS=1
    [[ -d /run/netns ]] && CRI_HAD_RUN_NETNS=1
    E2E_NS=k8s.io
    E2E_CONFIG_FN=cri_write_containerd_config
    E2E_CLEANUP_FN=cri_cleanup
    # The pod sandbox runs the image's Cmd: it must stay up until killed.
    E2E_IMAGE_CMD='["/bin/sleep","2147483647"]'
    E2E_CONFIG_FN=cri_before_containerd
    E2E_TRAP_FN=cri_full_cleanup
    e2e_setup "$1"
    cri_side_file
    # the CRI sees an imported image through its own store a moment later
    local i
    for ((i = 0; i < 50; i++)); do
        cri inspecti "$E2E_IMAGE" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    e2e_die "the CRI does not see the imported image $E2E_IMAGE"
}

# The side file: BinaryName the side recorder (a case proves it is *not* what a pod runs), the
# decision log on.
cri_side_file() {
    local tmp
    tmp=$(mktemp "$E2E_T/etc/runcwrap/.config.XXXXXX")
    {
        printf '# written by tests/e2e/cri.sh\n[options]\nBinaryName = "%s"\n\n[runcwrap]\nLogFile = "%s"\n' \
            "$E2E_T/opt/side/runc" "$E2E_T/runcwrap.log"
        # What `runcwrap route` records: each routed handler's options as containerd had them.
        local name
        for name in $(cri_routed_in_use); do
            printf '\n[handlers.%s]\nBinaryName = "%s"\nRoot = "%s"\n' \
                "$name" "$E2E_T/opt/$name-real/runc" "$E2E_T/hroot/$name"
        done
    } >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$E2E_SIDE"
}

# What containerd $1's CRI does with a user-namespaced pod's runtime options (measured on each
# release, tests/e2e/README.md): fixed (2.0.5+), drops (2.0.0-2.0.4; 2.0.1-2.0.4 measured),
# keeps (1.7: options kept, stdio pipes root's), ignores (1.6: no user namespace at all).
cri_release_kind() {
    local v=$1
    version_ge() { [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1) == "$2" ]]; }
    if version_ge "$v" 2.0.5; then
        echo fixed
    elif version_ge "$v" 2.0.0; then
        echo drops
    elif version_ge "$v" 1.7.0; then
        echo keeps
    else
        echo ignores
    fi
}

# containerd 2.0.x's lone shim. On 2.0.x the CRI creates app containers with the pod's SandboxID
# (internal/cri/server/container_create.go: WithSandbox), so their task delete never asks the
# shim to exit ("Let controller decide when to shutdown", core/runtime/v2/shim.go): only the
# pause container's task delete does, once, and the runc shim ignores that Shutdown while any
# container is still in its table. When that one chance is missed (a container still in the
# table, or the pause's exit handling failing and being retried: the one seen logged "Events for
# POD is in backoff"; under load about once in 20 scenario runs on 2.0.4; upstream: containerd
# issues #10421 and #12344), nothing asks again and the shim stays, alone.
# cri_lone_shim_is_containerds POD: the caller has checked that nothing but the shim is left of
# POD (no sandbox, container, bundle, runc state, mount or cgroup). Returns 0 and prints the
# evidence when it is that case: containerd 2.0.x, the shim has no child process, and no
# decision runcwrap logged for the pod or its containers failed (its deletes all exec'd the
# runtime). Anything else is a leftover runcwrap may have caused.
cri_lone_shim_is_containerds() {
    local pod=$1 ids id lines=0 deletes=0 bad=0 shim_pid
    [[ $CRI_CTD_VERSION == 2.0.* ]] || return 1
    shim_pid=$(cri_pod_shims "$pod" | head -n 1 | cut -d: -f1)
    [[ -n $shim_pid ]] || return 1
    [[ -z $(pgrep -P "$shim_pid" || true) ]] || return 1
    ids=$(grep -F "within sandbox \\\"$pod\\\"" "$E2E_T/containerd.log" 2>/dev/null |
        grep -o 'returns container id \\"[0-9a-f]*' | grep -o '[0-9a-f]\{64\}' | sort -u || true)
    for id in $pod $ids; do
        local d
        d=$(grep -F "\"id\":\"$id\"" "$E2E_T/runcwrap.log" 2>/dev/null || true)
        [[ -n $d ]] || continue
        lines=$((lines + $(grep -c . <<<"$d")))
        deletes=$((deletes + $(grep -F '"command":"delete"' <<<"$d" | grep -cF '"outcome":"exec"' || true)))
        bad=$((bad + $(grep -cvF '"outcome":"exec"' <<<"$d" || true)))
    done
    ((bad == 0)) || return 1
    local said=""
    grep -F "$pod" "$E2E_T/containerd.log" 2>/dev/null | grep -F 'is in backoff' >/dev/null && said+="; containerd.log: the pod's exit handling went to backoff"
    grep -F "$pod" "$E2E_T/containerd.log" 2>/dev/null | grep -F 'ttrpc: closed' >/dev/null && said+="; containerd.log: 'ttrpc: closed' for it"
    echo "containerd $CRI_CTD_VERSION left the shim of removed pod ${pod:0:12} running, alone and childless (its pod, $(wc -w <<<"$ids") container(s), bundles, runc state, mounts and cgroups all gone; runcwrap's $lines decision(s) for them all exec'd the runtime, $deletes of them deletes$said): on 2.0.x only the pause container's delete asks the shim to exit, once (containerd issues #10421, #12344; tests/e2e/cri_lib.sh)"
}
