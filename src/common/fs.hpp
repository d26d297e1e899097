// File reading for the hot path: O_CLOEXEC always, bounded sizes, and the trust checks that
// decide whether a file may steer which binary runs as root.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace runcwrap {

// Bundle files are small; a larger one is treated as unreadable (runc reports it if it cares).
inline constexpr std::size_t kMaxInputBytes = 16u << 20;

std::string errno_text(int err);
std::string dirname_of(std::string_view path);
std::string absolute_path(std::string_view path, std::string_view cwd);
// The same against the current directory, which is asked for only when `path` is relative
// (the shim's paths are absolute: no getcwd on the hot path).
std::string absolute_path(std::string_view path);
std::string current_dir();

// open(2) for the hot path. musl's open() follows every O_CLOEXEC open with a redundant
// fcntl(F_SETFD) (for kernels before 2.6.23); openat(AT_FDCWD) is the same call without it.
int open_path(const char* path, int flags, mode_t mode = 0);

// The whole content of an open file, at most `limit` bytes (more is an error). `known` is the
// file's fstat when the caller already has it.
Result<std::string> read_fd(int fd, std::string_view path, std::size_t limit = kMaxInputBytes,
                            const struct stat* known = nullptr);
// Opens and reads `path`. Errors carry errno in `errno_out` when given.
Result<std::string> read_file(const std::string& path, int* errno_out = nullptr,
                              std::size_t limit = kMaxInputBytes);

// Trusted = owned by root and writable by nobody else (no group/other write bit).
// Returns "" when trusted, else why not, naming `what`.
std::string untrusted_reason(const struct stat& st, std::string_view what);

// The trust rule's messages, each with its fix, "" when trusted: a file (regular, trusted) and
// the folder that holds it. open_error names a symlink (ELOOP under O_NOFOLLOW) as such.
std::string file_trust_problem(const struct stat& st, const std::string& shown_path);
std::string folder_trust_problem(const struct stat& dir_st, const std::string& dir,
                                 const std::string& shown_path);
Error open_error(int err, const std::string& shown_path);

// Reads a file that decides what runs as root: not a symlink, a regular file, owned by root,
// not group/other-writable, in a folder that is owned by root and not group/other-writable.
// ENOENT is reported through `errno_out` so the caller can treat a missing file as absent.
Result<std::string> read_trusted_file(const std::string& path, int* errno_out = nullptr);

// The same, relative to an open directory, never following a symlink for `name`.
Result<std::string> read_trusted_file_at(int dir_fd, const std::string& name,
                                         const std::string& shown_path, int* errno_out = nullptr);

}  // namespace runcwrap
