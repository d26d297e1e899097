// A routed CRI handler's entry point (issue #15): containerd's config names
// `<ENTRY_DIR>/NAME/runc` as handler NAME's BinaryName, a symlink to runcwrap, so the shim runs
// runcwrap for that handler and runcwrap runs the side file's [handlers.NAME] runtime. The file
// is called `runc` so that argv[0]'s basename stays `runc` (main.cpp picks the CLI only for
// `runcwrap`). Recognised by text alone, so that argv[0] and a sandbox's options.json
// binary_name cost nothing to check. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace runcwrap {

// What every entry's path ends with, after ENTRY_DIR's own parent: ".../runcwrap/handlers/".
inline constexpr std::string_view kHandlerEntryDirSuffix = "/runcwrap/handlers/";
inline constexpr std::string_view kHandlerEntryFile = "runc";
// install.sh's default ENTRY_DIR (the .deb's is /usr/lib/runcwrap/handlers).
inline constexpr std::string_view kDefaultHandlerEntryDir = "/usr/local/lib/runcwrap/handlers";

// A CRI handler name runcwrap routes: [A-Za-z0-9][A-Za-z0-9._-]{0,62}. "." and ".." are not
// (they start with a dot), so an entry's NAME is always one real path component.
bool is_valid_handler_name(std::string_view name);

// NAME when `path` is absolute and ends in "/runcwrap/handlers/NAME/runc" with a valid NAME;
// a view into `path`.
std::optional<std::string_view> handler_of_entry(std::string_view path);

}  // namespace runcwrap
