#!/usr/bin/env bash
# Checks read `cond && cond || { fail ...; return; }`: any false condition is the failure.
# shellcheck disable=SC2015
# The release files of `make dist` as a node gets them (run as root):
#   - build/dist holds the five files, SHA256SUMS verifies, both binaries are static for their
#     architecture and say their version, commit and target;
#   - each archive unpacks and its install.sh installs its binary into a staging root (no build,
#     no network), doctor's checks that apply there pass, --uninstall leaves the root empty;
#   - each .deb is lintian-clean and holds nothing under /usr/local; each installs with dpkg -i
#     into a throwaway copy of this machine (overlayfs over /, private mount namespace; arm64
#     forced onto this amd64 dpkg, its binary under qemu), diverts /usr/sbin/runc, leaves `runc`
#     working through runcwrap (a busybox container runs), and remove + purge leave the same
#     files and diversions as before;
#   - arm64 under qemu-user (Debian's qemu-user-static, registered in binfmt_misc here and
#     removed at the end): the unit tests and the integration suite against the arm64 binary
#     (the tests qemu cannot hold are named in QEMU_DIFFERENCES, with why, and checked another way);
#   - reproducible: `make dist` in a fresh clone of the same commit gives the same SHA256SUMS.
# Usage: tests/dist/run.sh   (from make dist-tests, after make dist)
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
cd "$REPO" || exit 1
VERSION=$(cat VERSION)
DIST=$REPO/build/dist
COMMIT=$(git rev-parse --short=12 HEAD)

[ "$(id -u)" = 0 ] || {
    echo "FAIL setup: run as root"
    echo "0 passed, 1 failed"
    exit 1
}

