#!/usr/bin/env bash
# Checks read `cond && cond || { fail ...; return; }`: any false condition is the failure.
# shellcheck disable=SC2015
# install.sh as packagers, bootstrap tools and operators use it, always into a temp --prefix
# (never the live node): fresh install, second run identical, a foreign runc refused then
# replaced with --force and put back by --uninstall, --dry-run, RUNCWRAP_* variables, an edited
# side file kept, the import from containerd's config, containerd's PATH check.
# Run as root (the side file must be root-owned for runcwrap to trust it).
# Usage: tests/install/run.sh /abs/path/to/build/runcwrap
set -uo pipefail

BIN=${1:?usage: run.sh /path/to/runcwrap}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
INSTALL=$REPO/install.sh
FIX=$HERE/fixtures

# Only what each case sets may reach install.sh.
while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep -E '^(RUNCWRAP_|DESTDIR$)')

[ "$(id -u)" = 0 ] || {
    echo "FAIL setup: run as root (the side file must be root-owned)"
    echo "0 passed, 1 failed"
    exit 1
}
[ -x "$BIN" ] || {
    echo "FAIL setup: $BIN is not executable"
    echo "0 passed, 1 failed"
    exit 1
}

T=$(mktemp -d /tmp/rcw-install.XXXXXX)
chmod 0755 "$T"
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT INT TERM

# A runtime that shows how it was called: /bin/echo, in a root-owned 0755 folder.
mkdir -m 0755 "$T/rt"
cp /bin/echo "$T/rt/echo-runtime"
chmod 0755 "$T/rt/echo-runtime"
RT=$T/rt/echo-runtime

passed=0
failed=0
pass() {
    echo "PASS $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1: $2"
    failed=$((failed + 1))
}

