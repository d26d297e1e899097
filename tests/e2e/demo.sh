#!/usr/bin/env bash
# runcwrap in one look (root): the error an operator of containerd 1.6/1.7 sees today when a
# user-namespaced container names its runtime, then the same container running through runcwrap,
# and runcwrap's own account of what it decided. Everything runs on a private containerd under a
# temp dir, which is removed at the end.
#
#   usage: bash tests/e2e/demo.sh [PATH/TO/runcwrap]      (default: build/runcwrap)
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WRAPPER_ARG=${1:-$E2E_DIR/../../build/runcwrap}
[[ -x $WRAPPER_ARG && -f $WRAPPER_ARG ]] || e2e_die "no runcwrap binary at $WRAPPER_ARG (build it first: make)"

e2e_require_root
e2e_install_deps
e2e_log "setting up a private containerd $(containerd --version | awk '{print $3}') with Debian's runc (takes a few seconds)"
e2e_setup "$WRAPPER_ARG"

bold() { if [[ -t 1 ]]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }
rule() { printf '%*s\n' "$WIDTH" '' | tr ' ' '-'; }
side_by_side() { # LEFT-FILE RIGHT-FILE: two columns of COL characters
    awk -v w="$COL" 'NR == FNR { l[FNR] = $0; n = FNR; next }
        { r[FNR] = $0; m = FNR }
        END { k = n > m ? n : m; for (i = 1; i <= k; i++) printf("%-" w "s | %s\n", l[i], r[i]) }' \
        <(expand "$1") <(expand "$2")
}

WIDTH=$(tput cols 2>/dev/null || echo 120)
((WIDTH >= 100)) || WIDTH=100
((WIDTH <= 160)) || WIDTH=160
COL=$(((WIDTH - 3) / 2))
OUT=$E2E_T/work
# What the container runs, both times.
# shellcheck disable=SC2016 # expanded inside the container
PROG='echo "hello from $(hostname)"; echo "uid_map: $(cat /proc/self/uid_map)"; echo "I can write my stdout" >/dev/stdout'
show_cmd() { # ID
    printf 'ctr run --rm --runc-binary %s \\\n    --uidmap 0:100000:65536 --gidmap 0:100000:65536 %s %s sh -c ...\n' \
        "$E2E_REAL_RUNC" "$E2E_IMAGE" "$1"
}

echo
bold "runcwrap demo: containerd $(containerd --version | awk '{print $3}'), runc $(runc --version | awk 'NR==1{print $3}'), ctr"
echo "The intended runtime is $E2E_REAL_RUNC, outside containerd's PATH; the container asks"
echo "for it with --runc-binary and runs in a user namespace (--uidmap/--gidmap):"
echo
show_cmd demo | sed 's/^/    /'
echo

# 1. Today: the uidmap makes ctr send TaskOptions, which replace the runtime options; the shim
#    forgets --runc-binary and looks for plain `runc` on its PATH.
e2e_wrapper_off
rc=0
e2e_ctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" before \
    sh -c "$PROG" </dev/null >"$OUT/before.txt" 2>&1 || rc=$?
{
    echo "WITHOUT runcwrap (today)"
    echo "ctr exit status: $rc"
    echo
    fold -s -w "$COL" "$OUT/before.txt"
    echo
    echo "The shim dropped --runc-binary and ran plain"
    echo "\`runc\` from PATH, which is not there."
} >"$OUT/left.txt"

# 2. The same container with runcwrap installed as `runc` on containerd's PATH and its side file
#    naming the intended runtime.
e2e_wrapper_on
rc=0
e2e_ctr run --rm --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" after \
    sh -c "$PROG" </dev/null >"$OUT/after.txt" 2>&1 || rc=$?
{
    echo "WITH runcwrap (installed as \`runc\` on PATH)"
    echo "ctr exit status: $rc"
    echo
    fold -s -w "$COL" "$OUT/after.txt"
    echo
    echo "side file $E2E_SIDE:" | fold -s -w "$COL"
    grep -v '^#' "$E2E_SIDE" | sed 's/^/  /' | fold -s -w "$COL"
} >"$OUT/right.txt"

rule
side_by_side "$OUT/left.txt" "$OUT/right.txt"
rule

# 3. What runcwrap decided, in its own words: `runcwrap explain` replays the create call the shim
#    makes for such a container (a detached twin, so its bundle exists) and runs nothing.
e2e_ctr run -d --runc-binary "$E2E_REAL_RUNC" "${E2E_UIDMAP[@]}" "$E2E_IMAGE" explained \
    sleep 60 </dev/null >"$OUT/explained.txt" 2>&1 ||
    {
        cat "$OUT/explained.txt"
        e2e_die "the detached twin did not start"
    }
B=$E2E_BUNDLES/explained
call=(--root "$E2E_RUNC_ROOT" --log "$B/log.json" --log-format json
    create --bundle "$B" --pid-file "$B/init.pid" explained)
echo
bold "How runcwrap decided (runcwrap explain -- <the shim's create call>):"
echo "bundle options.json, as containerd left it: $(cat "$B/options.json")"
echo "bundle runtime file (BinaryName):           '$(cat "$B/runtime")'"
echo
# (its stdio lines describe the pipe explain itself writes to, as the shim hands runc pipes)
RUNCWRAP_CONFIG=$E2E_SIDE "$E2E_WRAPPER" explain -- "${call[@]}" </dev/null 2>&1 | cat || true
e2e_remove explained

echo
if [[ -s $OUT/after.txt ]] && grep -q 'hello from' "$OUT/after.txt" &&
    grep -qF "executable file not found in \$PATH" "$OUT/before.txt"; then
    bold "Same command, same containerd: it fails today and runs with runcwrap."
    status=0
else
    bold "The demo did not show the expected before/after (see above)."
    status=1
fi
e2e_cleanup || true
exit "$status"
