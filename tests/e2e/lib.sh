#!/usr/bin/env bash
# Shared helpers for the runcwrap end-to-end suite (run.sh) and the demo (demo.sh).
#
# Sourced, not run. Provides:
#   e2e_require_root, e2e_install_deps
#   e2e_setup            temp dir T, the intended runtimes outside PATH, image tarball,
#                        private containerd, image imported; installs the cleanup trap
#   e2e_ctr ARGS...      ctr against the private containerd (timeout 60)
#   e2e_make_recorder    a recording runtime (logs each call, then runs the real one)
#
# Which containerd and runc (set before sourcing; defaults: Debian's packages):
#   E2E_CTD_BIN_DIR      folder holding containerd, ctr and containerd-shim-runc-v2
#   E2E_RUNC_SRC         the runc copied as the intended runtime
#   E2E_NS               containerd namespace of the cases (CRI: k8s.io)
#   E2E_CONFIG_FN        function writing T/config.toml (default: ctr-only, CRI disabled)
#   E2E_IMAGE_CMD        the image's Cmd as a JSON array (default ["/bin/sh"])
#   E2E_CLEANUP_FN       function run first by e2e_cleanup while containerd still runs
#   E2E_TRAP_FN          the EXIT trap (default e2e_cleanup; must call it)
#   e2e_wrapper_on/off   put runcwrap as `runc` on containerd's PATH / take it away
#   e2e_side_file K=V... write the side file runcwrap reads (RUNCWRAP_CONFIG)
#   e2e_remove ID...     kill + delete task, delete container (quietly, best effort)
#   e2e_cleanup          everything back as it was (also run by the trap)
#
# Layout under T (a `mktemp -d`, mode 0755 so a user-namespaced container can traverse it):
#   T/bin                the only directory on containerd's (and so the shim's) PATH
#   T/opt/runc-real/runc the intended runtime (a copy of Debian's runc), outside PATH
#   T/opt/crun-real/crun the same for crun
#   T/etc/runcwrap/config.toml   the side file (RUNCWRAP_CONFIG)
#   T/image/             the OCI layout built from busybox-static, T/image.tar its archive
#   T/root T/state T/containerd.sock T/config.toml T/containerd.log   the private containerd
# shellcheck shell=bash disable=SC2034

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_T=""
E2E_NS="${E2E_NS:-rcwe2e$$}"
E2E_CTD_BIN_DIR="${E2E_CTD_BIN_DIR:-}"
E2E_RUNC_SRC="${E2E_RUNC_SRC:-/usr/sbin/runc}"
E2E_CONFIG_FN="${E2E_CONFIG_FN:-e2e_write_containerd_config}"
E2E_IMAGE_CMD="${E2E_IMAGE_CMD:-[\"/bin/sh\"]}"
E2E_CLEANUP_FN="${E2E_CLEANUP_FN:-}"
E2E_CTR=""
E2E_OWN_IDS=() # ids whose runc state may sit in a root shared with other containerds
E2E_IMAGE="localhost/runcwrap-e2e/busybox:latest"
E2E_CTD_PID=""
E2E_SOCK=""
E2E_STATE=""
E2E_BUNDLES=""
E2E_REAL_RUNC=""
E2E_REAL_CRUN=""
E2E_SIDE=""
E2E_WRAPPER=""
E2E_RUNC_ROOT=""
E2E_HAD_RUN_CONTAINERD=0
E2E_CLEANED=0
E2E_CASE_RESULT="" # pass, fail or na: the last e2e_case_body
E2E_CHILD_PID=""   # a background job of the caller (a running case) to end before cleaning up
E2E_KEEP="${E2E_KEEP:-0}"
E2E_UIDMAP=(--uidmap 0:100000:65536 --gidmap 0:100000:65536)
export E2E_DIR

e2e_log() { printf '[e2e] %s\n' "$*" >&2; }
e2e_die() {
    printf '[e2e] error: %s\n' "$*" >&2
    exit 1
}

