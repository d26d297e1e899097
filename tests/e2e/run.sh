#!/usr/bin/env bash
# End-to-end suite: the release matrix (issue #10). Each containerd release the bug touches, on a
# private containerd of its own, through ctr (tests/e2e/ctr.sh) and through the CRI with crictl
# (tests/e2e/cri.sh):
#
#   release  where it comes from                      ctr cases   CRI cases
#   1.6.20   Debian 12 (always)                       yes         case 0 (its CRI ignores userns; needs crictl)
#   1.7.x    containerd-<v>-linux-amd64.tar.gz        yes         yes (root-owned stdio)
#   2.0.0-4  containerd-<v>-linux-amd64.tar.gz        yes         yes (handler options dropped)
#   2.0.5+   containerd-<v>-linux-amd64.tar.gz        1 (fixed)   yes (the control)
#
# and, per release from 1.7 on, the routed handlers of issue #15 (tests/e2e/cri_route.sh):
# `runcwrap route --all`, pods on two handlers, doctor, `runcwrap route --undo`.
#
#   usage: bash tests/e2e/run.sh [PATH/TO/runcwrap]      (root; default: build/runcwrap)
#   env:   E2E_RELEASES=DIR  folder of upstream release assets: containerd-<v>-linux-amd64.tar.gz,
#                            runc.amd64, crictl-v<v>-linux-amd64.tar.gz; checked against its
#                            SHA256SUMS when present. Unset: Debian's 1.6.20 only.
#          E2E_SUITES="ctr cri route"  which suites to run (default all three)
#          E2E_ONLY, E2E_CRI_ONLY, E2E_KEEP: passed to ctr.sh / cri.sh
#
# Prints every case's PASS/FAIL line, `releases covered: <versions>`, then `N passed, N failed`.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WRAPPER_ARG=${1:-$HERE/../../build/runcwrap}
E2E_RELEASES=${E2E_RELEASES:-}
E2E_SUITES=${E2E_SUITES:-ctr cri route}
PASSED=0
FAILED=0
COVERED=()
NOT_COVERED=()
WORK=""

log() { printf '[e2e] %s\n' "$*" >&2; }
die() {
    printf '[e2e] error: %s\n' "$*" >&2
    exit 1
}

[[ $(id -u) -eq 0 ]] || die "must be run as root (it starts containerd and containers)"
START=$SECONDS

