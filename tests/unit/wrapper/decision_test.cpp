// decide(): the scenarios S1-S5 and the rules that put back what containerd dropped.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "wrapper/decision.hpp"

namespace runcwrap {
namespace {

using Args = std::vector<std::string>;

RuncCall P(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> argv{"runc"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_runc_argv(std::move(argv));
}

Args args_of(const RuncCall& call) { return Args(call.argv.begin() + 1, call.argv.end()); }

// The shim's calls for container "d" (tests/fixtures/shim-1.6.20/d), verbatim.
#define SHIM_GLOBALS                               \
    "--root", "/run/containerd/runc/e2e", "--log", \
        "/tmp/ctd-e2e/state/io.containerd.runtime.v2.task/e2e/d/log.json", "--log-format", "json"
constexpr const char* kBundle = "/tmp/ctd-e2e/state/io.containerd.runtime.v2.task/e2e/d";
constexpr const char* kPidFile = "/tmp/ctd-e2e/state/io.containerd.runtime.v2.task/e2e/d/init.pid";

RuncCall shim_create() {
    return P({SHIM_GLOBALS, "create", "--bundle", kBundle, "--pid-file", kPidFile, "d"});
}

Args restore(const RuncCall& call, const RuntimeOptions& wanted,
             std::vector<std::string>* out = nullptr) {
    std::vector<std::string> restored;
    Args args = restore_dropped_options(call, wanted, restored);
    if (out) *out = restored;
    return args;
}

RuntimeOptions everything() {
    RuntimeOptions o;
    o.binary_name = "/usr/sbin/runc";
    o.root = "/run/containerd/runc-custom";
    o.systemd_cgroup = true;
    o.no_pivot_root = true;
    o.no_new_keyring = true;
    return o;
}

// ---- restore rules ---------------------------------------------------------------------------

TEST(Restore, AllFlagsOnTheShimsCreate) {
    std::vector<std::string> restored;
    Args args = restore(shim_create(), everything(), &restored);
    EXPECT_EQ(args, (Args{"--root", "/run/containerd/runc-custom/e2e", "--log",
                          std::string(kBundle) + "/log.json", "--log-format", "json",
                          "--systemd-cgroup", "create", "--bundle", kBundle, "--pid-file", kPidFile,
                          "--no-pivot", "--no-new-keyring", "d"}));
    EXPECT_EQ(restored,
              (std::vector<std::string>{"--root /run/containerd/runc-custom/e2e", "--no-pivot",
                                        "--no-new-keyring", "--systemd-cgroup"}));
}

TEST(Restore, NothingWantedChangesNothing) {
    std::vector<std::string> restored;
    RuncCall call = shim_create();
    EXPECT_EQ(restore(call, RuntimeOptions{}, &restored), args_of(call));
    EXPECT_TRUE(restored.empty());
    // BinaryName alone is not a flag.
    RuntimeOptions name_only;
    name_only.binary_name = "crun";
    EXPECT_EQ(restore(call, name_only, &restored), args_of(call));
    EXPECT_TRUE(restored.empty());
}

TEST(Restore, SystemdCgroupOnlyOnCreateRunRestore) {
    RuntimeOptions want;
    want.systemd_cgroup = true;
    for (auto call : {P({SHIM_GLOBALS, "create", "--bundle", "/b", "d"}),
                      P({SHIM_GLOBALS, "run", "-d", "--bundle", "/b", "d"}),
                      P({SHIM_GLOBALS, "restore", "--image-path", "/i", "-no-subreaper", "--bundle",
                         "/b", "d"})}) {
        SCOPED_TRACE(std::string(call.command));
        std::vector<std::string> restored;
        Args args = restore(call, want, &restored);
        Args expected = args_of(call);
        expected.insert(expected.begin() + 6, "--systemd-cgroup");  // right before the command
        EXPECT_EQ(args, expected);
        EXPECT_EQ(restored, (std::vector<std::string>{"--systemd-cgroup"}));
    }
    for (auto call :
         {P({SHIM_GLOBALS, "start", "d"}), P({SHIM_GLOBALS, "delete", "--force", "d"}),
          P({SHIM_GLOBALS, "exec", "--process", "/p", "--detach", "d"}),
          P({SHIM_GLOBALS, "kill", "d", "15"}), P({SHIM_GLOBALS, "ps", "--format", "json", "d"}),
          P({SHIM_GLOBALS, "pause", "d"}), P({SHIM_GLOBALS, "update", "--resources=-", "d"}),
          P({"features"}), P({"--version"}), P({SHIM_GLOBALS, "checkpoint", "d"})}) {
        SCOPED_TRACE(std::string(call.command));
        std::vector<std::string> restored;
        EXPECT_EQ(restore(call, want, &restored), args_of(call));
        EXPECT_TRUE(restored.empty());
    }
}

TEST(Restore, SystemdCgroupOnlyWhenTheArgvLacksIt) {
    RuntimeOptions want;
    want.systemd_cgroup = true;
    for (auto call :
         {P({"--systemd-cgroup", "create", "d"}), P({"--systemd-cgroup=true", "create", "d"}),
          P({"--systemd-cgroup=false", "create", "d"}),  // the caller's explicit word
          P({"-systemd-cgroup", "run", "d"})}) {
        std::vector<std::string> restored;
        EXPECT_EQ(restore(call, want, &restored), args_of(call));
        EXPECT_TRUE(restored.empty());
    }
}

TEST(Restore, SystemdCgroupBeforeAGlobalTerminator) {
    // After "--" runc takes the next word as the command: the flag must go before the "--".
    RuntimeOptions want;
    want.systemd_cgroup = true;
    RuncCall call = P({"--root", "/r", "--", "create", "--bundle", "/b", "d"});
    EXPECT_EQ(restore(call, want),
              (Args{"--root", "/r", "--systemd-cgroup", "--", "create", "--bundle", "/b", "d"}));
    // And the result still parses as the same call with the flag set.
    Args out = restore(call, want);
    std::vector<std::string_view> argv{"runc"};
    argv.insert(argv.end(), out.begin(), out.end());
    RuncCall again = parse_runc_argv(argv);
    EXPECT_EQ(again.command, "create");
    EXPECT_TRUE(again.global_bool("systemd-cgroup"));
    EXPECT_EQ(again.container_id(), "d");
}

TEST(Restore, RootReplacesOnlyContainerdsDefault) {
    RuntimeOptions want;
    want.root = "/run/containerd/runc-custom";
    // Every subcommand: --root matters to all of them.
    for (auto call :
         {shim_create(), P({SHIM_GLOBALS, "start", "d"}),
          P({SHIM_GLOBALS, "exec", "--process", "/p", "--detach", "d"}),
          P({SHIM_GLOBALS, "kill", "--all", "d", "9"}), P({SHIM_GLOBALS, "delete", "--force", "d"}),
          P({SHIM_GLOBALS, "ps", "--format", "json", "d"}),
          P({"--root", "/run/containerd/runc/k8s.io", "list"})}) {
        SCOPED_TRACE(std::string(call.command));
        std::vector<std::string> restored;
        Args args = restore(call, want, &restored);
        Args expected = args_of(call);
        const std::string ns = expected[1].substr(expected[1].rfind('/'));
        expected[1] = "/run/containerd/runc-custom" + ns;
        EXPECT_EQ(args, expected);
        EXPECT_EQ(restored, (std::vector<std::string>{"--root " + expected[1]}));
    }
    // Not containerd's default: the caller chose it, leave it.
    for (auto root : {"/run/runc", "/run/containerd/runc", "/run/containerd/runc/",
                      "/run/containerd/runc/e2e/x", "/run/containerd/runcx/e2e", "/other/e2e",
                      "run/containerd/runc/e2e", "/run/containerd/runc//"}) {
        SCOPED_TRACE(root);
        RuncCall call = P({"--root", root, "start", "d"});
        std::vector<std::string> restored;
        EXPECT_EQ(restore(call, want, &restored), args_of(call));
        EXPECT_TRUE(restored.empty());
    }
    // No --root at all: runc's own default, not containerd's; nothing to replace.
    RuncCall none = P({"start", "d"});
    EXPECT_EQ(restore(none, want), args_of(none));
}

TEST(Restore, RootInlineFormAndLastValue) {
    RuntimeOptions want;
    want.root = "/var/run/crun-root/";  // a trailing slash is not doubled
    EXPECT_EQ(restore(P({"--root=/run/containerd/runc/k8s.io", "start", "d"}), want),
              (Args{"--root=/var/run/crun-root/k8s.io", "start", "d"}));
    EXPECT_EQ(restore(P({"-root=/run/containerd/runc/k8s.io", "start", "d"}), want),
              (Args{"-root=/var/run/crun-root/k8s.io", "start", "d"}));
    // Go's flag package uses the last --root: that is the one to replace.
    EXPECT_EQ(
        restore(P({"--root", "/run/containerd/runc/a", "--root", "/run/containerd/runc/b", "start",
                   "d"}),
                want),
        (Args{"--root", "/run/containerd/runc/a", "--root", "/var/run/crun-root/b", "start", "d"}));
}

TEST(Restore, RootEqualToTheDefaultIsNoChange) {
    for (auto root : {"/run/containerd/runc", "/run/containerd/runc/", "/run/containerd/runc//"}) {
        SCOPED_TRACE(root);
        RuntimeOptions want;
        want.root = root;
        std::vector<std::string> restored;
        RuncCall call = shim_create();
        EXPECT_EQ(restore(call, want, &restored), args_of(call));
        EXPECT_TRUE(restored.empty());
    }
}

TEST(Restore, NoPivotRightBeforeTheIdOnCreateRunRestore) {
    RuntimeOptions want;
    want.no_pivot_root = true;
    EXPECT_EQ(restore(P({"create", "--bundle", "/b", "--pid-file", "/p", "d"}), want),
              (Args{"create", "--bundle", "/b", "--pid-file", "/p", "--no-pivot", "d"}));
    EXPECT_EQ(restore(P({"run", "-d", "-b", "/b", "d"}), want),
              (Args{"run", "-d", "-b", "/b", "--no-pivot", "d"}));
    EXPECT_EQ(restore(P({"restore", "--detach", "-no-subreaper", "--bundle", "/b", "d"}), want),
              (Args{"restore", "--detach", "-no-subreaper", "--bundle", "/b", "--no-pivot", "d"}));
    // Flags after the id (urfave/cli reorders them): still right before the id.
    EXPECT_EQ(restore(P({"create", "d", "--bundle", "/b"}), want),
              (Args{"create", "--no-pivot", "d", "--bundle", "/b"}));
    // Not when the argv has it, in any form (c3's create carries --no-pivot itself).
    for (auto call : {P({"create", "--no-pivot", "d"}), P({"create", "-no-pivot=false", "d"}),
                      P({"create", "d", "--no-pivot"})}) {
        std::vector<std::string> restored;
        EXPECT_EQ(restore(call, want, &restored), args_of(call));
        EXPECT_TRUE(restored.empty());
    }
    // Never on other commands.
    for (auto call : {P({"start", "d"}), P({"exec", "-p", "/p", "d"}), P({"delete", "d"})}) {
        std::vector<std::string> restored;
        EXPECT_EQ(restore(call, want, &restored), args_of(call));
        EXPECT_TRUE(restored.empty());
    }
}

TEST(Restore, NoNewKeyringOnCreateAndRunNeverRestore) {
    RuntimeOptions want;
    want.no_new_keyring = true;
    EXPECT_EQ(restore(P({"create", "--bundle", "/b", "d"}), want),
              (Args{"create", "--bundle", "/b", "--no-new-keyring", "d"}));
    EXPECT_EQ(restore(P({"run", "--bundle", "/b", "d"}), want),
              (Args{"run", "--bundle", "/b", "--no-new-keyring", "d"}));
    // runc restore has no --no-new-keyring flag: adding it would break the call.
    std::vector<std::string> restored;
    RuncCall r = P({"restore", "--bundle", "/b", "d"});
    EXPECT_EQ(restore(r, want, &restored), args_of(r));
    EXPECT_TRUE(restored.empty());
    RuncCall has = P({"create", "--no-new-keyring", "d"});
    EXPECT_EQ(restore(has, want), args_of(has));
    RuncCall exec = P({"exec", "d", "sh"});
    EXPECT_EQ(restore(exec, want), args_of(exec));

    // Both at once: --no-pivot then --no-new-keyring; on restore only --no-pivot.
    want.no_pivot_root = true;
    EXPECT_EQ(restore(P({"restore", "--bundle", "/b", "d"}), want),
              (Args{"restore", "--bundle", "/b", "--no-pivot", "d"}));
}

TEST(Restore, CommandFlagsBeforeACommandTerminator) {
    RuntimeOptions want;
    want.no_pivot_root = true;
    want.no_new_keyring = true;
    Args out = restore(P({"create", "--bundle", "/b", "--", "d"}), want);
    EXPECT_EQ(out, (Args{"create", "--bundle", "/b", "--no-pivot", "--no-new-keyring", "--", "d"}));
    std::vector<std::string_view> argv{"runc"};
    argv.insert(argv.end(), out.begin(), out.end());
    RuncCall again = parse_runc_argv(argv);
    EXPECT_TRUE(again.flag_bool("no-pivot"));
    EXPECT_TRUE(again.flag_bool("no-new-keyring"));
    EXPECT_EQ(again.container_id(), "d");
    EXPECT_TRUE(again.problems.empty());
}

TEST(Restore, NoIdNoCommandFlags) {
    RuntimeOptions want;
    want.no_pivot_root = true;
    std::vector<std::string> restored;
    RuncCall call = P({"create", "--bundle", "/b"});
    EXPECT_EQ(restore(call, want, &restored), args_of(call));  // runc reports the missing id
    EXPECT_TRUE(restored.empty());
}

// ---- decide() --------------------------------------------------------------------------------

constexpr const char* kSidePath = "/etc/runcwrap/config.toml";

ShimOptions shim(bool dropped, std::string binary = "") {
    ShimOptions s;
    if (dropped) {
        s.has_task_keys = true;  // {"io_uid":100000,"io_gid":100000}
    } else {
        s.has_runtime_keys = true;
        s.options.binary_name = std::move(binary);
    }
    return s;
}

SideConfig side_with_options(RuntimeOptions options) {
    SideConfig side;
    side.path = kSidePath;
    side.has_options = true;
    side.options = std::move(options);
    return side;
}

DecisionInputs inputs(const RuncCall& call) {
    DecisionInputs in;
    in.call = &call;
    in.bundle = kBundle;
    in.bundle_options_path = std::string(kBundle) + "/options.json";
    in.side_path = kSidePath;
    return in;
}

std::vector<std::string> names(const Decision& d) {
    std::vector<std::string> out;
    for (const auto& c : d.candidates) out.push_back(c.name);
    return out;
}

TEST(Decide, S5NoBundle) {
    for (auto call : {P({"--version"}), P({"features"}), P({"list"})}) {
        DecisionInputs in = inputs(call);
        in.bundle.clear();
        auto d = decide(in);
        ASSERT_TRUE(d) << d.error().message;
        EXPECT_EQ(d->scenario, Scenario::NoBundle);
        EXPECT_STREQ(scenario_name(d->scenario), "no-bundle");
        EXPECT_EQ(names(*d), (std::vector<std::string>{"runc"}));
        EXPECT_FALSE(d->candidates[0].must_not_be_self);
        EXPECT_EQ(d->args, args_of(call));
        EXPECT_TRUE(d->restored.empty());
        EXPECT_FALSE(d->restore_from);
    }
}

TEST(Decide, S5NoBundleUsesTheSideFilesRuntime) {
    RuncCall call = P({"features"});
    SideConfig side = side_with_options(everything());
    DecisionInputs in = inputs(call);
    in.bundle.clear();
    in.side = &side;
    auto d = decide(in);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->scenario, Scenario::NoBundle);
    ASSERT_EQ(names(*d), (std::vector<std::string>{"/usr/sbin/runc", "runc"}));
    EXPECT_TRUE(d->candidates[0].must_not_be_self);  // the operator named it: never runcwrap
    EXPECT_NE(d->candidates[0].source.find(kSidePath), std::string::npos);
    EXPECT_EQ(d->args, args_of(call));  // no bundle, nothing dropped: nothing restored
    EXPECT_TRUE(d->restored.empty());
}

TEST(Decide, S5HealthyRunc) {
    RuncCall call = shim_create();
    SideConfig side = side_with_options(everything());
    for (auto name : {"", "runc"}) {
        SCOPED_TRACE(name);
        DecisionInputs in = inputs(call);
        in.bundle_options = shim(false, name);
        in.side = &side;
        auto d = decide(in);
        ASSERT_TRUE(d);
        EXPECT_EQ(d->scenario, Scenario::Healthy);
        EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/sbin/runc", "runc"}));
        EXPECT_EQ(d->args, args_of(call));  // the shim had every option: restore nothing
        EXPECT_TRUE(d->restored.empty());
        EXPECT_TRUE(d->exclude.empty());
    }
    // A bundle without options.json, or with "{}": nothing says anything was dropped.
    for (bool has_file : {false, true}) {
        DecisionInputs in = inputs(call);
        if (has_file) in.bundle_options = ShimOptions{};
        in.side = &side;
        auto d = decide(in);
        ASSERT_TRUE(d);
        EXPECT_EQ(d->scenario, Scenario::Healthy);
        EXPECT_EQ(d->args, args_of(call));
    }
}

TEST(Decide, S3InsideAWrappingRuntime) {
    RuncCall call = shim_create();
    SideConfig side = side_with_options(everything());
    DecisionInputs in = inputs(call);
    in.bundle_options = shim(false, "/usr/bin/nvidia-container-runtime");
    in.side = &side;
    auto d = decide(in);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->scenario, Scenario::InsideWrapping);
    EXPECT_STREQ(scenario_name(d->scenario), "inside-wrapping-runtime");
    // The real runc, never B again.
    EXPECT_EQ(d->exclude, (std::vector<std::string>{"/usr/bin/nvidia-container-runtime"}));
    EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/sbin/runc", "runc"}));
    EXPECT_EQ(d->args, args_of(call));
    EXPECT_TRUE(d->restored.empty());
    EXPECT_NE(d->reason.find("/usr/bin/nvidia-container-runtime"), std::string::npos);

