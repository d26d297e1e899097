#include "cli/install/dpkg_divert.hpp"

#include <vector>

#include "cli/install/process.hpp"

namespace runcwrap::install {
namespace {

std::vector<std::string> dpkg_command(const DpkgContext& dpkg, std::string program) {
    std::vector<std::string> argv{std::move(program)};
    if (!dpkg.prefix.empty()) argv.insert(argv.end(), {"--root", dpkg.prefix});
    return argv;
}

Status run_divert(const DpkgContext& dpkg, const std::vector<std::string>& action) {
    std::vector<std::string> argv = dpkg_command(dpkg, "dpkg-divert");
    argv.insert(argv.end(), {"--package", dpkg.package, "--rename", "--quiet"});
    argv.insert(argv.end(), action.begin(), action.end());
    std::string shown;
    for (const auto& a : argv) shown += (shown.empty() ? "" : " ") + a;
    Command command{"dpkg-divert", argv};
    command.capture_stderr = false;
    const CommandResult r = run_command(command, *dpkg.env);
    if (r.status != 0)
        return make_error(shown + " failed (exit " + std::to_string(r.status) + ")" +
                          (r.output.empty() ? "" : ": " + r.output));
    return ok_status();
}

}  // namespace

std::string owner_from_dpkg_query(std::string_view output) {
    for (const auto& line : lines_of(output)) {
        if (line.rfind("diversion by", 0) == 0) continue;
        auto colon = line.find(": ");
        return colon == std::string::npos ? std::string() : line.substr(0, colon);
    }
    return {};
}

std::string dpkg_owner(const DpkgContext& dpkg, const std::string& node_path) {
    if (dpkg.package.empty()) return {};
    std::vector<std::string> argv = dpkg_command(dpkg, "dpkg-query");
    argv.insert(argv.end(), {"-S", node_path});
    Command command{"dpkg-query", argv};
    command.capture_stderr = false;
    command.discard_stderr = true;
    return owner_from_dpkg_query(run_command(command, *dpkg.env).output);
}

bool diverted_by_us(const DpkgContext& dpkg, const std::string& node_path) {
    if (dpkg.package.empty()) return false;
    std::vector<std::string> argv = dpkg_command(dpkg, "dpkg-divert");
    argv.insert(argv.end(), {"--listpackage", node_path});
    Command command{"dpkg-divert", argv};
    command.capture_stderr = false;
    command.discard_stderr = true;
    return run_command(command, *dpkg.env).output == dpkg.package;
}

Status divert(const DpkgContext& dpkg, const std::string& node_path, const std::string& to) {
    return run_divert(dpkg, {"--add", "--divert", to, node_path});
}

Status remove_diversion(const DpkgContext& dpkg, const std::string& node_path) {
    return run_divert(dpkg, {"--remove", node_path});
}

}  // namespace runcwrap::install
