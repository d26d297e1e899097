// `runcwrap install`'s settings: the environment first (RUNCWRAP_*, for bootstrap tools), then
// the command line, checked the way install.sh always checked them. Pure: no file is read here
// (the one question about the disk, whether --prefix is a folder, is asked through a callback).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/environment.hpp"
#include "common/result.hpp"

namespace runcwrap::install {

inline constexpr std::string_view kDefaultBinDir = "/usr/local/bin";
inline constexpr std::string_view kDefaultSidePath = "/etc/runcwrap/config.toml";
inline constexpr std::string_view kDefaultContainerdConfigPath = "/etc/containerd/config.toml";
inline constexpr std::string_view kManifestPath = "/var/lib/runcwrap/install-manifest";
inline constexpr std::string_view kBackupSuffix = ".runcwrap-backup";
inline constexpr std::string_view kDefaultContainerdState = "/run/containerd";
inline constexpr std::string_view kContainerdRuncRoot = "/run/containerd/runc";
// systemd's PATH for services that set none (systemd >= 235; Debian 12 ships 252).
inline constexpr std::string_view kSystemdDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct InstallOptions {
    std::string binary_name;
    std::string from_containerd_config;
    bool systemd_cgroup = false;
    std::string bin_dir{kDefaultBinDir};
    std::string config{kDefaultSidePath};
    std::string prefix;  // "" = the live node
    std::string source_binary;
    bool dry_run = false;
    bool force = false;
    bool replace_config = false;
    bool no_doctor = false;
    bool uninstall = false;
    bool help = false;  // -h/--help: print the usage, nothing else is checked
    std::string containerd_pid;
    std::string dpkg_package;
    std::string containerd_state{kDefaultContainerdState};
    // `runcwrap route` after the install: "" = leave routing as it is, "all", or "a,b".
    std::string route_handlers;
    bool restart_containerd = false;  // with the route (or its undo): systemctl restart
};

// --route-handlers' value as `runcwrap route` takes it: all = --all, else the names
// (--handler NAME each). An error names a bad or repeated handler name.
struct RouteHandlers {
    bool all = false;
    std::vector<std::string> names;
};
Result<RouteHandlers> parse_route_handlers(std::string_view value);

// A boolean setting from the environment: 1/true/yes/on, 0/false/no/off, unset or "" = false.
Result<bool> parse_bool_setting(std::string_view name, std::string_view value);

// Drops duplicate and trailing slashes ("/" stays "/").
std::string normalize_path(std::string_view path);

// Why `path` cannot go into the manifest or the side file ("" when it can): it must be
// absolute and free of quotes, backslashes and control characters.
std::string plain_path_problem(std::string_view what, std::string_view path);

using IsFolder = std::function<bool(const std::string&)>;

// The settings, or the error install.sh printed for them. `cwd` makes a relative --prefix and
// --from-containerd-config absolute.
Result<InstallOptions> parse_install_options(const std::vector<std::string>& args,
                                             const Environment& env, std::string_view cwd,
                                             const IsFolder& is_folder);

std::string install_usage();

}  // namespace runcwrap::install