    // Without a side file: the next runc in PATH.
    in.side = nullptr;
    auto bare = decide(in);
    ASSERT_TRUE(bare);
    EXPECT_EQ(names(*bare), (std::vector<std::string>{"runc"}));
}

TEST(Decide, S1DroppedSideFile) {
    RuncCall call = shim_create();
    SideConfig side = side_with_options(everything());
    DecisionInputs in = inputs(call);
    in.bundle_options = shim(true);
    in.side = &side;
    in.sandbox_note = "no sandbox";  // ctr: no sandbox-id annotation
    auto d = decide(in);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->scenario, Scenario::DroppedSideFile);
    EXPECT_STREQ(scenario_name(d->scenario), "dropped-side-file");
    EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/sbin/runc", "runc"}));
    EXPECT_TRUE(d->candidates[0].must_not_be_self);
    ASSERT_TRUE(d->restore_from);
    EXPECT_EQ(d->restore_source, std::string(kSidePath) + " [options]");
    EXPECT_EQ(d->args, restore(call, everything()));
    EXPECT_EQ(d->restored.size(), 4u);
    EXPECT_NE(d->reason.find("no sandbox"), std::string::npos);
    EXPECT_NE(d->reason.find(in.bundle_options_path), std::string::npos);

    // BinaryName = "runc" (the reader refuses [options] without it): the next runc in PATH,
    // passed over runcwrap (not a configured runtime that must not be runcwrap), flags restored.
    SideConfig next_runc = side_with_options(RuntimeOptions{});
    next_runc.options.binary_name = "runc";
    next_runc.options.systemd_cgroup = true;
    in.side = &next_runc;
    auto f = decide(in);
    ASSERT_TRUE(f);
    EXPECT_EQ(names(*f), (std::vector<std::string>{"runc"}));
    EXPECT_FALSE(f->candidates[0].must_not_be_self);
    EXPECT_NE(
        f->candidates[0].source.find(std::string(kSidePath) + " [options] BinaryName = \"runc\""),
        std::string::npos)
        << f->candidates[0].source;
    EXPECT_EQ(f->restored, (std::vector<std::string>{"--systemd-cgroup"}));
}

