#include "stdio_owner.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "fs.hpp"

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
    OpenAtEntry open{};
    for (int fd = 0; fd < 3; ++fd) open[fd] = ::fcntl(fd, F_GETFD) != -1;
    return open;
}

StdioKind classify_stdio(mode_t mode, std::string_view link_target) {
    if (S_ISFIFO(mode)) {
        // An anonymous pipe lives on pipefs and reads "pipe:[inode]"; a named FIFO has a path.
        return link_target.substr(0, 6) == "pipe:[" ? StdioKind::AnonymousPipe
                                                    : StdioKind::NamedFifo;
    }
    if (S_ISCHR(mode)) return StdioKind::CharDevice;
    if (S_ISREG(mode)) return StdioKind::RegularFile;
    if (S_ISSOCK(mode)) return StdioKind::Socket;
    return StdioKind::Other;
}

std::vector<StdioFd> inspect_stdio(const OpenAtEntry& open_at_entry, std::uint32_t host_uid,
                                   std::uint32_t host_gid) {
    std::vector<StdioFd> fds;
    for (int fd = 0; fd < 3; ++fd) {
        StdioFd s;
        s.fd = fd;
        struct stat st{};
        if (!open_at_entry[fd] || ::fstat(fd, &st) != 0) {
            s.note = "closed";
            fds.push_back(s);
            continue;
        }
        char link_path[32];
        char target[256];
        std::snprintf(link_path, sizeof link_path, "/proc/self/fd/%d", fd);
        ssize_t n = ::readlink(link_path, target, sizeof target - 1);
        s.target = n > 0 ? std::string(target, static_cast<std::size_t>(n)) : std::string("?");
        s.kind = classify_stdio(st.st_mode, s.target);
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
        if (!s.chown) continue;
        // Re-check right before the change: the fd number must still be an anonymous pipe.
        struct stat st{};
        if (::fstat(s.fd, &st) != 0 || !S_ISFIFO(st.st_mode)) continue;
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
