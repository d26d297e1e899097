// Reading the side file on the hot path without ever acting on a half-written one.
//
// A writer that replaces the file atomically (a temp file in the same folder, then rename) can
// only ever show runcwrap the old file or the new one. A writer that rewrites it in place
// (`echo ... > config.toml`, `cp`, many scripts and some editors: truncate, then write) shows,
// for as long as it writes, an empty file and then every prefix of the new one, and some of
// those prefixes are valid, smaller configurations. runcwrap cannot see a writer, only the
// file's timestamps, so it reads a file only once it has been quiet long enough:
//
//   * Every write (and nearly every truncate: see below) sets the inode's mtime and ctime to
//     "now"; the folder's
//     mtime does not move (an in-place rewrite changes no directory entry). A file whose ctime
//     is newer than its folder's mtime was changed in place; it is read only once its ctime is
//     kSideFileSettleNs old: no writer that pauses less than that (less one tick of the coarse
//     clock file times come from, a few ms) between two of its writes can be caught mid-way.
//   * rename(2) sets the folder's mtime and the renamed inode's ctime in the same operation (on
//     this kernel to the same timestamp), so after an atomic replace the folder's mtime is >= the
//     file's ctime. Such a file was complete when it got its name; it needs only
//     kSideFileLinkedSettleNs of quiet. The one in-place writer that looks the same is one that
//     creates a new file at the path and writes it within one timestamp tick of creating it:
//     it can be seen mid-way only if it then pauses longer than kSideFileLinkedSettleNs.
//   * A truncate is the exception: on Linux 6.18 (ext4, multigrain timestamps) an O_TRUNC that
//     races another process's fstat of the file sometimes leaves mtime and ctime where they
//     were (measured here: 22 of 200 truncates with a reader polling every 0.2 ms; not one of
//     334000 reads of a partly written file missed a write's update). What a truncate leaves
//     is the empty file, so an empty read is never quiet on timestamps: it must be seen empty
//     twice, kSideFileSettleNs apart (and an empty side file is refused anyway).
//   * A missing file whose folder changed within kSideFileSettleNs may be a file being replaced
//     by `rm` + write: that is waited for too, never taken as "no side file".
//   * ctime cannot be set by any user (utimensat sets mtime; ctime follows the clock), so an old
//     ctime really means an old change. A clock stepped back makes every ctime look new: then
//     two reads kSideFileSettleNs apart that see the same inode, timestamps and bytes count as
//     quiet instead.
// The common case (unchanged for a while) is one open, read, fstat and the folder's stat (the
// trust check needs it anyway) and one clock_gettime: no sleep. A file that stays unquiet for
// kSideFileWaitLimitNs is an error that names the file and says to write it atomically.
// A writer that pauses longer than the settle time mid-way can still show a prefix; that prefix
// is acted on only if it is itself a complete side file (an empty file and an [options] table
// without BinaryName are errors: side_config.hpp), and `runcwrap doctor` warns about a side file
// last written in place (side_file_write_check.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "common/file_identity.hpp"
#include "common/result.hpp"

namespace runcwrap {

inline constexpr std::int64_t kSideFileSettleNs = 100'000'000;       // changed in place
inline constexpr std::int64_t kSideFileLinkedSettleNs = 10'000'000;  // put there by a rename
inline constexpr std::int64_t kSideFileWaitLimitNs = 2'000'000'000;
// A side file is a few hundred bytes; anything near this is not one.
inline constexpr std::size_t kMaxSideFileBytes = 1u << 20;

// What one read saw: the inode (fstat after the read) and its folder (stat).
struct SideFileStamp {
    FileIdentity identity;
    std::int64_t size = 0;
    std::uint64_t nlink = 1;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
    std::int64_t dir_mtime_ns = 0;
    friend bool operator==(const SideFileStamp&, const SideFileStamp&) = default;
};

// How long the file must still stay unchanged before `bytes_read` of it may be acted on, at
// wall-clock time `now_ns`; 0 = now. Pure.
std::int64_t side_file_wait_ns(const SideFileStamp& stamp, std::size_t bytes_read,
                               std::int64_t now_ns);

// The same for a side file that does not exist, from its folder's mtime (nullopt: no folder).
std::int64_t missing_side_file_wait_ns(std::int64_t dir_mtime_ns, std::int64_t now_ns);

// The side file's bytes once quiet, with the trust checks of read_trusted_file (fs.hpp). A
// missing file (and folder quiet) is ENOENT in `errno_out`.
Result<std::string> read_side_file(const std::string& path, int* errno_out = nullptr);

}  // namespace runcwrap