e2e_require_root() {
    [[ $(id -u) -eq 0 ]] || e2e_die "must be run as root (it starts containerd and containers)"
}

# Install the Debian packages the suite needs, only those missing.
e2e_install_deps() {
    local missing=() pkg
    for pkg in containerd runc crun busybox-static; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    # `script` (bsdutils) gives `ctr run -t` a terminal; jq reads runc's state.json
    command -v script >/dev/null 2>&1 || missing+=(bsdutils)
    command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
    command -v jq >/dev/null 2>&1 || missing+=(jq)
    if ((${#missing[@]})); then
        e2e_log "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    local b
    [[ -n $E2E_CTD_BIN_DIR ]] || E2E_CTD_BIN_DIR=$(dirname "$(command -v containerd)")
    E2E_CTR=$E2E_CTD_BIN_DIR/ctr
    for b in "$E2E_CTD_BIN_DIR"/{containerd,ctr,containerd-shim-runc-v2}; do
        [[ -x $b ]] || e2e_die "$b not found after install"
    done
    [[ -x /usr/sbin/runc ]] || e2e_die "/usr/sbin/runc missing"
    [[ -x /usr/bin/crun ]] || e2e_die "/usr/bin/crun missing"
    [[ -x /bin/busybox ]] || e2e_die "/bin/busybox (busybox-static) missing"
}

# ctr against the private containerd, always bounded.
e2e_ctr() {
    timeout 60 "$E2E_CTR" -a "$E2E_SOCK" -n "$E2E_NS" "$@"
}

# ---------------------------------------------------------------------------------------------
# OCI image: one uncompressed layer holding busybox-static and its applet symlinks.

e2e_oci_arch() {
    case "$(uname -m)" in
        x86_64) echo amd64 ;;
        aarch64) echo arm64 ;;
        armv7l) echo arm ;;
        *) uname -m ;;
    esac
}

# e2e_blob FILE -> moves FILE into the layout's blobs/sha256/, prints "DIGEST SIZE"
e2e_blob() {
    local file=$1 layout=$2 sum size
    sum=$(sha256sum "$file" | cut -d' ' -f1)
    size=$(stat -c %s "$file")
    mv "$file" "$layout/blobs/sha256/$sum"
    printf 'sha256:%s %s\n' "$sum" "$size"
}

e2e_build_image() {
    local out=$1 work rootfs layout applet arch
    work=$(mktemp -d "$E2E_T/imgbuild.XXXXXX")
    rootfs=$work/rootfs
    layout=$work/layout
    mkdir -p "$rootfs"/{bin,dev,proc,sys,etc,tmp,root,run,var} "$layout/blobs/sha256"
    chmod 1777 "$rootfs/tmp"
    cp /bin/busybox "$rootfs/bin/busybox"
    chmod 0755 "$rootfs/bin/busybox"
    while read -r applet; do
        [[ -n $applet && $applet != busybox ]] || continue
        ln -sf busybox "$rootfs/bin/$applet"
    done < <(/bin/busybox --list)
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$rootfs/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
        -C "$rootfs" -cf "$work/layer.tar" .
    local layer_digest layer_size
    read -r layer_digest layer_size < <(e2e_blob "$work/layer.tar" "$layout")
    arch=$(e2e_oci_arch)

    printf '{"architecture":"%s","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":%s,"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created_by":"runcwrap e2e: busybox-static"}]}' \
        "$arch" "$E2E_IMAGE_CMD" "$layer_digest" >"$work/config.json"
    local cfg_digest cfg_size
    read -r cfg_digest cfg_size < <(e2e_blob "$work/config.json" "$layout")

    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%s}]}' \
        "$cfg_digest" "$cfg_size" "$layer_digest" "$layer_size" >"$work/manifest.json"
    local man_digest man_size
    read -r man_digest man_size < <(e2e_blob "$work/manifest.json" "$layout")

    printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"platform":{"architecture":"%s","os":"linux"},"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
        "$man_digest" "$man_size" "$arch" >"$layout/index.json"
    printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$layout" -cf "$out" .
    rm -rf "$work"
}

