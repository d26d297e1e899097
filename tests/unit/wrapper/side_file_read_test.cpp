// Reading the side file only once no writer can be mid-way (side_file_read.cpp): the rule on
// timestamps (pure), then real files in a private root-owned folder, written in place, renamed
// into place, rewritten without pause, removed. Needs root, as `make test` runs.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include "wrapper/side_file_read.hpp"

namespace runcwrap {
namespace {

constexpr std::int64_t kMs = 1'000'000;
// File timestamps come from the kernel's coarse clock, up to a tick behind the real time: a
// file looks older by up to that much, so the waits below are measured with this slack.
constexpr std::int64_t kTick = 5 * kMs;

SideFileStamp stamp(std::int64_t ctime, std::int64_t dir_mtime, std::int64_t size = 10) {
    SideFileStamp s;
    s.size = size;
    s.mtime_ns = ctime;
    s.ctime_ns = ctime;
    s.dir_mtime_ns = dir_mtime;
    return s;
}

TEST(SideFileWait, QuietFilesAreReadAtOnce) {
    const std::int64_t now = 1'000'000 * kMs;
    EXPECT_EQ(side_file_wait_ns(stamp(now - 5000 * kMs, now - 9000 * kMs), 10, now), 0);
    EXPECT_EQ(side_file_wait_ns(stamp(now - kSideFileSettleNs, now - 9000 * kMs), 10, now), 0);
    // Renamed into place (the folder changed with it): the short settle is enough.
    EXPECT_EQ(side_file_wait_ns(stamp(now - kSideFileLinkedSettleNs, now - kSideFileLinkedSettleNs),
                                10, now),
              0);
}

TEST(SideFileWait, AFileChangedInPlaceWaitsTheFullSettle) {
    const std::int64_t now = 1'000'000 * kMs;
    // ctime newer than the folder: written in place 30 ms ago.
    EXPECT_EQ(side_file_wait_ns(stamp(now - 30 * kMs, now - 9000 * kMs), 10, now),
              kSideFileSettleNs - 30 * kMs);
    EXPECT_EQ(side_file_wait_ns(stamp(now, now - 1), 10, now), kSideFileSettleNs);
    // Renamed in 3 ms ago: 7 ms more.
    EXPECT_EQ(side_file_wait_ns(stamp(now - 3 * kMs, now - 3 * kMs), 10, now),
              kSideFileLinkedSettleNs - 3 * kMs);
}

TEST(SideFileWait, ReadsThatSawAChangeAreRetried) {
    const std::int64_t now = 1'000'000 * kMs;
    SideFileStamp old = stamp(now - 5000 * kMs, now - 9000 * kMs, 10);
    EXPECT_GT(side_file_wait_ns(old, 9, now), 0) << "fewer bytes than the size after the read";
    EXPECT_GT(side_file_wait_ns(old, 11, now), 0);
    // Empty: right after a truncate, whose timestamps may not have moved.
    EXPECT_EQ(side_file_wait_ns(stamp(now - 5000 * kMs, now - 9000 * kMs, 0), 0, now),
              kSideFileSettleNs);
    old.nlink = 0;
    EXPECT_GT(side_file_wait_ns(old, 10, now), 0) << "replaced or removed during the read";
}

TEST(SideFileWait, ACtimeInTheFutureIsNotQuiet) {
    const std::int64_t now = 1'000'000 * kMs;
    EXPECT_EQ(side_file_wait_ns(stamp(now + 60'000 * kMs, now - 9000 * kMs), 10, now),
              kSideFileSettleNs);
}

TEST(SideFileWait, AMissingFileWaitsForAFolderThatJustChanged) {
    const std::int64_t now = 1'000'000 * kMs;
    EXPECT_EQ(missing_side_file_wait_ns(now - 9000 * kMs, now), 0);
    EXPECT_EQ(missing_side_file_wait_ns(now - 40 * kMs, now), kSideFileSettleNs - 40 * kMs);
}

// ---- real files ------------------------------------------------------------------------------

using Clock = std::chrono::steady_clock;
std::int64_t ns_since(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t).count();
}

// How long the file has been unchanged by its own ctime, in the clock the reader compares it
// with (CLOCK_REALTIME): what "read only once quiet" promises, whatever the scheduler did
// between the write and the read, and however far the kernel's coarse file clock lags.
std::int64_t quiet_for_ns(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0);
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return (now.tv_sec - st.st_ctim.tv_sec) * 1'000'000'000LL + (now.tv_nsec - st.st_ctim.tv_nsec);
}

class SideFileRead : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_EQ(::geteuid(), 0u) << "these tests create root-owned files: run them as root";
        char tmpl[] = "/tmp/runcwrap-unit-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
        path_ = dir_ + "/config.toml";
    }
    void TearDown() override {
        if (!dir_.empty()) std::filesystem::remove_all(dir_);
    }
    // truncate, then write: what `echo > f` does.
    void write_in_place(const std::string& text) const {
        int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        ::close(fd);
    }
    void write_atomically(const std::string& text) const {
        const std::string tmp = path_ + ".new";
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        ::close(fd);
        ASSERT_EQ(::rename(tmp.c_str(), path_.c_str()), 0);
    }
    std::string dir_, path_;
};

