// `runcwrap install`: the one install implementation behind install.sh, the .deb's maintainer
// scripts and the installer image. An Installer runs a table of small named steps over one
// state (the options, the manifest as it is on disk, what was printed); the decisions are the
// pure functions of options/manifest/runc_slot/side_file/containerd_path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/install/dpkg_divert.hpp"
#include "cli/install/manifest.hpp"
#include "cli/install/options.hpp"
#include "cli/install/report.hpp"
#include "cli/install/runc_slot.hpp"
#include "cli/route.hpp"
#include "common/environment.hpp"

namespace runcwrap::install {

// Parses `args` (install.sh's options) and installs, or uninstalls with --uninstall. Returns
// the exit status: 0 done (and, on the live node, ready), 1 refused or failed.
int run_install(const std::vector<std::string>& args, const Environment& env);

// An install step returns nothing to go on, or the exit status to stop with.
using StepResult = std::optional<int>;

class Installer {
  public:
    // `self` is the running binary: what is installed unless --source-binary names another.
    Installer(InstallOptions options, const Environment& env, std::string self);
    int install();
    int uninstall();

  private:
    struct Step {
        std::string (*title)(const Installer&);
        StepResult (Installer::*run)();
    };
    int run_steps(const std::vector<Step>& steps);

    // ---- paths: node paths (as on the node), staged = as seen from here (under --prefix)
    std::string staged(std::string_view node) const;
    std::string runc_live() const { return options_.bin_dir + "/runc"; }
    std::string runcwrap_live() const { return options_.bin_dir + "/runcwrap"; }
    std::string manifest_file() const { return staged(kManifestPath); }

    // ---- the manifest, written after every change so that it always lists what is on disk
    void read_manifest();
    void save_manifest();

    // ---- primitives (each prints its action; a dry run only prints)
    void ensure_dir(const std::string& node_dir);
    void write_text_atomically(const std::string& path, const std::string& bytes, bool quiet);
    void backup(const std::string& node);
    void fix_mode(const std::string& path, std::string_view mode);
    void check_side_folder(const std::string& node_dir);
    void remove_path(const std::string& path, std::string_view why);
    void restore_backup(const std::string& node);
    std::string run_self(const std::vector<std::string>& args, bool with_stderr, int* status) const;

    // ---- install's steps
    StepResult find_source_binary();
    StepResult decide_side_file();
    StepResult install_runcwrap();
    StepResult install_runc_link();
    StepResult write_side_file();
    void place_side_file();
    StepResult route_handlers();
    StepResult check_containerd();
    StepResult run_doctor();
    int summary();
    RuncSlot runc_slot() const;
    void check_runc_slot(bool quiet);
    void check_containerd_path();
    void check_search_path(const std::string& who, const std::string& value);
    void path_problem(const std::string& message);

    // ---- `runcwrap route` over the install's paths (route_step.cpp)
    std::string route_record_file() const;
    std::string routed_containerd_config() const;
    RouteRequest route_request() const;
    int run_route_step(const RouteRequest& request, const std::string& shown);

    // ---- uninstall's steps
    StepResult read_manifest_for_uninstall();
    StepResult check_dependents();
    StepResult undo_routing();
    StepResult remove_binaries();
    StepResult remove_side_file();
    StepResult remove_manifest_and_folders();

    InstallOptions options_;
    const Environment& env_;
    std::string self_;
    Reporter out_;
    Manifest manifest_;
    DpkgContext dpkg_;
    bool is_root_;
    std::string side_text_;    // what install writes (no final newline)
    std::string side_source_;  // where it came from, for the output
    int path_problems_ = 0;
    int doctor_warnings_ = 0;
    bool ready_ = true;
};

}  // namespace runcwrap::install
