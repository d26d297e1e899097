// runcwrap: one binary, two faces. Installed as `runc` it is the wrapper (the hot path);
// called `runcwrap` it is the management CLI.
#include <string_view>

#include "cli.hpp"
#include "wrapper.hpp"

namespace {

std::string_view program_name(const char* argv0) {
    std::string_view name = argv0 ? argv0 : "";
    auto slash = name.rfind('/');
    return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

}  // namespace

int main(int argc, char** argv, char** envp) {
    if (argc > 0 && program_name(argv[0]) == "runcwrap") return runcwrap::cli_main(argc, argv, envp);
    return runcwrap::wrapper_main(argc, argv, envp);
}
