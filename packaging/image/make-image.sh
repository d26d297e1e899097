#!/usr/bin/env bash
# make-image.sh VERSION OUT ARCH=BINARY...: the installer image (deploy/kubernetes/) as an OCI
# image archive OUT, built offline with umoci. One image per ARCH (amd64, arm64) from its static
# runcwrap; with more than one, the archive's index.json names a multi-arch image index
# "runcwrap-installer:VERSION". Every file's time, and every date in the image, is
# SOURCE_DATE_EPOCH, so one commit gives the same bytes.
#
# Contents: runcwrap, install.sh (the one install logic), the entry point runcwrap-installer,
# bash-static (install.sh is bash) and busybox-static with only the applets install.sh and the
# entry point call, for the ARCH (the host's packages, or ARCH's .deb from RUNCWRAP_IMAGE_DEBS).
set -euo pipefail
umask 022
version=$1
out=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
epoch=${SOURCE_DATE_EPOCH:-0}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)
host_arch=$(dpkg --print-architecture)

# What install.sh and runcwrap-installer run (tests/image/run.sh runs install, a re-run and the
# uninstall in the image: a missing applet fails it).
applets="basename cat chmod chown chroot cmp cp cut dirname env find grep head id ln ls mkdir
mv readlink rm rmdir sed sha256sum sleep stat sync tail tr"

work=$(mktemp -d "${TMPDIR:-/tmp}/rcw-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
layout=$work/layout
umoci init --layout "$layout"

# static_tool ARCH PACKAGE FILE: FILE of PACKAGE for ARCH (the installed one on the host's arch).
static_tool() {
    local arch=$1 pkg=$2 file=$3 deb
    if [ "$arch" = "$host_arch" ]; then
        printf '%s' "$file"
        return 0
    fi
    deb=$(find "${RUNCWRAP_IMAGE_DEBS:-/nonexistent}" -maxdepth 1 -name "${pkg}_*_$arch.deb" 2>/dev/null | sort | tail -n 1)
    [ -n "$deb" ] || {
        echo "make-image.sh: no ${pkg}_*_$arch.deb in RUNCWRAP_IMAGE_DEBS=${RUNCWRAP_IMAGE_DEBS:-}" >&2
        return 1
    }
    mkdir -p "$work/deb-$arch-$pkg"
    dpkg-deb -x "$deb" "$work/deb-$arch-$pkg"
    printf '%s' "$work/deb-$arch-$pkg$file"
}

tags=()
for spec in "$@"; do
    arch=${spec%%=*}
    bin=${spec#*=}
    [ -x "$bin" ] || {
        echo "make-image.sh: $bin (runcwrap for $arch) is missing" >&2
        exit 1
    }
    bash_bin=$(static_tool "$arch" bash-static /bin/bash-static)
    busybox_bin=$(static_tool "$arch" busybox-static /bin/busybox)
    bundle=$work/bundle-$arch
    umoci new --image "$layout:$arch"
    umoci unpack --image "$layout:$arch" "$bundle"
    r=$bundle/rootfs
    mkdir -p "$r"/{bin,usr/bin,opt/runcwrap,host,etc,proc,sys,dev,run,tmp}
    chmod 1777 "$r/tmp"
    install -m 0755 "$bash_bin" "$r/bin/bash"
    install -m 0755 "$busybox_bin" "$r/bin/busybox"
    for a in $applets; do ln -s busybox "$r/bin/$a"; done
    ln -s ../../bin/env "$r/usr/bin/env"
    install -m 0755 "$bin" "$r/opt/runcwrap/runcwrap"
    install -m 0755 "$top/install.sh" "$r/opt/runcwrap/install.sh"
    install -m 0755 "$here/runcwrap-installer" "$r/opt/runcwrap/runcwrap-installer"
    # containerd's config and its drop-ins are read at the paths they name (see the entry point).
    ln -s /host/etc/containerd "$r/etc/containerd"
    find "$r" -exec touch -h -d "@$epoch" {} +
    umoci repack --image "$layout:$arch" --history.created "$created" --history.created_by "packaging/image/make-image.sh" "$bundle"
    umoci config --image "$layout:$arch" --os linux --architecture "$arch" --created "$created" \
        --history.created "$created" --history.created_by "packaging/image/make-image.sh" \
        --config.entrypoint /opt/runcwrap/runcwrap-installer --config.cmd install \
        --config.env PATH=/bin --config.workingdir / \
        --config.label "org.opencontainers.image.version=$version" \
        --config.label "org.opencontainers.image.title=runcwrap-installer"
    tags+=("$arch")
done
umoci gc --layout "$layout"

# The archive's index.json names the image runcwrap-installer:VERSION. One architecture: its
# manifest, with its platform. Several: an image index (a blob) listing each manifest with its
# platform, as `docker buildx` and `skopeo copy --all` lay out a multi-arch image. umoci names
# manifests by tag only; the platform fields and the index blob are the only JSON written here.
idx=$layout/index.json
jq '.manifests |= map(. + {platform: {architecture: .annotations["org.opencontainers.image.ref.name"], os: "linux"}}
    | del(.annotations))' "$idx" >"$work/manifests.json"
if [ "${#tags[@]}" -gt 1 ]; then
    jq -c '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: .manifests}' \
        "$work/manifests.json" | tr -d '\n' >"$work/index-blob.json"
    sum=$(sha256sum "$work/index-blob.json" | cut -d' ' -f1)
    size=$(stat -c %s "$work/index-blob.json")
    mv "$work/index-blob.json" "$layout/blobs/sha256/$sum"
    jq -n --arg name "runcwrap-installer:$version" --arg digest "sha256:$sum" --argjson size "$size" \
        '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.index.v1+json",
          digest: $digest, size: $size, annotations: {"org.opencontainers.image.ref.name": $name}}]}' >"$idx"
else
    jq --arg name "runcwrap-installer:$version" \
        '.manifests |= map(. + {annotations: {"org.opencontainers.image.ref.name": $name}})' \
        "$work/manifests.json" >"$idx"
fi
chmod -R u=rwX,go=rX "$layout"
find "$layout" -exec touch -h -d "@$epoch" {} +
mkdir -p "$(dirname "$out")"
tar --sort=name --mtime="@$epoch" --owner=0 --group=0 --numeric-owner -cf "$out.tmp" -C "$layout" .
mv "$out.tmp" "$out"
echo "make-image.sh: $out (${tags[*]})"
