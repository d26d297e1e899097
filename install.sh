#!/usr/bin/env bash
# install.sh: install runcwrap on a node as `runcwrap` and as `runc`, write its side file, check
# that containerd will find it, and run `runcwrap doctor`. Safe to run again and again.
# Run `./install.sh --help` for the options; `--uninstall` removes exactly what install added.
#
# The install itself is the binary's (`runcwrap install`, src/cli/install/): the one
# implementation behind this script, the .deb's maintainer scripts and the installer image.
# This front only finds the binary and runs it with every argument as given:
#   --source-binary FILE (or RUNCWRAP_SOURCE_BINARY) when given: that binary installs itself;
#   else runcwrap next to this script (a release archive); else build/runcwrap, built with
#   `make` when missing (a source tree).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR

die() {
    printf 'install.sh: error: %s\n' "$*" >&2
    exit 1
}

source_binary=${RUNCWRAP_SOURCE_BINARY:-}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
        --source-binary) if ((i + 1 < ${#args[@]})); then source_binary=${args[i + 1]}; fi ;;
        --source-binary=*) source_binary=${args[i]#*=} ;;
    esac
done

if [ -n "$source_binary" ]; then
    if [ ! -f "$source_binary" ] || [ ! -x "$source_binary" ]; then
        die "--source-binary $source_binary is not an executable file"
    fi
    binary=$source_binary
elif [ -f "$SCRIPT_DIR/runcwrap" ] && [ ! -f "$SCRIPT_DIR/Makefile" ]; then
    binary=$SCRIPT_DIR/runcwrap # a release archive holds the binary beside this script
else
    binary=$SCRIPT_DIR/build/runcwrap
    if [ ! -x "$binary" ]; then
        [ -f "$SCRIPT_DIR/Makefile" ] || die "$binary is missing and there is no Makefile to build it; pass --source-binary FILE"
        echo "install.sh: building $binary: make -C $SCRIPT_DIR -j1 build/runcwrap"
        make -C "$SCRIPT_DIR" -j1 build/runcwrap || die "the build failed (see above)"
        [ -x "$binary" ] || die "make did not produce $binary"
    fi
fi
# Its management face answers to the name runcwrap.
exec -a runcwrap "$binary" install "$@"