TEST(Decide, S1OnEveryLaterCallRestoresRoot) {
    // start/exec/delete after a dropped create: only --root applies.
    SideConfig side = side_with_options(everything());
    for (auto call : {P({SHIM_GLOBALS, "start", "d"}), P({SHIM_GLOBALS, "delete", "--force", "d"}),
                      P({SHIM_GLOBALS, "exec", "--process", "/p", "--detach", "d"})}) {
        SCOPED_TRACE(std::string(call.command));
        DecisionInputs in = inputs(call);
        in.bundle_options = shim(true);
        in.side = &side;
        auto d = decide(in);
        ASSERT_TRUE(d);
        EXPECT_EQ(d->scenario, Scenario::DroppedSideFile);
        EXPECT_EQ(d->restored,
                  (std::vector<std::string>{"--root /run/containerd/runc-custom/e2e"}));
        Args expected = args_of(call);
        expected[1] = "/run/containerd/runc-custom/e2e";
        EXPECT_EQ(d->args, expected);
    }
}

TEST(Decide, S2DroppedSandbox) {
    RuncCall call = shim_create();
    SideConfig side = side_with_options(RuntimeOptions{});  // says nothing: the sandbox wins
    side.options.binary_name = "/usr/sbin/runc";
    DecisionInputs in = inputs(call);
    in.bundle_options = shim(true);
    in.side = &side;
    RuntimeOptions handler;
    handler.binary_name = "/usr/bin/crun";
    handler.systemd_cgroup = true;
    handler.root = "/run/containerd/crun";
    in.sandbox_options = handler;
    in.sandbox_options_path = "/run/containerd/io.containerd.runtime.v2.task/k8s.io/S/options.json";
    auto d = decide(in);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->scenario, Scenario::DroppedSandbox);
    EXPECT_STREQ(scenario_name(d->scenario), "dropped-sandbox");
    EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/bin/crun", "/usr/sbin/runc", "runc"}));
    EXPECT_FALSE(d->candidates[0].must_not_be_self);
    EXPECT_NE(d->candidates[0].source.find(in.sandbox_options_path), std::string::npos);
    EXPECT_EQ(d->restore_source, in.sandbox_options_path);
    EXPECT_EQ(d->restored,
              (std::vector<std::string>{"--root /run/containerd/crun/e2e", "--systemd-cgroup"}));
    EXPECT_EQ(d->args, restore(call, handler));
    EXPECT_NE(d->reason.find(in.sandbox_options_path), std::string::npos);

    // The handler is plain runc: no extra candidate, flags restored all the same.
    handler.binary_name = "runc";
    in.sandbox_options = handler;
    in.side = nullptr;  // and S2 needs no side file at all
    auto plain = decide(in);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(plain->scenario, Scenario::DroppedSandbox);
    EXPECT_EQ(names(*plain), (std::vector<std::string>{"runc"}));
    EXPECT_EQ(plain->restored.size(), 2u);
}

