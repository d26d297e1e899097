// <bundle>/options.json as the runc v2 shim writes it: healthy (RuntimeOptions) or the bug's
// leftovers (TaskOptions alone).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "samples.hpp"
#include "wrapper/shim_options.hpp"

namespace runcwrap {
namespace {

namespace fs = std::filesystem;

using testing::samples_dir;

Result<ShimOptions> parse(std::string text) { return parse_shim_options(text); }

// Every "## options.json: [...]" line of the samples: what the shim really wrote.
std::set<std::string> sample_options_texts() {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(samples_dir(), ec)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".txt") continue;
        std::ifstream in(entry.path());
        std::string line;
        const std::string prefix = "## options.json: [";
        while (std::getline(in, line))
            if (line.rfind(prefix, 0) == 0 && line.back() == ']')
                out.insert(line.substr(prefix.size(), line.size() - prefix.size() - 1));
    }
    return out;
}

TEST(ShimOptions, TheSamplesHoldTheFourShapes) {
    auto texts = sample_options_texts();
    EXPECT_EQ(texts, (std::set<std::string>{R"({"binary_name":"/opt/realrunc/runc"})",
                                            R"({"io_uid":100000,"io_gid":100000})",
                                            R"({"no_pivot_root":true})", "{}"}))
        << "samples under " << samples_dir();
    for (const auto& text : texts) {
        SCOPED_TRACE(text);
        auto r = parse(text);
        ASSERT_TRUE(r) << r.error().message;
        // Only the runtime-key-less TaskOptions files are the bug.
        const bool bug = text.find("binary_name") == std::string::npos && text != "{}";
        EXPECT_EQ(r->runtime_options_dropped(), bug);
    }
}

TEST(ShimOptions, HealthyFileFromTheBaselineBundle) {
    // a-bundle-baseline.txt: a container created without TaskOptions.
    auto r = parse(R"({"binary_name":"/opt/realrunc/runc"})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->has_runtime_keys);
    EXPECT_FALSE(r->has_task_keys);
    EXPECT_FALSE(r->runtime_options_dropped());
    EXPECT_EQ(r->options.binary_name, "/opt/realrunc/runc");

    auto full = parse(R"({"binary_name":"crun","root":"/run/containerd/crun","systemd_cgroup":true,
                          "no_pivot_root":true,"no_new_keyring":true,"criu_path":"/usr/sbin/criu",
                          "shim_cgroup":"/x"})");
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_FALSE(full->runtime_options_dropped());  // task keys beside runtime keys: healthy
    EXPECT_TRUE(full->has_task_keys);
    EXPECT_EQ(full->options.binary_name, "crun");
    EXPECT_EQ(full->options.root, "/run/containerd/crun");
    EXPECT_TRUE(full->options.systemd_cgroup);
    EXPECT_TRUE(full->options.no_pivot_root);
    EXPECT_TRUE(full->options.no_new_keyring);

    // Each runtime key alone proves the shim had RuntimeOptions.
    for (auto text : {R"({"root":"/r","io_uid":1})", R"({"systemd_cgroup":true,"io_uid":1})",
                      R"({"criu_path":"/c","io_uid":1})", R"({"binary_name":"","io_uid":1})"}) {
        SCOPED_TRACE(text);
        auto one = parse(text);
        ASSERT_TRUE(one) << one.error().message;
        EXPECT_FALSE(one->runtime_options_dropped());
    }
}

TEST(ShimOptions, TheBugFile) {
    auto r = parse(R"({"io_uid":100000,"io_gid":100000})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->has_task_keys);
    EXPECT_FALSE(r->has_runtime_keys);
    EXPECT_TRUE(r->runtime_options_dropped());
    EXPECT_TRUE(r->options.binary_name.empty());
    EXPECT_TRUE(r->options.root.empty());
    EXPECT_FALSE(r->options.systemd_cgroup);
}

TEST(ShimOptions, NoPivotRootTaskOption) {
    // ctr run --no-pivot: TaskOptions {no_pivot_root} replaced everything else.
    auto r = parse(R"({"no_pivot_root":true})");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->runtime_options_dropped());
    EXPECT_TRUE(r->options.no_pivot_root);
    EXPECT_FALSE(r->options.no_new_keyring);

    auto keyring = parse(R"({"no_new_keyring":true,"shim_cgroup":"/s"})");
    ASSERT_TRUE(keyring);
    EXPECT_TRUE(keyring->runtime_options_dropped());
    EXPECT_TRUE(keyring->options.no_new_keyring);
}

TEST(ShimOptions, EmptyObjectIsNotTheBug) {
    // No options at all (runc from PATH, every default): nothing says anything was dropped.
    auto r = parse("{}");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->has_task_keys);
    EXPECT_FALSE(r->has_runtime_keys);
    EXPECT_FALSE(r->runtime_options_dropped());
    auto spaced = parse(" \n{ }\n");
    ASSERT_TRUE(spaced);
    EXPECT_FALSE(spaced->runtime_options_dropped());
}

TEST(ShimOptions, WrongTypes) {
    struct Case {
        const char* text;
        const char* key;
    };
    for (auto [text, key] :
         {Case{R"({"binary_name":1})", "binary_name"},
          Case{R"({"binary_name":null})", "binary_name"}, Case{R"({"root":true})", "root"},
          Case{R"({"systemd_cgroup":"true"})", "systemd_cgroup"},
          Case{R"({"no_pivot_root":1})", "no_pivot_root"},
          Case{R"({"no_new_keyring":"yes"})", "no_new_keyring"}}) {
        SCOPED_TRACE(text);
        auto r = parse(text);
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().message.find(key), std::string::npos) << r.error().message;
    }
}

TEST(ShimOptions, Garbage) {
    for (auto text : {"", "   ", "not json", "{", R"({"io_uid":100000,)", "[]", "null", "42",
                      R"("binary_name")", R"({"a":1} trailing)", "{\"a\":\"\xff\""}) {
        SCOPED_TRACE(text);
        auto r = parse(text);
        EXPECT_FALSE(r);
        if (!r) {
            EXPECT_FALSE(r.error().message.empty());
        }
    }
    auto top = parse("[1,2]");
    ASSERT_FALSE(top);
    EXPECT_NE(top.error().message.find("not a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace runcwrap
