#include "cli/install/command.hpp"

#include "cli/install/installer.hpp"
#include "cli/install/node_install.hpp"
#include "common/environment.hpp"

namespace runcwrap::install {

void register_install_command(CLI::App& app, char** envp) {
    auto* install = app.add_subcommand(
        "install",
        "Install runcwrap as `runc` on this node (or under --prefix), write its side file, check\n"
        "containerd's PATH, run doctor; --uninstall removes exactly that. Options: "
        "`runcwrap install --help`");
    install->prefix_command();
    install->set_help_flag();
    install->allow_extras();
    // The install's exit status ends the CLI: CLI11 returns a RuntimeError's code and prints
    // nothing for it.
    install->callback([install, envp] {
        const Environment env(envp);
        throw CLI::RuntimeError(run_install(install->remaining(), env));
    });

    auto* node = app.add_subcommand(
        "node-install",
        "The installer image's entry point: install | uninstall [--wait] | check on the node\n"
        "mounted at $HOST_ROOT (default /host), through `runcwrap install --prefix`");
    node->prefix_command();
    node->set_help_flag();
    node->allow_extras();
    node->callback([node, envp] {
        const Environment env(envp);
        throw CLI::RuntimeError(run_node_install(node->remaining(), env));
    });
}

}  // namespace runcwrap::install
