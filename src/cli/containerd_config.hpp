// containerd's config.toml, read the way containerd reads it, to find each CRI runtime handler's
// runc options: version 1 (plugins.cri), 2 (plugins."io.containerd.grpc.v1.cri") and 3
// (plugins."io.containerd.cri.v1.runtime"), with `imports` drop-ins, and containerd's built-in
// defaults where the file says nothing. Management CLI only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/runtime_options.hpp"
#include "wrapper/side_config.hpp"

namespace runcwrap {

inline constexpr const char* kDefaultContainerdConfig = "/etc/containerd/config.toml";

// The two ways containerd releases read a config, which differ in what survives of the defaults
// and of the main file (containerd's services/server/config and cmd/containerd/server/config).
enum class ConfigReader {
    // 1.6/1.7 (go-toml v1): a drop-in's plugin section replaces the whole section, and a
    // `runtimes` table replaces the built-in one (handler "runc" is gone unless it is named).
    Containerd1,
    // 2.x (go-toml v2, mergo): drop-ins merge into plugin sections key by key, and the file's
    // handlers merge into the built-in ones (handler "runc" is always there).
    Containerd2,
};

struct RuntimeHandler {
    std::string name;
    std::string runtime_type;
    RuntimeOptions options;
    bool builtin = false;  // containerd's built-in default, not written in any file
};

struct ContainerdConfig {
    int version = 1;
    ConfigReader reader = ConfigReader::Containerd1;
    bool exists = true;      // false: no file, containerd runs on its built-in defaults
    std::string cri_plugin;  // the plugin section the handlers came from ("" = none: defaults)
    std::string default_runtime = "runc";
    std::vector<RuntimeHandler> handlers;
    std::vector<std::string> files;  // the main file, then each import, in merge order

    const RuntimeHandler* handler(const std::string& name) const;
};

// The reader a config is meant for when containerd's release is unknown: version 3 is 2.x's.
ConfigReader reader_for_config_version(int version);

// `reader` = nullopt: the one the file's version is meant for. A missing file is containerd's
// defaults only when `missing_is_defaults` (containerd's default path); otherwise an error.
// `node_root` ("" = /): the node's root folder when `path` lies in a staged tree (route
// --prefix): absolute `imports` then resolve under it, as containerd on that node reads them.
Result<ContainerdConfig> load_containerd_config(const std::string& path,
                                                std::optional<ConfigReader> reader = std::nullopt,
                                                bool missing_is_defaults = false,
                                                const std::string& node_root = "");

// The file (one of cfg.files) whose text decides handler `name`'s BinaryName, as the reader
// merges them: 1.x, the last file with the CRI plugin section (it replaces the section whole);
// 2.x, the last file that sets the handler's BinaryName, else the last that defines the
// handler. An error when no file defines it (containerd's built-in default, or no handler).
Result<std::string> file_defining_handler(const ContainerdConfig& cfg, const std::string& name);

// The side file text for one handler; `keep` carries an existing file's [runcwrap] settings.
std::string render_side_file(const RuntimeHandler& handler, const std::string& from,
                             const std::optional<SideConfig>& keep);

}  // namespace runcwrap
