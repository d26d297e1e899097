#include "harness.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

extern char** environ;

namespace itest {
namespace {

std::string required_env(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v) {
        std::fprintf(stderr,
                     "integration tests: env %s is not set (run them with `make integration`)\n",
                     name);
        std::abort();
    }
    return v;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            auto hex = [](char c) {
                return c >= '0' && c <= '9'   ? c - '0'
                       : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                              : c - 'a' + 10;
            };
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

const std::string& runcwrap_bin() {
    static const std::string v = required_env("RUNCWRAP_BIN");
    return v;
}
const std::string& probe_bin() {
    static const std::string v = required_env("PROBE_BIN");
    return v;
}
const std::string& samples_dir() {
    static const std::string v = required_env("SAMPLES_DIR");
    return v;
}

Pipe make_pipe() {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return Pipe{Fd(p[0]), Fd(p[1])};
}

TempDir::TempDir() {
    char tmpl[] = "/tmp/runcwrap-it.XXXXXX";
    if (!::mkdtemp(tmpl)) {
        ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
        return;
    }
    path_ = tmpl;
    // /tmp is 1777 and mkdtemp gives 0700: runcwrap trusts only root-owned, 0755 folders, and a
    // container's mapped uid must be able to walk down to its rootfs.
    if (::chown(path_.c_str(), 0, 0) != 0 || ::chmod(path_.c_str(), 0755) != 0)
        ADD_FAILURE() << "chown/chmod " << path_ << ": " << std::strerror(errno);
}

TempDir::~TempDir() {
    if (path_.empty()) return;
    if (std::getenv("ITEST_KEEP")) {
        std::fprintf(stderr, "kept %s\n", path_.c_str());
        return;
    }
    ::nftw(
        path_.c_str(),
        [](const char* p, const struct stat* st, int, struct FTW*) {
            return S_ISDIR(st->st_mode) ? ::rmdir(p) : ::unlink(p), 0;
        },
        64, FTW_DEPTH | FTW_PHYS);
}

void make_dirs(const std::string& path, mode_t mode) {
    std::string cur;
    std::size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        cur = path.substr(0, pos);
        if (cur.empty()) continue;
        if (::mkdir(cur.c_str(), mode) == 0) {
            ::chmod(cur.c_str(), mode);
        } else if (errno != EEXIST) {
            ADD_FAILURE() << "mkdir " << cur << ": " << std::strerror(errno);
            return;
        }
    }
}

void write_file(const std::string& path, std::string_view content, mode_t mode, uid_t uid,
                gid_t gid) {
    make_dirs(path.substr(0, path.rfind('/')));
    ::unlink(path.c_str());
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) {
        ADD_FAILURE() << "open " << path << ": " << std::strerror(errno);
        return;
    }
    if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
        ADD_FAILURE() << "write " << path;
    if (::fchown(fd.get(), uid, gid) != 0 || ::fchmod(fd.get(), mode) != 0)
        ADD_FAILURE() << "fchown/fchmod " << path << ": " << std::strerror(errno);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool path_exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

struct stat stat_of(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        ADD_FAILURE() << "stat " << path << ": " << std::strerror(errno);
    return st;
}

struct stat fstat_of(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) ADD_FAILURE() << "fstat " << fd << ": " << std::strerror(errno);
    return st;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    if (from.empty()) return text;
    std::size_t pos = 0;
    while ((pos = text.find(from, pos)) != std::string::npos) {
        text.replace(pos, from.size(), to);
        pos += to.size();
    }
    return text;
}

std::string install_runcwrap(const std::string& bin_dir, Install how, const std::string& name) {
    make_dirs(bin_dir);
    std::string dest = bin_dir + "/" + name;
    ::unlink(dest.c_str());
    if (how == Install::Symlink) {
        if (::symlink(runcwrap_bin().c_str(), dest.c_str()) != 0)
            ADD_FAILURE() << "symlink " << dest << ": " << std::strerror(errno);
    } else {
        write_file(dest, read_file(runcwrap_bin()), 0755);
    }
    return dest;
}

void install_probe(const std::string& path) { write_file(path, read_file(probe_bin()), 0755); }

void write_script(const std::string& path, std::string_view body) {
    write_file(path, "#!/bin/sh\n" + std::string(body), 0755);
}