TEST(Decide, S4NestedRestoresNothing) {
    // S2 picked wrapping runtime B (with the restored flags); B called `runc` again.
    RuncCall call = shim_create();
    SideConfig side = side_with_options(everything());
    for (int depth : {1, 2}) {
        SCOPED_TRACE(depth);
        for (bool dropped : {true, false}) {
            DecisionInputs in = inputs(call);
            in.bundle_options = shim(dropped, "/usr/bin/nvidia-container-runtime");
            in.side = &side;
            in.depth = depth;
            RuntimeOptions handler;
            handler.binary_name = "/usr/bin/nvidia-container-runtime";
            handler.systemd_cgroup = true;
            in.sandbox_options = handler;
            auto d = decide(in);
            ASSERT_TRUE(d) << d.error().message;
            EXPECT_EQ(d->scenario, Scenario::Nested);
            EXPECT_STREQ(scenario_name(d->scenario), "nested");
            EXPECT_EQ(d->args, args_of(call));
            EXPECT_TRUE(d->restored.empty());
            EXPECT_FALSE(d->restore_from);
            EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/sbin/runc", "runc"}));
            EXPECT_NE(d->reason.find("depth " + std::to_string(depth)), std::string::npos);
        }
    }
    // Nested with no side file and no bundle: still just the real runc.
    DecisionInputs in = inputs(call);
    in.bundle.clear();
    in.depth = 1;
    auto d = decide(in);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->scenario, Scenario::Nested);
    EXPECT_EQ(names(*d), (std::vector<std::string>{"runc"}));
}