const std::string kText = "[options]\nBinaryName = \"/usr/sbin/runc\"\nSystemdCgroup = true\n";

TEST_F(SideFileRead, AFileUnchangedForAWhileIsReadWithoutWaiting) {
    write_in_place("[options]\nBinaryName = \"/old/runc\"\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    write_in_place(kText);  // in place: a wrongful wait would be a full settle
    std::this_thread::sleep_for(std::chrono::nanoseconds(kSideFileSettleNs + 20 * kMs));
    const auto start = Clock::now();
    auto text = read_side_file(path_);
    const std::int64_t took = ns_since(start);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, kText);
    EXPECT_LT(took, kSideFileSettleNs / 2) << "no sleep in the common case";
}

TEST_F(SideFileRead, AFileJustWrittenInPlaceIsReadOnlyAfterTheSettle) {
    write_in_place("[options]\nBinaryName = \"/old/runc\"\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the folder's change is older
    write_in_place(kText);
    auto text = read_side_file(path_);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, kText);
    EXPECT_GE(quiet_for_ns(path_), kSideFileSettleNs);
}

TEST_F(SideFileRead, AFileJustRenamedIntoPlaceNeedsOnlyTheShortSettle) {
    write_in_place("[options]\nBinaryName = \"/old/runc\"\n");
    write_atomically(kText);
    const auto renamed = Clock::now();
    auto text = read_side_file(path_);
    const std::int64_t took = ns_since(renamed);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(*text, kText);
    EXPECT_GE(quiet_for_ns(path_), kSideFileLinkedSettleNs);
    EXPECT_LT(took, kSideFileSettleNs) << "an atomic replace is not an in-place rewrite";
}

TEST_F(SideFileRead, AFileRewrittenInPlaceWithoutPauseIsAnErrorThatSaysWriteItAtomically) {
    write_in_place(kText);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        while (!stop) {
            write_in_place(kText);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    // Read only once the writer has begun: before, the file is the one created 20 ms ago.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const auto start = Clock::now();
    auto text = read_side_file(path_);
    const std::int64_t took = ns_since(start);
    stop = true;
    writer.join();
    if (text) {
        // This kernel now and then leaves a truncate-and-write's timestamps unchanged when it
        // races a stat (side_file_read.cpp); the reader then sees the same bytes twice and a
        // quiet stamp. That may only ever yield the whole file, never a prefix or nothing.
        EXPECT_EQ(*text, kText) << "read a torn file that never stopped changing";
        return;
    }
    const std::string& m = text.error().message;
    EXPECT_NE(m.find(path_ + " keeps changing"), std::string::npos) << m;
    EXPECT_NE(m.find("fix: write it atomically: a temp file in the same folder, then rename"),
              std::string::npos)
        << m;
    EXPECT_GE(took, kSideFileWaitLimitNs - kMs);
    EXPECT_LT(took, kSideFileWaitLimitNs + kSideFileSettleNs + 500 * kMs) << "bounded";
}

TEST_F(SideFileRead, AMissingFileIsEnoentOnceItsFolderIsQuiet) {
    int err = 0;
    std::this_thread::sleep_for(std::chrono::nanoseconds(kSideFileSettleNs + 20 * kMs));
    auto start = Clock::now();
    auto text = read_side_file(path_, &err);
    ASSERT_FALSE(text);
    EXPECT_EQ(err, ENOENT);
    EXPECT_LT(ns_since(start), kSideFileSettleNs / 2) << "no wait: the folder is quiet";
    // Just removed (`rm` before a rewrite?): waited for, then absent.
    write_in_place(kText);
    ASSERT_EQ(::unlink(path_.c_str()), 0);
    start = Clock::now();
    err = 0;
    text = read_side_file(path_, &err);
    ASSERT_FALSE(text);
    EXPECT_EQ(err, ENOENT);
    EXPECT_GE(ns_since(start), kSideFileSettleNs / 2);
}

TEST_F(SideFileRead, TheTrustRuleStillHolds) {
    write_in_place(kText);
    ASSERT_EQ(::chmod(path_.c_str(), 0666), 0);
    auto text = read_side_file(path_);
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find(path_ + " is writable by"), std::string::npos)
        << text.error().message;
    ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
    ASSERT_EQ(::symlink(path_.c_str(), (dir_ + "/link.toml").c_str()), 0);
    text = read_side_file(dir_ + "/link.toml");
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find("is a symlink"), std::string::npos) << text.error().message;
    ASSERT_EQ(::mkfifo((dir_ + "/fifo.toml").c_str(), 0644), 0);
    text = read_side_file(dir_ + "/fifo.toml");  // never blocks on a FIFO
    ASSERT_FALSE(text);
    EXPECT_NE(text.error().message.find("is not a regular file"), std::string::npos)
        << text.error().message;
}

}  // namespace
}  // namespace runcwrap
