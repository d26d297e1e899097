#!/usr/bin/env bash
# Checks read `cond && cond || { fail ...; return; }`: any false condition is the failure.
# shellcheck disable=SC2015,SC2016
# The .deb on a throwaway copy of this machine. Run by run.sh inside `unshare --mount`: an
# overlayfs whose lower layer is / and whose upper layer is a tmpfs, entered with chroot, so
# dpkg, its maintainer scripts and `runcwrap install` change only the tmpfs. After remove and purge, the
# upper layer must hold nothing but dpkg's own records: every other file there is a copy equal
# to the one below it (the real runc, moved by dpkg-divert and back), and no whiteout (a
# deleted file of the node) is left. Prints one line per step; exits 1 on the first failure.
# Usage (as root, in a private mount namespace): deb-install.sh PACKAGE.deb WORKDIR [DPKG_OPTION...]
# (the arm64 package on this amd64 machine: --force-architecture --force-depends, its binary
# running under qemu-user through binfmt_misc)
set -uo pipefail
DEB=$1
W=$2
shift 2
DPKG_OPTIONS=("$@")
step() { echo "ok: $*"; }
die() {
    echo "FAIL: $*"
    exit 1
}

# A dpkg run on the node halfway through would leave its database half-written below us.
for _ in $(seq 60); do
    pgrep -x dpkg >/dev/null || pgrep -x apt-get >/dev/null || pgrep -x apt >/dev/null || break
    sleep 2
done

mkdir -p "$W"
mount -t tmpfs -o mode=0755 tmpfs "$W" || die "tmpfs"
mkdir -p "$W/upper" "$W/work" "$W/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$W/upper,workdir=$W/work" "$W/root" || die "overlay mount"
R=$W/root
mount -t proc proc "$R/proc" || die "proc"
mount --rbind /dev "$R/dev" || die "dev"
mount --rbind /sys "$R/sys" || die "sys"
mount -t tmpfs tmpfs "$R/run" || die "run"
mount -t tmpfs tmpfs "$R/tmp" || die "tmp"
cp "$DEB" "$R/tmp/runcwrap.deb"
in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C "$@"; }

REAL_SHA=$(sha256sum </usr/sbin/runc)
REAL_VERSION=$(/usr/sbin/runc --version 2>&1)
DIVERSIONS_BEFORE=$(in_root dpkg-divert --list | sort)
[ ! -e "$R/etc/runcwrap" ] && [ ! -e "$R/var/lib/runcwrap" ] ||
    die "this machine already has /etc/runcwrap or /var/lib/runcwrap: the test needs a node without runcwrap"

out=$(in_root dpkg "${DPKG_OPTIONS[@]}" -i /tmp/runcwrap.deb 2>&1) || {
    printf '%s\n' "$out" | tail -30
    die "dpkg -i"
}
step "dpkg -i $(basename "$DEB")"
[ "$(in_root dpkg-divert --listpackage /usr/sbin/runc)" = runcwrap ] &&
    in_root dpkg-divert --list /usr/sbin/runc | grep -qF 'diversion of /usr/sbin/runc to /usr/sbin/runc.runcwrap-backup by runcwrap' ||
    die "no diversion of /usr/sbin/runc: $(in_root dpkg-divert --list /usr/sbin/runc)"
[ "$(readlink "$R/usr/sbin/runc")" = runcwrap ] || die "/usr/sbin/runc is not the link to runcwrap"
[ "$(sha256sum <"$R/usr/sbin/runc.runcwrap-backup")" = "$REAL_SHA" ] || die "the diverted runc is not the real runc"
[ ! -e "$R/usr/local/bin/runcwrap" ] && [ ! -e "$R/usr/local/bin/runc" ] || die "something went to /usr/local/bin"
grep -qxF 'BinaryName = "/usr/sbin/runc.runcwrap-backup"' "$R/etc/runcwrap/config.toml" ||
    die "side file: $(cat "$R/etc/runcwrap/config.toml")"
