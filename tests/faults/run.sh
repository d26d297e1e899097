#!/usr/bin/env bash
# `make faults` (issue #13): operations under fault on a busy node. Runs tests/faults/scenarios.sh
#   1. through the CRI (crictl) on containerd 2.0.4 from E2E_RELEASES, with runc.amd64 as the
#      intended runtime: runcwrap is needed on every app container call;
#   2. through ctr on Debian's containerd 1.6.20: runcwrap is needed on every call.
# then prints the results table (the README's "Reliability" section holds a run of it).
#
#   usage: E2E_RELEASES=DIR bash tests/faults/run.sh /abs/path/to/runcwrap      (root)
#   env:   E2E_RELEASES    folder with containerd-2.0.4-linux-amd64.tar.gz, runc.amd64 and
#                          crictl-v<v>-linux-amd64.tar.gz (checked against its SHA256SUMS);
#                          without it the CRI half is N/A (as in make e2e); with it but
#                          an archive missing or not matching, the CRI half fails
#          FAULTS_ONLY, FAULTS_WORKERS, FAULTS_ROUNDS: passed to scenarios.sh
#          FAULTS_CLIENTS="cri ctr"   which halves to run
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WRAPPER=${1:?usage: run.sh /abs/path/to/runcwrap}
E2E_RELEASES=${E2E_RELEASES:-}
CLIENTS=${FAULTS_CLIENTS:-cri ctr}
CRI_VERSION=2.0.4
[[ $(id -u) -eq 0 ]] || {
    echo "FAIL faults: must be run as root"
    echo "0 passed, 1 failed"
    exit 1
}
START=$SECONDS
WORK=$(mktemp -d /tmp/rcw-faults.XXXXXX)
chmod 0755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
PASSED=0
FAILED=0

sum_ok() { # DIR NAME: NAME's sha256 as DIR/SHA256SUMS says (no list: accepted)
    [[ -f $1/SHA256SUMS ]] || return 0
    local want
    want=$(awk -v n="$2" '{ f = $2; sub(/^\*/, "", f) } f == n { print $1; exit }' "$1/SHA256SUMS")
    [[ -n $want && $(sha256sum "$1/$2" | cut -d' ' -f1) == "$want" ]]
}
# run_half LABEL ENV=VALUE...: scenarios.sh's lines go through; its count is added to ours
run_half() {
    local label=$1 out=$WORK/$1.log last p f
    shift
    env "$@" bash "$HERE/scenarios.sh" "$WRAPPER" 2>"$out.err" | tee "$out" | grep -v -E '^([0-9]+ passed, [0-9]+ failed|ROW\|.*)$'
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    if [[ -z $last ]]; then
        FAILED=$((FAILED + 1))
        echo "FAIL $label: stopped before its summary: $(grep '^\[e2e\] error' "$out.err" | tail -n 1)"
        tail -n 10 "$out.err" | sed 's/^/    /'
        return
    fi
    read -r p _ f _ <<<"$last"
    PASSED=$((PASSED + p))
    FAILED=$((FAILED + f))
}

if [[ " $CLIENTS " == *" cri "* ]]; then
    asset=containerd-$CRI_VERSION-linux-amd64.tar.gz
    crictl_tgz=""
    [[ -n $E2E_RELEASES ]] && crictl_tgz=$(find "$E2E_RELEASES" -maxdepth 1 -name 'crictl-v*-linux-amd64.tar.gz' -printf '%f\n' 2>/dev/null | sort -V | tail -n 1)
    if [[ -z $E2E_RELEASES ]]; then
        echo "N/A cri $CRI_VERSION: no E2E_RELEASES (the CRI half needs containerd-$CRI_VERSION-linux-amd64.tar.gz, runc.amd64 and crictl from it; as make e2e, CI without it runs Debian's half only)"
    elif [[ ! -f $E2E_RELEASES/$asset || ! -f $E2E_RELEASES/runc.amd64 || -z $crictl_tgz ]]; then
        FAILED=$((FAILED + 1))
        echo "FAIL cri $CRI_VERSION: needs E2E_RELEASES=DIR with $asset, runc.amd64 and crictl-v<v>-linux-amd64.tar.gz"
    elif ! sum_ok "$E2E_RELEASES" "$asset" || ! sum_ok "$E2E_RELEASES" runc.amd64 || ! sum_ok "$E2E_RELEASES" "$crictl_tgz"; then
        FAILED=$((FAILED + 1))
        echo "FAIL cri $CRI_VERSION: an archive in $E2E_RELEASES does not match its SHA256SUMS"
    else
        mkdir -p "$WORK/ctd"
        tar -xzf "$E2E_RELEASES/$asset" -C "$WORK/ctd"
        tar -xzf "$E2E_RELEASES/$crictl_tgz" -C "$WORK" crictl
        install -m 0755 "$E2E_RELEASES/runc.amd64" "$WORK/runc"
        run_half "cri-$CRI_VERSION" FAULTS_CLIENT=cri E2E_CTD_BIN_DIR="$WORK/ctd/bin" E2E_CTD_VERSION=$CRI_VERSION \
            E2E_RUNC_SRC="$WORK/runc" E2E_CRICTL="$WORK/crictl"
    fi
fi
if [[ " $CLIENTS " == *" ctr "* ]]; then
    run_half ctr-debian FAULTS_CLIENT=ctr
fi

echo
echo "| client, containerd | scenario | load | fault | calls made | failed | pods ran | pods lost | leftovers | result |"
echo "|---|---|---|---|---|---|---|---|---|---|"
cat "$WORK"/*.log 2>/dev/null | grep '^ROW|' | cut -d'|' -f2- | sed 's/|/ | /g; s/^/| /; s/$/ |/'
echo
echo "faults time: $((SECONDS - START))s"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
