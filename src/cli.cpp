#include "cli.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "environment.hpp"
#include "explain.hpp"
#include "plan.hpp"
#include "runc_args.hpp"
#include "stdio_owner.hpp"

#ifndef RUNCWRAP_VERSION
#define RUNCWRAP_VERSION "0.0.0-dev"
#endif

namespace runcwrap {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;

int run_explain(const std::vector<std::string>& runc_args, bool as_json, char** envp) {
    std::vector<std::string_view> argv{"runc"};
    for (const auto& a : runc_args) argv.emplace_back(a);
    const RuncCall call = parse_runc_argv(std::move(argv));
    const Environment env(envp);
    const auto plan = make_plan(call, env, stdio_open_at_entry());
    const std::string out = as_json ? explain_json(call, plan) : explain_text(call, plan);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return plan ? kExitOk : kExitError;
}

}  // namespace

int cli_main(int argc, char** argv, char** envp) {
    CLI::App app{"runcwrap: installed as `runc`, it restores the runtime options containerd "
                 "dropped for user-namespaced containers and gives the container its stdio.\n"
                 "Invoked as `runcwrap`, it explains and checks what it does."};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("runcwrap ") + RUNCWRAP_VERSION);

    auto* version = app.add_subcommand("version", "Print runcwrap's version");

    auto* explain = app.add_subcommand(
        "explain",
        "Show what runcwrap would do for a runc call, without running anything:\n"
        "  runcwrap explain [--json] -- --root R --log L create --bundle B ID");
    bool as_json = false;
    std::vector<std::string> runc_args;
    explain->add_flag("--json", as_json, "Print JSON instead of text");
    explain->add_option("runc_args", runc_args, "The runc arguments, after --")->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (*version) {
        std::printf("runcwrap %s\n", RUNCWRAP_VERSION);
        return kExitOk;
    }
    if (*explain) return run_explain(runc_args, as_json, envp);
    return kExitError;
}

}  // namespace runcwrap
