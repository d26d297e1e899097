#include "doctor.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <cstdio>
#include <optional>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "containerd_config.hpp"
#include "fs.hpp"
#include "runtime_resolve.hpp"
#include "side_config.hpp"
#include "side_file_write_check.hpp"
#include "unique_fd.hpp"

extern char** environ;

namespace runcwrap {
namespace {

// Runs argv with a time limit; returns its stdout+stderr and exit status.
struct Output {
    int status = -1;
    std::string text;
};

Output run_capture(const std::vector<std::string>& argv, int timeout_ms) {
    Output out;
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return out;
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    write_end.reset();
    if (rc != 0) {
        out.text = errno_text(rc);
        return out;
    }
    struct timespec start{};
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    char buf[4096];
    for (;;) {
        struct timespec now{};
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= timeout_ms) {
            ::kill(pid, SIGKILL);
            out.text += " (timed out)";
            break;
        }
        struct pollfd p{read_end.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout_ms - elapsed)) <= 0) continue;
        ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n <= 0) break;
        if (out.text.size() < 65536) out.text.append(buf, static_cast<std::size_t>(n));
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

struct Containerd {
    int pid = 0;
    std::string path_env;
    bool has_path = false;
    std::string exe;
};

// The running containerd: its PATH is the one its shims (and so runc) inherit.
std::optional<Containerd> find_containerd(int only_pid) {
    DIR* proc = ::opendir("/proc");
    if (!proc) return std::nullopt;
    std::optional<Containerd> found;
    while (struct dirent* e = ::readdir(proc)) {
        int pid = 0;
        auto [end, ec] = std::from_chars(e->d_name, e->d_name + std::strlen(e->d_name), pid);
        if (ec != std::errc{} || *end != '\0') continue;
        if (only_pid != 0 && pid != only_pid) continue;
        auto comm = read_file("/proc/" + std::to_string(pid) + "/comm");
        if (!comm || *comm != "containerd\n") continue;
        Containerd c;
        c.pid = pid;
        if (auto env = read_file("/proc/" + std::to_string(pid) + "/environ")) {
            for (std::size_t i = 0; i < env->size();) {
                std::size_t z = env->find('\0', i);
                std::string_view var(env->data() + i, (z == std::string::npos ? env->size() : z) - i);
                if (var.substr(0, 5) == "PATH=") {
                    c.path_env = std::string(var.substr(5));
                    c.has_path = true;
                }
                if (z == std::string::npos) break;
                i = z + 1;
            }
        }
        char exe[4096];
        ssize_t n = ::readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), exe, sizeof exe - 1);
        if (n > 0) c.exe.assign(exe, static_cast<std::size_t>(n));
        found = c;
        break;
    }
    ::closedir(proc);
    return found;
}

std::optional<FileIdentity> identity_at(const std::string& path) {
    struct stat st{};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return identity_of(st);
}

