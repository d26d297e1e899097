// Install and `runcwrap route` share the side file: route's [handlers.NAME] tables are not
// install's (its checksum and "edited since install" ignore them) and survive install's
// rewrites. The side files here are made by route's own writer (side_file_with_tables), so a
// change in how route writes them shows up here.
#include <gtest/gtest.h>

#include "cli/install/side_file.hpp"
#include "cli/route.hpp"
#include "cli/sha256.hpp"

namespace runcwrap::install {
namespace {

RuntimeOptions options_named(std::string binary_name) {
    RuntimeOptions o;
    o.binary_name = std::move(binary_name);
    return o;
}

// What install writes from --binary-name, as bytes on disk.
std::string installed(std::string_view binary_name) {
    return side_file_bytes(side_text_for_binary_name(binary_name, false));
}

// That file after `runcwrap route` added tables for these (name, runtime) pairs.
std::string routed(const std::string& side,
                   const std::vector<std::pair<std::string, std::string>>& handlers) {
    std::vector<std::pair<std::string, std::string>> tables;
    for (const auto& [name, runtime] : handlers)
        tables.emplace_back(name, render_handler_table(name, options_named(runtime)));
    return side_file_with_tables(side, tables);
}

TEST(InstallRouteTables, NamesInFileOrder) {
    const std::string side =
        routed(installed("/usr/sbin/runc"), {{"crun-fast", "/usr/bin/crun"}, {"gpu.nvidia", "x"}});
    EXPECT_EQ(route_table_names(side), (std::vector<std::string>{"crun-fast", "gpu.nvidia"}));
    EXPECT_TRUE(route_table_names(installed("/usr/sbin/runc")).empty());
    // [options] and [runcwrap] are install's; a deeper table is not a handler's table.
    EXPECT_TRUE(route_table_names("[options]\n[runcwrap]\n[handlers.a.b]\n").empty());
}

TEST(InstallRouteTables, OwnedPartIsTheFileWithoutRoutesTables) {
    const std::string side = installed("/usr/sbin/runc");
    EXPECT_EQ(side_file_part_install_owns(side), side);
    const std::string one = routed(side, {{"crun-fast", "/usr/bin/crun"}});
    ASSERT_NE(one, side);
    EXPECT_EQ(side_file_part_install_owns(one), side);
    const std::string two = routed(one, {{"gpu.nvidia", "/usr/bin/nvidia-container-runtime"}});
    EXPECT_EQ(side_file_part_install_owns(two), side);
    EXPECT_EQ(side_file_checksum(two), sha256_hex(side));
}

TEST(InstallRouteTables, AnEditOfInstallsPartStillCounts) {
    const std::string side = installed("/usr/sbin/runc");
    std::string edited = routed(side, {{"crun-fast", "/usr/bin/crun"}});
    edited.replace(edited.find("SystemdCgroup = false"), 21, "SystemdCgroup = true");
    EXPECT_NE(side_file_checksum(edited), side_file_checksum(side));
    // A line an operator added after route's tables belongs to them only while it is a key of
    // theirs; a new table is install's part.
    const std::string appended = routed(side, {{"a", "/x"}}) + "[runcwrap]\nChownStdio = false\n";
    EXPECT_EQ(side_file_part_install_owns(appended), side + "[runcwrap]\nChownStdio = false\n");
}

TEST(InstallRouteTables, CarryOverPutsOldTablesIntoTheNewText) {
    const std::string old_side =
        routed(installed("/usr/sbin/runc"),
               {{"crun-fast", "/usr/bin/crun"}, {"gpu.nvidia", "/usr/bin/nvidia"}});
    const std::string new_side = installed("/usr/bin/runc");
    const std::string carried = carry_over_route_tables(old_side, new_side);
    // As route would have written them onto the new file, in the old order.
    EXPECT_EQ(carried, routed(new_side,
                              {{"crun-fast", "/usr/bin/crun"}, {"gpu.nvidia", "/usr/bin/nvidia"}}));
    EXPECT_EQ(side_file_part_install_owns(carried), new_side);
    EXPECT_EQ(handler_table_in(carried, "gpu.nvidia"), handler_table_in(old_side, "gpu.nvidia"));
    // Idempotent: carrying the result over again changes nothing.
    EXPECT_EQ(carry_over_route_tables(carried, carried), carried);
    EXPECT_EQ(carry_over_route_tables(carried, new_side), carried);
}

TEST(InstallRouteTables, CarryOverWithoutTablesIsTheNewText) {
    EXPECT_EQ(carry_over_route_tables("", installed("/usr/sbin/runc")),
              installed("/usr/sbin/runc"));
    EXPECT_EQ(carry_over_route_tables(installed("/a"), installed("/b")), installed("/b"));
}

TEST(InstallRouteTables, CarryOverKeepsAHandEditedTableAsItIs) {
    // A table without a final newline, with a comment among its keys.
    const std::string old_side = installed("/usr/sbin/runc") +
                                 "\n[handlers.x]\n# the vendor's runtime\nBinaryName = \"/opt/x\"";
    const std::string carried = carry_over_route_tables(old_side, installed("/usr/sbin/runc"));
    EXPECT_NE(carried.find("[handlers.x]\n# the vendor's runtime\nBinaryName = \"/opt/x\"\n"),
              std::string::npos);
    EXPECT_EQ(route_table_names(carried), std::vector<std::string>{"x"});
}

TEST(InstallRouteTables, TheInstallDecisionIgnoresRoutesTables) {
    // The file on disk: install's bytes plus route's tables; the manifest: install's checksum.
    const std::string side = installed("/usr/sbin/runc");
    const std::string on_disk = routed(side, {{"crun-fast", "/usr/bin/crun"}});
    SideFileState state;
    state.regular = state.present = true;
    state.manifest_sha = side_file_checksum(side);
    state.current_sha = side_file_checksum(on_disk);
    state.wanted_sha = side_file_checksum(carry_over_route_tables(on_disk, side));
    EXPECT_EQ(decide_side_file_action(state), SideFileAction::up_to_date);
    state.wanted_sha =
        side_file_checksum(carry_over_route_tables(on_disk, installed("/usr/bin/runc")));
    EXPECT_EQ(decide_side_file_action(state), SideFileAction::update_ours);
}

}  // namespace
}  // namespace runcwrap::install
