// The runc v2 shim's <bundle>/options.json: json.Marshal of runc.v1.Options (snake_case keys,
// omitempty). It holds whichever option set the shim was given: RuntimeOptions when healthy,
// TaskOptions alone when containerd dropped the runtime options. Pure.
#pragma once

#include <string>

#include "common/result.hpp"
#include "common/runtime_options.hpp"

namespace runcwrap {

struct ShimOptions {
    RuntimeOptions options;
    // Keys only RuntimeOptions carry (binary_name, root, systemd_cgroup, criu_path): their
    // presence proves the shim had the runtime options.
    bool has_runtime_keys = false;
    // Keys TaskOptions carry (io_uid, io_gid, no_pivot_root, ...): with no runtime key beside
    // them they are what the bug leaves behind.
    bool has_task_keys = false;

    // The option set the shim received was TaskOptions, and the runtime options were dropped.
    bool runtime_options_dropped() const { return has_task_keys && !has_runtime_keys; }
};

Result<ShimOptions> parse_shim_options(std::string& text);

}  // namespace runcwrap
