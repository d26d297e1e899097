#!/usr/bin/env bash
# install.sh: install runcwrap on a node as `runcwrap` and as `runc`, write its side file, check
# that containerd will find it, and run `runcwrap doctor`. Safe to run again and again.
# Run `./install.sh --help` for the options. Every change is listed in a manifest so that
# `--uninstall` removes exactly what install added and puts back what it replaced.
set -euo pipefail
umask 022

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly SCRIPT_DIR
readonly PROG=install.sh
readonly DEFAULT_BIN_DIR=/usr/local/bin
readonly DEFAULT_CONFIG=/etc/runcwrap/config.toml
readonly DEFAULT_CONTAINERD_CONFIG=/etc/containerd/config.toml
readonly MANIFEST_LIVE=/var/lib/runcwrap/install-manifest
readonly BACKUP_SUFFIX=.runcwrap-backup
# systemd's PATH for services that set none (systemd >= 235; Debian 12 ships 252).
readonly SYSTEMD_DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

usage() {
    cat <<EOF
Usage: sudo ./install.sh [OPTIONS]

Installs runcwrap as \`runcwrap\` and as \`runc\` (a symlink to runcwrap) in the bin dir, writes
its side file, checks that containerd finds the wrapper before any other runc, and runs
\`runcwrap doctor\`. Exit status 0 only when the node is ready. Running it again is safe: the
result is the same, nothing is duplicated, every write is atomic (temp file + rename).

What the side file says (what containerd meant to run when it drops the runtime options):
  --binary-name PATH            the real runtime, e.g. /usr/sbin/runc
  --systemd-cgroup              with --binary-name: SystemdCgroup = true
  --from-containerd-config FILE import the default CRI runtime's options from containerd's
                                config.toml (runcwrap import-containerd-config); FILE is read
                                as given, also with --prefix
  With neither --binary-name nor --from-containerd-config, $DEFAULT_CONTAINERD_CONFIG is
  imported; if it does not exist, containerd's defaults are written (runc from PATH, cgroupfs).

Where things go:
  --bin-dir DIR                 where runcwrap and runc go (default $DEFAULT_BIN_DIR)
  --config FILE                 the side file (default $DEFAULT_CONFIG). The wrapper reads
                                another path only if containerd's environment sets
                                RUNCWRAP_CONFIG to it.
  --prefix DIR                  stage everything under DIR (DESTDIR-style, for packaging and
                                tests): DIR is the node's root for every file install reads or
                                writes; doctor is not run (the staged tree is not the live node)
  --source-binary FILE          the runcwrap binary to install (default: runcwrap next to this
                                script, as in a release archive; else build/runcwrap, built
                                with \`make\` if missing)
  --dpkg PACKAGE                run from PACKAGE's maintainer scripts: a file another Debian
                                package owns is moved aside with dpkg-divert (--uninstall
                                removes the diversion), a --source-binary already in the bin dir
                                is the package's own file (left to dpkg), and a node that is not
                                ready yet is reported but is not an error

Behaviour:
  --dry-run                     print every action, change nothing
  --force                       replace a \`runc\` that is not runcwrap; it is kept as
                                runc$BACKUP_SUFFIX and --uninstall puts it back
  --replace-config              replace a side file that was edited since install wrote it (or
                                that install did not write; that one is kept as a backup)
  --uninstall                   remove exactly what install added (from the manifest
                                $MANIFEST_LIVE) and put back the backups; a side file edited
                                since install is kept unless --force. It first looks for
                                running containers that still need runcwrap (\`runcwrap
                                dependents\`: containerd dropped their runtime options, or
                                runcwrap chowned their stdio) and refuses while there are any;
                                --force uninstalls anyway and says what will break
  --containerd-state DIR        containerd's state dir that --uninstall looks in (default
                                /run/containerd; with --prefix, under it)
  --containerd-pid PID          check this containerd process (default: every process named
                                containerd, then the systemd unit; with --prefix, nothing
                                unless this is given, and then runc is looked up in the tree)
  --no-doctor                   do not run \`runcwrap doctor\` at the end
  -h, --help                    this help

Environment (for bootstrap tools; options on the command line win):
  RUNCWRAP_BINARY_NAME, RUNCWRAP_FROM_CONTAINERD_CONFIG, RUNCWRAP_SYSTEMD_CGROUP,
  RUNCWRAP_BIN_DIR, RUNCWRAP_CONFIG_FILE, RUNCWRAP_PREFIX (or DESTDIR), RUNCWRAP_SOURCE_BINARY,
  RUNCWRAP_DRY_RUN, RUNCWRAP_FORCE, RUNCWRAP_REPLACE_CONFIG, RUNCWRAP_NO_DOCTOR,
  RUNCWRAP_CONTAINERD_PID, RUNCWRAP_DPKG, RUNCWRAP_CONTAINERD_STATE. Booleans take 1/true/yes/on or 0/false/no/off.

Why \`runc\` is a symlink and not a copy: runcwrap recognises itself by inode when it looks for
the real runtime (so it never execs itself); a symlink is the same inode, upgrading runcwrap
upgrades runc at once, and the link is relative so a staged tree works once unpacked.
EOF
}

# ---- output -------------------------------------------------------------------------------
STEP=0
STEPS=0
WARNINGS=0
say() { printf '%s\n' "$*"; }
step() {
    STEP=$((STEP + 1))
    printf '\n[%d/%d] %s\n' "$STEP" "$STEPS" "$*"
}
# One line per action; in --dry-run, what would be done.
act() {
    if [ "$DRY_RUN" = 1 ]; then printf '      [dry-run] would %s\n' "$*"; else printf '      %s\n' "$*"; fi
}
if_dry() { # TEXT: printed only in a dry run
    if [ "$DRY_RUN" = 1 ]; then printf '%s' "$1"; fi
}
info() { printf '      %s\n' "$*"; }
warn() {
    WARNINGS=$((WARNINGS + 1))
    printf '      WARNING: %s\n' "$*"
}
die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

# ---- settings: environment first, then the command line -----------------------------------
bool_env() { # NAME -> prints 0 or 1
    local v=${!1:-}
    case "${v,,}" in
        '' | 0 | false | no | off) echo 0 ;;
        1 | true | yes | on) echo 1 ;;
        *) die "$1=$v: expected 1/true/yes/on or 0/false/no/off" ;;
    esac
}

BINARY_NAME=${RUNCWRAP_BINARY_NAME:-}
FROM_CONTAINERD=${RUNCWRAP_FROM_CONTAINERD_CONFIG:-}
SYSTEMD_CGROUP=$(bool_env RUNCWRAP_SYSTEMD_CGROUP)
BIN_DIR=${RUNCWRAP_BIN_DIR:-$DEFAULT_BIN_DIR}
CONFIG=${RUNCWRAP_CONFIG_FILE:-$DEFAULT_CONFIG}
PREFIX=${RUNCWRAP_PREFIX:-${DESTDIR:-}}
SOURCE_BINARY=${RUNCWRAP_SOURCE_BINARY:-}
DRY_RUN=$(bool_env RUNCWRAP_DRY_RUN)
FORCE=$(bool_env RUNCWRAP_FORCE)
REPLACE_CONFIG=$(bool_env RUNCWRAP_REPLACE_CONFIG)
NO_DOCTOR=$(bool_env RUNCWRAP_NO_DOCTOR)
CONTAINERD_PID=${RUNCWRAP_CONTAINERD_PID:-}
DPKG_PACKAGE=${RUNCWRAP_DPKG:-}
CONTAINERD_STATE=${RUNCWRAP_CONTAINERD_STATE:-/run/containerd}
UNINSTALL=0

need_arg() { [ "$2" -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --binary-name)
            need_arg "$1" $#
            BINARY_NAME=$2
            shift
            ;;
        --binary-name=*) BINARY_NAME=${1#*=} ;;
        --from-containerd-config)
            need_arg "$1" $#
            FROM_CONTAINERD=$2
            shift
            ;;
        --from-containerd-config=*) FROM_CONTAINERD=${1#*=} ;;
        --systemd-cgroup) SYSTEMD_CGROUP=1 ;;
        --bin-dir)
            need_arg "$1" $#
            BIN_DIR=$2
            shift
            ;;
        --bin-dir=*) BIN_DIR=${1#*=} ;;
        --config)
            need_arg "$1" $#
            CONFIG=$2
            shift
            ;;
        --config=*) CONFIG=${1#*=} ;;
        --prefix)
            need_arg "$1" $#
            PREFIX=$2
            shift
            ;;
        --prefix=*) PREFIX=${1#*=} ;;
        --source-binary)
            need_arg "$1" $#
            SOURCE_BINARY=$2
            shift
            ;;
        --source-binary=*) SOURCE_BINARY=${1#*=} ;;
        --containerd-pid)
            need_arg "$1" $#
            CONTAINERD_PID=$2
            shift
            ;;
        --containerd-pid=*) CONTAINERD_PID=${1#*=} ;;
        --dpkg)
            need_arg "$1" $#
            DPKG_PACKAGE=$2
            shift
            ;;
        --dpkg=*) DPKG_PACKAGE=${1#*=} ;;
        --containerd-state)
            need_arg "$1" $#
            CONTAINERD_STATE=$2
            shift
            ;;
        --containerd-state=*) CONTAINERD_STATE=${1#*=} ;;
        --dry-run) DRY_RUN=1 ;;
        --force) FORCE=1 ;;
        --replace-config) REPLACE_CONFIG=1 ;;
        --uninstall) UNINSTALL=1 ;;
        --no-doctor) NO_DOCTOR=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done

# Paths are written into the manifest and the side file: keep them plain.
check_path() { # WHAT PATH
    case "$2" in
        /*) ;;
        *) die "$1 must be an absolute path, got: $2" ;;
    esac
    [[ "$2" != *[[:cntrl:]\"\\]* ]] || die "$1 must not contain quotes, backslashes or control characters: $2"
}
normalize() { # drop duplicate and trailing slashes
    local p
    p=$(printf '%s' "$1" | tr -s /)
    [ "$p" = / ] || p=${p%/}
    printf '%s' "$p"
}

if [ -n "$PREFIX" ]; then
    case "$PREFIX" in /*) ;; *) PREFIX=$PWD/$PREFIX ;; esac
    check_path --prefix "$PREFIX"
    PREFIX=$(normalize "$PREFIX")
    [ "$PREFIX" != / ] || PREFIX=
    [ -z "$PREFIX" ] || [ -d "$PREFIX" ] || die "--prefix $PREFIX is not a folder (create it first)"
fi
check_path --bin-dir "$BIN_DIR"
check_path --config "$CONFIG"
BIN_DIR=$(normalize "$BIN_DIR")
CONFIG=$(normalize "$CONFIG")
[ -z "$CONTAINERD_PID" ] || [[ "$CONTAINERD_PID" =~ ^[1-9][0-9]*$ ]] ||
    die "--containerd-pid must be a process id, got: $CONTAINERD_PID"
if [ -n "$BINARY_NAME" ] && [ -n "$FROM_CONTAINERD" ]; then
    die "--binary-name and --from-containerd-config are exclusive: the side file comes from one of them"
fi
if [ "$SYSTEMD_CGROUP" = 1 ] && [ -z "$BINARY_NAME" ] && [ "$UNINSTALL" = 0 ]; then
    die "--systemd-cgroup goes with --binary-name; an import takes SystemdCgroup from containerd's config"
fi
[ -z "$BINARY_NAME" ] || check_path --binary-name "$BINARY_NAME"
[ -z "$DPKG_PACKAGE" ] || [[ "$DPKG_PACKAGE" =~ ^[a-z0-9][a-z0-9.+-]+$ ]] ||
    die "--dpkg must be a Debian package name, got: $DPKG_PACKAGE"
# Read as given on this machine (not under --prefix); absolute so the side file names it fully.
case "$FROM_CONTAINERD" in '' | /*) ;; *) FROM_CONTAINERD=$PWD/$FROM_CONTAINERD ;; esac
if [ "$CONFIG" = "$BIN_DIR/runc" ] || [ "$CONFIG" = "$BIN_DIR/runcwrap" ]; then
    die "--config $CONFIG is where the binaries go"
fi

RUNC_LIVE=$BIN_DIR/runc
RUNCWRAP_LIVE=$BIN_DIR/runcwrap
staged() { printf '%s%s' "$PREFIX" "$1"; } # a node path as seen from here
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1

if [ "$IS_ROOT" = 0 ] && [ "$DRY_RUN" = 0 ]; then
    [ -n "$PREFIX" ] || die "run as root (sudo ./install.sh ...), or use --dry-run or --prefix DIR"
fi

# One install at a time (bootstrap tools retry): lock this script, which changes nothing.
if command -v flock >/dev/null 2>&1 && exec 9<"${BASH_SOURCE[0]}"; then
    flock 9
fi

# Temporary files next to their target, removed if we stop half way.
TEMPS=()
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    local t
    for t in "${TEMPS[@]}"; do
        if [ -e "$t" ] || [ -L "$t" ]; then rm -f -- "$t"; fi
    done
    return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

sha_of() { sha256sum <"$1" | cut -d' ' -f1; }
sha_of_text() { printf '%s\n' "$1" | sha256sum | cut -d' ' -f1; }
set_owner() { # PATH: root:root when we can; a non-root staging leaves it to the packager
    [ "$IS_ROOT" = 1 ] && chown -h 0:0 -- "$1"
    return 0
}

# ---- the manifest --------------------------------------------------------------------------
# One entry a line, tab-separated, node paths (without --prefix):
#   bin-dir DIR | config FILE | dir DIR (created by install) | file PATH SHA256 |
#   symlink PATH TARGET | backup PATH BACKUP | sidefile PATH SHA256 (what install wrote)
M_EXISTS=0
M_BIN_DIR=
M_CONFIG=
M_DIRS=()
M_FILE_SHA=
M_LINK=
declare -A M_BACKUP=()
M_SIDE_SHA=
MANIFEST=$(staged "$MANIFEST_LIVE")

read_manifest() {
    [ -f "$MANIFEST" ] || return 0
    M_EXISTS=1
    local kind a b
    while IFS=$'\t' read -r kind a b; do
        case "$kind" in
            '' | '#'*) ;;
            format) [ "$a" = 1 ] || die "$MANIFEST: unknown format $a" ;;
            bin-dir) M_BIN_DIR=$a ;;
            config) M_CONFIG=$a ;;
            dir) M_DIRS+=("$a") ;;
            file) M_FILE_SHA=$b ;;
            symlink) M_LINK=$b ;;
            backup) M_BACKUP[$a]=$b ;;
            sidefile) M_SIDE_SHA=$b ;;
            *) die "$MANIFEST: unknown entry '$kind' (written by a newer install.sh?)" ;;
        esac
    done <"$MANIFEST"
}

manifest_text() {
    local d p
    printf '# runcwrap install manifest, written by install.sh: --uninstall removes exactly these\n'
    printf '# entries and puts the backups back. Paths are the node'"'"'s (without --prefix).\n'
    printf 'format\t1\n'
    printf 'bin-dir\t%s\n' "$BIN_DIR"
    printf 'config\t%s\n' "$CONFIG"
    for d in "${M_DIRS[@]}"; do printf 'dir\t%s\n' "$d"; done
    [ -z "$M_FILE_SHA" ] || printf 'file\t%s\t%s\n' "$RUNCWRAP_LIVE" "$M_FILE_SHA"
    [ -z "$M_LINK" ] || printf 'symlink\t%s\t%s\n' "$RUNC_LIVE" "$M_LINK"
    for p in "$RUNC_LIVE" "$RUNCWRAP_LIVE" "$CONFIG"; do
        [ -z "${M_BACKUP[$p]:-}" ] || printf 'backup\t%s\t%s\n' "$p" "${M_BACKUP[$p]}"
    done
    [ -z "$M_SIDE_SHA" ] || printf 'sidefile\t%s\t%s\n' "$CONFIG" "$M_SIDE_SHA"
}

# Writes the manifest after every change, so that it always lists what is on disk.
save_manifest() {
    [ "$DRY_RUN" = 0 ] || return 0
    local text
    text=$(manifest_text)
    if [ -f "$MANIFEST" ] && [ "$(cat "$MANIFEST")" = "$text" ]; then return 0; fi
    write_text_atomically "$MANIFEST" "$text" 0644 quiet
}

# ---- atomic primitives ---------------------------------------------------------------------
# ensure_dir NODE_DIR: creates each missing folder (0755 root:root) and records it.
ensure_dir() {
    local node=$1 path='' part
    local -a parts
    IFS=/ read -r -a parts <<<"${node#/}"
    for part in "${parts[@]}"; do
        [ -n "$part" ] || continue
        path=$path/$part
        if [ -d "$(staged "$path")" ]; then continue; fi
        [ ! -e "$(staged "$path")" ] || die "$(staged "$path") exists and is not a folder"
        act "create folder $(staged "$path") (0755 root:root)"
        M_DIRS+=("$path")
        [ "$DRY_RUN" = 1 ] && continue
        mkdir -m 0755 -- "$(staged "$path")"
        set_owner "$(staged "$path")"
    done
    return 0
}

# replace_atomically DEST MODE MAKE-TEMP...: runs MAKE-TEMP... with the temp file's path as its
# last argument, then gives the temp file MODE ("" for a symlink, which has none) and root's
# ownership, syncs it and renames it over DEST. The temp file sits beside DEST (same filesystem,
# so the rename is atomic) and is removed on any exit before the rename.
replace_atomically() {
    local dest=$1 mode=$2 tmp
    shift 2
    tmp=$(dirname "$dest")/.$(basename "$dest").install.$$
    TEMPS+=("$tmp")
    rm -f -- "$tmp"
    "$@" "$tmp"
    [ -z "$mode" ] || chmod "$mode" -- "$tmp"
    set_owner "$tmp"
    [ -z "$mode" ] || sync -- "$tmp" 2>/dev/null || true
    mv -fT -- "$tmp" "$dest"
}
# shellcheck disable=SC2317 # called through replace_atomically
print_to() { printf '%s\n' "$1" >"$2"; } # TEXT FILE

# write_text_atomically PATH TEXT MODE [quiet]
write_text_atomically() {
    [ "${4:-}" = quiet ] || act "write $1 ($3 root:root, temp file + rename)"
    [ "$DRY_RUN" = 0 ] || return 0
    replace_atomically "$1" "$3" print_to "$2"
}
install_binary_atomically() { replace_atomically "$2" 0755 cp -- "$1"; } # SRC DEST
symlink_atomically() { replace_atomically "$2" "" ln -s -- "$1"; }       # TARGET LINK

# backup NODE_PATH: moves what is there aside (same bytes, mode, owner, times; a symlink stays a
# symlink) and records it so that --uninstall puts it back.
backup() {
    local node=$1 from to
    from=$(staged "$node")
    to=$(staged "$node$BACKUP_SUFFIX")
    if [ -e "$to" ] || [ -L "$to" ]; then
        die "$to already exists: a backup from another install? Move it away (or put it back as $from) and run again"
    fi
    local owner
    owner=$(dpkg_owner "$node")
    if [ -n "$owner" ]; then
        act "divert $from (package $owner) to $to with dpkg-divert --package $DPKG_PACKAGE (--uninstall removes the diversion)"
    else
        act "keep $from as $to (--uninstall puts it back)"
    fi
    M_BACKUP[$node]=$node$BACKUP_SUFFIX
    [ "$DRY_RUN" = 1 ] && return 0
    if [ -n "$owner" ]; then
        dpkg_divert --add --divert "$node$BACKUP_SUFFIX" "$node"
    else
        mv -T -- "$from" "$to"
    fi
    save_manifest
}

# With --dpkg: Debian policy lets a package replace another package's file only through a
# diversion, so that dpkg installs that package's updates beside it and the removal restores it.
dpkg_divert() { dpkg-divert ${PREFIX:+--root "$PREFIX"} --package "$DPKG_PACKAGE" --rename --quiet "$@"; }
dpkg_owner() { # NODE_PATH -> the package that owns it (with --dpkg only), or nothing
    [ -n "$DPKG_PACKAGE" ] || return 0
    dpkg-query ${PREFIX:+--root "$PREFIX"} -S "$1" 2>/dev/null | grep -v '^diversion by' | sed -n '1s/: .*//p' || true
}
diverted_by_us() { # NODE_PATH: a diversion that --dpkg's package holds
    [ -n "$DPKG_PACKAGE" ] &&
        [ "$(dpkg-divert ${PREFIX:+--root "$PREFIX"} --listpackage "$1" 2>/dev/null)" = "$DPKG_PACKAGE" ]
}

# ---- install -------------------------------------------------------------------------------
# Runs the runcwrap binary under the name runcwrap (its management face).
runcwrap_cli() { (exec -a runcwrap "$SOURCE_BINARY" "$@"); }

find_source_binary() {
    local default=$SCRIPT_DIR/build/runcwrap
    # A release archive holds the binary beside this script.
    [ ! -f "$SCRIPT_DIR/runcwrap" ] || [ -f "$SCRIPT_DIR/Makefile" ] || default=$SCRIPT_DIR/runcwrap
    if [ -n "$SOURCE_BINARY" ]; then
        if [ ! -f "$SOURCE_BINARY" ] || [ ! -x "$SOURCE_BINARY" ]; then
            die "--source-binary $SOURCE_BINARY is not an executable file"
        fi
        info "binary: $SOURCE_BINARY"
        return 0
    fi
    SOURCE_BINARY=$default
    if [ -x "$SOURCE_BINARY" ]; then
        info "binary: $SOURCE_BINARY"
        return 0
    fi
    [ -f "$SCRIPT_DIR/Makefile" ] || die "$SOURCE_BINARY is missing and there is no Makefile to build it; pass --source-binary FILE"
    act "build it: make -C $SCRIPT_DIR -j1 build/runcwrap"
    if [ "$DRY_RUN" = 1 ]; then
        SOURCE_BINARY=
        return 0
    fi
    make -C "$SCRIPT_DIR" -j1 build/runcwrap || die "the build failed (see above)"
    [ -x "$SOURCE_BINARY" ] || die "make did not produce $SOURCE_BINARY"
}

# Sets SIDE_TEXT (what install writes) and SIDE_SOURCE (where it came from, for the output).
SIDE_TEXT=
SIDE_SOURCE=
decide_side_file() {
    if [ -n "$BINARY_NAME" ]; then
        local bn=$BINARY_NAME staged_bn
        staged_bn=$(staged "$bn")
        if [ "$bn" = "$RUNC_LIVE" ] || [ "$bn" = "$RUNCWRAP_LIVE" ]; then
            die "--binary-name $bn is runcwrap itself: name the real runtime, e.g. /usr/sbin/runc"
        fi
        if [ ! -x "$staged_bn" ] && { [ -z "$PREFIX" ] || [ ! -x "$bn" ]; }; then
            warn "--binary-name $bn is not an executable file (yet): containers will not start until it is"
        fi
        SIDE_TEXT=$(printf '# Written by install.sh\n[options]\nBinaryName = "%s"\nSystemdCgroup = %s' \
            "$bn" "$([ "$SYSTEMD_CGROUP" = 1 ] && echo true || echo false)")
        SIDE_SOURCE="--binary-name $bn"
        [ "$SYSTEMD_CGROUP" = 0 ] || SIDE_SOURCE+=" --systemd-cgroup"
        info "side file from $SIDE_SOURCE"
        return 0
    fi
    local cfg explicit=1
    cfg=$FROM_CONTAINERD
    if [ -z "$cfg" ]; then
        explicit=0
        cfg=$(staged "$DEFAULT_CONTAINERD_CONFIG")
    fi
    if [ ! -e "$cfg" ]; then
        [ "$explicit" = 0 ] || die "--from-containerd-config $cfg does not exist"
        SIDE_TEXT=$(printf '%s\n' \
            "# Written by install.sh: there was no $cfg, so containerd's defaults apply:" \
            "# runc from PATH (containerd runs \`runc\`: runcwrap, which runs the next runc in" \
            "# PATH after itself) and the cgroupfs driver." \
            "[options]" \
            "BinaryName = \"runc\"" \
            "SystemdCgroup = false")
        SIDE_SOURCE="containerd's defaults (no $cfg)"
        warn "no $cfg: writing containerd's defaults; pass --binary-name PATH if containerd is configured elsewhere"
        return 0
    fi
    SIDE_SOURCE="runcwrap import-containerd-config $cfg"
    if [ -z "$SOURCE_BINARY" ]; then
        act "import $cfg with runcwrap import-containerd-config (needs the binary to preview)"
        return 0
    fi
    info "importing $cfg (runcwrap import-containerd-config)"
    local out
    # --output names the side file so that the import keeps its [runcwrap] table.
    if ! out=$(runcwrap_cli import-containerd-config "$cfg" --output "$(staged "$CONFIG")"); then
        die "runcwrap import-containerd-config $cfg failed (see above); or pass --binary-name PATH"
    fi
    if [ -n "$PREFIX" ]; then # comments name node paths, not the staging folder
        local line fixed=
        while IFS= read -r line; do
            [[ "$line" != '#'* ]] || line=${line//"$PREFIX"\//\/}
            fixed+=$line$'\n'
        done <<<"$out"
        out=${fixed%$'\n'}
    fi
    SIDE_TEXT=$(printf '# Written by install.sh from runcwrap import-containerd-config.\n%s' "$out")
    grep '^# other runtime handler' <<<"$out" | sed 's/^# /      note: /' || true
}

install_runcwrap() {
    local dest src_sha cur_sha
    dest=$(staged "$RUNCWRAP_LIVE")
    ensure_dir "$BIN_DIR"
    save_manifest
    src_sha=
    [ -z "$SOURCE_BINARY" ] || src_sha=$(sha_of "$SOURCE_BINARY")
    if [ -n "$DPKG_PACKAGE" ] && [ -n "$SOURCE_BINARY" ] && [ "$SOURCE_BINARY" -ef "$dest" ]; then
        info "$dest is package $DPKG_PACKAGE's own file: dpkg installs and removes it"
        return 0
    fi
    if [ -f "$dest" ] && [ ! -L "$dest" ] && [ -n "$src_sha" ]; then
        cur_sha=$(sha_of "$dest")
        if [ "$cur_sha" = "$src_sha" ] && { [ -n "$M_FILE_SHA" ] || [ -n "${M_BACKUP[$RUNCWRAP_LIVE]:-}" ]; }; then
            fix_mode "$dest" 0755
            info "$dest is up to date"
            M_FILE_SHA=$src_sha
            save_manifest
            return 0
        fi
    fi
    if { [ -e "$dest" ] || [ -L "$dest" ]; } && [ -z "$M_FILE_SHA" ]; then
        # Not ours (installed by hand or by a package): keep it for --uninstall.
        backup "$RUNCWRAP_LIVE"
    fi
    act "install $dest (0755 root:root, temp file + rename)"
    [ "$DRY_RUN" = 0 ] || return 0
    install_binary_atomically "$SOURCE_BINARY" "$dest"
    M_FILE_SHA=$src_sha
    save_manifest
}

fix_mode() { # PATH MODE: a re-run puts back the mode and owner install sets
    local cur
    cur=$(stat -c '%a %u %g' -- "$1")
    if [ "$cur" != "${2#0} 0 0" ] && { [ "$IS_ROOT" = 1 ] || [ "${cur%% *}" != "${2#0}" ]; }; then
        act "reset $1 to $2 root:root (was $cur)"
        [ "$DRY_RUN" = 1 ] || {
            chmod "$2" -- "$1"
            set_owner "$1"
        }
    fi
    return 0
}

# Is the file at PATH runcwrap? Our symlink, the same inode, or the same bytes.
is_runcwrap() {
    local path=$1 src=$2
    [ -L "$path" ] && [ "$(readlink -- "$path")" = runcwrap ] && return 0
    [ -e "$path" ] || return 1
    [ "$path" -ef "$(staged "$RUNCWRAP_LIVE")" ] && return 0
    [ -n "$src" ] && cmp -s -- "$path" "$src" && return 0
    return 1
}

# What is at BIN_DIR/runc now: ours | absent | runcwrap (not installed by us) | foreign.
runc_slot() {
    local dest
    dest=$(staged "$RUNC_LIVE")
    if [ -L "$dest" ] && [ "$(readlink -- "$dest")" = runcwrap ] && [ -n "$M_LINK" ]; then
        echo ours
    elif [ ! -e "$dest" ] && [ ! -L "$dest" ]; then
        echo absent
    elif is_runcwrap "$dest" "$SOURCE_BINARY"; then
        echo runcwrap
    else
        echo foreign
    fi
}

# Refuses before anything changes, so a refused install leaves the node as it was.
check_runc_slot() {
    local dest
    dest=$(staged "$RUNC_LIVE")
    [ "$(runc_slot)" = foreign ] || return 0
    if [ "$FORCE" = 1 ]; then
        info "$dest is not runcwrap; --force: it will be kept as $dest$BACKUP_SUFFIX"
        return 0
    fi
    printf '      %s exists and is not runcwrap:\n' "$dest" >&2
    stat -c '        %A %U:%G %s bytes %N' -- "$dest" >&2
    die "refusing to replace $dest: containerd would run it instead of runcwrap. Re-run with --force to keep it as $dest$BACKUP_SUFFIX and install runcwrap (--uninstall puts it back), or choose another --bin-dir that comes before it in containerd's PATH"
}

install_runc_link() {
    local dest
    dest=$(staged "$RUNC_LIVE")
    case "$(runc_slot)" in
        ours)
            info "$dest -> runcwrap is in place"
            return 0
            ;;
        absent) ;;
        runcwrap)
            info "$dest is runcwrap already, not installed by install.sh: keeping it as a backup"
            backup "$RUNC_LIVE"
            ;;
        foreign)
            check_runc_slot >/dev/null # refuses without --force (already said in step 1)
            backup "$RUNC_LIVE"
            ;;
    esac
    act "link $dest -> runcwrap (a relative symlink: the same inode, so runcwrap recognises itself)"
    M_LINK=runcwrap
    [ "$DRY_RUN" = 0 ] || return 0
    symlink_atomically runcwrap "$dest"
    save_manifest
}

write_side_file() {
    local dest dir cur_sha want_sha
    dest=$(staged "$CONFIG")
    dir=$(dirname "$CONFIG")
    ensure_dir "$dir"
    save_manifest
    if [ -z "$SIDE_TEXT" ]; then # --dry-run without a binary to run the import
        act "write $dest ($SIDE_SOURCE; 0644 root:root, temp file + rename)"
        return 0
    fi
    want_sha=$(sha_of_text "$SIDE_TEXT")
    if [ -f "$dest" ] && [ ! -L "$dest" ]; then
        cur_sha=$(sha_of "$dest")
        if [ "$cur_sha" = "$want_sha" ] && [ -n "$M_SIDE_SHA" ]; then
            fix_mode "$dest" 0644
            info "$dest is up to date"
            check_side_folder "$dir"
            return 0
        fi
        if [ -n "$M_SIDE_SHA" ] && [ "$cur_sha" = "$M_SIDE_SHA" ]; then
            info "$dest is as install wrote it; updating it ($SIDE_SOURCE)"
        elif [ "$REPLACE_CONFIG" = 0 ]; then
            if [ -n "$M_SIDE_SHA" ]; then
                info "$dest was edited since install wrote it: keeping it (--replace-config replaces it)"
            else
                info "$dest was not written by install.sh: keeping it (--replace-config replaces it; the old one is kept as a backup)"
            fi
            if [ "$cur_sha" != "$want_sha" ]; then
                info "install would have written ($SIDE_SOURCE):"
                printf '%s\n' "$SIDE_TEXT" | sed 's/^/        | /'
            fi
            [ -z "$M_SIDE_SHA" ] || fix_mode "$dest" 0644 # never touch an operator's own file
            check_side_folder "$dir"
            return 0
        elif [ -z "$M_SIDE_SHA" ]; then
            backup "$CONFIG"
        else
            info "$dest was edited since install wrote it; --replace-config: replacing it"
        fi
    elif [ -e "$dest" ] || [ -L "$dest" ]; then
        [ "$REPLACE_CONFIG" = 1 ] || die "$dest is not a regular file; --replace-config replaces it (keeping a backup)"
        [ -n "$M_SIDE_SHA" ] || backup "$CONFIG"
    fi
    write_text_atomically "$dest" "$SIDE_TEXT" 0644
    printf '%s\n' "$SIDE_TEXT" | sed 's/^/        | /'
    M_SIDE_SHA=$want_sha
    save_manifest
    check_side_folder "$dir"
}

# runcwrap refuses a side file whose folder others can write: say so rather than chmod a folder
# install did not create.
check_side_folder() {
    local d
    d=$(staged "$1")
    [ -d "$d" ] || return 0
    if [ -n "$(find "$d" -maxdepth 0 -perm /022)" ]; then
        warn "$d is group- or other-writable: runcwrap will refuse the side file. Fix: chmod go-w $d"
    fi
    if [ "$IS_ROOT" = 1 ] && [ "$(stat -c %u -- "$d")" != 0 ]; then
        warn "$d is not owned by root: runcwrap will refuse the side file. Fix: chown root:root $d"
    fi
}

# ---- will containerd find the wrapper? -----------------------------------------------------
PATH_PROBLEMS=0
path_problem() {
    PATH_PROBLEMS=$((PATH_PROBLEMS + 1))
    warn "$*"
}

# check_search_path WHO PATHVALUE: the first runc in PATHVALUE must be BIN_DIR/runc.
check_search_path() {
    local who=$1 value=$2 dir first=
    local -a dirs
    IFS=: read -r -a dirs <<<"$value"
    for dir in "${dirs[@]}"; do
        [ -n "$dir" ] || dir=.
        dir=$(normalize "$dir")
        # install has put runc there (or, in a dry run, would have).
        if [ "$dir" = "$BIN_DIR" ]; then
            first=$dir
            break
        fi
        if [ -f "$(staged "$dir")/runc" ] && [ -x "$(staged "$dir")/runc" ]; then
            first=$dir
            break
        fi
    done
    if [ "$first" = "$BIN_DIR" ]; then
        info "[ok] $who: PATH=$value finds $BIN_DIR/runc (runcwrap) first"
    elif [ -n "$first" ]; then
        path_problem "$who finds $first/runc before $BIN_DIR/runc (PATH=$value): containerd would bypass runcwrap." \
            "Fix: put $BIN_DIR before $first in containerd's PATH (systemd: \`systemctl edit containerd\`, add [Service] Environment=PATH=$BIN_DIR:..., then restart containerd), or install with --bin-dir $first --force"
    else
        path_problem "$who: no runc in PATH=$value and $BIN_DIR is not in it: containerd would not find runcwrap." \
            "Fix: add $BIN_DIR to containerd's PATH, or install with --bin-dir set to a folder in it"
    fi
}

check_containerd_path() {
    local -a pids=()
    local pid env_path checked=0 p
    if [ -n "$CONTAINERD_PID" ]; then
        [ -r "/proc/$CONTAINERD_PID/environ" ] || die "--containerd-pid $CONTAINERD_PID: no such process (or /proc/$CONTAINERD_PID/environ is not readable)"
        pids=("$CONTAINERD_PID")
    else
        for p in /proc/[0-9]*; do
            [ "$(cat "$p/comm" 2>/dev/null)" = containerd ] && pids+=("${p#/proc/}")
        done
    fi
    for pid in "${pids[@]}"; do
        if ! env_path=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^PATH=//p' | head -n1); then
            warn "cannot read /proc/$pid/environ: run as root to check containerd (pid $pid)"
            continue
        fi
        checked=$((checked + 1))
        if [ -z "$env_path" ]; then
            path_problem "containerd (pid $pid) has no PATH: its shim will not find runc. Fix: set PATH in containerd's environment"
            continue
        fi
        check_search_path "running containerd (pid $pid)" "$env_path"
        if [ "$CONFIG" != "$DEFAULT_CONFIG" ]; then
            p=$(tr '\0' '\n' <"/proc/$pid/environ" | sed -n 's/^RUNCWRAP_CONFIG=//p' | head -n1)
            [ "$p" = "$CONFIG" ] || path_problem "containerd (pid $pid) has RUNCWRAP_CONFIG=${p:-<unset>}: the wrapper reads ${p:-$DEFAULT_CONFIG}, not $CONFIG. Fix: set RUNCWRAP_CONFIG=$CONFIG in containerd's environment"
        fi
    done
    if [ -z "$CONTAINERD_PID" ] && command -v systemctl >/dev/null 2>&1; then
        local unit_env load
        load=$(systemctl show containerd -p LoadState --value 2>/dev/null || true)
        if [ "$load" = loaded ]; then
            unit_env=$(systemctl show containerd -p Environment --value 2>/dev/null || true)
            env_path=$(tr ' ' '\n' <<<"$unit_env" | sed -n 's/^PATH=//p' | tail -n1)
            checked=$((checked + 1))
            if [ -n "$env_path" ]; then
                check_search_path "containerd.service (Environment=PATH)" "$env_path"
            else
                check_search_path "containerd.service (systemd's default PATH)" "$SYSTEMD_DEFAULT_PATH"
            fi
        fi
    fi
    if [ "$checked" = 0 ]; then
        info "containerd is not running and has no systemd unit here: its PATH cannot be checked yet."
        info "Once it runs: runcwrap doctor --bin-dir $BIN_DIR"
    fi
}

# ---- uninstall -----------------------------------------------------------------------------
remove_path() { # STAGED_PATH WHY
    act "remove $1 ($2)"
    [ "$DRY_RUN" = 1 ] || rm -f -- "$1"
}
restore_backup() { # NODE_PATH
    local node=$1 from to
    [ -n "${M_BACKUP[$node]:-}" ] || return 0
    from=$(staged "${M_BACKUP[$node]}")
    to=$(staged "$node")
    if [ ! -e "$from" ] && [ ! -L "$from" ]; then
        warn "the backup $from is gone: cannot put back $to"
    elif [ -e "$to" ] || [ -L "$to" ]; then
        warn "$to exists again: leaving the backup at $from"
        return 0
    elif diverted_by_us "$node"; then
        act "put back $to from $from (dpkg-divert --remove)"
        [ "$DRY_RUN" = 1 ] || dpkg_divert --remove "$node"
    else
        act "put back $to from $from"
        [ "$DRY_RUN" = 1 ] || mv -T -- "$from" "$to"
    fi
    unset "M_BACKUP[$node]"
    save_manifest
}

# Refuses (exit 1) while running containers still need runcwrap, unless --force; with --force
# it lists what will break. The finding is runcwrap's own (`runcwrap dependents`), so the
# package's prerm and a hand install share it.
check_dependents() {
    local binary state runc_root out rc=0
    binary=$(staged "$RUNCWRAP_LIVE")
    [ -z "$SOURCE_BINARY" ] || binary=$SOURCE_BINARY
    state=$(staged "$CONTAINERD_STATE")
    runc_root=$(staged /run/containerd/runc)
    if [ ! -x "$binary" ]; then
        warn "$binary is gone: cannot look for containers that still need runcwrap"
        return 0
    fi
    out=$(RUNCWRAP_CONFIG=$(staged "$CONFIG") "$binary" dependents --state "$state" --runc-root "$runc_root" 2>&1) || rc=$?
    case "$rc" in
        0)
            info "no running container under $state needs runcwrap"
            return 0
            ;;
        2) ;;
        *)
            warn "runcwrap dependents failed ($out): cannot tell which containers need runcwrap"
            [ "$FORCE" = 1 ] || die "cannot check $state for containers that still need runcwrap; fix that, or re-run with --force"
            return 0
            ;;
    esac
    local n
    n=$(printf '%s\n' "$out" | grep -c .)
    printf '%s\n' "$out" | while IFS= read -r line; do info "needs runcwrap: $line"; done
    if [ "$FORCE" = 1 ]; then
        warn "--force: uninstalling while $n container(s) still need runcwrap; for each, what breaks is said above"
        return 0
    fi
    if [ "$DRY_RUN" = 1 ]; then
        act "refuse: $n container(s) still need runcwrap"
        return 0
    fi
    die "$n running container(s) still need runcwrap (listed above): stop and remove them first (crictl stopp/rmp ID, or ctr -n NS task kill ID, ctr -n NS container rm ID; or drain the node), then uninstall again; --force (RUNCWRAP_FORCE=1 for the package) uninstalls anyway"
}

do_uninstall() {
    STEPS=5
    say "runcwrap uninstall${PREFIX:+ (under $PREFIX)}$(if_dry ' (dry run: nothing changes)')"
    step "Reading the manifest $MANIFEST"
    read_manifest
    if [ "$M_EXISTS" = 0 ]; then
        info "no manifest: install.sh installed nothing here${PREFIX:+ under $PREFIX}. Nothing to do."
        exit 0
    fi
    # Uninstall acts on what the manifest says, whatever --bin-dir/--config say now.
    BIN_DIR=$M_BIN_DIR
    CONFIG=$M_CONFIG
    RUNC_LIVE=$BIN_DIR/runc
    RUNCWRAP_LIVE=$BIN_DIR/runcwrap
    info "installed: $RUNCWRAP_LIVE, $RUNC_LIVE, side file $CONFIG"

    step "Looking for running containers that still need runcwrap"
    check_dependents

    step "Removing runc and runcwrap from $BIN_DIR"
    local runc runcwrap side
    runc=$(staged "$RUNC_LIVE")
    runcwrap=$(staged "$RUNCWRAP_LIVE")
    if [ -n "$M_LINK" ]; then
        if [ -L "$runc" ] && [ "$(readlink -- "$runc")" = "$M_LINK" ]; then
            remove_path "$runc" "the symlink install made"
        elif [ -e "$runc" ] || [ -L "$runc" ]; then
            warn "$runc was replaced since install: leaving it"
        fi
        M_LINK=
        save_manifest
    fi
    restore_backup "$RUNC_LIVE"
    if [ -n "$M_FILE_SHA" ]; then
        if [ -f "$runcwrap" ] && { [ "$(sha_of "$runcwrap")" = "$M_FILE_SHA" ] || [ "$FORCE" = 1 ]; }; then
            remove_path "$runcwrap" "the binary install copied"
        elif [ -e "$runcwrap" ]; then
            warn "$runcwrap changed since install: leaving it (--force removes it)"
        fi
        M_FILE_SHA=
        save_manifest
    fi
    restore_backup "$RUNCWRAP_LIVE"

    step "Removing the side file $CONFIG"
    side=$(staged "$CONFIG")
    if [ -n "$M_SIDE_SHA" ]; then
        if [ -f "$side" ] && [ "$(sha_of "$side")" = "$M_SIDE_SHA" ]; then
            remove_path "$side" "written by install"
        elif [ -f "$side" ] && [ "$FORCE" = 1 ]; then
            remove_path "$side" "edited since install; --force"
        elif [ -e "$side" ]; then
            warn "$side was edited since install: keeping it (--force removes it)"
        fi
        M_SIDE_SHA=
        save_manifest
    else
        info "$side was not written by install.sh: leaving it"
    fi
    restore_backup "$CONFIG"

    step "Removing the manifest and the folders install created"
    local left=0 i d
    for p in "${!M_BACKUP[@]}"; do
        warn "backup of $p not put back: ${M_BACKUP[$p]}"
        left=1
    done
    if [ "$left" = 1 ]; then
        warn "keeping $MANIFEST (backups left)"
        exit 1
    fi
    remove_path "$MANIFEST" "the manifest"
    for ((i = ${#M_DIRS[@]} - 1; i >= 0; i--)); do
        d=$(staged "${M_DIRS[$i]}")
        [ -d "$d" ] || continue
        if [ -n "$(ls -A -- "$d" 2>/dev/null)" ] && [ "$DRY_RUN" = 0 ]; then
            info "keeping $d (not empty)"
            continue
        fi
        act "remove folder $d (created by install)$(if_dry ', if empty by then')"
        [ "$DRY_RUN" = 1 ] || rmdir -- "$d" 2>/dev/null || info "keeping $d (not empty)"
    done
    say ""
    say "runcwrap is uninstalled$(if_dry ' (dry run: nothing changed)')."
    exit 0
}

# ---- main ----------------------------------------------------------------------------------
[ "$UNINSTALL" = 0 ] || do_uninstall

STEPS=7
say "runcwrap install${PREFIX:+ staged under $PREFIX}$(if_dry ' (dry run: nothing changes)')"
read_manifest
if [ "$M_EXISTS" = 1 ]; then
    [ "$M_BIN_DIR" = "$BIN_DIR" ] || die "runcwrap was installed in $M_BIN_DIR (manifest $MANIFEST): run ./install.sh --uninstall first, or pass --bin-dir $M_BIN_DIR"
    [ "$M_CONFIG" = "$CONFIG" ] || die "the side file was installed as $M_CONFIG (manifest $MANIFEST): run ./install.sh --uninstall first, or pass --config $M_CONFIG"
fi

step "Finding the runcwrap binary"
find_source_binary
if [ -n "$SOURCE_BINARY" ]; then
    info "version: $(runcwrap_cli version 2>&1 || true)"
fi

case "$(runc_slot)" in
    ours) info "$(staged "$RUNC_LIVE"): runcwrap, installed by install.sh" ;;
    absent) info "$(staged "$RUNC_LIVE"): not there yet" ;;
    runcwrap) info "$(staged "$RUNC_LIVE"): runcwrap, not installed by install.sh" ;;
    foreign) ;;
esac
check_runc_slot

step "Deciding the side file"
decide_side_file

step "Installing runcwrap as $(staged "$RUNCWRAP_LIVE")"
ensure_dir "$(dirname "$MANIFEST_LIVE")"
save_manifest
install_runcwrap

step "Installing runc as $(staged "$RUNC_LIVE") -> runcwrap"
install_runc_link

step "Writing the side file $(staged "$CONFIG")"
write_side_file
[ "$DRY_RUN" = 1 ] || info "manifest: $MANIFEST"

step "Checking that containerd will find the wrapper"
if [ -z "$PREFIX" ]; then
    check_containerd_path
elif [ -n "$CONTAINERD_PID" ]; then
    info "staged under $PREFIX: looking for runc in the PATH of containerd (pid $CONTAINERD_PID) inside"
    info "the staged tree (informational: it does not change the exit status)"
    check_containerd_path
else
    info "skipped: $PREFIX is a staged tree; the running containerd's PATH says nothing about it."
    info "On the node, runcwrap doctor checks it (--containerd-pid PID checks one against the tree)."
fi

step "Running runcwrap doctor"
READY=1
DOCTOR_WARNINGS=0
if [ "$PATH_PROBLEMS" -gt 0 ] && [ -z "$PREFIX" ]; then READY=0; fi
if [ -n "$PREFIX" ]; then
    info "skipped: $PREFIX is a staged tree, not the live node, so doctor would check the wrong"
    info "files. On the node, run: runcwrap doctor --bin-dir $BIN_DIR"
elif [ "$DRY_RUN" = 1 ]; then
    act "run RUNCWRAP_CONFIG=$CONFIG $RUNCWRAP_LIVE doctor --bin-dir $BIN_DIR"
elif [ "$NO_DOCTOR" = 1 ]; then
    info "skipped (--no-doctor): readiness is not verified. Run: runcwrap doctor --bin-dir $BIN_DIR"
else
    doctor_args=(doctor --bin-dir "$BIN_DIR")
    [ -z "$CONTAINERD_PID" ] || doctor_args+=(--containerd-pid "$CONTAINERD_PID")
    [ -z "$FROM_CONTAINERD" ] || doctor_args+=(--containerd-config "$FROM_CONTAINERD")
    info "RUNCWRAP_CONFIG=$CONFIG $RUNCWRAP_LIVE ${doctor_args[*]}"
    set +e
    doctor_out=$(RUNCWRAP_CONFIG=$CONFIG "$RUNCWRAP_LIVE" "${doctor_args[@]}" 2>&1)
    doctor_rc=$?
    set -e
    printf '%s\n' "$doctor_out" | sed 's/^/      /'
    # doctor's warnings count as much as install's own: the summary must not say 0 after them.
    DOCTOR_WARNINGS=$(grep -c '^\[warn\]' <<<"$doctor_out" || true)
    [ "$doctor_rc" = 0 ] || READY=0
fi

say ""
if [ "$DRY_RUN" = 1 ]; then
    say "Dry run: nothing was changed."
    exit 0
fi
if [ -n "$PREFIX" ]; then
    say "runcwrap is staged under $PREFIX ($WARNINGS warning(s)). --uninstall --prefix $PREFIX removes it."
    exit 0
fi
warning_count="$((WARNINGS + DOCTOR_WARNINGS)) warning(s): $WARNINGS from install.sh, $DOCTOR_WARNINGS from doctor"
if [ "$READY" = 1 ]; then
    say "runcwrap is installed and the node is ready ($warning_count)."
    exit 0
fi
say "runcwrap is installed, but the node is NOT ready ($warning_count): fix what is marked above, then run" >&2
say "  runcwrap doctor --bin-dir $BIN_DIR" >&2
# A package stays installed (and configured) on a node that is not ready yet: the operator
# fixes the node, not the package.
[ -n "$DPKG_PACKAGE" ] && exit 0
exit 1
