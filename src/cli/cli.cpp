#include "cli/cli.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/containerd_config.hpp"
#include "cli/dependents.hpp"
#include "cli/doctor.hpp"
#include "cli/explain.hpp"
#include "cli/install/command.hpp"
#include "cli/route.hpp"
#include "common/environment.hpp"
#include "common/fs.hpp"
#include "wrapper/handler_entry.hpp"
#include "wrapper/plan.hpp"
#include "wrapper/runc_args.hpp"
#include "wrapper/runc_state.hpp"
#include "wrapper/shim_options.hpp"
#include "wrapper/stdio_owner.hpp"

#ifndef RUNCWRAP_VERSION
#define RUNCWRAP_VERSION "0.0.0-dev"
#endif
// The Makefile passes the commit and the target triple it built for (make dist: one per arch).
#ifndef RUNCWRAP_COMMIT
#define RUNCWRAP_COMMIT "unknown"
#endif
#ifndef RUNCWRAP_TARGET
#define RUNCWRAP_TARGET "unknown"
#endif

namespace runcwrap {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;

void print(const std::string& text) { std::fwrite(text.data(), 1, text.size(), stdout); }
void print_error(const std::string& text) {
    std::string line = "runcwrap: " + text + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

int run_explain(const std::string& argv0, std::vector<std::string> runc_args, bool as_json,
                char** envp) {
    std::vector<std::string_view> argv{argv0};
    for (const auto& a : runc_args) argv.emplace_back(a);
    const RuncCall call = parse_runc_argv(std::move(argv));
    const Environment env(envp);
    const auto plan = make_plan(call, env, stdio_open_at_entry(), /*describe=*/true);
    print(as_json ? explain_json(call, plan) : explain_text(call, plan));
    return plan ? kExitOk : kExitError;
}

// The create call the shim would make for a bundle under <state>/<namespace>/<id>.
std::vector<std::string> create_call_for_bundle(const std::string& dir) {
    std::string bundle = absolute_path(dir, current_dir());
    while (bundle.size() > 1 && bundle.back() == '/') bundle.pop_back();
    std::string id = bundle.substr(bundle.rfind('/') + 1);
    std::string parent = dirname_of(bundle);
    std::string ns = parent.substr(parent.rfind('/') + 1);
    return {"--root",
            std::string(kContainerdDefaultRoot) + "/" + ns,
            "--log",
            bundle + "/log.json",
            "--log-format",
            "json",
            "create",
            "--bundle",
            bundle,
            "--pid-file",
            bundle + "/init.pid",
            id};
}

// The argv[0] the shim gives a call on this bundle: a routed handler's entry when its intact
// options.json names one as binary_name (go-runc runs BinaryName by that name), else "runc".
std::string shim_argv0_for_bundle(const std::string& dir) {
    auto text = read_file(absolute_path(dir, current_dir()) + "/options.json");
    if (!text) return "runc";
    auto shim = parse_shim_options(*text);
    if (!shim || shim->runtime_options_dropped() || !handler_of_entry(shim->options.binary_name))
        return "runc";
    return shim->options.binary_name;
}

// A call on a running container, as the shim makes them (its log.json names the bundle).
Result<std::vector<std::string>> call_for_container(const std::string& id,
                                                    const std::string& root) {
    std::string path = root + "/" + id + "/state.json";
    auto text = read_file(path);
    if (!text)
        return make_error("no container " + id + " under " + root + ": " + text.error().message);
    auto state = parse_runc_state(*text);
    if (!state) return make_error(path + ": " + state.error().message);
    std::vector<std::string> call{"--root", root};
    if (state->bundle) {
        call.insert(call.end(), {"--log", *state->bundle + "/log.json", "--log-format", "json"});
    }
    call.insert(call.end(), {"state", id});
    return call;
}

Status write_file_atomically(const std::string& path, const std::string& content) {
    std::string dir = dirname_of(path);
    // Create each missing folder level, 0755 (mkdir -p).
    for (std::size_t slash = 1; slash != std::string::npos;) {
        slash = dir.find('/', slash + 1);
        std::string level = dir.substr(0, slash);
        if (::mkdir(level.c_str(), 0755) != 0 && errno != EEXIST)
            return make_error("cannot create " + level + ": " + errno_text(errno));
    }
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd.valid()) return make_error("cannot write " + tmp + ": " + errno_text(errno));
    bool ok =
        ::write(fd.get(), content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
        ::fchmod(fd.get(), 0644) == 0 && ::fsync(fd.get()) == 0;
    if (ok && ::geteuid() == 0) ok = ::fchown(fd.get(), 0, 0) == 0;
    fd.reset();
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return make_error("cannot write " + path + ": " + errno_text(err));
    }
    return ok_status();
}

int run_import(const std::string& file, const std::string& runtime, bool write, std::string output,
               const Environment& env) {
    auto cfg = load_containerd_config(file);
    if (!cfg) {
        print_error(cfg.error().message);
        return kExitError;
    }
    const std::string name = runtime.empty() ? cfg->default_runtime : runtime;
    const RuntimeHandler* handler = cfg->handler(name);
    if (!handler) {
        std::string known;
        for (const auto& h : cfg->handlers) known += (known.empty() ? "" : ", ") + h.name;
        print_error("no CRI runtime \"" + name + "\" in " + file +
                    " (found: " + (known.empty() ? "none" : known) + ")");
        return kExitError;
    }
    if (output.empty()) output = std::string(env.get(kSideFileEnv).value_or(kDefaultSideFile));
    std::optional<SideConfig> existing;
    if (auto text = read_file(output))
        if (auto parsed = parse_side_config_settings(*text, output)) existing = *parsed;

    std::string from = file;
    for (std::size_t i = 1; i < cfg->files.size(); ++i)
        from += (i == 1 ? " + " : ", ") + cfg->files[i];
    // A handler routed through runcwrap (`runcwrap route`) names its entry: what it runs is
    // the side file's [handlers.NAME] table (so a re-install or upgrade after routing imports
    // the same [options] as before it). Never an entry as [options]' runtime.
    RuntimeHandler imported = *handler;
    if (auto routed = handler_of_entry(handler->options.binary_name)) {
        const HandlerRecord* record = existing ? existing->handler(*routed) : nullptr;
        if (!record) {
            print_error(
                "runtime \"" + name + "\" in " + file +
                " is routed through runcwrap (BinaryName = " + handler->options.binary_name +
                ") but " + output + " has no [handlers." + std::string(*routed) +
                "] table naming its runtime; fix: runcwrap route --undo (or set its "
                "BinaryName back to the runtime), then import again");
            return kExitError;
        }
        imported.options = record->options;
    }
    std::string side = render_side_file(imported, from, existing);
    std::string others;
    for (const auto& h : cfg->handlers) {
        if (h.name == handler->name) continue;
        // A routed handler as before routing (its table), so that routing changes no line.
        const RuntimeOptions* o = &h.options;
        if (auto routed = handler_of_entry(o->binary_name); routed && existing)
            if (const HandlerRecord* record = existing->handler(*routed)) o = &record->options;
        others += "# other runtime handler \"" + h.name + "\": BinaryName = \"" + o->binary_name +
                  "\"" + (o->systemd_cgroup ? ", SystemdCgroup = true" : "") + "\n";
    }
    if (!write) {
        print(side + (others.empty() ? "" : "\n" + others));
        return kExitOk;
    }
    if (auto st = write_file_atomically(output, side); !st) {
        print_error(st.error().message);
        return kExitError;
    }
    print("wrote " + output + " from runtime \"" + handler->name + "\" of " + from + "\n" + others);
    return kExitOk;
}

// Exit statuses of `dependents`: the uninstall path tells "none" from "some" from "could not look".
constexpr int kExitDependentsFound = 2;

// The decision log the side file names, for the ids whose stdio runcwrap chowned ("" = none).
std::string decision_log_of_side_file(const Environment& env) {
    const std::string side = std::string(env.get(kSideFileEnv).value_or(kDefaultSideFile));
    auto text = read_file(side);
    if (!text) return {};
    auto parsed = parse_side_config(*text, side);
    return parsed ? parsed->log_file : std::string();
}

int run_dependents(std::vector<std::string> state_dirs, const std::string& runc_root,
                   std::string decision_log, bool as_json, const Environment& env) {
    if (state_dirs.empty()) state_dirs.emplace_back("/run/containerd");
    if (decision_log.empty()) decision_log = decision_log_of_side_file(env);
    std::vector<std::string> chowned;
    if (!decision_log.empty()) {
        // The rotated half first: together they are the last 4-8 MiB of calls.
        for (const std::string& path : {decision_log + ".1", decision_log})
            if (auto text = read_file(path))
                for (auto& id : chowned_ids_in_log(std::move(*text)))
                    if (std::find(chowned.begin(), chowned.end(), id) == chowned.end())
                        chowned.push_back(std::move(id));
    }
    std::vector<Dependent> found;
    for (const auto& dir : state_dirs) {
        auto more = find_dependents(dir, chowned, runc_root);
        if (!more) {
            print_error(more.error().message);
            return kExitError;
        }
        for (auto& d : *more) found.push_back(std::move(d));
    }
    print(as_json ? dependents_json(state_dirs, found) : dependents_text(found));
    return found.empty() ? kExitOk : kExitDependentsFound;
}

}  // namespace

