// route's text editor of containerd's config (containerd_config_edit.cpp): only BinaryName
// changes, every other byte stays; fixtures in tests/fixtures/containerd-configs/ (containerd
// 1.7.24's and 2.0.4's own `config default`, quoting, CRLF, no final newline, drop-ins), each
// with its exact expected text.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "cli/containerd_config_edit.hpp"
#include "samples.hpp"

namespace runcwrap {
namespace {

constexpr const char* kCri1 = "io.containerd.grpc.v1.cri";
constexpr const char* kCri2 = "io.containerd.cri.v1.runtime";

std::string fixture(const std::string& name) {
    const auto path = testing::fixtures_dir() / "containerd-configs" / name;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.good()) << path;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string entry(const std::string& name) {
    return "/usr/local/lib/runcwrap/handlers/" + name + "/runc";
}

BinaryNameEdit route_edit(const char* plugin, const std::string& name) {
    return {plugin, name, entry(name), false};
}

TEST(ContainerdConfigEdit, TableHeaders) {
    using Keys = std::vector<std::string>;
    EXPECT_EQ(parse_table_header("[a.b]"), (Keys{"a", "b"}));
    EXPECT_EQ(parse_table_header("  [ a . \"b.c\" . 'd e' ]  # x"), (Keys{"a", "b.c", "d e"}));
    EXPECT_EQ(parse_table_header("[\"q\\\"x\"]"), (Keys{"q\"x"}));
    EXPECT_FALSE(parse_table_header("[[a.b]]"));
    EXPECT_FALSE(parse_table_header("a = 1"));
    EXPECT_FALSE(parse_table_header("# [a]"));
    EXPECT_FALSE(parse_table_header("[a] b"));
    EXPECT_FALSE(parse_table_header("[a."));
}

TEST(ContainerdConfigEdit, Containerd17ConfigDefault) {
    const std::string before = fixture("containerd-1.7.24-handlers.toml");
    auto edited = edit_binary_names(
        before, "config.toml",
        {route_edit(kCri1, "runc"), route_edit(kCri1, "crun"), route_edit(kCri1, "plain")});
    ASSERT_TRUE(edited) << edited.error().message;
    EXPECT_EQ(edited->text, fixture("expected/containerd-1.7.24-handlers.routed.toml"));
    EXPECT_EQ(edited->options_table_added, (std::vector<bool>{false, false, true}));
}

TEST(ContainerdConfigEdit, Containerd20ConfigDefaultKeepsLiteralStrings) {
    const std::string before = fixture("containerd-2.0.4-handlers.toml");
    auto edited = edit_binary_names(before, "config.toml",
                                    {route_edit(kCri2, "runc"), route_edit(kCri2, "crun")});
    ASSERT_TRUE(edited) << edited.error().message;
    EXPECT_EQ(edited->text, fixture("expected/containerd-2.0.4-handlers.routed.toml"));
}

TEST(ContainerdConfigEdit, EveryHeaderSpelling) {
    auto edited = edit_binary_names(
        fixture("quoting.toml"), "q.toml",
        {route_edit(kCri1, "gpu.nvidia"), route_edit(kCri1, "runc"), route_edit(kCri1, "crun")});
    ASSERT_TRUE(edited) << edited.error().message;
    EXPECT_EQ(edited->text, fixture("expected/quoting.routed.toml"));
}

TEST(ContainerdConfigEdit, CrlfStaysCrlf) {
    auto edited = edit_binary_names(
        fixture("crlf.toml"), "crlf.toml",
        {route_edit(kCri1, "gpu.nvidia"), route_edit(kCri1, "runc"), route_edit(kCri1, "crun")});
    ASSERT_TRUE(edited) << edited.error().message;
    std::string want = fixture("expected/quoting.routed.toml");
    std::string crlf;
    for (char c : want) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    EXPECT_EQ(edited->text, crlf);
}

TEST(ContainerdConfigEdit, NoFinalNewline) {
    auto edited = edit_binary_names(fixture("no-trailing-newline.toml"), "n.toml",
                                    {route_edit(kCri1, "crun"), route_edit(kCri1, "runc")});
    ASSERT_TRUE(edited) << edited.error().message;
    EXPECT_EQ(edited->text,
              "version = 2\n"
              "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.crun]\n"
              "  runtime_type = \"io.containerd.runc.v2\"\n"
              "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.crun.options]\n"
              "    BinaryName = \"/usr/local/lib/runcwrap/handlers/crun/runc\"\n"
              "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
              "  runtime_type = \"io.containerd.runc.v2\"\n"
              "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
              "BinaryName = \"/usr/local/lib/runcwrap/handlers/runc/runc\"");
    EXPECT_EQ(edited->options_table_added, (std::vector<bool>{true, false}));
}

TEST(ContainerdConfigEdit, DropInFile) {
    auto edited = edit_binary_names(fixture("dropin.d/50-crun.toml"), "50-crun.toml",
                                    {route_edit(kCri2, "crun")});
    ASSERT_TRUE(edited) << edited.error().message;
    EXPECT_EQ(edited->text,
              "# drop-in: crun, as a package would add it\n"
              "version = 3\n\n"
              "[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.crun]\n"
              "  runtime_type = \"io.containerd.runc.v2\"\n"
              "  [plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.crun.options]\n"
              "    BinaryName = \"/usr/local/lib/runcwrap/handlers/crun/runc\"\n"
              "    SystemdCgroup = true\n");
}

TEST(ContainerdConfigEdit, UndoPutsBackTheValueOrTakesAwayWhatWasAdded) {
    const std::string before = fixture("containerd-1.7.24-handlers.toml");
    const std::string routed = fixture("expected/containerd-1.7.24-handlers.routed.toml");
    auto undone = edit_binary_names(routed, "config.toml",
                                    {{kCri1, "runc", "/usr/sbin/runc", false},
                                     {kCri1, "crun", "/usr/bin/crun", false},
                                     {kCri1, "plain", std::nullopt, true}});
    ASSERT_TRUE(undone) << undone.error().message;
    EXPECT_EQ(undone->text, before);
    // An inserted key goes, and its table with it only when asked and nothing else is left.
    const std::string table =
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.r]\n"
        "runtime_type = \"io.containerd.runc.v2\"\n";
    const std::string options =
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.r.options]\n";
    auto kept = edit_binary_names(table + options + "BinaryName = \"/x\"\nRoot = \"/r\"\n", "t",
                                  {{kCri1, "r", std::nullopt, true}});
    ASSERT_TRUE(kept) << kept.error().message;
    EXPECT_EQ(kept->text, table + options + "Root = \"/r\"\n");
    auto dropped = edit_binary_names(table + options + "BinaryName = \"/x\"\n", "t",
                                     {{kCri1, "r", std::nullopt, true}});
    ASSERT_TRUE(dropped) << dropped.error().message;
    EXPECT_EQ(dropped->text, table);
}

