// `runcwrap install --uninstall`: removes exactly what the manifest lists and puts back the
// backups, whatever --bin-dir/--config say now; refuses while running containers still need
// runcwrap (unless --force, which says what breaks).
#include "cli/atomic_files.hpp"
#include "cli/install/installer.hpp"
#include "cli/install/process.hpp"
#include "cli/install/side_file.hpp"
#include "common/fs.hpp"

namespace runcwrap::install {
using namespace files;  // the atomic file operations (cli/atomic_files.hpp)

void Installer::remove_path(const std::string& path, std::string_view why) {
    out_.act("remove " + path + " (" + std::string(why) + ")");
    if (options_.dry_run) return;
    if (auto st = remove_file(path); !st) fail(st.error().message);
}

void Installer::restore_backup(const std::string& node) {
    auto it = manifest_.backups.find(node);
    if (it == manifest_.backups.end()) return;
    const std::string from = staged(it->second);
    const std::string to = staged(node);
    if (!present(from)) {
        out_.warn("the backup " + from + " is gone: cannot put back " + to);
    } else if (present(to)) {
        out_.warn(to + " exists again: leaving the backup at " + from);
        return;
    } else if (diverted_by_us(dpkg_, node)) {
        out_.act("put back " + to + " from " + from + " (dpkg-divert --remove)");
        if (!options_.dry_run)
            if (auto st = remove_diversion(dpkg_, node); !st) fail(st.error().message);
    } else {
        out_.act("put back " + to + " from " + from);
        if (!options_.dry_run)
            if (auto st = rename_path(from, to); !st) fail(st.error().message);
    }
    manifest_.backups.erase(node);
    save_manifest();
}

StepResult Installer::read_manifest_for_uninstall() {
    read_manifest();
    if (!manifest_.exists) {
        out_.info("no manifest: install.sh installed nothing here" +
                  (options_.prefix.empty() ? "" : " under " + options_.prefix) +
                  ". Nothing to do.");
        return 0;
    }
    // Uninstall acts on what the manifest says, whatever --bin-dir/--config say now.
    options_.bin_dir = manifest_.bin_dir;
    options_.config = manifest_.config;
    out_.info("installed: " + runcwrap_live() + ", " + runc_live() + ", side file " +
              options_.config);
    return std::nullopt;
}

// The finding is runcwrap's own (`runcwrap dependents`), so the package's prerm, the image and
// a hand install share it.
StepResult Installer::check_dependents() {
    const std::string binary =
        options_.source_binary.empty() ? staged(runcwrap_live()) : options_.source_binary;
    const std::string state = staged(options_.containerd_state);
    if (!is_executable(binary)) {
        out_.warn(binary + " is gone: cannot look for containers that still need runcwrap");
        return std::nullopt;
    }
    Command dependents{
        binary,
        {"runcwrap", "dependents", "--state", state, "--runc-root", staged(kContainerdRuncRoot)}};
    dependents.set_env = {{"RUNCWRAP_CONFIG", staged(options_.config)}};
    const CommandResult r = run_command(dependents, env_);
    if (r.status == 0) {
        out_.info("no running container under " + state + " needs runcwrap");
        return std::nullopt;
    }
    if (r.status != 2) {
        out_.warn("runcwrap dependents failed (" + r.output +
                  "): cannot tell which containers need runcwrap");
        if (!options_.force)
            fail("cannot check " + state +
                 " for containers that still need runcwrap; fix that, or re-run with --force");
        return std::nullopt;
    }
    const auto lines = lines_of(r.output);
    int n = 0;
    for (const auto& line : lines) {
        if (!line.empty()) ++n;
        out_.info("needs runcwrap: " + line);
    }
    const std::string count = std::to_string(n);
    if (options_.force) {
        out_.warn("--force: uninstalling while " + count +
                  " container(s) still need runcwrap; for each, what breaks is said above");
        return std::nullopt;
    }
    if (options_.dry_run) {
        out_.act("refuse: " + count + " container(s) still need runcwrap");
        return std::nullopt;
    }
    fail(count +
         " running container(s) still need runcwrap (listed above): stop and remove them first "
         "(crictl stopp/rmp ID, or ctr -n NS task kill ID, ctr -n NS container rm ID; or drain "
         "the node), then uninstall again; --force (RUNCWRAP_FORCE=1 for the package) "
         "uninstalls anyway");
}

StepResult Installer::remove_binaries() {
    const std::string runc = staged(runc_live());
    const std::string runcwrap = staged(runcwrap_live());
    if (!manifest_.link_target.empty()) {
        if (is_symlink(runc) && link_target(runc) == manifest_.link_target)
            remove_path(runc, "the symlink install made");
        else if (present(runc))
            out_.warn(runc + " was replaced since install: leaving it");
        manifest_.link_target.clear();
        save_manifest();
    }
    restore_backup(runc_live());
    if (!manifest_.binary_sha.empty()) {
        bool unchanged = false;  // the file install copied, byte for byte (read once)
        if (is_regular(runcwrap))
            if (const auto sha = sha256_of_file(runcwrap); sha)
                unchanged = *sha == manifest_.binary_sha;
        if (is_regular(runcwrap) && (unchanged || options_.force))
            remove_path(runcwrap, "the binary install copied");
        else if (exists(runcwrap))
            out_.warn(runcwrap + " changed since install: leaving it (--force removes it)");
        manifest_.binary_sha.clear();
        save_manifest();
    }
    restore_backup(runcwrap_live());
    return std::nullopt;
}

StepResult Installer::remove_side_file() {
    const std::string side = staged(options_.config);
    if (!manifest_.side_sha.empty()) {
        const bool regular = is_regular(side);
        auto text = regular ? read_file(side) : Result<std::string>(make_error(""));
        if (regular && text && side_file_checksum(*text) == manifest_.side_sha)
            remove_path(side, "written by install");
        else if (regular && options_.force)
            remove_path(side, "edited since install; --force");
        else if (exists(side))
            out_.warn(side + " was edited since install: keeping it (--force removes it)");
        manifest_.side_sha.clear();
        save_manifest();
    } else {
        out_.info(side + " was not written by install.sh: leaving it");
    }
    restore_backup(options_.config);
    return std::nullopt;
}

StepResult Installer::remove_manifest_and_folders() {
    if (!manifest_.backups.empty()) {
        for (const auto& [path, backup_path] : manifest_.backups)
            out_.warn("backup of " + path + " not put back: " + backup_path);
        out_.warn("keeping " + manifest_file() + " (backups left)");
        return 1;
    }
    remove_path(manifest_file(), "the manifest");
    // The deepest folder first: each one is empty once those inside it are gone.
    const auto& dirs = manifest_.created_dirs;
    for (std::size_t i = dirs.size(); i-- > 0;) {
        const std::string d = staged(dirs[i]);
        if (!is_folder(d)) continue;
        if (!folder_is_empty(d) && !options_.dry_run) {
            out_.info("keeping " + d + " (not empty)");
            continue;
        }
        out_.act("remove folder " + d + " (created by install)" +
                 out_.if_dry(", if empty by then"));
        if (!options_.dry_run && !remove_empty_folder(d))
            out_.info("keeping " + d + " (not empty)");
    }
    out_.say("");
    out_.say("runcwrap is uninstalled" + out_.if_dry(" (dry run: nothing changed)") + ".");
    return 0;
}

int Installer::uninstall() {
    out_.say("runcwrap uninstall" +
             (options_.prefix.empty() ? "" : " (under " + options_.prefix + ")") +
             out_.if_dry(" (dry run: nothing changes)"));
    static const std::vector<Step> steps = {
        {[](const Installer& i) { return "Reading the manifest " + i.manifest_file(); },
         &Installer::read_manifest_for_uninstall},
        {[](const Installer&) {
             return std::string("Looking for running containers that still need runcwrap");
         },
         &Installer::check_dependents},
        {[](const Installer&) {
             return std::string(
                 "Taking back the routing of CRI runtime handlers (runcwrap route --undo)");
         },
         &Installer::undo_routing},
        {[](const Installer& i) { return "Removing runc and runcwrap from " + i.options_.bin_dir; },
         &Installer::remove_binaries},
        {[](const Installer& i) { return "Removing the side file " + i.options_.config; },
         &Installer::remove_side_file},
        {[](const Installer&) {
             return std::string("Removing the manifest and the folders install created");
         },
         &Installer::remove_manifest_and_folders},
    };
    const int status = run_steps(steps);
    return status >= 0 ? status : 0;
}

}  // namespace runcwrap::install
