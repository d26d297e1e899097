// The side file (/etc/runcwrap/config.toml): what the operator intended, in containerd's names.
//
//   [options]                      # pasted from containerd's runtime options table
//   BinaryName = "/usr/sbin/runc"
//   SystemdCgroup = true
//   [runcwrap]                     # runcwrap's own settings
//   ChownStdio = true
//
// Parsing is pure; reading the file (and refusing an untrusted one) is in side_config_file.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "result.hpp"
#include "runtime_options.hpp"

namespace runcwrap {

inline constexpr const char* kDefaultSideFile = "/etc/runcwrap/config.toml";
inline constexpr const char* kSideFileEnv = "RUNCWRAP_CONFIG";

struct SideConfig {
    std::string path;
    bool has_options = false;  // an [options] table exists
    RuntimeOptions options;
    bool chown_stdio = true;
    std::string log_file;  // the decision log; "" = off
};

// `path` only names the file in messages.
Result<SideConfig> parse_side_config(std::string_view text, std::string_view path);

}  // namespace runcwrap
