// What containerd 1.7.24, 2.0.4 and 2.0.5 really passed through the CRI (tests/fixtures/cri):
// every recorded runc call parses as runc parses it, each release's options.json has the shape
// that tells the bug apart, and on 2.0.4 decide() names the pod's own handler binary for every
// app call, with the argv runcwrap was recorded passing on.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "samples.hpp"
#include "wrapper/decision.hpp"
#include "wrapper/runc_args.hpp"
#include "wrapper/shim_options.hpp"

namespace runcwrap {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// One recorded call: calls/NN-<subcommand>-<tag>-<who>.txt, its argv lines "  [N] value".
struct RecordedCall {
    fs::path file;
    std::string subcommand;  // from the file name
    std::string tag;         // "path" (runc on PATH) or "handler-rec" (the handler's BinaryName)
    std::string who;         // "app", "sandbox" or "-" (no container id)
    std::vector<std::string> args;  // argv[0] = "runc", then argv[1..]
};

RecordedCall load_call(const fs::path& file) {
    RecordedCall c;
    c.file = file;
    std::string stem = file.stem().string();  // "05-create-handler-rec-app"
    stem = stem.substr(3);
    c.subcommand = stem.substr(0, stem.find('-'));
    stem = stem.substr(c.subcommand.size() + 1);
    c.who = stem.substr(stem.rfind('-') + 1);
    c.tag = stem.substr(0, stem.rfind('-'));
    if (c.tag.size() && c.tag.back() == '-') c.tag.pop_back();  // "handler-rec--": who is "-"
    if (c.who.empty()) c.who = "-";
    c.args.push_back("runc");
    std::ifstream in(file);
    std::string line;
    bool in_argv = false;
    while (std::getline(in, line)) {
        if (line.rfind("argv (after argv[0])", 0) == 0) {
            in_argv = true;
            continue;
        }
        if (!in_argv) continue;
        if (line.rfind("  [", 0) != 0) break;
        const std::size_t close = line.find("] ");
        EXPECT_EQ(std::stoul(line.substr(3, close - 3)), c.args.size()) << file << ": " << line;
        c.args.push_back(line.substr(close + 2));
    }
    return c;
}

std::map<std::string, std::string> load_ids(const fs::path& dir) {
    std::map<std::string, std::string> ids;
    std::istringstream in(slurp(dir / "ids.txt"));
    std::string line;
    while (std::getline(in, line))
        if (auto colon = line.find(": "); colon != std::string::npos)
            ids[line.substr(0, colon)] = line.substr(colon + 2);
    return ids;
}

std::vector<fs::path> recorded_dirs() {
    std::vector<fs::path> dirs;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(testing::cri_fixtures_dir(), ec))
        if (entry.is_directory() && fs::is_directory(entry.path() / "calls"))
            dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

std::vector<RecordedCall> calls_of(const fs::path& dir) {
    std::vector<fs::path> files;
    for (const char* sub : {"calls", "startup-calls"}) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir / sub, ec))
            if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<RecordedCall> calls;
    for (const auto& f : files) calls.push_back(load_call(f));
    return calls;
}

bool is_release_2_0_4(const fs::path& dir) {
    return dir.filename().string().find("2.0.4") != std::string::npos;
}

TEST(CriFixtures, EveryReleaseIsRecorded) {
    // Not a skip: without these the CRI call shapes are not checked at all.
    const auto dirs = recorded_dirs();
    ASSERT_GE(dirs.size(), 4u) << "recorded CRI calls under " << testing::cri_fixtures_dir();
    std::string names;
    for (const auto& d : dirs) names += d.filename().string() + " ";
    for (const char* release : {"1.7.24", "2.0.4", "2.0.5"})
        EXPECT_NE(names.find(release), std::string::npos) << release << " in " << names;
}

