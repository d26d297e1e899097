// route's pure parts (route.cpp): which handlers qualify, entry paths, and the side file's
// [handlers.NAME] tables added and removed with every other byte kept.
#include <gtest/gtest.h>

#include <string>

#include "cli/route.hpp"

namespace runcwrap {
namespace {

TEST(Route, RuncShimAndHandlerNames) {
    EXPECT_TRUE(is_runc_shim("io.containerd.runc.v2"));
    EXPECT_TRUE(is_runc_shim("io.containerd.runc.v1"));
    EXPECT_TRUE(is_runc_shim(""));
    EXPECT_FALSE(is_runc_shim("io.containerd.kata.v2"));
    EXPECT_FALSE(is_runc_shim("io.containerd.runsc.v1"));
    EXPECT_TRUE(valid_handler_name("gpu.nvidia"));
    EXPECT_TRUE(valid_handler_name("a"));
    EXPECT_TRUE(valid_handler_name(std::string(63, 'x')));
    EXPECT_FALSE(valid_handler_name(std::string(64, 'x')));
    EXPECT_FALSE(valid_handler_name(".hidden"));
    EXPECT_FALSE(valid_handler_name("a/b"));
    EXPECT_FALSE(valid_handler_name(""));
}

TEST(Route, EntryPaths) {
    EXPECT_EQ(entry_path("/usr/local/lib/runcwrap/handlers", "crun"),
              "/usr/local/lib/runcwrap/handlers/crun/runc");
    EXPECT_EQ(entry_path("/usr/lib/runcwrap/handlers/", "gpu.nvidia"),
              "/usr/lib/runcwrap/handlers/gpu.nvidia/runc");
    EXPECT_TRUE(is_entry_path("/usr/local/lib/runcwrap/handlers/crun/runc"));
    EXPECT_TRUE(is_entry_path("/tmp/t/runcwrap/handlers/gpu.nvidia/runc"));
    EXPECT_FALSE(is_entry_path("runcwrap/handlers/crun/runc"));
    EXPECT_FALSE(is_entry_path("/usr/local/lib/runcwrap/handlers/crun/crun"));
    EXPECT_FALSE(is_entry_path("/usr/local/lib/runcwrap/handlers/runc"));
    EXPECT_FALSE(is_entry_path("/usr/local/lib/other/handlers/crun/runc"));
    EXPECT_FALSE(is_entry_path("/usr/sbin/runc"));
}

TEST(Route, HandlerTables) {
    RuntimeOptions crun;
    crun.binary_name = "/usr/bin/crun";
    crun.systemd_cgroup = true;
    crun.root = "/run/crun";
    EXPECT_EQ(render_handler_table("crun-fast", crun),
              "[handlers.crun-fast]\nBinaryName = \"/usr/bin/crun\"\nSystemdCgroup = true\n"
              "Root = \"/run/crun\"\n");
    RuntimeOptions nvidia;
    nvidia.binary_name = "/usr/bin/nvidia-container-runtime";
    nvidia.no_pivot_root = true;
    nvidia.no_new_keyring = true;
    EXPECT_EQ(render_handler_table("gpu.nvidia", nvidia),
              "[handlers.\"gpu.nvidia\"]\nBinaryName = \"/usr/bin/nvidia-container-runtime\"\n"
              "SystemdCgroup = false\nNoPivotRoot = true\nNoNewKeyring = true\n");
}

const std::string kComment =
    "# Written by `runcwrap route`: the handler's runtime options as containerd's config had "
    "them\n# before routing; BinaryName is the real runtime (\"runc\" when it was unset: the "
    "next runc in PATH).\n";

TEST(Route, SideFileTablesAddedAndRemovedByteForByte) {
    const std::string side =
        "# mine\n[options]\nBinaryName = \"runc\"  # keep\n\n[runcwrap]\n"
        "ChownStdio = true\n";
    const std::string a = "[handlers.a]\nBinaryName = \"/a\"\nSystemdCgroup = false\n";
    const std::string b = "[handlers.\"b.c\"]\nBinaryName = \"runc\"\nSystemdCgroup = true\n";
    const std::string with_a = side_file_with_tables(side, {{"a", a}});
    EXPECT_EQ(with_a, side + "\n" + kComment + a);
    const std::string with_both = side_file_with_tables(with_a, {{"b.c", b}});
    EXPECT_EQ(with_both, side + "\n" + kComment + a + b);
    EXPECT_EQ(handler_table_in(with_both, "a"), a);
    EXPECT_EQ(handler_table_in(with_both, "b.c"), b);
    EXPECT_EQ(handler_table_in(with_both, "b"), "");
    // The same table again changes nothing; another replaces only that table.
    EXPECT_EQ(side_file_with_tables(with_both, {{"a", a}}), with_both);
    const std::string a2 = "[handlers.a]\nBinaryName = \"/a2\"\nSystemdCgroup = false\n";
    EXPECT_EQ(side_file_with_tables(with_both, {{"a", a2}}), side + "\n" + kComment + a2 + b);
    EXPECT_EQ(side_file_without_tables(with_both, {"a"}), side + "\n" + kComment + b);
    EXPECT_EQ(side_file_without_tables(with_both, {"a", "b.c"}), side);
    EXPECT_EQ(side_file_without_tables(side, {"a"}), side);
}

TEST(Route, SideFileTablesKeepWhatFollowsThem) {
    // install.sh rewrote [runcwrap] after route: it follows the tables and stays.
    const std::string a = "[handlers.a]\nBinaryName = \"/a\"\nSystemdCgroup = false\n";
    const std::string text = "[options]\nBinaryName = \"runc\"\n\n" + kComment + a +
                             "\n# later\n[runcwrap]\nLogFile = \"/l\"\n";
    EXPECT_EQ(side_file_without_tables(text, {"a"}),
              "[options]\nBinaryName = \"runc\"\n\n# later\n[runcwrap]\nLogFile = \"/l\"\n");
    // No final newline: the tables go on a line of their own.
    EXPECT_EQ(side_file_with_tables("[options]\nBinaryName = \"runc\"", {{"a", a}}),
              "[options]\nBinaryName = \"runc\"\n\n" + kComment + a);
}

}  // namespace
}  // namespace runcwrap
