// install's routing step (--route-handlers) and uninstall's undo of it: `runcwrap route` run
// in-process (run_route) over the same node paths as the install, so install.sh, the .deb and
// the installer image route the same way `runcwrap route` does and --uninstall takes it back.
#include <sstream>

#include "cli/atomic_files.hpp"
#include "cli/install/installer.hpp"
#include "cli/install/process.hpp"
#include "cli/install/side_file.hpp"
#include "cli/route.hpp"
#include "common/fs.hpp"

namespace runcwrap::install {
using namespace files;  // the atomic file operations (cli/atomic_files.hpp)
namespace {

// The .deb's entries go under /usr/lib like the rest of a package's files.
constexpr std::string_view kPackageEntryDir = "/usr/lib/runcwrap/handlers";

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

std::string Installer::route_record_file() const {
    return staged(std::string(kRouteStateDir) + "/record.json");
}

// containerd's config as route takes it: a node path. It is the file install imported from
// (--from-containerd-config, which is read as given: under --prefix it names the staged file
// as PREFIX/..., or the node's path when that is how it is reachable, as in the installer
// image), else /etc/containerd/config.toml.
std::string Installer::routed_containerd_config() const {
    const std::string& from = options_.from_containerd_config;
    if (from.empty()) return std::string(kDefaultContainerdConfigPath);
    const std::string& prefix = options_.prefix;
    if (!prefix.empty() && from.rfind(prefix + "/", 0) == 0) return from.substr(prefix.size());
    return from;
}

RouteRequest Installer::route_request() const {
    RouteRequest r;
    r.dry_run = options_.dry_run;
    r.force = options_.force;
    r.restart_containerd = options_.restart_containerd;
    r.prefix = options_.prefix;
    r.containerd_config = routed_containerd_config();
    r.side_file = options_.config;
    r.entry_dir = options_.dpkg_package.empty() ? std::string(kDefaultEntryDir)
                                                : std::string(kPackageEntryDir);
    r.bin_dir = options_.bin_dir;
    r.containerd_state = options_.containerd_state;
    return r;
}

// Runs route, its output indented under the step; returns its exit status.
int Installer::run_route_step(const RouteRequest& request, const std::string& shown) {
    out_.info("runcwrap route " + shown);
    std::ostringstream out;
    std::ostringstream err;
    const int status = run_route(request, out, err);
    if (!out.str().empty()) out_.indented(without_trailing_newlines(out.str()), "        ");
    for (const auto& line : lines_of(err.str())) out_.to_stderr("        " + line);
    return status;
}

StepResult Installer::route_handlers() {
    const std::string record = route_record_file();
    if (options_.route_handlers.empty()) {
        if (!is_regular(record)) {
            out_.info(
                "not asked (--route-handlers all|NAME,...): containerd's config is left as "
                "it is");
            return std::nullopt;
        }
        std::string tables;
        if (auto side = read_file(staged(options_.config)))
            tables = joined(route_table_names(*side));
        out_.info("routed earlier (" + record + (tables.empty() ? "" : "; handlers " + tables) +
                  "): kept as it is; --uninstall takes it back");
        return std::nullopt;
    }
    RouteRequest request = route_request();
    const auto handlers = parse_route_handlers(options_.route_handlers);
    if (!handlers) fail(handlers.error().message);  // checked with the options already
    request.all = handlers->all;
    request.handlers = handlers->names;
    std::string shown = request.all ? "--all" : "";
    for (const auto& name : request.handlers)
        shown += (shown.empty() ? "" : " ") + ("--handler " + name);
    shown += " --containerd-config " + request.containerd_config + " --config " +
             request.side_file + " --entry-dir " + request.entry_dir + " --bin-dir " +
             request.bin_dir + (request.prefix.empty() ? "" : " --prefix " + request.prefix) +
             (request.dry_run ? " --dry-run" : "") +
             (request.restart_containerd ? " --restart-containerd" : "");
    // A dry run changes nothing, so before a first install route has no binary or side file to
    // lead to: it can only say what it would run.
    const bool in_place = runc_slot() == RuncSlot::ours && is_regular(staged(options_.config));
    if (options_.dry_run && !in_place) {
        out_.act("run runcwrap route " + shown +
                 " (its diff needs the binary, the runc link and the side file in place: run "
                 "the dry run again after installing, or runcwrap route --dry-run)");
        return std::nullopt;
    }
    if (run_route_step(request, shown) != kRouteOk)
        fail(
            "runcwrap route failed (see above): runcwrap itself is installed; fix that and run "
            "again (or leave out --route-handlers)");
    return std::nullopt;
}

StepResult Installer::undo_routing() {
    const std::string record = route_record_file();
    if (!is_regular(record)) {
        out_.info("no route record (" + record + "): no handler was routed");
        return std::nullopt;
    }
    RouteRequest request = route_request();
    request.undo = true;
    const std::string shown = "--undo" + std::string(request.force ? " --force" : "") +
                              (request.prefix.empty() ? "" : " --prefix " + request.prefix) +
                              (request.dry_run ? " --dry-run" : "") +
                              (request.restart_containerd ? " --restart-containerd" : "");
    const int status = run_route_step(request, shown);
    if (status == kRouteOk) return std::nullopt;
    if (status == kRouteKeptForDependents)
        fail(
            "containerd's config is restored, but running containers still run through the "
            "routed handlers' entries (listed above): stop and remove them first (crictl "
            "stopp/rmp ID; or drain the node), then uninstall again; --force "
            "(RUNCWRAP_FORCE=1 for the package) uninstalls anyway");
    fail(
        "runcwrap route --undo failed (see above): nothing of runcwrap was removed; fix that and "
        "uninstall again");
}

}  // namespace runcwrap::install