step "runc diverted to /usr/sbin/runc.runcwrap-backup, /usr/sbin/runc -> runcwrap, side file names the real runc"
out=$(in_root runc --version 2>&1)
[ "$out" = "$REAL_VERSION" ] || die "runc --version through runcwrap: $out"
out=$(in_root runcwrap explain -- --version 2>&1)
grep -qF 'runtime:   /usr/sbin/runc.runcwrap-backup' <<<"$out" || die "explain: $out"
step "runc --version reaches the real runc through runcwrap and prints only its output"
# A real runc call on a container state folder: runc's own answer through runcwrap.
out=$(in_root runc --root /run/rcw-dist list 2>&1)
[ "$(head -n1 <<<"$out" | awk '{print $1, $2}')" = "ID PID" ] || die "runc list through runcwrap: $out"
step "runc --root /run/rcw-dist list works through runcwrap"
# A real container (busybox), run by `runc` = runcwrap -> the real runc; runcwrap's decision log
# shows the call went through it.
printf '[runcwrap]\nLogFile = "/run/rcw-dist-decisions.log"\n' >>"$R/etc/runcwrap/config.toml"
mkdir -p "$R/tmp/bundle/rootfs/bin"
cp /bin/busybox "$R/tmp/bundle/rootfs/bin/busybox" || die "no /bin/busybox (busybox-static)"
out=$(in_root sh -c 'cd /tmp/bundle && runc spec && sed -i -e "s/\"terminal\": true/\"terminal\": false/" \
    -e "s|\"sh\"|\"/bin/busybox\", \"echo\", \"hello from a container\"|" config.json &&
    runc --root /run/rcw-dist run rcw-dist-deb' 2>&1)
[ "$out" = "hello from a container" ] || die "runc run through runcwrap: $out"
grep -q '"rcw-dist-deb"' "$R/run/rcw-dist-decisions.log" || die "runcwrap's decision log has no call for the container: $(cat "$R/run/rcw-dist-decisions.log" 2>&1)"
step "a busybox container runs with runc run (runcwrap -> the real runc; in runcwrap's decision log)"

# Issue #15: postinst routes the handlers RUNCWRAP_ROUTE_HANDLERS names (here on the reinstall),
# prerm's uninstall takes it back. containerd's config is this copy's (the overlay), two handlers.
HOST_CONTAINERD_CONFIG=0
[ -f /etc/containerd/config.toml ] && HOST_CONTAINERD_CONFIG=1
HOST_CONTAINERD_DIR=0
[ -d /etc/containerd ] && HOST_CONTAINERD_DIR=1
mkdir -p "$R/etc/containerd"
cat >"$R/tmp/containerd-config.toml" <<'EOF_CONFIG'
version = 2
# two handlers that name their runtimes
[plugins."io.containerd.grpc.v1.cri".containerd]
  default_runtime_name = "runc"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      BinaryName = "/usr/sbin/runc.runcwrap-backup"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.crun.options]
      BinaryName = "/usr/bin/crun"
EOF_CONFIG
cp "$R/tmp/containerd-config.toml" "$R/etc/containerd/config.toml"

out=$(chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C RUNCWRAP_ROUTE_HANDLERS=all \
    dpkg "${DPKG_OPTIONS[@]}" -i /tmp/runcwrap.deb 2>&1) || {
    printf '%s\n' "$out" | tail -30
    die "dpkg -i a second time"
}
[ "$(readlink "$R/usr/sbin/runc")" = runcwrap ] && [ "$(in_root dpkg-divert --listpackage /usr/sbin/runc)" = runcwrap ] ||
    die "the reinstall lost the link or the diversion"
step "reinstalling the same package (prerm upgrade, postinst configure) keeps the node as it was"
for h in runc crun; do
    [ "$(readlink "$R/usr/lib/runcwrap/handlers/$h/runc")" = /usr/sbin/runcwrap ] &&
        grep -qxF "      BinaryName = \"/usr/lib/runcwrap/handlers/$h/runc\"" "$R/etc/containerd/config.toml" &&
        grep -qxF "[handlers.$h]" "$R/etc/runcwrap/config.toml" ||
        die "RUNCWRAP_ROUTE_HANDLERS=all: handler $h not routed: $(printf '%s\n' "$out" | tail -20)"
done
out=$(in_root /usr/lib/runcwrap/handlers/runc/runc --version 2>&1)
[ "$out" = "$REAL_VERSION" ] || die "runc --version through the runc handler's entry: $out"
step "RUNCWRAP_ROUTE_HANDLERS=all: postinst routed both handlers (entries in /usr/lib/runcwrap/handlers, tables, config); a call through an entry reaches the handler's runtime"