new_prefix() {
    local p
    p=$(mktemp -d "$T/prefix.XXXXXX")
    chmod 0755 "$p"
    echo "$p"
}
# Every path with mode, owner, group, size, type and link target, then every file's checksum.
tree() {
    (cd "$1" && find . -printf '%p %m %u %g %s %y %l\n' | LC_ALL=C sort &&
        find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
}
# inst PREFIX ARGS...: runs install.sh into PREFIX; output in $OUT, status in $RC.
OUT=
RC=0
inst() {
    local prefix=$1
    shift
    OUT=$("$INSTALL" --prefix "$prefix" --source-binary "$BIN" "$@" 2>&1)
    RC=$?
}
show() { printf '%s\n' "$OUT" | tail -n "${1:-15}" | sed 's/^/    | /'; }
has() { grep -qF -- "$1" <<<"$OUT"; }
stat_of() { stat -c '%F %a %U:%G' -- "$1" 2>&1; }

# ---- cases ---------------------------------------------------------------------------------
t_help() {
    local out rc
    out=$("$INSTALL" --help 2>&1)
    rc=$?
    [ "$rc" = 0 ] || {
        fail help "exit $rc"
        return
    }
    local opt
    for opt in --binary-name --from-containerd-config --systemd-cgroup --bin-dir --config --prefix \
        --dry-run --uninstall --force --replace-config --no-doctor RUNCWRAP_BINARY_NAME \
        --route-handlers --restart-containerd RUNCWRAP_ROUTE_HANDLERS; do
        grep -qF -- "$opt" <<<"$out" || {
            fail help "--help does not mention $opt"
            return
        }
    done
    pass help
}

t_bad_arguments() {
    local p
    p=$(new_prefix)
    local before
    before=$(tree "$p")
    inst "$p" --binary-name usr/sbin/runc
    [ "$RC" = 1 ] && has "absolute" || {
        fail bad-arguments "relative --binary-name: exit $RC"
        show
        return
    }
    inst "$p" --binary-name /usr/sbin/runc --from-containerd-config "$FIX/containerd/config.toml"
    [ "$RC" = 1 ] && has "exclusive" || {
        fail bad-arguments "both sources: exit $RC"
        show
        return
    }
    inst "$p" --systemd-cgroup
    [ "$RC" = 1 ] && has "goes with --binary-name" || {
        fail bad-arguments "--systemd-cgroup alone: exit $RC"
        show
        return
    }
    inst "$p" --no-such-option
    [ "$RC" != 0 ] && has "unknown argument" || {
        fail bad-arguments "unknown option: exit $RC"
        show
        return
    }
    OUT=$(RUNCWRAP_FORCE=maybe "$INSTALL" --prefix "$p" --source-binary "$BIN" --binary-name "$RT" 2>&1)
    RC=$?
    [ "$RC" = 1 ] && has "RUNCWRAP_FORCE=maybe" || {
        fail bad-arguments "RUNCWRAP_FORCE=maybe: exit $RC"
        show
        return
    }
    inst "$p" --binary-name "/opt/x\"y"
    [ "$RC" = 1 ] || {
        fail bad-arguments "a quote in --binary-name was accepted"
        show
        return
    }
    [ "$(tree "$p")" = "$before" ] || {
        fail bad-arguments "a refused call changed the tree"
        return
    }
    pass bad-arguments
}

t_fresh_install() {
    local p b
    p=$(new_prefix)
    inst "$p" --binary-name "$RT" --systemd-cgroup
    [ "$RC" = 0 ] || {
        fail fresh-install "exit $RC"
        show 30
        return
    }
    b=$p/usr/local/bin
    [ "$(stat_of "$b/runcwrap")" = "regular file 755 root:root" ] ||
        {
            fail fresh-install "runcwrap: $(stat_of "$b/runcwrap")"
            return
        }
    cmp -s "$b/runcwrap" "$BIN" || {
        fail fresh-install "runcwrap is not the built binary"
        return
    }
    [ -L "$b/runc" ] && [ "$(readlink "$b/runc")" = runcwrap ] ||
        {
            fail fresh-install "runc is not a symlink to runcwrap: $(stat_of "$b/runc") $(readlink "$b/runc")"
            return
        }
    [ "$(stat_of "$p/etc/runcwrap")" = "directory 755 root:root" ] ||
        {
            fail fresh-install "side file folder: $(stat_of "$p/etc/runcwrap")"
            return
        }
    [ "$(stat_of "$p/etc/runcwrap/config.toml")" = "regular file 644 root:root" ] ||
        {
            fail fresh-install "side file: $(stat_of "$p/etc/runcwrap/config.toml")"
            return
        }
    local want
    want=$(printf '# Written by install.sh\n[options]\nBinaryName = "%s"\nSystemdCgroup = true' "$RT")
    [ "$(cat "$p/etc/runcwrap/config.toml")" = "$want" ] ||
        {
            fail fresh-install "side file content:"$'\n'"$(cat "$p/etc/runcwrap/config.toml")"
            return
        }
    [ -f "$p/var/lib/runcwrap/install-manifest" ] || {
        fail fresh-install "no manifest"
        return
    }
    grep -q "$p" "$p/var/lib/runcwrap/install-manifest" &&
        {
            fail fresh-install "the manifest names the staging folder"
            return
        }
    local leftovers
    leftovers=$(find "$p" -name '*.install.*')
    [ -z "$leftovers" ] || {
        fail fresh-install "temp files left: $leftovers"
        return
    }
    # The staged runc is runcwrap's wrapper face: it reads the side file and execs BinaryName
    # with the call's arguments (a real runc would reject `list` under /x; echo prints them).
    local ran
    ran=$(RUNCWRAP_CONFIG=$p/etc/runcwrap/config.toml "$b/runc" --root /x list 2>&1)
    [ "$ran" = "--root /x list" ] || {
        fail fresh-install "runc did not run the wrapper: [$ran]"
        return
    }
    # ... and runcwrap trusts the side file install wrote.
    ran=$(RUNCWRAP_CONFIG=$p/etc/runcwrap/config.toml "$b/runcwrap" explain -- --version 2>&1)
    grep -qF "runtime:   $RT (from side file $p/etc/runcwrap/config.toml" <<<"$ran" ||
        {
            fail fresh-install "explain does not use the side file:"$'\n'"$ran"
            return
        }
    has "[1/8]" && has "[8/8]" && has "staged tree, not the live node" ||
        {
            fail fresh-install "numbered steps or the doctor explanation missing"
            show 30
            return
        }
    pass fresh-install
    FRESH=$p
}

t_second_run_identical() {
    local p=${FRESH:-}
    [ -n "$p" ] || {
        fail second-run-identical "fresh-install failed first"
        return
    }
    local before
    before=$(tree "$p")
    inst "$p" --binary-name "$RT" --systemd-cgroup
    [ "$RC" = 0 ] || {
        fail second-run-identical "exit $RC"
        show
        return
    }
    local after
    after=$(tree "$p")
    [ "$before" = "$after" ] || {
        fail second-run-identical "the tree changed:"$'\n'"$(diff <(echo "$before") <(echo "$after"))"
        return
    }
    has "is up to date" && has "-> runcwrap is in place" && ! has "create folder" ||
        {
            fail second-run-identical "output does not say nothing changed"
            show 30
            return
        }
    pass second-run-identical
}

# A new build replaces the installed binary in place (no backup of our own old binary) and the
# runc symlink follows it.
t_upgrade() {
    local p newer
    p=$(new_prefix)
    inst "$p" --binary-name "$RT"
    [ "$RC" = 0 ] || {
        fail upgrade "install: exit $RC"
        show
        return
    }
    newer=$T/newer/runcwrap
    mkdir -p "$T/newer"
    cp "$BIN" "$newer"
    printf 'a newer build' >>"$newer" # trailing bytes: still the same program, other checksum
    OUT=$("$INSTALL" --prefix "$p" --source-binary "$newer" --binary-name "$RT" 2>&1)
    RC=$?
    [ "$RC" = 0 ] && cmp -s "$p/usr/local/bin/runcwrap" "$newer" && [ ! -e "$p/usr/local/bin/runcwrap.runcwrap-backup" ] &&
        grep -qF "$(sha256sum <"$newer" | cut -d' ' -f1)" "$p/var/lib/runcwrap/install-manifest" ||
        {
            fail upgrade "exit $RC, or not replaced in place"
            show
            return
        }
    [ "$(RUNCWRAP_CONFIG=$p/etc/runcwrap/config.toml "$p/usr/local/bin/runc" upgraded 2>&1)" = upgraded ] ||
        {
            fail upgrade "runc does not run the new binary's wrapper"
            return
        }
    inst "$p" --uninstall
    [ "$RC" = 0 ] && [ -z "$(ls -A "$p")" ] || {
        fail upgrade "uninstall after upgrade left: $(find "$p" -mindepth 1)"
        show
        return
    }
    pass upgrade
}

# Uninstall removes exactly what install added: the tree is as it was before.
t_uninstall_exact() {
    local p before
    p=$(new_prefix)
    mkdir -p "$p/usr/local/bin" "$p/etc"
    echo keep >"$p/usr/local/bin/other-tool"
    before=$(tree "$p")
    inst "$p" --binary-name "$RT"
    [ "$RC" = 0 ] || {
        fail uninstall-exact "install: exit $RC"
        show
        return
    }
    inst "$p" --uninstall
    [ "$RC" = 0 ] || {
        fail uninstall-exact "uninstall: exit $RC"
        show
        return
    }
    local after
    after=$(tree "$p")
    [ "$before" = "$after" ] || {
        fail uninstall-exact "the tree differs:"$'\n'"$(diff <(echo "$before") <(echo "$after"))"
        return
    }
    inst "$p" --uninstall
    [ "$RC" = 0 ] && has "Nothing to do" || {
        fail uninstall-exact "second uninstall: exit $RC"
        show
        return
    }
    pass uninstall-exact
}

make_foreign_runc() { # PREFIX
    mkdir -p "$1/usr/local/bin"
    printf '#!/bin/sh\necho "I am the foreign runc"\n' >"$1/usr/local/bin/runc"
    chmod 0750 "$1/usr/local/bin/runc"
    touch -d '2020-01-02 03:04:05' "$1/usr/local/bin/runc"
    cp -p "$1/usr/local/bin/runc" "$T/foreign-runc.orig"
}

t_foreign_runc_refused() {
    local p before
    p=$(new_prefix)
    make_foreign_runc "$p"
    before=$(tree "$p")
    inst "$p" --binary-name "$RT"
    [ "$RC" != 0 ] || {
        fail foreign-runc-refused "install replaced a foreign runc without --force"
        show
        return
    }
    has "refusing to replace $p/usr/local/bin/runc" && has "--force" ||
        {
            fail foreign-runc-refused "no clear refusal"
            show
            return
        }
    [ "$(tree "$p")" = "$before" ] || {
        fail foreign-runc-refused "the refused install changed the tree"
        return
    }
    FOREIGN=$p
    pass foreign-runc-refused
}

t_force_then_uninstall_restores() {
    local p=${FOREIGN:-} before b
    [ -n "$p" ] || {
        fail force-uninstall-restores "foreign-runc-refused failed first"
        return
    }
    b=$p/usr/local/bin
    before=$(tree "$p")
    inst "$p" --binary-name "$RT" --force
    [ "$RC" = 0 ] || {
        fail force-uninstall-restores "--force: exit $RC"
        show
        return
    }
    [ -L "$b/runc" ] && [ "$(readlink "$b/runc")" = runcwrap ] || {
        fail force-uninstall-restores "runc is not runcwrap"
        return
    }
    cmp -s "$b/runc.runcwrap-backup" "$T/foreign-runc.orig" ||
        {
            fail force-uninstall-restores "no byte-for-byte backup at runc.runcwrap-backup"
            return
        }
    # Running again is still idempotent and keeps the backup.
    local mid
    mid=$(tree "$p")
    inst "$p" --binary-name "$RT"
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$mid" ] || {
        fail force-uninstall-restores "re-run after --force changed the tree (exit $RC)"
        show
        return
    }
    inst "$p" --uninstall
    [ "$RC" = 0 ] || {
        fail force-uninstall-restores "--uninstall: exit $RC"
        show
        return
    }
    [ ! -L "$b/runc" ] && cmp -s "$b/runc" "$T/foreign-runc.orig" ||
        {
            fail force-uninstall-restores "runc is not the foreign one again"
            return
        }
    [ "$(stat -c '%a %Y' "$b/runc")" = "$(stat -c '%a %Y' "$T/foreign-runc.orig")" ] ||
        {
            fail force-uninstall-restores "mode or mtime of the restored runc changed"
            return
        }
    [ "$(tree "$p")" = "$before" ] ||
        {
            fail force-uninstall-restores "tree after uninstall differs:"$'\n'"$(diff <(echo "$before") <(tree "$p"))"
            return
        }
    [ "$(printf '%s' "$("$b/runc")")" = "I am the foreign runc" ] || {
        fail force-uninstall-restores "restored runc does not run"
        return
    }
    pass force-uninstall-restores
}

