// Ownership of the container's stdio: in a user namespace the process runs as a mapped host id
// and must be able to reopen /proc/self/fd/1 and /dev/stdout. A fixed containerd chowns its
// stdio pipes to IoUid/IoGid; when those are lost, runcwrap does it. Only anonymous pipes are
// ever touched: a chown of /dev/null, a tty, a file or a socket would change a host object.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace runcwrap {

enum class StdioKind { Closed, AnonymousPipe, NamedFifo, CharDevice, RegularFile, Socket, Other };

const char* stdio_kind_name(StdioKind kind);

struct StdioFd {
    int fd = 0;
    StdioKind kind = StdioKind::Closed;
    std::string target;  // readlink /proc/self/fd/N
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    bool chown = false;  // change the owner to target_uid:target_gid
    std::uint32_t target_uid = 0;
    std::uint32_t target_gid = 0;
    std::string note;
};

// Which of fds 0-2 were open before runcwrap opened anything (so none of its own files can be
// mistaken for the container's stdio).
using OpenAtEntry = std::array<bool, 3>;
OpenAtEntry stdio_open_at_entry();

// Classifies from fstat: a FIFO is an anonymous pipe when it lives on pipefs (the device of
// any pipe), else a named FIFO on a real filesystem. Pure.
StdioKind classify_stdio(const struct stat& st, dev_t pipefs_device);

// Reads fds 0-2 and decides, per fd, whether to chown it to host_uid:host_gid. `describe` also
// reads each /proc/self/fd link for people (explain); the wrapper skips that cost.
std::vector<StdioFd> inspect_stdio(const OpenAtEntry& open_at_entry, std::uint32_t host_uid,
                                   std::uint32_t host_gid, bool describe);

// fchowns the fds marked `chown`; returns the fds it changed, or the first failure.
Result<std::vector<int>> apply_stdio_ownership(const std::vector<StdioFd>& fds);

}  // namespace runcwrap
