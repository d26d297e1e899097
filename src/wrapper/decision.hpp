// Which runtime runs, with which restored options, and why. Pure: every input was read by the
// caller (plan.cpp); the output is a description the wrapper executes and `explain` prints.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/runtime_options.hpp"
#include "wrapper/runc_args.hpp"
#include "wrapper/shim_options.hpp"
#include "wrapper/side_config.hpp"

namespace runcwrap {

enum class Scenario {
    NoBundle,         // S5: --version, features, list, a person typing runc
    Healthy,          // S5: the shim had its options; BinaryName was runc (= runcwrap) or empty
    InsideWrapping,   // S3: the shim ran wrapping runtime B, and B ran `runc` (= runcwrap)
    Nested,           // S4: runcwrap's own recursion guard says it already ran once in this chain
    DroppedSideFile,  // S1: options dropped; the side file says what was intended
    DroppedSandbox,   // S2: options dropped; the pod sandbox's options.json says what was intended
    Routed,           // the call came through routed handler NAME's entry (handler_entry.hpp)
};

const char* scenario_name(Scenario s);

struct RuntimeCandidate {
    std::string name;    // as configured: an absolute path or a bare name looked up in PATH
    std::string source;  // where it came from, for explain and for errors
    // The operator named this as the real runtime: if it turns out to be runcwrap itself, that
    // is a configuration error, not something to skip silently.
    bool must_not_be_self = false;
};

struct DecisionInputs {
    const RuncCall* call = nullptr;
    std::string bundle;                         // "" when the call has no bundle
    std::optional<ShimOptions> bundle_options;  // <bundle>/options.json, when present
    std::string bundle_options_path;
    std::optional<RuntimeOptions> sandbox_options;  // <bundle>/../<sandbox-id>/options.json
    std::string sandbox_options_path;
    std::string sandbox_note;          // why the sandbox was not used, when it was not
    const SideConfig* side = nullptr;  // nullptr: no side file
    std::string side_path;
    int depth = 0;  // from the recursion guard
    // <bundle>/options.json is intact and its binary_name is runcwrap (its runc in PATH, the
    // binary, a copy): the shim ran runcwrap itself, not a wrapping runtime. plan.cpp asks the
    // file only when binary_name is neither empty, "runc" nor an entry.
    bool bundle_names_runcwrap = false;
};

struct Decision {
    Scenario scenario = Scenario::NoBundle;
    std::string reason;
    // Tried in order; the resolver skips runcwrap itself, runtimes already run in this chain and
    // `exclude`d ones, and stops at the first that exists (a missing configured one is an error).
    std::vector<RuntimeCandidate> candidates;
    std::vector<std::string> exclude;
    std::optional<RuntimeOptions> restore_from;
    std::string restore_source;
    std::vector<std::string> restored;  // human-readable, e.g. "--systemd-cgroup"
    std::vector<std::string> args;      // argv[1..] for the runtime, with restored flags
};

Result<Decision> decide(const DecisionInputs& in);

// Routed handler h's runtime as the resolver gets it: [handlers.NAME] BinaryName, "runc" the
// next runc in PATH after runcwrap; must_not_be_self otherwise. An entry there is an error.
Result<RuntimeCandidate> handler_runtime(const HandlerRecord& h, const std::string& side_path);

// argv[1..] with what containerd dropped put back, each only when the argv lacks it.
std::vector<std::string> restore_dropped_options(const RuncCall& call, const RuntimeOptions& wanted,
                                                 std::vector<std::string>& restored);

inline constexpr const char* kContainerdDefaultRoot = "/run/containerd/runc";

}  // namespace runcwrap
