// The file operations install is made of. Every write replaces its target atomically: a temp
// file beside it (same filesystem), given its mode and root's ownership, synced, renamed over
// the target; a reader only ever sees the old or the new file. The temp file is removed on any
// failure before the rename. Queries answer as the shell's test(1) does (-e, -L, -f, -x, -ef).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.hpp"

namespace runcwrap::install {

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

Status make_folder(const std::string& path, bool as_root);  // 0755 root:root
Status set_mode_and_owner(const std::string& path, mode_t mode, bool as_root);
Status rename_path(const std::string& from, const std::string& to);  // mv -T
Status remove_file(const std::string& path);                         // rm -f
bool remove_empty_folder(const std::string& path);                   // rmdir
bool folder_is_empty(const std::string& path);

}  // namespace runcwrap::install
