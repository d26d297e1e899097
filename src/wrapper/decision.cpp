#include "wrapper/decision.hpp"

#include "wrapper/handler_entry.hpp"

namespace runcwrap {

const char* scenario_name(Scenario s) {
    switch (s) {
        case Scenario::NoBundle: return "no-bundle";
        case Scenario::Healthy: return "healthy";
        case Scenario::InsideWrapping: return "inside-wrapping-runtime";
        case Scenario::Nested: return "nested";
        case Scenario::DroppedSideFile: return "dropped-side-file";
        case Scenario::DroppedSandbox: return "dropped-sandbox";
        case Scenario::Routed: return "routed-handler";
    }
    return "?";
}

namespace {

bool is_plain_runc(std::string_view name) { return name.empty() || name == "runc"; }

// The real runtime when nothing more specific is known: the side file's, else `runc` in PATH.
// BinaryName = "runc" says "the next runc in PATH after runcwrap" on purpose (side_config.hpp):
// runcwrap is the first runc there, and is passed over, not refused.
void add_real_runc_candidates(const DecisionInputs& in, Decision& d) {
    const std::string side_name = in.side ? in.side->options.binary_name : std::string();
    if (side_name == kNextRuncInPath) {
        d.candidates.push_back({"runc",
                                "side file " + in.side_path +
                                    " [options] BinaryName = \"runc\": the next runc in PATH "
                                    "after runcwrap",
                                false});
        return;
    }
    if (!side_name.empty())
        d.candidates.push_back(
            {side_name, "side file " + in.side_path + " [options] BinaryName", true});
    d.candidates.push_back({"runc", "the next runc in PATH after runcwrap", false});
}

// The side file's record of routed handler `name`, or the error that says how to make one.
// `via` says what named the entry: argv[0], or a sandbox's options.json.
Result<const HandlerRecord*> handler_record(const DecisionInputs& in, std::string_view name,
                                            const std::string& via) {
    const HandlerRecord* h = in.side ? in.side->handler(name) : nullptr;
    if (h) return h;
    const std::string table = "[" + handler_table_name(name) + "]";
    return make_error(via + " is CRI handler " + std::string(name) +
                      "'s runcwrap entry, but the side file " + in.side_path +
                      (in.side ? " has no " + table + " table"
                               : " does not exist, so it has no " + table + " table") +
                      " to say which runtime that handler runs; fix: runcwrap route --handler " +
                      std::string(name) + " (it records the handler's runtime there)");
}

std::vector<std::string> args_of(const RuncCall& call) {
    std::vector<std::string> args;
    for (std::size_t i = 1; i < call.argv.size(); ++i) args.emplace_back(call.argv[i]);
    return args;
}

}  // namespace

// The routed handler's own runtime, [handlers.NAME] BinaryName: "runc" is the next runc in PATH
// after runcwrap, as in [options]; any other name the operator recorded as the real runtime, so
// runcwrap there is an error (the resolver's must_not_be_self). An entry there would route the
// handler to itself: refused here, before anything is opened.
Result<RuntimeCandidate> handler_runtime(const HandlerRecord& h, const std::string& side_path) {
    const std::string table = "side file " + side_path + " [" + handler_table_name(h.name) + "]";
    const std::string& name = h.options.binary_name;
    if (name == kNextRuncInPath)
        return RuntimeCandidate{
            "runc", table + " BinaryName = \"runc\": the next runc in PATH after runcwrap", false};
    if (auto other = handler_of_entry(name))
        return make_error(table + " BinaryName is " + name + ", handler " + std::string(*other) +
                          "'s runcwrap entry, not a runtime; fix: name the handler's real "
                          "runtime there (runcwrap route --undo, then runcwrap route --handler " +
                          h.name + ", records it)");
    return RuntimeCandidate{name, table + " BinaryName", true};
}

std::vector<std::string> restore_dropped_options(const RuncCall& call, const RuntimeOptions& wanted,
                                                 std::vector<std::string>& restored) {
    std::vector<std::string> args = args_of(call);  // args[i - 1] == argv[i]
    const bool creating = call.known_command && creates_container(call.command);

    // --root: containerd's default is /run/containerd/runc/<namespace>; Root replaces the prefix.
    // Trailing slashes first: "/run/containerd/runc/" is still the default, nothing to replace.
    std::string want_root = wanted.root;
    while (want_root.size() > 1 && want_root.back() == '/') want_root.pop_back();
    if (!want_root.empty() && want_root != kContainerdDefaultRoot) {
        if (const ParsedFlag* root = call.global("root"); root && root->value) {
            std::string_view value = *root->value;
            std::string_view prefix = std::string_view(kContainerdDefaultRoot);
            if (value.size() > prefix.size() + 1 && value.substr(0, prefix.size()) == prefix &&
                value[prefix.size()] == '/' &&
                value.find('/', prefix.size() + 1) == std::string_view::npos) {
                std::string replaced = want_root == "/" ? std::string() : want_root;
                replaced += value.substr(prefix.size());
                std::string& slot = args[root->value_index - 1];
                slot =
                    root->inline_value ? slot.substr(0, slot.find('=') + 1) + replaced : replaced;
                restored.push_back("--root " + replaced);
            }
        }
    }

    // Command flags go just before the container id; runc's createContainer reads them.
    std::vector<std::string> command_flags;
    if (creating && wanted.no_pivot_root && !call.flag("no-pivot"))
        command_flags.push_back("--no-pivot");
    if (creating && call.command != "restore" && wanted.no_new_keyring &&
        !call.flag("no-new-keyring"))
        command_flags.push_back("--no-new-keyring");
    auto id_index = call.container_id_index();
    if (!command_flags.empty() && id_index) {
        // After a "--" a flag would be positional: go before that "--" instead.
        std::size_t at = *id_index;
        if (call.command_terminator_index != 0 && call.command_terminator_index < at)
            at = call.command_terminator_index;
        args.insert(args.begin() + static_cast<std::ptrdiff_t>(at - 1), command_flags.begin(),
                    command_flags.end());
        restored.insert(restored.end(), command_flags.begin(), command_flags.end());
    }

    // --systemd-cgroup is global: it goes last among the globals, where go-runc puts it, and
    // before a "--" that ends them (after it, runc would take the flag for the subcommand).
    if (creating && wanted.systemd_cgroup && !call.global("systemd-cgroup")) {
        std::size_t at =
            call.global_terminator_index != 0 ? call.global_terminator_index : call.command_index;
        args.insert(args.begin() + static_cast<std::ptrdiff_t>(at - 1), "--systemd-cgroup");
        restored.push_back("--systemd-cgroup");
    }
    return args;
}

namespace {

// Handler NAME's runtime, from its [handlers.NAME] record, which must exist. `via` names what
// named the entry (argv[0], a bundle's or a sandbox's options.json), for the error.
Result<RuntimeCandidate> routed_runtime(const DecisionInputs& in, std::string_view name,
                                        const std::string& via) {
    auto h = handler_record(in, name, via);
    if (!h) return h.error();
    return handler_runtime(**h, in.side_path);
}

// The call came through handler NAME's entry at depth 0 (argv[0]): its runtime is the side file's
// [handlers.NAME] BinaryName. Options intact, or no bundle: nothing to restore. Options dropped
// (containerd then runs plain `runc`, so this is unexpected, but not a reason to guess): as S2
// from the sandbox's options.json when there is one, else from [handlers.NAME].
Result<Decision> decide_routed(const DecisionInputs& in, std::string_view name) {
    const RuncCall& call = *in.call;
    const std::string via = "argv[0] " + std::string(call.argv[0]);
    auto record = handler_record(in, name, via);
    if (!record) return record.error();
    auto runtime = handler_runtime(**record, in.side_path);
    if (!runtime) return runtime.error();
    Decision d;
    d.candidates.push_back(std::move(*runtime));
    const bool dropped =
        !in.bundle.empty() && in.bundle_options && in.bundle_options->runtime_options_dropped();
    if (!dropped) {
        d.scenario = Scenario::Routed;
        d.reason =
            via + " is CRI handler " + std::string(name) + "'s runcwrap entry" +
            (in.bundle.empty()    ? std::string(" (the call has no bundle)")
             : !in.bundle_options ? std::string(" (the bundle has no options.json)")
                                  : " (" + in.bundle_options_path + " holds the runtime options)") +
            ": run the handler's runtime, restore nothing";
        d.args = args_of(call);
        return d;
    }
    const std::string dropped_why =
        in.bundle_options_path +
        " holds only task options (containerd dropped the runtime options) of a call through "
        "handler " +
        std::string(name) + "'s entry " + std::string(call.argv[0]);
    if (in.sandbox_options) {
        d.scenario = Scenario::DroppedSandbox;
        d.restore_from = in.sandbox_options;
        d.restore_source = in.sandbox_options_path;
        d.reason = dropped_why + "; the pod sandbox's " + in.sandbox_options_path +
                   " has the handler's options";
    } else {
        d.scenario = Scenario::DroppedSideFile;
        d.restore_from = (*record)->options;
        d.restore_source = "side file " + in.side_path + " [" + handler_table_name(name) + "]";
        d.reason = dropped_why + "; the side file's [" + handler_table_name(name) +
                   "] says what was intended";
        if (!in.sandbox_note.empty()) d.reason += " (" + in.sandbox_note + ")";
    }
    d.args = restore_dropped_options(call, *d.restore_from, d.restored);
    return d;
}

}  // namespace

Result<Decision> decide(const DecisionInputs& in) {
    Decision d;
    const RuncCall& call = *in.call;

    if (in.depth > 0) {
        // S4 (and S3 once runcwrap ran the wrapping runtime itself): a runtime runcwrap ran has
        // called `runc` again. It was given every option; only the real runc is missing.
        d.scenario = Scenario::Nested;
        d.reason = "runcwrap already ran a runtime in this call chain (depth " +
                   std::to_string(in.depth) + "), which called runc again: run the real runc";
        add_real_runc_candidates(in, d);
        d.args = args_of(call);
        return d;
    }

    // Through a routed handler's entry: the handler's runtime, whatever the bundle says.
    if (!call.argv.empty())
        if (auto name = handler_of_entry(call.argv[0])) return decide_routed(in, *name);

    if (in.bundle.empty() || !in.bundle_options) {
        d.scenario = in.bundle.empty() ? Scenario::NoBundle : Scenario::Healthy;
        d.reason = in.bundle.empty()
                       ? "this call has no bundle: run the real runc"
                       : "the bundle has no options.json, so nothing says options were dropped";
        add_real_runc_candidates(in, d);
        d.args = args_of(call);
        return d;
    }

    const ShimOptions& shim = *in.bundle_options;
    if (!shim.runtime_options_dropped()) {
        const std::string& named = shim.options.binary_name;
        if (auto name = handler_of_entry(named)) {
            // The shim was told to run handler NAME's entry, yet runc was called by another
            // name (a person, or a tool, copying the shim's call): the handler's runtime still.
            auto runtime =
                routed_runtime(in, *name, in.bundle_options_path + " binary_name " + named);
            if (!runtime) return runtime.error();
            d.scenario = Scenario::Routed;
            d.reason = in.bundle_options_path + " holds the runtime options and names " + named +
                       ", CRI handler " + std::string(*name) +
                       "'s runcwrap entry: run the handler's runtime, restore nothing";
            d.candidates.push_back(std::move(*runtime));
            d.args = args_of(call);
            return d;
        }
        if (is_plain_runc(named)) {
            d.scenario = Scenario::Healthy;
            d.reason = in.bundle_options_path +
                       " holds the runtime options and names runc: run the real runc";
        } else if (in.bundle_names_runcwrap) {
            d.scenario = Scenario::Healthy;
            d.reason = in.bundle_options_path + " holds the runtime options and names " + named +
                       ", which names runcwrap itself: run the real runc";
        } else {
            d.scenario = Scenario::InsideWrapping;
            d.reason = in.bundle_options_path + " names " + named +
                       ", which called runc: run the real runc, restore nothing";
            d.exclude.push_back(named);
        }
        add_real_runc_candidates(in, d);
        d.args = args_of(call);
        return d;
    }

    // Options were dropped: find what was intended.
    if (in.sandbox_options) {
        d.scenario = Scenario::DroppedSandbox;
        d.restore_from = in.sandbox_options;
        d.restore_source = in.sandbox_options_path;
        d.reason = in.bundle_options_path +
                   " holds only task options (containerd dropped the runtime options); the pod "
                   "sandbox's " +
                   in.sandbox_options_path + " has the handler's options";
        const std::string& sandbox_runtime = in.sandbox_options->binary_name;
        if (auto name = handler_of_entry(sandbox_runtime)) {
            // A routed handler: the sandbox's binary_name is its entry, which stands for the
            // runtime the side file recorded, never for another runcwrap to run.
            auto runtime = routed_runtime(
                in, *name, in.sandbox_options_path + " binary_name " + sandbox_runtime);
            if (!runtime) return runtime.error();
            d.reason += " (" + sandbox_runtime + " is CRI handler " + std::string(*name) +
                        "'s runcwrap entry: its runtime is the side file's)";
            d.candidates.push_back(std::move(*runtime));
        } else {
            if (!is_plain_runc(sandbox_runtime))
                d.candidates.push_back(
                    {sandbox_runtime, in.sandbox_options_path + " binary_name", false});
            add_real_runc_candidates(in, d);
        }
    } else if (in.side && in.side->has_options) {
        d.scenario = Scenario::DroppedSideFile;
        d.restore_from = in.side->options;
        d.restore_source = in.side_path + " [options]";
        d.reason = in.bundle_options_path +
                   " holds only task options (containerd dropped the runtime options); the "
                   "side file " +
                   in.side_path + " says what was intended";
        if (!in.sandbox_note.empty()) d.reason += " (" + in.sandbox_note + ")";
        add_real_runc_candidates(in, d);
    } else {
        std::string why = in.side ? "it has no [options] table" : "it does not exist";
        return make_error(
            "containerd dropped the runtime options of this container (" + in.bundle_options_path +
            " holds only task options) and nothing says what was "
            "intended: " +
            (in.sandbox_note.empty() ? std::string() : in.sandbox_note + "; ") + "side file " +
            in.side_path + ": " + why +
            "; fix: write it with [options] BinaryName = \"/path/to/runtime\" (runcwrap "
            "import-containerd-config --write copies containerd's)");
    }
    d.args = restore_dropped_options(call, *d.restore_from, d.restored);
    return d;
}

}  // namespace runcwrap
