#!/usr/bin/env bash
# `runcwrap route` as an operator runs it, on staged node trees (--prefix): the real binary, the
# fixture configs of tests/fixtures/containerd-configs/ (containerd 1.7.24's and 2.0.4's own
# `config default` with handlers added, drop-ins, an inline table). Run by tests/cli/run.sh.
# Usage: tests/cli/route.sh /abs/path/to/build/runcwrap
set -uo pipefail

BIN=${1:?usage: route.sh /path/to/runcwrap}
HERE=$(cd "$(dirname "$0")" && pwd)
CONFIGS=$HERE/../fixtures/containerd-configs
T=$(mktemp -d /tmp/rcw-route.XXXXXX)
chmod 0755 "$T"
trap 'rm -rf "$T"' EXIT INT TERM
ENTRIES=/usr/local/lib/runcwrap/handlers
SIDE=$'[options]\nBinaryName = "runc"  # the next runc in PATH\n\n[runcwrap]\nChownStdio = true'

passed=0
failed=0
pass() {
    echo "PASS route-$1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL route-$1: $2"
    failed=$((failed + 1))
}
expect_contains() { # name haystack needle
    if grep -qF -- "$3" <<<"$2"; then return 0; fi
    fail "$1" "expected to find [$3] in:"$'\n'"$2"
    return 1
}

# stage NAME CONFIG: a node tree as install.sh leaves it (runcwrap and runc -> runcwrap in
# /usr/local/bin, the side file) with CONFIG as containerd's config. Prints the tree's root.
stage() {
    local root=$T/$1
    mkdir -p "$root/usr/local/bin" "$root/etc/runcwrap" "$root/etc/containerd"
    cp "$BIN" "$root/usr/local/bin/runcwrap"
    ln -s runcwrap "$root/usr/local/bin/runc"
    printf '%s\n' "$SIDE" >"$root/etc/runcwrap/config.toml"
    cp "$CONFIGS/$2" "$root/etc/containerd/config.toml"
    echo "$root"
}

# Every file's content, every symlink's target and every folder of a tree, as one checksum.
tree_sum() {
    (cd "$1" && find . -printf '%y %p %l\n' | LC_ALL=C sort && find . -type f -print0 |
        LC_ALL=C sort -z | xargs -0 sha256sum) | sha256sum | cut -d' ' -f1
}

route() { "$BIN" route "$@"; }