t_dry_run() {
    local p before
    # On an empty tree.
    p=$(new_prefix)
    before=$(tree "$p")
    inst "$p" --binary-name "$RT" --dry-run
    [ "$RC" = 0 ] || {
        fail dry-run "fresh: exit $RC"
        show
        return
    }
    [ "$(tree "$p")" = "$before" ] || {
        fail dry-run "a dry run changed an empty tree"
        return
    }
    has "[dry-run] would install $p/usr/local/bin/runcwrap" && has "[dry-run] would link" &&
        has "[dry-run] would write $p/etc/runcwrap/config.toml" && has "[dry-run] would create folder $p/etc" ||
        {
            fail dry-run "the actions are not all printed"
            show 40
            return
        }
    # On an installed tree, with other settings, with --force over a foreign runc, and --uninstall.
    inst "$p" --binary-name "$RT"
    [ "$RC" = 0 ] || {
        fail dry-run "install: exit $RC"
        show
        return
    }
    rm "$p/usr/local/bin/runc"
    make_foreign_runc "$p"
    before=$(tree "$p")
    inst "$p" --binary-name /usr/sbin/runc --systemd-cgroup --force --replace-config --dry-run
    [ "$RC" = 0 ] || {
        fail dry-run "installed: exit $RC"
        show
        return
    }
    [ "$(tree "$p")" = "$before" ] || {
        fail dry-run "a dry run changed an installed tree"
        return
    }
    has "would keep $p/usr/local/bin/runc as" || {
        fail dry-run "the backup is not announced"
        show 40
        return
    }
    inst "$p" --uninstall --dry-run
    [ "$RC" = 0 ] || {
        fail dry-run "uninstall: exit $RC"
        show
        return
    }
    [ "$(tree "$p")" = "$before" ] || {
        fail dry-run "a dry-run uninstall changed the tree"
        return
    }
    has "would remove $p/usr/local/bin/runcwrap" || {
        fail dry-run "uninstall actions not printed"
        show 30
        return
    }
    RUNCWRAP_DRY_RUN=1 inst "$p" --binary-name /usr/sbin/runc --force
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$before" ] && has "[dry-run]" ||
        {
            fail dry-run "RUNCWRAP_DRY_RUN=1 changed the tree (exit $RC)"
            show
            return
        }
    pass dry-run
}

t_env_equivalents() {
    local p1 p2
    p1=$(new_prefix)
    p2=$(new_prefix)
    make_foreign_runc "$p1"
    mkdir -p "$p1/opt/rcw/bin"
    cp -p "$p1/usr/local/bin/runc" "$p1/opt/rcw/bin/runc"
    cp -a "$p1/." "$p2/"
    inst "$p1" --binary-name "$RT" --systemd-cgroup --bin-dir /opt/rcw/bin --config /etc/rcw/side.toml --force
    [ "$RC" = 0 ] || {
        fail env-equivalents "flags: exit $RC"
        show
        return
    }
    OUT=$(RUNCWRAP_PREFIX=$p2 RUNCWRAP_SOURCE_BINARY=$BIN RUNCWRAP_BINARY_NAME=$RT RUNCWRAP_SYSTEMD_CGROUP=true \
        RUNCWRAP_BIN_DIR=/opt/rcw/bin RUNCWRAP_CONFIG_FILE=/etc/rcw/side.toml RUNCWRAP_FORCE=yes "$INSTALL" 2>&1)
    RC=$?
    [ "$RC" = 0 ] || {
        fail env-equivalents "env: exit $RC"
        show
        return
    }
    [ -L "$p2/opt/rcw/bin/runc" ] && [ -f "$p2/opt/rcw/bin/runc.runcwrap-backup" ] &&
        grep -qx 'SystemdCgroup = true' "$p2/etc/rcw/side.toml" ||
        {
            fail env-equivalents "the env install did not honour the variables"
            show
            return
        }
    [ "$(tree "$p1")" = "$(tree "$p2")" ] ||
        {
            fail env-equivalents "env and flags give different trees:"$'\n'"$(diff <(tree "$p1") <(tree "$p2"))"
            return
        }
    # The command line wins over the environment.
    local p3
    p3=$(new_prefix)
    OUT=$(RUNCWRAP_BIN_DIR=/opt/env/bin "$INSTALL" --prefix "$p3" --source-binary "$BIN" --binary-name "$RT" --bin-dir /opt/flag/bin 2>&1)
    RC=$?
    [ "$RC" = 0 ] && [ -L "$p3/opt/flag/bin/runc" ] && [ ! -e "$p3/opt/env" ] ||
        {
            fail env-equivalents "--bin-dir did not win over RUNCWRAP_BIN_DIR (exit $RC)"
            show
            return
        }
    # RUNCWRAP_PREFIX + --uninstall through the environment, DESTDIR as the packagers' name.
    OUT=$(DESTDIR=$p2 "$INSTALL" --uninstall 2>&1)
    RC=$?
    [ "$RC" = 0 ] && [ ! -L "$p2/opt/rcw/bin/runc" ] && cmp -s "$p2/opt/rcw/bin/runc" "$T/foreign-runc.orig" ||
        {
            fail env-equivalents "DESTDIR uninstall (exit $RC)"
            show
            return
        }
    pass env-equivalents
}

