// The file operations the management side writes a node with (install, route). Every write
// replaces its target atomically: a temp file beside it (same filesystem), given its mode and
// owner, synced, closed, renamed over the target, the folder synced; a reader (containerd, the
// shim, the wrapper) only ever sees the old or the new file. The temp file is removed on any
// failure before the rename, and SIGINT/SIGTERM/SIGHUP wait while it exists. Queries answer as
// the shell's test(1) does (-e, -L, -f, -x, -ef).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace runcwrap::files {

bool exists(const std::string& path);                             // -e (follows symlinks)
bool is_symlink(const std::string& path);                         // -L
bool is_regular(const std::string& path);                         // -f (follows symlinks)
bool is_folder(const std::string& path);                          // -d
bool is_executable(const std::string& path);                      // -x
bool present(const std::string& path);                            // -e or -L: something is there
bool same_file(const std::string& a, const std::string& b);       // -ef
bool same_bytes(const std::string& a, const std::string& b);      // cmp -s
std::optional<std::string> link_target(const std::string& path);  // readlink
Result<std::string> sha256_of_file(const std::string& path);

// "755 0 0": mode (octal, as stat %a), owner and group ids.
std::optional<std::string> mode_and_owner(const std::string& path);
// stat -c '%A %U:%G %s bytes %N' (what a refused runc is shown as).
std::string describe_file(const std::string& path);

// `as_root`: chown the result to root:root (a non-root staging leaves that to the packager).
Status replace_with_text(const std::string& dest, const std::string& text, mode_t mode,
                         bool as_root);
Status replace_with_copy(const std::string& dest, const std::string& source, mode_t mode,
                         bool as_root);
Status replace_with_symlink(const std::string& dest, const std::string& target, bool as_root);
// An operator's file edited in place (containerd's config): as replace_with_text, but an
// existing `dest` keeps its mode and owner; a new one gets `new_mode` and the caller's owner.
Status edit_with_text(const std::string& dest, std::string_view text, mode_t new_mode);

Status make_folder(const std::string& path, bool as_root);  // 0755 root:root
// mkdir -p, 0755 and the caller's owner; `created` (when given) gets each folder it made,
// outermost first.
Status make_folders(const std::string& path, std::vector<std::string>* created = nullptr);
Status set_mode_and_owner(const std::string& path, mode_t mode, bool as_root);
Status rename_path(const std::string& from, const std::string& to);  // mv -T
Status remove_file(const std::string& path);                         // rm -f
bool remove_empty_folder(const std::string& path);                   // rmdir
bool folder_is_empty(const std::string& path);

}  // namespace runcwrap::files
