#!/usr/bin/env bash
# The Debian package runcwrap_VERSION_ARCH.deb, built with dpkg-deb from a staged tree:
#   /usr/sbin/runcwrap               the static binary (the package's file); its `install`
#                                    subcommand is the one install logic, which the maintainer
#                                    scripts call (no install.sh: nothing here needs bash)
#   /usr/share/man/man8/runcwrap.8.gz, /usr/share/doc/runcwrap/{copyright,changelog.gz,README.md.gz}
# Owner root:root, mtimes the commit's, one xz thread: the same commit gives the same bytes.
# Usage: packaging/make-deb.sh VERSION ARCH BINARY STAGE_DIR OUT_DIR
cd "$(dirname "$0")/.."
. packaging/common.sh
version=$1 arch=$2 binary=$3 stage=$4 out=$5
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
root=$stage/deb-$arch
rm -rf -- "$root"
mkdir -p -- "$root/DEBIAN" "$out"
doc=$root/usr/share/doc/runcwrap

put "$binary" "$root/usr/sbin/runcwrap" 0755
put_man "$version" "$stage/runcwrap.8"
mkdir -p "$root/usr/share/man/man8" "$doc"
gzip -9n <"$stage/runcwrap.8" >"$root/usr/share/man/man8/runcwrap.8.gz"
put packaging/debian/copyright "$doc/copyright" 0644
gzip -9n <README.md >"$doc/README.md.gz"
sed -e "s/@VERSION@/$version/" -e "s/@COMMIT@/$commit/" \
    -e "s/@DATE@/$(date -u -d "@$SOURCE_DATE_EPOCH" -R)/" packaging/debian/changelog.in |
    gzip -9n >"$doc/changelog.gz"
put packaging/debian/lintian-overrides "$root/usr/share/lintian/overrides/runcwrap" 0644
find "$root/usr" -type f -exec chmod go-w {} +

for script in postinst prerm postrm; do
    put "packaging/debian/$script" "$root/DEBIAN/$script" 0755
done
size=$(du -sk --apparent-size "$root/usr" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    packaging/debian/control.in >"$root/DEBIAN/control"
(cd "$root" && find usr -type f | sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
normalize_tree "$root"
dpkg-deb --root-owner-group -Zxz -z9 --threads-max=1 --build "$root" \
    "$out/runcwrap_${version}_$arch.deb" >/dev/null
echo "wrote $out/runcwrap_${version}_$arch.deb"
