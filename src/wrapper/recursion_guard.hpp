// RUNCWRAP_DEPTH: the only change runcwrap makes to the environment. It counts how many times
// runcwrap has exec'd a runtime in this call chain and lists those runtimes, so that a wrapping
// runtime that calls `runc` again reaches the real runc, and no runtime runs twice:
//   RUNCWRAP_DEPTH=<depth>[:<dev>.<ino>[,<dev>.<ino>...]]   (hex dev and inode). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_identity.hpp"

namespace runcwrap {

inline constexpr const char* kDepthEnv = "RUNCWRAP_DEPTH";
inline constexpr int kMaxDepth = 3;

struct CallChain {
    int depth = 0;
    std::vector<FileIdentity> runtimes;

    bool contains(const FileIdentity& id) const;
    CallChain with(const FileIdentity& next) const;
};

std::optional<CallChain> parse_call_chain(std::string_view value);
std::string format_call_chain(const CallChain& chain);

}  // namespace runcwrap
