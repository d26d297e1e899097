# shellcheck shell=bash
# Shared by make-archive.sh and make-deb.sh: reproducible file trees.
# SOURCE_DATE_EPOCH (the commit's time, from the Makefile) is every file's mtime.
set -euo pipefail
umask 022
: "${SOURCE_DATE_EPOCH:?SOURCE_DATE_EPOCH must be set (make dist sets it from the commit)}"
export LC_ALL=C TZ=UTC

# put SRC DEST MODE: a copy with a fixed mode (never the checkout's mode or umask).
put() {
    mkdir -p -- "$(dirname "$2")"
    cp -- "$1" "$2"
    chmod "$3" -- "$2"
}
# The man page says the one version (VERSION), whatever its .TH line was written with.
put_man() { # VERSION DEST
    mkdir -p -- "$(dirname "$2")"
    sed "1s/\"runcwrap [^\"]*\"/\"runcwrap $1\"/" man/runcwrap.8 >"$2"
    chmod 0644 -- "$2"
}
# Folders 0755 and every mtime the commit's, so only the content decides the bytes.
normalize_tree() { # DIR
    find "$1" -type d -exec chmod 0755 {} +
    find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}