t_edited_side_file_kept() {
    local p side
    p=$(new_prefix)
    side=$p/etc/runcwrap/config.toml
    inst "$p" --binary-name "$RT"
    [ "$RC" = 0 ] || {
        fail edited-side-file-kept "install: exit $RC"
        show
        return
    }
    printf '\n[runcwrap]\nChownStdio = true\n' >>"$side"
    sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' "$side"
    cp -p "$side" "$T/edited.toml"
    inst "$p" --binary-name "$RT"
    [ "$RC" = 0 ] && cmp -s "$side" "$T/edited.toml" && has "was edited since install wrote it: keeping it" ||
        {
            fail edited-side-file-kept "same settings: the edit was not kept (exit $RC)"
            show
            return
        }
    inst "$p" --binary-name /usr/sbin/runc
    [ "$RC" = 0 ] && cmp -s "$side" "$T/edited.toml" && has 'BinaryName = "/usr/sbin/runc"' ||
        {
            fail edited-side-file-kept "new settings: the edit was not kept or the new content not shown"
            show
            return
        }
    # A side file install wrote and nobody edited follows the new settings.
    local q
    q=$(new_prefix)
    inst "$q" --binary-name "$RT"
    inst "$q" --binary-name /usr/sbin/runc --systemd-cgroup
    [ "$RC" = 0 ] && grep -qx 'BinaryName = "/usr/sbin/runc"' "$q/etc/runcwrap/config.toml" ||
        {
            fail edited-side-file-kept "an unedited side file was not updated"
            show
            return
        }
    # --replace-config replaces the edited one; uninstall then removes it.
    inst "$p" --binary-name /usr/sbin/runc --replace-config
    [ "$RC" = 0 ] && grep -qx 'BinaryName = "/usr/sbin/runc"' "$side" && ! grep -q ChownStdio "$side" ||
        {
            fail edited-side-file-kept "--replace-config did not replace it"
            show
            return
        }
    # A side file install did not write: kept; --replace-config keeps a backup that --uninstall restores.
    local r before
    r=$(new_prefix)
    mkdir -p "$r/etc/runcwrap"
    printf '[options]\nBinaryName = "/usr/bin/crun"\n' >"$r/etc/runcwrap/config.toml"
    before=$(tree "$r")
    inst "$r" --binary-name "$RT"
    [ "$RC" = 0 ] && grep -q crun "$r/etc/runcwrap/config.toml" && has "was not written by install.sh: keeping it" ||
        {
            fail edited-side-file-kept "an operator's side file was not kept"
            show
            return
        }
    inst "$r" --binary-name "$RT" --replace-config
    [ "$RC" = 0 ] && grep -qF "$RT" "$r/etc/runcwrap/config.toml" && [ -f "$r/etc/runcwrap/config.toml.runcwrap-backup" ] ||
        {
            fail edited-side-file-kept "--replace-config on an operator's file"
            show
            return
        }
    inst "$r" --uninstall
    [ "$RC" = 0 ] && [ "$(tree "$r")" = "$before" ] ||
        {
            fail edited-side-file-kept "uninstall did not put the operator's side file back"
            show
            return
        }
    # An edited side file survives --uninstall (operator data) unless --force.
    inst "$p" --binary-name /usr/sbin/runc
    echo '# note' >>"$side"
    inst "$p" --uninstall
    [ "$RC" = 0 ] && [ -f "$side" ] && [ ! -e "$p/usr/local/bin/runcwrap" ] && has "keeping it" ||
        {
            fail edited-side-file-kept "uninstall removed an edited side file"
            show
            return
        }
    pass edited-side-file-kept
}

t_import_from_containerd_config() {
    local p side out
    p=$(new_prefix)
    side=$p/etc/runcwrap/config.toml
    inst "$p" --from-containerd-config "$FIX/containerd/config.toml"
    [ "$RC" = 0 ] || {
        fail import "exit $RC"
        show 30
        return
    }
    out=$(cat "$side" 2>&1)
    for line in '# Written by install.sh' 'BinaryName = "/usr/sbin/runc"' 'SystemdCgroup = true' \
        'Root = "/run/containerd/runc-k8s"' '# other runtime handler "crun": BinaryName = "/usr/bin/crun"'; do
        grep -qF -- "$line" <<<"$out" || {
            fail import "side file lacks [$line]:"$'\n'"$out"
            return
        }
    done
    grep -qF 'conf.d/10-opt.toml' <<<"$out" || {
        fail import "the drop-in is not named"
        return
    }
    [ "$(stat_of "$side")" = "regular file 644 root:root" ] || {
        fail import "side file: $(stat_of "$side")"
        return
    }
    local ran
    ran=$(RUNCWRAP_CONFIG=$side "$p/usr/local/bin/runcwrap" explain -- --version 2>&1)
    grep -qF "runtime:   /usr/sbin/runc (from side file $side" <<<"$ran" ||
        {
            fail import "runcwrap refuses the imported side file:"$'\n'"$ran"
            return
        }
    local before
    before=$(tree "$p")
    inst "$p" --from-containerd-config "$FIX/containerd/config.toml"
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$before" ] || {
        fail import "second import changed the tree (exit $RC)"
        show
        return
    }
    # With neither --binary-name nor a config: the node's /etc/containerd/config.toml (in the tree).
    local q
    q=$(new_prefix)
    mkdir -p "$q/etc/containerd"
    cp -r "$FIX/containerd/." "$q/etc/containerd/"
    inst "$q"
    [ "$RC" = 0 ] && grep -qx 'Root = "/run/containerd/runc-k8s"' "$q/etc/runcwrap/config.toml" ||
        {
            fail import "default import of /etc/containerd/config.toml (exit $RC)"
            show
            return
        }
    grep -qF "$q" "$q/etc/runcwrap/config.toml" && {
        fail import "the side file names the staging folder"
        return
    }
    # No containerd config at all: containerd's defaults.
    local r
    r=$(new_prefix)
    inst "$r"
    [ "$RC" = 0 ] && grep -qx 'SystemdCgroup = false' "$r/etc/runcwrap/config.toml" &&
        grep -qx 'BinaryName = "runc"' "$r/etc/runcwrap/config.toml" && has "containerd's defaults" ||
        {
            fail import "no containerd config (exit $RC)"
            show
            return
        }
    # A broken containerd config stops the install before anything changes.
    local s
    s=$(new_prefix)
    printf 'version = 2\n[plugins\n' >"$T/broken.toml"
    inst "$s" --from-containerd-config "$T/broken.toml"
    [ "$RC" = 1 ] && [ -z "$(ls -A "$s")" ] || {
        fail import "broken config: exit $RC or the tree changed"
        show
        return
    }
    pass import
}

