#include "cli/install/options.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

#include "cli/route.hpp"

namespace runcwrap::install {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; });
}

// A Debian package name: ^[a-z0-9][a-z0-9.+-]+$
bool is_package_name(std::string_view name) {
    auto lower_alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (name.size() < 2 || !lower_alnum(name[0])) return false;
    return std::all_of(name.begin() + 1, name.end(),
                       [&](char c) { return lower_alnum(c) || c == '.' || c == '+' || c == '-'; });
}

// The options that take a value, and where it goes.
using TextSetting = std::string InstallOptions::*;
struct ValueOption {
    std::string_view name;
    TextSetting field;
};
constexpr ValueOption kValueOptions[] = {
    {"--binary-name", &InstallOptions::binary_name},
    {"--from-containerd-config", &InstallOptions::from_containerd_config},
    {"--bin-dir", &InstallOptions::bin_dir},
    {"--config", &InstallOptions::config},
    {"--prefix", &InstallOptions::prefix},
    {"--source-binary", &InstallOptions::source_binary},
    {"--containerd-pid", &InstallOptions::containerd_pid},
    {"--dpkg", &InstallOptions::dpkg_package},
    {"--containerd-state", &InstallOptions::containerd_state},
    {"--route-handlers", &InstallOptions::route_handlers},
};

using FlagSetting = bool InstallOptions::*;
struct FlagOption {
    std::string_view name;
    FlagSetting field;
};
constexpr FlagOption kFlagOptions[] = {
    {"--systemd-cgroup", &InstallOptions::systemd_cgroup},
    {"--dry-run", &InstallOptions::dry_run},
    {"--force", &InstallOptions::force},
    {"--replace-config", &InstallOptions::replace_config},
    {"--uninstall", &InstallOptions::uninstall},
    {"--no-doctor", &InstallOptions::no_doctor},
    {"--restart-containerd", &InstallOptions::restart_containerd},
};

struct TextFromEnv {
    std::string_view variable;
    TextSetting field;
};
constexpr TextFromEnv kTextFromEnv[] = {
    {"RUNCWRAP_BINARY_NAME", &InstallOptions::binary_name},
    {"RUNCWRAP_FROM_CONTAINERD_CONFIG", &InstallOptions::from_containerd_config},
    {"RUNCWRAP_BIN_DIR", &InstallOptions::bin_dir},
    {"RUNCWRAP_CONFIG_FILE", &InstallOptions::config},
    {"RUNCWRAP_SOURCE_BINARY", &InstallOptions::source_binary},
    {"RUNCWRAP_CONTAINERD_PID", &InstallOptions::containerd_pid},
    {"RUNCWRAP_DPKG", &InstallOptions::dpkg_package},
    {"RUNCWRAP_CONTAINERD_STATE", &InstallOptions::containerd_state},
    {"RUNCWRAP_ROUTE_HANDLERS", &InstallOptions::route_handlers},
};

struct FlagFromEnv {
    std::string_view variable;
    FlagSetting field;
};
// In install.sh's order: the first bad value is the one reported.
constexpr FlagFromEnv kFlagsFromEnv[] = {
    {"RUNCWRAP_SYSTEMD_CGROUP", &InstallOptions::systemd_cgroup},
    {"RUNCWRAP_DRY_RUN", &InstallOptions::dry_run},
    {"RUNCWRAP_FORCE", &InstallOptions::force},
    {"RUNCWRAP_REPLACE_CONFIG", &InstallOptions::replace_config},
    {"RUNCWRAP_NO_DOCTOR", &InstallOptions::no_doctor},
    {"RUNCWRAP_RESTART_CONTAINERD", &InstallOptions::restart_containerd},
};

