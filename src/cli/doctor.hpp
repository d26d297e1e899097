// `runcwrap doctor`: is this node ready? One check per line, each failure with its fix.
//
// Doctor first gathers what it needs to know about the node (NodeFacts: runcwrap's own binary,
// the side file, the running containerd, its release and config), then runs a table of small
// checks over those facts (kDoctorTable in doctor.cpp). A new check is a function
// `std::optional<Check> check_x(const NodeFacts&)` (nullopt: it does not apply on this node),
// declared below if it lives in another file, and one row in that table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/containerd_config.hpp"
#include "common/environment.hpp"
#include "common/file_identity.hpp"
#include "wrapper/side_config.hpp"

namespace runcwrap {

enum class CheckStatus { Ok, Warn, Fail };

struct Check {
    std::string name;
    CheckStatus status = CheckStatus::Ok;
    std::string detail;
    std::string fix;
};

struct DoctorOptions {
    std::string bin_dir;            // where install.sh put runcwrap; "" = not checked
    std::string containerd_config;  // containerd's config.toml; "" = the one containerd reads
    int containerd_pid = 0;         // 0 = find the running containerd by its name
};

// ---- what a containerd release does on each client path (pure) -----------------------------
struct ContainerdVersion {
    int major = 0, minor = 0, patch = 0;
};
// "1.6.20~ds1", "v2.0.4", "2.1.0-rc.1": nullopt when there is no number to read.
std::optional<ContainerdVersion> parse_containerd_version(std::string_view text);

struct ClientPathFacts {
    std::string path;  // "cri" (Kubernetes pods) or "ctr-go" (ctr and Go clients)
    bool affected = false;
    std::string what;      // what the release does on this path
    std::string runcwrap;  // what runcwrap does about it
};

struct ReleaseFacts {
    std::string release;  // "1.6.x", "1.7.x", "2.0.0", "2.0.1-2.0.4", "2.0.5+", "2.1+"
    ClientPathFacts cri;
    ClientPathFacts go_client;
    // 1.7.x and 2.0.0: CRI's stdio pipes are fixed only when runcwrap is on the handler's own
    // call path (the shim runs the handler's BinaryName directly).
    bool handlers_must_reach_runcwrap = false;
    bool fixed = false;  // 2.0.5+ and 2.1+: runcwrap is not needed
    ConfigReader config_reader = ConfigReader::Containerd1;
};
// nullopt for releases older than 1.6, which runcwrap was never measured on.
std::optional<ReleaseFacts> release_facts(const ContainerdVersion& version);

// ---- the facts the checks read ----------------------------------------------------------------
struct SideFileFacts {
    std::string path;
    bool missing = false;
    std::string read_error;   // untrusted or unreadable ("" = read)
    std::string parse_error;  // read but not valid ("" = parsed)
    std::optional<SideConfig> config;
};

struct ContainerdProcess {
    int pid = 0;
    std::string path_env;
    bool has_path = false;
    std::string exe;
    std::string config_flag;  // its --config, "" = containerd's default
};

struct ContainerdFacts {
    std::optional<ContainerdProcess> process;
    std::string path_env;  // the PATH its shims inherit: the process's, else containerd's default
    std::string exe;       // the binary asked for its version ("" = none found)
    std::string version_line;  // what `containerd --version` printed, first line
    std::string version;       // its version field, e.g. "1.6.20~ds1"
    std::optional<ReleaseFacts> release;
    std::string config_path;
    std::optional<ContainerdConfig> config;
    std::string config_error;
};

// Where one CRI handler's runc calls go: the binary the shim execs for it and whether that is
// runcwrap (this binary, or another copy: both carry runcwrap's ELF note).
struct HandlerRoute {
    RuntimeHandler handler;
    bool runc_shim = true;  // false: another shim (kata, gVisor, ...): runcwrap is not involved
    std::string runs;       // the file the shim execs, "" = not found
    bool reaches_runcwrap = false;
    // BinaryName is a routed handler's runcwrap entry (handler_entry.hpp): that handler's name.
    std::string entry_of;
};

struct NodeFacts {
    DoctorOptions options;
    FileIdentity self;
    SideFileFacts side;
    ContainerdFacts containerd;
    std::vector<HandlerRoute> handlers;  // every CRI handler containerd has, defaults included
};

struct DoctorReport {
    std::vector<Check> checks;
    std::optional<NodeFacts> facts;  // nullopt when runcwrap cannot even find itself
};

DoctorReport run_doctor(const DoctorOptions& options, const Environment& env);
std::string doctor_text(const std::vector<Check>& checks);
std::string doctor_json(const DoctorReport& report);
bool doctor_healthy(const std::vector<Check>& checks);

}  // namespace runcwrap
