// S1–S5 of issue #2 end to end: runcwrap installed as `runc`, a fake containerd state tree, the
// probe as the real runtime and a fake wrapping runtime (a root-owned #!/bin/sh script that
// records that it ran and execs `runc` from PATH, as nvidia-container-runtime does).
#include <gtest/gtest.h>

#include <sstream>

#include "wrap_fixture.hpp"

namespace itest {
namespace {

constexpr const char* kDropped = R"({"io_uid":100000,"io_gid":100000})";

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// The fake nvidia-container-runtime: appends one line to `marker`, then `exec runc "$@"`.
std::string make_wrapping_runtime(const WrapFixture& f) {
    std::string path = f.T + "/opt/wrap/fake-nvidia-runtime";
    write_script(path, "echo \"ran $*\" >> '" + f.T + "/wrapper.marker'\nexec runc \"$@\"\n");
    return path;
}

class Scenarios : public ::testing::TestWithParam<Install> {};

// S1: options.json holds only task options; the side file says what was intended.
TEST_P(Scenarios, S1SideFileRestoresDroppedOptions) {
    WrapFixture f(GetParam());
    f.tree.make_bundle("c1", kDropped, spec_json({}));
    f.write_side("[options]\nBinaryName = \"" + f.real_runtime +
                 "\"\nSystemdCgroup = true\nRoot = \"" + f.T + "/altroot\"\nNoPivotRoot = true\n");
    auto args = f.create_args("c1");
    Captured c = run_captured(f.shim_call(args, 3));
    EXPECT_EQ(c.exit.code, 3);
    EXPECT_EQ(c.out, "");
    EXPECT_EQ(c.err, "");
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].argv[0], f.real_runtime);
    std::vector<std::string> want = args;
    want[1] = f.T + "/altroot/k8s.io";
    want.insert(want.begin() + 6, "--systemd-cgroup");
    want.insert(want.end() - 1, "--no-pivot");
    EXPECT_EQ(tail(calls[0].argv), want);
}

// S2: a Kubernetes pod: the sandbox's own options.json names the handler's runtime and options.
TEST_P(Scenarios, S2SandboxOptionsRestoreDroppedOptionsWithoutSideFile) {
    WrapFixture f(GetParam());
    f.tree.make_bundle("sb1",
                       R"({"binary_name":")" + f.real_runtime + R"(","root":")" + f.T +
                           R"(/altroot","systemd_cgroup":true})",
                       spec_json(no_user_ns()));
    f.tree.make_bundle("app1", kDropped, spec_json(in_pod("sb1")));
    ASSERT_FALSE(path_exists(f.side_file));

    auto args = f.create_args("app1");
    Captured c = run_captured(f.shim_call(args));
    EXPECT_EQ(c.exit.code, 0) << c.err;
    EXPECT_EQ(c.err, "");
    auto start = f.globals(f.tree.bundle("app1"));
    start.push_back("start");
    start.push_back("app1");
    c = run_captured(f.shim_call(start, 4));
    EXPECT_EQ(c.exit.code, 4) << c.err;

    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].argv[0], f.real_runtime) << "the sandbox's binary_name runs";
    std::vector<std::string> want = args;
    want[1] = f.T + "/altroot/k8s.io";
    want.insert(want.begin() + 6, "--systemd-cgroup");
    EXPECT_EQ(tail(calls[0].argv), want);
    std::vector<std::string> want_start = start;
    want_start[1] = f.T + "/altroot/k8s.io";
    EXPECT_EQ(tail(calls[1].argv), want_start) << "start gets --root only";
}

TEST_P(Scenarios, S2UntrustedSandboxOptionsAreRefused) {
    WrapFixture f(GetParam());
    f.tree.make_bundle("sb1", R"({"binary_name":")" + f.real_runtime + R"("})", spec_json({}));
    ASSERT_EQ(::chmod((f.tree.bundle("sb1") + "/options.json").c_str(), 0666), 0);
    f.tree.make_bundle("app1", kDropped, spec_json(in_pod("sb1")));
    Captured c = run_captured(f.shim_call(f.create_args("app1")));
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_NE(c.err.find(f.tree.bundle("sb1") + "/options.json"), std::string::npos) << c.err;
    EXPECT_NE(c.err.find("writable"), std::string::npos) << c.err;
    EXPECT_TRUE(f.probe_calls().empty());
}

