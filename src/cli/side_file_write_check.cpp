#include "cli/side_file_write_check.hpp"

#include <sys/stat.h>

#include "common/fs.hpp"
#include "wrapper/side_file_read.hpp"

namespace runcwrap {
namespace {

std::int64_t ns_of(const struct timespec& t) {
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

}  // namespace

SideFileWriteVerdict judge_side_file_write(const std::string& path, std::int64_t file_mtime_ns,
                                           std::int64_t dir_mtime_ns) {
    SideFileWriteVerdict v;
    const std::string dir = dirname_of(path);
    if (file_mtime_ns <= dir_mtime_ns) {
        v.detail = path + " was last written before it got its name in " + dir +
                   " (as an atomic replace leaves it)";
        return v;
    }
    const std::int64_t after_ms = (file_mtime_ns - dir_mtime_ns) / 1'000'000;
    v.written_in_place = true;
    v.detail = path + " was last rewritten in place (its content changed " +
               std::to_string(after_ms) + " ms after the last change of " + dir +
               "): a writer that truncates it and then writes can be read half-way; runcwrap "
               "waits until such a file has been unchanged for " +
               std::to_string(kSideFileSettleNs / 1'000'000) +
               " ms, but a writer that pauses longer mid-way is read as it stands";
    v.fix =
        "write it atomically: a temp file in the same folder, then rename, e.g. "
        "runcwrap import-containerd-config --write, or: cat > " +
        path +
        ".new <<'EOF' ... "
        "EOF && mv " +
        path + ".new " + path;
    return v;
}

std::optional<SideFileWriteVerdict> check_side_file_write(const std::string& path) {
    struct stat st {
    }, dst{};
    if (::lstat(path.c_str(), &st) != 0 || ::stat(dirname_of(path).c_str(), &dst) != 0)
        return std::nullopt;
    return judge_side_file_write(path, ns_of(st.st_mtim), ns_of(dst.st_mtim));
}

}  // namespace runcwrap
