#include "cli/install/installer.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "cli/atomic_files.hpp"
#include "cli/install/containerd_path.hpp"
#include "cli/install/process.hpp"
#include "cli/install/side_file.hpp"
#include "common/fs.hpp"
#include "common/unique_fd.hpp"

namespace runcwrap::install {
using namespace files;  // the atomic file operations (cli/atomic_files.hpp)
namespace {

template <class T>
T checked(Result<T> result) {
    if (!result) fail(result.error().message);
    return std::move(*result);
}
void checked(const Status& status) {
    if (!status) fail(status.error().message);
}

std::string self_path() { return link_target("/proc/self/exe").value_or("/proc/self/exe"); }

int count_lines_starting(std::string_view text, std::string_view start) {
    int n = 0;
    for (const auto& line : lines_of(text))
        if (line.rfind(start, 0) == 0) ++n;
    return n;
}

}  // namespace

Installer::Installer(InstallOptions options, const Environment& env, std::string self)
    : options_(std::move(options)),
      env_(env),
      self_(std::move(self)),
      out_(options_.dry_run),
      dpkg_{options_.dpkg_package, options_.prefix, &env},
      is_root_(::geteuid() == 0) {}

int Installer::run_steps(const std::vector<Step>& steps) {
    out_.set_step_count(static_cast<int>(steps.size()));
    for (const auto& step : steps) {
        out_.step(step.title(*this));
        if (StepResult stop = (this->*step.run)()) return *stop;
    }
    return -1;
}

std::string Installer::staged(std::string_view node) const {
    return options_.prefix + std::string(node);
}

// ---- the manifest ----------------------------------------------------------------------------
void Installer::read_manifest() {
    const std::string path = manifest_file();
    if (!is_regular(path)) return;
    manifest_ = checked(parse_manifest(checked(read_file(path)), path));
}

void Installer::save_manifest() {
    if (options_.dry_run) return;
    const std::string text = manifest_text(manifest_, options_.bin_dir, options_.config);
    const std::string path = manifest_file();
    if (is_regular(path))
        if (auto now = read_file(path); now && *now == text) return;
    write_text_atomically(path, text, /*quiet=*/true);
}

// ---- primitives ------------------------------------------------------------------------------
// Creates each missing folder of `node_dir` (0755 root:root) and records it.
void Installer::ensure_dir(const std::string& node_dir) {
    std::string path;
    std::string_view rest = node_dir;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        const std::string_view part = rest.substr(0, slash);
        rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
        if (part.empty()) continue;
        path += "/" + std::string(part);
        const std::string here = staged(path);
        if (is_folder(here)) continue;
        if (exists(here)) fail(here + " exists and is not a folder");
        out_.act("create folder " + here + " (0755 root:root)");
        manifest_.created_dirs.push_back(path);
        if (options_.dry_run) continue;
        checked(make_folder(here, is_root_));
    }
}

void Installer::write_text_atomically(const std::string& path, const std::string& bytes,
                                      bool quiet) {
    if (!quiet) out_.act("write " + path + " (0644 root:root, temp file + rename)");
    if (options_.dry_run) return;
    checked(replace_with_text(path, bytes, 0644, is_root_));
}

// Moves what is at `node` aside (same bytes, mode, owner, times; a symlink stays a symlink) and
// records it so that --uninstall puts it back.
void Installer::backup(const std::string& node) {
    const std::string from = staged(node);
    const std::string to_node = node + std::string(kBackupSuffix);
    const std::string to = staged(to_node);
    if (present(to))
        fail(to +
             " already exists: a backup from another install? Move it away (or put it back as " +
             from + ") and run again");
    const std::string owner = dpkg_owner(dpkg_, node);
    if (!owner.empty())
        out_.act("divert " + from + " (package " + owner + ") to " + to +
                 " with dpkg-divert --package " + options_.dpkg_package +
                 " (--uninstall removes the diversion)");
    else
        out_.act("keep " + from + " as " + to + " (--uninstall puts it back)");
    manifest_.backups[node] = to_node;
    if (options_.dry_run) return;
    checked(owner.empty() ? rename_path(from, to) : divert(dpkg_, node, to_node));
    save_manifest();
}