t_route_all() {
    local p out
    p=$(stage all containerd-1.7.24-handlers.toml)
    out=$(route --all --prefix "$p" 2>&1) || {
        fail all "exit $?: $out"
        return
    }
    expect_contains all "$out" 'skipped handler "kata": runtime_type io.containerd.kata.v2 is not containerd'"'"'s runc shim' &&
        expect_contains all "$out" 'skipped handler "plain": its BinaryName already leads to runcwrap' &&
        expect_contains all "$out" "entry $ENTRIES/crun/runc -> /usr/local/bin/runcwrap" &&
        expect_contains all "$out" "containerd reads its config only when it starts" || return
    local h
    for h in crun runc; do
        [ "$(readlink "$p$ENTRIES/$h/runc")" = /usr/local/bin/runcwrap ] || {
            fail all "entry $h: $(ls -l "$p$ENTRIES/$h/runc" 2>&1)"
            return
        }
    done
    { [ ! -e "$p$ENTRIES/plain" ] && [ ! -e "$p$ENTRIES/kata" ]; } || {
        fail all "entries for handlers that were not routed"
        return
    }
    # containerd's config: exactly the two BinaryName lines changed.
    local diff
    diff=$(diff "$CONFIGS/containerd-1.7.24-handlers.toml" "$p/etc/containerd/config.toml" | grep '^[<>]')
    [ "$diff" = '<             BinaryName = "/usr/sbin/runc"   # Debian'"'"'s runc
<             BinaryName = "/usr/bin/crun"
>             BinaryName = "'$ENTRIES'/runc/runc"   # Debian'"'"'s runc
>             BinaryName = "'$ENTRIES'/crun/runc"' ] ||
        [ "$diff" = '<             BinaryName = "/usr/sbin/runc"   # Debian'"'"'s runc
>             BinaryName = "'$ENTRIES'/runc/runc"   # Debian'"'"'s runc
<             BinaryName = "/usr/bin/crun"
>             BinaryName = "'$ENTRIES'/crun/runc"' ] || {
        fail all "config changed beyond the two BinaryName lines:"$'\n'"$diff"
        return
    }
    # The side file: what it was, then the tables.
    local want
    want="$SIDE"$'\n\n'"# Written by \`runcwrap route\`: the handler's runtime options as containerd's config had them
# before routing; BinaryName is the real runtime (\"runc\" when it was unset: the next runc in PATH).
[handlers.crun]
BinaryName = \"/usr/bin/crun\"
SystemdCgroup = true
Root = \"/run/crun\"
[handlers.runc]
BinaryName = \"/usr/sbin/runc\"
SystemdCgroup = true"
    [ "$(cat "$p/etc/runcwrap/config.toml")" = "$want" ] || {
        fail all "side file:"$'\n'"$(cat "$p/etc/runcwrap/config.toml")"
        return
    }
    {
        grep -q '"sha256_before": "'"$(sha256sum <"$CONFIGS/containerd-1.7.24-handlers.toml" | cut -d' ' -f1)"'"' \
            "$p/var/lib/runcwrap/route/record.json" &&
            cmp -s "$CONFIGS/containerd-1.7.24-handlers.toml" "$p/var/lib/runcwrap/route/backup/etc+containerd+config.toml"
    } || {
        fail all "no record or backup of the original config"
        return
    }
    pass all
}

t_route_idempotent() {
    local p out before rc
    p=$(stage again containerd-2.0.4-handlers.toml)
    route --handler crun --handler runc --prefix "$p" >/dev/null 2>&1 || {
        fail idempotent "first route failed"
        return
    }
    before=$(tree_sum "$p")
    out=$(route --handler crun --handler runc --prefix "$p" 2>&1)
    rc=$?
    { [ "$rc" = 0 ] && [ "$(tree_sum "$p")" = "$before" ]; } || {
        fail idempotent "exit $rc, or the tree changed: $out"
        return
    }
    expect_contains idempotent "$out" "already routed through runcwrap: crun, runc" &&
        expect_contains idempotent "$out" "nothing to change" || return
    # 2.0's literal strings stay literal.
    grep -qF "BinaryName = '$ENTRIES/crun/runc'  # crun 1.8" "$p/etc/containerd/config.toml" || {
        fail idempotent "crun's line: $(grep -F BinaryName "$p/etc/containerd/config.toml")"
        return
    }
    pass idempotent
}

t_route_dry_run() {
    local p out before
    p=$(stage dry containerd-1.7.24-handlers.toml)
    before=$(tree_sum "$p")
    out=$(route --handler crun --handler plain --dry-run --prefix "$p" 2>&1) || {
        fail dry-run "exit $?: $out"
        return
    }
    [ "$(tree_sum "$p")" = "$before" ] || {
        fail dry-run "the tree changed"
        return
    }
    expect_contains dry-run "$out" "dry run: nothing is changed" &&
        expect_contains dry-run "$out" "create the entry $ENTRIES/plain/runc -> /usr/local/bin/runcwrap" &&
        expect_contains dry-run "$out" $'[handlers.plain]\nBinaryName = "runc"\nSystemdCgroup = false' &&
        expect_contains dry-run "$out" $'--- /etc/containerd/config.toml\n+++ /etc/containerd/config.toml' &&
        expect_contains dry-run "$out" $'-            BinaryName = "/usr/bin/crun"\n+            BinaryName = "'$ENTRIES'/crun/runc"' &&
        expect_contains dry-run "$out" $'+          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.plain.options]\n+            BinaryName = "'$ENTRIES'/plain/runc"' || return
    # The diff it prints is the change the real run makes: it applies with patch.
    sed -n '/^--- /,$p' <<<"$out" >"$T/dry.patch"
    cp "$p/etc/containerd/config.toml" "$T/dry.patched"
    patch -s "$T/dry.patched" "$T/dry.patch" || {
        fail dry-run "the printed diff does not apply"
        return
    }
    { route --handler crun --handler plain --prefix "$p" >/dev/null 2>&1 &&
        cmp -s "$T/dry.patched" "$p/etc/containerd/config.toml"; } || {
        fail dry-run "the real run differs from the printed diff"
        return
    }
    pass dry-run
}

t_route_undo_restores_bytes() {
    local p out rc side_before before
    p=$(stage undo containerd-1.7.24-handlers.toml)
    before=$(tree_sum "$p")
    side_before=$(sha256sum <"$p/etc/runcwrap/config.toml")
    # Two routings (one adds an options table), then one undo.
    { route --all --prefix "$p" >/dev/null 2>&1 && route --handler plain --prefix "$p" >/dev/null 2>&1; } || {
        fail undo "route failed"
        return
    }
    # --undo --dry-run: the diffs back, the entries it would remove; nothing changes.
    local routed
    routed=$(tree_sum "$p")
    out=$(route --undo --dry-run --prefix "$p" 2>&1) || {
        fail undo "--dry-run: exit $?: $out"
        return
    }
    [ "$(tree_sum "$p")" = "$routed" ] || {
        fail undo "--undo --dry-run changed the tree"
        return
    }
    expect_contains undo "$out" "-            BinaryName = \"$ENTRIES/crun/runc\""$'\n'"+            BinaryName = \"/usr/bin/crun\"" &&
        expect_contains undo "$out" "remove the entry $ENTRIES/plain/runc" || return
    out=$(route --undo --prefix "$p" 2>&1) || {
        fail undo "exit $?: $out"
        return
    }
    cmp "$CONFIGS/containerd-1.7.24-handlers.toml" "$p/etc/containerd/config.toml" || {
        fail undo "config not restored byte for byte"
        return
    }
    [ "$(sha256sum <"$p/etc/runcwrap/config.toml")" = "$side_before" ] || {
        fail undo "side file: $(cat "$p/etc/runcwrap/config.toml")"
        return
    }
    [ "$(tree_sum "$p")" = "$before" ] || {
        fail undo "the tree is not as before routing: $(cd "$p" && find . | sort)"
        return
    }
    expect_contains undo "$out" "restored byte for byte" &&
        expect_contains undo "$out" "removed the entry $ENTRIES/plain/runc" || return
    out=$(route --undo --prefix "$p" 2>&1)
    rc=$?
    [ "$rc" = 0 ] || {
        fail undo "second undo: exit $rc: $out"
        return
    }
    expect_contains undo "$out" "nothing to undo" && pass undo
}

t_route_undo_keeps_operator_edit() {
    local p out cfg
    p=$(stage edited containerd-1.7.24-handlers.toml)
    cfg=$p/etc/containerd/config.toml
    route --all --prefix "$p" >/dev/null 2>&1 || {
        fail undo-after-edit "route failed"
        return
    }
    # The operator changes the sandbox image and crun's Root (written atomically, as an editor).
    sed -e 's|registry.k8s.io/pause:3.8|registry.example/pause:3.9|' -e 's|Root = "/run/crun"|Root = "/run/crun2"|' "$cfg" >"$cfg.new" &&
        mv "$cfg.new" "$cfg"
    out=$(route --undo --prefix "$p" 2>&1) || {
        fail undo-after-edit "exit $?: $out"
        return
    }
    sed -e 's|registry.k8s.io/pause:3.8|registry.example/pause:3.9|' -e 's|Root = "/run/crun"|Root = "/run/crun2"|' \
        "$CONFIGS/containerd-1.7.24-handlers.toml" >"$T/edited.want"
    cmp "$T/edited.want" "$cfg" || {
        fail undo-after-edit "want the original with the operator's edits: $(diff "$T/edited.want" "$cfg")"
        return
    }
    expect_contains undo-after-edit "$out" "changed since routing, so only runcwrap's own keys are taken back: the BinaryName of crun, runc" &&
        pass undo-after-edit
}

# crun comes from a drop-in, imported by an absolute path (resolved under --prefix): only the
# drop-in changes.
t_route_dropin() {
    local p out main
    p=$(stage dropin dropin-main.toml)
    main=$p/etc/containerd/config.toml
    sed -i 's|imports = \["dropin.d/\*.toml"\]|imports = ["/etc/containerd/conf.d/*.toml"]|' "$main"
    mkdir -p "$p/etc/containerd/conf.d"
    cp "$CONFIGS/dropin.d/50-crun.toml" "$p/etc/containerd/conf.d/"
    cp "$main" "$T/dropin-main.before"
    out=$(route --handler crun --prefix "$p" 2>&1) || {
        fail dropin "exit $?: $out"
        return
    }
    cmp -s "$main" "$T/dropin-main.before" || {
        fail dropin "the main file changed"
        return
    }
    grep -qF "BinaryName = \"$ENTRIES/crun/runc\"" "$p/etc/containerd/conf.d/50-crun.toml" || {
        fail dropin "drop-in not routed: $(cat "$p/etc/containerd/conf.d/50-crun.toml")"
        return
    }
    expect_contains dropin "$out" "routed in /etc/containerd/conf.d/50-crun.toml" &&
        expect_contains dropin "$(cat "$p/etc/runcwrap/config.toml")" $'[handlers.crun]\nBinaryName = "/usr/bin/crun"\nSystemdCgroup = true' || return
    { route --undo --prefix "$p" >/dev/null 2>&1 &&
        cmp "$CONFIGS/dropin.d/50-crun.toml" "$p/etc/containerd/conf.d/50-crun.toml"; } || {
        fail dropin "undo did not restore the drop-in"
        return
    }
    pass dropin
}

# expect_refusal NAME TREE WANT ARGS...: exit 1, WANT in the message, the tree unchanged.
expect_refusal() {
    local name=$1 p=$2 want=$3 out rc before
    shift 3
    before=$(tree_sum "$p")
    out=$(route "$@" --prefix "$p" 2>&1)
    rc=$?
    [ "$rc" = 1 ] || {
        fail "$name" "exit $rc, want 1: $out"
        return 1
    }
    [ "$(tree_sum "$p")" = "$before" ] || {
        fail "$name" "the tree changed"
        return 1
    }
    expect_contains "$name" "$out" "$want"
}

t_route_errors() {
    local p
    p=$(stage errors containerd-1.7.24-handlers.toml)
    mkdir -p "$p/bin" && cp /bin/true "$p/bin/true"
    expect_refusal unknown-handler "$p" 'no CRI runtime handler "nope" in /etc/containerd/config.toml (found: crun, kata, plain, runc)' --handler nope &&
        expect_refusal kata-handler "$p" 'handler "kata" has runtime_type io.containerd.kata.v2, not containerd'"'"'s runc shim' --handler kata &&
        expect_refusal not-runcwrap "$p" "$p/bin/true is not runcwrap (no ELF note named runcwrap)" --handler crun --binary /bin/true &&
        expect_refusal restart-with-prefix "$p" "--restart-containerd with --prefix" --all --restart-containerd &&
        expect_refusal neither "$p" "route takes --all or --handler NAME" || return
    # --restart-containerd where systemd does not run: refused before anything changes. (Where
    # systemd runs, this would restart the machine's containerd: not run there, and said so.)
    if [ -d /run/systemd/system ]; then
        echo "NOTE route-restart-no-systemd not run: systemd runs here, and the test would restart containerd"
    else
        local before out rc
        before=$(tree_sum "$p")
        out=$(route --all --restart-containerd --containerd-config "$p/etc/containerd/config.toml" \
            --config "$p/etc/runcwrap/config.toml" --entry-dir "$p/entries" \
            --binary "$p/usr/local/bin/runcwrap" --state-dir "$p/state" 2>&1)
        rc=$?
        { [ "$rc" = 1 ] && [ "$(tree_sum "$p")" = "$before" ]; } || {
            fail restart-no-systemd "exit $rc (want 1) or the tree changed: $out"
            return
        }
        expect_contains restart-no-systemd "$out" "--restart-containerd: systemd is not running here (no /run/systemd/system)" || return
    fi
    p=$(stage inline inline.toml)
    expect_refusal inline-table "$p" "$p/etc/containerd/config.toml:3: the runtime handler \"runc\"'s table is written as an inline table or with dotted keys" --handler runc || return
    p=$(stage noside containerd-1.7.24-handlers.toml)
    rm "$p/etc/runcwrap/config.toml"
    expect_refusal no-side-file "$p" "$p/etc/runcwrap/config.toml: no side file; fix: install runcwrap first (install.sh)" --all || return
    p=$(stage noinstall containerd-1.7.24-handlers.toml)
    rm "$p/usr/local/bin/runc"
    expect_refusal not-installed "$p" "no runcwrap installed in /usr/local/bin (/usr/local/bin/runc is not a symlink to runcwrap); fix: run install.sh first" --all || return
    pass errors
}

# A container still running through the routed handlers keeps the entries and tables.
t_route_undo_with_dependents() {
    local p out rc task
    p=$(stage deps containerd-1.7.24-handlers.toml)
    route --all --prefix "$p" >/dev/null 2>&1 || {
        fail undo-dependents "route failed"
        return
    }
    task=$p/run/containerd/io.containerd.runtime.v2.task/k8s.io
    mkdir -p "$task/app1" "$task/pod1"
    echo '{"io_uid":100000,"io_gid":100000}' >"$task/app1/options.json"
    echo '{"binary_name":"'$ENTRIES'/crun/runc","systemd_cgroup":true}' >"$task/pod1/options.json"
    out=$(route --undo --prefix "$p" 2>&1)
    rc=$?
    [ "$rc" = 2 ] || {
        fail undo-dependents "exit $rc, want 2: $out"
        return
    }
    { cmp -s "$CONFIGS/containerd-1.7.24-handlers.toml" "$p/etc/containerd/config.toml" &&
        [ -L "$p$ENTRIES/crun/runc" ] && grep -qF '[handlers.crun]' "$p/etc/runcwrap/config.toml"; } || {
        fail undo-dependents "want the config restored and entries + tables kept"
        return
    }
    expect_contains undo-dependents "$out" "k8s.io/app1 options-dropped" &&
        expect_contains undo-dependents "$out" "k8s.io/pod1 handler-entry $task/pod1: needs handler crun's entry $ENTRIES/crun/runc" &&
        expect_contains undo-dependents "$out" "kept the entries and the side file's [handlers.*] tables" || return
    out=$(route --undo --force --prefix "$p" 2>&1) || {
        fail undo-dependents "--force: exit $?: $out"
        return
    }
    { [ ! -e "$p$ENTRIES/crun/runc" ] && ! grep -qF '[handlers' "$p/etc/runcwrap/config.toml"; } || {
        fail undo-dependents "--force kept entries or tables"
        return
    }
    expect_contains undo-dependents "$out" "--force: removing the entries and tables" && pass undo-dependents
}

# The wrapper's side-file readers take route's tables: a call through the entry runs the
# handler's recorded runtime (explain --via shows the decision without running anything).
t_route_tables_read_by_wrapper() {
    local p out real
    real=$(command -v runc.real 2>/dev/null || echo /usr/sbin/runc)
    p=$(stage wrapper inline.toml)
    printf '%s\n' 'version = 2' '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."real.runc"]' \
        '  runtime_type = "io.containerd.runc.v2"' \
        '  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes."real.runc".options]' \
        "    BinaryName = \"$real\"" '    SystemdCgroup = true' >"$p/etc/containerd/config.toml"
    route --all --prefix "$p" >/dev/null 2>&1 || {
        fail wrapper-reads-tables "route failed"
        return
    }
    out=$(RUNCWRAP_CONFIG=$p/etc/runcwrap/config.toml "$BIN" explain --via "$ENTRIES/real.runc/runc" -- --version 2>&1) || {
        fail wrapper-reads-tables "explain refused route's side file: $out"
        return
    }
    expect_contains wrapper-reads-tables "$out" "runtime:   $real (from side file $p/etc/runcwrap/config.toml [handlers.\"real.runc\"]" &&
        pass wrapper-reads-tables
}

# --restart-containerd where systemd runs: after routing (and after undo) route runs
# `systemctl restart containerd` from PATH and reports its failure. systemd does not run on
# this machine, so this runs in a private mount namespace whose /run has an empty
# /run/systemd/system (sd_booted's test) and with a stand-in systemctl first in PATH that
# records its arguments: what is tested is route's side (when it restarts, what it runs, what
# it says), not systemd's restart.
t_route_restart_containerd() {
    local p out rc
    p=$(stage restart containerd-1.7.24-handlers.toml)
    mkdir -p "$p/fakebin"
    # shellcheck disable=SC2016 # the stand-in's own $* and $FAKE_SYSTEMCTL_RC
    printf '#!/bin/sh\necho "$*" >>"%s"\nexit "${FAKE_SYSTEMCTL_RC:-0}"\n' "$p/systemctl.log" >"$p/fakebin/systemctl"
    chmod 0755 "$p/fakebin/systemctl"
    local paths=(--containerd-config "$p/etc/containerd/config.toml" --config "$p/etc/runcwrap/config.toml"
        --entry-dir "$p/entries" --bin-dir "$p/usr/local/bin" --state-dir "$p/state" --containerd-state "$p/run-containerd")
    with_systemd() { # ENV... -- ARGS...: route in a mount namespace where systemd seems to run
        unshare -m --propagation private sh -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && exec "$@"' \
            sh env PATH="$p/fakebin:$PATH" "$@"
    }
    out=$(with_systemd "$BIN" route --all --restart-containerd "${paths[@]}" 2>&1)
    rc=$?
    { [ "$rc" = 0 ] && [ "$(cat "$p/systemctl.log" 2>/dev/null)" = "restart containerd" ] &&
        [ "$(readlink "$p/entries/crun/runc")" = "$p/usr/local/bin/runcwrap" ]; } || {
        fail restart-containerd "route --all --restart-containerd: exit $rc, systemctl calls [$(cat "$p/systemctl.log" 2>/dev/null)]: $out"
        return
    }
    expect_contains restart-containerd "$out" "restarting containerd: systemctl restart containerd" || return
    # Nothing to change: no restart either.
    out=$(with_systemd "$BIN" route --all --restart-containerd "${paths[@]}" 2>&1)
    rc=$?
    { [ "$rc" = 0 ] && [ "$(grep -c . "$p/systemctl.log")" = 1 ]; } || {
        fail restart-containerd "a second route (nothing to change) restarted containerd or failed: exit $rc, calls $(grep -c . "$p/systemctl.log"): $out"
        return
    }
    # The undo restarts it too, and a failing restart is an error that says where to look; the
    # config is already back (a containerd restarted later no longer leads to the entries).
    out=$(with_systemd FAKE_SYSTEMCTL_RC=3 "$BIN" route --undo --restart-containerd "${paths[@]}" 2>&1)
    rc=$?
    { [ "$rc" != 0 ] && [ "$(grep -c . "$p/systemctl.log")" = 2 ] &&
        cmp -s "$CONFIGS/containerd-1.7.24-handlers.toml" "$p/etc/containerd/config.toml"; } || {
        fail restart-containerd "undo with a failing restart: exit $rc, calls $(grep -c . "$p/systemctl.log"), config back: $(cmp "$CONFIGS/containerd-1.7.24-handlers.toml" "$p/etc/containerd/config.toml" 2>&1 && echo yes): $out"
        return
    }
    expect_contains restart-containerd "$out" "systemctl restart containerd failed (exit 3); see journalctl -u containerd" &&
        pass restart-containerd
}

t_route_all
t_route_tables_read_by_wrapper
t_route_idempotent
t_route_dry_run
t_route_undo_restores_bytes
t_route_undo_keeps_operator_edit
t_route_dropin
t_route_errors
t_route_undo_with_dependents
t_route_restart_containerd

echo "route: $passed passed, $failed failed"
[ "$failed" = 0 ]
