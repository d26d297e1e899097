// `runcwrap install [install.sh's options]` (and `--uninstall`) as a CLI11 subcommand. Its
// options are install.sh's, parsed by cli/install/options.cpp so that every message, variable
// and exit status stays install.sh's: CLI11 passes the arguments through unparsed. Also
// `runcwrap node-install ...`, the installer image's entry point (node_install.hpp).
#pragma once

#include <CLI/CLI.hpp>

namespace runcwrap::install {

void register_install_command(CLI::App& app, char** envp);

}  // namespace runcwrap::install