# ---------------------------------------------------------------------------------------------
# Private containerd.

e2e_write_containerd_config() {
    cat >"$E2E_T/config.toml" <<EOF
version = 2
root = "$E2E_T/root"
state = "$E2E_T/state"
disabled_plugins = [
  "io.containerd.grpc.v1.cri",
  "io.containerd.cri.v1.runtime",
  "io.containerd.cri.v1.images",
  "io.containerd.nri.v1.nri",
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]
[grpc]
  address = "$E2E_SOCK"
[ttrpc]
  address = "$E2E_SOCK.ttrpc"
[debug]
  level = "info"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$E2E_T/ctd-opt"
EOF
}

e2e_start_containerd() {
    local ctd=$E2E_CTD_BIN_DIR/containerd
    [[ -x "$(dirname "$ctd")/containerd-shim-runc-v2" ]] ||
        e2e_die "containerd-shim-runc-v2 is not next to $ctd"
    "$E2E_CONFIG_FN"
    # A fresh environment: PATH is T/bin alone (the shim is found next to containerd), so the
    # only `runc` the shim can ever find is the one a case puts there. Inherited fds above 2
    # are closed so containerd and its shims hold nothing of ours (a pipe of a caller's $(...)).
    (
        exec </dev/null >"$E2E_T/containerd.log" 2>&1
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec env -i PATH="$E2E_T/bin" HOME=/root RUNCWRAP_CONFIG="$E2E_SIDE" \
            "$ctd" --root "$E2E_T/root" --state "$E2E_T/state" \
            --address "$E2E_SOCK" --config "$E2E_T/config.toml"
    ) &
    E2E_CTD_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        if [[ -S $E2E_SOCK ]] && timeout 5 "$E2E_CTR" -a "$E2E_SOCK" version >/dev/null 2>&1; then
            return 0
        fi
        kill -0 "$E2E_CTD_PID" 2>/dev/null || break
        sleep 0.2
    done
    tail -n 30 "$E2E_T/containerd.log" >&2 || true
    e2e_die "private containerd did not come up"
}

e2e_stop_containerd() {
    [[ -n $E2E_CTD_PID ]] || return 0
    if kill -0 "$E2E_CTD_PID" 2>/dev/null; then
        kill -TERM "$E2E_CTD_PID" 2>/dev/null || true
        local i
        for ((i = 0; i < 50; i++)); do
            kill -0 "$E2E_CTD_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$E2E_CTD_PID" 2>/dev/null || true
    fi
    wait "$E2E_CTD_PID" 2>/dev/null || true
    E2E_CTD_PID=""
}

# pids of shims this containerd started (their argv names our private socket)
e2e_our_shims() {
    local p cmd
    for p in /proc/[0-9]*; do
        cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
        case "$cmd" in
            *containerd-shim-runc-v2*"-address $E2E_SOCK "*) echo "${p#/proc/}" ;;
        esac
    done
}

# ---------------------------------------------------------------------------------------------
# Per-case helpers.

# A recording runtime: appends `CALL <args>` and `FDS <owner of fd0> <fd1> <fd2>` to LOG, then
# execs REAL. Usage: e2e_make_recorder PATH LOG REAL
e2e_make_recorder() {
    local path=$1 log=$2 real=$3
    mkdir -p "$(dirname "$path")"
    chmod 0755 "$(dirname "$path")"
    cat >"$path" <<EOF
#!/bin/sh
# runcwrap e2e recording runtime: log the call, then run the real runtime
own() { /usr/bin/stat -L -c %u:%g "/proc/\$\$/fd/\$1" 2>/dev/null || echo none; }
line=CALL
for a in "\$@"; do line="\$line \$a"; done
printf '%s\nFDS %s %s %s\n' "\$line" "\$(own 0)" "\$(own 1)" "\$(own 2)" >>'$log'
exec '$real' "\$@"
EOF
    chmod 0755 "$path"
}