T=$(mktemp -d /tmp/rcw-dist.XXXXXX)
chmod 0755 "$T"
BINFMT_NAME=runcwrap-test-aarch64-$$
BINFMT_DIR=/proc/sys/fs/binfmt_misc
MOUNTED_BINFMT=0
cleanup() {
    [ ! -e "$BINFMT_DIR/$BINFMT_NAME" ] || echo -1 >"$BINFMT_DIR/$BINFMT_NAME"
    [ "$MOUNTED_BINFMT" = 0 ] || umount "$BINFMT_DIR"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

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
show() { printf '%s\n' "$1" | tail -n "${2:-15}" | sed 's/^/    | /'; }

declare -A TRIPLE=([amd64]=x86_64-linux-musl [arm64]=aarch64-linux-musl)
declare -A FILE_ARCH=([amd64]="x86-64" [arm64]="ARM aarch64")
archive() { echo "$DIST/runcwrap-$VERSION-linux-$1.tar.gz"; }
deb() { echo "$DIST/runcwrap_${VERSION}_$1.deb"; }

# ---- binfmt_misc: arm64 binaries run under Debian's qemu-user-static -----------------------
# Debian's own registration line (/usr/lib/binfmt.d/qemu-aarch64.conf) under a name of ours.
register_qemu() {
    local conf=/usr/lib/binfmt.d/qemu-aarch64.conf line
    [ -f "$conf" ] || {
        echo "no $conf: qemu-user-static is not installed"
        return 1
    }
    if [ ! -e "$BINFMT_DIR/register" ]; then
        mount -t binfmt_misc binfmt_misc "$BINFMT_DIR" || return 1
        MOUNTED_BINFMT=1
    fi
    line=$(grep -v '^#' "$conf" | head -n1)
    printf '%s' ":$BINFMT_NAME:${line#:qemu-aarch64:}" >"$BINFMT_DIR/register" || return 1
    [ "$(head -n1 "$BINFMT_DIR/$BINFMT_NAME")" = enabled ]
}

# ---- the files -----------------------------------------------------------------------------
t_files() {
    local f want=()
    for a in amd64 arm64; do want+=("$(archive $a)" "$(deb $a)"); done
    for f in "${want[@]}" "$DIST/SHA256SUMS"; do
        [ -f "$f" ] || {
            fail files "missing $f"
            return
        }
    done
    local count
    count=$(find "$DIST" -mindepth 1 | wc -l)
    [ "$count" = 5 ] || {
        fail files "build/dist holds $count files, not 5: $(find "$DIST" -mindepth 1)"
        return
    }
    local out
    out=$(cd "$DIST" && sha256sum -c SHA256SUMS 2>&1) || {
        fail files "sha256sum -c:"
        show "$out"
        return
    }
    [ "$(grep -c ': OK$' <<<"$out")" = 4 ] || {
        fail files "SHA256SUMS does not list the four files"
        show "$out"
        return
    }
    pass files
}

# Unpacks each archive into $T/unpack-ARCH and checks its layout and the binary.
t_archive_layout() {
    local a name list want
    for a in amd64 arm64; do
        name=runcwrap-$VERSION-linux-$a
        list=$(tar -tvzf "$(archive $a)" | awk '{print $1, $2, $6}')
        want=$(printf '%s\n' "drwxr-xr-x 0/0 $name/" "-rw-r--r-- 0/0 $name/LICENSE" \
            "-rw-r--r-- 0/0 $name/README.md" "-rwxr-xr-x 0/0 $name/install.sh" \
            "-rwxr-xr-x 0/0 $name/runcwrap" "-rw-r--r-- 0/0 $name/runcwrap.8")
        [ "$list" = "$want" ] || {
            fail archive-layout "$a: tar lists"$'\n'"$list"
            return
        }
        mkdir -p "$T/unpack-$a"
        tar -xzf "$(archive $a)" -C "$T/unpack-$a" || {
            fail archive-layout "$a: tar -x failed"
            return
        }
        local bin=$T/unpack-$a/$name/runcwrap desc
        desc=$(file -b "$bin")
        grep -qF "${FILE_ARCH[$a]}" <<<"$desc" && grep -qE 'statically linked|static-pie linked' <<<"$desc" ||
            {
                fail archive-layout "$a: file says: $desc"
                return
            }
        ! readelf -l "$bin" | grep -q INTERP || {
            fail archive-layout "$a: the binary has a PT_INTERP"
            return
        }
        grep -qF "\"runcwrap $VERSION\"" "$T/unpack-$a/$name/runcwrap.8" ||
            {
                fail archive-layout "$a: the man page does not say version $VERSION"
                return
            }
        cmp -s install.sh "$T/unpack-$a/$name/install.sh" || {
            fail archive-layout "$a: install.sh differs"
            return
        }
    done
    pass archive-layout
}

t_version() {
    local a bin out
    for a in amd64 arm64; do
        bin=$T/unpack-$a/runcwrap-$VERSION-linux-$a/runcwrap
        out=$("$bin" --version 2>&1)
        [ "$out" = "runcwrap $VERSION (commit $COMMIT, target ${TRIPLE[$a]})" ] ||
            {
                fail version "$a: --version says: $out"
                return
            }
        out=$(exec -a runcwrap "$bin" version 2>&1)
        [ "$out" = "runcwrap $VERSION (commit $COMMIT, target ${TRIPLE[$a]})" ] ||
            {
                fail version "$a: version says: $out"
                return
            }
    done
    pass version
}

# install.sh from the unpacked archive: the binary beside it, no compiler, no network.
t_archive_install() {
    local a dir p out rc
    for a in amd64 arm64; do
        dir=$T/unpack-$a/runcwrap-$VERSION-linux-$a
        p=$T/stage-$a
        mkdir -m 0755 "$p"
        # Only the base system: no zig, make or compiler on PATH; and no network namespace.
        out=$(cd "$dir" && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin unshare --net \
            ./install.sh --prefix "$p" --binary-name /usr/sbin/runc 2>&1)
        rc=$?
        [ "$rc" = 0 ] || {
            fail archive-install "$a: exit $rc"
            show "$out" 30
            return
        }
        grep -qF "binary: $dir/runcwrap" <<<"$out" || {
            fail archive-install "$a: not the archive's binary"
            show "$out" 30
            return
        }
        [ ! -e "$dir/build" ] || {
            fail archive-install "$a: install.sh built something"
            return
        }
        cmp -s "$dir/runcwrap" "$p/usr/local/bin/runcwrap" || {
            fail archive-install "$a: installed binary differs"
            return
        }
        [ "$(readlink "$p/usr/local/bin/runc")" = runcwrap ] || {
            fail archive-install "$a: no runc link"
            return
        }
        # doctor's checks that apply to a staged root: the links, the side file, the runtime.
        # (Not bin-dir under qemu: doctor knows runcwrap by /proc/self/exe, which qemu answers
        # with its own binary; the link and the bytes were checked above.)
        out=$(RUNCWRAP_CONFIG=$p/etc/runcwrap/config.toml "$p/usr/local/bin/runcwrap" doctor --bin-dir "$p/usr/local/bin" 2>&1)
        local check checks=()
        [ "$a" = arm64 ] || checks+=("[ok]   bin-dir: $p/usr/local/bin/runc is runcwrap")
        checks+=("[ok]   side-file: $p/etc/runcwrap/config.toml parses and is trusted, BinaryName = /usr/sbin/runc"
            "[ok]   runtime (side file BinaryName): /usr/sbin/runc: runc version")
        for check in "${checks[@]}"; do
            grep -qF -- "$check" <<<"$out" || {
                fail archive-install "$a: doctor lacks: $check"
                show "$out" 30
                return
            }
        done
        # The staged runc is the wrapper and reaches the real runc: its output only.
        out=$(RUNCWRAP_CONFIG=$p/etc/runcwrap/config.toml "$p/usr/local/bin/runc" --version 2>&1)
        [ "$out" = "$(/usr/sbin/runc --version 2>&1)" ] || {
            fail archive-install "$a: runc --version through runcwrap:"
            show "$out"
            return
        }
        out=$("$dir/install.sh" --prefix "$p" --uninstall 2>&1) || {
            fail archive-install "$a: --uninstall failed"
            show "$out"
            return
        }
        [ -z "$(find "$p" -mindepth 1)" ] || {
            fail archive-install "$a: --uninstall left: $(find "$p" -mindepth 1)"
            return
        }
    done
    pass archive-install
}

# ---- the Debian packages -------------------------------------------------------------------
t_deb_contents() {
    local a list field
    for a in amd64 arm64; do
        list=$(dpkg-deb -c "$(deb $a)" | awk '{print $1, $2, $6}')
        grep -q ' \./usr/local' <<<"$list" && {
            fail deb-contents "$a: ships /usr/local"
            return
        }
        grep -qx -- '-rwxr-xr-x root/root ./usr/sbin/runcwrap' <<<"$list" &&
            grep -qx -- '-rw-r--r-- root/root ./usr/share/man/man8/runcwrap.8.gz' <<<"$list" ||
            {
                fail deb-contents "$a: dpkg-deb -c:"
                show "$list" 30
                return
            }
        # The maintainer scripts call the binary (`runcwrap install`): no install.sh, no bash.
        grep -q 'install\.sh' <<<"$list" && {
            fail deb-contents "$a: ships an install.sh"
            return
        }
        # No file of another package: /usr/sbin/runc is install's symlink, after dpkg-divert.
        grep -q '/usr/sbin/runc$' <<<"$list" && {
            fail deb-contents "$a: ships /usr/sbin/runc"
            return
        }
        for field in "Version:$VERSION" "Architecture:$a" "Package:runcwrap"; do
            [ "$(dpkg-deb -f "$(deb $a)" "${field%%:*}")" = "${field#*:}" ] ||
                {
                    fail deb-contents "$a: ${field%%:*} is $(dpkg-deb -f "$(deb $a)" "${field%%:*}")"
                    return
                }
        done
        mkdir -p "$T/deb-$a"
        dpkg-deb -x "$(deb $a)" "$T/deb-$a"
        # Its maintainer scripts are sh and hand the work to the package's binary.
        dpkg-deb -e "$(deb $a)" "$T/deb-$a-control"
        grep -q '^ *\/usr/sbin/runcwrap install --dpkg runcwrap ' "$T/deb-$a-control/postinst" &&
            grep -q '^ *\/usr/sbin/runcwrap install --dpkg runcwrap --uninstall$' "$T/deb-$a-control/prerm" &&
            [ "$(head -n 1 "$T/deb-$a-control/postinst")" = '#!/bin/sh' ] || {
            fail deb-contents "$a: the maintainer scripts do not call /usr/sbin/runcwrap install"
            return
        }
        cmp -s "$T/unpack-$a/runcwrap-$VERSION-linux-$a/runcwrap" "$T/deb-$a/usr/sbin/runcwrap" ||
            {
                fail deb-contents "$a: the package's binary is not the archive's"
                return
            }
    done
    pass deb-contents
}

t_deb_lintian() {
    local a out
    for a in amd64 arm64; do
        if ! out=$(lintian --fail-on error,warning "$(deb $a)" 2>&1) || grep -qE '^[EW]:' <<<"$out"; then
            fail deb-lintian "$a:"
            show "$out" 30
            return
        fi
    done
    pass deb-lintian
}

# The amd64 package on a throwaway copy of this machine: overlayfs over / in a private mount
# namespace, entered with chroot. The live node never changes.
# The arm64 package too, forced onto this amd64 dpkg: its binary runs under qemu-user and
# reaches this machine's (amd64) runc.
t_deb_install() { # ARCH [DPKG_OPTION...]
    local a=$1 out rc
    shift
    out=$(unshare --mount --propagation private bash "$HERE/deb-install.sh" "$(deb "$a")" "$T/overlay-$a" "$@" 2>&1)
    rc=$?
    [ "$rc" = 0 ] || {
        fail "deb-install-$a" "exit $rc"
        show "$out" 40
        return
    }
    printf '%s\n' "$out" | sed 's/^/    /'
    pass "deb-install-$a"
}

# ---- arm64 under qemu-user -----------------------------------------------------------------
t_arm64_unit() {
    local out rc
    out=$(SAMPLES_DIR=$REPO/tests/fixtures/shim-1.6.20 build/aarch64/unit-tests --gtest_brief=1 2>&1)
    rc=$?
    [ "$rc" = 0 ] || {
        fail arm64-unit "exit $rc"
        show "$out" 40
        return
    }
    show "$out" 3
    pass arm64-unit
}

# The integration tests that cannot hold under qemu-user 7.2 (Debian 12's qemu-user-static)
# because qemu is not a kernel; each is left out under qemu only, and t_arm64_qemu_checks checks
# its property in a way qemu keeps, where there is one. On amd64 (make integration) all run.
#  - qemu answers stat("/proc/self/exe") with its own binary, not the guest's: runcwrap cannot
#    tell "runcwrap itself" and says "another copy of runcwrap" (its ELF note) instead: the same
#    refusal in other words. A real arm64 kernel names the runcwrap binary there.
#  - qemu holds the guest binary open on the lowest free fd: with fd 0 closed at entry, fd 0 is
#    qemu's file when runcwrap starts. A kernel leaves it closed.
#  - qemu 7.2 gives the guest its environment in reverse order; runcwrap passes on what it got.
#  - qemu has no execveat: runcwrap falls back to execve("/proc/self/fd/N") as fexecve does, so
#    with /proc hidden the exec itself fails under qemu. A kernel's execveat needs no /proc.
QEMU_DIFFERENCES=(
    'Aliases/SelfLoop.SideFileNamingRuncwrapIsRefusedWithTheFix/*'                  # /proc/self/exe
    'BadInputs.BinaryNameIsRuncwrapBy*'                                             # /proc/self/exe
    'BadInputs.BinaryNameBareResolvesOnlyToRuncwrap'                                # /proc/self/exe
    'ErrorLog.TextFormatGivesALogrusTextLine'                                       # /proc/self/exe (its example error)
    'ErrorLog.UnwritableLogStillReportsOnStderr'                                    # /proc/self/exe (its example error)
    'BadInputs.StdioClosedAtEntryStaysClosedInTheRuntime'                           # qemu's fd 0
    'Install/Fds.ClosedStdioStaysClosed/*'                                          # qemu's fd 0
    'Variants/ReplayD.EveryShimCallReachesTheRuntimeUnchangedButForRestoredFlags/*' # env order
    'BadInputs.BinaryNameRuncWithNoOtherRuncInPath'                                 # /proc/self/exe
    'SelfLoopNoProc.HotPathNeedsNoProcAndStillRefusesItself'                        # no execveat
    'RoutedHandler.AHandlerTableNamingRuncwrapIsAConfigurationError'                # /proc/self/exe
)
t_arm64_integration() {
    local out rc bin=$T/unpack-arm64/runcwrap-$VERSION-linux-arm64/runcwrap filter
    filter=$(
        IFS=:
        echo "${QEMU_DIFFERENCES[*]}"
    )
    out=$(RUNCWRAP_BIN=$bin PROBE_BIN=$REPO/build/probe-runtime SAMPLES_DIR=$REPO/tests/fixtures/shim-1.6.20 \
        build/integration-tests --gtest_brief=1 --gtest_filter="-$filter" 2>&1)
    rc=$?
    [ "$rc" = 0 ] || {
        fail arm64-integration "exit $rc"
        show "$out" 60
        return
    }
    show "$out" 3
    echo "    (left out under qemu-user, see QEMU_DIFFERENCES: $(build/integration-tests --gtest_list_tests \
        --gtest_filter="$filter" | grep -c '^  ') tests)"
    pass arm64-integration
}

# What the left-out tests check, in a form qemu keeps.
t_arm64_qemu_checks() {
    local bin=$T/unpack-arm64/runcwrap-$VERSION-linux-arm64/runcwrap d=$T/qemu-checks out rc want
    mkdir -p "$d/etc"
    ln -s "$bin" "$d/runc"
    # Named as its own runtime, the arm64 binary refuses (exit 1, one line, the file and the fix).
    printf '[options]\nBinaryName = "%s"\n' "$bin" >"$d/etc/self.toml"
    out=$(RUNCWRAP_CONFIG=$d/etc/self.toml "$d/runc" --version 2>"$d/err")
    rc=$?
    [ "$rc" = 1 ] && [ -z "$out" ] && [ "$(wc -l <"$d/err")" = 1 ] &&
        grep -qF "$d/etc/self.toml [options] BinaryName is $bin, which is another copy of runcwrap; fix:" "$d/err" ||
        {
            fail arm64-qemu-checks "self as BinaryName: exit $rc, stdout [$out], stderr [$(cat "$d/err")]"
            return
        }
    # ... and says so in runc's text log format.
    RUNCWRAP_CONFIG=$d/etc/self.toml "$d/runc" --log "$d/runc.log" --log-format text --version 2>/dev/null
    grep -qE '^time="[0-9T:.+Z-]+" level=error msg="runcwrap: .*another copy of runcwrap' "$d/runc.log" &&
        [ "$(wc -l <"$d/runc.log")" = 1 ] || {
        fail arm64-qemu-checks "text log: $(cat "$d/runc.log")"
        return
    }
    # The runtime gets runcwrap's environment, nothing dropped or added but RUNCWRAP_DEPTH, last.
    printf '[options]\nBinaryName = "/usr/bin/env"\n' >"$d/etc/env.toml"
    out=$(env -i A=1 B='two words' C=3 RUNCWRAP_CONFIG="$d/etc/env.toml" "$d/runc")
    want=$(printf '%s\n' A=1 'B=two words' C=3 "RUNCWRAP_CONFIG=$d/etc/env.toml" | LC_ALL=C sort)
    [ "$(grep -v '^RUNCWRAP_DEPTH=' <<<"$out" | LC_ALL=C sort)" = "$want" ] &&
        tail -n1 <<<"$out" | grep -qE '^RUNCWRAP_DEPTH=1:[0-9a-f]+\.[0-9a-f]+$' ||
        {
            fail arm64-qemu-checks "environment of the runtime:"
            show "$out"
            return
        }
    pass arm64-qemu-checks
}

# ---- reproducible --------------------------------------------------------------------------
# A fresh clone of the commit, in another folder: its make dist must give the same SHA256SUMS.
t_reproducible() {
    local clone=$T/clone out
    if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
        fail reproducible "the worktree has uncommitted changes: build/dist is not the commit's (commit, then run again)"
        return
    fi
    git clone -q --shared "$REPO" "$clone" && git -C "$clone" checkout -q "$(git rev-parse HEAD)" ||
        {
            fail reproducible "git clone failed"
            return
        }
    ln -s "$(readlink -f toolchain/node_modules)" "$clone/toolchain/node_modules"
    out=$(make -C "$clone" --no-print-directory -j2 dist 2>&1) || {
        fail reproducible "make dist in the clone failed"
        show "$out" 30
        return
    }
    if ! cmp -s "$clone/build/dist/SHA256SUMS" "$DIST/SHA256SUMS"; then
        fail reproducible "SHA256SUMS differ:"
        diff "$DIST/SHA256SUMS" "$clone/build/dist/SHA256SUMS" | sed 's/^/    | /'
        return
    fi
    pass reproducible
}

start=$SECONDS
t_files
if register_qemu; then
    echo "binfmt_misc: $BINFMT_NAME -> $(sed -n 's/^interpreter //p' "$BINFMT_DIR/$BINFMT_NAME")"
    t_archive_layout
    t_version
    t_archive_install
    t_deb_contents
    t_arm64_unit
    t_arm64_integration
    t_arm64_qemu_checks
    t_deb_install arm64 --force-architecture --force-depends
else
    fail arm64 "cannot register qemu-aarch64 in binfmt_misc: no arm64 test runs"
fi
t_deb_lintian
t_deb_install amd64
t_reproducible
echo "dist suite: $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