Exit run(const Spawn& s) {
    std::vector<char*> argv;
    for (const auto& a : s.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : s.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid < 0) {
        ADD_FAILURE() << "fork: " << std::strerror(errno);
        return {};
    }
    if (pid == 0) {
        // Only async-signal-safe calls from here on. First move every source fd above the
        // targets, so that a source that is also a target number cannot be clobbered.
        int moved[64];
        int targets[64];
        int n = 0;
        for (const auto& [target, source] : s.fds) {
            if (n == 64) ::_exit(126);
            targets[n] = target;
            moved[n] = source < 0 ? -1 : ::fcntl(source, F_DUPFD_CLOEXEC, 1000);
            if (source >= 0 && moved[n] < 0) ::_exit(126);
            ++n;
        }
        for (int i = 0; i < n; ++i)
            if (moved[i] >= 0 && ::dup2(moved[i], targets[i]) < 0) ::_exit(126);
        // Close everything that is not a target (the moved copies are CLOEXEC anyway).
        for (int fd = 0; fd < 1000; ++fd) {
            bool keep = false;
            for (int i = 0; i < n; ++i) keep = keep || (targets[i] == fd && moved[i] >= 0);
            if (!keep) ::close(fd);
        }
        ::syscall(SYS_close_range, 1000u, ~0u, 0u);
        if (!s.cwd.empty() && ::chdir(s.cwd.c_str()) != 0) ::_exit(126);
        ::signal(SIGPIPE, SIG_DFL);
        ::execve(s.path.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    Exit e;
    if (WIFEXITED(status)) e.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
    return e;
}

std::string drain(int fd) {
    int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::fcntl(fd, F_SETFL, flags);
    return out;
}

std::string read_until_eof(int fd, int timeout_ms) {
    std::string out;
    char buf[4096];
    for (;;) {
        struct pollfd p {
            fd, POLLIN, 0
        };
        int r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            ADD_FAILURE() << "no EOF on fd " << fd << " within " << timeout_ms
                          << " ms; got: " << out;
            return out;
        }
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return out;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

Captured run_captured(Spawn s) {
    Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    Pipe out = make_pipe();
    Pipe err = make_pipe();
    s.fds.try_emplace(0, devnull.get());
    bool own_out = s.fds.try_emplace(1, out.write.get()).second;
    bool own_err = s.fds.try_emplace(2, err.write.get()).second;
    Captured c;
    c.exit = run(s);
    out.write.reset();
    err.write.reset();
    if (own_out) c.out = drain(out.read.get());
    if (own_err) c.err = drain(err.read.get());
    return c;
}

std::optional<std::string> ProbeCall::getenv(std::string_view name) const {
    for (const auto& e : env)
        if (e.size() > name.size() && e[name.size()] == '=' && starts_with(e, name))
            return e.substr(name.size() + 1);
    return std::nullopt;
}

std::vector<ProbeCall> read_probe_records(const std::string& path) {
    std::vector<ProbeCall> calls;
    std::istringstream in(read_file(path));
    std::string line;
    ProbeCall* cur = nullptr;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string key;
        ls >> key;
        if (key == "BEGIN") {
            calls.emplace_back();
            cur = &calls.back();
            ls >> cur->pid;
            continue;
        }
        if (!cur) {
            ADD_FAILURE() << path << ": line outside a record: " << line;
            continue;
        }
        std::string rest;
        auto text_after = [&](std::size_t skip_words) {
            std::size_t pos = 0;
            for (std::size_t i = 0; i < skip_words; ++i) pos = line.find(' ', pos) + 1;
            return percent_decode(std::string_view(line).substr(pos));
        };
        if (key == "exe") {
            cur->exe = text_after(1);
        } else if (key == "arg") {
            cur->argv.push_back(text_after(2));
        } else if (key == "env") {
            cur->env.push_back(text_after(1));
        } else if (key == "cwd") {
            cur->cwd = text_after(1);
        } else if (key == "fd") {
            int fd = -1;
            ls >> fd;
            cur->fds[fd].target = text_after(2);
        } else if (key == "fdstat") {
            int fd = -1;
            ProbeFd& f = cur->fds[fd = (ls >> fd, fd)];
            std::string mode;
            ls >> f.type >> f.uid >> f.gid >> mode >> f.dev >> f.ino;
            f.mode = static_cast<unsigned>(std::stoul(mode, nullptr, 8));
        } else if (key == "END") {
            ls >> cur->exit;
            cur = nullptr;
        } else {
            ADD_FAILURE() << path << ": unknown record line: " << line;
        }
    }
    if (cur) ADD_FAILURE() << path << ": record without END";
    return calls;
}

std::string identity_hex(const std::string& path) {
    struct stat st = stat_of(path);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%llx.%llx", static_cast<unsigned long long>(st.st_dev),
                  static_cast<unsigned long long>(st.st_ino));
    return buf;
}

std::vector<std::string> sample_calls(const std::string& dir) {
    std::vector<std::string> files;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (struct dirent* de = ::readdir(d)) {
            std::string name = de->d_name;
            if (name.size() > 4 && name.substr(name.size() - 4) == ".txt" && name[0] >= '0' &&
                name[0] <= '9')
                files.push_back(dir + "/" + name);
        }
        ::closedir(d);
    }
    std::sort(files.begin(), files.end());
    return files;
}

