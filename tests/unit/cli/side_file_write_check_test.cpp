// doctor's side-file-write check (side_file_write_check.cpp): an in-place rewrite leaves the
// file's mtime newer than its folder's; an atomic replace does not. Real files; needs root.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "cli/side_file_write_check.hpp"

namespace runcwrap {
namespace {

TEST(SideFileWriteCheck, Judge) {
    auto atomic = judge_side_file_write("/etc/runcwrap/config.toml", 100, 100);
    EXPECT_FALSE(atomic.written_in_place);
    EXPECT_TRUE(atomic.fix.empty());
    auto in_place =
        judge_side_file_write("/etc/runcwrap/config.toml", 5'000'000'000, 1'000'000'000);
    EXPECT_TRUE(in_place.written_in_place);
    EXPECT_NE(in_place.detail.find("rewritten in place"), std::string::npos) << in_place.detail;
    EXPECT_NE(in_place.detail.find("4000 ms after"), std::string::npos) << in_place.detail;
    EXPECT_NE(in_place.fix.find("mv /etc/runcwrap/config.toml.new /etc/runcwrap/config.toml"),
              std::string::npos)
        << in_place.fix;
}

TEST(SideFileWriteCheck, RealWrites) {
    char tmpl[] = "/tmp/runcwrap-unit-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    const std::string dir = tmpl, path = dir + "/config.toml";
    auto write = [](const std::string& p, const char* text) {
        int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_GT(::write(fd, text, std::char_traits<char>::length(text)), 0);
        ::close(fd);
    };
    write(dir + "/new", "[options]\n");
    ASSERT_EQ(::rename((dir + "/new").c_str(), path.c_str()), 0);
    auto v = check_side_file_write(path);
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->written_in_place) << v->detail;
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);  // fixing permissions is no rewrite
    EXPECT_FALSE(check_side_file_write(path)->written_in_place);

    ::usleep(20'000);  // a later timestamp than the folder's, whatever the clock's grain
    write(path, "[options]\nBinaryName = \"runc\"\n");
    v = check_side_file_write(path);
    ASSERT_TRUE(v);
    EXPECT_TRUE(v->written_in_place) << v->detail;
    EXPECT_FALSE(check_side_file_write(dir + "/absent"));
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace runcwrap
