// The side file's TOML: containerd's option names verbatim, runcwrap's own table, and errors
// that name the file, the line and the key.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "wrapper/side_config.hpp"

namespace runcwrap {
namespace {

constexpr const char* kPath = "/etc/runcwrap/config.toml";

Result<SideConfig> parse(std::string_view text) { return parse_side_config(text, kPath); }

std::string error_of(std::string_view text) {
    auto r = parse(text);
    if (r) return "(parsed fine)";
    return r.error().message;
}

TEST(SideConfig, FullValidFile) {
    auto r = parse(R"(# pasted from containerd's config.toml
[options]
BinaryName = "/usr/sbin/runc"
SystemdCgroup = true
Root = "/run/containerd/runc-custom"
NoPivotRoot = true
NoNewKeyring = true

[runcwrap]
ChownStdio = false
LogFile = "/var/log/runcwrap.log"
)");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->path, kPath);
    EXPECT_TRUE(r->has_options);
    EXPECT_EQ(r->options.binary_name, "/usr/sbin/runc");
    EXPECT_TRUE(r->options.systemd_cgroup);
    EXPECT_EQ(r->options.root, "/run/containerd/runc-custom");
    EXPECT_TRUE(r->options.no_pivot_root);
    EXPECT_TRUE(r->options.no_new_keyring);
    EXPECT_FALSE(r->chown_stdio);
    EXPECT_EQ(r->log_file, "/var/log/runcwrap.log");
}

TEST(SideConfig, DefaultsWhenPartial) {
    auto own_only = parse("[runcwrap]\nChownStdio = true\n");
    ASSERT_TRUE(own_only);
    EXPECT_FALSE(own_only->has_options);
    EXPECT_TRUE(own_only->chown_stdio);
    EXPECT_TRUE(own_only->log_file.empty());
    EXPECT_TRUE(own_only->options.binary_name.empty());

    auto falses =
        parse("[options]\nBinaryName = \"runc\"\nSystemdCgroup = false\nNoPivotRoot = false\n");
    ASSERT_TRUE(falses);
    EXPECT_FALSE(falses->options.systemd_cgroup);
    EXPECT_FALSE(falses->options.no_pivot_root);
    EXPECT_TRUE(falses->chown_stdio);

    // Dotted keys and inline tables are the same TOML.
    auto dotted = parse("options.SystemdCgroup = true\noptions.BinaryName = \"crun\"\n");
    ASSERT_TRUE(dotted) << dotted.error().message;
    EXPECT_TRUE(dotted->options.systemd_cgroup);
    EXPECT_EQ(dotted->options.binary_name, "crun");
    auto inline_table = parse("options = { NoNewKeyring = true, BinaryName = \"runc\" }\n");
    ASSERT_TRUE(inline_table) << inline_table.error().message;
    EXPECT_TRUE(inline_table->options.no_new_keyring);
}

// What a file rewritten in place shows mid-way (empty, then each prefix) is never a smaller
// configuration: the empty file and the [options] table without BinaryName are errors.
TEST(SideConfig, AnEmptyFileIsRefused) {
    for (auto text : {"", "\n\n", "# Written by install.sh\n", "  # only a comment"}) {
        SCOPED_TRACE(text);
        std::string message = error_of(text);
        EXPECT_NE(message.find(std::string("side file ") + kPath +
                               " holds no [options] or [runcwrap] table"),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find("write it atomically"), std::string::npos) << message;
        EXPECT_NE(message.find("or remove it"), std::string::npos) << message;
    }
}

TEST(SideConfig, AnOptionsTableWithoutBinaryNameIsRefusedNamingTheKey) {
    for (auto text : {"[options]\n", "[options]", "# header\n[options]\nSystemdCgroup = true\n",
                      "[runcwrap]\nChownStdio = true\n[options]\n", "options = {}\n"}) {
        SCOPED_TRACE(text);
        std::string message = error_of(text);
        EXPECT_NE(message.find("[options] has no BinaryName"), std::string::npos) << message;
        EXPECT_NE(message.find("BinaryName = \"runc\" for the next runc in PATH"),
                  std::string::npos)
            << message;
        EXPECT_NE(message.find(kPath), std::string::npos) << message;
    }
    EXPECT_NE(error_of("# c\n[options]\n").find(std::string(kPath) + ":2:"), std::string::npos)
        << "the line of the [options] header";
}

TEST(SideConfig, EveryKeyOfTheWrongType) {
    struct Case {
        const char* text;
        const char* key;
        const char* expected;
    };
    for (auto [text, key, expected] : {
             Case{"[options]\nBinaryName = 1\n", "[options] BinaryName", "a string"},
             Case{"[options]\nBinaryName = true\n", "[options] BinaryName", "a string"},
             Case{"[options]\nRoot = [\"/r\"]\nBinaryName = \"runc\"\n", "[options] Root",
                  "a string"},
             Case{"[options]\nSystemdCgroup = \"true\"\n", "[options] SystemdCgroup",
                  "true or false"},
             Case{"[options]\nSystemdCgroup = 1\n", "[options] SystemdCgroup", "true or false"},
             Case{"[options]\nNoPivotRoot = \"yes\"\n", "[options] NoPivotRoot", "true or false"},
             Case{"[options]\nNoNewKeyring = 0\n", "[options] NoNewKeyring", "true or false"},
             Case{"[runcwrap]\nChownStdio = \"false\"\n", "[runcwrap] ChownStdio", "true or false"},
             Case{"[runcwrap]\nLogFile = false\n", "[runcwrap] LogFile", "a string"},
             Case{"[runcwrap]\nLogFile = { path = \"/x\" }\n", "[runcwrap] LogFile", "a string"},
         }) {
        SCOPED_TRACE(text);
        std::string message = error_of(text);
        EXPECT_NE(message.find(kPath), std::string::npos) << message;
        EXPECT_NE(message.find(key), std::string::npos) << message;
        EXPECT_NE(message.find(expected), std::string::npos) << message;
        EXPECT_NE(message.find(":2:"), std::string::npos) << message;  // the line of the key
    }
}

TEST(SideConfig, TablesThatAreNotTables) {
    for (auto text :
         {"options = 1\n", "runcwrap = \"x\"\n", "[[options]]\nBinaryName = \"runc\"\n"}) {
        SCOPED_TRACE(text);
        std::string message = error_of(text);
        EXPECT_NE(message.find("must be a table"), std::string::npos) << message;
    }
}

TEST(SideConfig, UnknownKeysAreErrorsThatNameTheKey) {
    std::string in_options = error_of("[options]\nBinaryName = \"runc\"\nSystemdCgroups = true\n");
    EXPECT_NE(in_options.find("unknown key [options] SystemdCgroups"), std::string::npos)
        << in_options;
    EXPECT_NE(in_options.find(std::string(kPath) + ":3"), std::string::npos) << in_options;

    std::string in_own = error_of("[runcwrap]\nChownStdIO = false\n");
    EXPECT_NE(in_own.find("unknown key [runcwrap] ChownStdIO"), std::string::npos) << in_own;

    std::string top = error_of("BinaryName = \"/usr/sbin/runc\"\n");
    EXPECT_NE(top.find("unknown key BinaryName"), std::string::npos) << top;

    std::string table = error_of("[option]\nBinaryName = \"runc\"\n");
    EXPECT_NE(table.find("unknown key option"), std::string::npos) << table;

    // containerd's plugin path pasted whole is not the [options] table.
    std::string pasted = error_of(
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
        "BinaryName = \"runc\"\n");
    EXPECT_NE(pasted.find("unknown key plugins"), std::string::npos) << pasted;
}

TEST(SideConfig, ContainerdsOtherRuncKeysAreIgnored) {
    auto r = parse(R"([options]
BinaryName = "/usr/sbin/runc"
CriuPath = "/usr/sbin/criu"
CriuImagePath = "/var/lib/criu/img"
CriuWorkPath = "/var/lib/criu/work"
IoUid = 0
IoGid = 0
ShimCgroup = ""
TaskAPIAddress = ""
TaskAPIVersion = 2
)");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->options.binary_name, "/usr/sbin/runc");
    EXPECT_FALSE(r->options.systemd_cgroup);
    // They are ignored only in [options], where containerd puts them.
    std::string own = error_of("[runcwrap]\nCriuPath = \"/usr/sbin/criu\"\n");
    EXPECT_NE(own.find("unknown key [runcwrap] CriuPath"), std::string::npos) << own;
}

TEST(SideConfig, BinaryNameForms) {
    for (auto name :
         {"runc", "crun", "nvidia-container-runtime", "/usr/sbin/runc", "/opt/x/bin/runc"}) {
        SCOPED_TRACE(name);
        auto r = parse(std::string("[options]\nBinaryName = \"") + name + "\"\n");
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_EQ(r->options.binary_name, name);
    }
    // A relative path with a slash would depend on the shim's cwd: refused.
    for (auto name : {"bin/runc", "./runc", "../sbin/runc"}) {
        SCOPED_TRACE(name);
        std::string message = error_of(std::string("[options]\nBinaryName = \"") + name + "\"\n");
        EXPECT_NE(message.find("BinaryName"), std::string::npos) << message;
        EXPECT_NE(message.find(name), std::string::npos) << message;
        EXPECT_NE(message.find("absolute path or a bare name"), std::string::npos) << message;
    }
    // Empty says nothing: refused; "runc" is how the file says "the next runc in PATH".
    std::string empty = error_of("[options]\nBinaryName = \"\"\n");
    EXPECT_NE(empty.find(std::string(kPath) + ":2: [options] BinaryName is empty"),
              std::string::npos)
        << empty;
    EXPECT_NE(empty.find("\"runc\" for the next runc in PATH after runcwrap"), std::string::npos)
        << empty;
}

TEST(SideConfig, PathsMustBeAbsolute) {
    std::string root = error_of("[options]\nBinaryName = \"runc\"\nRoot = \"run/x\"\n");
    EXPECT_NE(root.find("[options] Root must be an absolute path"), std::string::npos) << root;
    std::string log = error_of("[runcwrap]\nLogFile = \"runcwrap.log\"\n");
    EXPECT_NE(log.find("[runcwrap] LogFile must be an absolute path"), std::string::npos) << log;
}

TEST(SideConfig, NotToml) {
    for (auto text : {"this is not toml\n", "[options\nBinaryName = \"runc\"\n",
                      "[options]\nBinaryName = \"runc\"\nBinaryName = \"crun\"\n",
                      "[options]\nSystemdCgroup = tru\n", "{\"options\":{}}"}) {
        SCOPED_TRACE(text);
        std::string message = error_of(text);
        EXPECT_NE(message.find("not valid TOML"), std::string::npos) << message;
        EXPECT_NE(message.find(kPath), std::string::npos) << message;
    }
    std::string third = error_of("[options]\nRoot = \"/r\"\nNoPivotRoot = = true\n");
    EXPECT_NE(third.find(std::string(kPath) + ":3"), std::string::npos) << third;
}

}  // namespace
}  // namespace runcwrap

