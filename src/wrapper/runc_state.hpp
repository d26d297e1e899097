// What runcwrap needs from runc's <root>/<id>/state.json. Pure.
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "wrapper/idmap.hpp"

namespace runcwrap {

struct RuncState {
    std::optional<std::string> bundle;  // the "bundle=<path>" label
    IdMappings uid_mappings;
    IdMappings gid_mappings;
    int init_pid = 0;
};

Result<RuncState> parse_runc_state(std::string& text);

}  // namespace runcwrap