// A variable set to "" counts as unset (as ${VAR:-default} does).
std::optional<std::string_view> non_empty(const Environment& env, std::string_view name) {
    auto v = env.get(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
}

Result<InstallOptions> from_environment(const Environment& env) {
    InstallOptions o;
    for (const auto& [variable, field] : kTextFromEnv)
        if (auto v = non_empty(env, variable)) o.*field = std::string(*v);
    if (auto v = non_empty(env, "RUNCWRAP_PREFIX"))
        o.prefix = std::string(*v);
    else if (auto d = non_empty(env, "DESTDIR"))
        o.prefix = std::string(*d);
    for (const auto& [variable, field] : kFlagsFromEnv) {
        auto value = parse_bool_setting(variable, env.get(variable).value_or(""));
        if (!value) return value.error();
        o.*field = *value;
    }
    return o;
}

// Parses the command line over the environment's settings; stops at -h/--help.
Status apply_arguments(const std::vector<std::string>& args, InstallOptions& o) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "-h" || arg == "--help") {
            o.help = true;
            return ok_status();
        }
        bool known = false;
        for (const auto& [name, field] : kFlagOptions)
            if (arg == name) {
                o.*field = true;
                known = true;
            }
        for (const auto& [name, field] : kValueOptions) {
            if (known) break;
            if (arg == name) {
                if (i + 1 >= args.size())
                    return make_error(std::string(name) + " needs a value (see --help)");
                o.*field = args[++i];
                known = true;
            } else if (arg.size() > name.size() && arg.compare(0, name.size(), name) == 0 &&
                       arg[name.size()] == '=') {
                o.*field = arg.substr(name.size() + 1);
                known = true;
            }
        }
        if (!known) return make_error("unknown argument: " + arg + " (see --help)");
    }
    return ok_status();
}

Status check_settings(InstallOptions& o, std::string_view cwd, const IsFolder& is_folder) {
    if (!o.prefix.empty()) {
        if (o.prefix[0] != '/') o.prefix = std::string(cwd) + "/" + o.prefix;
        if (auto p = plain_path_problem("--prefix", o.prefix); !p.empty()) return make_error(p);
        o.prefix = normalize_path(o.prefix);
        if (o.prefix == "/") o.prefix.clear();
        if (!o.prefix.empty() && !is_folder(o.prefix))
            return make_error("--prefix " + o.prefix + " is not a folder (create it first)");
    }
    if (auto p = plain_path_problem("--bin-dir", o.bin_dir); !p.empty()) return make_error(p);
    if (auto p = plain_path_problem("--config", o.config); !p.empty()) return make_error(p);
    o.bin_dir = normalize_path(o.bin_dir);
    o.config = normalize_path(o.config);
    if (!o.containerd_pid.empty() && (!all_digits(o.containerd_pid) || o.containerd_pid[0] == '0'))
        return make_error("--containerd-pid must be a process id, got: " + o.containerd_pid);
    if (!o.binary_name.empty() && !o.from_containerd_config.empty())
        return make_error(
            "--binary-name and --from-containerd-config are exclusive: the side file comes from "
            "one of them");
    if (o.systemd_cgroup && o.binary_name.empty() && !o.uninstall)
        return make_error(
            "--systemd-cgroup goes with --binary-name; an import takes SystemdCgroup from "
            "containerd's config");
    if (!o.binary_name.empty())
        if (auto p = plain_path_problem("--binary-name", o.binary_name); !p.empty())
            return make_error(p);
    if (!o.dpkg_package.empty() && !is_package_name(o.dpkg_package))
        return make_error("--dpkg must be a Debian package name, got: " + o.dpkg_package);
    // Read as given on this machine (not under --prefix); absolute so the side file names it.
    if (!o.from_containerd_config.empty() && o.from_containerd_config[0] != '/')
        o.from_containerd_config = std::string(cwd) + "/" + o.from_containerd_config;
    if (o.config == o.bin_dir + "/runc" || o.config == o.bin_dir + "/runcwrap")
        return make_error("--config " + o.config + " is where the binaries go");
    // --uninstall takes back every routed handler: a --route-handlers left in the environment
    // (the package's, the pod's) does not stop it.
    if (!o.uninstall && !o.route_handlers.empty())
        if (auto handlers = parse_route_handlers(o.route_handlers); !handlers)
            return handlers.error();
    if (o.restart_containerd && o.route_handlers.empty() && !o.uninstall)
        return make_error(
            "--restart-containerd goes with --route-handlers (or --uninstall): containerd is "
            "restarted only to read a routed (or restored) config");
    if (o.restart_containerd && !o.prefix.empty())
        return make_error(
            "--restart-containerd with --prefix: the staged tree's containerd is "
            "not this machine's; restart it on the node (systemctl restart "
            "containerd)");
    return ok_status();
}

}  // namespace