TEST(CriFixtures, EveryRecordedCallParsesAsItsFileNameSays) {
    std::size_t seen = 0;
    for (const auto& dir : recorded_dirs()) {
        const auto ids = load_ids(dir);
        for (const auto& c : calls_of(dir)) {
            SCOPED_TRACE(c.file.string());
            ++seen;
            const RuncCall call =
                parse_runc_argv(std::vector<std::string_view>(c.args.begin(), c.args.end()));
            EXPECT_TRUE(call.problems.empty()) << call.problems.front();
            ASSERT_TRUE(call.known_command);
            EXPECT_EQ(call.command, c.subcommand);
            const auto id = call.container_id();
            if (c.who == "app") {
                ASSERT_TRUE(id);
                EXPECT_EQ(*id, ids.at("container id"));
            } else if (c.who == "sandbox") {
                ASSERT_TRUE(id);
                EXPECT_EQ(*id, ids.at("sandbox id"));
            } else {
                EXPECT_EQ(c.subcommand, "features");
            }
            // The shim's log is always the container's own bundle's log.json.
            if (id && call.global_value("log")) {
                const std::string_view log = *call.global_value("log");
                EXPECT_NE(log.find(std::string(*id) + "/log.json"), std::string_view::npos) << log;
            }
        }
    }
    EXPECT_GE(seen, 40u);
}

TEST(CriFixtures, OnlyRelease204DropsTheAppContainersOptions) {
    std::size_t seen = 0;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(testing::cri_fixtures_dir(), ec)) {
        const fs::path dir = entry.path();
        if (!fs::is_regular_file(dir / "container-options.json")) continue;
        SCOPED_TRACE(dir.string());
        ++seen;
        std::string app = slurp(dir / "container-options.json");
        std::string sandbox = slurp(dir / "sandbox-options.json");
        auto app_options = parse_shim_options(app);
        auto sandbox_options = parse_shim_options(sandbox);
        ASSERT_TRUE(app_options) << app_options.error().message;
        ASSERT_TRUE(sandbox_options) << sandbox_options.error().message;
        // The pause container never gets task options: the handler's options survive there.
        EXPECT_FALSE(sandbox_options->runtime_options_dropped());
        EXPECT_FALSE(sandbox_options->options.binary_name.empty());
        EXPECT_EQ(app_options->runtime_options_dropped(), is_release_2_0_4(dir));
    }
    EXPECT_GE(seen, 6u);
}

// On 2.0.4 every app call came to `runc` on PATH (tag "path"); the sandbox's options.json names
// the handler's binary, and that is what decide() must run, with the argv unchanged (this
// handler sets no Root, SystemdCgroup or NoPivotRoot: nothing to restore).
TEST(CriFixtures, Release204AppCallsGoToThePodsHandler) {
    std::size_t seen = 0;
    for (const auto& dir : recorded_dirs()) {
        if (!is_release_2_0_4(dir)) continue;
        std::string app_text = slurp(dir / "container-options.json");
        std::string sandbox_text = slurp(dir / "sandbox-options.json");
        auto app = parse_shim_options(app_text);
        auto sandbox = parse_shim_options(sandbox_text);
        ASSERT_TRUE(app && sandbox);
        const auto calls = calls_of(dir);
        for (std::size_t i = 0; i < calls.size(); ++i) {
            const RecordedCall& c = calls[i];
            if (c.tag != "path" || c.who != "app") continue;
            SCOPED_TRACE(c.file.string());
            ++seen;
            const RuncCall call =
                parse_runc_argv(std::vector<std::string_view>(c.args.begin(), c.args.end()));
            DecisionInputs in;
            in.call = &call;
            in.bundle = "/bundle";
            in.bundle_options = *app;
            in.bundle_options_path = "/bundle/options.json";
            in.sandbox_options = sandbox->options;
            in.sandbox_options_path = "/sandbox/options.json";
            auto d = decide(in);
            ASSERT_TRUE(d) << d.error().message;
            EXPECT_EQ(d->scenario, Scenario::DroppedSandbox);
            ASSERT_FALSE(d->candidates.empty());
            EXPECT_EQ(d->candidates.front().name, sandbox->options.binary_name);
            EXPECT_TRUE(d->restored.empty());
            const std::vector<std::string> passed(c.args.begin() + 1, c.args.end());
            EXPECT_EQ(d->args, passed);
            // Where runcwrap ran (the wrapper recording), the next recorded call is the
            // handler's binary receiving exactly these arguments.
            if (i + 1 < calls.size() && calls[i + 1].tag == "handler-rec" &&
                calls[i + 1].who == "app") {
                const std::vector<std::string> ran(calls[i + 1].args.begin() + 1,
                                                   calls[i + 1].args.end());
                EXPECT_EQ(ran, d->args);
            }
        }
    }
    EXPECT_GE(seen, 10u);
}