# Builds build/runcwrap with make when it is missing (a copy of install.sh next to a Makefile
# whose build/runcwrap rule copies the real binary, so the case takes a second, not minutes).
# Issue #18: the side file is replaced atomically (temp file + rename): every run gives it a new
# inode, and a reader polling it meanwhile only ever sees the whole old or the whole new file.
# watch_file FILE OUT: until killed, appends to OUT every content of FILE it reads.
watch_file() {
    local c
    while :; do
        c=$(cat -- "$1" 2>/dev/null) && printf '%s\n--\n' "$c" >>"$2"
    done
}
t_side_file_written_atomically() {
    local r side seen ino first_ino i bn want_a want_b
    r=$(new_prefix)
    side=$r/etc/runcwrap/config.toml
    inst "$r" --binary-name /usr/sbin/runc
    [ "$RC" = 0 ] || {
        fail side-file-atomic "first install: exit $RC"
        show
        return
    }
    first_ino=$(stat -c %i "$side")
    want_a=$(printf '# Written by install.sh\n[options]\nBinaryName = "%s"\nSystemdCgroup = false' /usr/sbin/runc)
    want_b=$(printf '# Written by install.sh\n[options]\nBinaryName = "%s"\nSystemdCgroup = false' /usr/bin/crun)
    seen=$T/side-seen
    : >"$seen"
    watch_file "$side" "$seen" &
    local watcher=$!
    PIDS+=("$watcher")
    ino=$first_ino
    for i in 1 2 3 4 5 6; do
        bn=/usr/bin/crun
        [ $((i % 2)) = 0 ] && bn=/usr/sbin/runc
        inst "$r" --binary-name "$bn" --replace-config
        [ "$RC" = 0 ] || {
            kill "$watcher"
            fail side-file-atomic "run $i: exit $RC"
            show
            return
        }
        [ "$(stat -c %i "$side")" != "$ino" ] || {
            kill "$watcher"
            fail side-file-atomic "run $i rewrote the side file in place (same inode)"
            return
        }
        ino=$(stat -c %i "$side")
    done
    kill "$watcher"
    wait "$watcher" 2>/dev/null
    local partial
    partial=$(awk -v a="$want_a" -v b="$want_b" 'BEGIN { RS = "\n--\n" } $0 != a && $0 != b { n++ } END { print n + 0 }' "$seen")
    local reads
    reads=$(grep -c '^--$' "$seen")
    [ "$reads" -gt 20 ] || {
        fail side-file-atomic "the watcher read the side file only $reads times"
        return
    }
    [ "$partial" = 0 ] || {
        fail side-file-atomic "$partial of $reads reads saw a partial side file"
        return
    }
    pass "side-file-atomic ($reads reads during 6 rewrites, none partial)"
}

t_builds_when_missing() {
    local src p
    src=$T/src
    mkdir -p "$src"
    cp "$INSTALL" "$src/install.sh"
    printf 'build/runcwrap:\n\tmkdir -p build && cp %s build/runcwrap && echo built-by-make\n' "$BIN" >"$src/Makefile"
    p=$(new_prefix)
    OUT=$("$src/install.sh" --prefix "$p" --binary-name "$RT" 2>&1)
    RC=$?
    [ "$RC" = 0 ] && has built-by-make && cmp -s "$p/usr/local/bin/runcwrap" "$BIN" ||
        {
            fail builds-when-missing "exit $RC"
            show
            return
        }
    pass builds-when-missing
}

# containerd's PATH: a process named containerd whose PATH finds the staged runc first, or not.
start_fake_containerd() { # PATHVALUE [VAR=VALUE...] -> pid in FAKE_PID
    local d path=$1
    shift
    d=$(mktemp -d "$T/fake.XXXXXX")
    cp /bin/sleep "$d/containerd"
    env -i PATH="$path" "$@" "$d/containerd" 300 &
    FAKE_PID=$!
    PIDS+=("$FAKE_PID")
    local _
    for _ in $(seq 50); do
        [ "$(cat "/proc/$FAKE_PID/comm" 2>/dev/null)" = containerd ] && return 0
        sleep 0.1
    done
    return 1
}

