// The runc argv parser: every call containerd's shim really made (tests/fixtures/shim-1.6.20) and
// the flag forms runc (urfave/cli v1 over Go's flag package) accepts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "samples.hpp"
#include "wrapper/runc_args.hpp"

namespace runcwrap {
namespace {

namespace fs = std::filesystem;

using testing::samples_dir;

RuncCall P(std::initializer_list<std::string_view> args) {
    std::vector<std::string_view> argv{"runc"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_runc_argv(std::move(argv));
}

bool has_problem_naming(const RuncCall& call, std::string_view text) {
    return std::any_of(call.problems.begin(), call.problems.end(),
                       [&](const std::string& p) { return p.find(text) != std::string::npos; });
}

// ---- the shim's real calls --------------------------------------------------------------------

struct Sample {
    fs::path file;
    std::string case_name;       // the directory: c, c0, c2, c3, d, e
    std::string header_command;  // "### runc wrapper call: subcommand=X"
    std::string cwd;
    std::string process_file;       // "## --process file X:" (exec only)
    std::vector<std::string> args;  // argv[0] = "runc", then argv[1..]
};

Sample load_sample(const fs::path& file) {
    Sample s;
    s.file = file;
    s.case_name = file.parent_path().filename().string();
    s.args.push_back("runc");
    std::ifstream in(file);
    std::string line;
    std::map<int, std::string> argv_lines;
    const std::string header = "### runc wrapper call: subcommand=";
    const std::string process = "## --process file ";
    while (std::getline(in, line)) {
        if (line.rfind("argv[", 0) == 0) {
            // argv[N]=value; the value may hold anything, '=' and ']' included.
            const std::size_t close = line.find("]=");
            if (close == std::string::npos) {
                ADD_FAILURE() << file << ": malformed line " << line;
                continue;
            }
            argv_lines[std::stoi(line.substr(5, close - 5))] = line.substr(close + 2);
        } else if (line.rfind(header, 0) == 0) {
            s.header_command =
                line.substr(header.size(), line.find(' ', header.size()) - header.size());
        } else if (line.rfind(process, 0) == 0 && line.back() == ':') {
            s.process_file = line.substr(process.size(), line.size() - process.size() - 1);
        } else if (line.rfind("## cwd: ", 0) == 0) {
            s.cwd = line.substr(8);
        }
    }
    int expected = 1;
    for (const auto& [index, value] : argv_lines) {
        EXPECT_EQ(index, expected) << file << ": argv lines are not contiguous";
        ++expected;
        s.args.push_back(value);
    }
    return s;
}

std::vector<fs::path> sample_files() {
    std::vector<fs::path> files;
    const fs::path dir = samples_dir();
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.size() > 7 && std::isdigit(name[0]) &&
            std::isdigit(name[1]) && name[2] == '-' && entry.path().extension() == ".txt")
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(RuncArgsSamples, SamplesArePresent) {
    // Not a skip: without the samples the parser is not checked against real shim calls.
    ASSERT_TRUE(fs::is_directory(samples_dir()))
        << "SAMPLES_DIR (" << samples_dir() << ") is not a folder; set SAMPLES_DIR";
    EXPECT_GE(sample_files().size(), 30u);
}

TEST(RuncArgsSamples, EveryShimCallParsesAsTheSampleShows) {
    const auto files = sample_files();
    ASSERT_FALSE(files.empty()) << "no NN-*.txt under " << samples_dir();
    std::set<std::string> commands_seen;
    for (const auto& file : files) {
        SCOPED_TRACE(file.string());
        const Sample s = load_sample(file);
        ASSERT_GE(s.args.size(), 3u);
        std::vector<std::string_view> argv(s.args.begin(), s.args.end());
        const RuncCall call = parse_runc_argv(argv);
        const std::string stem = file.stem().string();  // "07-kill"
        const std::string bundle =
            "/tmp/ctd-e2e/state/io.containerd.runtime.v2.task/e2e/" + s.case_name;

        EXPECT_TRUE(call.problems.empty()) << call.problems.front();
        ASSERT_TRUE(call.known_command);
        EXPECT_EQ(call.command, s.header_command);
        EXPECT_EQ(stem.substr(3, s.header_command.size()), s.header_command);
        commands_seen.insert(std::string(call.command));

        // The shim's global prefix, always the same three flags.
        EXPECT_EQ(call.global_value("root"), "/run/containerd/runc/e2e");
        EXPECT_EQ(call.global_value("log"), bundle + "/log.json");
        EXPECT_EQ(call.global_value("log-format"), "json");
        EXPECT_FALSE(call.global("systemd-cgroup"));
        EXPECT_EQ(call.global_flags.size(), 3u);
        EXPECT_EQ(call.command_index, 7u);

        // Every container of the samples is named like its case folder.
        ASSERT_TRUE(call.container_id());
        EXPECT_EQ(*call.container_id(), s.case_name);
        EXPECT_TRUE(is_valid_container_id(*call.container_id()));

        // Every argument is exactly one of: a flag, a flag's value, the command, a positional.
        std::vector<int> claimed(argv.size(), 0);
        claimed[0] = 1;
        claimed[call.command_index]++;
        for (const auto* flags : {&call.global_flags, &call.command_flags})
            for (const auto& f : *flags) {
                claimed[f.index]++;
                if (f.value_index != f.index) claimed[f.value_index]++;
            }
        for (auto p : call.positionals) claimed[p]++;
        for (std::size_t i = 0; i < claimed.size(); ++i)
            EXPECT_EQ(claimed[i], 1) << "argv[" << i << "]=" << argv[i];

        const std::string& cmd = s.header_command;
        if (cmd == "create") {
            EXPECT_EQ(call.flag_value("bundle"), bundle);
            EXPECT_EQ(s.cwd, bundle);
            EXPECT_EQ(call.flag_value("pid-file"), bundle + "/init.pid");
            EXPECT_EQ(call.flag_bool("no-pivot"), s.case_name == "c3");
            EXPECT_EQ(call.flag("console-socket") != nullptr, s.case_name == "e");
            if (s.case_name == "e") {
                EXPECT_EQ(call.flag_value("console-socket"), "/tmp/pty818173913/pty.sock");
            }
            EXPECT_EQ(call.positionals.size(), 1u);
            EXPECT_EQ(call.container_id_index(), argv.size() - 1);
        } else if (cmd == "exec") {
            EXPECT_FALSE(s.process_file.empty());
            EXPECT_EQ(call.flag_value("process"), s.process_file);
            EXPECT_TRUE(call.flag_bool("detach"));
            EXPECT_EQ(call.flag_value("pid-file"), bundle + "/x1.pid");
            EXPECT_EQ(call.positionals.size(), 1u);
        } else if (cmd == "kill") {
            ASSERT_EQ(call.positionals.size(), 2u);
            const std::string_view signal = argv[call.positionals[1]];
            if (stem == "07-kill") {
                EXPECT_EQ(signal, "15");
                EXPECT_FALSE(call.flag("all"));
            } else {
                EXPECT_EQ(signal, "9");
                EXPECT_TRUE(call.flag_bool("all"));
            }
        } else if (cmd == "delete") {
            // The shim's normal delete first, then manager.Stop's cleanup `delete --force`.
            const bool cleanup = stem == "04-delete" || stem == "10-delete";
            EXPECT_EQ(call.flag_bool("force"), cleanup);
            EXPECT_EQ(call.command_flags.size(), cleanup ? 1u : 0u);
            EXPECT_EQ(call.positionals.size(), 1u);
        } else if (cmd == "ps") {
            EXPECT_EQ(call.flag_value("format"), "json");
            EXPECT_EQ(call.positionals.size(), 1u);
        } else if (cmd == "start" || cmd == "pause" || cmd == "resume") {
            EXPECT_TRUE(call.command_flags.empty());
            EXPECT_EQ(call.positionals.size(), 1u);
        } else {
            ADD_FAILURE() << "no expectation for subcommand " << cmd;
        }
    }
    EXPECT_EQ(commands_seen, (std::set<std::string>{"create", "start", "exec", "ps", "pause",
                                                    "resume", "kill", "delete"}));
}

// ---- flag forms ------------------------------------------------------------------------------

TEST(RuncArgs, OneAndTwoDashesAreTheSame) {
    for (auto root : {"--root", "-root"}) {
        SCOPED_TRACE(root);
        RuncCall call = P({root, "/r", "start", "id"});
        EXPECT_EQ(call.global_value("root"), "/r");
        EXPECT_EQ(call.command, "start");
        EXPECT_TRUE(call.problems.empty());
    }
    RuncCall call = P({"-log", "/l.json", "--log-format", "text", "delete", "-force", "x"});
    EXPECT_EQ(call.global_value("log"), "/l.json");
    EXPECT_EQ(call.global_value("log-format"), "text");
    EXPECT_TRUE(call.flag_bool("force"));
    EXPECT_EQ(call.container_id(), "x");
}

TEST(RuncArgs, InlineAndSeparateValues) {
    RuncCall a = P({"--root=/a", "create", "--bundle=/b", "--pid-file", "/p", "id"});
    ASSERT_TRUE(a.global("root"));
    EXPECT_TRUE(a.global("root")->inline_value);
    EXPECT_EQ(a.global("root")->value_index, a.global("root")->index);
    EXPECT_EQ(a.global_value("root"), "/a");
    EXPECT_EQ(a.flag_value("bundle"), "/b");
    ASSERT_TRUE(a.flag("pid-file"));
    EXPECT_FALSE(a.flag("pid-file")->inline_value);
    EXPECT_EQ(a.flag("pid-file")->value_index, a.flag("pid-file")->index + 1);
    EXPECT_EQ(a.flag_value("pid-file"), "/p");
    EXPECT_EQ(a.container_id(), "id");
    EXPECT_TRUE(a.problems.empty());

    // An inline empty value is a value, not a missing one.
    RuncCall e = P({"--root=", "list"});
    EXPECT_EQ(e.global_value("root"), "");
    // A value may itself hold '='.
    RuncCall q = P({"--log=/x=y/log.json", "list"});
    EXPECT_EQ(q.global_value("log"), "/x=y/log.json");
}

TEST(RuncArgs, ShortAliases) {
    for (auto b : {"-b", "--b", "-bundle", "--bundle"}) {
        SCOPED_TRACE(b);
        RuncCall call = P({"create", b, "/bundle", "id"});
        ASSERT_TRUE(call.flag("bundle"));
        EXPECT_EQ(call.flag("bundle")->name, "bundle");  // canonical name for the alias
        EXPECT_EQ(call.flag_value("bundle"), "/bundle");
        EXPECT_EQ(call.container_id(), "id");
    }
    RuncCall b_inline = P({"run", "-b=/bb", "-d", "id"});
    EXPECT_EQ(b_inline.flag_value("bundle"), "/bb");
    EXPECT_TRUE(b_inline.flag_bool("detach"));
    EXPECT_TRUE(P({"-v"}).global_bool("version"));
    EXPECT_TRUE(P({"-h"}).global_bool("help"));
    EXPECT_TRUE(P({"delete", "-f", "id"}).flag_bool("force"));
    EXPECT_EQ(P({"list", "-f", "json"}).flag_value("format"), "json");
}

TEST(RuncArgs, BoolValues) {
    struct Case {
        std::string_view arg;
        bool value;
    };
    for (auto [arg, value] :
         {Case{"--systemd-cgroup", true}, Case{"--systemd-cgroup=true", true},
          Case{"--systemd-cgroup=1", true}, Case{"--systemd-cgroup=t", true},
          Case{"--systemd-cgroup=TRUE", true}, Case{"--systemd-cgroup=True", true},
          Case{"--systemd-cgroup=false", false}, Case{"--systemd-cgroup=0", false},
          Case{"--systemd-cgroup=F", false}, Case{"--systemd-cgroup=FALSE", false},
          Case{"-systemd-cgroup=False", false}}) {
        SCOPED_TRACE(arg);
        RuncCall call = P({arg, "create", "id"});
        ASSERT_TRUE(call.global("systemd-cgroup"));
        EXPECT_EQ(call.global_bool("systemd-cgroup"), value);
        EXPECT_TRUE(call.problems.empty());
        EXPECT_EQ(call.command, "create");
    }
    // Go's ParseBool refuses these: recorded, never fatal, and the flag reads as false.
    for (auto arg : {"--systemd-cgroup=yes", "--systemd-cgroup=", "--systemd-cgroup=2"}) {
        SCOPED_TRACE(arg);
        RuncCall call = P({arg, "create", "id"});
        EXPECT_FALSE(call.global_bool("systemd-cgroup"));
        EXPECT_TRUE(has_problem_naming(call, "invalid boolean value"));
        EXPECT_EQ(call.command, "create");
        EXPECT_EQ(call.container_id(), "id");
    }
    // A bool never takes the next argument: `--no-pivot false` makes "false" a positional.
    RuncCall call = P({"create", "--no-pivot", "false"});
    EXPECT_TRUE(call.flag_bool("no-pivot"));
    EXPECT_EQ(call.container_id(), "false");
    // Command-level bools with explicit values.
    EXPECT_FALSE(P({"delete", "--force=0", "id"}).flag_bool("force"));
    EXPECT_TRUE(P({"delete", "--force=1", "id"}).flag_bool("force"));
    EXPECT_FALSE(P({"exec", "-d=false", "id"}).flag_bool("detach"));
}

TEST(RuncArgs, ValueFlagTakesNextArgumentEvenWithADash) {
    RuncCall call = P({"--log", "-weird.json", "create", "--bundle", "--no-pivot", "id"});
    EXPECT_EQ(call.global_value("log"), "-weird.json");
    EXPECT_EQ(call.command, "create");
    EXPECT_EQ(call.flag_value("bundle"), "--no-pivot");
    EXPECT_FALSE(call.flag("no-pivot"));
    EXPECT_EQ(call.container_id(), "id");
    EXPECT_TRUE(call.problems.empty());

    // Even "--" is a value when a value flag asks for one.
    RuncCall dd = P({"create", "--bundle", "--", "id"});
    EXPECT_EQ(dd.flag_value("bundle"), "--");
    EXPECT_EQ(dd.container_id(), "id");

    // A value flag at the very end has nothing to take: recorded, not fatal.
    RuncCall end = P({"create", "id", "--pid-file"});
    EXPECT_TRUE(has_problem_naming(end, "needs an argument"));
    EXPECT_EQ(end.container_id(), "id");
    RuncCall gend = P({"--root"});
    EXPECT_TRUE(has_problem_naming(gend, "needs an argument"));
    EXPECT_EQ(gend.command_index, 0u);
}

TEST(RuncArgs, DoubleDashEndsGlobalFlags) {
    RuncCall call = P({"--root", "/r", "--", "create", "--bundle", "/b", "id"});
    EXPECT_EQ(call.global_value("root"), "/r");
    EXPECT_EQ(call.command_index, 4u);
    EXPECT_EQ(call.command, "create");
    EXPECT_EQ(call.flag_value("bundle"), "/b");
    EXPECT_EQ(call.container_id(), "id");
    EXPECT_TRUE(call.problems.empty());

    // After "--" a dashed word is the command (runc then says "No help topic").
    RuncCall dashed = P({"--", "--version"});
    EXPECT_FALSE(dashed.global("version"));
    EXPECT_EQ(dashed.command, "--version");
    EXPECT_FALSE(dashed.known_command);

    // A lone "--" and nothing else: no command.
    RuncCall lone = P({"--"});
    EXPECT_EQ(lone.command_index, 0u);
}

TEST(RuncArgs, DoubleDashEndsCommandFlags) {
    RuncCall call = P({"delete", "--", "--force"});
    EXPECT_FALSE(call.flag("force"));
    EXPECT_EQ(call.container_id(), "--force");
    ASSERT_EQ(call.positionals.size(), 1u);
    EXPECT_EQ(call.positionals[0], 3u);

    RuncCall kill = P({"kill", "--all", "--", "id", "-9"});
    EXPECT_TRUE(kill.flag_bool("all"));
    EXPECT_EQ(kill.container_id(), "id");
    ASSERT_EQ(kill.positionals.size(), 2u);
    EXPECT_EQ(kill.argv[kill.positionals[1]], "-9");
    EXPECT_TRUE(kill.problems.empty());

    RuncCall create = P({"create", "--bundle", "/b", "--", "id"});
    EXPECT_EQ(create.container_id(), "id");
    EXPECT_EQ(create.container_id_index(), 5u);
}

TEST(RuncArgs, GoRuncRestoreWithSingleDashNoSubreaper) {
    // go-runc's Restore: checkpoint options, --detach, --pid-file, --no-pivot, -no-subreaper,
    // and --bundle last.
    RuncCall call =
        P({"--root", "/run/containerd/runc/k8s.io", "--log", "/b/log.json", "--log-format", "json",
           "restore", "--image-path", "/img", "--work-path", "/work", "--detach", "--pid-file",
           "/b/init.pid", "--no-pivot", "-no-subreaper", "--bundle", "/b", "ctr1"});
    EXPECT_TRUE(call.problems.empty()) << call.problems.front();
    EXPECT_EQ(call.command, "restore");
    EXPECT_TRUE(call.flag_bool("no-subreaper"));
    EXPECT_TRUE(call.flag_bool("no-pivot"));
    EXPECT_TRUE(call.flag_bool("detach"));
    EXPECT_EQ(call.flag_value("image-path"), "/img");
    EXPECT_EQ(call.flag_value("work-path"), "/work");
    EXPECT_EQ(call.flag_value("bundle"), "/b");
    EXPECT_EQ(call.container_id(), "ctr1");
    EXPECT_TRUE(creates_container(call.command));
    // restore has no --no-new-keyring: runc rejects it, and so is it recorded.
    EXPECT_TRUE(has_problem_naming(P({"restore", "--no-new-keyring", "id"}), "--no-new-keyring"));
}

TEST(RuncArgs, FlagsAfterTheIdForNonExecCommands) {
    // urfave/cli moves flags in front of the positionals for every command but exec and ps.
    RuncCall del = P({"delete", "ID", "--force"});
    EXPECT_TRUE(del.flag_bool("force"));
    EXPECT_EQ(del.container_id(), "ID");
    EXPECT_EQ(del.positionals.size(), 1u);
    EXPECT_TRUE(del.problems.empty());

    RuncCall create = P({"create", "ID", "--bundle", "/b", "--no-pivot"});
    EXPECT_EQ(create.flag_value("bundle"), "/b");
    EXPECT_TRUE(create.flag_bool("no-pivot"));
    EXPECT_EQ(create.container_id(), "ID");
    EXPECT_EQ(create.container_id_index(), 2u);

    RuncCall kill = P({"kill", "ID", "9", "--all"});
    EXPECT_TRUE(kill.flag_bool("all"));
    EXPECT_EQ(kill.container_id(), "ID");
}

TEST(RuncArgs, ExecStopsAtTheId) {
    RuncCall call = P({"exec", "-t", "ID", "sh", "-c", "--foo"});
    EXPECT_TRUE(call.flag_bool("tty"));
    EXPECT_EQ(call.container_id(), "ID");
    ASSERT_EQ(call.positionals.size(), 4u);
    EXPECT_EQ(call.argv[call.positionals[2]], "-c");
    EXPECT_EQ(call.argv[call.positionals[3]], "--foo");
    EXPECT_EQ(call.command_flags.size(), 1u);
    EXPECT_TRUE(call.problems.empty());  // the command's own flags are not runc's

    // Flags that look like exec's own are the process's once the id is seen.
    RuncCall after = P({"exec", "ID", "--user", "5", "-d"});
    EXPECT_FALSE(after.flag("user"));
    EXPECT_FALSE(after.flag("detach"));
    EXPECT_EQ(after.positionals.size(), 4u);

    // ps is the same: what follows the id is ps(1)'s.
    RuncCall ps = P({"ps", "--format", "table", "ID", "-ef"});
    EXPECT_EQ(ps.flag_value("format"), "table");
    EXPECT_EQ(ps.container_id(), "ID");
    EXPECT_EQ(ps.positionals.size(), 2u);
    EXPECT_TRUE(ps.problems.empty());

    RuncCall user = P({"exec", "--user", "1000:1000", "-e", "A=1", "--env", "B=2", "ID", "true"});
    EXPECT_EQ(user.flag_value("user"), "1000:1000");
    EXPECT_EQ(user.flag_value("env"), "B=2");  // the last one, as Go's flag package sees it
    EXPECT_TRUE(user.problems.empty());        // --env is repeatable
}

TEST(RuncArgs, UnknownFlagsAreRecordedNeverFatal) {
    RuncCall global = P({"--bogus", "--root", "/r", "create", "--bundle", "/b", "id"});
    EXPECT_TRUE(has_problem_naming(global, "--bogus"));
    EXPECT_EQ(global.global_value("root"), "/r");
    EXPECT_EQ(global.command, "create");
    EXPECT_EQ(global.container_id(), "id");
    EXPECT_EQ(global.argv.size(), 8u);  // the argv is kept whole

    RuncCall command = P({"create", "--frobnicate", "--bundle", "/b", "id"});
    EXPECT_TRUE(has_problem_naming(command, "--frobnicate"));
    EXPECT_EQ(command.flag_value("bundle"), "/b");
    EXPECT_EQ(command.container_id(), "id");

    // Global flags after the command are the command's business, and unknown there.
    RuncCall late = P({"start", "--root", "/r", "id"});
    EXPECT_TRUE(has_problem_naming(late, "--root"));
    EXPECT_FALSE(late.global("root"));
    EXPECT_EQ(late.container_id(), "/r");  // what runc itself would take, before failing

    // Combined short flags do not exist in runc.
    EXPECT_TRUE(has_problem_naming(P({"exec", "-dt", "id", "sh"}), "-dt"));
    // Bad syntax per Go's flag package.
    EXPECT_TRUE(has_problem_naming(P({"---root", "/r", "list"}), "---root"));
    EXPECT_TRUE(has_problem_naming(P({"-=x", "list"}), "-=x"));
    // The same flag twice is runc's error, recorded.
    EXPECT_TRUE(has_problem_naming(P({"delete", "--force", "-f", "id"}), "twice"));

    RuncCall unknown = P({"frobnicate", "id"});
    EXPECT_FALSE(unknown.known_command);
    EXPECT_EQ(unknown.command, "frobnicate");
    EXPECT_TRUE(has_problem_naming(unknown, "unknown command"));
    EXPECT_FALSE(unknown.container_id());
}

TEST(RuncArgs, NoSubcommand) {
    RuncCall version = P({"--version"});
    EXPECT_EQ(version.command_index, 0u);
    EXPECT_TRUE(version.command.empty());
    EXPECT_TRUE(version.global_bool("version"));
    EXPECT_FALSE(version.container_id());
    EXPECT_TRUE(version.problems.empty());

    RuncCall nothing = P({});
    EXPECT_EQ(nothing.command_index, 0u);
    EXPECT_FALSE(nothing.container_id());

    RuncCall features = P({"features"});
    EXPECT_TRUE(features.known_command);
    EXPECT_EQ(features.command, "features");
    EXPECT_FALSE(features.container_id());

    RuncCall list = P({"--root", "/run/containerd/runc/k8s.io", "list", "--format=json"});
    EXPECT_EQ(list.command, "list");
    EXPECT_EQ(list.flag_value("format"), "json");
    EXPECT_FALSE(list.container_id());
    EXPECT_FALSE(list.container_id_index());

    // spec takes no id either, even with a stray positional.
    EXPECT_FALSE(P({"spec", "--rootless", "x"}).container_id());
    // A lone "-" is not a flag: it is the (unknown) command.
    RuncCall dash = P({"-"});
    EXPECT_EQ(dash.command, "-");
    EXPECT_FALSE(dash.known_command);
}

TEST(RuncArgs, CreatesContainer) {
    for (auto c : {"create", "run", "restore"}) EXPECT_TRUE(creates_container(c)) << c;
    for (auto c : {"start", "exec", "delete", "kill", "ps", "list", "features", "", "checkpoint"})
        EXPECT_FALSE(creates_container(c)) << c;
}

TEST(RuncArgs, ContainerIdValidity) {
    for (auto id : {"a", "c2", "abc-DEF_012.3+x", "...", ".a", "a..b",
                    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"})
        EXPECT_TRUE(is_valid_container_id(id)) << id;
    for (auto id : {"", ".", "..", "/", "a/b", "../x", "/abs", "a b", "a\nb", "a:b", "ä"})
        EXPECT_FALSE(is_valid_container_id(id)) << id;
    EXPECT_FALSE(is_valid_container_id(std::string_view("a\0b", 3)));
}

TEST(RuncArgs, FlagsTakeTheLastValue) {
    RuncCall call = P({"--root", "/a", "--root", "/b", "list"});
    EXPECT_EQ(call.global_value("root"), "/b");
    EXPECT_EQ(call.global("root")->value_index, 4u);
}

}  // namespace
}  // namespace runcwrap