TEST_P(Scenarios, DroppedOptionsWithNothingToRestoreFromIsAnError) {
    WrapFixture f(GetParam());
    f.tree.make_bundle("app1", kDropped, spec_json(in_pod("gone")));
    Captured c = run_captured(f.shim_call(f.create_args("app1")));
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_EQ(c.err.rfind("runcwrap: ", 0), 0u) << c.err;
    EXPECT_NE(c.err.find(f.side_file), std::string::npos) << "names the side file: " << c.err;
    EXPECT_NE(c.err.find("fix:"), std::string::npos) << c.err;
    EXPECT_TRUE(f.probe_calls().empty());
}

TEST_P(Scenarios, S2MissingSandboxFallsBackToSideFile) {
    WrapFixture f(GetParam());
    f.tree.make_bundle("app1", kDropped, spec_json(in_pod("gone")));
    f.write_side("[options]\nBinaryName = \"" + f.real_runtime + "\"\nSystemdCgroup = true\n");
    auto args = f.create_args("app1");
    Captured c = run_captured(f.shim_call(args));
    EXPECT_EQ(c.exit.code, 0) << c.err;
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(count_of(calls[0].argv, "--systemd-cgroup"), 1);
}

// S3: a healthy shim ran wrapping runtime B with every option; B runs `runc` = runcwrap, which
// must run the real runc (next in PATH) and restore nothing.
TEST_P(Scenarios, S3InsideWrappingRuntimeRunsNextRuncUnchanged) {
    WrapFixture f(GetParam());
    std::string wrapper = make_wrapping_runtime(f);
    f.tree.make_bundle("c1",
                       R"({"binary_name":")" + wrapper + R"(","systemd_cgroup":true,"root":")" +
                           f.T + R"(/altroot"})",
                       spec_json({}));
    // What the healthy shim passes to B: its options already applied.
    auto args = f.create_args("c1", f.T + "/altroot/k8s.io");
    args.insert(args.begin() + 6, "--systemd-cgroup");
    Spawn s = f.shim_call(args, 6);
    s.path = wrapper;
    s.argv[0] = wrapper;
    Captured c = run_captured(s);
    EXPECT_EQ(c.exit.code, 6) << c.err;
    EXPECT_EQ(c.err, "");
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].argv[0], "runc");
    EXPECT_EQ(calls[0].exe, f.T + "/realbin/runc");
    EXPECT_EQ(tail(calls[0].argv), args) << "nothing restored: the shim had every option";
    EXPECT_EQ(lines_of(read_file(f.T + "/wrapper.marker")).size(), 1u);
    EXPECT_EQ(calls[0].getenv("RUNCWRAP_DEPTH"), "1:" + identity_hex(f.T + "/realbin/runc"));
}

// S3 with a side file: its runtime is the real runc (it is not B).
TEST_P(Scenarios, S3UsesSideFileRuntimeAndNeverB) {
    WrapFixture f(GetParam());
    std::string wrapper = make_wrapping_runtime(f);
    f.tree.make_bundle("c1", R"({"binary_name":")" + wrapper + R"("})", spec_json({}));
    f.write_side("[options]\nBinaryName = \"" + f.real_runtime + "\"\nSystemdCgroup = true\n");
    auto args = f.create_args("c1");
    Spawn s = f.shim_call(args);
    s.path = wrapper;
    s.argv[0] = wrapper;
    Captured c = run_captured(s);
    EXPECT_EQ(c.exit.code, 0) << c.err;
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].argv[0], f.real_runtime);
    EXPECT_EQ(tail(calls[0].argv), args) << "healthy: the side file's flags are not added";
    EXPECT_EQ(lines_of(read_file(f.T + "/wrapper.marker")).size(), 1u);

    // A side file that names B itself: B is skipped, the next runc in PATH runs.
    f.write_side("[options]\nBinaryName = \"" + wrapper + "\"\n");
    ::unlink(f.record.c_str());
    c = run_captured(s);
    EXPECT_EQ(c.exit.code, 0) << c.err;
    calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].argv[0], "runc");
    EXPECT_EQ(lines_of(read_file(f.T + "/wrapper.marker")).size(), 2u) << "B ran once per call";
}

