// The hot path's strict reader of the side file (side_config_strict.cpp): it reads every side
// file runcwrap, install.sh and the README write, agrees with toml++ on each, and defers to
// toml++ on everything else (fuzz/side_config_strict checks the agreement on any input).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "cli/containerd_config.hpp"
#include "wrapper/side_config.hpp"
#include "wrapper/side_config_strict.hpp"

namespace runcwrap {
namespace {

constexpr const char* kPath = "/etc/runcwrap/config.toml";

void expect_same(const SideConfig& a, const SideConfig& b) {
    EXPECT_EQ(a.path, b.path);
    EXPECT_EQ(a.has_options, b.has_options);
    EXPECT_EQ(a.options.binary_name, b.options.binary_name);
    EXPECT_EQ(a.options.root, b.options.root);
    EXPECT_EQ(a.options.systemd_cgroup, b.options.systemd_cgroup);
    EXPECT_EQ(a.options.no_pivot_root, b.options.no_pivot_root);
    EXPECT_EQ(a.options.no_new_keyring, b.options.no_new_keyring);
    EXPECT_EQ(a.chown_stdio, b.chown_stdio);
    EXPECT_EQ(a.log_file, b.log_file);
    ASSERT_EQ(a.handlers.size(), b.handlers.size());
    for (std::size_t i = 0; i < a.handlers.size(); ++i) {
        EXPECT_EQ(a.handlers[i].name, b.handlers[i].name);
        EXPECT_EQ(a.handlers[i].options.binary_name, b.handlers[i].options.binary_name);
        EXPECT_EQ(a.handlers[i].options.root, b.handlers[i].options.root);
        EXPECT_EQ(a.handlers[i].options.systemd_cgroup, b.handlers[i].options.systemd_cgroup);
        EXPECT_EQ(a.handlers[i].options.no_pivot_root, b.handlers[i].options.no_pivot_root);
        EXPECT_EQ(a.handlers[i].options.no_new_keyring, b.handlers[i].options.no_new_keyring);
    }
}

// Read by the strict reader, and the same as toml++ reads it.
SideConfig read_strictly(std::string_view text) {
    auto strict = parse_side_config_strict(text, kPath);
    auto reference = parse_side_config(text, kPath);
    EXPECT_TRUE(reference) << reference.error().message;
    EXPECT_TRUE(strict) << "the strict reader deferred on:\n" << text;
    if (!strict || !reference) return {};
    expect_same(*strict, *reference);
    return *strict;
}

TEST(SideConfigStrict, ReadsTheReadmeExample) {
    SideConfig c = read_strictly(
        R"([options]                 # containerd's runc options, names verbatim: paste containerd's table
BinaryName = "/usr/sbin/runc"   # absolute path, or a bare name looked up in PATH (runcwrap skipped)
SystemdCgroup = true
Root = "/run/containerd/runc"   # optional
NoPivotRoot = false             # optional
NoNewKeyring = false            # optional
# CriuPath, IoUid, IoGid, ShimCgroup, ... are accepted and ignored. Unknown keys are errors.

[runcwrap]                # runcwrap's own settings
ChownStdio = true         # default true
LogFile = "/var/log/runcwrap.log"   # decision log; off when unset
)");
    EXPECT_TRUE(c.has_options);
    EXPECT_EQ(c.options.binary_name, "/usr/sbin/runc");
    EXPECT_TRUE(c.options.systemd_cgroup);
    EXPECT_EQ(c.options.root, "/run/containerd/runc");
    EXPECT_EQ(c.log_file, "/var/log/runcwrap.log");
}

TEST(SideConfigStrict, ReadsWhatInstallAndImportWrite) {
    // install.sh --binary-name (printf, no final newline) and containerd's defaults.
    read_strictly(
        "# Written by install.sh\n[options]\nBinaryName = \"/usr/sbin/runc\"\nSystemdCgroup = "
        "true");
    read_strictly(
        "# Written by install.sh: there was no /etc/containerd/config.toml, so ...\n"
        "# runc from PATH (containerd runs `runc`: runcwrap, ...\n[options]\n"
        "BinaryName = \"runc\"\nSystemdCgroup = false\n");
    // import-containerd-config, every shape render_side_file has.
    for (const char* name : {"", "runc", "/usr/bin/crun"}) {
        RuntimeHandler h;
        h.name = "runc";
        h.options.binary_name = name;
        h.options.systemd_cgroup = true;
        h.options.root = "/run/containerd/runc-k8s";
        h.options.no_pivot_root = true;
        h.options.no_new_keyring = true;
        SideConfig keep;
        keep.chown_stdio = false;
        keep.log_file = "/var/log/runcwrap.log";
        for (const auto& kept : {std::optional<SideConfig>(), std::optional<SideConfig>(keep)}) {
            const std::string text = render_side_file(h, "/etc/containerd/config.toml", kept);
            SCOPED_TRACE(text);
            SideConfig c = read_strictly(text);
            EXPECT_EQ(c.options.binary_name, *name ? name : "runc");
        }
    }
}

TEST(SideConfigStrict, ReadsTheSubsetExactly) {
    SideConfig c = read_strictly(
        "\t[ options ]\t# blanks in the header\r\n"
        "BinaryName='/opt/my runc/runc'\r\n"
        "Root = \"\"\n"
        "IoUid = 0\nIoGid = 1000\nTaskAPIVersion = 2\nShimCgroup = ''\nCriuPath = "
        "\"/usr/sbin/criu\"\n"
        "NoNewKeyring=true\n"
        "[runcwrap]\nLogFile = ''\nChownStdio = false   \n\n   \n# end");
    EXPECT_EQ(c.options.binary_name, "/opt/my runc/runc");
    EXPECT_TRUE(c.options.root.empty());
    EXPECT_TRUE(c.options.no_new_keyring);
    EXPECT_FALSE(c.chown_stdio);
    SideConfig own = read_strictly("[runcwrap]\nChownStdio = false\n");
    EXPECT_FALSE(own.has_options);
}

// What `runcwrap route` writes (routing-spec.md), and the same tables in every spelling TOML
// gives a header the strict reader reads.
TEST(SideConfigStrict, ReadsHandlerTables) {
    SideConfig c = read_strictly(
        "[options]\nBinaryName = \"runc\"\n[runcwrap]\nChownStdio = true\n"
        "# Written by `runcwrap route`\n"
        "[handlers.crun-fast]\nBinaryName = \"/usr/bin/crun\"\nSystemdCgroup = true\n"
        "Root = \"/run/crun\"\n"
        "[handlers.\"gpu.nvidia\"]\nBinaryName = \"/usr/bin/nvidia-container-runtime\"\n"
        "[ handlers . 'A_1' ]  # blanks around the dot\nBinaryName = 'runc'\nNoPivotRoot = true\n"
        "NoNewKeyring = true\nIoUid = 0\n");
    ASSERT_EQ(c.handlers.size(), 3u);
    // Sorted by name, as toml++ iterates its tables.
    EXPECT_EQ(c.handlers[0].name, "A_1");
    EXPECT_EQ(c.handlers[0].options.binary_name, "runc");
    EXPECT_TRUE(c.handlers[0].options.no_pivot_root);
    EXPECT_EQ(c.handlers[1].name, "crun-fast");
    EXPECT_EQ(c.handlers[1].options.root, "/run/crun");
    EXPECT_TRUE(c.handlers[1].options.systemd_cgroup);
    EXPECT_EQ(c.handlers[2].name, "gpu.nvidia");
    ASSERT_NE(c.handler("gpu.nvidia"), nullptr);
    EXPECT_EQ(c.handler("gpu.nvidia")->options.binary_name, "/usr/bin/nvidia-container-runtime");
    EXPECT_EQ(c.handler("gpu"), nullptr);
    EXPECT_EQ(c.options.binary_name, "runc");  // [options] untouched by the handler tables

    // Only handler tables: a side file written by route alone.
    SideConfig only = read_strictly("[handlers.runc]\nBinaryName = \"/usr/sbin/runc\"\n");
    EXPECT_FALSE(only.has_options);
    ASSERT_EQ(only.handlers.size(), 1u);
}

// Anything outside the subset, and anything toml++ refuses, is not read: toml++ answers.
TEST(SideConfigStrict, DefersOnEverythingElse) {
    for (std::string_view text : std::initializer_list<std::string_view>{
             // refused by toml++ or by the rules: the message is toml++'s
             "", "# only a comment\n", "[options]\n", "[options]\nSystemdCgroup = true\n",
             "[options]\nBinaryName = \"\"\n", "[options]\nBinaryName = \"bin/runc\"\n",
             "[options]\nBinaryName = \"runc\"\nBinaryName = \"crun\"\n",
             "[options]\nBinaryName = \"runc\"\n[options]\n",
             "[options]\nBinaryName = \"runc\"\nSystemdCgroup = 1\n",
             "[options]\nBinaryName = \"runc\"\nSystemdCgroups = true\n",
             "[options]\nBinaryName = \"runc\"\nRoot = \"r\"\n",
             "[runcwrap]\nLogFile = \"x.log\"\n", "[option]\nBinaryName = \"runc\"\n",
             "BinaryName = \"runc\"\n", "[options]\nBinaryName = \"/usr/sbin/ru",
             "[options]\nBinaryName = \"runc\"\nSystemdCgroup = tru\n",
             "[options]\nBinaryName = \"runc\"\nIoUid = 01\n",
             "[options]\nBinaryName = \"runc\"\nIoUid = -1\n",
             "[options]\nBinaryName = \"runc\"\nIoUid = 99999999999999999999\n",
             // valid TOML outside the subset
             "[options]\nBinaryName = \"/usr/sbin/r\\u0075nc\"\n",
             "[options]\nBinaryName = \"\"\"runc\"\"\"\n", "[options]\nBinaryName = '''runc'''\n",
             "[options]\n\"BinaryName\" = \"runc\"\n", "options.BinaryName = \"runc\"\n",
             "options = { BinaryName = \"runc\" }\n", "[[options]]\nBinaryName = \"runc\"\n",
             "[options]\nBinaryName = \"runc\"\nIoUid = 1_000\n",
             "[options]\nBinaryName = \"runc\"\nIoUid = +1\n",
             "[options]\nBinaryName = \"/opt/\xc3\xa9/runc\"\n",
             "[options]\nBinaryName = \"runc\"\r", "[options]\nBinaryName = \"runc\"#x\n",
             "[options]#x\nBinaryName = \"runc\"\n", "[options]\nBinaryName = \"runc\" # \x01\n",
             std::string_view("[options]\nBinaryName = \"runc\"\n\0", 31),
             // [handlers.NAME]: refused by toml++ or by the rules
             "[handlers.a]\n", "[handlers.a]\nSystemdCgroup = true\n",
             "[handlers.a]\nBinaryName = \"\"\n", "[handlers.a]\nBinaryName = \"x/runc\"\n",
             "[handlers.a]\nBinaryName = \"runc\"\n[handlers.a]\nBinaryName = \"runc\"\n",
             "[handlers.a]\nBinaryName = \"runc\"\n[handlers.\"a\"]\nBinaryName = \"runc\"\n",
             "[handlers.a]\nBinaryName = \"runc\"\nColour = \"red\"\n",
             "[handlers.a]\nBinaryName = \"runc\"\nBinaryName = \"crun\"\n",
             "[handlers.a]\nBinaryName = \"runc\"\nRoot = \"rel\"\n",
             "[handlers._a]\nBinaryName = \"runc\"\n",
             "[handlers.\"a b\"]\nBinaryName = \"runc\"\n",
             "[handlers.\"\"]\nBinaryName = \"runc\"\n",
             "[handlers.\".x\"]\nBinaryName = \"runc\"\n",
             "[handlers.\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]"
             "\nBinaryName = "
             "\"runc\"\n",
             "handlers = 1\n", "[handler.a]\nBinaryName = \"runc\"\n",
             // valid TOML outside the subset (or a table the reader does not read)
             "[handlers]\n[handlers.a]\nBinaryName = \"runc\"\n",
             "[handlers.a.b]\nBinaryName = \"runc\"\n",
             "[handlers.\"a\\u0062\"]\nBinaryName = \"runc\"\n",
             "[handlers.a]\nBinaryName = \"runc\"\nx.y = 1\n", "handlers.a.BinaryName = \"runc\"\n",
             "[handlers]\na = { BinaryName = \"runc\" }\n",
             "[[handlers.a]]\nBinaryName = \"runc\"\n",
             "[handlers.a]\nBinaryName = \"runc\"\n[handlers.a.sub]\n"}) {
        SCOPED_TRACE(std::string(text));
        auto strict = parse_side_config_strict(text, kPath);
        EXPECT_FALSE(strict) << "read what it should have left to toml++";
        // The hot path's answer is toml++'s, error message included.
        auto fast = parse_side_config_fast(text, kPath);
        auto reference = parse_side_config(text, kPath);
        ASSERT_EQ(fast.ok(), reference.ok());
        if (fast)
            expect_same(*fast, *reference);
        else
            EXPECT_EQ(fast.error().message, reference.error().message);
    }
}

}  // namespace
}  // namespace runcwrap
