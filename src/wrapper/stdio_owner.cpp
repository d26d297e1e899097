#include "wrapper/stdio_owner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <optional>

#include "common/fs.hpp"

namespace runcwrap {

const char* stdio_kind_name(StdioKind kind) {
    switch (kind) {
        case StdioKind::Closed: return "closed";
        case StdioKind::AnonymousPipe: return "pipe";
        case StdioKind::NamedFifo: return "named fifo";
        case StdioKind::CharDevice: return "character device";
        case StdioKind::RegularFile: return "regular file";
        case StdioKind::Socket: return "socket";
        case StdioKind::Other: return "other";
    }
    return "?";
}

OpenAtEntry stdio_open_at_entry() {
    // One poll(2) answers for all three: POLLNVAL marks an fd that is not open. It marks an O_PATH
    // fd too (rare, never the shim's), so fcntl has the last word on those, as when poll fails.
    std::array<struct pollfd, 3> fds{};
    for (int fd = 0; fd < 3; ++fd) fds[static_cast<std::size_t>(fd)].fd = fd;
    const bool polled = ::poll(fds.data(), fds.size(), 0) >= 0;
    OpenAtEntry open{};
    for (int fd = 0; fd < 3; ++fd)
        open[fd] = (polled && (fds[static_cast<std::size_t>(fd)].revents & POLLNVAL) == 0) ||
                   ::fcntl(fd, F_GETFD) != -1;
    return open;
}

StdioKind classify_stdio(const struct stat& st, dev_t pipefs_device) {
    if (S_ISFIFO(st.st_mode))
        return st.st_dev == pipefs_device ? StdioKind::AnonymousPipe : StdioKind::NamedFifo;
    if (S_ISCHR(st.st_mode)) return StdioKind::CharDevice;
    if (S_ISREG(st.st_mode)) return StdioKind::RegularFile;
    if (S_ISSOCK(st.st_mode)) return StdioKind::Socket;
    return StdioKind::Other;
}

namespace {

// The pipefs device, learnt from a pipe of our own (cheaper than reading /proc/self/fd links).
std::optional<dev_t> pipefs_device() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
    struct stat st {};
    const bool ok = ::fstat(fds[0], &st) == 0;
    ::close(fds[0]);
    ::close(fds[1]);
    if (!ok) return std::nullopt;
    return st.st_dev;
}

std::string fd_link(int fd) {
    char link_path[32];
    char target[256];
    std::snprintf(link_path, sizeof link_path, "/proc/self/fd/%d", fd);
    ssize_t n = ::readlink(link_path, target, sizeof target - 1);
    return n > 0 ? std::string(target, static_cast<std::size_t>(n)) : std::string("?");
}

}  // namespace

std::vector<StdioFd> inspect_stdio(const OpenAtEntry& open_at_entry, std::uint32_t host_uid,
                                   std::uint32_t host_gid, bool describe) {
    std::vector<StdioFd> fds;
    std::optional<dev_t> pipefs;
    for (int fd = 0; fd < 3; ++fd) {
        StdioFd s;
        s.fd = fd;
        struct stat st {};
        if (!open_at_entry[fd] || ::fstat(fd, &st) != 0) {
            s.note = "closed";
            fds.push_back(s);
            continue;
        }
        if (S_ISFIFO(st.st_mode) && !pipefs) pipefs = pipefs_device();
        if (describe) s.target = fd_link(fd);
        // Unknown pipefs device: nothing counts as an anonymous pipe, so nothing is chowned.
        s.kind = classify_stdio(st, pipefs.value_or(static_cast<dev_t>(-1)));
        s.uid = st.st_uid;
        s.gid = st.st_gid;
        if (s.kind != StdioKind::AnonymousPipe) {
            s.note = std::string("left alone: a ") + stdio_kind_name(s.kind) +
                     " is a host object, only anonymous pipes are chowned";
        } else if (s.uid == host_uid && s.gid == host_gid) {
            s.note = "already owned by the mapped ids";
        } else {
            s.chown = true;
            s.target_uid = host_uid;
            s.target_gid = host_gid;
            s.note = "chown " + std::to_string(s.uid) + ":" + std::to_string(s.gid) + " -> " +
                     std::to_string(host_uid) + ":" + std::to_string(host_gid);
        }
        fds.push_back(std::move(s));
    }
    return fds;
}

Result<std::vector<int>> apply_stdio_ownership(const std::vector<StdioFd>& fds) {
    std::vector<int> changed;
    for (const auto& s : fds) {
        // inspect_stdio classified this very fd moments ago; runcwrap is single-threaded and
        // opened or closed nothing in between, so the fd still names the same pipe.
        if (!s.chown) continue;
        const auto uid = static_cast<uid_t>(s.target_uid);
        const auto gid = static_cast<gid_t>(s.target_gid);
        if (::fchown(s.fd, uid, gid) != 0)
            return make_error("cannot chown stdio fd " + std::to_string(s.fd) + " (" + s.target +
                              ") to " + std::to_string(uid) + ":" + std::to_string(gid) + ": " +
                              errno_text(errno));
        changed.push_back(s.fd);
    }
    return changed;
}

}  // namespace runcwrap
