// doctor's check "side-file-write": was the side file's last change made atomically?
//
// The signal: an in-place rewrite (truncate, then write: `echo > f`, `cp`, `cat > f`, some
// editors) changes the file's content but no entry of its folder, so it leaves the file's mtime
// newer than the folder's. An atomic replace (a temp file in the same folder, then rename) sets
// the folder's mtime when the new file gets its name, after its last write: file mtime <= folder
// mtime. So "file mtime > folder mtime" proves the content was written after the file was put
// in place. The converse is not proof: a later change of another entry in the folder moves its
// mtime too, and a file created at the path and written within one timestamp tick looks atomic.
// chmod/chown move only ctime, so fixing permissions after an atomic write is no false alarm.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace runcwrap {

struct SideFileWriteVerdict {
    bool written_in_place = false;
    std::string detail;
    std::string fix;  // "" when nothing to fix
};

// Pure: from the side file's mtime and its folder's mtime.
SideFileWriteVerdict judge_side_file_write(const std::string& path, std::int64_t file_mtime_ns,
                                           std::int64_t dir_mtime_ns);

// Stats the file and its folder; nullopt when either cannot be stat'ed (the side-file check
// reports that).
std::optional<SideFileWriteVerdict> check_side_file_write(const std::string& path);

}  // namespace runcwrap