int cli_main(int argc, char** argv, char** envp) {
    const Environment env(envp);
    CLI::App app{
        "runcwrap: installed as `runc`, it restores the runtime options containerd "
        "dropped for user-namespaced containers and gives the container its stdio.\n"
        "Invoked as `runcwrap`, it explains and checks what it does. See runcwrap(8)."};
    app.require_subcommand(1);
    const std::string version_line = std::string("runcwrap ") + RUNCWRAP_VERSION +
                                     " (commit " RUNCWRAP_COMMIT ", target " RUNCWRAP_TARGET ")";
    app.set_version_flag("--version", version_line);

    auto* version = app.add_subcommand("version", "Print runcwrap's version");

    auto* explain = app.add_subcommand(
        "explain",
        "Show what runcwrap would do for a runc call, without running anything.\n"
        "  runcwrap explain [--json] -- --root R --log L create --bundle B ID\n"
        "  runcwrap explain --bundle DIR      (the shim's create call for that bundle)\n"
        "  runcwrap explain --id ID [--root DIR]   (a call on a running container)");
    bool as_json = false;
    std::vector<std::string> runc_args;
    std::string explain_bundle, explain_id, explain_root, explain_via;
    explain->add_flag("--json", as_json, "Print JSON instead of text");
    explain->add_option("--bundle", explain_bundle, "A bundle folder: explain its create call");
    explain->add_option("--id", explain_id, "A running container's id");
    explain->add_option("--root", explain_root, "runc's state folder for --id (default /run/runc)");
    explain->add_option("--via", explain_via,
                        "The call's argv[0], e.g. a routed handler's entry "
                        ".../runcwrap/handlers/NAME/runc (default runc; for --bundle, the entry "
                        "its options.json names)");
    explain->add_option("runc_args", runc_args, "The runc arguments, after --");

    auto* import = app.add_subcommand(
        "import-containerd-config",
        "Make the side file from containerd's config.toml (v1/v2/v3, with imports): the\n"
        "default CRI runtime's options (or --runtime), printed or written (--write)");
    std::string import_file = kDefaultContainerdConfig, import_runtime, import_output;
    bool import_write = false;
    import->add_option("file", import_file, "containerd's config.toml")->capture_default_str();
    import->add_option("--runtime", import_runtime,
                       "The runtime handler (default: containerd's default)");
    import->add_flag("--write", import_write, "Write the side file instead of printing it");
    import->add_option(
        "--output", import_output,
        "Where --write writes (default: $RUNCWRAP_CONFIG or /etc/runcwrap/config.toml)");

    auto* doctor =
        app.add_subcommand("doctor", "Check that this node is ready; exit 0 when healthy");
    bool doctor_as_json = false;
    DoctorOptions doctor_options;
    doctor->add_flag("--json", doctor_as_json, "Print JSON instead of text");
    doctor->add_option("--bin-dir", doctor_options.bin_dir, "The folder runcwrap was installed in");
    doctor->add_option("--containerd-config", doctor_options.containerd_config,
                       "containerd's config.toml (default: the running containerd's --config, else "
                       "/etc/containerd/config.toml)");
    doctor->add_option("--containerd-pid", doctor_options.containerd_pid,
                       "Check this containerd process (default: the one running)");

    auto* dependents = app.add_subcommand(
        "dependents",
        "List the running containers that still need runcwrap (what uninstalling it would break):\n"
        "task bundles whose options.json shows containerd dropped the runtime options, and those\n"
        "the decision log says runcwrap chowned stdio for. Exit 0: none, 2: some, 1: error");
    std::vector<std::string> dependents_state;
    std::string dependents_runc_root = std::string(kContainerdDefaultRoot), dependents_log;
    bool dependents_as_json = false;
    dependents->add_option("--state", dependents_state,
                           "containerd's state dir, or its io.containerd.runtime.v2.task folder "
                           "(repeatable; default /run/containerd)");
    dependents
        ->add_option("--runc-root", dependents_runc_root, "runc's default root under containerd")
        ->capture_default_str();
    dependents->add_option("--decision-log", dependents_log,
                           "the decision log (default: the side file's LogFile)");
    dependents->add_flag("--json", dependents_as_json, "Print JSON instead of text");

    auto* route = app.add_subcommand(
        "route",
        "Route CRI runtime handlers that name their runtime through runcwrap, each keeping its\n"
        "runtime: an entry <entry-dir>/NAME/runc -> runcwrap, the side file's [handlers.NAME]\n"
        "table, and the handler's BinaryName in containerd's config (a backup and a record in\n"
        "/var/lib/runcwrap/route). --undo takes it back. containerd reads its config only when\n"
        "it starts: restart it after (--restart-containerd does, with systemd)");
    RouteRequest route_request;
    route->add_flag("--all", route_request.all,
                    "Every runc-shim handler whose BinaryName names a runtime");
    route->add_option("--handler", route_request.handlers, "A handler to route (repeatable)");
    route->add_flag("--undo", route_request.undo,
                    "Restore containerd's config, remove the tables and the entries");
    route->add_flag("--force", route_request.force,
                    "--undo: remove entries and tables even while containers run through them");
    route->add_flag("--dry-run", route_request.dry_run,
                    "Print the diff, the entries and the tables; change nothing");
    route->add_flag("--restart-containerd", route_request.restart_containerd,
                    "After a change: systemctl restart containerd");
    route
        ->add_option("--containerd-config", route_request.containerd_config,
                     "containerd's config.toml")
        ->capture_default_str();
    route->add_option("--config", route_request.side_file, "The side file")->capture_default_str();
    route->add_option("--entry-dir", route_request.entry_dir, "Where the entries go")
        ->capture_default_str();
    route->add_option("--binary", route_request.binary,
                      "The runcwrap binary the entries lead to (default: <bin dir>/runcwrap)");
    route->add_option("--bin-dir", route_request.bin_dir,
                      "Where install.sh put runcwrap (default: its manifest's, else "
                      "/usr/local/bin)");
    route
        ->add_option("--containerd-state", route_request.containerd_state,
                     "containerd's state dir, for --undo's dependents check")
        ->capture_default_str();
    route->add_option("--state-dir", route_request.state_dir, "Where the record and the backups go")
        ->capture_default_str();
    route->add_option("--prefix", route_request.prefix,
                      "The node's root when it is a staged tree (every path is under it)");
    install::register_install_command(app, envp);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (*version) {
        print(version_line + "\n");
        return kExitOk;
    }
    if (*explain) {
        int modes = !runc_args.empty() + !explain_bundle.empty() + !explain_id.empty();
        if (modes != 1) {
            print_error("explain takes one of: -- <runc arguments>, --bundle DIR, --id ID");
            return kExitError;
        }
        std::string argv0 = explain_via.empty() ? "runc" : explain_via;
        if (!explain_bundle.empty()) {
            runc_args = create_call_for_bundle(explain_bundle);
            if (explain_via.empty()) argv0 = shim_argv0_for_bundle(explain_bundle);
        }
        if (!explain_id.empty()) {
            auto call =
                call_for_container(explain_id, explain_root.empty() ? "/run/runc" : explain_root);
            if (!call) {
                print_error(call.error().message);
                return kExitError;
            }
            runc_args = *call;
        }
        return run_explain(argv0, runc_args, as_json, envp);
    }
    if (*dependents)
        return run_dependents(dependents_state, dependents_runc_root, dependents_log,
                              dependents_as_json, env);
    if (*route) {
        if (route_request.side_file == kDefaultSideFile)
            route_request.side_file = std::string(env.get(kSideFileEnv).value_or(kDefaultSideFile));
        std::fflush(stdout);
        const int rc = run_route(route_request, std::cout, std::cerr);
        std::cout.flush();
        return rc;
    }
    if (*import) return run_import(import_file, import_runtime, import_write, import_output, env);
    if (*doctor) {
        const DoctorReport report = run_doctor(doctor_options, env);
        print(doctor_as_json ? doctor_json(report) : doctor_text(report.checks));
        return doctor_healthy(report.checks) ? kExitOk : kExitError;
    }
    return kExitError;
}

}  // namespace runcwrap