# An operator's edit of the side file survives a remove and goes with purge.
printf '# edited by the operator\n' >>"$R/etc/runcwrap/config.toml"
out=$(in_root dpkg -r runcwrap 2>&1) || {
    printf '%s\n' "$out" | tail -30
    die "dpkg -r"
}
[ -z "$(in_root dpkg-divert --listpackage /usr/sbin/runc)" ] || die "dpkg -r left the diversion"
[ -f "$R/usr/sbin/runc" ] && [ ! -L "$R/usr/sbin/runc" ] && [ "$(sha256sum <"$R/usr/sbin/runc")" = "$REAL_SHA" ] ||
    die "dpkg -r did not put the real runc back"
[ ! -e "$R/usr/sbin/runc.runcwrap-backup" ] && [ ! -e "$R/usr/sbin/runcwrap" ] || die "dpkg -r left runcwrap files in /usr/sbin"
[ "$(in_root runc --version 2>&1)" = "$REAL_VERSION" ] || die "runc after dpkg -r"
step "dpkg -r: the diversion is gone, /usr/sbin/runc is the real runc again"
cmp -s "$R/tmp/containerd-config.toml" "$R/etc/containerd/config.toml" || die "dpkg -r did not restore containerd's config: $(diff "$R/tmp/containerd-config.toml" "$R/etc/containerd/config.toml")"
[ ! -e "$R/usr/lib/runcwrap/handlers" ] && [ ! -e "$R/var/lib/runcwrap/route" ] && ! grep -q '^\[handlers\.' "$R/etc/runcwrap/config.toml" 2>/dev/null ||
    die "dpkg -r left the routing: $(find "$R/usr/lib/runcwrap" "$R/var/lib/runcwrap" 2>&1)"
step "dpkg -r: containerd's config is restored byte for byte, the entries and tables are gone"
# The node's own containerd config (or none) again, for the check below.
if [ "$HOST_CONTAINERD_CONFIG" = 1 ]; then
    cp -p /etc/containerd/config.toml "$R/etc/containerd/config.toml"
else
    rm -f "$R/etc/containerd/config.toml"
    [ "$HOST_CONTAINERD_DIR" = 1 ] || rmdir "$R/etc/containerd"
fi
if in_root dpkg-query -W -f='${Status}' runcwrap 2>/dev/null | grep -q 'config-files'; then
    [ -f "$R/etc/runcwrap/config.toml" ] || die "dpkg -r removed the edited side file"
    step "dpkg -r kept the edited side file"
fi
out=$(in_root dpkg --purge runcwrap 2>&1) || {
    printf '%s\n' "$out" | tail -30
    die "dpkg --purge"
}
step "dpkg --purge runcwrap"

[ "$(in_root dpkg-divert --list | sort)" = "$DIVERSIONS_BEFORE" ] || die "the diversions differ from before"
in_root dpkg-query -W -f='${Status}' runcwrap 2>/dev/null | grep -qE ' (installed|config-files)$' && die "runcwrap is still known to dpkg"
# What is left in the upper layer, outside dpkg's records and logs and the mounts above.
left=$(cd "$W/upper" && find . -mindepth 1 \( -path ./var/lib/dpkg -o -path ./var/log -o -path ./var/cache \
    -o -path ./proc -o -path ./dev -o -path ./run -o -path ./tmp \) -prune -o -print | LC_ALL=C sort)
while IFS= read -r p; do
    [ -n "$p" ] || continue
    up=$W/upper/${p#./}
    low=/${p#./}
    if [ -d "$up" ] && [ ! -L "$up" ]; then
        [ -d "$low" ] || die "a new folder is left: $low"
        continue
    fi
    if [ -c "$up" ] && [ "$(stat -c %t:%T "$up")" = 0:0 ]; then die "a file of the node was deleted: $low"; fi
    [ -e "$low" ] || [ -L "$low" ] || die "a new file is left: $low"
    [ "$(stat -c '%a %u %g %F' -- "$up")" = "$(stat -c '%a %u %g %F' -- "$low")" ] || die "$low changed mode or owner"
    if [ -L "$up" ]; then
        [ "$(readlink -- "$up")" = "$(readlink -- "$low")" ] || die "$low: another link target"
    else
        cmp -s -- "$up" "$low" || die "$low changed content"
    fi
done <<<"$left"
step "after purge: no file, folder, link, diversion or config of runcwrap is left; the node's files are as before"
