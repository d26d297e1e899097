#include "common/fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace runcwrap {

std::string errno_text(int err) { return std::strerror(err); }

std::string dirname_of(std::string_view path) {
    while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return ".";
    if (slash == 0) return "/";
    return std::string(path.substr(0, slash));
}

std::string absolute_path(std::string_view path, std::string_view cwd) {
    if (!path.empty() && path[0] == '/') return std::string(path);
    std::string out(cwd);
    if (path.empty() || path == ".") return out;
    if (out.empty() || out.back() != '/') out += '/';
    out += path;
    return out;
}

std::string absolute_path(std::string_view path) {
    if (!path.empty() && path[0] == '/') return std::string(path);
    return absolute_path(path, current_dir());
}

// Out of line: inlined into absolute_path, its 4 KiB buffer would sit in that frame on every
// call, relative path or not, and push the stack a page deeper.
[[gnu::noinline]] std::string current_dir() {
    char buf[4096];
    if (::getcwd(buf, sizeof buf)) return buf;
    return ".";
}

int open_path(const char* path, int flags, mode_t mode) {
    return ::openat(AT_FDCWD, path, flags, mode);
}

namespace {

Error too_large(std::string_view path, std::size_t limit) {
    return make_error(std::string(path) + ": larger than " + std::to_string(limit >> 20) + " MiB");
}

}  // namespace

Result<std::string> read_fd(int fd, std::string_view path, std::size_t limit,
                            const struct stat* known) {
    struct stat st {};
    if (known)
        st = *known;
    else if (::fstat(fd, &st) != 0)
        st.st_mode = 0;
    // Read straight into the result, sized by fstat plus one byte, so that the usual file takes
    // one read, with no bounce buffer to fault in. Files that report no size (/proc) or grow
    // meanwhile make the buffer grow.
    std::size_t capacity = 4096;
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        if (static_cast<std::size_t>(st.st_size) > limit) return too_large(path, limit);
        capacity = static_cast<std::size_t>(st.st_size) + 1;
    }
    std::string out(capacity, '\0');
    std::size_t used = 0;
    for (;;) {
        if (used == out.size()) {
            if (used > limit) return too_large(path, limit);
            out.resize(std::min(out.size() * 2, limit + 1));
        }
        ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return make_error(std::string(path) + ": read: " + errno_text(errno));
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
        // A regular file's read comes up short only at its end: no second read to hear so.
        if (S_ISREG(st.st_mode) && used < out.size()) break;
    }
    if (used > limit) return too_large(path, limit);
    out.resize(used);
    return out;
}

Result<std::string> read_file(const std::string& path, int* errno_out, std::size_t limit) {
    UniqueFd fd(open_path(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid()) {
        int err = errno;
        if (errno_out) *errno_out = err;
        return make_error(path + ": " + errno_text(err));
    }
    return read_fd(fd.get(), path, limit);
}

std::string untrusted_reason(const struct stat& st, std::string_view what) {
    if (st.st_uid != 0)
        return std::string(what) + " is owned by uid " + std::to_string(st.st_uid) + ", not root";
    if (st.st_mode & S_IWGRP) return std::string(what) + " is writable by its group";
    if (st.st_mode & S_IWOTH) return std::string(what) + " is writable by others";
    return {};
}

std::string file_trust_problem(const struct stat& st, const std::string& shown_path) {
    if (!S_ISREG(st.st_mode)) return shown_path + " is not a regular file";
    if (auto why = untrusted_reason(st, shown_path); !why.empty())
        return why + "; fix: chown root:root " + shown_path + " && chmod go-w " + shown_path;
    return {};
}

std::string folder_trust_problem(const struct stat& dir_st, const std::string& dir,
                                 const std::string& shown_path) {
    if (auto why = untrusted_reason(dir_st, "folder " + dir); !why.empty())
        return why + " (it holds " + shown_path + "); fix: chown root:root " + dir +
               " && chmod go-w " + dir;
    return {};
}

Error open_error(int err, const std::string& shown_path) {
    if (err == ELOOP)
        return make_error(shown_path +
                          " is a symlink; runcwrap reads only the real file (fix: point at it "
                          "directly)");
    return make_error(shown_path + ": " + errno_text(err));
}

namespace {

Result<std::string> read_trusted_fd(UniqueFd fd, const std::string& shown_path) {
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return make_error(shown_path + ": " + errno_text(errno));
    if (auto problem = file_trust_problem(st, shown_path); !problem.empty())
        return make_error(problem);
    return read_fd(fd.get(), shown_path, kMaxInputBytes, &st);
}

Result<std::string> open_failed(int err, const std::string& shown_path, int* errno_out) {
    if (errno_out) *errno_out = err;
    return open_error(err, shown_path);
}

}  // namespace

Result<std::string> read_trusted_file(const std::string& path, int* errno_out) {
    UniqueFd fd(open_path(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW));
    if (!fd.valid()) return open_failed(errno, path, errno_out);
    std::string dir = dirname_of(path);
    struct stat dst {};
    if (::stat(dir.c_str(), &dst) != 0) return make_error(dir + ": " + errno_text(errno));
    if (auto problem = folder_trust_problem(dst, dir, path); !problem.empty())
        return make_error(problem);
    return read_trusted_fd(std::move(fd), path);
}

Result<std::string> read_trusted_file_at(int dir_fd, const std::string& name,
                                         const std::string& shown_path, int* errno_out) {
    UniqueFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW));
    if (!fd.valid()) return open_failed(errno, shown_path, errno_out);
    return read_trusted_fd(std::move(fd), shown_path);
}

}  // namespace runcwrap
