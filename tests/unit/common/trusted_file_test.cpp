// The side file's trust rule (fs.cpp read_trusted_file): the file and its folder owned by root
// and writable by nobody else, no symlink. Real files in a private temp folder; needs root, as
// `make test` runs.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/fs.hpp"
#include "wrapper/side_config.hpp"

namespace runcwrap {
namespace {

class TrustedFile : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_EQ(::geteuid(), 0u) << "these tests create root-owned files: run them as root";
        char tmpl[] = "/tmp/runcwrap-unit-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);  // mkdtemp's 0700 is fine too; 0755 as in /etc
        path_ = dir_ + "/config.toml";
        std::ofstream(path_) << "[options]\nBinaryName = \"/usr/sbin/runc\"\n";
        ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
    }
    void TearDown() override {
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    std::string dir_, path_;
};

TEST_F(TrustedFile, RootOwnedAndNotWritableByOthersIsRead) {
    int err = 0;
    auto text = read_trusted_file(path_, &err);
    ASSERT_TRUE(text) << text.error().message;
    auto side = parse_side_config(*text, path_);
    ASSERT_TRUE(side) << side.error().message;
    EXPECT_EQ(side->options.binary_name, "/usr/sbin/runc");
    ASSERT_EQ(::chmod(path_.c_str(), 0600), 0);
    EXPECT_TRUE(read_trusted_file(path_));
}

TEST_F(TrustedFile, MissingFileReportsEnoent) {
    int err = 0;
    auto text = read_trusted_file(dir_ + "/absent.toml", &err);
    ASSERT_FALSE(text);
    EXPECT_EQ(err, ENOENT);  // the caller treats a missing side file as "no side file"
}

TEST_F(TrustedFile, GroupOrOtherWritableFileIsRefused) {
    for (mode_t mode : {0664, 0646, 0666}) {
        SCOPED_TRACE(mode);
        ASSERT_EQ(::chmod(path_.c_str(), mode), 0);
        auto text = read_trusted_file(path_);
        ASSERT_FALSE(text);
        EXPECT_NE(text.error().message.find("writable by"), std::string::npos)
            << text.error().message;
        EXPECT_NE(text.error().message.find("fix: chown root:root " + path_), std::string::npos)
            << text.error().message;
    }
}

TEST_F(TrustedFile, NonRootOwnerIsRefused) {
    ASSERT_EQ(::chown(path_.c_str(), 1000, 0), 0);
    auto text = read_trusted_file(path_);
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find("owned by uid 1000"), std::string::npos)
        << text.error().message;
}

TEST_F(TrustedFile, WritableOrForeignFolderIsRefused) {
    ASSERT_EQ(::chmod(dir_.c_str(), 0775), 0);
    auto group = read_trusted_file(path_);
    ASSERT_FALSE(group);
    EXPECT_NE(group.error().message.find("folder " + dir_), std::string::npos)
        << group.error().message;
    ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
    ASSERT_EQ(::chown(dir_.c_str(), 1000, 1000), 0);
    auto owner = read_trusted_file(path_);
    ASSERT_FALSE(owner);
    EXPECT_NE(owner.error().message.find("owned by uid 1000"), std::string::npos)
        << owner.error().message;
}

TEST_F(TrustedFile, TmpItselfIsRefused) {
    // /tmp is 1777: anyone could have put the file there.
    std::string in_tmp = "/tmp/runcwrap-unit-" + std::to_string(::getpid()) + ".toml";
    std::ofstream(in_tmp) << "[options]\n";
    ::chmod(in_tmp.c_str(), 0644);
    auto text = read_trusted_file(in_tmp);
    ::unlink(in_tmp.c_str());
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find("folder /tmp"), std::string::npos) << text.error().message;
}

TEST_F(TrustedFile, SymlinkAndNonRegularAreRefused) {
    const std::string link = dir_ + "/link.toml";
    ASSERT_EQ(::symlink(path_.c_str(), link.c_str()), 0);
    auto via_link = read_trusted_file(link);
    ASSERT_FALSE(via_link);
    EXPECT_NE(via_link.error().message.find("symlink"), std::string::npos)
        << via_link.error().message;

    const std::string sub = dir_ + "/sub";
    ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
    auto folder = read_trusted_file(sub);
    ASSERT_FALSE(folder);
    EXPECT_NE(folder.error().message.find("not a regular file"), std::string::npos)
        << folder.error().message;
}

}  // namespace
}  // namespace runcwrap
