// The install manifest (src/cli/install/manifest.cpp): format 1 as install.sh wrote it, read
// back entry by entry, written in the same order, and refused when it is not ours.
#include <gtest/gtest.h>

#include "cli/install/manifest.hpp"

namespace runcwrap::install {
namespace {

constexpr std::string_view kFull =
    "# runcwrap install manifest, written by install.sh: --uninstall removes exactly these\n"
    "# entries and puts the backups back. Paths are the node's (without --prefix).\n"
    "format\t1\n"
    "bin-dir\t/usr/local/bin\n"
    "config\t/etc/runcwrap/config.toml\n"
    "dir\t/var\n"
    "dir\t/var/lib\n"
    "file\t/usr/local/bin/runcwrap\tabc123\n"
    "symlink\t/usr/local/bin/runc\truncwrap\n"
    "backup\t/usr/local/bin/runc\t/usr/local/bin/runc.runcwrap-backup\n"
    "backup\t/etc/runcwrap/config.toml\t/etc/runcwrap/config.toml.runcwrap-backup\n"
    "sidefile\t/etc/runcwrap/config.toml\tdef456\n";

TEST(InstallManifest, RoundTrip) {
    auto m = parse_manifest(kFull, "M");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_TRUE(m->exists);
    EXPECT_EQ(m->bin_dir, "/usr/local/bin");
    EXPECT_EQ(m->config, "/etc/runcwrap/config.toml");
    EXPECT_EQ(m->created_dirs, (std::vector<std::string>{"/var", "/var/lib"}));
    EXPECT_EQ(m->binary_sha, "abc123");
    EXPECT_EQ(m->link_target, "runcwrap");
    EXPECT_EQ(m->backups.size(), 2u);
    EXPECT_EQ(m->side_sha, "def456");
    EXPECT_EQ(manifest_text(*m, m->bin_dir, m->config), kFull);
}

TEST(InstallManifest, OnlyWhatWasDone) {
    Manifest m;
    EXPECT_EQ(manifest_text(m, "/b", "/c"),
              "# runcwrap install manifest, written by install.sh: --uninstall removes exactly "
              "these\n# entries and puts the backups back. Paths are the node's (without "
              "--prefix).\nformat\t1\nbin-dir\t/b\nconfig\t/c\n");
}

TEST(InstallManifest, RefusesWhatItDoesNotKnow) {
    auto newer = parse_manifest("format\t2\n", "M");
    ASSERT_FALSE(newer);
    EXPECT_EQ(newer.error().message, "M: unknown format 2");
    auto unknown = parse_manifest("format\t1\nhardlink\t/x\t/y\n", "M");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().message,
              "M: unknown entry 'hardlink' (written by a newer install.sh?)");
}

}  // namespace
}  // namespace runcwrap::install