cleanup() {
    if [[ -n $WORK && -d $WORK ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT
trap 'log terminated; exit 143' TERM
WORK=$(mktemp -d /tmp/rcw-e2e-releases.XXXXXX)
chmod 0755 "$WORK"

# "A B" -> true when version A >= B (sort -V order)
version_ge() { [[ $(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1) == "$2" ]]; }

# One client suite on one release: its lines go through, its closing count is added to ours.
# run_suite LABEL SCRIPT ENV=VALUE...   -> 0 when the suite ran to its closing line
run_suite() {
    local label=$1 script=$2 out rc=0
    shift 2
    out=$WORK/suite-${label//\//-}.log
    log "--- $label"
    env "$@" E2E_LABEL="$label/" bash "$HERE/$script" "$WRAPPER_ARG" 2>"$out.err" |
        tee "$out" | grep -v -E '^[0-9]+ passed, [0-9]+ failed$'
    rc=${PIPESTATUS[0]}
    local last p f
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    if [[ -z $last ]]; then
        FAILED=$((FAILED + 1))
        local why
        why=$(grep '^\[e2e\] error: ' "$out.err" | tail -n 1)
        echo "FAIL $label/suite: it stopped before its summary (exit $rc): ${why:-$(tail -n 1 "$out.err")}"
        sed 's/^/    /' "$out.err" | tail -n 15
        return 1
    fi
    read -r p _ f _ <<<"$last"
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
    return 0
}

# sha256 of FILE against DIR/SHA256SUMS, when that list exists (a file it does not list fails).
verify_asset() {
    local dir=$1 name=$2 want have
    [[ -f $dir/SHA256SUMS ]] || return 0
    want=$(awk -v n="$name" '{ f = $2; sub(/^\*/, "", f) } f == n { print $1; exit }' "$dir/SHA256SUMS")
    [[ -n $want ]] || {
        log "$name is not listed in $dir/SHA256SUMS"
        return 1
    }
    have=$(sha256sum "$dir/$name" | cut -d' ' -f1)
    [[ $have == "$want" ]] || {
        log "$name: sha256 $have, SHA256SUMS says $want"
        return 1
    }
}

# ---------------------------------------------------------------------------------------------
# The client tools from E2E_RELEASES (crictl also serves Debian's containerd).
RUNC_NEW="" CRICTL="" VERSIONS=()
if [[ -n $E2E_RELEASES ]]; then
    [[ -d $E2E_RELEASES ]] || die "E2E_RELEASES=$E2E_RELEASES is not a folder"
    E2E_RELEASES=$(cd "$E2E_RELEASES" && pwd)
    mapfile -t VERSIONS < <(find "$E2E_RELEASES" -maxdepth 1 -name 'containerd-*-linux-amd64.tar.gz' -printf '%f\n' |
        sed -e 's/^containerd-//' -e 's/-linux-amd64\.tar\.gz$//' | sort -V)
    ((${#VERSIONS[@]})) || log "no containerd-<v>-linux-amd64.tar.gz in $E2E_RELEASES"
    if [[ -f $E2E_RELEASES/runc.amd64 ]] && verify_asset "$E2E_RELEASES" runc.amd64; then
        install -m 0755 "$E2E_RELEASES/runc.amd64" "$WORK/runc"
        RUNC_NEW=$WORK/runc
    fi
    crictl_tgz=$(find "$E2E_RELEASES" -maxdepth 1 -name 'crictl-v*-linux-amd64.tar.gz' -printf '%f\n' | sort -V | tail -n 1)
    if [[ -n $crictl_tgz ]] && verify_asset "$E2E_RELEASES" "$crictl_tgz" &&
        tar -xzf "$E2E_RELEASES/$crictl_tgz" -C "$WORK" crictl; then
        CRICTL=$WORK/crictl
    fi
fi

# ---------------------------------------------------------------------------------------------
# Debian's containerd, always.
# shellcheck source-path=SCRIPTDIR source=lib.sh
(source "$HERE/lib.sh" && e2e_install_deps) || die "installing Debian's packages failed"
DEB_VERSION=$(containerd --version | awk '{ sub(/^v/, "", $3); sub(/~.*/, "", $3); print $3 }')
deb_ok=1
if [[ " $E2E_SUITES " == *" ctr "* ]]; then
    run_suite "$DEB_VERSION/ctr" ctr.sh || deb_ok=0
fi
if [[ " $E2E_SUITES " == *" cri "* ]]; then
    if [[ -n $CRICTL ]]; then
        run_suite "$DEB_VERSION/cri" cri.sh E2E_CRICTL="$CRICTL" E2E_CTD_VERSION="$DEB_VERSION" || deb_ok=0
    else
        echo "N/A $DEB_VERSION/cri: no crictl (it comes from E2E_RELEASES); 1.6's CRI makes no user namespace anyway"
    fi
fi
if [[ " $E2E_SUITES " == *" route "* ]]; then
    echo "N/A $DEB_VERSION/route: 1.6's CRI makes no user namespace, so no handler needs routing"
fi
((deb_ok)) && COVERED+=("$DEB_VERSION")

# ---------------------------------------------------------------------------------------------
# Releases from E2E_RELEASES.
if [[ -n $E2E_RELEASES ]]; then
    for v in "${VERSIONS[@]}"; do
        asset=containerd-$v-linux-amd64.tar.gz
        dir=$WORK/containerd-$v
        mkdir -p "$dir"
        why=""
        if ! why=$(verify_asset "$E2E_RELEASES" "$asset" 2>&1); then
            :
        elif ! tar -xzf "$E2E_RELEASES/$asset" -C "$dir" ||
            [[ ! -x $dir/bin/containerd || ! -x $dir/bin/ctr || ! -x $dir/bin/containerd-shim-runc-v2 ]]; then
            why="$asset does not unpack to bin/{containerd,ctr,containerd-shim-runc-v2}"
        fi
        if [[ -n $why ]]; then
            FAILED=$((FAILED + 1))
            echo "FAIL $v/unpack: ${why#\[e2e\] }"
            NOT_COVERED+=("$v")
            continue
        fi
        ok=1 ran=0
        # ctr: every release up to 2.0.4 drops the options; 2.0.5 fixed ctr's path too.
        if [[ " $E2E_SUITES " == *" ctr "* ]]; then
            if version_ge "$v" 2.0.5; then
                echo "N/A $v/ctr/2-9: ctr keeps the runtime options from 2.0.5 on (case 1 shows it): runcwrap is not called"
                ran=1
                run_suite "$v/ctr" ctr.sh E2E_CTD_BIN_DIR="$dir/bin" E2E_ONLY=1 || ok=0
            else
                ran=1
                run_suite "$v/ctr" ctr.sh E2E_CTD_BIN_DIR="$dir/bin" || ok=0
            fi
        fi
        if [[ " $E2E_SUITES " == *" cri "* ]]; then
            if [[ -z $RUNC_NEW || -z $CRICTL ]]; then
                FAILED=$((FAILED + 1))
                ok=0
                echo "FAIL $v/cri: needs runc.amd64 (runc >= 1.2, idmap mounts) and crictl-v<v>-linux-amd64.tar.gz in $E2E_RELEASES (verified)"
            else
                ran=1
                run_suite "$v/cri" cri.sh E2E_CTD_BIN_DIR="$dir/bin" E2E_RUNC_SRC="$RUNC_NEW" \
                    E2E_CRICTL="$CRICTL" E2E_CTD_VERSION="$v" || ok=0
            fi
        fi
        if [[ " $E2E_SUITES " == *" route "* ]]; then
            if [[ -z $RUNC_NEW || -z $CRICTL ]]; then
                FAILED=$((FAILED + 1))
                ok=0
                echo "FAIL $v/route: needs runc.amd64 and crictl-v<v>-linux-amd64.tar.gz in $E2E_RELEASES (verified)"
            elif ! version_ge "$v" 1.7.0; then
                echo "N/A $v/route: containerd before 1.7 makes no user namespace through the CRI"
            else
                ran=1
                run_suite "$v/route" cri_route.sh E2E_CTD_BIN_DIR="$dir/bin" E2E_RUNC_SRC="$RUNC_NEW" \
                    E2E_CRICTL="$CRICTL" E2E_CTD_VERSION="$v" || ok=0
            fi
        fi
        if ((ok && ran)); then COVERED+=("$v"); else NOT_COVERED+=("$v"); fi
        rm -rf "$dir"
    done
fi

echo
if [[ -z $E2E_RELEASES ]]; then
    echo "more releases: put the upstream assets containerd-<v>-linux-amd64.tar.gz (1.7.24, 2.0.4, 2.0.5)," \
        "runc.amd64 (1.3.x) and crictl-v<v>-linux-amd64.tar.gz (1.32.0), with their SHA256SUMS, in a folder" \
        "and run: make e2e E2E_RELEASES=/that/folder"
fi
((${#NOT_COVERED[@]} == 0)) || echo "releases not covered: ${NOT_COVERED[*]}"
echo "e2e time: $((SECONDS - START))s"
echo "releases covered: ${COVERED[*]}"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0 && ${#NOT_COVERED[@]} == 0))