// A re-run puts back the mode and owner install sets.
void Installer::fix_mode(const std::string& path, std::string_view mode) {
    const std::string cur = mode_and_owner(path).value_or("");
    const std::string want_mode(mode.substr(1));  // "0755" -> "755", as stat %a prints it
    if (cur == want_mode + " 0 0") return;
    if (!is_root_ && cur.substr(0, cur.find(' ')) == want_mode) return;
    out_.act("reset " + path + " to " + std::string(mode) + " root:root (was " + cur + ")");
    if (options_.dry_run) return;
    checked(
        set_mode_and_owner(path, static_cast<mode_t>(std::stoul(want_mode, nullptr, 8)), is_root_));
}

// runcwrap refuses a side file whose folder others can write: say so rather than chmod a folder
// install did not create.
void Installer::check_side_folder(const std::string& node_dir) {
    const std::string d = staged(node_dir);
    struct stat st {};
    if (::stat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
    if ((st.st_mode & 022) != 0)
        out_.warn(d +
                  " is group- or other-writable: runcwrap will refuse the side file. Fix: "
                  "chmod go-w " +
                  d);
    if (is_root_ && st.st_uid != 0)
        out_.warn(d +
                  " is not owned by root: runcwrap will refuse the side file. Fix: chown "
                  "root:root " +
                  d);
}

// Runs the binary being installed under the name runcwrap (its management face).
std::string Installer::run_self(const std::vector<std::string>& args, bool with_stderr,
                                int* status) const {
    Command command{options_.source_binary, {"runcwrap"}};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.capture_stderr = with_stderr;
    CommandResult r = run_command(command, env_);
    if (status) *status = r.status;
    return r.output;
}

// ---- install ---------------------------------------------------------------------------------
StepResult Installer::find_source_binary() {
    if (!options_.source_binary.empty()) {
        if (!is_regular(options_.source_binary) || !is_executable(options_.source_binary))
            fail("--source-binary " + options_.source_binary + " is not an executable file");
    } else {
        options_.source_binary = self_;
    }
    out_.info("binary: " + options_.source_binary);
    out_.info("version: " + run_self({"version"}, /*with_stderr=*/true, nullptr));
    const std::string runc = staged(runc_live());
    switch (runc_slot()) {
        case RuncSlot::ours: out_.info(runc + ": runcwrap, installed by install.sh"); break;
        case RuncSlot::absent: out_.info(runc + ": not there yet"); break;
        case RuncSlot::runcwrap: out_.info(runc + ": runcwrap, not installed by install.sh"); break;
        case RuncSlot::foreign: break;
    }
    check_runc_slot(/*quiet=*/false);
    return std::nullopt;
}

RuncSlot Installer::runc_slot() const {
    return classify_runc_slot(
        observe_runc_slot(staged(runc_live()), staged(runcwrap_live()), options_.source_binary),
        !manifest_.link_target.empty());
}

// Refuses before anything changes, so a refused install leaves the node as it was.
void Installer::check_runc_slot(bool quiet) {
    if (runc_slot() != RuncSlot::foreign) return;
    const std::string dest = staged(runc_live());
    const std::string backup_path = dest + std::string(kBackupSuffix);
    if (options_.force) {
        if (!quiet)
            out_.info(dest + " is not runcwrap; --force: it will be kept as " + backup_path);
        return;
    }
    out_.to_stderr("      " + dest + " exists and is not runcwrap:");
    out_.to_stderr("        " + describe_file(dest));
    fail("refusing to replace " + dest +
         ": containerd would run it instead of runcwrap. Re-run with --force to keep it as " +
         backup_path +
         " and install runcwrap (--uninstall puts it back), or choose another --bin-dir that "
         "comes before it in containerd's PATH");
}

StepResult Installer::decide_side_file() {
    const std::string& bn = options_.binary_name;
    if (!bn.empty()) {
        if (bn == runc_live() || bn == runcwrap_live())
            fail("--binary-name " + bn +
                 " is runcwrap itself: name the real runtime, e.g. /usr/sbin/runc");
        if (!is_executable(staged(bn)) && (options_.prefix.empty() || !is_executable(bn)))
            out_.warn("--binary-name " + bn +
                      " is not an executable file (yet): containers will not start until it is");
        side_text_ = side_text_for_binary_name(bn, options_.systemd_cgroup);
        side_source_ = "--binary-name " + bn + (options_.systemd_cgroup ? " --systemd-cgroup" : "");
        out_.info("side file from " + side_source_);
        return std::nullopt;
    }
    const bool explicit_config = !options_.from_containerd_config.empty();
    const std::string cfg =
        explicit_config ? options_.from_containerd_config : staged(kDefaultContainerdConfigPath);
    if (!exists(cfg)) {
        if (explicit_config) fail("--from-containerd-config " + cfg + " does not exist");
        side_text_ = side_text_for_containerd_defaults(cfg);
        side_source_ = "containerd's defaults (no " + cfg + ")";
        out_.warn("no " + cfg +
                  ": writing containerd's defaults; pass --binary-name PATH if containerd is "
                  "configured elsewhere");
        return std::nullopt;
    }
    side_source_ = "runcwrap import-containerd-config " + cfg;
    out_.info("importing " + cfg + " (runcwrap import-containerd-config)");
    int status = 0;
    // --output names the side file so that the import keeps its [runcwrap] table.
    const std::string imported = run_self(
        {"import-containerd-config", cfg, "--output", staged(options_.config)}, false, &status);
    if (status != 0)
        fail("runcwrap import-containerd-config " + cfg +
             " failed (see above); or pass --binary-name PATH");
    side_text_ = side_text_from_import(imported, options_.prefix);
    for (const auto& note : other_handler_notes(side_text_)) out_.info("note: " + note);
    return std::nullopt;
}

StepResult Installer::install_runcwrap() {
    ensure_dir(dirname_of(kManifestPath));
    save_manifest();
    const std::string dest = staged(runcwrap_live());
    ensure_dir(options_.bin_dir);
    save_manifest();
    const std::string src_sha = checked(sha256_of_file(options_.source_binary));
    if (!options_.dpkg_package.empty() && same_file(options_.source_binary, dest)) {
        out_.info(dest + " is package " + options_.dpkg_package +
                  "'s own file: dpkg installs and removes it");
        return std::nullopt;
    }
    const bool known = !manifest_.binary_sha.empty() || manifest_.backups.count(runcwrap_live());
    if (is_regular(dest) && !is_symlink(dest) && known &&
        checked(sha256_of_file(dest)) == src_sha) {
        fix_mode(dest, "0755");
        out_.info(dest + " is up to date");
        manifest_.binary_sha = src_sha;
        save_manifest();
        return std::nullopt;
    }
    // Not ours (installed by hand or by a package): keep it for --uninstall.
    if (present(dest) && manifest_.binary_sha.empty()) backup(runcwrap_live());
    out_.act("install " + dest + " (0755 root:root, temp file + rename)");
    if (options_.dry_run) return std::nullopt;
    checked(replace_with_copy(dest, options_.source_binary, 0755, is_root_));
    manifest_.binary_sha = src_sha;
    save_manifest();
    return std::nullopt;
}

StepResult Installer::install_runc_link() {
    const std::string dest = staged(runc_live());
    switch (runc_slot()) {
        case RuncSlot::ours: out_.info(dest + " -> runcwrap is in place"); return std::nullopt;
        case RuncSlot::absent: break;
        case RuncSlot::runcwrap:
            out_.info(dest +
                      " is runcwrap already, not installed by install.sh: keeping it as a backup");
            backup(runc_live());
            break;
        case RuncSlot::foreign:
            check_runc_slot(/*quiet=*/true);  // refuses without --force (said in step 1)
            backup(runc_live());
            break;
    }
    out_.act("link " + dest +
             " -> runcwrap (a relative symlink: the same inode, so runcwrap recognises itself)");
    manifest_.link_target = "runcwrap";
    if (options_.dry_run) return std::nullopt;
    checked(replace_with_symlink(dest, "runcwrap", is_root_));
    save_manifest();
    return std::nullopt;
}

StepResult Installer::write_side_file() {
    place_side_file();
    if (!options_.dry_run) out_.info("manifest: " + manifest_file());
    return std::nullopt;
}

void Installer::place_side_file() {
    const std::string dest = staged(options_.config);
    const std::string dir = dirname_of(options_.config);
    ensure_dir(dir);
    save_manifest();
    SideFileState state;
    state.regular = is_regular(dest) && !is_symlink(dest);
    state.present = present(dest);
    state.manifest_sha = manifest_.side_sha;
    state.replace_config = options_.replace_config;
    std::string current;
    if (state.regular) {
        current = checked(read_file(dest));
        state.current_sha = side_file_checksum(current);
    }
    const std::string bytes = carry_over_route_tables(current, side_file_bytes(side_text_));
    state.wanted_sha = side_file_checksum(bytes);
    const bool ours = !manifest_.side_sha.empty();
    switch (decide_side_file_action(state)) {
        case SideFileAction::up_to_date:
            fix_mode(dest, "0644");
            out_.info(dest + " is up to date");
            check_side_folder(dir);
            return;
        case SideFileAction::keep_edited:
        case SideFileAction::keep_foreign:
            if (ours)
                out_.info(dest +
                          " was edited since install wrote it: keeping it "
                          "(--replace-config replaces it)");
            else
                out_.info(dest +
                          " was not written by install.sh: keeping it (--replace-config replaces "
                          "it; the old one is kept as a backup)");
            if (state.current_sha != state.wanted_sha) {
                out_.info("install would have written (" + side_source_ + "):");
                out_.indented(side_text_, "        | ");
            }
            if (ours) fix_mode(dest, "0644");  // never touch an operator's own file
            check_side_folder(dir);
            return;
        case SideFileAction::refuse_not_regular:
            fail(dest + " is not a regular file; --replace-config replaces it (keeping a backup)");
        case SideFileAction::update_ours:
            out_.info(dest + " is as install wrote it; updating it (" + side_source_ + ")");
            break;
        case SideFileAction::replace_edited:
            out_.info(dest + " was edited since install wrote it; --replace-config: replacing it");
            break;
        case SideFileAction::replace_with_backup: backup(options_.config); break;
        case SideFileAction::replace_not_regular:
            if (!ours) backup(options_.config);
            break;
        case SideFileAction::write_new: break;
    }
    write_text_atomically(dest, bytes, /*quiet=*/false);
    out_.indented(side_text_, "        | ");
    manifest_.side_sha = state.wanted_sha;
    save_manifest();
    check_side_folder(dir);
}

// ---- will containerd find the wrapper? -----------------------------------------------------
void Installer::path_problem(const std::string& message) {
    ++path_problems_;
    out_.warn(message);
}

// The first runc in `value` must be BIN_DIR/runc.
void Installer::check_search_path(const std::string& who, const std::string& value) {
    const std::string& bin = options_.bin_dir;
    const auto verdict = judge_search_path(value, bin, [&](const std::string& dir) {
        const std::string runc = staged(dir) + "/runc";
        return is_regular(runc) && is_executable(runc);
    });
    switch (verdict.finding) {
        case SearchPathFinding::finds_ours:
            out_.info("[ok] " + who + ": PATH=" + value + " finds " + bin +
                      "/runc (runcwrap) first");
            break;
        case SearchPathFinding::shadowed:
            path_problem(who + " finds " + verdict.first + "/runc before " + bin +
                         "/runc (PATH=" + value + "): containerd would bypass runcwrap. Fix: put " +
                         bin + " before " + verdict.first +
                         " in containerd's PATH (systemd: `systemctl edit containerd`, add "
                         "[Service] Environment=PATH=" +
                         bin + ":..., then restart containerd), or install with --bin-dir " +
                         verdict.first + " --force");
            break;
        case SearchPathFinding::not_found:
            path_problem(who + ": no runc in PATH=" + value + " and " + bin +
                         " is not in it: containerd would not find runcwrap. Fix: add " + bin +
                         " to containerd's PATH, or install with --bin-dir set to a folder in it");
            break;
    }
}

void Installer::check_containerd_path() {
    std::vector<std::string> pids;
    const std::string& given = options_.containerd_pid;
    if (!given.empty()) {
        const std::string environ_path = "/proc/" + given + "/environ";
        if (::access(environ_path.c_str(), R_OK) != 0)
            fail("--containerd-pid " + given + ": no such process (or " + environ_path +
                 " is not readable)");
        pids.push_back(given);
    } else {
        pids = containerd_pids();
    }
    int checked_count = 0;
    for (const auto& pid : pids) {
        auto block = read_file("/proc/" + pid + "/environ");
        if (!block) {
            out_.warn("cannot read /proc/" + pid +
                      "/environ: run as root to check containerd (pid " + pid + ")");
            continue;
        }
        ++checked_count;
        const std::string path = environ_value(*block, "PATH").value_or("");
        if (path.empty()) {
            path_problem("containerd (pid " + pid +
                         ") has no PATH: its shim will not find runc. Fix: set PATH in "
                         "containerd's environment");
            continue;
        }
        check_search_path("running containerd (pid " + pid + ")", path);
        if (options_.config != kDefaultSidePath) {
            const std::string p = environ_value(*block, "RUNCWRAP_CONFIG").value_or("");
            if (p != options_.config)
                path_problem("containerd (pid " + pid + ") has RUNCWRAP_CONFIG=" +
                             (p.empty() ? "<unset>" : p) + ": the wrapper reads " +
                             (p.empty() ? std::string(kDefaultSidePath) : p) + ", not " +
                             options_.config + ". Fix: set RUNCWRAP_CONFIG=" + options_.config +
                             " in containerd's environment");
        }
    }
    const auto systemctl = find_in_path("systemctl", env_.get("PATH").value_or(""));
    if (given.empty() && systemctl) {
        auto show = [&](const char* property) {
            Command command{*systemctl,
                            {"systemctl", "show", "containerd", "-p", property, "--value"}};
            command.capture_stderr = false;
            command.discard_stderr = true;
            return run_command(command, env_).output;
        };
        if (show("LoadState") == "loaded") {
            std::string env_path;
            const std::string unit_env = show("Environment");
            std::string_view rest = unit_env;
            while (!rest.empty()) {
                auto space = rest.find(' ');
                const std::string_view w = rest.substr(0, space);
                if (w.rfind("PATH=", 0) == 0) env_path = std::string(w.substr(5));
                rest.remove_prefix(space == std::string_view::npos ? rest.size() : space + 1);
            }
            ++checked_count;
            if (!env_path.empty())
                check_search_path("containerd.service (Environment=PATH)", env_path);
            else
                check_search_path("containerd.service (systemd's default PATH)",
                                  std::string(kSystemdDefaultPath));
        }
    }
    if (checked_count == 0) {
        out_.info(
            "containerd is not running and has no systemd unit here: its PATH cannot be "
            "checked yet.");
        out_.info("Once it runs: runcwrap doctor --bin-dir " + options_.bin_dir);
    }
}

StepResult Installer::check_containerd() {
    const std::string& prefix = options_.prefix;
    if (prefix.empty()) {
        check_containerd_path();
    } else if (!options_.containerd_pid.empty()) {
        out_.info("staged under " + prefix + ": looking for runc in the PATH of containerd (pid " +
                  options_.containerd_pid + ") inside");
        out_.info("the staged tree (informational: it does not change the exit status)");
        check_containerd_path();
    } else {
        out_.info("skipped: " + prefix +
                  " is a staged tree; the running containerd's PATH says nothing about it.");
        out_.info(
            "On the node, runcwrap doctor checks it (--containerd-pid PID checks one "
            "against the tree).");
    }
    return std::nullopt;
}

StepResult Installer::run_doctor() {
    const std::string& bin = options_.bin_dir;
    if (path_problems_ > 0 && options_.prefix.empty()) ready_ = false;
    if (!options_.prefix.empty()) {
        out_.info("skipped: " + options_.prefix +
                  " is a staged tree, not the live node, so doctor would check the wrong");
        out_.info("files. On the node, run: runcwrap doctor --bin-dir " + bin);
        return std::nullopt;
    }
    if (options_.dry_run) {
        out_.act("run RUNCWRAP_CONFIG=" + options_.config + " " + runcwrap_live() +
                 " doctor --bin-dir " + bin);
        return std::nullopt;
    }
    if (options_.no_doctor) {
        out_.info(
            "skipped (--no-doctor): readiness is not verified. Run: runcwrap doctor "
            "--bin-dir " +
            bin);
        return std::nullopt;
    }
    Command doctor{runcwrap_live(), {runcwrap_live(), "doctor", "--bin-dir", bin}};
    if (!options_.containerd_pid.empty())
        doctor.argv.insert(doctor.argv.end(), {"--containerd-pid", options_.containerd_pid});
    if (!options_.from_containerd_config.empty())
        doctor.argv.insert(doctor.argv.end(),
                           {"--containerd-config", options_.from_containerd_config});
    doctor.set_env = {{"RUNCWRAP_CONFIG", options_.config}};
    std::string shown;
    for (std::size_t i = 1; i < doctor.argv.size(); ++i) shown += " " + doctor.argv[i];
    out_.info("RUNCWRAP_CONFIG=" + options_.config + " " + runcwrap_live() + shown);
    const CommandResult r = run_command(doctor, env_);
    out_.indented(r.output, "      ");
    // doctor's warnings count as much as install's own: the summary must not say 0 after them.
    doctor_warnings_ = count_lines_starting(r.output, "[warn]");
    if (r.status != 0) ready_ = false;
    return std::nullopt;
}

int Installer::summary() {
    out_.say("");
    if (options_.dry_run) {
        out_.say("Dry run: nothing was changed.");
        return 0;
    }
    if (!options_.prefix.empty()) {
        out_.say("runcwrap is staged under " + options_.prefix + " (" +
                 std::to_string(out_.warnings()) + " warning(s)). --uninstall --prefix " +
                 options_.prefix + " removes it.");
        return 0;
    }
    const std::string count = std::to_string(out_.warnings() + doctor_warnings_) +
                              " warning(s): " + std::to_string(out_.warnings()) +
                              " from install.sh, " + std::to_string(doctor_warnings_) +
                              " from doctor";
    if (ready_) {
        out_.say("runcwrap is installed and the node is ready (" + count + ").");
        return 0;
    }
    out_.to_stderr("runcwrap is installed, but the node is NOT ready (" + count +
                   "): fix what is marked above, then run");
    out_.to_stderr("  runcwrap doctor --bin-dir " + options_.bin_dir);
    // A package stays installed (and configured) on a node that is not ready yet: the operator
    // fixes the node, not the package.
    return options_.dpkg_package.empty() ? 1 : 0;
}

int Installer::install() {
    out_.say("runcwrap install" +
             (options_.prefix.empty() ? "" : " staged under " + options_.prefix) +
             out_.if_dry(" (dry run: nothing changes)"));
    read_manifest();
    if (manifest_.exists) {
        if (manifest_.bin_dir != options_.bin_dir)
            fail("runcwrap was installed in " + manifest_.bin_dir + " (manifest " +
                 manifest_file() + "): run ./install.sh --uninstall first, or pass --bin-dir " +
                 manifest_.bin_dir);
        if (manifest_.config != options_.config)
            fail("the side file was installed as " + manifest_.config + " (manifest " +
                 manifest_file() + "): run ./install.sh --uninstall first, or pass --config " +
                 manifest_.config);
    }
    static const std::vector<Step> steps = {
        {[](const Installer&) { return std::string("Finding the runcwrap binary"); },
         &Installer::find_source_binary},
        {[](const Installer&) { return std::string("Deciding the side file"); },
         &Installer::decide_side_file},
        {[](const Installer& i) { return "Installing runcwrap as " + i.staged(i.runcwrap_live()); },
         &Installer::install_runcwrap},
        {[](const Installer& i) {
             return "Installing runc as " + i.staged(i.runc_live()) + " -> runcwrap";
         },
         &Installer::install_runc_link},
        {[](const Installer& i) { return "Writing the side file " + i.staged(i.options_.config); },
         &Installer::write_side_file},
        {[](const Installer&) {
             return std::string("Routing CRI runtime handlers through runcwrap");
         },
         &Installer::route_handlers},
        {[](const Installer&) {
             return std::string("Checking that containerd will find the wrapper");
         },
         &Installer::check_containerd},
        {[](const Installer&) { return std::string("Running runcwrap doctor"); },
         &Installer::run_doctor},
    };
    if (int stop = run_steps(steps); stop >= 0) return stop;
    return summary();
}

// ---- the command -------------------------------------------------------------------------
int run_install(const std::vector<std::string>& args, const Environment& env) {
    ::umask(022);
    auto error = [](const std::string& message) {
        std::fflush(stdout);
        std::fprintf(stderr, "runcwrap install: error: %s\n", message.c_str());
        return 1;
    };
    auto options = parse_install_options(args, env, current_dir(), is_folder);
    if (!options) return error(options.error().message);
    if (options->help) {
        const std::string usage = install_usage();
        std::fwrite(usage.data(), 1, usage.size(), stdout);
        return 0;
    }
    if (::geteuid() != 0 && !options->dry_run && options->prefix.empty())
        return error(
            "run as root (sudo ./install.sh ... or sudo runcwrap install ...), or use --dry-run or "
            "--prefix DIR");
    // One install at a time (bootstrap tools retry): lock this binary, which changes nothing.
    UniqueFd lock(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
    if (lock.valid()) (void)::flock(lock.get(), LOCK_EX);
    try {
        const bool uninstall = options->uninstall;
        Installer installer(std::move(*options), env, self_path());
        return uninstall ? installer.uninstall() : installer.install();
    } catch (const InstallFailure& e) {
        return error(e.what());
    }
}

}  // namespace runcwrap::install