SampleCall parse_sample(const std::string& path) {
    SampleCall c;
    c.file = path;
    std::istringstream in(read_file(path));
    std::string line;
    bool in_env = false;
    SampleFd* last_fd = nullptr;
    bool next_is_process = false;
    while (std::getline(in, line)) {
        if (next_is_process) {
            c.process_json = line;
            next_is_process = false;
            continue;
        }
        if (starts_with(line, "## ")) in_env = false;
        if (starts_with(line, "argv[")) {
            c.argv.push_back(line.substr(line.find("]=") + 2));
        } else if (starts_with(line, "## cwd: ")) {
            c.cwd = line.substr(8);
        } else if (starts_with(line, "## environment exactly as received")) {
            in_env = true;
        } else if (in_env) {
            c.env.push_back(line);
        } else if (starts_with(line, "## fd ")) {
            SampleFd f;
            f.fd = std::stoi(line.substr(6));
            auto arrow = line.find(" -> ");
            f.target = line.substr(arrow + 4);
            if (auto comma = f.target.find(','); comma != std::string::npos) f.target.resize(comma);
            c.fds.push_back(f);
            last_fd = &c.fds.back();
        } else if (starts_with(line, "   stat -L:") && last_fd) {
            auto num = [&](std::string_view key) {
                auto p = line.find(key);
                return p == std::string::npos
                           ? 0u
                           : static_cast<unsigned>(std::stoul(line.substr(p + key.size())));
            };
            last_fd->uid = num("owner_uid=");
            last_fd->gid = num("owner_gid=");
        } else if (starts_with(line, "## --process file ")) {
            c.process_file = line.substr(18);
            if (!c.process_file.empty() && c.process_file.back() == ':') c.process_file.pop_back();
            next_is_process = true;
        } else if (starts_with(line, "## options.json: [")) {
            c.options_json = line.substr(18, line.size() - 19);
        }
    }
    return c;
}

std::string StateTree::make_bundle(const std::string& id, const std::string& options_json,
                                   const std::string& config_json) const {
    std::string b = bundle(id);
    make_dirs(b, 0711);
    if (!options_json.empty()) write_file(b + "/options.json", options_json, 0600);
    write_file(b + "/config.json", config_json, 0644);
    return b;
}

StateTree make_state_tree(const std::string& root, const std::string& ns) {
    StateTree t;
    t.task_dir = root + "/state/io.containerd.runtime.v2.task/" + ns;
    make_dirs(t.task_dir, 0711);
    return t;
}

std::string spec_json(const SpecOptions& o) {
    std::string s = R"({"ociVersion":"1.0.2","process":{"user":{"uid":)" + std::to_string(o.uid) +
                    R"(,"gid":)" + std::to_string(o.gid) +
                    R"(},"args":["/bin/sh"],"cwd":"/"},"root":{"path":"rootfs"},)";
    if (!o.sandbox_id.empty())
        s +=
            R"("annotations":{"io.kubernetes.cri.container-type":"container","io.kubernetes.cri.sandbox-id":")" +
            o.sandbox_id + R"("},)";
    s += R"("linux":{"namespaces":[{"type":"pid"},{"type":"mount"})";
    if (o.user_namespace) s += R"(,{"type":"user"})";
    s += "]";
    if (o.user_namespace)
        s += R"(,"uidMappings":)" + o.uid_mappings + R"(,"gidMappings":)" + o.gid_mappings;
    s += "}}";
    return s;
}

std::vector<std::string> base_env(const std::vector<std::string>& drop) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        std::string_view v = *e;
        bool skip = false;
        for (const auto& d : drop)
            skip = skip || (starts_with(v, d) && v.size() > d.size() && v[d.size()] == '=');
        if (!skip) env.emplace_back(v);
    }
    return env;
}

void make_busybox_rootfs(const std::string& rootfs, const std::vector<std::string>& applets,
                         uid_t uid, gid_t gid) {
    for (const char* d : {"/bin", "/proc", "/dev", "/tmp"}) make_dirs(rootfs + d);
    write_file(rootfs + "/bin/busybox", read_file("/bin/busybox"), 0755);
    for (const std::string& applet : applets)
        ASSERT_EQ(::symlink("busybox", (rootfs + "/bin/" + applet).c_str()), 0) << applet;
    Spawn chown{"/bin/chown",
                {"chown", "-hR", std::to_string(uid) + ":" + std::to_string(gid), rootfs},
                {"PATH=/usr/bin:/bin"},
                "",
                {}};
    Captured c = run_captured(chown);
    ASSERT_EQ(c.exit.code, 0) << c.err;
}

}  // namespace itest