namespace runcwrap {
namespace {

// import-containerd-config keeps the [runcwrap] settings of the file it replaces, also of one
// written before BinaryName was required.
TEST(SideConfig, SettingsOnlyReadingForImport) {
    constexpr std::string_view old =
        "[options]\nSystemdCgroup = false\n\n[runcwrap]\nLogFile = \"/var/log/rw.log\"\n";
    EXPECT_FALSE(parse_side_config(old, "/etc/runcwrap/config.toml"));
    auto settings = parse_side_config_settings(old, "/etc/runcwrap/config.toml");
    ASSERT_TRUE(settings) << settings.error().message;
    EXPECT_EQ(settings->log_file, "/var/log/rw.log");
    EXPECT_TRUE(parse_side_config_settings("", "/etc/runcwrap/config.toml"));
    EXPECT_FALSE(
        parse_side_config_settings("[runcwrap]\nLogFile = 1\n", "/etc/runcwrap/config.toml"));
}

// [handlers.NAME] tables (routing-spec.md): written by `runcwrap route`, one per routed CRI
// handler, with [options]' keys and rules.
TEST(SideConfig, HandlerTables) {
    auto r = parse(R"([options]
BinaryName = "runc"
[handlers.crun-fast]
BinaryName = "/usr/bin/crun"
SystemdCgroup = true
Root = "/run/crun"
NoPivotRoot = true
NoNewKeyring = true
CriuPath = "/usr/sbin/criu"
[handlers."gpu.nvidia"]
BinaryName = "/usr/bin/nvidia-container-runtime"
)");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->handlers.size(), 2u);
    const HandlerRecord* crun = r->handler("crun-fast");
    ASSERT_NE(crun, nullptr);
    EXPECT_EQ(crun->options.binary_name, "/usr/bin/crun");
    EXPECT_TRUE(crun->options.systemd_cgroup);
    EXPECT_EQ(crun->options.root, "/run/crun");
    EXPECT_TRUE(crun->options.no_pivot_root);
    EXPECT_TRUE(crun->options.no_new_keyring);
    const HandlerRecord* gpu = r->handler("gpu.nvidia");
    ASSERT_NE(gpu, nullptr);
    EXPECT_EQ(gpu->options.binary_name, "/usr/bin/nvidia-container-runtime");
    EXPECT_FALSE(gpu->options.systemd_cgroup);
    EXPECT_EQ(r->options.binary_name, "runc");
    EXPECT_EQ(r->handler("runc"), nullptr);

    // import-containerd-config's reader keeps them (it rewrites [options] and must keep them).
    auto settings = parse_side_config_settings(
        "[options]\n[handlers.crun-fast]\nBinaryName = \"/usr/bin/crun\"\n", kPath);
    ASSERT_TRUE(settings) << settings.error().message;
    ASSERT_EQ(settings->handlers.size(), 1u);
    EXPECT_EQ(settings->handlers[0].options.binary_name, "/usr/bin/crun");

    // A side file of handler tables alone is a side file.
    auto only = parse("[handlers.a]\nBinaryName = \"runc\"\n");
    ASSERT_TRUE(only) << only.error().message;
    EXPECT_FALSE(only->has_options);
}

TEST(SideConfig, HandlerTableErrorsNameTheTableAndTheFix) {
    EXPECT_EQ(error_of("[handlers.a]\nSystemdCgroup = true\n"),
              "side file /etc/runcwrap/config.toml:1: [handlers.a] has no BinaryName, so it does "
              "not say which runtime handler a runs; fix: runcwrap route --handler a (it records "
              "the handler's runtime), or add BinaryName = \"/path/to/runtime\" there");
    EXPECT_NE(error_of("[handlers.\"g.x\"]\nBinaryName = \"\"\n")
                  .find(":2: [handlers.\"g.x\"] BinaryName is empty"),
              std::string::npos);
    EXPECT_NE(error_of("[handlers.a]\nBinaryName = \"runc\"\nColour = 1\n")
                  .find(":3: unknown key [handlers.a] Colour"),
              std::string::npos);
    EXPECT_NE(error_of("[handlers.a]\nBinaryName = \"runc\"\nSystemdCgroup = \"yes\"\n")
                  .find("[handlers.a] SystemdCgroup must be true or false"),
              std::string::npos);
    EXPECT_NE(error_of("[handlers.a]\nBinaryName = \"runc\"\nRoot = \"run\"\n")
                  .find("[handlers.a] Root must be an absolute path"),
              std::string::npos);
    EXPECT_NE(error_of("[handlers.a]\nBinaryName = \"bin/crun\"\n")
                  .find("[handlers.a] BinaryName \"bin/crun\" must be an absolute path"),
              std::string::npos);
    EXPECT_NE(error_of("[handlers.\"a b\"]\nBinaryName = \"runc\"\n")
                  .find("\"a b\" is not a CRI handler name runcwrap routes"),
              std::string::npos);
    EXPECT_NE(error_of("[handlers]\na = 1\n").find("handlers.a must be a table"),
              std::string::npos);
    EXPECT_NE(error_of("handlers = \"x\"\n").find("handlers must be a table"), std::string::npos);
    EXPECT_NE(error_of("[handler.a]\nBinaryName = \"runc\"\n")
                  .find("unknown key handler (known tables: [options], [runcwrap], "
                        "[handlers.NAME])"),
              std::string::npos);
}

}  // namespace
}  // namespace runcwrap
