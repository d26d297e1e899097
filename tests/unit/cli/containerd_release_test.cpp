// What doctor knows about containerd: each release's client paths (doctor.cpp release_facts) and
// the CRI handlers a config really gives, containerd's built-in defaults included, read the way
// 1.x and 2.x each read it (containerd_config.cpp). Config files are written to a temp folder.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/containerd_config.hpp"
#include "cli/doctor.hpp"

namespace runcwrap {
namespace {

ReleaseFacts facts_of(const char* version) {
    auto v = parse_containerd_version(version);
    EXPECT_TRUE(v) << version;
    auto r = release_facts(v.value_or(ContainerdVersion{}));
    EXPECT_TRUE(r) << version;
    return r.value_or(ReleaseFacts{});
}

TEST(ContainerdVersion, ReadsWhatContainerdPrints) {
    auto debian = parse_containerd_version("1.6.20~ds1");
    ASSERT_TRUE(debian);
    EXPECT_EQ(debian->major, 1);
    EXPECT_EQ(debian->minor, 6);
    EXPECT_EQ(debian->patch, 20);
    auto tagged = parse_containerd_version("v2.0.4");
    ASSERT_TRUE(tagged);
    EXPECT_EQ(tagged->patch, 4);
    auto rc = parse_containerd_version("2.1.0-rc.1");
    ASSERT_TRUE(rc);
    EXPECT_EQ(rc->minor, 1);
    EXPECT_FALSE(parse_containerd_version("coreutils)"));
    EXPECT_FALSE(parse_containerd_version(""));
}

TEST(ReleaseFacts, EachReleaseSaysWhichClientPathsAreAffected) {
    struct Row {
        const char* version;
        const char* release;
        bool cri, go, must, fixed;
    };
    const Row rows[] = {
        {"1.6.20~ds1", "1.6.x", false, true, false, false},
        {"1.7.24", "1.7.x", true, true, true, false},
        {"2.0.0", "2.0.0", true, true, true, false},
        {"2.0.1", "2.0.1-2.0.4", true, true, false, false},
        {"2.0.4", "2.0.1-2.0.4", true, true, false, false},
        {"2.0.5", "2.0.5+", false, false, false, true},
        {"2.1.0", "2.1+", false, false, false, true},
        {"2.3.4", "2.1+", false, false, false, true},
    };
    for (const Row& row : rows) {
        const ReleaseFacts r = facts_of(row.version);
        EXPECT_EQ(r.release, row.release) << row.version;
        EXPECT_EQ(r.cri.affected, row.cri) << row.version;
        EXPECT_EQ(r.go_client.affected, row.go) << row.version;
        EXPECT_EQ(r.handlers_must_reach_runcwrap, row.must) << row.version;
        EXPECT_EQ(r.fixed, row.fixed) << row.version;
        EXPECT_FALSE(r.cri.what.empty() || r.cri.runcwrap.empty()) << row.version;
        EXPECT_FALSE(r.go_client.what.empty() || r.go_client.runcwrap.empty()) << row.version;
    }
    EXPECT_EQ(facts_of("1.7.24").config_reader, ConfigReader::Containerd1);
    EXPECT_EQ(facts_of("2.0.0").config_reader, ConfigReader::Containerd2);
    EXPECT_NE(facts_of("2.0.0").cri.what.find("IoUid/IoGid arrived in 2.0.1"), std::string::npos);
    EXPECT_NE(facts_of("1.6.20").cri.what.find("ignores user namespaces"), std::string::npos);
    EXPECT_FALSE(release_facts(ContainerdVersion{1, 5, 9}));
}

class ContainerdConfigFile : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/runcwrap-unit-cfg-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir_ + "/" + name;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        std::ofstream(path) << text;
        return path;
    }
    static std::vector<std::string> names(const ContainerdConfig& cfg) {
        std::vector<std::string> out;
        for (const auto& h : cfg.handlers) out.push_back(h.name + (h.builtin ? "(built-in)" : ""));
        return out;
    }
    std::string dir_;
};

constexpr const char* kGrpc = "[plugins.\"io.containerd.grpc.v1.cri\".containerd";