TEST(ContainerdConfigEdit, InsertsIntoAnOptionsTableWithoutBinaryName) {
    const std::string text =
        "version = 2\n"
        "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
        "    runtime_type = \"io.containerd.runc.v2\"\n"
        "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
        "      SystemdCgroup = true  # cgroup v2\n";
    auto edited = edit_binary_names(text, "t", {{kCri1, "runc", "/e/\"q\"", false}});
    ASSERT_TRUE(edited) << edited.error().message;
    EXPECT_EQ(edited->text,
              "version = 2\n"
              "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]\n"
              "    runtime_type = \"io.containerd.runc.v2\"\n"
              "    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
              "      BinaryName = \"/e/\\\"q\\\"\"\n"
              "      SystemdCgroup = true  # cgroup v2\n");
}

TEST(ContainerdConfigEdit, RefusesInlineTablesAndDottedKeysNamingTheLine) {
    auto inline_table =
        edit_binary_names(fixture("inline.toml"), "inline.toml", {route_edit(kCri1, "runc")});
    ASSERT_FALSE(inline_table);
    EXPECT_EQ(inline_table.error().message.rfind("inline.toml:3: ", 0), 0u)
        << inline_table.error().message;
    EXPECT_NE(inline_table.error().message.find("inline table or with dotted keys"),
              std::string::npos);
    auto dotted =
        edit_binary_names(fixture("dotted.toml"), "dotted.toml", {route_edit(kCri1, "runc")});
    ASSERT_FALSE(dotted);
    EXPECT_EQ(dotted.error().message.rfind("dotted.toml:4: ", 0), 0u) << dotted.error().message;
    EXPECT_NE(dotted.error().message.find(
                  "fix: write it as a [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes."
                  "runc.options] table"),
              std::string::npos);
}

TEST(ContainerdConfigEdit, RefusesWhatItCannotEditSafely) {
    const std::string header =
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n";
    auto multiline = edit_binary_names(header + "BinaryName = \"\"\"/x\"\"\"\n", "m.toml",
                                       {route_edit(kCri1, "runc")});
    ASSERT_FALSE(multiline);
    EXPECT_EQ(multiline.error().message.rfind("m.toml:2: ", 0), 0u) << multiline.error().message;
    auto invalid = edit_binary_names("[a\n", "bad.toml", {route_edit(kCri1, "runc")});
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.error().message.rfind("bad.toml:", 0), 0u) << invalid.error().message;
    // The handler is not in this file at all.
    auto missing = edit_binary_names("version = 2\n", "e.toml", {route_edit(kCri1, "runc")});
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("runtime handler \"runc\""), std::string::npos)
        << missing.error().message;
}

// A table header hidden in a multi-line string looks like the handler's to a line scanner:
// the toml++ check catches the wrong edit and nothing is written.
TEST(ContainerdConfigEdit, VerifiesTheParsedTree) {
    const std::string text =
        "note = '''\n"
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
        "BinaryName = \"/in/a/string\"\n"
        "'''\n"
        "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
        "BinaryName = \"/usr/sbin/runc\"\n";
    auto edited = edit_binary_names(text, "s.toml", {route_edit(kCri1, "runc")});
    ASSERT_FALSE(edited);
    EXPECT_NE(edited.error().message.find("would change more than the routed handlers' "
                                          "BinaryName (nothing was written)"),
              std::string::npos)
        << edited.error().message;
}

TEST(ContainerdConfigEdit, BinaryNameInFile) {
    const std::string text = fixture("containerd-1.7.24-handlers.toml");
    EXPECT_EQ(*binary_name_in_file(text, "c", kCri1, "runc"),
              std::optional<std::string>("/usr/sbin/runc"));
    EXPECT_EQ(*binary_name_in_file(text, "c", kCri1, "plain"), std::nullopt);
    EXPECT_EQ(*binary_name_in_file(text, "c", kCri1, "nope"), std::nullopt);
    EXPECT_FALSE(binary_name_in_file("[x", "c", kCri1, "runc"));
}

}  // namespace
}  // namespace runcwrap
