#include "cli/doctor.hpp"

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
#include <cstdio>
#include <cstring>
#include <optional>
#include <variant>

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "cli/containerd_config.hpp"
#include "cli/side_file_write_check.hpp"
#include "common/fs.hpp"
#include "common/unique_fd.hpp"
#include "wrapper/decision.hpp"
#include "wrapper/handler_entry.hpp"
#include "wrapper/runtime_resolve.hpp"
#include "wrapper/side_config.hpp"

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
    struct timespec start {};
    ::clock_gettime(CLOCK_MONOTONIC, &start);
    char buf[4096];
    for (;;) {
        struct timespec now {};
        ::clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed >= timeout_ms) {
            ::kill(pid, SIGKILL);
            out.text += " (timed out)";
            break;
        }
        struct pollfd p {
            read_end.get(), POLLIN, 0
        };
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

// The running containerd: its PATH is the one its shims (and so runc) inherit, its --config the
// file it reads.
std::optional<ContainerdProcess> find_containerd(int only_pid) {
    DIR* proc = ::opendir("/proc");
    if (!proc) return std::nullopt;
    std::optional<ContainerdProcess> found;
    while (struct dirent* e = ::readdir(proc)) {
        int pid = 0;
        auto [end, ec] = std::from_chars(e->d_name, e->d_name + std::strlen(e->d_name), pid);
        if (ec != std::errc{} || *end != '\0') continue;
        if (only_pid != 0 && pid != only_pid) continue;
        const std::string dir = "/proc/" + std::to_string(pid);
        auto comm = read_file(dir + "/comm");
        if (!comm || *comm != "containerd\n") continue;
        ContainerdProcess c;
        c.pid = pid;
        if (auto env = read_file(dir + "/environ")) {
            for (std::size_t i = 0; i < env->size();) {
                std::size_t z = env->find('\0', i);
                std::string_view var(env->data() + i,
                                     (z == std::string::npos ? env->size() : z) - i);
                if (var.substr(0, 5) == "PATH=") {
                    c.path_env = std::string(var.substr(5));
                    c.has_path = true;
                }
                if (z == std::string::npos) break;
                i = z + 1;
            }
        }
        // containerd's flag parser (urfave/cli) takes -c/--config as "X" or "=X", one dash or two.
        if (auto cmdline = read_file(dir + "/cmdline")) {
            std::vector<std::string_view> args;
            for (std::size_t i = 0; i < cmdline->size();) {
                std::size_t z = cmdline->find('\0', i);
                if (z == std::string::npos) z = cmdline->size();
                args.emplace_back(cmdline->data() + i, z - i);
                i = z + 1;
            }
            for (std::size_t i = 1; i < args.size(); ++i) {
                std::string_view a = args[i];
                if (a == "--") break;
                if (a.substr(0, 2) == "--") a.remove_prefix(1);
                for (std::string_view flag : {"-c", "-config"}) {
                    if (a == flag && i + 1 < args.size())
                        c.config_flag = std::string(args[i + 1]);
                    else if (a.size() > flag.size() && a.substr(0, flag.size()) == flag &&
                             a[flag.size()] == '=')
                        c.config_flag = std::string(a.substr(flag.size() + 1));
                }
            }
        }
        char exe[4096];
        ssize_t n = ::readlink((dir + "/exe").c_str(), exe, sizeof exe - 1);
        if (n > 0) c.exe.assign(exe, static_cast<std::size_t>(n));
        found = c;
        break;
    }
    ::closedir(proc);
    return found;
}

std::optional<FileIdentity> identity_at(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return identity_of(st);
}