TEST_F(ContainerdConfigFile, DebiansStockConfigHasTheBuiltInRuncHandler) {
    const auto path = write(
        "config.toml",
        "version = 2\n[plugins]\n  [plugins.\"io.containerd.grpc.v1.cri\"]\n"
        "    [plugins.\"io.containerd.grpc.v1.cri\".cni]\n      bin_dir = \"/usr/lib/cni\"\n");
    auto cfg = load_containerd_config(path);
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->reader, ConfigReader::Containerd1);
    EXPECT_EQ(cfg->default_runtime, "runc");
    ASSERT_EQ(names(*cfg), std::vector<std::string>{"runc(built-in)"});
    const RuntimeHandler* runc = cfg->handler("runc");
    EXPECT_EQ(runc->runtime_type, "io.containerd.runc.v2");
    EXPECT_EQ(runc->options.binary_name, "");
    EXPECT_FALSE(runc->options.systemd_cgroup);
}

TEST_F(ContainerdConfigFile, ARuntimesTableReplacesTheBuiltInOneIn1xAndMergesIn2x) {
    const auto path =
        write("config.toml", std::string("version = 2\n") + kGrpc + ".runtimes.crun]\n" +
                                 "  runtime_type = \"io.containerd.runc.v2\"\n" + kGrpc +
                                 ".runtimes.crun.options]\n  BinaryName = \"/usr/bin/crun\"\n");
    auto one = load_containerd_config(path, ConfigReader::Containerd1);
    ASSERT_TRUE(one) << one.error().message;
    EXPECT_EQ(names(*one), std::vector<std::string>{"crun"});
    auto two = load_containerd_config(path, ConfigReader::Containerd2);
    ASSERT_TRUE(two) << two.error().message;
    EXPECT_EQ(names(*two), (std::vector<std::string>{"crun", "runc(built-in)"}));
    EXPECT_EQ(two->handler("crun")->options.binary_name, "/usr/bin/crun");
}

TEST_F(ContainerdConfigFile, In2xAHandlerNamedRuncKeepsTheBuiltInTypeAndTakesItsOptions) {
    const auto path = write("config.toml",
                            "version = 3\n[plugins.'io.containerd.cri.v1.runtime'.containerd."
                            "runtimes.runc.options]\n  SystemdCgroup = true\n");
    auto cfg = load_containerd_config(path);
    ASSERT_TRUE(cfg) << cfg.error().message;
    EXPECT_EQ(cfg->reader, ConfigReader::Containerd2);
    ASSERT_EQ(names(*cfg), std::vector<std::string>{"runc"});
    EXPECT_EQ(cfg->handler("runc")->runtime_type, "io.containerd.runc.v2");
    EXPECT_TRUE(cfg->handler("runc")->options.systemd_cgroup);
    // containerd 1.x refuses a version 3 file.
    auto old = load_containerd_config(path, ConfigReader::Containerd1);
    ASSERT_FALSE(old);
    EXPECT_NE(old.error().message.find("refuses this file"), std::string::npos);
}

TEST_F(ContainerdConfigFile, ADropInReplacesThePluginSectionIn1xAndMergesIntoItIn2x) {
    const auto path =
        write("config.toml", std::string("version = 2\nimports = [\"conf.d/*.toml\"]\n") + kGrpc +
                                 ".runtimes.runc.options]\n  SystemdCgroup = true\n");
    write("conf.d/50-crun.toml", std::string("version = 2\n") + kGrpc + ".runtimes.crun]\n" +
                                     "  runtime_type = \"io.containerd.runc.v2\"\n");
    auto one = load_containerd_config(path, ConfigReader::Containerd1);
    ASSERT_TRUE(one) << one.error().message;
    EXPECT_EQ(names(*one), std::vector<std::string>{"crun"});
    auto two = load_containerd_config(path, ConfigReader::Containerd2);
    ASSERT_TRUE(two) << two.error().message;
    EXPECT_EQ(names(*two), (std::vector<std::string>{"crun", "runc"}));
    EXPECT_TRUE(two->handler("runc")->options.systemd_cgroup);
}

TEST_F(ContainerdConfigFile, NoFileIsContainerdsDefaultsOnlyAtContainerdsOwnPath) {
    const std::string missing = dir_ + "/none.toml";
    auto defaults = load_containerd_config(missing, std::nullopt, /*missing_is_defaults=*/true);
    ASSERT_TRUE(defaults) << defaults.error().message;
    EXPECT_FALSE(defaults->exists);
    EXPECT_EQ(names(*defaults), std::vector<std::string>{"runc(built-in)"});
    EXPECT_FALSE(load_containerd_config(missing));
}

}  // namespace
}  // namespace runcwrap