// The same recordings after `runcwrap route --handler rec` (issue #15): containerd's BinaryName
// for the handler is its entry, the side file's [handlers.rec] names the handler's binary.
// On 2.0.4 the app calls still come through PATH and the sandbox's options.json names the
// entry: S2 runs the recorded binary. On 1.7.24 and 2.0.5 the handler's calls (tag
// "handler-rec") come through the entry, options intact: routed-handler, the same binary, the
// argv as recorded.
constexpr const char* kRecEntry = "/usr/local/lib/runcwrap/handlers/rec/runc";

SideConfig routed_rec(const std::string& binary) {
    SideConfig side;
    side.path = "/etc/runcwrap/config.toml";
    side.has_options = true;
    side.options.binary_name = "runc";
    HandlerRecord rec;
    rec.name = "rec";
    rec.options.binary_name = binary;
    side.handlers.push_back(rec);
    return side;
}

TEST(CriFixtures, RoutedHandlerCallsRunTheHandlersRecordedBinary) {
    std::size_t seen_s2 = 0, seen_routed = 0;
    for (const auto& dir : recorded_dirs()) {
        SCOPED_TRACE(dir.string());
        std::string app_text = slurp(dir / "container-options.json");
        std::string sandbox_text = slurp(dir / "sandbox-options.json");
        auto app = parse_shim_options(app_text);
        auto sandbox = parse_shim_options(sandbox_text);
        ASSERT_TRUE(app && sandbox);
        const std::string binary = sandbox->options.binary_name;
        const SideConfig side = routed_rec(binary);
        RuntimeOptions routed_sandbox = sandbox->options;
        routed_sandbox.binary_name = kRecEntry;
        ShimOptions routed_app = *app;
        if (!routed_app.runtime_options_dropped()) routed_app.options.binary_name = kRecEntry;
        for (const RecordedCall& c : calls_of(dir)) {
            const bool s2 = is_release_2_0_4(dir) && c.tag == "path" && c.who == "app";
            const bool through_entry = !is_release_2_0_4(dir) && c.tag == "handler-rec";
            if (!s2 && !through_entry) continue;
            SCOPED_TRACE(c.file.string());
            std::vector<std::string_view> argv(c.args.begin(), c.args.end());
            if (through_entry) argv[0] = kRecEntry;  // go-runc: argv[0] is BinaryName
            const RuncCall call = parse_runc_argv(std::move(argv));
            DecisionInputs in;
            in.call = &call;
            in.side = &side;
            in.side_path = side.path;
            if (c.who != "-") {
                in.bundle = "/bundle";
                in.bundle_options = routed_app;
                in.bundle_options_path = "/bundle/options.json";
            }
            if (s2) {
                in.sandbox_options = routed_sandbox;
                in.sandbox_options_path = "/sandbox/options.json";
            }
            auto d = decide(in);
            ASSERT_TRUE(d) << d.error().message;
            EXPECT_EQ(d->scenario, s2 ? Scenario::DroppedSandbox : Scenario::Routed);
            ASSERT_EQ(d->candidates.size(), 1u);
            EXPECT_EQ(d->candidates.front().name, binary);
            EXPECT_TRUE(d->restored.empty());
            EXPECT_EQ(d->args, std::vector<std::string>(c.args.begin() + 1, c.args.end()));
            ++(s2 ? seen_s2 : seen_routed);
        }
    }
    EXPECT_GE(seen_s2, 10u);
    EXPECT_GE(seen_routed, 10u);
}

}  // namespace
}  // namespace runcwrap
