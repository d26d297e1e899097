#include "wrapper/side_file_read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "common/fs.hpp"
#include "common/unique_fd.hpp"

namespace runcwrap {
namespace {

std::int64_t ns_of(const struct timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// The system call itself, not musl's clock_gettime: that goes through the vDSO, whose first use
// in a process costs ~3 page faults (measured here: 9.1 against 6.0 for a static no-op), several
// times what the one system call costs.
std::int64_t clock_ns(clockid_t clock) {
    struct timespec t {};
    ::syscall(SYS_clock_gettime, clock, &t);
    return ns_of(t);
}

void sleep_ns(std::int64_t ns) {
    struct timespec t {
        static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)
    };
    while (::nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

struct Snapshot {
    std::string text;
    SideFileStamp stamp;
};

// One read: open (no symlink, no blocking on a FIFO), read to the end, then fstat, so the
// stamp describes the inode as it was after every byte was read: a change during the read
// shows as a new ctime (or size). The folder's stat is the trust check's, and its mtime the
// sign of a rename.
Result<Snapshot> read_once(const std::string& path, const std::string& dir, int& err) {
    err = 0;
    UniqueFd fd(open_path(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid()) {
        err = errno;
        return open_error(err, path);
    }
    Snapshot snap;
    // The usual side file (100-700 bytes) is read by the first read(), whose short count means
    // the end. Not a page: zero-filling one costs a fresh page or two of the arena (a fault each).
    snap.text.resize(1024);
    std::size_t used = 0;
    int read_errno = 0;
    for (;;) {
        if (used == snap.text.size()) {
            if (used > kMaxSideFileBytes) break;
            snap.text.resize(std::min(snap.text.size() * 2, kMaxSideFileBytes + 1));
        }
        ssize_t n = ::read(fd.get(), snap.text.data() + used, snap.text.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) read_errno = errno;
        if (n <= 0) break;
        used += static_cast<std::size_t>(n);
        if (used < snap.text.size()) break;
    }
    snap.text.resize(used);
    struct stat st {
    }, dst{};
    if (::stat(dir.c_str(), &dst) != 0) return make_error(dir + ": " + errno_text(errno));
    if (auto problem = folder_trust_problem(dst, dir, path); !problem.empty())
        return make_error(problem);
    if (::fstat(fd.get(), &st) != 0) return make_error(path + ": " + errno_text(errno));
    if (auto problem = file_trust_problem(st, path); !problem.empty()) return make_error(problem);
    if (read_errno != 0) return make_error(path + ": read: " + errno_text(read_errno));
    if (used > kMaxSideFileBytes)
        return make_error(path + ": larger than " + std::to_string(kMaxSideFileBytes >> 20) +
                          " MiB: not a side file");
    snap.stamp.identity = identity_of(st);
    snap.stamp.size = static_cast<std::int64_t>(st.st_size);
    snap.stamp.nlink = static_cast<std::uint64_t>(st.st_nlink);
    snap.stamp.mtime_ns = ns_of(st.st_mtim);
    snap.stamp.ctime_ns = ns_of(st.st_ctim);
    snap.stamp.dir_mtime_ns = ns_of(dst.st_mtim);
    return snap;
}

std::string ms(std::int64_t ns) { return std::to_string(ns / 1'000'000) + " ms"; }

Error keeps_changing(const std::string& path) {
    return make_error(
        path + " keeps changing: for " + ms(kSideFileWaitLimitNs) +
        " every read found it rewritten in place (truncated, then written) less than " +
        ms(kSideFileSettleNs) +
        " before, so it may be half-written and runcwrap does not act on it; fix: write it "
        "atomically: a temp file in the same folder, then rename it over " +
        path + " (runcwrap import-containerd-config --write and install.sh do; by hand: write " +
        path + ".new, then mv " + path + ".new " + path + ")");
}

}  // namespace

std::int64_t side_file_wait_ns(const SideFileStamp& s, std::size_t bytes_read,
                               std::int64_t now_ns) {
    // Replaced or removed while read, or changed during the read: read it again soon.
    if (s.nlink == 0 || static_cast<std::int64_t>(bytes_read) != s.size)
        return kSideFileLinkedSettleNs;
    // Empty: the moment after a truncate, whose timestamps are not to be trusted (see the
    // header). Quiet only when seen empty twice a settle apart.
    if (bytes_read == 0) return kSideFileSettleNs;
    const std::int64_t settle =
        s.dir_mtime_ns >= s.ctime_ns ? kSideFileLinkedSettleNs : kSideFileSettleNs;
    const std::int64_t quiet_for = now_ns - s.ctime_ns;
    if (quiet_for >= settle) return 0;
    // A ctime in the future (the clock was stepped back): a full settle, then compare.
    return quiet_for < 0 ? settle : settle - quiet_for;
}

std::int64_t missing_side_file_wait_ns(std::int64_t dir_mtime_ns, std::int64_t now_ns) {
    const std::int64_t quiet_for = now_ns - dir_mtime_ns;
    if (quiet_for >= kSideFileSettleNs) return 0;
    return quiet_for < 0 ? kSideFileSettleNs : kSideFileSettleNs - quiet_for;
}

Result<std::string> read_side_file(const std::string& path, int* errno_out) {
    const std::string dir = dirname_of(path);
    std::int64_t started = -1;  // the monotonic clock is read only once a wait is needed
    std::optional<Snapshot> previous;
    std::int64_t previous_at = 0;
    bool previous_missing = false;  // the last read found no file, in a folder of this mtime
    std::int64_t previous_missing_dir_mtime = 0;
    for (;;) {
        int err = 0;
        auto snap = read_once(path, dir, err);
        std::int64_t wait = 0;
        std::int64_t at = 0;
        if (!snap) {
            if (err != ENOENT) {
                if (errno_out) *errno_out = err;
                return snap.error();
            }
            // Absent: but a folder that just changed may be in the middle of `rm` + write.
            struct stat dst {};
            if (::stat(dir.c_str(), &dst) == 0) {
                const std::int64_t dir_mtime = ns_of(dst.st_mtim);
                wait = missing_side_file_wait_ns(dir_mtime, clock_ns(CLOCK_REALTIME));
                if (wait > 0) {
                    at = clock_ns(CLOCK_MONOTONIC);
                    if (previous_missing && previous_missing_dir_mtime == dir_mtime &&
                        at - previous_at >= kSideFileSettleNs)
                        wait = 0;
                }
                previous_missing = true;
                previous_missing_dir_mtime = dir_mtime;
            }
            if (wait == 0) {
                if (errno_out) *errno_out = ENOENT;
                return snap.error();
            }
            previous.reset();
        } else {
            wait = side_file_wait_ns(snap->stamp, snap->text.size(), clock_ns(CLOCK_REALTIME));
            if (wait == 0) return std::move(snap->text);
            at = clock_ns(CLOCK_MONOTONIC);
            // The clock may lie (stepped back): the same inode, timestamps and bytes seen a full
            // settle apart are quiet too.
            if (previous && previous->stamp == snap->stamp && previous->text == snap->text &&
                at - previous_at >= kSideFileSettleNs)
                return std::move(snap->text);
            previous = std::move(*snap);
            previous_missing = false;
        }
        if (started < 0) started = at;
        previous_at = at;
        const std::int64_t left = started + kSideFileWaitLimitNs - at;
        if (left <= 0) return keeps_changing(path);
        sleep_ns(std::min(wait, left));
    }
}

}  // namespace runcwrap