t_containerd_path_check() {
    local p
    p=$(new_prefix)
    mkdir -p "$p/usr/sbin"
    printf '#!/bin/sh\n' >"$p/usr/sbin/runc"
    chmod 0755 "$p/usr/sbin/runc"
    start_fake_containerd /usr/local/bin:/usr/sbin:/usr/bin || {
        fail containerd-path-check "fake containerd did not start"
        return
    }
    inst "$p" --binary-name "$RT" --containerd-pid "$FAKE_PID"
    [ "$RC" = 0 ] && has "[ok] running containerd (pid $FAKE_PID): PATH=/usr/local/bin:/usr/sbin:/usr/bin finds /usr/local/bin/runc" ||
        {
            fail containerd-path-check "good PATH not recognised"
            show
            return
        }
    start_fake_containerd /usr/sbin:/usr/local/bin || {
        fail containerd-path-check "fake containerd did not start"
        return
    }
    inst "$p" --binary-name "$RT" --containerd-pid "$FAKE_PID"
    has "finds /usr/sbin/runc before /usr/local/bin/runc" && has "Fix: put /usr/local/bin before /usr/sbin" ||
        {
            fail containerd-path-check "shadowing runc not reported"
            show
            return
        }
    start_fake_containerd /usr/bin || {
        fail containerd-path-check "fake containerd did not start"
        return
    }
    inst "$p" --binary-name "$RT" --containerd-pid "$FAKE_PID"
    has "/usr/local/bin is not in it" || {
        fail containerd-path-check "missing bin dir not reported"
        show
        return
    }
    inst "$p" --binary-name "$RT" --containerd-pid 999999999
    [ "$RC" = 1 ] || {
        fail containerd-path-check "a missing --containerd-pid was accepted"
        show
        return
    }
    # Without --containerd-pid a staged install does not look at the host's containerd.
    inst "$p" --binary-name "$RT"
    has "the running containerd's PATH says nothing about it" && ! has "running containerd (pid" ||
        {
            fail containerd-path-check "a staged install checked the host's containerd"
            show
            return
        }
    pass containerd-path-check
}

# The live node path (no --prefix): doctor runs and decides the exit status. It runs in a
# private mount namespace with a temp folder bound over /var/lib (where the manifest goes), the
# bin dir and side file in temp folders, and a fake containerd whose environment names them:
# the host is not touched.
live_inst() {
    # shellcheck disable=SC2016  # expanded by the inner bash
    OUT=$(unshare -m --propagation private bash -c 'mount --bind "$0" /var/lib && exec "$@"' \
        "$T/varlib" "$INSTALL" --source-binary "$BIN" --containerd-state "$T/no-containerd" --bin-dir "$T/live/bin" --config "$T/live/etc/config.toml" "$@" 2>&1)
    RC=$?
}

t_live_install() {
    unshare -m --propagation private true 2>/dev/null ||
        {
            fail live-install "cannot make a mount namespace (unshare -m): run as root with CAP_SYS_ADMIN"
            return
        }
    local host_had=0 before cfg
    [ -e /var/lib/runcwrap ] && host_had=1
    mkdir -m 0755 "$T/varlib" "$T/live"
    before=$(tree "$T/live")
    cfg=$T/live-containerd.toml
    printf '%s\n' 'version = 2' \
        '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]' \
        '  BinaryName = "/usr/sbin/runc"' '  SystemdCgroup = false' >"$cfg"
    local env_cfg=RUNCWRAP_CONFIG=$T/live/etc/config.toml
    start_fake_containerd "$T/live/bin:/usr/sbin:/usr/bin" "$env_cfg" || {
        fail live-install "fake containerd did not start"
        return
    }
    live_inst --from-containerd-config "$cfg" --containerd-pid "$FAKE_PID"
    [ "$RC" = 0 ] && has "runcwrap doctor: healthy" && has "the node is ready" ||
        {
            fail live-install "a healthy install: exit $RC"
            show 25
            return
        }
    # Issue #17: the closing line counts the warnings doctor printed, not only install's own
    # (this fake containerd has no version to read, so doctor warns).
    local doctor_warns install_warns
    doctor_warns=$(grep -c '^ *\[warn\]' <<<"$OUT")
    install_warns=$(grep -c 'WARNING: ' <<<"$OUT")
    [ "$doctor_warns" -gt 0 ] &&
        has "the node is ready ($((doctor_warns + install_warns)) warning(s): $install_warns from install.sh, $doctor_warns from doctor)." ||
        {
            fail live-install "the closing line does not count doctor's $doctor_warns warning(s)"
            show 25
            return
        }
    [ -f "$T/varlib/runcwrap/install-manifest" ] && [ -L "$T/live/bin/runc" ] &&
        grep -qx 'BinaryName = "/usr/sbin/runc"' "$T/live/etc/config.toml" ||
        {
            fail live-install "files missing after a live install"
            return
        }
    live_inst --from-containerd-config "$cfg" --containerd-pid "$FAKE_PID" --no-doctor
    [ "$RC" = 0 ] && has "skipped (--no-doctor)" && ! has "runcwrap doctor: healthy" ||
        {
            fail live-install "--no-doctor: exit $RC"
            show
            return
        }
    # containerd finds another runc first: install says how to fix it and exits 1.
    start_fake_containerd "/usr/sbin:$T/live/bin" "$env_cfg" || {
        fail live-install "fake containerd did not start"
        return
    }
    live_inst --from-containerd-config "$cfg" --containerd-pid "$FAKE_PID"
    [ "$RC" = 1 ] && has "finds /usr/sbin/runc before $T/live/bin/runc" && has "NOT ready (" && has "[FAIL]" ||
        {
            fail live-install "a shadowed wrapper: exit $RC"
            show 25
            return
        }
    # containerd does not point the wrapper at a side file that is not the default.
    start_fake_containerd "$T/live/bin:/usr/sbin" || {
        fail live-install "fake containerd did not start"
        return
    }
    live_inst --from-containerd-config "$cfg" --containerd-pid "$FAKE_PID" --no-doctor
    [ "$RC" = 1 ] && has "RUNCWRAP_CONFIG=<unset>" || {
        fail live-install "RUNCWRAP_CONFIG not checked: exit $RC"
        show
        return
    }
    live_inst --uninstall
    [ "$RC" = 0 ] && [ "$(tree "$T/live")" = "$before" ] && [ -z "$(ls -A "$T/varlib")" ] ||
        {
            fail live-install "uninstall left: $(find "$T/live" "$T/varlib" -mindepth 1)"
            show
            return
        }
    [ "$host_had" = 1 ] || [ ! -e /var/lib/runcwrap ] || {
        fail live-install "the host's /var/lib was touched"
        return
    }
    pass live-install
}