# Puts runcwrap on the shim's PATH as `runc` (a copy, so a rebuild mid-run changes nothing).
e2e_wrapper_on() {
    [[ -n $E2E_WRAPPER ]] || e2e_die "no runcwrap binary given"
    install -m 0755 "$E2E_WRAPPER" "$E2E_T/bin/runc"
}
e2e_wrapper_off() { rm -f "$E2E_T/bin/runc"; }

# e2e_side_file BinaryName=/x Root=/y ... : the side file, root-owned 0644 in a 0755 folder.
e2e_side_file() {
    local kv key val tmp
    tmp=$(mktemp "$E2E_T/etc/runcwrap/.config.XXXXXX")
    {
        echo "# written by tests/e2e for one case"
        echo "[options]"
        for kv in "$@"; do
            key=${kv%%=*}
            val=${kv#*=}
            case "$val" in
                true | false) printf '%s = %s\n' "$key" "$val" ;;
                *) printf '%s = "%s"\n' "$key" "$val" ;;
            esac
        done
    } >"$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$E2E_SIDE"
}

# e2e_case_body NAME FN: runs case function FN in its own errexit subshell inside CASE_DIR, its
# output in CASE_DIR/out.log (an unexpected failing command records itself in CASE_DIR/reason),
# then prints one `PASS`, `FAIL <reason>` (with the tail of its output and containerd's last
# errors) or `N/A <reason>` (FN exited 77) line, and sets E2E_CASE_RESULT to pass, fail or na for
# the caller to count. It always returns 0: called in an `if` or `||` list, bash would run FN
# with errexit and the ERR trap silently off. Shared by the ctr and the CRI suites; each does its
# own setup before and cleanup after.
e2e_case_body() {
    local name=$1 fn=$2 rc=0 start=$SECONDS reason
    (
        set -eEuo pipefail
        trap 'printf "unexpected failure (exit %s) of: %s\n" "$?" "$BASH_COMMAND" >>"$CASE_DIR/reason"' ERR
        cd "$CASE_DIR"
        "$fn"
    ) >"$CASE_DIR/out.log" 2>&1 &
    E2E_CHILD_PID=$!
    wait "$E2E_CHILD_PID" || rc=$?
    E2E_CHILD_PID=""
    reason=$(head -n 1 "$CASE_DIR/reason" 2>/dev/null || true)
    if ((rc == 77)); then
        printf 'N/A %s%s: %s\n' "$E2E_LABEL" "$name" "$reason"
        E2E_CASE_RESULT=na
    elif ((rc == 0)); then
        printf 'PASS %s%s (%ss)\n' "$E2E_LABEL" "$name" "$((SECONDS - start))"
        E2E_CASE_RESULT=pass
    else
        printf 'FAIL %s%s: %s\n' "$E2E_LABEL" "$name" "${reason:-exited $rc without a reason}"
        {
            echo "    --- case output (tail) ---"
            tail -n 15 "$CASE_DIR/out.log" | sed 's/^/    /'
            echo "    --- containerd log (last errors) ---"
            grep -E 'level=(error|warning)' "$E2E_T/containerd.log" | tail -n 6 | cut -c1-400 | sed 's/^/    /'
        } || true
        E2E_CASE_RESULT=fail
    fi
}

# Kill and delete tasks, delete containers; quiet, never fails.
e2e_remove() {
    local id
    for id in "$@"; do
        e2e_ctr tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
        e2e_ctr tasks delete --force "$id" >/dev/null 2>&1 || true
        e2e_ctr containers delete "$id" >/dev/null 2>&1 || true
    done
}

# Wait (bounded) until `ctr tasks ls` shows ID in STATUS; prints the last status seen.
e2e_task_status() {
    local id=$1
    e2e_ctr tasks ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }'
}
e2e_wait_status() {
    local id=$1 want=$2 tries=${3:-50} st=""
    while ((tries-- > 0)); do
        st=$(e2e_task_status "$id")
        [[ $st == "$want" ]] && return 0
        sleep 0.2
    done
    return 1
}

