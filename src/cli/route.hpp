// `runcwrap route`: make CRI runtime handlers that name their runtime lead to runcwrap, per
// handler, and take it back (issue #15; README "Routing handlers through runcwrap").
//
// For each routed handler NAME:
//   1. the entry <ENTRY_DIR>/NAME/runc, a symlink to the installed runcwrap binary (argv[0]'s
//      basename stays "runc"; the wrapper tells the handler from the path);
//   2. the side file's [handlers.NAME] table: the handler's runtime options as containerd's
//      config had them, BinaryName the real runtime ("runc" when it was unset);
//   3. containerd's config: the handler's BinaryName = the entry, in the file that defines it
//      (main file or drop-in), nothing else changed; a backup and a record first.
// Entries and tables are written before the config (a restarted containerd never finds an
// entry without its table); --undo restores the config first, then removes tables and entries
// (kept while containers still run through them, unless force).
//
// Every path in a request is the node's; `prefix` is the node's root when it is a staged tree
// (as install.sh --prefix). Callers: `runcwrap route` (cli.cpp), and the installers.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "cli/containerd_config.hpp"
#include "common/result.hpp"
#include "common/runtime_options.hpp"
#include "wrapper/side_config.hpp"

namespace runcwrap {

inline constexpr const char* kDefaultEntryDir = "/usr/local/lib/runcwrap/handlers";
inline constexpr const char* kRouteStateDir = "/var/lib/runcwrap/route";
inline constexpr const char* kDefaultBinDir = "/usr/local/bin";
inline constexpr const char* kInstallManifest = "/var/lib/runcwrap/install-manifest";

struct RouteRequest {
    bool all = false;                   // every runc-shim handler that names its runtime
    std::vector<std::string> handlers;  // or these
    bool undo = false;
    bool force = false;  // undo: remove entries and tables even while containers use them
    bool dry_run = false;
    bool restart_containerd = false;
    std::string prefix;  // "" = this machine is the node
    std::string containerd_config = kDefaultContainerdConfig;
    std::string side_file = kDefaultSideFile;
    std::string entry_dir = kDefaultEntryDir;
    std::string binary;   // "" = <bin dir>/runcwrap, which the runc slot there links to
    std::string bin_dir;  // "" = install.sh's manifest's bin-dir, else /usr/local/bin
    std::string containerd_state = "/run/containerd";  // for undo's dependents check
    std::string state_dir = kRouteStateDir;            // the record and the backups
};

// Exit statuses: 0 done (or nothing to do), 1 error (nothing written by the failing step),
// 2 undo restored containerd's config but kept entries and tables: containers still use them.
inline constexpr int kRouteOk = 0;
inline constexpr int kRouteError = 1;
inline constexpr int kRouteKeptForDependents = 2;

int run_route(const RouteRequest& request, std::ostream& out, std::ostream& err);

// ---- the pure parts, exposed for the unit tests ----

// containerd's runc shim: io.containerd.runc.v2, v1, or unset (containerd's default).
bool is_runc_shim(std::string_view runtime_type);
// A handler name the wrapper can recognise in an entry path: [A-Za-z0-9][A-Za-z0-9._-]{0,62}.
bool valid_handler_name(std::string_view name);
std::string entry_path(std::string_view entry_dir, std::string_view handler);
// Any handler's entry, by text: absolute, ending in /runcwrap/handlers/NAME/runc.
bool is_entry_path(std::string_view path);

// The side file's [handlers.NAME] table for the handler's recorded options.
std::string render_handler_table(std::string_view name, const RuntimeOptions& options);
// The side file with these tables (name, rendered) added, or replacing the same handler's
// table; everything else kept byte for byte.
std::string side_file_with_tables(std::string_view text,
                                  const std::vector<std::pair<std::string, std::string>>& tables);
// The side file without those handlers' tables (and route's comment once none is left).
std::string side_file_without_tables(std::string_view text, const std::vector<std::string>& names);
// The handler's table as it stands in the side file's text ("" = none).
std::string handler_table_in(std::string_view text, std::string_view name);

}  // namespace runcwrap