# --uninstall while a container created through runcwrap still runs (containerd dropped its
# options): refused with its id and the fix, nothing removed; --dry-run says it would refuse;
# --force uninstalls and says what breaks. A healthy bundle does not hold uninstall back.
t_uninstall_refuses_dependents() {
    local p before mid task
    p=$(new_prefix)
    task=$p/run/containerd/io.containerd.runtime.v2.task
    mkdir -p "$task/k8s.io/healthy1" "$task/k8s.io/app7"
    echo '{"binary_name":"runc"}' >"$task/k8s.io/healthy1/options.json"
    before=$(tree "$p")
    inst "$p" --binary-name "$RT"
    [ "$RC" = 0 ] || {
        fail uninstall-dependents "install: exit $RC"
        show
        return
    }
    echo '{"io_uid":100000,"io_gid":100000}' >"$task/k8s.io/app7/options.json"
    mid=$(tree "$p")
    inst "$p" --uninstall
    [ "$RC" = 1 ] && has "needs runcwrap: k8s.io/app7 options-dropped" &&
        has "1 running container(s) still need runcwrap (listed above): stop and remove them first" &&
        ! has "healthy1" || {
        fail uninstall-dependents "not refused: exit $RC"
        show
        return
    }
    [ "$(tree "$p")" = "$mid" ] || {
        fail uninstall-dependents "a refused uninstall changed the tree"
        return
    }
    inst "$p" --uninstall --dry-run
    [ "$RC" = 0 ] && has "would refuse: 1 container(s) still need runcwrap" && [ "$(tree "$p")" = "$mid" ] ||
        {
            fail uninstall-dependents "dry run: exit $RC"
            show
            return
        }
    # The same from the environment, as the package's prerm gets it.
    OUT=$(RUNCWRAP_FORCE=1 "$INSTALL" --prefix "$p" --uninstall 2>&1)
    RC=$?
    [ "$RC" = 0 ] && has "WARNING: --force: uninstalling while 1 container(s) still need runcwrap" &&
        has "k8s.io/app7 options-dropped" || {
        fail uninstall-dependents "--force: exit $RC"
        show
        return
    }
    rm -f "$task/k8s.io/app7/options.json"
    [ "$(tree "$p")" = "$before" ] || {
        fail uninstall-dependents "--force left:"$'\n'"$(diff <(echo "$before") <(tree "$p"))"
        return
    }
    # Healthy bundles only: uninstall goes ahead.
    inst "$p" --binary-name "$RT"
    inst "$p" --uninstall
    [ "$RC" = 0 ] && has "no running container under $p/run/containerd needs runcwrap" ||
        {
            fail uninstall-dependents "healthy state: exit $RC"
            show
            return
        }
    pass uninstall-dependents
}

# Issue #15: install --route-handlers runs `runcwrap route` over the install's paths. A staged
# node whose containerd config (the fixture: default handler runc, BinaryName /usr/sbin/runc,
# and crun, /usr/bin/crun; a drop-in for another plugin) has two handlers naming runtimes.
route_node() {
    local p
    p=$(new_prefix)
    mkdir -p "$p/etc/containerd"
    cp -r "$FIX/containerd/." "$p/etc/containerd/"
    echo "$p"
}
t_route_handlers() {
    local p cfg side entries before orig mid
    p=$(route_node)
    cfg=$p/etc/containerd/config.toml
    side=$p/etc/runcwrap/config.toml
    entries=$p/usr/local/lib/runcwrap/handlers
    orig=$T/route-config.orig
    cp "$cfg" "$orig"
    before=$(tree "$p")
    # A dry run of a first install changes nothing and says what it would run.
    inst "$p" --route-handlers all --dry-run
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$before" ] && has "would run runcwrap route --all" || {
        fail route-handlers "dry run of a first install: exit $RC or the tree changed"
        show
        return
    }
    inst "$p" --route-handlers all
    [ "$RC" = 0 ] || {
        fail route-handlers "install --route-handlers all: exit $RC"
        show 40
        return
    }
    local h
    for h in runc crun; do
        [ -L "$entries/$h/runc" ] && [ "$(readlink "$entries/$h/runc")" = /usr/local/bin/runcwrap ] &&
            grep -qxF "          BinaryName = \"/usr/local/lib/runcwrap/handlers/$h/runc\"" "$cfg" &&
            grep -qxF "[handlers.$h]" "$side" || {
            fail route-handlers "handler $h: entry, config or table missing"$'\n'"$(cat "$side")"
            show 40
            return
        }
    done
    # Each table records the handler's own runtime; [options] keeps the default handler's.
    grep -A1 -xF '[handlers.crun]' "$side" | grep -qxF 'BinaryName = "/usr/bin/crun"' &&
        grep -A1 -xF '[handlers.runc]' "$side" | grep -qxF 'BinaryName = "/usr/sbin/runc"' &&
        [ "$(grep -c '^BinaryName = "/usr/sbin/runc"$' "$side")" = 2 ] &&
        has "containerd reads its config only when it starts" || {
        fail route-handlers "tables or the restart note:"$'\n'"$(cat "$side")"
        show 40
        return
    }
    # Only the two BinaryName lines of containerd's config changed.
    [ "$(diff "$orig" "$cfg" | grep -c '^[<>]')" = 4 ] || {
        fail route-handlers "config diff:"$'\n'"$(diff "$orig" "$cfg")"
        return
    }
    # The wrapper reads the side file with its tables (the strict reader, as containerd's calls).
    local ran
    ran=$(RUNCWRAP_CONFIG=$side "$p/usr/local/bin/runcwrap" explain --via /usr/local/lib/runcwrap/handlers/crun/runc -- --version 2>&1)
    grep -qF "/usr/bin/crun" <<<"$ran" || {
        fail route-handlers "explain --via the crun entry:"$'\n'"$ran"
        return
    }
    # Again: idempotent, the side file is install's own and up to date.
    mid=$(tree "$p")
    inst "$p" --route-handlers all
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$mid" ] && has "$side is up to date" &&
        ! has "edited since install" && has "nothing to change" || {
        fail route-handlers "second run: exit $RC or the tree changed"$'\n'"$(diff <(echo "$mid") <(tree "$p"))"
        show 40
        return
    }
    # A plain re-install (an upgrade) keeps the routing and the tables.
    inst "$p"
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$mid" ] && has "routed earlier" && ! has "edited since install" || {
        fail route-handlers "plain re-install: exit $RC or the tree changed"$'\n'"$(diff <(echo "$mid") <(tree "$p"))"
        show 40
        return
    }
    # An upgrade that changes install's part of the side file keeps route's tables.
    inst "$p" --binary-name "$RT"
    [ "$RC" = 0 ] && grep -qxF "BinaryName = \"$RT\"" "$side" && grep -qxF '[handlers.crun]' "$side" &&
        grep -qxF '[handlers.runc]' "$side" || {
        fail route-handlers "re-install with another --binary-name lost a table (exit $RC)"$'\n'"$(cat "$side")"
        show 40
        return
    }
    inst "$p"
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$mid" ] || {
        fail route-handlers "back to the import: exit $RC or the tree differs"$'\n'"$(diff <(echo "$mid") <(tree "$p"))"
        show 40
        return
    }
    # --uninstall --dry-run changes nothing and shows the way back.
    inst "$p" --uninstall --dry-run
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$mid" ] && has "remove the entry /usr/local/lib/runcwrap/handlers/crun/runc" || {
        fail route-handlers "uninstall --dry-run: exit $RC or the tree changed"
        show 40
        return
    }
    # --uninstall: containerd's config byte for byte, the tree as before the install.
    inst "$p" --uninstall
    [ "$RC" = 0 ] && cmp -s "$orig" "$cfg" && [ "$(tree "$p")" = "$before" ] || {
        fail route-handlers "uninstall: exit $RC, config $(cmp "$orig" "$cfg" 2>&1), tree:"$'\n'"$(diff <(echo "$before") <(tree "$p"))"
        show 40
        return
    }
    pass route-handlers
}