Result<bool> parse_bool_setting(std::string_view name, std::string_view value) {
    const std::string v = lower(value);
    if (v.empty() || v == "0" || v == "false" || v == "no" || v == "off") return false;
    if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
    return make_error(std::string(name) + "=" + std::string(value) +
                      ": expected 1/true/yes/on or 0/false/no/off");
}

std::string normalize_path(std::string_view path) {
    std::string out;
    for (char c : path)
        if (c != '/' || out.empty() || out.back() != '/') out += c;
    if (out != "/" && !out.empty() && out.back() == '/') out.pop_back();
    return out;
}

std::string plain_path_problem(std::string_view what, std::string_view path) {
    if (path.empty() || path[0] != '/')
        return std::string(what) + " must be an absolute path, got: " + std::string(path);
    for (unsigned char c : path)
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            return std::string(what) +
                   " must not contain quotes, backslashes or control characters: " +
                   std::string(path);
    return {};
}

Result<RouteHandlers> parse_route_handlers(std::string_view value) {
    RouteHandlers handlers;
    if (value == "all") {
        handlers.all = true;
        return handlers;
    }
    while (true) {
        const auto comma = value.find(',');
        const std::string name(value.substr(0, comma));
        if (!valid_handler_name(name))
            return make_error(
                "--route-handlers takes all or NAME[,NAME...] (CRI runtime "
                "handler names: [A-Za-z0-9][A-Za-z0-9._-]{0,62}), got: \"" +
                name + "\" in " + std::string(value));
        if (std::find(handlers.names.begin(), handlers.names.end(), name) != handlers.names.end())
            return make_error("--route-handlers names " + name + " twice: " + std::string(value));
        handlers.names.push_back(name);
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
    }
    return handlers;
}

Result<InstallOptions> parse_install_options(const std::vector<std::string>& args,
                                             const Environment& env, std::string_view cwd,
                                             const IsFolder& is_folder) {
    auto options = from_environment(env);
    if (!options) return options;
    if (auto st = apply_arguments(args, *options); !st) return st.error();
    if (options->help) return options;
    if (auto st = check_settings(*options, cwd, is_folder); !st) return st.error();
    return options;
}

