// The pure decisions of runcwrap install: the runc slot, the side file's text and what to do
// with the file there, containerd's PATH, dpkg-query's answer, SHA-256.
#include <gtest/gtest.h>

#include <set>

#include "cli/install/containerd_path.hpp"
#include "cli/install/dpkg_divert.hpp"
#include "cli/install/runc_slot.hpp"
#include "cli/install/side_file.hpp"
#include "cli/sha256.hpp"

namespace runcwrap::install {
namespace {

TEST(InstallRuncSlot, Classify) {
    RuncSlotFacts absent;
    EXPECT_EQ(classify_runc_slot(absent, false), RuncSlot::absent);
    RuncSlotFacts link{true, true, true, "runcwrap", false, false};
    EXPECT_EQ(classify_runc_slot(link, true), RuncSlot::ours);
    EXPECT_EQ(classify_runc_slot(link, false), RuncSlot::runcwrap);
    RuncSlotFacts dangling{true, false, true, "runcwrap", false, false};
    EXPECT_EQ(classify_runc_slot(dangling, false), RuncSlot::runcwrap);
    RuncSlotFacts dangling_other{true, false, true, "/nowhere", false, false};
    EXPECT_EQ(classify_runc_slot(dangling_other, true), RuncSlot::foreign);
    RuncSlotFacts copy{true, true, false, "", false, true};
    EXPECT_EQ(classify_runc_slot(copy, false), RuncSlot::runcwrap);
    RuncSlotFacts hardlink{true, true, false, "", true, false};
    EXPECT_EQ(classify_runc_slot(hardlink, true), RuncSlot::runcwrap);
    RuncSlotFacts real_runc{true, true, false, "", false, false};
    EXPECT_EQ(classify_runc_slot(real_runc, true), RuncSlot::foreign);
}

TEST(InstallSideFile, Texts) {
    EXPECT_EQ(side_text_for_binary_name("/usr/sbin/runc", true),
              "# Written by install.sh\n[options]\nBinaryName = \"/usr/sbin/runc\"\n"
              "SystemdCgroup = true");
    EXPECT_NE(side_text_for_containerd_defaults("/p/etc/containerd/config.toml")
                  .find("there was no /p/etc/containerd/config.toml"),
              std::string::npos);
    EXPECT_EQ(side_file_bytes("a"), "a\n");
    const std::string imported =
        "# from /stage/etc/containerd/config.toml\n[options]\nRoot = \"/stage/x\"\n"
        "# other runtime handler \"crun\": BinaryName = \"/usr/bin/crun\"\n\n";
    EXPECT_EQ(side_text_from_import(imported, "/stage"),
              "# Written by install.sh from runcwrap import-containerd-config.\n"
              "# from /etc/containerd/config.toml\n[options]\nRoot = \"/stage/x\"\n"
              "# other runtime handler \"crun\": BinaryName = \"/usr/bin/crun\"");
    EXPECT_EQ(
        other_handler_notes(imported),
        std::vector<std::string>{"other runtime handler \"crun\": BinaryName = \"/usr/bin/crun\""});
}

TEST(InstallSideFile, RouteTablesAreTheOneSeam) {
    // Today install owns the whole file; `runcwrap route` changes these two, nothing else.
    EXPECT_EQ(side_file_part_install_owns("[options]\n"), "[options]\n");
    EXPECT_EQ(carry_over_route_tables("old\n", "new\n"), "new\n");
    EXPECT_EQ(side_file_checksum("abc"), sha256_hex("abc"));
}

TEST(InstallSideFile, Actions) {
    auto act = [](bool regular, bool present, std::string cur, std::string want, std::string man,
                  bool replace) {
        return decide_side_file_action({regular, present, cur, want, man, replace});
    };
    EXPECT_EQ(act(false, false, "", "w", "", false), SideFileAction::write_new);
    EXPECT_EQ(act(true, true, "w", "w", "w", false), SideFileAction::up_to_date);
    EXPECT_EQ(act(true, true, "o", "w", "o", false), SideFileAction::update_ours);
    EXPECT_EQ(act(true, true, "e", "w", "o", false), SideFileAction::keep_edited);
    EXPECT_EQ(act(true, true, "w", "w", "", false), SideFileAction::keep_foreign);
    EXPECT_EQ(act(true, true, "e", "w", "o", true), SideFileAction::replace_edited);
    EXPECT_EQ(act(true, true, "e", "w", "", true), SideFileAction::replace_with_backup);
    EXPECT_EQ(act(false, true, "", "w", "", false), SideFileAction::refuse_not_regular);
    EXPECT_EQ(act(false, true, "", "w", "", true), SideFileAction::replace_not_regular);
}

TEST(InstallContainerdPath, Folders) {
    EXPECT_EQ(search_path_folders("/a::/b:"), (std::vector<std::string>{"/a", "", "/b"}));
    EXPECT_EQ(search_path_folders(":/a"), (std::vector<std::string>{"", "/a"}));
    EXPECT_TRUE(search_path_folders("").empty());
}

TEST(InstallContainerdPath, Judge) {
    const std::set<std::string> with_runc{"/usr/sbin", "/usr/bin"};
    auto has_runc = [&](const std::string& d) { return with_runc.count(d) > 0; };
    auto ours = judge_search_path("/usr/local/bin/:/usr/sbin", "/usr/local/bin", has_runc);
    EXPECT_EQ(ours.finding, SearchPathFinding::finds_ours);
    auto shadowed = judge_search_path("/opt:/usr/sbin:/usr/local/bin", "/usr/local/bin", has_runc);
    EXPECT_EQ(shadowed.finding, SearchPathFinding::shadowed);
    EXPECT_EQ(shadowed.first, "/usr/sbin");
    EXPECT_EQ(judge_search_path("/opt", "/usr/local/bin", has_runc).finding,
              SearchPathFinding::not_found);
}

TEST(InstallContainerdPath, EnvironBlock) {
    using namespace std::string_literals;
    const std::string block = "HOME=/root\0PATH=/a:/b\0PATHX=no\0PATH=/second\0"s;
    EXPECT_EQ(environ_value(block, "PATH"), "/a:/b");
    EXPECT_EQ(environ_value(block, "PATHX"), "no");
    EXPECT_FALSE(environ_value(block, "RUNCWRAP_CONFIG"));
}

TEST(InstallDpkg, OwnerFromQuery) {
    EXPECT_EQ(owner_from_dpkg_query("runc: /usr/sbin/runc\n"), "runc");
    EXPECT_EQ(owner_from_dpkg_query("diversion by runcwrap from: /usr/sbin/runc\n"
                                    "diversion by runcwrap to: /usr/sbin/runc.runcwrap-backup\n"
                                    "runc: /usr/sbin/runc\n"),
              "runc");
    EXPECT_EQ(owner_from_dpkg_query(""), "");
    EXPECT_EQ(owner_from_dpkg_query("no owner line"), "");
}

// The known answers of sha256_hex are in line_diff_test.cpp; install hashes files in pieces.
TEST(InstallSha256, PiecesGiveTheWholeDigest) {
    Sha256 pieces;
    const std::string million(1000000, 'a');
    for (std::size_t i = 0; i < million.size(); i += 4093)
        pieces.update(std::string_view(million).substr(i, 4093));
    EXPECT_EQ(pieces.hex_digest(),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

}  // namespace
}  // namespace runcwrap::install

#include "cli/install/node_install.hpp"

namespace runcwrap::install {
namespace {

TEST(NodeInstall, ContainerdHasFix) {
    for (const char* fixed : {"v2.0.5", "2.0.5", "v2.0.10", "v2.1.0", "2.1.0-rc.1", "v3.0.0"})
        EXPECT_TRUE(containerd_has_fix(fixed)) << fixed;
    for (const char* old : {"v2.0.4", "1.7.24", "v1.6.20~ds1", "2.0.0", "", "unknown", "v2"})
        EXPECT_FALSE(containerd_has_fix(old)) << old;
}

TEST(NodeInstall, ContainerdConfigFromCmdline) {
    using namespace std::string_literals;
    EXPECT_EQ(containerd_config_of("containerd\0"s), "/etc/containerd/config.toml");
    EXPECT_EQ(containerd_config_of("containerd\0--config\0/opt/c.toml\0"s), "/opt/c.toml");
    EXPECT_EQ(containerd_config_of("containerd\0-c\0/opt/d.toml\0"s), "/opt/d.toml");
    EXPECT_EQ(containerd_config_of("containerd\0--config=/opt/e.toml\0"s), "/opt/e.toml");
}

TEST(NodeInstall, ContainerdVersionLine) {
    EXPECT_EQ(containerd_version_of("containerd github.com/containerd/containerd v1.7.24 "
                                    "88bf19b2105c8b17560993bee28a01ddc2f97182\n"),
              "v1.7.24");
    EXPECT_EQ(containerd_version_of("containerd containerd.io 1.6.20~ds1\n"), "1.6.20~ds1");
    EXPECT_EQ(containerd_version_of(""), "");
}

}  // namespace
}  // namespace runcwrap::install
