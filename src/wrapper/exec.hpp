// The last step: execve the chosen runtime in place of runcwrap (same pid, same fds).
#pragma once

#include <string>
#include <vector>

#include "common/environment.hpp"
#include "common/result.hpp"
#include "wrapper/recursion_guard.hpp"
#include "wrapper/runtime_resolve.hpp"

namespace runcwrap {

// The environment unchanged but for RUNCWRAP_DEPTH, which is replaced (or added). Pure.
std::vector<std::string> environment_for_runtime(const Environment& env, const CallChain& next);

// Replaces the process with the runtime; returns only on failure.
Error exec_runtime(const ResolvedRuntime& runtime, const std::vector<std::string>& args,
                   const std::vector<std::string>& environment);

}  // namespace runcwrap