std::string install_usage() {
    return R"(Usage: sudo ./install.sh [OPTIONS]
       sudo runcwrap install [OPTIONS]      (the same: install.sh runs this)

Installs runcwrap as `runcwrap` and as `runc` (a symlink to runcwrap) in the bin dir, writes
its side file, checks that containerd finds the wrapper before any other runc, and runs
`runcwrap doctor`. Exit status 0 only when the node is ready. Running it again is safe: the
result is the same, nothing is duplicated, every write is atomic (temp file + rename).

What the side file says (what containerd meant to run when it drops the runtime options):
  --binary-name PATH            the real runtime, e.g. /usr/sbin/runc
  --systemd-cgroup              with --binary-name: SystemdCgroup = true
  --from-containerd-config FILE import the default CRI runtime's options from containerd's
                                config.toml (runcwrap import-containerd-config); FILE is read
                                as given, also with --prefix
  With neither --binary-name nor --from-containerd-config, /etc/containerd/config.toml is
  imported; if it does not exist, containerd's defaults are written (runc from PATH, cgroupfs).

Where things go:
  --bin-dir DIR                 where runcwrap and runc go (default /usr/local/bin)
  --config FILE                 the side file (default /etc/runcwrap/config.toml). The wrapper
                                reads another path only if containerd's environment sets
                                RUNCWRAP_CONFIG to it.
  --prefix DIR                  stage everything under DIR (DESTDIR-style, for packaging and
                                tests): DIR is the node's root for every file install reads or
                                writes; doctor is not run (the staged tree is not the live node)
  --source-binary FILE          the runcwrap binary to install (default: the runcwrap that runs
                                the install; install.sh runs the one next to it, as in a
                                release archive, else build/runcwrap, built with `make` if
                                missing)
  --dpkg PACKAGE                run from PACKAGE's maintainer scripts: a file another Debian
                                package owns is moved aside with dpkg-divert (--uninstall
                                removes the diversion), a --source-binary already in the bin dir
                                is the package's own file (left to dpkg), and a node that is not
                                ready yet is reported but is not an error

Routing CRI runtime handlers through runcwrap (`runcwrap route`; see runcwrap(8)):
  --route-handlers all|NAME[,NAME...]
                                once runcwrap, runc and the side file are in place, route these
                                handlers (all: every runc-shim handler whose BinaryName names a
                                runtime) through runcwrap, each keeping its runtime: an entry
                                ENTRY_DIR/NAME/runc -> runcwrap, the side file's [handlers.NAME]
                                table (the handler's runtime and options), and BinaryName = the
                                entry in containerd's config (the file imported, else
                                /etc/containerd/config.toml; a backup and a record in
                                /var/lib/runcwrap/route). ENTRY_DIR: /usr/local/lib/runcwrap/
                                handlers (--dpkg: /usr/lib/runcwrap/handlers). Without it,
                                handlers routed earlier stay routed (a re-install or upgrade
                                keeps their tables); --uninstall takes the routing back first
                                and restores containerd's config
  --restart-containerd          with --route-handlers (or --uninstall): systemctl restart
                                containerd once its config changed (needs systemd; not with
                                --prefix). Without it containerd reads the change when it next
                                starts

Behaviour:
  --dry-run                     print every action, change nothing
  --force                       replace a `runc` that is not runcwrap; it is kept as
                                runc.runcwrap-backup and --uninstall puts it back
  --replace-config              replace a side file that was edited since install wrote it (or
                                that install did not write; that one is kept as a backup)
  --uninstall                   remove exactly what install added (from the manifest
                                /var/lib/runcwrap/install-manifest) and put back the backups; a
                                side file edited since install is kept unless --force. It first
                                looks for running containers that still need runcwrap
                                (`runcwrap dependents`: containerd dropped their runtime
                                options, or runcwrap chowned their stdio) and refuses while
                                there are any; --force uninstalls anyway and says what will break
  --containerd-state DIR        containerd's state dir that --uninstall looks in (default
                                /run/containerd; with --prefix, under it)
  --containerd-pid PID          check this containerd process (default: every process named
                                containerd, then the systemd unit; with --prefix, nothing
                                unless this is given, and then runc is looked up in the tree)
  --no-doctor                   do not run `runcwrap doctor` at the end
  -h, --help                    this help

Environment (for bootstrap tools; options on the command line win):
  RUNCWRAP_BINARY_NAME, RUNCWRAP_FROM_CONTAINERD_CONFIG, RUNCWRAP_SYSTEMD_CGROUP,
  RUNCWRAP_BIN_DIR, RUNCWRAP_CONFIG_FILE, RUNCWRAP_PREFIX (or DESTDIR), RUNCWRAP_SOURCE_BINARY,
  RUNCWRAP_DRY_RUN, RUNCWRAP_FORCE, RUNCWRAP_REPLACE_CONFIG, RUNCWRAP_NO_DOCTOR,
  RUNCWRAP_CONTAINERD_PID, RUNCWRAP_DPKG, RUNCWRAP_CONTAINERD_STATE, RUNCWRAP_ROUTE_HANDLERS,
  RUNCWRAP_RESTART_CONTAINERD. Booleans take 1/true/yes/on or 0/false/no/off.

Why `runc` is a symlink and not a copy: runcwrap recognises itself by inode when it looks for
the real runtime (so it never execs itself); a symlink is the same inode, upgrading runcwrap
upgrades runc at once, and the link is relative so a staged tree works once unpacked.
)";
}

}  // namespace runcwrap::install