// Is the file at `path` a runcwrap binary (this one or another copy)? Its ELF note says.
bool carries_runcwrap_note(const std::string& path) {
    UniqueFd fd(open_path(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    return fd.valid() && read_file_head(fd.get()).is_runcwrap;
}

// The first `runc` along a PATH.
std::string first_runc(std::string_view path_env) {
    if (path_env.empty()) path_env = kDefaultPath;
    while (true) {
        auto colon = path_env.find(':');
        std::string dir(path_env.substr(0, colon));
        if (!dir.empty()) {
            std::string candidate = dir + "/runc";
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        if (colon == std::string_view::npos) return {};
        path_env.remove_prefix(colon + 1);
    }
}

void check_wrapper_on_path(const DoctorOptions& o, const FileIdentity& self,
                           const std::optional<Containerd>& containerd, std::vector<Check>& out) {
    Check c;
    c.name = "runc-on-containerd-path";
    std::string path_env = containerd && containerd->has_path ? containerd->path_env : kDefaultPath;
    std::string whose = containerd ? "containerd (pid " + std::to_string(containerd->pid) + ")"
                                   : "containerd's default (containerd is not running)";
    std::string runc = first_runc(path_env);
    auto id = runc.empty() ? std::nullopt : identity_at(runc);
    if (id && *id == self) {
        c.detail = "the first runc in the PATH of " + whose + " is " + runc + " = runcwrap";
    } else if (id && carries_runcwrap_note(runc)) {
        // It works, but what doctor checks (this binary) is not what containerd runs.
        c.status = CheckStatus::Warn;
        c.detail = "the first runc in the PATH of " + whose + " is " + runc +
                   ", another copy of runcwrap, not this one";
        c.fix = "install this runcwrap there (install.sh), or run that copy's doctor";
    } else {
        c.status = CheckStatus::Fail;
        c.detail = runc.empty() ? "no runc in the PATH of " + whose + " (" + path_env + ")"
                                : "the first runc in the PATH of " + whose + " is " + runc +
                                      ", not runcwrap";
        c.fix = "install runcwrap as runc in a folder that comes first in that PATH (" +
                path_env + ")" + (o.bin_dir.empty() ? "" : ", e.g. " + o.bin_dir) +
                ", then restart containerd";
    }
    if (!containerd && c.status == CheckStatus::Ok) c.status = CheckStatus::Warn;
    if (!containerd) c.fix = c.fix.empty() ? "start containerd and run doctor again" : c.fix;
    out.push_back(c);
}

void check_target(const std::string& label, const RuntimeCandidate& candidate,
                  const FileIdentity& self, std::vector<Check>& out) {
    Check c;
    c.name = label;
    Decision d;
    d.candidates.push_back(candidate);
    CallChain chain;
    ResolveContext ctx{self, &chain, kDefaultPath};
    auto r = resolve_runtime(d, ctx);
    if (!r) {
        c.status = CheckStatus::Fail;
        c.detail = r.error().message;
        c.fix = "install the runtime, or correct BinaryName in the side file";
        out.push_back(c);
        return;
    }
    Output v = run_capture({r->path, "--version"}, 5000);
    if (v.status != 0) {
        c.status = CheckStatus::Fail;
        c.detail = r->path + " --version failed: " + first_line(v.text);
        c.fix = "check that " + r->path + " is a working OCI runtime";
    } else {
        c.detail = r->path + ": " + first_line(v.text);
    }
    out.push_back(c);
}

}  // namespace

std::optional<bool> containerd_version_affected(const std::string& version) {
    std::string_view v = version;
    if (!v.empty() && v[0] == 'v') v.remove_prefix(1);
    int parts[3] = {0, 0, 0};
    const char* p = v.data();
    const char* end = v.data() + v.size();
    for (int i = 0; i < 3; ++i) {
        auto [next, ec] = std::from_chars(p, end, parts[i]);
        if (ec != std::errc{}) {
            if (i == 0) return std::nullopt;
            break;
        }
        p = next;
        if (i < 2) {
            if (p == end || *p != '.') break;
            ++p;
        }
    }
    const int major = parts[0], minor = parts[1], patch = parts[2];
    if (major < 2) return true;
    if (major == 2 && minor == 0) return patch < 5;
    return false;
}

std::vector<Check> run_doctor(const DoctorOptions& o, const Environment& env) {
    std::vector<Check> out;
    auto self = self_identity();
    if (!self) {
        out.push_back(Check{"self", CheckStatus::Fail, self.error().message, "mount /proc"});
        return out;
    }
    const auto containerd = find_containerd(o.containerd_pid);
    check_wrapper_on_path(o, *self, containerd, out);

    if (!o.bin_dir.empty()) {
        Check c;
    c.name = "bin-dir";
        auto id = identity_at(o.bin_dir + "/runc");
        if (id && *id == *self) {
            c.detail = o.bin_dir + "/runc is runcwrap";
        } else {
            c.status = CheckStatus::Fail;
            c.detail = o.bin_dir + "/runc is " + (id ? "another program" : "missing");
            c.fix = "run install.sh --bin-dir " + o.bin_dir;
        }
        out.push_back(c);
    }

    // The side file.
    std::string side_path(env.get(kSideFileEnv).value_or(kDefaultSideFile));
    std::optional<SideConfig> side;
    {
        Check c;
    c.name = "side-file";
        int err = 0;
        auto text = read_trusted_file(side_path, &err);
        if (!text && err == ENOENT) {
            c.status = CheckStatus::Warn;
            c.detail = side_path + " does not exist: containers whose options containerd drops "
                                   "can only be fixed inside Kubernetes pods (from the sandbox)";
            c.fix = "runcwrap import-containerd-config --write, or install.sh --binary-name PATH";
        } else if (!text) {
            c.status = CheckStatus::Fail;
            c.detail = "side file " + text.error().message;
            c.fix = "see the message";
        } else if (auto parsed = parse_side_config(*text, side_path); !parsed) {
            c.status = CheckStatus::Fail;
            c.detail = parsed.error().message;
            c.fix = "correct the side file (runcwrap explain shows its effect)";
        } else {
            side = *parsed;
            c.detail = side_path + " parses and is trusted" +
                       (side->options.binary_name.empty()
                            ? std::string(" (no BinaryName: the next runc in PATH)")
                            : ", BinaryName = " + side->options.binary_name);
        }
        out.push_back(c);
    }
    if (side) {
        if (auto w = check_side_file_write(side_path))
            out.push_back(Check{"side-file-write",
                                w->written_in_place ? CheckStatus::Warn : CheckStatus::Ok,
                                w->detail, w->fix});
    }

    // The runtimes runcwrap may run.
    if (side && !side->options.binary_name.empty() &&
        side->options.binary_name != kNextRuncInPath)
        check_target("runtime (side file BinaryName)",
                     {side->options.binary_name, "side file " + side_path + " BinaryName", true},
                     *self, out);
    check_target("runtime (next runc in PATH)", {"runc", "the next runc in PATH after runcwrap", false},
                 *self, out);

    // containerd's version.
    {
        Check c;
    c.name = "containerd-version";
        std::string exe = containerd && !containerd->exe.empty() ? containerd->exe : "";
        if (exe.empty()) {
            for (const char* p : {"/usr/bin/containerd", "/usr/local/bin/containerd"})
                if (::access(p, X_OK) == 0) exe = p;
        }
        if (exe.empty()) {
            c.status = CheckStatus::Warn;
            c.detail = "containerd not found";
        } else {
            Output v = run_capture({exe, "--version"}, 5000);
            // "containerd github.com/containerd/containerd 1.6.20~ds1 <commit>"
            std::string line = first_line(v.text);
            std::string version;
            std::size_t field = 0, i = 0;
            while (i < line.size() && field < 3) {
                std::size_t sp = line.find(' ', i);
                std::string word = line.substr(i, sp == std::string::npos ? std::string::npos : sp - i);
                if (++field == 3) version = word;
                if (sp == std::string::npos) break;
                i = sp + 1;
            }
            auto affected = containerd_version_affected(version);
            if (!affected) {
                c.status = CheckStatus::Warn;
                c.detail = "cannot read containerd's version from: " + line;
            } else if (*affected) {
                c.detail = "containerd " + version +
                           " drops runtime options when task options are set (fixed in 2.0.5 "
                           "and 2.1.0, not in 1.6/1.7): runcwrap is needed";
            } else {
                c.status = CheckStatus::Warn;
                c.detail = "containerd " + version + " has the fix; runcwrap is harmless but not needed";
            }
        }
        out.push_back(c);
    }

    // Drift between the side file and containerd's own configuration.
    {
        Check c;
    c.name = "containerd-config-drift";
        std::string cfg_path = o.containerd_config.empty() ? kDefaultContainerdConfig : o.containerd_config;
        auto cfg = ::access(cfg_path.c_str(), F_OK) == 0 ? load_containerd_config(cfg_path)
                                                         : Result<ContainerdConfig>(make_error(cfg_path + " does not exist"));
        const RuntimeHandler* h = cfg ? cfg->handler(cfg->default_runtime) : nullptr;
        if (!cfg || !h || !side) {
            c.status = CheckStatus::Warn;
            c.detail = !cfg ? cfg.error().message
                            : !h ? "no CRI runtime \"" + cfg->default_runtime + "\" in " + cfg_path
                                 : "no side file to compare";
        } else {
            std::vector<std::string> drift;
            auto named = h->options.binary_name;
            auto named_id = named.empty() || named.find('/') == std::string::npos ? std::nullopt : identity_at(named);
            bool names_wrapper = named.empty() || named == "runc" || (named_id && *named_id == *self);
            if (!names_wrapper && named != side->options.binary_name)
                drift.push_back("BinaryName: containerd \"" + named + "\", side file \"" +
                                side->options.binary_name + "\"");
            if (h->options.systemd_cgroup != side->options.systemd_cgroup)
                drift.push_back(std::string("SystemdCgroup: containerd ") +
                                (h->options.systemd_cgroup ? "true" : "false") + ", side file " +
                                (side->options.systemd_cgroup ? "true" : "false"));
            if (drift.empty()) {
                c.detail = "side file agrees with runtime \"" + h->name + "\" of " + cfg_path;
            } else {
                c.status = CheckStatus::Fail;
                for (std::size_t i = 0; i < drift.size(); ++i) c.detail += (i ? "; " : "") + drift[i];
                c.fix = "runcwrap import-containerd-config " + cfg_path + " --write";
            }
        }
        out.push_back(c);
    }

    // cgroup driver: --systemd-cgroup needs systemd as init.
    if (side) {
        Check c;
    c.name = "cgroup-driver";
        const bool systemd_init = ::access("/run/systemd/system", F_OK) == 0;
        if (side->options.systemd_cgroup && !systemd_init) {
            c.status = CheckStatus::Fail;
            c.detail = "SystemdCgroup = true but systemd is not the init system here";
            c.fix = "set SystemdCgroup = false (and containerd's runtime options to match)";
        } else if (!side->options.systemd_cgroup && systemd_init) {
            c.status = CheckStatus::Warn;
            c.detail = "systemd is init but SystemdCgroup = false: kubelet's cgroupDriver must be cgroupfs";
        } else {
            c.detail = std::string("SystemdCgroup = ") + (side->options.systemd_cgroup ? "true" : "false") +
                       (systemd_init ? ", systemd is init" : ", no systemd");
        }
        out.push_back(c);
    }
    return out;
}

bool doctor_healthy(const std::vector<Check>& checks) {
    for (const auto& c : checks)
        if (c.status == CheckStatus::Fail) return false;
    return true;
}

std::string doctor_text(const std::vector<Check>& checks) {
    std::string out;
    for (const auto& c : checks) {
        const char* mark = c.status == CheckStatus::Ok ? "[ok]  " : c.status == CheckStatus::Warn ? "[warn]" : "[FAIL]";
        out += std::string(mark) + " " + c.name + ": " + c.detail + "\n";
        if (!c.fix.empty() && c.status != CheckStatus::Ok) out += "       fix: " + c.fix + "\n";
    }
    out += doctor_healthy(checks) ? "runcwrap doctor: healthy\n" : "runcwrap doctor: NOT healthy\n";
    return out;
}

std::string doctor_json(const std::vector<Check>& checks) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("healthy");
    w.Bool(doctor_healthy(checks));
    w.Key("checks");
    w.StartArray();
    for (const auto& c : checks) {
        w.StartObject();
        w.Key("check"); w.String(c.name.c_str());
        w.Key("status"); w.String(c.status == CheckStatus::Ok ? "ok" : c.status == CheckStatus::Warn ? "warn" : "fail");
        w.Key("detail"); w.String(c.detail.c_str());
        w.Key("fix"); w.String(c.fix.c_str());
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return std::string(buffer.GetString()) + "\n";
}

}  // namespace runcwrap