TEST(Decide, DroppedWithNoSideFileIsAnErrorThatSaysTheFix) {
    RuncCall call = shim_create();
    DecisionInputs in = inputs(call);
    in.bundle_options = shim(true);
    in.sandbox_note = "no sandbox bundle at /x/S";
    auto d = decide(in);
    ASSERT_FALSE(d);
    const std::string& m = d.error().message;
    EXPECT_NE(m.find(kSidePath), std::string::npos) << m;
    EXPECT_NE(m.find("does not exist"), std::string::npos) << m;
    EXPECT_NE(m.find(in.bundle_options_path), std::string::npos) << m;
    EXPECT_NE(m.find("fix:"), std::string::npos) << m;
    EXPECT_NE(m.find("[options] BinaryName"), std::string::npos) << m;
    EXPECT_NE(m.find("no sandbox bundle at /x/S"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << "one line";

    // A side file without [options] says nothing about what was intended either.
    SideConfig own_only;
    own_only.path = kSidePath;
    in.side = &own_only;
    auto no_table = decide(in);
    ASSERT_FALSE(no_table);
    EXPECT_NE(no_table.error().message.find("has no [options] table"), std::string::npos)
        << no_table.error().message;
    EXPECT_NE(no_table.error().message.find(kSidePath), std::string::npos);
}

TEST(Decide, DroppedOnANonCreatingCallStillNeedsToKnow) {
    // Even `delete` must know --root, so the same error applies there.
    RuncCall call = P({SHIM_GLOBALS, "delete", "d"});
    DecisionInputs in = inputs(call);
    in.bundle_options = shim(true);
    EXPECT_FALSE(decide(in));
}

// ---- routed handlers (issue #15, routing-spec.md) -----------------------------------------

constexpr const char* kCrunEntry = "/usr/local/lib/runcwrap/handlers/crun-fast/runc";
constexpr const char* kGpuEntry = "/usr/local/lib/runcwrap/handlers/gpu.nvidia/runc";
constexpr const char* kSandboxOptions =
    "/run/containerd/io.containerd.runtime.v2.task/k8s.io/S/options.json";

// The call as the shim makes it when containerd's BinaryName is `entry` (go-runc: argv[0] is
// BinaryName).
RuncCall through(const char* entry, std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> argv{entry};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_runc_argv(std::move(argv));
}

// What `runcwrap route` writes: [options] as install.sh did, and one table per routed handler.
SideConfig routed_side() {
    RuntimeOptions plain;
    plain.binary_name = "/usr/sbin/runc";
    SideConfig side = side_with_options(plain);
    HandlerRecord crun;
    crun.name = "crun-fast";
    crun.options.binary_name = "/usr/bin/crun";
    crun.options.systemd_cgroup = true;
    crun.options.root = "/run/crun";
    HandlerRecord gpu;
    gpu.name = "gpu.nvidia";
    gpu.options.binary_name = "runc";
    side.handlers = {crun, gpu};
    return side;
}

TEST(Decide, RoutedThroughTheEntryRunsTheHandlersRuntime) {
    SideConfig side = routed_side();
    const RuncCall create = through(
        kCrunEntry, {SHIM_GLOBALS, "create", "--bundle", kBundle, "--pid-file", kPidFile, "d"});
    DecisionInputs in = inputs(create);
    in.side = &side;
    in.bundle_options = shim(false, kCrunEntry);  // 2.0.5, 1.7.x: the options intact
    auto d = decide(in);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->scenario, Scenario::Routed);
    EXPECT_STREQ(scenario_name(d->scenario), "routed-handler");
    EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/bin/crun"}));
    EXPECT_TRUE(d->candidates[0].must_not_be_self);
    EXPECT_EQ(d->candidates[0].source,
              "side file /etc/runcwrap/config.toml [handlers.crun-fast] BinaryName");
    EXPECT_FALSE(d->restore_from);
    EXPECT_TRUE(d->restored.empty());
    EXPECT_EQ(d->args, args_of(create));  // nothing added: the shim passed the handler's flags
    EXPECT_NE(d->reason.find(kCrunEntry), std::string::npos);
    EXPECT_NE(d->reason.find("crun-fast"), std::string::npos);

    // Every call without a bundle (CRI's `features` at start and before creates, --version,
    // state, a person): still that handler's runtime, never [options]'.
    for (auto call : {through(kCrunEntry, {"features"}), through(kCrunEntry, {"--version"}),
                      through(kCrunEntry, {"--root", "/run/crun/k8s.io", "state", "d"})}) {
        SCOPED_TRACE(std::string(call.argv[1]));
        DecisionInputs none = inputs(call);
        none.bundle.clear();
        none.side = &side;
        auto nd = decide(none);
        ASSERT_TRUE(nd) << nd.error().message;
        EXPECT_EQ(nd->scenario, Scenario::Routed);
        EXPECT_EQ(names(*nd), (std::vector<std::string>{"/usr/bin/crun"}));
        EXPECT_EQ(nd->args, args_of(call));
    }

    // A handler recorded as "runc" (containerd's default: BinaryName unset): the next runc in
    // PATH after runcwrap, passed over, not refused.
    const RuncCall gpu = through(kGpuEntry, {"features"});
    DecisionInputs g = inputs(gpu);
    g.bundle.clear();
    g.side = &side;
    auto gd = decide(g);
    ASSERT_TRUE(gd) << gd.error().message;
    EXPECT_EQ(gd->scenario, Scenario::Routed);
    EXPECT_EQ(names(*gd), (std::vector<std::string>{"runc"}));
    EXPECT_FALSE(gd->candidates[0].must_not_be_self);
    EXPECT_NE(gd->candidates[0].source.find("[handlers.\"gpu.nvidia\"]"), std::string::npos);
}

TEST(Decide, RoutedEntryWithoutItsTableFailsClosedNamingArgv0TheSideFileAndTheFix) {
    SideConfig side = routed_side();
    const char* entry = "/usr/local/lib/runcwrap/handlers/kata/runc";
    const RuncCall call = through(entry, {"features"});
    DecisionInputs in = inputs(call);
    in.bundle.clear();
    in.side = &side;
    auto d = decide(in);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().message,
              "argv[0] /usr/local/lib/runcwrap/handlers/kata/runc is CRI handler kata's runcwrap "
              "entry, but the side file /etc/runcwrap/config.toml has no [handlers.kata] table to "
              "say which runtime that handler runs; fix: runcwrap route --handler kata (it "
              "records the handler's runtime there)");
    // No side file at all: the same, and never "run the next runc".
    in.side = nullptr;
    auto none = decide(in);
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().message.find("/etc/runcwrap/config.toml does not exist, so it has no "
                                        "[handlers.kata] table"),
              std::string::npos);
}

