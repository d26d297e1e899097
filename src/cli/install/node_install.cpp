#include "cli/install/node_install.hpp"

#include <signal.h>

#include <cstdio>

#include "cli/atomic_files.hpp"
#include "cli/install/containerd_path.hpp"
#include "cli/install/manifest.hpp"
#include "cli/install/options.hpp"
#include "cli/install/process.hpp"
#include "cli/install/report.hpp"
#include "cli/route.hpp"
#include "common/fs.hpp"

namespace runcwrap::install {
using namespace files;  // the atomic file operations (cli/atomic_files.hpp)
namespace {

void say(const std::string& line) {
    const std::string text = "runcwrap-installer: " + line + "\n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

// Prints a program's output with two spaces before each line.
void show_indented(const std::string& output) {
    std::string text;
    for (const auto& line : lines_of(output)) text += "  " + line + "\n";
    if (output.empty()) text = "  \n";
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

bool digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

class NodeInstaller {
  public:
    NodeInstaller(const Environment& env, std::string self)
        : env_(env),
          self_(std::move(self)),
          host_(std::string(env.get("HOST_ROOT").value_or("/host"))),
          state_dir_(std::string(
              env.get("RUNCWRAP_INSTALLER_STATE").value_or("/run/runcwrap-installer"))) {
        if (host_.empty()) host_ = "/host";
        if (state_dir_.empty()) state_dir_ = "/run/runcwrap-installer";
    }

    void require_host() const {
        if (!is_folder(host_ + "/proc"))
            fail(host_ + " is not the node's root (no " + host_ + "/proc): mount the node's / at " +
                 host_);
    }

    int install();
    int uninstall();
    int check();

  private:
    std::string manifest() const { return host_ + std::string(kManifestPath); }
    std::string find_containerd() const;
    std::string env_of(const std::string& pid, std::string_view name) const;
    std::string version_of(const std::string& pid) const;
    std::optional<std::string> choose_bin_dir(const std::string& path) const;
    CommandResult doctor(const std::string& bin_dir, const std::string& pid) const;
    CommandResult install_with(const std::vector<std::string>& args) const;
    void write_state(const std::string& state) const;

    const Environment& env_;
    std::string self_;
    std::string host_;
    std::string state_dir_;
};

// The node's containerd: one process named containerd in the host's PID namespace.
std::string NodeInstaller::find_containerd() const {
    if (auto given = env_.get("RUNCWRAP_CONTAINERD_PID"); given && !given->empty()) {
        std::string pid(*given);
        if (!digits(pid) || ::access(("/proc/" + pid + "/environ").c_str(), R_OK) != 0)
            fail("RUNCWRAP_CONTAINERD_PID=" + pid + ": no such process");
        return pid;
    }
    const auto found = containerd_pids();
    if (found.empty()) fail("no process named containerd: does the pod run with hostPID: true?");
    if (found.size() > 1) {
        std::string all;
        for (const auto& p : found) all += (all.empty() ? "" : " ") + p;
        fail("several containerd processes (" + all + "): set RUNCWRAP_CONTAINERD_PID");
    }
    return found[0];
}

// The value of NAME in containerd's environment ("" when unset). Another process's environment
// needs CAP_SYS_PTRACE: unreadable is an error, never a guess.
std::string NodeInstaller::env_of(const std::string& pid, std::string_view name) const {
    auto block = read_file("/proc/" + pid + "/environ");
    if (!block || block->empty())
        fail("cannot read /proc/" + pid +
             "/environ (containerd's environment): the pod needs CAP_SYS_PTRACE and hostPID");
    return environ_value(*block, name).value_or("");
}

// containerd's release: its own binary, run in the node's root (it may be dynamically linked).
// /proc/<pid>/exe is the binary containerd runs, even if the file was replaced since.
std::string NodeInstaller::version_of(const std::string& pid) const {
    const std::string exe = "/proc/" + pid + "/exe";
    if (!present(exe)) fail("cannot read " + exe + " (the pod needs CAP_SYS_PTRACE)");
    Command version{exe, {exe, "--version"}};
    version.chroot_dir = host_;
    version.capture_stderr = false;
    version.discard_stderr = true;
    const CommandResult r = run_command(version, env_);
    if (r.status != 0) fail("containerd --version (" + exe + ", in " + host_ + ") failed");
    return containerd_version_of(r.output);
}

// Where runcwrap goes: the bin dir of an earlier install (its manifest), else the first folder
// of containerd's PATH that comes before every runc in it (existing folders first).
std::optional<std::string> NodeInstaller::choose_bin_dir(const std::string& path) const {
    if (is_regular(manifest()))
        if (auto text = read_file(manifest()))
            if (auto m = parse_manifest(*text, manifest()); m && !m->bin_dir.empty())
                return m->bin_dir;
    std::string first_missing;
    for (const auto& dir : search_path_folders(path)) {
        if (dir.empty() || dir[0] != '/') continue;
        const std::string runc = host_ + dir + "/runc";
        if (is_regular(runc) || is_symlink(runc)) break;
        if (is_folder(host_ + dir) && !is_symlink(host_ + dir)) return dir;
        if (first_missing.empty()) first_missing = dir;
    }
    if (first_missing.empty()) return std::nullopt;
    return first_missing;
}

// runcwrap doctor as the node sees it.
CommandResult NodeInstaller::doctor(const std::string& bin_dir, const std::string& pid) const {
    const std::string binary = bin_dir + "/runcwrap";
    Command command{binary, {binary, "doctor", "--bin-dir", bin_dir, "--containerd-pid", pid}};
    command.chroot_dir = host_;
    command.capture_stderr = false;
    return run_command(command, env_);
}

// `runcwrap install ARGS` (this binary), its output indented under ours.
CommandResult NodeInstaller::install_with(const std::vector<std::string>& args) const {
    Command command{self_, {"runcwrap", "install"}};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.capture_stderr = false;
    CommandResult r = run_command(command, env_);
    show_indented(r.output);
    return r;
}

void NodeInstaller::write_state(const std::string& state) const {
    std::string level;
    // mkdir -p
    for (std::size_t slash = 1; slash != std::string::npos;) {
        slash = state_dir_.find('/', slash + 1);
        level = state_dir_.substr(0, slash);
        if (!is_folder(level)) (void)make_folder(level, false);
    }
    if (auto st = replace_with_text(state_dir_ + "/state", state + "\n", 0644, false); !st)
        fail(st.error().message);
}

// containerd is restarted from the node (its systemd), never from a pod it runs: a pod that
// tried would guess at the host's init and could take itself down with containerd.
void refuse_restart_in_pod(const Environment& env) {
    auto restart = parse_bool_setting("RUNCWRAP_RESTART_CONTAINERD",
                                      env.get("RUNCWRAP_RESTART_CONTAINERD").value_or(""));
    if (!restart) fail(restart.error().message);
    if (*restart)
        fail(
            "RUNCWRAP_RESTART_CONTAINERD: the installer pod does not restart the node's "
            "containerd (that needs the host's systemd, and containerd runs this pod); nothing "
            "was changed. Unset it, and restart containerd on the node (systemctl restart "
            "containerd) once the pod has routed the handlers");
}

int NodeInstaller::install() {
    refuse_restart_in_pod(env_);
    const std::string pid = find_containerd();
    std::string path = env_of(pid, "PATH");
    if (path.empty()) path = std::string(kSystemdDefaultPath);
    const std::string version = version_of(pid);
    const auto cmdline = read_file("/proc/" + pid + "/cmdline");
    const std::string config = containerd_config_of(cmdline ? *cmdline : std::string());
    say("containerd pid " + pid + ", version " + (version.empty() ? "unknown" : version) +
        ", config " + config + ", PATH=" + path);
    auto on_fixed = parse_bool_setting("RUNCWRAP_INSTALL_ON_FIXED",
                                       env_.get("RUNCWRAP_INSTALL_ON_FIXED").value_or(""));
    const std::string route = std::string(env_.get("RUNCWRAP_ROUTE_HANDLERS").value_or(""));
    if (containerd_has_fix(version) && !(on_fixed && *on_fixed)) {
        if (is_regular(manifest()))
            say("containerd " + version + " has the fix, but runcwrap is installed (manifest " +
                std::string(kManifestPath) +
                "): leaving it; 'runcwrap-installer uninstall' removes it");
        else
            say("containerd " + version +
                " has the fix (2.0.5+, 2.1+): installing nothing (RUNCWRAP_INSTALL_ON_FIXED=1 "
                "installs anyway)");
        if (!route.empty())
            say("RUNCWRAP_ROUTE_HANDLERS=" + route +
                ": not routing either (RUNCWRAP_INSTALL_ON_FIXED=1 installs and routes)");
        write_state("not-needed");
        return 0;
    }
    const auto bin_dir = choose_bin_dir(path);
    if (!bin_dir)
        fail("containerd's PATH (" + path +
             ") finds a runc in its first folder: no folder comes before it. Put a folder first "
             "in containerd's PATH");
    say("bin dir: " + *bin_dir + " (containerd's PATH finds it before any other runc)");
    // The image's /etc/containerd is a symlink to $HOST/etc/containerd, so the config and its
    // drop-ins (imports = ["/etc/containerd/conf.d/*.toml"]) are read at the paths they name.
    std::string from = config.rfind("/etc/containerd/", 0) == 0 ? config : host_ + config;
    if (!exists(host_ + config)) from.clear();
    std::vector<std::string> args{"--prefix",        host_, "--bin-dir",        *bin_dir,
                                  "--source-binary", self_, "--containerd-pid", pid};
    if (!from.empty()) args.insert(args.end(), {"--from-containerd-config", from});
    if (!route.empty()) args.insert(args.end(), {"--route-handlers", route});
    std::string shown;
    for (const auto& a : args) shown += " " + a;
    say("running runcwrap install" + shown);
    // route's record says whether this pod routed anything: only then must containerd restart.
    const std::string record = host_ + kRouteStateDir + "/record.json";
    const auto record_before = read_file(record);
    if (const CommandResult r = install_with(args); r.status != 0) return r.status;
    if (!route.empty()) {
        const auto record_after = read_file(record);
        if (!record_after)
            say("RUNCWRAP_ROUTE_HANDLERS=" + route +
                ": nothing routed, containerd's config is unchanged: every handler asked for "
                "already leads to runcwrap (route's lines above say why)");
        else if (record_before && *record_before == *record_after)
            say("RUNCWRAP_ROUTE_HANDLERS=" + route + ": routed earlier (" + record +
                "), nothing changed now");
        else
            say("routed (RUNCWRAP_ROUTE_HANDLERS=" + route +
                "): containerd must be restarted to read the routed config (on the node: "
                "systemctl restart containerd); until then its handlers run their runtimes "
                "directly, as before");
    }
    say("checking: runcwrap doctor --bin-dir " + *bin_dir + " --containerd-pid " + pid + " (in " +
        host_ + ")");
    const CommandResult checked = doctor(*bin_dir, pid);
    show_indented(checked.output);
    if (checked.status == 0) {
        write_state("installed " + *bin_dir);
        say("this node is fixed");
        return 0;
    }
    write_state("not-ready " + *bin_dir);
    say("installed, but doctor says the node is NOT ready (see above)");
    return 1;
}

int NodeInstaller::uninstall() {
    refuse_restart_in_pod(env_);
    const std::string record = host_ + std::string(kRouteStateDir) + "/record.json";
    const bool routed_before = is_regular(record);
    if (!is_regular(manifest())) {
        say("no manifest " + std::string(kManifestPath) +
            ": install.sh installed nothing on this node");
        write_state("uninstalled");
        return 0;
    }
    if (const CommandResult r = install_with({"--prefix", host_, "--uninstall"}); r.status != 0)
        return r.status;
    if (routed_before)
        say("routing taken back: containerd must be restarted to read its restored config "
            "(on the node: systemctl restart containerd)");
    write_state("uninstalled");
    say("uninstalled");
    return 0;
}

int NodeInstaller::check() {
    auto state = read_file(state_dir_ + "/state");
    if (!state) return 1;
    const std::string s = without_trailing_newlines(*state);
    if (s == "not-needed" || s == "uninstalled") return 0;
    std::string bin_dir;
    for (std::string_view kind : {"installed ", "not-ready "})
        if (s.rfind(kind, 0) == 0) bin_dir = s.substr(kind.size());
    if (bin_dir.empty()) return 1;
    const std::string pid = find_containerd();
    Command command{
        bin_dir + "/runcwrap",
        {bin_dir + "/runcwrap", "doctor", "--bin-dir", bin_dir, "--containerd-pid", pid}};
    command.chroot_dir = host_;
    return run_command(command, env_).status;
}

// Waits for SIGTERM or SIGINT, then exits 0. As a container's PID 1 a signal without a handler
// is ignored: the signals are blocked and waited for instead.
int idle() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    return 0;
}

constexpr std::string_view kUsage =
    "Usage: runcwrap node-install [install [--once] | uninstall [--wait] | check]\n"
    "The installer image's entry point (deploy/kubernetes/): with the node's root at $HOST_ROOT\n"
    "(default /host) and the host's PID namespace, it finds containerd and runs\n"
    "`runcwrap install --prefix $HOST_ROOT ...` there. See runcwrap(8).\n";

}  // namespace

bool containerd_has_fix(std::string_view version) {
    if (!version.empty() && version[0] == 'v') version.remove_prefix(1);
    std::vector<std::string> parts;
    std::string part;
    for (char c : std::string(version) + ".") {
        if (c == '.' || c == '~' || c == '+' || c == '-') {
            parts.push_back(part);
            part.clear();
        } else {
            part += c;
        }
    }
    if (parts.size() < 2 || !digits(parts[0]) || !digits(parts[1])) return false;
    const long major = std::stol(parts[0]);
    const long minor = std::stol(parts[1]);
    const long patch = parts.size() > 2 && digits(parts[2]) ? std::stol(parts[2]) : 0;
    return major > 2 || (major == 2 && (minor > 0 || patch >= 5));
}

std::string containerd_config_of(std::string_view cmdline) {
    std::string prev;
    for (const auto& a : split_on(cmdline, '\0')) {
        if (prev == "--config" || prev == "-c") return a;
        if (a.rfind("--config=", 0) == 0) return a.substr(9);
        prev = a;
    }
    return std::string(kDefaultContainerdConfigPath);
}

std::string containerd_version_of(std::string_view version_output) {
    const auto lines = lines_of(version_output);
    if (lines.empty()) return {};
    std::vector<std::string> words;
    std::string word;
    for (char c : lines[0] + " ") {
        if (c == ' ' || c == '\t') {
            if (!word.empty()) words.push_back(word);
            word.clear();
        } else {
            word += c;
        }
    }
    return words.size() > 2 ? words[2] : std::string();
}

int run_node_install(const std::vector<std::string>& args, const Environment& env) {
    const std::string command = args.empty() ? "install" : args[0];
    const std::string option = args.size() > 1 ? args[1] : "";
    if (command == "-h" || command == "--help") {
        std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
        return 0;
    }
    try {
        NodeInstaller node(env, link_target("/proc/self/exe").value_or("/proc/self/exe"));
        node.require_host();
        if (command == "install") {
            const int rc = node.install();
            if (option == "--once" || rc != 0) return rc;
            say("waiting (deleting the pod leaves runcwrap installed: runcwrap-uninstall.yaml "
                "removes it)");
            return idle();
        }
        if (command == "uninstall") {
            const int rc = node.uninstall();
            if (rc != 0 || option != "--wait") return rc;
            say("done: waiting (the pod is ready; delete the DaemonSet once every pod is)");
            return idle();
        }
        if (command == "check") return node.check();
        fail("unknown command: " + command + " (install, uninstall, check)");
    } catch (const InstallFailure& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "runcwrap-installer: error: %s\n", e.what());
        return 1;
    }
}

}  // namespace runcwrap::install
