#!/usr/bin/env bash
# make-image.sh VERSION OUT ARCH=BINARY...: the installer image (deploy/kubernetes/) as an OCI
# image archive OUT, built offline with umoci. One image per ARCH (amd64, arm64) from its static
# runcwrap; with more than one, the archive's index.json names a multi-arch image index
# "runcwrap-installer:VERSION". Every file's time, and every date in the image, is
# SOURCE_DATE_EPOCH, so one commit gives the same bytes.
#
# Contents: runcwrap and nothing else. Its `node-install` subcommand is the entry point (it
# finds the node's containerd and runs `runcwrap install --prefix /host ...`, the same install
# as install.sh and the .deb): no shell, no tools, nothing but the one static binary per ARCH.
set -euo pipefail
umask 022
version=$1
out=$2
shift 2
epoch=${SOURCE_DATE_EPOCH:-0}
created=$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)

work=$(mktemp -d "${TMPDIR:-/tmp}/rcw-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
layout=$work/layout
umoci init --layout "$layout"

tags=()
for spec in "$@"; do
    arch=${spec%%=*}
    bin=${spec#*=}
    [ -x "$bin" ] || {
        echo "make-image.sh: $bin (runcwrap for $arch) is missing" >&2
        exit 1
    }
    bundle=$work/bundle-$arch
    umoci new --image "$layout:$arch"
    umoci unpack --image "$layout:$arch" "$bundle"
    r=$bundle/rootfs
    mkdir -p "$r"/{opt/runcwrap,host,etc,proc,sys,dev,run,tmp}
    chmod 1777 "$r/tmp"
    install -m 0755 "$bin" "$r/opt/runcwrap/runcwrap"
    # containerd's config and its drop-ins are read at the paths they name (see the entry point).
    ln -s /host/etc/containerd "$r/etc/containerd"
    find "$r" -exec touch -h -d "@$epoch" {} +
    umoci repack --image "$layout:$arch" --history.created "$created" --history.created_by "packaging/image/make-image.sh" "$bundle"
    umoci config --image "$layout:$arch" --os linux --architecture "$arch" --created "$created" \
        --history.created "$created" --history.created_by "packaging/image/make-image.sh" \
        --config.entrypoint /opt/runcwrap/runcwrap --config.entrypoint node-install --config.cmd install \
        --config.env PATH=/opt/runcwrap --config.workingdir / \
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