TEST(Decide, RoutedHandlerWhoseRuntimeIsAnEntryIsAConfigurationError) {
    SideConfig side = routed_side();
    side.handlers[0].options.binary_name = kGpuEntry;
    const RuncCall call = through(kCrunEntry, {"features"});
    DecisionInputs in = inputs(call);
    in.bundle.clear();
    in.side = &side;
    auto d = decide(in);
    ASSERT_FALSE(d);
    EXPECT_NE(
        d.error().message.find("[handlers.crun-fast] BinaryName is " + std::string(kGpuEntry) +
                               ", handler gpu.nvidia's runcwrap entry, not a runtime"),
        std::string::npos);
    EXPECT_NE(d.error().message.find("fix: "), std::string::npos);
}

TEST(Decide, RoutedEntryWithOptionsDroppedRestoresTheHandlersOptions) {
    SideConfig side = routed_side();
    const RuncCall create = through(
        kCrunEntry, {SHIM_GLOBALS, "create", "--bundle", kBundle, "--pid-file", kPidFile, "d"});
    DecisionInputs in = inputs(create);
    in.side = &side;
    in.bundle_options = shim(true);
    in.sandbox_note = "no pod sandbox";
    auto d = decide(in);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->scenario, Scenario::DroppedSideFile);
    EXPECT_EQ(d->restore_source, "side file /etc/runcwrap/config.toml [handlers.crun-fast]");
    EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/bin/crun"}));
    EXPECT_EQ(d->restored, (std::vector<std::string>{"--root /run/crun/e2e", "--systemd-cgroup"}));

    // With a pod sandbox: its options, as S2; the runtime still the handler's.
    RuntimeOptions sandbox;
    sandbox.binary_name = kCrunEntry;
    sandbox.root = "/run/crun-sandbox";
    in.sandbox_options = sandbox;
    in.sandbox_options_path = kSandboxOptions;
    auto s2 = decide(in);
    ASSERT_TRUE(s2) << s2.error().message;
    EXPECT_EQ(s2->scenario, Scenario::DroppedSandbox);
    EXPECT_EQ(s2->restore_source, kSandboxOptions);
    EXPECT_EQ(names(*s2), (std::vector<std::string>{"/usr/bin/crun"}));
    EXPECT_EQ(s2->restored, (std::vector<std::string>{"--root /run/crun-sandbox/e2e"}));
}

