#!/usr/bin/env bash
# The release archive: runcwrap-VERSION-linux-ARCH.tar.gz, holding one folder of the same name
# with the static binary, install.sh (which installs the binary beside it), the man page,
# README.md and LICENSE. Sorted, owner root:root, mtimes the commit's, gzip without a name or
# time: the same commit gives the same bytes.
# Usage: packaging/make-archive.sh VERSION ARCH BINARY STAGE_DIR OUT_DIR
cd "$(dirname "$0")/.."
. packaging/common.sh
version=$1 arch=$2 binary=$3 stage=$4 out=$5
name=runcwrap-$version-linux-$arch
dir=$stage/$name
rm -rf -- "$dir"
mkdir -p -- "$dir" "$out"
put "$binary" "$dir/runcwrap" 0755
put install.sh "$dir/install.sh" 0755
put_man "$version" "$dir/runcwrap.8"
put README.md "$dir/README.md" 0644
put LICENSE "$dir/LICENSE" 0644
normalize_tree "$dir"
tar --sort=name --owner=0 --group=0 --numeric-owner --format=gnu --mtime="@$SOURCE_DATE_EPOCH" \
    -C "$stage" -cf - "$name" | gzip -9n >"$out/$name.tar.gz"
echo "wrote $out/$name.tar.gz"
