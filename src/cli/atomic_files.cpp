#include "cli/atomic_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <utility>

#include "cli/sha256.hpp"
#include "common/fs.hpp"
#include "common/unique_fd.hpp"

namespace runcwrap::files {
namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
    return make_error("cannot " + what + " " + path + ": " + errno_text(err));
}

std::string basename_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The temp file beside `dest`; removed when it goes out of scope unless committed. While it
// exists, SIGINT, SIGTERM and SIGHUP wait (blocked): one that comes then ends the install
// after the temp file is renamed or removed, so an interrupted install never leaves one behind
// (install.sh's EXIT trap did the same).
class TempBeside {
  public:
    explicit TempBeside(const std::string& dest)
        : path_(dirname_of(dest) + "/." + basename_of(dest) + ".install." +
                std::to_string(::getpid())) {
        sigset_t stops;
        sigemptyset(&stops);
        for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&stops, sig);
        ::sigprocmask(SIG_BLOCK, &stops, &saved_mask_);
        ::unlink(path_.c_str());
    }
    TempBeside(const TempBeside&) = delete;
    TempBeside& operator=(const TempBeside&) = delete;
    ~TempBeside() {
        if (!committed_) ::unlink(path_.c_str());
        ::sigprocmask(SIG_SETMASK, &saved_mask_, nullptr);
    }
    const std::string& path() const { return path_; }
    // Renames the temp file over `dest`, then syncs the folder: the rename itself is durable.
    Status commit_to(const std::string& dest) {
        if (::rename(path_.c_str(), dest.c_str()) != 0) return io_error("rename to", dest, errno);
        committed_ = true;
        const std::string folder = dirname_of(dest);
        UniqueFd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir.valid() || ::fsync(dir.get()) != 0) return io_error("sync folder", folder, errno);
        return ok_status();
    }

  private:
    std::string path_;
    bool committed_ = false;
    sigset_t saved_mask_{};
};

bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Gives the open temp file its mode and owner, syncs it, closes it and renames it over `dest`.
// Closed before the rename, never after: a file still open for writing cannot be exec'd
// (ETXTBSY), and the moment it has the binary's name the shim may exec it (measured: a
// `ctr task delete` failed "fork/exec …/runc: text file busy" during an upgrade under load).
struct Owner {
    uid_t uid = 0;
    gid_t gid = 0;
};
constexpr Owner kRoot{0, 0};

Status finish_file(TempBeside& tmp, UniqueFd fd, const std::string& dest, mode_t mode,
                   std::optional<Owner> owner) {
    if (::fchmod(fd.get(), mode) != 0) return io_error("chmod", tmp.path(), errno);
    if (owner && ::fchown(fd.get(), owner->uid, owner->gid) != 0)
        return io_error("chown", tmp.path(), errno);
    if (::fsync(fd.get()) != 0) return io_error("sync", tmp.path(), errno);
    if (::close(fd.release()) != 0) return io_error("close", tmp.path(), errno);
    return tmp.commit_to(dest);
}

// Reads `fd` to its end, handing each chunk to `take` (a Status: an error stops the read).
template <typename Take>
Status read_chunks(int fd, const std::string& path, Take take) {
    char buf[65536];
    while (true) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("read", path, errno);
        if (n == 0) return ok_status();
        if (auto st = take(std::string_view(buf, static_cast<std::size_t>(n))); !st) return st;
    }
}

UniqueFd create_temp(const TempBeside& tmp) {
    return UniqueFd(
        ::open(tmp.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
}

std::string mode_string(mode_t m) {
    std::string s = S_ISDIR(m)    ? "d"
                    : S_ISLNK(m)  ? "l"
                    : S_ISCHR(m)  ? "c"
                    : S_ISBLK(m)  ? "b"
                    : S_ISFIFO(m) ? "p"
                    : S_ISSOCK(m) ? "s"
                                  : "-";
    const char* rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i) s += (m & (0400 >> i)) ? rwx[i] : '-';
    if (m & S_ISUID) s[3] = (m & S_IXUSR) ? 's' : 'S';
    if (m & S_ISGID) s[6] = (m & S_IXGRP) ? 's' : 'S';
    if (m & S_ISVTX) s[9] = (m & S_IXOTH) ? 't' : 'T';
    return s;
}

std::string user_name(uid_t uid) {
    const struct passwd* pw = ::getpwuid(uid);
    return pw ? pw->pw_name : std::to_string(uid);
}
std::string group_name(gid_t gid) {
    const struct group* gr = ::getgrgid(gid);
    return gr ? gr->gr_name : std::to_string(gid);
}

}  // namespace

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}
bool is_symlink(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}
bool is_regular(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
bool is_folder(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_executable(const std::string& path) {
    return exists(path) && ::access(path.c_str(), X_OK) == 0;
}
bool present(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}
bool same_file(const std::string& a, const std::string& b) {
    struct stat sa {
    }, sb{};
    return ::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

bool same_bytes(const std::string& a, const std::string& b) {
    auto ta = read_file(a, nullptr, 256u << 20);
    auto tb = read_file(b, nullptr, 256u << 20);
    return ta && tb && *ta == *tb;
}

std::optional<std::string> link_target(const std::string& path) {
    char buf[4096];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n < 0 || static_cast<std::size_t>(n) >= sizeof buf) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
}

Result<std::string> sha256_of_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) return io_error("read", path, errno);
    Sha256 hash;
    if (auto st = read_chunks(fd.get(), path,
                              [&](std::string_view chunk) {
                                  hash.update(chunk);
                                  return ok_status();
                              });
        !st)
        return st.error();
    return hash.hex_digest();
}

