// runcwrap install's settings (src/cli/install/options.cpp): install.sh's options, variables and
// checks, with the messages tests/install/run.sh and operators see.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/install/options.hpp"

namespace runcwrap::install {
namespace {

struct Parsed {
    Result<InstallOptions> result;
    std::string error() const { return result ? "" : result.error().message; }
};

Parsed parse(std::vector<std::string> args, std::vector<std::string_view> env = {}) {
    return {parse_install_options(args, Environment(std::move(env)), "/cwd",
                                  [](const std::string& p) { return p != "/missing"; })};
}

TEST(InstallOptions, Defaults) {
    auto p = parse({});
    ASSERT_TRUE(p.result) << p.error();
    EXPECT_EQ(p.result->bin_dir, "/usr/local/bin");
    EXPECT_EQ(p.result->config, "/etc/runcwrap/config.toml");
    EXPECT_EQ(p.result->containerd_state, "/run/containerd");
    EXPECT_TRUE(p.result->prefix.empty());
    EXPECT_FALSE(p.result->dry_run || p.result->force || p.result->uninstall);
}

TEST(InstallOptions, BothSpellingsOfAValue) {
    auto p = parse({"--bin-dir", "/opt//bin/", "--config=/etc/rcw/side.toml", "--dry-run"});
    ASSERT_TRUE(p.result) << p.error();
    EXPECT_EQ(p.result->bin_dir, "/opt/bin");
    EXPECT_EQ(p.result->config, "/etc/rcw/side.toml");
    EXPECT_TRUE(p.result->dry_run);
}

TEST(InstallOptions, EnvironmentFirstCommandLineWins) {
    auto p = parse({"--bin-dir", "/b"}, {"RUNCWRAP_BIN_DIR=/env-bin", "RUNCWRAP_FORCE=Yes",
                                         "DESTDIR=/d", "RUNCWRAP_BINARY_NAME=/usr/sbin/runc"});
    ASSERT_TRUE(p.result) << p.error();
    EXPECT_EQ(p.result->bin_dir, "/b");
    EXPECT_TRUE(p.result->force);
    EXPECT_EQ(p.result->prefix, "/d");
    EXPECT_EQ(p.result->binary_name, "/usr/sbin/runc");
    auto q = parse({}, {"RUNCWRAP_PREFIX=/p", "DESTDIR=/d"});
    ASSERT_TRUE(q.result);
    EXPECT_EQ(q.result->prefix, "/p");
}

TEST(InstallOptions, BadBooleanNamesTheVariable) {
    EXPECT_EQ(parse({}, {"RUNCWRAP_FORCE=maybe"}).error(),
              "RUNCWRAP_FORCE=maybe: expected 1/true/yes/on or 0/false/no/off");
    EXPECT_TRUE(parse({}, {"RUNCWRAP_DRY_RUN="}).result);
    EXPECT_TRUE(parse({}, {"RUNCWRAP_DRY_RUN=OFF"}).result);
}

TEST(InstallOptions, Refusals) {
    EXPECT_EQ(parse({"--binary-name", "usr/sbin/runc"}).error(),
              "--binary-name must be an absolute path, got: usr/sbin/runc");
    EXPECT_NE(parse({"--binary-name", "/opt/x\"y"}).error().find("quotes"), std::string::npos);
    EXPECT_NE(
        parse({"--binary-name", "/a", "--from-containerd-config", "/c"}).error().find("exclusive"),
        std::string::npos);
    EXPECT_NE(parse({"--systemd-cgroup"}).error().find("goes with --binary-name"),
              std::string::npos);
    EXPECT_TRUE(parse({"--systemd-cgroup", "--uninstall"}).result);
    EXPECT_EQ(parse({"--no-such-option"}).error(),
              "unknown argument: --no-such-option (see --help)");
    EXPECT_EQ(parse({"--bin-dir"}).error(), "--bin-dir needs a value (see --help)");
    EXPECT_NE(parse({"--containerd-pid", "0"}).error().find("process id"), std::string::npos);
    EXPECT_NE(parse({"--containerd-pid", "12a"}).error().find("process id"), std::string::npos);
    EXPECT_TRUE(parse({"--containerd-pid", "120"}).result);
    EXPECT_NE(parse({"--dpkg", "Runcwrap"}).error().find("Debian package name"), std::string::npos);
    EXPECT_EQ(parse({"--config", "/usr/local/bin/runc"}).error(),
              "--config /usr/local/bin/runc is where the binaries go");
    EXPECT_EQ(parse({"--prefix", "/missing"}).error(),
              "--prefix /missing is not a folder (create it first)");
}

TEST(InstallOptions, RelativePathsBecomeAbsolute) {
    auto p = parse({"--prefix", "stage/", "--from-containerd-config", "c.toml"});
    ASSERT_TRUE(p.result) << p.error();
    EXPECT_EQ(p.result->prefix, "/cwd/stage");
    EXPECT_EQ(p.result->from_containerd_config, "/cwd/c.toml");
    auto root = parse({"--prefix", "//"});
    ASSERT_TRUE(root.result);
    EXPECT_EQ(root.result->prefix, "");  // the prefix "/" is the live node
}

TEST(InstallOptions, HelpStopsBeforeTheChecks) {
    auto p = parse({"--binary-name", "relative", "--help"});
    ASSERT_TRUE(p.result) << p.error();
    EXPECT_TRUE(p.result->help);
    EXPECT_FALSE(parse({"--bogus", "--help"}).result);
    for (const char* opt : {"--binary-name", "--from-containerd-config", "--systemd-cgroup",
                            "--bin-dir", "--config", "--prefix", "--dry-run", "--uninstall",
                            "--force", "--replace-config", "--no-doctor", "RUNCWRAP_BINARY_NAME"})
        EXPECT_NE(install_usage().find(opt), std::string::npos) << opt;
}

TEST(InstallOptions, NormalizePath) {
    EXPECT_EQ(normalize_path("/"), "/");
    EXPECT_EQ(normalize_path("///"), "/");
    EXPECT_EQ(normalize_path("/a//b///"), "/a/b");
    EXPECT_EQ(normalize_path("a/"), "a");
}

TEST(InstallOptions, RouteHandlers) {
    auto all = parse_route_handlers("all");
    ASSERT_TRUE(all);
    EXPECT_TRUE(all->all);
    EXPECT_TRUE(all->names.empty());
    auto named = parse_route_handlers("crun-fast,gpu.nvidia");
    ASSERT_TRUE(named);
    EXPECT_FALSE(named->all);
    EXPECT_EQ(named->names, (std::vector<std::string>{"crun-fast", "gpu.nvidia"}));
    for (const char* bad : {"", ",", "crun,", "-x", "a b", "crun,crun", "../x"})
        EXPECT_FALSE(parse_route_handlers(bad)) << bad;
    EXPECT_NE(parse_route_handlers("crun,crun").error().message.find("twice"), std::string::npos);

    auto p = parse({"--route-handlers=crun"},
                   {"RUNCWRAP_ROUTE_HANDLERS=all", "RUNCWRAP_RESTART_CONTAINERD=yes"});
    ASSERT_TRUE(p.result) << p.error();
    EXPECT_EQ(p.result->route_handlers, "crun");
    EXPECT_TRUE(p.result->restart_containerd);
    EXPECT_NE(parse({"--route-handlers", "a,-b"}).error().find("\"-b\""), std::string::npos);
    // --uninstall takes every routing back: a value left in the environment does not stop it.
    EXPECT_TRUE(parse({"--uninstall"}, {"RUNCWRAP_ROUTE_HANDLERS=-bad"}).result);
    EXPECT_NE(parse({"--restart-containerd"}).error().find("goes with --route-handlers"),
              std::string::npos);
    EXPECT_TRUE(parse({"--restart-containerd", "--uninstall"}).result);
    EXPECT_NE(parse({"--route-handlers", "all", "--restart-containerd", "--prefix", "/p"})
                  .error()
                  .find("--restart-containerd with --prefix"),
              std::string::npos);
}

}  // namespace
}  // namespace runcwrap::install
