#include "wrapper/plan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "common/fs.hpp"
#include "common/unique_fd.hpp"
#include "wrapper/handler_entry.hpp"
#include "wrapper/runc_state.hpp"
#include "wrapper/shim_options.hpp"
#include "wrapper/side_config_strict.hpp"
#include "wrapper/side_file_read.hpp"

namespace runcwrap {
namespace {

constexpr const char* kRuncDefaultRoot = "/run/runc";

// Read only once no writer can be mid-way (side_file_read.hpp), by the strict reader when it can
// (side_config_strict.hpp), else by toml++.
Result<std::optional<SideConfig>> load_side_config(const std::string& path) {
    int err = 0;
    auto text = read_side_file(path, &err);
    if (!text) {
        if (err == ENOENT) return std::optional<SideConfig>();
        return make_error("side file " + text.error().message);
    }
    auto parsed = parse_side_config_fast(*text, path);
    if (!parsed) return parsed.error();
    return std::optional<SideConfig>(std::move(*parsed));
}

std::string state_json_path(const RuncCall& call) {
    auto id = call.container_id();
    if (!id || !is_valid_container_id(*id)) return {};
    std::string root = absolute_path(call.global_value("root").value_or(kRuncDefaultRoot));
    return root + "/" + std::string(*id) + "/state.json";
}

std::optional<RuncState> read_runc_state(const RuncCall& call) {
    std::string path = state_json_path(call);
    if (path.empty()) return std::nullopt;
    auto text = read_file(path);
    if (!text) return std::nullopt;
    auto state = parse_runc_state(*text);
    if (!state) return std::nullopt;
    return std::move(*state);
}

// create/run/restore name the bundle; every other call is found through --log (the shim puts
// log.json in the bundle) or runc's state.json label. Never through cwd: the shim's cwd is the
// pod sandbox's bundle, not the container's.
void find_bundle(const RuncCall& call, Plan& plan) {
    if (!call.known_command) return;
    if (creates_container(call.command)) {
        auto b = call.flag_value("bundle");
        plan.bundle = absolute_path(b.value_or(""));
        plan.bundle_source = b ? "--bundle" : "the current directory (no --bundle)";
        return;
    }
    if (!call.container_id()) return;
    if (auto log = call.global_value("log")) {
        std::string dir = dirname_of(absolute_path(*log));
        if (::access((dir + "/config.json").c_str(), F_OK) == 0) {
            plan.bundle = dir;
            plan.bundle_source = "the folder of --log";
            return;
        }
    }
    if (auto state = read_runc_state(call); state && state->bundle) {
        plan.bundle = *state->bundle;
        plan.bundle_source = "the bundle= label of " + state_json_path(call);
    }
}

// <bundle>/../<sandbox-id>/options.json, opened without following a symlink out of the folder.
Status read_sandbox_options(const std::string& bundle, const std::string& sandbox_id,
                            DecisionInputs& in) {
    const std::string parent = dirname_of(bundle);
    const std::string sandbox_dir = parent + "/" + sandbox_id;
    in.sandbox_options_path = sandbox_dir + "/options.json";
    if (!is_valid_container_id(sandbox_id)) {
        in.sandbox_note = "sandbox id \"" + sandbox_id + "\" is not a valid container id";
        return ok_status();
    }
    // One open for the folder: O_NOFOLLOW refuses a symlink as its last component, the sandbox
    // id (valid: no '/'), exactly as an openat of the id in the opened parent did; the parent's
    // own path resolves either way the same. Two system calls fewer than open parent + openat.
    UniqueFd dir_fd(
        open_path(sandbox_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    if (!dir_fd.valid()) {
        in.sandbox_note = "no sandbox bundle at " + sandbox_dir;
        return ok_status();
    }
    // The folder must be as trustworthy as the file: whoever can write it can swap options.json.
    struct stat dir_stat {};
    if (::fstat(dir_fd.get(), &dir_stat) != 0)
        return make_error("sandbox bundle " + sandbox_dir + ": " + errno_text(errno));
    if (auto why = untrusted_reason(dir_stat, "sandbox bundle " + sandbox_dir); !why.empty())
        return make_error(why + " (it holds " + in.sandbox_options_path + "); fix: chown root " +
                          sandbox_dir + " && chmod go-w " + sandbox_dir);
    int err = 0;
    auto text = read_trusted_file_at(dir_fd.get(), "options.json", in.sandbox_options_path, &err);
    if (!text) {
        if (err == ENOENT) {
            in.sandbox_note = in.sandbox_options_path + " does not exist";
            return ok_status();
        }
        return make_error("sandbox options " + text.error().message);
    }
    auto options = parse_shim_options(*text);
    if (!options)
        return make_error("sandbox options " + in.sandbox_options_path + ": " +
                          options.error().message + "; fix: recreate the pod");
    if (options->runtime_options_dropped()) {
        in.sandbox_note = in.sandbox_options_path + " holds no runtime options either";
        return ok_status();
    }
    in.sandbox_options = options->options;
    return ok_status();
}

std::optional<std::uint32_t> pid_of_proc_ns_path(std::string_view path) {
    // "/proc/<pid>/ns/user"
    if (path.substr(0, 6) != "/proc/") return std::nullopt;
    path.remove_prefix(6);
    auto slash = path.find('/');
    if (slash == std::string_view::npos || path.substr(slash) != "/ns/user") return std::nullopt;
    std::uint32_t pid = 0;
    auto [end, ec] = std::from_chars(path.data(), path.data() + slash, pid);
    if (ec != std::errc{} || end != path.data() + slash || pid == 0) return std::nullopt;
    return pid;
}

bool read_proc_maps(std::uint32_t pid, StdioPlan& s) {
    std::string base = "/proc/" + std::to_string(pid);
    auto u = read_file(base + "/uid_map");
    auto g = read_file(base + "/gid_map");
    if (!u || !g) return false;
    auto um = parse_proc_id_map(*u);
    auto gm = parse_proc_id_map(*g);
    if (!um || !gm) return false;
    s.uid_mappings = std::move(*um);
    s.gid_mappings = std::move(*gm);
    s.mappings_source = base + "/uid_map and gid_map";
    return true;
}

void plan_stdio(const RuncCall& call, const Plan& plan, const std::optional<ContainerSpec>& spec,
                const std::string& spec_note, const OpenAtEntry& open_at_entry, bool describe,
                StdioPlan& s) {
    const bool exec = call.command == "exec";
    if (!call.known_command || !(creates_container(call.command) || exec)) {
        s.reason = "only create, run, restore and exec hand stdio to the container";
        return;
    }
    if (plan.side && !plan.side->chown_stdio) {
        s.reason = "[runcwrap] ChownStdio = false in " + plan.side_path;
        return;
    }
    if (!spec) {
        s.reason = "no container spec: " + spec_note;
        return;
    }
    if (!spec->has_user_namespace) {
        s.reason = "the container has no user namespace";
        return;
    }
    // With a terminal the container's stdio is a pty from --console-socket; fds 0-2 are then the
    // caller's own (the shim reads runc's error text from them) and stay as they are.
    if (call.flag("console-socket") || (exec && call.flag_bool("tty")) ||
        (!exec && spec->terminal)) {
        s.reason = "the process has a terminal: its stdio is the pty, fds 0-2 are the caller's";
        return;
    }

    // The process user.
    s.user = spec->process_user;
    s.user_source = "process.user of config.json";
    if (exec) {
        if (auto process_file = call.flag_value("process")) {
            std::string path = absolute_path(*process_file);
            auto text = read_file(path);
            auto user = text ? parse_process_user(*text) : Result<ProcessUser>(text.error());
            if (!user) {
                s.reason = "cannot read the exec process user from " + path + ": " +
                           user.error().message + " (runc will report it)";
                return;
            }
            s.user = *user;
            s.user_source = "user of --process " + path;
        } else if (auto user_flag = call.flag_value("user")) {
            auto user = parse_user_flag(*user_flag, s.user.value_or(ProcessUser{}));
            if (!user) {
                s.reason =
                    "--user " + std::string(*user_flag) + " is not uid[:gid] (runc will report it)";
                return;
            }
            s.user = *user;
            s.user_source = "--user " + std::string(*user_flag);
        }
    }
    if (!s.user) {
        s.reason = "config.json has no numeric process.user";
        return;
    }

    // The mappings: the spec's own, else runc's state (exec), else the namespace owner's maps.
    s.uid_mappings = spec->uid_mappings;
    s.gid_mappings = spec->gid_mappings;
    s.mappings_source = "linux.uidMappings/gidMappings of config.json";
    if (s.uid_mappings.empty() || s.gid_mappings.empty()) {
        std::optional<RuncState> state;
        if (exec) state = read_runc_state(call);
        if (state && !state->uid_mappings.empty() && !state->gid_mappings.empty()) {
            s.uid_mappings = state->uid_mappings;
            s.gid_mappings = state->gid_mappings;
            s.mappings_source = "uid_mappings/gid_mappings of " + state_json_path(call);
        } else if (state && state->init_pid > 0 &&
                   read_proc_maps(static_cast<std::uint32_t>(state->init_pid), s)) {
        } else if (auto pid = spec->user_namespace_path
                                  ? pid_of_proc_ns_path(*spec->user_namespace_path)
                                  : std::nullopt;
                   !(pid && read_proc_maps(*pid, s))) {
            s.reason =
                "no uid/gid mappings found (config.json has none, and no runc state or "
                "namespace owner gave any)";
            return;
        }
    }
    s.host_uid = map_to_host(s.uid_mappings, s.user->uid);
    s.host_gid = map_to_host(s.gid_mappings, s.user->gid);
    if (!s.host_uid || !s.host_gid) {
        s.reason = "process user " + std::to_string(s.user->uid) + ":" +
                   std::to_string(s.user->gid) + " is not mapped by " + s.mappings_source +
                   " (runc will report an invalid mapping)";
        return;
    }
    s.applies = true;
    s.reason = "user namespace: process user " + std::to_string(s.user->uid) + ":" +
               std::to_string(s.user->gid) + " is host " + std::to_string(*s.host_uid) + ":" +
               std::to_string(*s.host_gid);
    s.fds = inspect_stdio(open_at_entry, *s.host_uid, *s.host_gid, describe);
}

}  // namespace

Result<Plan> make_plan(const RuncCall& call, const Environment& env,
                       const OpenAtEntry& open_at_entry, bool describe) {
    Plan plan;

    if (auto guard = env.get(kDepthEnv)) {
        auto chain = parse_call_chain(*guard);
        if (!chain)
            return make_error(std::string(kDepthEnv) + "=" + std::string(*guard) +
                              " is malformed; fix: unset it (only runcwrap sets it)");
        plan.chain = *chain;
    }
    if (plan.chain.depth >= kMaxDepth)
        return make_error("runcwrap has already run " + std::to_string(plan.chain.depth) +
                          " runtimes in this call chain (" + kDepthEnv +
                          "): a runtime loop; fix: make [options] BinaryName name the real runc");

    plan.side_path = std::string(env.get(kSideFileEnv).value_or(kDefaultSideFile));
    auto side = load_side_config(plan.side_path);
    if (!side) return side.error();
    plan.side = std::move(*side);

    find_bundle(call, plan);

    DecisionInputs in;
    in.call = &call;
    in.bundle = plan.bundle;
    in.side = plan.side ? &*plan.side : nullptr;
    in.side_path = plan.side_path;
    in.depth = plan.chain.depth;

    std::optional<ContainerSpec> spec;
    std::string spec_note;
    auto load_spec = [&] {
        if (spec || !spec_note.empty()) return;
        if (plan.bundle.empty()) {
            spec_note = "the call has no bundle";
            return;
        }
        std::string path = plan.bundle + "/config.json";
        auto text = read_file(path);
        auto parsed = text ? parse_container_spec(*text) : Result<ContainerSpec>(text.error());
        if (!parsed) {
            // Not runcwrap's to report: the runtime reads config.json and says what is wrong.
            spec_note = path + ": " + parsed.error().message;
            return;
        }
        spec = std::move(*parsed);
    };

    if (!plan.bundle.empty()) {
        in.bundle_options_path = plan.bundle + "/options.json";
        int err = 0;
        auto text = read_file(in.bundle_options_path, &err);
        if (text) {
            auto parsed = parse_shim_options(*text);
            if (!parsed)
                return make_error(in.bundle_options_path + ": " + parsed.error().message +
                                  "; it is written by containerd's shim: recreate the container");
            in.bundle_options = std::move(*parsed);
        } else if (err != ENOENT) {
            return make_error(text.error().message);
        }
    }

    if (in.depth == 0 && in.bundle_options && in.bundle_options->runtime_options_dropped()) {
        load_spec();
        auto id = call.container_id();
        if (spec && spec->sandbox_id && (!id || *spec->sandbox_id != *id)) {
            if (auto st = read_sandbox_options(plan.bundle, *spec->sandbox_id, in); !st)
                return st.error();
        } else if (!spec) {
            in.sandbox_note = "no pod sandbox: " + spec_note;
        }
    }

    // Who the shim was told to run, when that might be runcwrap itself: a file check, paid only
    // for a name that is neither runc nor an entry (both are told apart by text in decide).
    if (in.depth == 0 && in.bundle_options && !in.bundle_options->runtime_options_dropped() &&
        !(call.argv.empty() || handler_of_entry(call.argv[0]))) {
        const std::string& named = in.bundle_options->options.binary_name;
        if (!named.empty() && named != kNextRuncInPath && !handler_of_entry(named))
            in.bundle_names_runcwrap = names_runcwrap(named, env.get("PATH").value_or(""));
    }

    auto decision = decide(in);
    if (!decision) return decision.error();
    plan.decision = std::move(*decision);

    // runcwrap's own identity is left to resolve_runtime, which asks /proc only if it must.
    ResolveContext context{std::nullopt, &plan.chain, env.get("PATH").value_or("")};
    auto runtime = resolve_runtime(plan.decision, context);
    if (!runtime) return runtime.error();
    plan.runtime = std::move(*runtime);

    if (call.known_command && (creates_container(call.command) || call.command == "exec"))
        load_spec();
    plan_stdio(call, plan, spec, spec_note, open_at_entry, describe, plan.stdio);
    return plan;
}

}  // namespace runcwrap
