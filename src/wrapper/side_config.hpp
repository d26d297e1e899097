// The side file (/etc/runcwrap/config.toml): what the operator intended, in containerd's names.
//
//   [options]                      # pasted from containerd's runtime options table
//   BinaryName = "/usr/sbin/runc"
//   SystemdCgroup = true
//   [runcwrap]                     # runcwrap's own settings
//   ChownStdio = true
//   [handlers.crun-fast]           # one per routed CRI handler, written by `runcwrap route`:
//   BinaryName = "/usr/bin/crun"   # the handler's options as containerd's config had them
//   [handlers."gpu.nvidia"]        # (a name with a dot is quoted)
//   BinaryName = "/usr/bin/nvidia-container-runtime"
//
// A [handlers.NAME] table has [options]' keys and rules (BinaryName required, never empty);
// NAME is a handler name handler_entry.hpp accepts.
//
// Two rules make a side file cut short by a writer that rewrites it in place an error rather
// than a smaller configuration, whatever else the file says:
//   * a side file holds at least one table: an empty one (the moment after a truncate) or one
//     with only comments is refused (to have no side file, remove it);
//   * an [options] table names BinaryName, never empty: "runc" is how it says "the next runc in
//     PATH after runcwrap" (containerd's own default), so a table without it (a file cut after
//     its "[options]" line) is refused, never read as "run whatever runc comes next".
// Parsing is pure; reading the file (trusted, and never while a writer is mid-way) is in
// side_file_read.hpp; the hot path's cheaper reader of the same text, side_config_strict.hpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/runtime_options.hpp"

namespace runcwrap {

inline constexpr const char* kDefaultSideFile = "/etc/runcwrap/config.toml";
inline constexpr const char* kSideFileEnv = "RUNCWRAP_CONFIG";

// A routed handler: what its BinaryName and options were before `runcwrap route` made its
// BinaryName runcwrap's entry for it (handler_entry.hpp).
struct HandlerRecord {
    std::string name;
    RuntimeOptions options;  // binary_name is never empty
};

struct SideConfig {
    std::string path;
    bool has_options = false;  // an [options] table exists
    RuntimeOptions options;
    bool chown_stdio = true;
    std::string log_file;                 // the decision log; "" = off
    std::vector<HandlerRecord> handlers;  // sorted by name, each name once

    const HandlerRecord* handler(std::string_view name) const;
};

// How a [handlers.NAME] table is named in messages: quoted when NAME is not a bare TOML key.
std::string handler_table_name(std::string_view name);

// `path` only names the file in messages. toml++: the reference reading, with every message.
Result<SideConfig> parse_side_config(std::string_view text, std::string_view path);

// The same without the two rules above, for `import-containerd-config`, which rewrites the
// [options] table anyway and keeps only [runcwrap] from the file it replaces (one written
// before the rules, with no BinaryName, keeps its settings too). Never for deciding what runs.
Result<SideConfig> parse_side_config_settings(std::string_view text, std::string_view path);

// BinaryName = "runc": the next runc in PATH after runcwrap (containerd's default).
inline constexpr std::string_view kNextRuncInPath = "runc";

// The rules both readers apply to a value they read.
inline bool acceptable_binary_name(std::string_view name) {
    return !name.empty() && (name[0] == '/' || name.find('/') == std::string_view::npos);
}
inline bool absolute_or_empty(std::string_view path) { return path.empty() || path[0] == '/'; }
// containerd's runc.v1.Options keys that runcwrap accepts in [options] but has nothing to
// restore for.
inline constexpr std::string_view kIgnoredContainerdKeys[] = {
    "CriuPath", "CriuImagePath", "CriuWorkPath",   "IoUid",
    "IoGid",    "ShimCgroup",    "TaskAPIAddress", "TaskAPIVersion"};
bool is_ignored_containerd_key(std::string_view key);

}  // namespace runcwrap
