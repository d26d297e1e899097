// Turns the decision's candidate names into one open, trusted executable that is not runcwrap.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_identity.hpp"
#include "common/result.hpp"
#include "common/unique_fd.hpp"
#include "wrapper/decision.hpp"
#include "wrapper/recursion_guard.hpp"

namespace runcwrap {

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct ResolvedRuntime {
    std::string argv0;   // the name as configured
    std::string path;    // the file opened
    std::string source;  // where the name came from
    UniqueFd fd;         // O_CLOEXEC; exec goes through it (no check-then-use race)
    FileIdentity identity;
    bool is_script = false;            // starts with "#!": exec'd by path, see exec.cpp
    std::vector<std::string> skipped;  // candidates passed over, and why
};

struct ResolveContext {
    // /proc/self/exe, when the caller already has it. Otherwise resolve_runtime asks /proc only
    // when it must: to word the refusal of a candidate that carries runcwrap's note ("itself" or
    // "another copy"), or to keep runcwrap out of a wrapping runtime's PATH lookup (S3). Telling
    // runcwrap from a real runtime never needs it: the running binary carries the note, and so
    // does every path, symlink or hard link to it (same file), see binary_marker.hpp.
    std::optional<FileIdentity> self;
    const CallChain* chain;     // runtimes already run in this chain
    std::string_view path_env;  // $PATH
};

Result<ResolvedRuntime> resolve_runtime(const Decision& decision, const ResolveContext& ctx);

// What a runtime file's first bytes say (binary_marker.hpp reads the note).
struct FileHead {
    bool is_script = false;    // starts with "#!"
    bool is_runcwrap = false;  // carries runcwrap's ELF note: this binary or another copy
};
FileHead read_file_head(int fd);

// Whether `name` (an absolute path, or a bare name the shim looks up in `path_env`: its first
// match there) is runcwrap: this binary, a link to it or a copy (its ELF note). A file that
// cannot be opened is not.
bool names_runcwrap(std::string_view name, std::string_view path_env);

// The identity of runcwrap's own binary.
Result<FileIdentity> self_identity();

}  // namespace runcwrap
