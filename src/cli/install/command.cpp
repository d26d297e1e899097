#include "cli/install/command.hpp"

#include "cli/install/installer.hpp"
#include "cli/install/node_install.hpp"
#include "common/environment.hpp"

namespace runcwrap::install {
namespace {

using Run = int (*)(const std::vector<std::string>&, const Environment&);

// A subcommand that parses its own arguments (install.sh's options, not CLI11's): everything
// after its name goes to `run`, whose exit status ends the CLI (CLI11 returns a RuntimeError's
// code and prints nothing for it).
void add_passthrough(CLI::App& app, const char* name, const char* help, Run run, char** envp) {
    auto* sub = app.add_subcommand(name, help);
    sub->prefix_command();
    sub->set_help_flag();
    sub->allow_extras();
    sub->callback([sub, run, envp] {
        const Environment env(envp);
        throw CLI::RuntimeError(run(sub->remaining(), env));
    });
}

}  // namespace

void register_install_command(CLI::App& app, char** envp) {
    add_passthrough(
        app, "install",
        "Install runcwrap as `runc` on this node (or under --prefix), write its side file, check\n"
        "containerd's PATH, run doctor; --uninstall removes exactly that. Options: "
        "`runcwrap install --help`",
        run_install, envp);
    add_passthrough(
        app, "node-install",
        "The installer image's entry point: install | uninstall [--wait] | check on the node\n"
        "mounted at $HOST_ROOT (default /host), through `runcwrap install --prefix`",
        run_node_install, envp);
}

}  // namespace runcwrap::install
