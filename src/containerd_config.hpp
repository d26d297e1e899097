// containerd's config.toml, read the way containerd reads it, to find each CRI runtime handler's
// runc options: version 1 (plugins.cri), 2 (plugins."io.containerd.grpc.v1.cri") and 3
// (plugins."io.containerd.cri.v1.runtime"), with `imports` drop-ins (a drop-in's plugin section
// replaces the whole section, as containerd's mergeConfig does). Management CLI only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "result.hpp"
#include "runtime_options.hpp"
#include "side_config.hpp"

namespace runcwrap {

inline constexpr const char* kDefaultContainerdConfig = "/etc/containerd/config.toml";

struct RuntimeHandler {
    std::string name;
    std::string runtime_type;
    RuntimeOptions options;
};

struct ContainerdConfig {
    int version = 1;
    std::string cri_plugin;  // the plugin section the handlers came from
    std::string default_runtime = "runc";
    std::vector<RuntimeHandler> handlers;
    std::vector<std::string> files;  // the main file, then each import, in merge order

    const RuntimeHandler* handler(const std::string& name) const;
};

Result<ContainerdConfig> load_containerd_config(const std::string& path);

// The side file text for one handler; `keep` carries an existing file's [runcwrap] settings.
std::string render_side_file(const RuntimeHandler& handler, const std::string& from,
                             const std::optional<SideConfig>& keep);

}  // namespace runcwrap