# ---------------------------------------------------------------------------------------------
# Setup and cleanup.

# e2e_setup [WRAPPER]
e2e_setup() {
    E2E_WRAPPER=${1:-}
    if [[ -n $E2E_WRAPPER ]]; then
        [[ -x $E2E_WRAPPER ]] || e2e_die "runcwrap binary '$E2E_WRAPPER' is not an executable file"
        E2E_WRAPPER=$(readlink -f "$E2E_WRAPPER")
    fi
    [[ -d /run/containerd ]] && E2E_HAD_RUN_CONTAINERD=1
    E2E_T=$(mktemp -d /tmp/rcw-e2e.XXXXXX)
    chmod 0755 "$E2E_T"
    # shellcheck disable=SC2064 # the function's name, fixed now
    trap "${E2E_TRAP_FN:-e2e_cleanup}" EXIT
    trap 'e2e_log "interrupted"; exit 130' INT
    trap 'e2e_log "terminated"; exit 143' TERM
    E2E_SOCK=$E2E_T/containerd.sock
    E2E_STATE=$E2E_T/state
    E2E_BUNDLES=$E2E_STATE/io.containerd.runtime.v2.task/$E2E_NS
    E2E_RUNC_ROOT=/run/containerd/runc/$E2E_NS
    E2E_SIDE=$E2E_T/etc/runcwrap/config.toml
    E2E_REAL_RUNC=$E2E_T/opt/runc-real/runc
    E2E_REAL_CRUN=$E2E_T/opt/crun-real/crun
    mkdir -p "$E2E_T/bin" "$E2E_T/opt/runc-real" "$E2E_T/opt/crun-real" "$E2E_T/etc/runcwrap" "$E2E_T/work"
    chmod 0755 "$E2E_T/bin" "$E2E_T/opt" "$E2E_T/opt/runc-real" "$E2E_T/opt/crun-real" "$E2E_T/etc" "$E2E_T/etc/runcwrap"
    install -m 0755 "$E2E_RUNC_SRC" "$E2E_REAL_RUNC"
    install -m 0755 /usr/bin/crun "$E2E_REAL_CRUN"
    e2e_side_file BinaryName="$E2E_REAL_RUNC" SystemdCgroup=false

    e2e_build_image "$E2E_T/image.tar"
    e2e_start_containerd
    e2e_ctr images import --platform "linux/$(e2e_oci_arch)" --base-name "${E2E_IMAGE%:*}" "$E2E_T/image.tar" >"$E2E_T/import.log" 2>&1 ||
        {
            cat "$E2E_T/import.log" >&2
            e2e_die "ctr images import failed"
        }
    # (grep without -q reads all: an early exit would kill ctr with SIGPIPE, failing the pipe)
    e2e_ctr images ls -q | grep -xF "$E2E_IMAGE" >/dev/null ||
        {
            e2e_ctr images ls >&2 || true
            e2e_die "image $E2E_IMAGE not found after import"
        }
}