std::optional<std::string> mode_and_owner(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    char mode[16];
    std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(st.st_mode & 07777));
    return std::string(mode) + " " + std::to_string(st.st_uid) + " " + std::to_string(st.st_gid);
}

std::string describe_file(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return path + ": " + errno_text(errno);
    std::string name = "'" + path + "'";
    if (S_ISLNK(st.st_mode)) name += " -> '" + link_target(path).value_or("?") + "'";
    return mode_string(st.st_mode) + " " + user_name(st.st_uid) + ":" + group_name(st.st_gid) +
           " " + std::to_string(st.st_size) + " bytes " + name;
}

namespace {
Status write_text(const std::string& dest, std::string_view text, mode_t mode,
                  std::optional<Owner> owner) {
    TempBeside tmp(dest);
    UniqueFd fd = create_temp(tmp);
    if (!fd.valid()) return io_error("create", tmp.path(), errno);
    if (!write_all(fd.get(), text.data(), text.size())) return io_error("write", tmp.path(), errno);
    return finish_file(tmp, std::move(fd), dest, mode, owner);
}
}  // namespace

Status replace_with_text(const std::string& dest, const std::string& text, mode_t mode,
                         bool as_root) {
    return write_text(dest, text, mode, as_root ? std::optional(kRoot) : std::nullopt);
}

Status edit_with_text(const std::string& dest, std::string_view text, mode_t new_mode) {
    struct stat old {};
    if (::stat(dest.c_str(), &old) != 0) return write_text(dest, text, new_mode, std::nullopt);
    // Only root can give a file away; anyone else writes it as themselves (a staged tree).
    const auto owner =
        ::geteuid() == 0 ? std::optional(Owner{old.st_uid, old.st_gid}) : std::nullopt;
    return write_text(dest, text, old.st_mode & 07777, owner);
}

Status replace_with_copy(const std::string& dest, const std::string& source, mode_t mode,
                         bool as_root) {
    UniqueFd in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in.valid()) return io_error("read", source, errno);
    TempBeside tmp(dest);
    UniqueFd fd = create_temp(tmp);
    if (!fd.valid()) return io_error("create", tmp.path(), errno);
    if (auto st = read_chunks(in.get(), source,
                              [&](std::string_view chunk) {
                                  return write_all(fd.get(), chunk.data(), chunk.size())
                                             ? ok_status()
                                             : Status(io_error("write", tmp.path(), errno));
                              });
        !st)
        return st;
    return finish_file(tmp, std::move(fd), dest, mode,
                       as_root ? std::optional(kRoot) : std::nullopt);
}

Status replace_with_symlink(const std::string& dest, const std::string& target, bool as_root) {
    TempBeside tmp(dest);
    if (::symlink(target.c_str(), tmp.path().c_str()) != 0)
        return io_error("create", tmp.path(), errno);
    if (as_root && ::lchown(tmp.path().c_str(), 0, 0) != 0)
        return io_error("chown", tmp.path(), errno);
    return tmp.commit_to(dest);
}

Status make_folder(const std::string& path, bool as_root) {
    if (::mkdir(path.c_str(), 0755) != 0) return io_error("create", path, errno);
    if (as_root && ::lchown(path.c_str(), 0, 0) != 0) return io_error("chown", path, errno);
    return ok_status();
}

Status make_folders(const std::string& path, std::vector<std::string>* created) {
    for (std::size_t slash = 1; slash != std::string::npos;) {
        slash = path.find('/', slash + 1);
        const std::string level = path.substr(0, slash);
        if (::mkdir(level.c_str(), 0755) == 0) {
            if (created) created->push_back(level);
        } else if (errno != EEXIST) {
            return io_error("create", level, errno);
        }
    }
    return ok_status();
}

Status set_mode_and_owner(const std::string& path, mode_t mode, bool as_root) {
    if (::chmod(path.c_str(), mode) != 0) return io_error("chmod", path, errno);
    if (as_root && ::lchown(path.c_str(), 0, 0) != 0) return io_error("chown", path, errno);
    return ok_status();
}

Status rename_path(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) return io_error("move " + from + " to", to, errno);
    return ok_status();
}

Status remove_file(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("remove", path, errno);
    return ok_status();
}

bool remove_empty_folder(const std::string& path) { return ::rmdir(path.c_str()) == 0; }

bool folder_is_empty(const std::string& path) {
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return true;  // as `ls -A` that fails: nothing listed
    bool empty = true;
    while (const struct dirent* e = ::readdir(dir)) {
        const std::string_view name = e->d_name;
        if (name != "." && name != "..") {
            empty = false;
            break;
        }
    }
    ::closedir(dir);
    return empty;
}

}  // namespace runcwrap::files
