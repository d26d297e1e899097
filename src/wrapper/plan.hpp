// Everything runcwrap will do for one runc call, gathered from the files it reads: the bundle,
// the decision, the resolved runtime and the stdio ownership. The wrapper executes a Plan;
// `runcwrap explain` prints one. Reading happens here; deciding happens in pure modules.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/environment.hpp"
#include "common/result.hpp"
#include "wrapper/decision.hpp"
#include "wrapper/idmap.hpp"
#include "wrapper/oci_spec.hpp"
#include "wrapper/recursion_guard.hpp"
#include "wrapper/runc_args.hpp"
#include "wrapper/runtime_resolve.hpp"
#include "wrapper/side_config.hpp"
#include "wrapper/stdio_owner.hpp"

namespace runcwrap {

struct StdioPlan {
    bool applies = false;
    std::string reason;  // why it applies, or why not
    std::optional<ProcessUser> user;
    std::string user_source;
    IdMappings uid_mappings;
    IdMappings gid_mappings;
    std::string mappings_source;
    std::optional<std::uint32_t> host_uid;
    std::optional<std::uint32_t> host_gid;
    std::vector<StdioFd> fds;
};

struct Plan {
    std::string bundle;  // "" when the call has no bundle
    std::string bundle_source;
    std::optional<SideConfig> side;
    std::string side_path;
    CallChain chain;
    Decision decision;
    ResolvedRuntime runtime;
    StdioPlan stdio;
};

// `describe` adds what only people need (e.g. each stdio fd's /proc link), for explain.
Result<Plan> make_plan(const RuncCall& call, const Environment& env,
                       const OpenAtEntry& open_at_entry, bool describe = false);

}  // namespace runcwrap