// Is the file at `path` a runcwrap binary (this one or another copy)? Its ELF note says.
bool carries_runcwrap_note(const std::string& path) {
    UniqueFd fd(open_path(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    return fd.valid() && read_file_head(fd.get()).is_runcwrap;
}

// The first executable `name` along a PATH, as the shim's exec.LookPath finds it.
std::string lookup_in_path(std::string_view name, std::string_view path_env) {
    if (path_env.empty()) path_env = kDefaultPath;
    while (true) {
        auto colon = path_env.find(':');
        std::string dir(path_env.substr(0, colon));
        if (!dir.empty()) {
            std::string candidate = dir + "/" + std::string(name);
            if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        }
        if (colon == std::string_view::npos) return {};
        path_env.remove_prefix(colon + 1);
    }
}

// ---- gathering the facts ----------------------------------------------------------------------
SideFileFacts read_side_file(const Environment& env) {
    SideFileFacts side;
    side.path = std::string(env.get(kSideFileEnv).value_or(kDefaultSideFile));
    int err = 0;
    auto text = read_trusted_file(side.path, &err);
    if (!text && err == ENOENT) {
        side.missing = true;
    } else if (!text) {
        side.read_error = text.error().message;
    } else if (auto parsed = parse_side_config(*text, side.path); !parsed) {
        side.parse_error = parsed.error().message;
    } else {
        side.config = *parsed;
    }
    return side;
}

// "containerd github.com/containerd/containerd 1.6.20~ds1 <commit>": the third word.
std::string version_field(const std::string& line) {
    std::size_t field = 0, i = 0;
    while (i < line.size()) {
        std::size_t sp = line.find(' ', i);
        std::string word = line.substr(i, sp == std::string::npos ? std::string::npos : sp - i);
        if (++field == 3) return word;
        if (sp == std::string::npos) break;
        i = sp + 1;
    }
    return {};
}

ContainerdFacts read_containerd(const DoctorOptions& o) {
    ContainerdFacts c;
    c.process = find_containerd(o.containerd_pid);
    c.path_env = c.process && c.process->has_path ? c.process->path_env : kDefaultPath;
    c.exe = c.process ? c.process->exe : "";
    if (c.exe.empty()) {
        for (const char* p : {"/usr/bin/containerd", "/usr/local/bin/containerd"})
            if (::access(p, X_OK) == 0) c.exe = p;
    }
    if (!c.exe.empty()) {
        c.version_line = first_line(run_capture({c.exe, "--version"}, 5000).text);
        c.version = version_field(c.version_line);
        if (auto v = parse_containerd_version(c.version)) c.release = release_facts(*v);
    }
    // The file containerd reads: the one asked about, else its --config, else its default. Only
    // containerd's own default may be missing (containerd then runs on its built-in defaults).
    const bool named =
        !o.containerd_config.empty() || (c.process && !c.process->config_flag.empty());
    c.config_path = !o.containerd_config.empty()                   ? o.containerd_config
                    : c.process && !c.process->config_flag.empty() ? c.process->config_flag
                                                                   : kDefaultContainerdConfig;
    if (named && ::access(c.config_path.c_str(), F_OK) != 0) {
        c.config_error = c.config_path + " does not exist";
        return c;
    }
    std::optional<ConfigReader> reader;
    if (c.release) reader = c.release->config_reader;
    auto cfg = load_containerd_config(c.config_path, reader, /*missing_is_defaults=*/!named);
    if (cfg)
        c.config = *cfg;
    else
        c.config_error = cfg.error().message;
    return c;
}

HandlerRoute route_of(const RuntimeHandler& handler, const std::string& path_env,
                      const FileIdentity& self) {
    HandlerRoute r;
    r.handler = handler;
    const std::string& type = handler.runtime_type;
    r.runc_shim =
        type.empty() || type == "io.containerd.runc.v2" || type == "io.containerd.runc.v1";
    if (!r.runc_shim) return r;
    // The runc shim runs BinaryName, "runc" when unset, a bare name looked up in its PATH.
    const std::string name =
        handler.options.binary_name.empty() ? "runc" : handler.options.binary_name;
    if (auto routed = handler_of_entry(name)) r.entry_of = std::string(*routed);
    if (name.find('/') == std::string::npos)
        r.runs = lookup_in_path(name, path_env);
    else if (::access(name.c_str(), X_OK) == 0)
        r.runs = name;
    if (r.runs.empty()) return r;
    auto id = identity_at(r.runs);
    r.reaches_runcwrap = id && (*id == self || carries_runcwrap_note(r.runs));
    return r;
}

NodeFacts gather_node_facts(const DoctorOptions& o, const FileIdentity& self,
                            const Environment& env) {
    NodeFacts f;
    f.options = o;
    f.self = self;
    f.side = read_side_file(env);
    f.containerd = read_containerd(o);
    if (f.containerd.config)
        for (const auto& h : f.containerd.config->handlers)
            f.handlers.push_back(route_of(h, f.containerd.path_env, self));
    return f;
}

// ---- the checks -------------------------------------------------------------------------------
std::string whose_path(const ContainerdFacts& c) {
    return c.process ? "containerd (pid " + std::to_string(c.process->pid) + ")"
                     : "containerd's default (containerd is not running)";
}

std::optional<Check> check_runc_on_path(const NodeFacts& f) {
    Check c;
    c.name = "runc-on-containerd-path";
    const std::string& path_env = f.containerd.path_env;
    const std::string whose = whose_path(f.containerd);
    std::string runc = lookup_in_path("runc", path_env);
    auto id = runc.empty() ? std::nullopt : identity_at(runc);
    if (id && *id == f.self) {
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
        c.fix = "install runcwrap as runc in a folder that comes first in that PATH (" + path_env +
                ")" + (f.options.bin_dir.empty() ? "" : ", e.g. " + f.options.bin_dir) +
                ", then restart containerd";
    }
    if (!f.containerd.process && c.status == CheckStatus::Ok) c.status = CheckStatus::Warn;
    if (!f.containerd.process)
        c.fix = c.fix.empty() ? "start containerd and run doctor again" : c.fix;
    return c;
}

std::optional<Check> check_bin_dir(const NodeFacts& f) {
    const std::string& bin_dir = f.options.bin_dir;
    if (bin_dir.empty()) return std::nullopt;
    Check c;
    c.name = "bin-dir";
    auto id = identity_at(bin_dir + "/runc");
    if (id && *id == f.self) {
        c.detail = bin_dir + "/runc is runcwrap";
    } else {
        c.status = CheckStatus::Fail;
        c.detail = bin_dir + "/runc is " + (id ? "another program" : "missing");
        c.fix = "run install.sh --bin-dir " + bin_dir;
    }
    return c;
}

std::optional<Check> check_side_file(const NodeFacts& f) {
    Check c;
    c.name = "side-file";
    const SideFileFacts& side = f.side;
    if (side.missing) {
        c.status = CheckStatus::Warn;
        c.detail = side.path +
                   " does not exist: containers whose options containerd drops "
                   "can only be fixed inside Kubernetes pods (from the sandbox)";
        c.fix = "runcwrap import-containerd-config --write, or install.sh --binary-name PATH";
    } else if (!side.read_error.empty()) {
        c.status = CheckStatus::Fail;
        c.detail = "side file " + side.read_error;
        c.fix = "see the message";
    } else if (!side.parse_error.empty()) {
        c.status = CheckStatus::Fail;
        c.detail = side.parse_error;
        c.fix = "correct the side file (runcwrap explain shows its effect)";
    } else {
        c.detail = side.path + " parses and is trusted" +
                   (side.config->options.binary_name == kNextRuncInPath
                        ? std::string(", BinaryName = \"runc\": the next runc in PATH")
                        : ", BinaryName = " + side.config->options.binary_name);
    }
    return c;
}

// A runtime runcwrap may run: does it resolve as runcwrap would resolve it, and answer --version?
Check check_target(const std::string& label, const RuntimeCandidate& candidate,
                   const FileIdentity& self) {
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
        return c;
    }
    Output v = run_capture({r->path, "--version"}, 5000);
    if (v.status != 0) {
        c.status = CheckStatus::Fail;
        c.detail = r->path + " --version failed: " + first_line(v.text);
        c.fix = "check that " + r->path + " is a working OCI runtime";
    } else {
        c.detail = r->path + ": " + first_line(v.text);
    }
    return c;
}

// Was the side file's last change atomic? (src/side_file_write_check.hpp says how it tells.)
std::optional<Check> check_side_file_written_atomically(const NodeFacts& f) {
    if (!f.side.config) return std::nullopt;
    auto verdict = check_side_file_write(f.side.path);
    if (!verdict) return std::nullopt;
    return Check{"side-file-write", verdict->written_in_place ? CheckStatus::Warn : CheckStatus::Ok,
                 verdict->detail, verdict->fix};
}

std::optional<Check> check_side_file_runtime(const NodeFacts& f) {
    // "runc" names the next runc in PATH, which check_next_runc_runtime checks.
    if (!f.side.config || f.side.config->options.binary_name.empty() ||
        f.side.config->options.binary_name == kNextRuncInPath)
        return std::nullopt;
    return check_target(
        "runtime (side file BinaryName)",
        {f.side.config->options.binary_name, "side file " + f.side.path + " BinaryName", true},
        f.self);
}

std::optional<Check> check_next_runc_runtime(const NodeFacts& f) {
    return check_target("runtime (next runc in PATH)",
                        {"runc", "the next runc in PATH after runcwrap", false}, f.self);
}

std::optional<Check> check_containerd_version(const NodeFacts& f) {
    Check c;
    c.name = "containerd-version";
    const ContainerdFacts& cd = f.containerd;
    const auto version = parse_containerd_version(cd.version);
    if (cd.exe.empty()) {
        c.status = CheckStatus::Warn;
        c.detail = "containerd not found";
    } else if (!version) {
        c.status = CheckStatus::Warn;
        c.detail = "cannot read containerd's version from: " + cd.version_line;
    } else if (!cd.release) {
        c.status = CheckStatus::Warn;
        c.detail = "containerd " + cd.version +
                   " is older than 1.6, the oldest release runcwrap was measured on";
    } else if (cd.release->fixed) {
        c.status = CheckStatus::Warn;
        c.detail = "containerd " + cd.version + " has the fix; runcwrap is harmless but not needed";
    } else {
        const ReleaseFacts& r = *cd.release;
        std::string needed, not_affected;
        for (const ClientPathFacts* p : {&r.cri, &r.go_client}) {
            std::string& list = p->affected ? needed : not_affected;
            list += (list.empty() ? "" : " and for ") + p->path;
        }
        c.detail = "containerd " + cd.version + " (release " + r.release +
                   "): runcwrap is needed for " + needed +
                   (not_affected.empty() ? "" : "; " + not_affected + " are not affected");
    }
    return c;
}

Check client_path_check(const std::string& name, const ClientPathFacts& p) {
    Check c;
    c.name = name;
    c.detail = std::string(p.affected ? "affected: " : "not affected: ") + p.what +
               "; runcwrap: " + p.runcwrap;
    return c;
}

std::optional<Check> check_cri_pods(const NodeFacts& f) {
    if (!f.containerd.release) return std::nullopt;
    return client_path_check("cri-pods", f.containerd.release->cri);
}

std::optional<Check> check_ctr_go_clients(const NodeFacts& f) {
    if (!f.containerd.release) return std::nullopt;
    return client_path_check("ctr-go-clients", f.containerd.release->go_client);
}

// "runc" of FILE, or containerd's built-in "runc" (no file names it).
std::string handler_origin(const ContainerdFacts& cd, const RuntimeHandler& h) {
    if (!h.builtin) return "runtime \"" + h.name + "\" of " + cd.config_path;
    return "containerd's built-in runtime \"" + h.name + "\" (" +
           (cd.config->exists ? "not in " + cd.config_path : "no " + cd.config_path) +
           ": BinaryName unset, SystemdCgroup false)";
}

// Drift between the side file and the options of containerd's default CRI handler.
std::optional<Check> check_config_drift(const NodeFacts& f) {
    Check c;
    c.name = "containerd-config-drift";
    const ContainerdFacts& cd = f.containerd;
    const RuntimeHandler* h = cd.config ? cd.config->handler(cd.config->default_runtime) : nullptr;
    const std::optional<SideConfig>& side = f.side.config;
    if (!cd.config || !h || !side) {
        c.status = CheckStatus::Warn;
        c.detail =
            !cd.config ? cd.config_error
            : !h ? "no CRI runtime \"" + cd.config->default_runtime + "\" in " + cd.config_path
                 : "no side file to compare";
        return c;
    }
    std::vector<std::string> drift;
    const auto& named = h->options.binary_name;
    // A routed default handler: its own [handlers.NAME] says what it meant (check_handler
    // reports a missing one), not [options].
    const auto routed = handler_of_entry(named);
    const HandlerRecord* record = routed ? side->handler(*routed) : nullptr;
    const RuntimeOptions& meant = record ? record->options : side->options;
    const std::string side_table =
        record ? "side file [" + handler_table_name(record->name) + "]" : "side file";
    auto named_id =
        named.empty() || named.find('/') == std::string::npos ? std::nullopt : identity_at(named);
    bool names_wrapper =
        named.empty() || named == "runc" || routed || (named_id && *named_id == f.self);
    if (!names_wrapper && named != side->options.binary_name)
        drift.push_back("BinaryName: containerd \"" + named + "\", side file \"" +
                        side->options.binary_name + "\"");
    if (h->options.systemd_cgroup != meant.systemd_cgroup)
        drift.push_back(std::string("SystemdCgroup: containerd ") +
                        (h->options.systemd_cgroup ? "true" : "false") + ", " + side_table + " " +
                        (meant.systemd_cgroup ? "true" : "false"));
    if (drift.empty()) {
        c.detail = side_table + " agrees with " + handler_origin(cd, *h);
    } else {
        c.status = CheckStatus::Fail;
        for (std::size_t i = 0; i < drift.size(); ++i) c.detail += (i ? "; " : "") + drift[i];
        c.fix = record ? "runcwrap route --handler " + h->name +
                             " (it records the handler's "
                             "options again)"
                       : "runcwrap import-containerd-config " + cd.config_path + " --write";
    }
    return c;
}

// A handler routed through runcwrap (`runcwrap route`): its BinaryName is its runcwrap entry.
// Its calls work only when the entry is runcwrap, the side file records the handler and that
// runtime resolves, whatever the release: otherwise every call of the handler fails closed.
Check check_routed_handler(const NodeFacts& f, const HandlerRoute& r, const std::string& origin) {
    Check c;
    const RuntimeHandler& h = r.handler;
    c.name = "cri-handler \"" + h.name + "\"";
    const std::string& entry = h.options.binary_name;
    const std::string table = "[" + handler_table_name(r.entry_of) + "]";
    const std::string reroute = "runcwrap route --handler " + h.name;
    c.detail = origin + "BinaryName = " + entry + ": handler " + r.entry_of + "'s runcwrap entry";
    if (r.entry_of != h.name) c.detail += " (not this handler's own)";
    auto fail = [&](const std::string& why, const std::string& fix) {
        c.status = CheckStatus::Fail;
        c.detail += why;
        c.fix = fix;
        return c;
    };
    if (!r.reaches_runcwrap)
        return fail(
            r.runs.empty() ? ", which is missing (or not executable)" : ", which is not runcwrap",
            reroute + " (it recreates the entry), or runcwrap route --undo");
    if (!f.side.config)
        return fail(" = runcwrap, but the side file " + f.side.path +
                        (f.side.missing ? " does not exist" : " cannot be read") +
                        ", so every call of this handler fails",
                    reroute + " (it records the handler's runtime in the side file)");
    const HandlerRecord* record = f.side.config->handler(r.entry_of);
    if (!record)
        return fail(" = runcwrap, but the side file " + f.side.path + " has no " + table +
                        " table, so every call of this handler fails",
                    reroute + " (it records the handler's runtime there)");
    // Resolved as the wrapper resolves it, in the PATH the shim gives it.
    auto candidate = handler_runtime(*record, f.side.path);
    Decision d;
    if (candidate) d.candidates.push_back(*candidate);
    CallChain chain;
    ResolveContext ctx{f.self, &chain, f.containerd.path_env};
    auto resolved =
        candidate ? resolve_runtime(d, ctx) : Result<ResolvedRuntime>(candidate.error());
    if (!resolved)
        return fail(
            " = runcwrap, which cannot run the handler's runtime: " + resolved.error().message,
            "install the handler's runtime, or correct BinaryName in the side file's " + table +
                " (" + reroute + " records it from containerd's config)");
    c.detail += " = runcwrap, which runs the side file's " + table + " BinaryName " +
                record->options.binary_name +
                (resolved->path == record->options.binary_name ? "" : " = " + resolved->path) +
                ": the handler is routed through runcwrap";
    if (r.entry_of != h.name) {
        c.status = CheckStatus::Warn;
        c.fix = reroute + " (it gives the handler its own entry and table)";
    }
    return c;
}

// Issue #15: is runcwrap on this handler's call path, and must it be on this release?
Check check_handler(const NodeFacts& f, const HandlerRoute& r) {
    Check c;
    const RuntimeHandler& h = r.handler;
    c.name = "cri-handler \"" + h.name + "\"";
    const ContainerdFacts& cd = f.containerd;
    const std::string origin = h.builtin ? "containerd's built-in handler: " : "";
    if (!r.runc_shim) {
        c.detail =
            origin + "runtime_type " + h.runtime_type +
            " is not the runc shim: runcwrap is not on its path and has nothing to fix there";
        return c;
    }
    if (!r.entry_of.empty()) return check_routed_handler(f, r, origin);
    const std::string& bn = h.options.binary_name;
    std::string runs = bn.empty() ? "BinaryName unset: the shim runs runc from containerd's PATH, "
                                  : "BinaryName = " + bn + ": the shim runs ";
    if (r.reaches_runcwrap) {
        const bool side_names_runtime =
            f.side.config && !f.side.config->options.binary_name.empty();
        c.detail =
            origin + runs + r.runs + " = runcwrap, which runs " +
            (side_names_runtime ? "the side file's BinaryName " + f.side.config->options.binary_name
                                : std::string("the next runc in PATH after itself")) +
            ": runcwrap is on this handler's path";
        return c;
    }
    if (r.runs.empty())
        runs += bn.find('/') != std::string::npos ? "nothing: it is not an executable file"
                                                  : "nothing: not found in " + cd.path_env;
    else
        runs += r.runs + (bn.empty() ? ", not runcwrap" : " itself");
    c.detail = origin + runs + "; runcwrap is not on this handler's path";

    // What that costs on this release.
    const std::optional<ReleaseFacts>& release = cd.release;
    const std::string cfg = cd.config_path;
    // A handler that names its runtime is routed through runcwrap's entry for it, which keeps
    // that runtime (recorded in the side file under the handler's name).
    const std::string fix =
        bn.empty()
            ? "install runcwrap as runc in the folder that comes first in containerd's PATH "
              "(see runc-on-containerd-path), then restart containerd; or upgrade containerd "
              "to 2.0.5 or later"
            : "runcwrap route --handler " + h.name + " (it makes the handler's BinaryName in " +
                  cfg + " runcwrap's entry for it and records " + bn +
                  " as its runtime in the side file), then restart containerd; or upgrade "
                  "containerd to 2.0.5 or later";
    if (!release) {
        c.status = CheckStatus::Warn;
        c.detail +=
            "; containerd's release is unknown: on 1.7.x and 2.0.0 the stdio of this "
            "handler's user-namespaced pods would stay owned by host root";
        c.fix = "if containerd is 1.7.x or 2.0.0: " + fix;
    } else if (release->handlers_must_reach_runcwrap) {
        c.status = CheckStatus::Fail;
        c.detail += "; containerd " + cd.version +
                    "'s CRI leaves the stdio pipes of this handler's "
                    "user-namespaced pods owned by host root, and only runcwrap fixes that";
        c.fix = fix;
    } else if (release->fixed) {
        c.detail += "; containerd " + cd.version + " needs no runcwrap there";
    } else if (release->cri.affected) {
        c.detail += "; enough on containerd " + cd.version +
                    ": the app containers of "
                    "user-namespaced pods lose the handler's options and so reach runcwrap through "
                    "PATH, which runs this handler's runtime from the pod sandbox's options.json";
    } else {
        c.detail += "; containerd " + cd.version +
                    "'s CRI gives pods no user namespace, so "
                    "nothing on this path needs runcwrap";
    }
    return c;
}

std::optional<Check> check_cgroup_driver(const NodeFacts& f) {
    // --systemd-cgroup needs systemd as init.
    if (!f.side.config) return std::nullopt;
    const SideConfig& side = *f.side.config;
    Check c;
    c.name = "cgroup-driver";
    const bool systemd_init = ::access("/run/systemd/system", F_OK) == 0;
    if (side.options.systemd_cgroup && !systemd_init) {
        c.status = CheckStatus::Fail;
        c.detail = "SystemdCgroup = true but systemd is not the init system here";
        c.fix = "set SystemdCgroup = false (and containerd's runtime options to match)";
    } else if (!side.options.systemd_cgroup && systemd_init) {
        c.status = CheckStatus::Warn;
        c.detail =
            "systemd is init but SystemdCgroup = false: kubelet's cgroupDriver must be cgroupfs";
    } else {
        c.detail = std::string("SystemdCgroup = ") +
                   (side.options.systemd_cgroup ? "true" : "false") +
                   (systemd_init ? ", systemd is init" : ", no systemd");
    }
    return c;
}

// ---- the table --------------------------------------------------------------------------------
// A row is one check (nullopt: it does not apply on this node) or one check per CRI handler.
using NodeCheck = std::optional<Check> (*)(const NodeFacts&);
using HandlerCheck = Check (*)(const NodeFacts&, const HandlerRoute&);
using DoctorRow = std::variant<NodeCheck, HandlerCheck>;

const DoctorRow kDoctorTable[] = {
    check_runc_on_path,
    check_bin_dir,
    check_side_file,
    check_side_file_written_atomically,
    check_side_file_runtime,
    check_next_runc_runtime,
    check_containerd_version,
    check_cri_pods,
    check_ctr_go_clients,
    check_config_drift,
    check_handler,
    check_cgroup_driver,
};

const char* status_word(CheckStatus s) {
    return s == CheckStatus::Ok ? "ok" : s == CheckStatus::Warn ? "warn" : "fail";
}

void write_client_path(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w,
                       const ClientPathFacts& p) {
    w.StartObject();
    w.Key("path");
    w.String(p.path.c_str());
    w.Key("affected");
    w.Bool(p.affected);
    w.Key("what");
    w.String(p.what.c_str());
    w.Key("runcwrap");
    w.String(p.runcwrap.c_str());
    w.EndObject();
}

// The facts behind the checks, for programs: the same as the text says, field by field.
void write_containerd_facts(rapidjson::PrettyWriter<rapidjson::StringBuffer>& w,
                            const NodeFacts& f) {
    const ContainerdFacts& cd = f.containerd;
    auto string_or_null = [&w](const std::string& s) {
        s.empty() ? w.Null() : w.String(s.c_str());
    };
    w.StartObject();
    w.Key("pid");
    cd.process ? w.Int(cd.process->pid) : w.Null();
    w.Key("path");
    w.String(cd.path_env.c_str());
    w.Key("version");
    string_or_null(cd.version);
    w.Key("release");
    string_or_null(cd.release ? cd.release->release : "");
    w.Key("handlers_must_reach_runcwrap");
    cd.release ? w.Bool(cd.release->handlers_must_reach_runcwrap) : w.Null();
    w.Key("client_paths");
    w.StartArray();
    if (cd.release) {
        write_client_path(w, cd.release->cri);
        write_client_path(w, cd.release->go_client);
    }
    w.EndArray();
    w.Key("config");
    w.String(cd.config_path.c_str());
    w.Key("config_exists");
    cd.config ? w.Bool(cd.config->exists) : w.Null();
    w.Key("config_read_as");
    cd.config ? w.String(cd.config->reader == ConfigReader::Containerd1 ? "containerd 1.x"
                                                                        : "containerd 2.x")
              : w.Null();
    w.Key("default_runtime");
    cd.config ? w.String(cd.config->default_runtime.c_str()) : w.Null();
    w.Key("handlers");
    w.StartArray();
    for (const HandlerRoute& r : f.handlers) {
        w.StartObject();
        w.Key("name");
        w.String(r.handler.name.c_str());
        w.Key("builtin");
        w.Bool(r.handler.builtin);
        w.Key("runtime_type");
        w.String(r.handler.runtime_type.c_str());
        w.Key("binary_name");
        w.String(r.handler.options.binary_name.c_str());
        w.Key("systemd_cgroup");
        w.Bool(r.handler.options.systemd_cgroup);
        w.Key("runc_shim");
        w.Bool(r.runc_shim);
        w.Key("runs");
        string_or_null(r.runs);
        w.Key("reaches_runcwrap");
        w.Bool(r.reaches_runcwrap);
        w.Key("routed_handler");
        string_or_null(r.entry_of);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
}

}  // namespace

std::optional<ContainerdVersion> parse_containerd_version(std::string_view v) {
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
    return ContainerdVersion{parts[0], parts[1], parts[2]};
}

// Measured on real containerd (research/cri-facts.md) and read in containerd's source
// (research/runc-shim-facts.md, section 9).
std::optional<ReleaseFacts> release_facts(const ContainerdVersion& v) {
    if (v.major < 1 || (v.major == 1 && v.minor < 6)) return std::nullopt;
    ReleaseFacts r;
    r.config_reader = v.major < 2 ? ConfigReader::Containerd1 : ConfigReader::Containerd2;
    r.cri.path = "CRI pods";
    r.go_client.path = "ctr and Go clients";
    // Every release before 2.0.5: a task option replaces the runtime options in the client.
    r.go_client.affected = true;
    r.go_client.what =
        "a task option (ctr run --uidmap/--gidmap or --no-pivot, a Go client's "
        "WithUIDOwner or WithNoPivotRoot) replaces the runtime options, so the shim runs "
        "runc from PATH without BinaryName, SystemdCgroup or Root";
    r.go_client.runcwrap =
        "it is that runc: it runs the side file's BinaryName with the side file's "
        "options (case S1)";
    const std::string stdio_unowned =
        "CRI keeps the handler's options but sets no IoUid/IoGid, so the stdio pipes of "
        "user-namespaced pods stay owned by host root and the container cannot reopen /dev/stdout";
    const std::string stdio_runcwrap =
        "it chowns those pipes to the container's mapped ids, but only for handlers whose "
        "BinaryName is empty (the shim then runs runc from PATH, i.e. runcwrap); a handler that "
        "names "
        "its binary bypasses it (see the cri-handler lines)";
    if (v.major == 1 && v.minor == 6) {
        r.release = "1.6.x";
        r.cri.what =
            "containerd 1.6's CRI ignores user namespaces (pods get none), so it sets no "
            "task options and the handler's options reach the shim";
        r.cri.runcwrap = "nothing to fix: it passes the calls it sees through";
    } else if (v.major == 1) {
        r.release = "1.7.x";
        r.cri.affected = true;
        r.cri.what = "containerd 1.7's " + stdio_unowned;
        r.cri.runcwrap = stdio_runcwrap;
        r.handlers_must_reach_runcwrap = true;
    } else if (v.major == 2 && v.minor == 0 && v.patch == 0) {
        r.release = "2.0.0";
        r.cri.affected = true;
        r.cri.what = "containerd 2.0.0's " + stdio_unowned + " (IoUid/IoGid arrived in 2.0.1)";
        r.cri.runcwrap = stdio_runcwrap;
        r.handlers_must_reach_runcwrap = true;
    } else if (v.major == 2 && v.minor == 0 && v.patch < 5) {
        r.release = "2.0.1-2.0.4";
        r.cri.affected = true;
        r.cri.what =
            "for the app containers of user-namespaced pods CRI sets IoUid/IoGid, which "
            "replace the handler's options: the shim runs runc from PATH without the "
            "handler's BinaryName, Root or SystemdCgroup";
        r.cri.runcwrap =
            "it runs the handler's own runtime with its options, read from the pod "
            "sandbox's options.json (case S2), whatever the handler's BinaryName";
    } else {
        r.release = v.major == 2 && v.minor == 0 ? "2.0.5+" : "2.1+";
        r.fixed = true;
        r.cri.what =
            "the client keeps the runtime options next to the task options (fixed in "
            "2.0.5 and 2.1.0) and CRI sets IoUid/IoGid";
        r.cri.runcwrap = "nothing to fix: it passes the calls it sees through";
        r.go_client.affected = false;
        r.go_client.what =
            "fixed in the client library of 2.0.5 and 2.1.0; a Go client built "
            "against an older containerd client module still drops the options";
        r.go_client.runcwrap =
            "for such a client it runs the side file's BinaryName with the side "
            "file's options (case S1); otherwise it passes the calls through";
    }
    return r;
}

DoctorReport run_doctor(const DoctorOptions& o, const Environment& env) {
    DoctorReport report;
    auto self = self_identity();
    if (!self) {
        report.checks.push_back(
            Check{"self", CheckStatus::Fail, self.error().message, "mount /proc"});
        return report;
    }
    const NodeFacts& facts = report.facts.emplace(gather_node_facts(o, *self, env));
    for (const DoctorRow& row : kDoctorTable) {
        if (const NodeCheck* check = std::get_if<NodeCheck>(&row)) {
            if (auto c = (*check)(facts)) report.checks.push_back(std::move(*c));
        } else {
            for (const HandlerRoute& route : facts.handlers)
                report.checks.push_back(std::get<HandlerCheck>(row)(facts, route));
        }
    }
    return report;
}

bool doctor_healthy(const std::vector<Check>& checks) {
    for (const auto& c : checks)
        if (c.status == CheckStatus::Fail) return false;
    return true;
}

std::string doctor_text(const std::vector<Check>& checks) {
    std::string out;
    for (const auto& c : checks) {
        const char* mark = c.status == CheckStatus::Ok     ? "[ok]  "
                           : c.status == CheckStatus::Warn ? "[warn]"
                                                           : "[FAIL]";
        out += std::string(mark) + " " + c.name + ": " + c.detail + "\n";
        if (!c.fix.empty() && c.status != CheckStatus::Ok) out += "       fix: " + c.fix + "\n";
    }
    out += doctor_healthy(checks) ? "runcwrap doctor: healthy\n" : "runcwrap doctor: NOT healthy\n";
    return out;
}

std::string doctor_json(const DoctorReport& report) {
    const std::vector<Check>& checks = report.checks;
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("healthy");
    w.Bool(doctor_healthy(checks));
    w.Key("checks");
    w.StartArray();
    for (const auto& c : checks) {
        w.StartObject();
        w.Key("check");
        w.String(c.name.c_str());
        w.Key("status");
        w.String(status_word(c.status));
        w.Key("detail");
        w.String(c.detail.c_str());
        w.Key("fix");
        w.String(c.fix.c_str());
        w.EndObject();
    }
    w.EndArray();
    w.Key("containerd");
    if (report.facts)
        write_containerd_facts(w, *report.facts);
    else
        w.Null();
    w.EndObject();
    return std::string(buffer.GetString()) + "\n";
}

}  // namespace runcwrap