// S4: the pod's handler is the wrapping runtime: runcwrap -> B (restored flags) -> runcwrap ->
// probe.
TEST_P(Scenarios, S4SandboxNamesWrappingRuntimeChainRunsEachOnce) {
    WrapFixture f(GetParam());
    std::string wrapper = make_wrapping_runtime(f);
    f.tree.make_bundle("sb1",
                       R"({"binary_name":")" + wrapper + R"(","root":")" + f.T +
                           R"(/altroot","systemd_cgroup":true})",
                       spec_json({}));
    f.tree.make_bundle("app1", kDropped, spec_json(in_pod("sb1")));
    auto args = f.create_args("app1");
    Captured c = run_captured(f.shim_call(args, 5));
    EXPECT_EQ(c.exit.code, 5) << c.err;
    EXPECT_EQ(c.out, "");
    EXPECT_EQ(c.err, "");

    auto marker = lines_of(read_file(f.T + "/wrapper.marker"));
    ASSERT_EQ(marker.size(), 1u) << "the wrapping runtime ran exactly once";
    EXPECT_NE(marker[0].find("--systemd-cgroup"), std::string::npos) << marker[0];

    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].argv[0], "runc") << "B ran `runc`; runcwrap ran the next one in PATH";
    std::vector<std::string> want = args;
    want[1] = f.T + "/altroot/k8s.io";
    want.insert(want.begin() + 6, "--systemd-cgroup");
    EXPECT_EQ(tail(calls[0].argv), want) << "restored flags appear exactly once";
    EXPECT_EQ(calls[0].getenv("RUNCWRAP_DEPTH"),
              "2:" + identity_hex(wrapper) + "," + identity_hex(f.T + "/realbin/runc"));
}

// S5: no bundle: the side file's runtime, else the next runc in PATH after runcwrap.
TEST_P(Scenarios, S5VersionAndFeaturesWithoutSideFileRunNextRuncInPath) {
    WrapFixture f(GetParam());
    for (std::vector<std::string> args :
         {std::vector<std::string>{"--version"}, std::vector<std::string>{"features"}}) {
        ::unlink(f.record.c_str());
        Captured c = run_captured(f.shim_call(args, 2));
        EXPECT_EQ(c.exit.code, 2) << c.err;
        EXPECT_EQ(c.err, "");
        auto calls = f.probe_calls();
        ASSERT_EQ(calls.size(), 1u);
        EXPECT_EQ(calls[0].argv, (std::vector<std::string>{"runc", args[0]}));
        EXPECT_EQ(calls[0].getenv("RUNCWRAP_DEPTH"), "1:" + identity_hex(f.T + "/realbin/runc"));
    }
}

TEST_P(Scenarios, S5VersionAndFeaturesWithSideFileRunItsRuntime) {
    WrapFixture f(GetParam());
    f.write_side("[options]\nBinaryName = \"" + f.real_runtime + "\"\nSystemdCgroup = true\n");
    for (std::vector<std::string> args :
         {std::vector<std::string>{"--version"}, std::vector<std::string>{"features"}}) {
        ::unlink(f.record.c_str());
        Captured c = run_captured(f.shim_call(args));
        EXPECT_EQ(c.exit.code, 0) << c.err;
        auto calls = f.probe_calls();
        ASSERT_EQ(calls.size(), 1u);
        EXPECT_EQ(calls[0].argv, (std::vector<std::string>{f.real_runtime, args[0]}));
    }
}

TEST_P(Scenarios, S5HealthyBundleNamingRuncRestoresNothing) {
    WrapFixture f(GetParam());
    f.tree.make_bundle("c1", R"({"binary_name":"runc","systemd_cgroup":false})", spec_json({}));
    f.write_side("[options]\nBinaryName = \"" + f.real_runtime + "\"\nSystemdCgroup = true\n");
    auto args = f.create_args("c1");
    Captured c = run_captured(f.shim_call(args));
    EXPECT_EQ(c.exit.code, 0) << c.err;
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].argv[0], f.real_runtime);
    EXPECT_EQ(tail(calls[0].argv), args);
}

INSTANTIATE_TEST_SUITE_P(Install, Scenarios, ::testing::Values(Install::Symlink, Install::Copy),
                         [](const auto& p) {
                             return std::string(p.param == Install::Symlink ? "symlink" : "copy");
                         });

}  // namespace
}  // namespace itest