// 2.0.4: the app container's calls arrive through PATH with the options dropped; the sandbox's
// options.json names the handler's entry. S2 maps it back to the handler's runtime.
TEST(Decide, S2WithASandboxNamingAnEntryRunsTheHandlersRuntime) {
    SideConfig side = routed_side();
    RuncCall call = shim_create();  // argv[0] "runc": through PATH
    DecisionInputs in = inputs(call);
    in.side = &side;
    in.bundle_options = shim(true);
    RuntimeOptions sandbox;
    sandbox.binary_name = kCrunEntry;
    sandbox.systemd_cgroup = true;
    sandbox.root = "/run/crun";
    in.sandbox_options = sandbox;
    in.sandbox_options_path = kSandboxOptions;
    auto d = decide(in);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->scenario, Scenario::DroppedSandbox);
    // Only the handler's runtime: not the entry (runcwrap again), not [options]' runc.
    EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/bin/crun"}));
    EXPECT_TRUE(d->candidates[0].must_not_be_self);
    EXPECT_EQ(d->restore_source, kSandboxOptions);
    EXPECT_EQ(d->restored, (std::vector<std::string>{"--root /run/crun/e2e", "--systemd-cgroup"}));
    EXPECT_NE(d->reason.find("crun-fast's runcwrap entry"), std::string::npos);

    // The sandbox names an entry the side file has no table for: fail closed.
    sandbox.binary_name = "/usr/local/lib/runcwrap/handlers/kata/runc";
    in.sandbox_options = sandbox;
    auto missing = decide(in);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message,
              std::string(kSandboxOptions) +
                  " binary_name /usr/local/lib/runcwrap/handlers/kata/runc is CRI handler kata's "
                  "runcwrap entry, but the side file /etc/runcwrap/config.toml has no "
                  "[handlers.kata] table to say which runtime that handler runs; fix: runcwrap "
                  "route --handler kata (it records the handler's runtime there)");
}