# Routing one handler by name on a node installed earlier; the dry run shows the diff; an
# uninstall while a container runs through an entry is refused (nothing changes) unless --force.
t_route_named_and_dependents() {
    local p cfg side before orig mid task
    p=$(route_node)
    cfg=$p/etc/containerd/config.toml
    side=$p/etc/runcwrap/config.toml
    orig=$T/route-named.orig
    cp "$cfg" "$orig"
    before=$(tree "$p")
    inst "$p" --route-handlers 'crun,-bad'
    [ "$RC" = 1 ] && has '"-bad"' && [ "$(tree "$p")" = "$before" ] || {
        fail route-named "a bad handler name: exit $RC or the tree changed"
        show
        return
    }
    inst "$p" --restart-containerd
    [ "$RC" = 1 ] && has "goes with --route-handlers" || {
        fail route-named "--restart-containerd alone: exit $RC"
        show
        return
    }
    inst "$p" --route-handlers crun --restart-containerd
    [ "$RC" = 1 ] && has "--restart-containerd with --prefix" && [ "$(tree "$p")" = "$before" ] || {
        fail route-named "--restart-containerd with --prefix: exit $RC or the tree changed"
        show
        return
    }
    inst "$p"
    mid=$(tree "$p")
    OUT=$(RUNCWRAP_ROUTE_HANDLERS=crun "$INSTALL" --prefix "$p" --source-binary "$BIN" --dry-run 2>&1)
    RC=$?
    [ "$RC" = 0 ] && [ "$(tree "$p")" = "$mid" ] && has "runcwrap route --handler crun" &&
        has '+          BinaryName = "/usr/local/lib/runcwrap/handlers/crun/runc"' &&
        has '-          BinaryName = "/usr/bin/crun"' || {
        fail route-named "RUNCWRAP_ROUTE_HANDLERS=crun --dry-run: exit $RC or the tree changed"
        show 40
        return
    }
    OUT=$(RUNCWRAP_ROUTE_HANDLERS=crun "$INSTALL" --prefix "$p" --source-binary "$BIN" 2>&1)
    RC=$?
    [ "$RC" = 0 ] && grep -qxF '[handlers.crun]' "$side" && ! grep -qF '[handlers.runc]' "$side" &&
        grep -qxF '          BinaryName = "/usr/sbin/runc"' "$cfg" || {
        fail route-named "RUNCWRAP_ROUTE_HANDLERS=crun: exit $RC"$'\n'"$(cat "$side")"
        show 40
        return
    }
    task=$p/run/containerd/io.containerd.runtime.v2.task/k8s.io/pod1
    mkdir -p "$task"
    echo '{"binary_name":"/usr/local/lib/runcwrap/handlers/crun/runc"}' >"$task/options.json"
    mid=$(tree "$p")
    inst "$p" --uninstall
    [ "$RC" = 1 ] && has "k8s.io/pod1" && [ "$(tree "$p")" = "$mid" ] || {
        fail route-named "uninstall with a container on the entry: exit $RC or the tree changed"$'\n'"$(diff <(echo "$mid") <(tree "$p"))"
        show 40
        return
    }
    inst "$p" --uninstall --force
    rm -r "$p/run"
    [ "$RC" = 0 ] && cmp -s "$orig" "$cfg" && [ "$(tree "$p")" = "$before" ] || {
        fail route-named "uninstall --force: exit $RC, config $(cmp "$orig" "$cfg" 2>&1), tree:"$'\n'"$(diff <(echo "$before") <(tree "$p"))"
        show 40
        return
    }
    pass route-named
}

# The installer image's node-install never restarts containerd from the pod: asked to, it
# refuses before it looks at the node (install and uninstall alike).
t_node_install_refuses_restart() {
    local p before cmd
    p=$(new_prefix)
    mkdir -m 0755 "$p/proc"
    before=$(tree "$p")
    for cmd in install uninstall; do
        OUT=$(HOST_ROOT=$p RUNCWRAP_RESTART_CONTAINERD=1 RUNCWRAP_ROUTE_HANDLERS=all "$BIN" node-install "$cmd" --once 2>&1)
        RC=$?
        [ "$RC" = 1 ] && has "runcwrap-installer: error: RUNCWRAP_RESTART_CONTAINERD: the installer pod does not restart the node's containerd" &&
            [ "$(tree "$p")" = "$before" ] || {
            fail node-install-restart "$cmd: exit $RC or the tree changed"
            show
            return
        }
    done
    pass node-install-restart
}

t_shellcheck() {
    command -v shellcheck >/dev/null || {
        fail shellcheck "shellcheck is not installed (apt-get install shellcheck)"
        return
    }
    local out
    out=$(shellcheck "$INSTALL" "$HERE/run.sh" 2>&1) || {
        fail shellcheck "$out"
        return
    }
    pass shellcheck
}

FRESH=
FOREIGN=
t_help
t_bad_arguments
t_fresh_install
t_second_run_identical
t_uninstall_exact
t_upgrade
t_foreign_runc_refused
t_force_then_uninstall_restores
t_dry_run
t_env_equivalents
t_edited_side_file_kept
t_import_from_containerd_config
t_side_file_written_atomically
t_builds_when_missing
t_containerd_path_check
t_live_install
t_uninstall_refuses_dependents
t_route_handlers
t_route_named_and_dependents
t_node_install_refuses_restart
t_shellcheck

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
