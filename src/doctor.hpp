// `runcwrap doctor`: is this node ready? One check per line, each failure with its fix.
#pragma once

#include <string>
#include <vector>

#include "environment.hpp"

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
    std::string containerd_config;  // containerd's config.toml
    int containerd_pid = 0;         // 0 = find the running containerd by its name
};

std::vector<Check> run_doctor(const DoctorOptions& options, const Environment& env);
std::string doctor_text(const std::vector<Check>& checks);
std::string doctor_json(const std::vector<Check>& checks);
bool doctor_healthy(const std::vector<Check>& checks);

// containerd releases with the fix (client merges the option sets): 2.0.5+ and 2.1.0+.
// Returns nullopt when the version text cannot be read.
std::optional<bool> containerd_version_affected(const std::string& version);

}  // namespace runcwrap