TEST(Decide, IntactOptionsNamingRuncwrapItselfAreHealthyNotInsideWrapping) {
    SideConfig side = routed_side();
    RuncCall call = shim_create();
    DecisionInputs in = inputs(call);
    in.side = &side;
    // plan.cpp found /usr/local/bin/runc (runcwrap's runc slot) to be runcwrap.
    in.bundle_options = shim(false, "/usr/local/bin/runc");
    in.bundle_names_runcwrap = true;
    auto d = decide(in);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->scenario, Scenario::Healthy);
    EXPECT_TRUE(d->exclude.empty());
    EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/sbin/runc", "runc"}));
    EXPECT_NE(d->reason.find("names runcwrap itself"), std::string::npos);
    // Another binary: a wrapping runtime, as before.
    in.bundle_names_runcwrap = false;
    auto wrapping = decide(in);
    ASSERT_TRUE(wrapping);
    EXPECT_EQ(wrapping->scenario, Scenario::InsideWrapping);

    // An entry named in the intact options but called by another name: the handler's runtime.
    in.bundle_options = shim(false, kCrunEntry);
    auto entry = decide(in);
    ASSERT_TRUE(entry) << entry.error().message;
    EXPECT_EQ(entry->scenario, Scenario::Routed);
    EXPECT_EQ(names(*entry), (std::vector<std::string>{"/usr/bin/crun"}));
    EXPECT_TRUE(entry->exclude.empty());
}

TEST(Decide, NestedComesFirstEvenThroughAnEntry) {
    SideConfig side = routed_side();
    const RuncCall call = through(kCrunEntry, {"features"});
    DecisionInputs in = inputs(call);
    in.bundle.clear();
    in.side = &side;
    in.depth = 1;
    auto d = decide(in);
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_EQ(d->scenario, Scenario::Nested);
    EXPECT_EQ(names(*d), (std::vector<std::string>{"/usr/sbin/runc", "runc"}));
}

}  // namespace
}  // namespace runcwrap