e2e_cleanup() {
    local rc=$?
    ((E2E_CLEANED)) && return "$rc"
    E2E_CLEANED=1
    trap - EXIT INT TERM
    [[ -n $E2E_T && -d $E2E_T ]] || return "$rc"
    if [[ $E2E_KEEP == 1 ]]; then
        e2e_log "E2E_KEEP=1: leaving $E2E_T and containerd pid $E2E_CTD_PID; to clean up later:"
        e2e_log "  kill $E2E_CTD_PID; rm -rf $E2E_T $E2E_RUNC_ROOT; rmdir /sys/fs/cgroup/*/$E2E_NS"
        return "$rc"
    fi
    if [[ -n $E2E_CHILD_PID ]]; then
        kill -TERM "$E2E_CHILD_PID" 2>/dev/null || true
        wait "$E2E_CHILD_PID" 2>/dev/null || true
    fi
    # Runtimes must be reachable for the shim's cleanup: put the real runc under the name runc.
    rm -f "$E2E_T/bin/runc"
    install -m 0755 "$E2E_RUNC_SRC" "$E2E_T/bin/runc" 2>/dev/null || true
    local b
    for b in "$E2E_BUNDLES"/*; do [[ -d $b ]] && E2E_OWN_IDS+=("${b##*/}"); done
    if [[ -n $E2E_CTD_PID ]] && kill -0 "$E2E_CTD_PID" 2>/dev/null; then
        if [[ -n $E2E_CLEANUP_FN ]]; then "$E2E_CLEANUP_FN" || true; fi
        local ids
        ids=$(e2e_ctr containers ls -q 2>/dev/null || true)
        if [[ -n $ids ]]; then
            # shellcheck disable=SC2206
            E2E_OWN_IDS+=($ids)
            # shellcheck disable=SC2086
            e2e_remove $ids
        fi
    fi
    # Shim sockets (a hard-coded /run/containerd/s/<hash>) of our bundles (1.x: `address`, 2.x:
    # `bootstrap.json`), and those a case noted in T/shim-sockets: a killed shim leaves them.
    local socks=() a
    for a in "$E2E_STATE"/io.containerd.runtime.v2.task/*/*/address; do
        [[ -f $a ]] && socks+=("$(sed 's#^unix://##' "$a")")
    done
    for a in "$E2E_STATE"/io.containerd.runtime.v2.task/*/*/bootstrap.json; do
        [[ -f $a ]] && socks+=("$(jq -r '.address // ""' "$a" 2>/dev/null | sed 's#^unix://##')")
    done
    if [[ -f $E2E_T/shim-sockets ]]; then
        while read -r a; do socks+=("$a"); done <"$E2E_T/shim-sockets"
    fi
    e2e_stop_containerd
    # Shims that outlived containerd: kill them by pid.
    local p
    for p in $(e2e_our_shims); do kill -KILL "$p" 2>/dev/null || true; done
    for a in "${socks[@]}"; do
        if [[ $a == /run/containerd/s/* ]]; then rm -f "$a"; fi
    done
    # Containers that outlived their shim. A root of our own namespace is all ours; the default
    # root of a shared namespace (k8s.io) may hold other containerds' containers: only our ids.
    local root rt id shared
    for root in "$E2E_RUNC_ROOT" "$E2E_T/runc-root/$E2E_NS"; do
        [[ -d $root ]] || continue
        shared=0
        [[ $E2E_NS == k8s.io && $root == "$E2E_RUNC_ROOT" ]] && shared=1
        for id in "$root"/*; do
            [[ -d $id ]] || continue
            id=${id##*/}
            if ((shared)) && [[ " ${E2E_OWN_IDS[*]} " != *" $id "* ]]; then continue; fi
            rt=$E2E_RUNC_SRC
            [[ -f $root/$id/status ]] && rt=/usr/bin/crun
            timeout 20 "$rt" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
            if ((shared)); then rm -rf "${root:?}/$id"; fi
        done
    done
    # Mounts left under T, deepest first.
    local m
    while read -r m; do
        if [[ -n $m ]]; then umount -l "$m" 2>/dev/null || true; fi
    done < <(awk -v t="$E2E_T" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
    rm -rf "$E2E_T"
    if [[ $E2E_NS == k8s.io ]]; then
        rmdir "$E2E_RUNC_ROOT" 2>/dev/null || true
    else
        rm -rf "$E2E_RUNC_ROOT"
    fi
    # cgroups runc made for this namespace (empty by now)
    local cg
    [[ $E2E_NS == k8s.io ]] || for cg in /sys/fs/cgroup/*/"$E2E_NS" /sys/fs/cgroup/"$E2E_NS"; do
        if [[ -d $cg ]]; then rmdir "$cg" 2>/dev/null || true; fi
    done
    if ((!E2E_HAD_RUN_CONTAINERD)); then
        rmdir /run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null || true
    fi
    return "$rc"
}
