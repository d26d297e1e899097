// The containers that still need runcwrap: what `install.sh --uninstall` (and so package removal)
// checks before taking runcwrap away. Found from containerd's task state, not guessed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace runcwrap {

// Why a container still depends on runcwrap.
enum class DependenceReason {
    // Its options.json holds task keys and no runtime key: containerd dropped the runtime
    // options, so every later call of its shim (exec, kill, delete) runs plain `runc` from
    // containerd's PATH with runc's default --root, and only runcwrap puts the intended runtime
    // and options back.
    options_dropped,
    // Options kept (1.7.x, 2.0.0 CRI pods), but the decision log shows runcwrap chowned its
    // stdio pipes at create: the container keeps running, but a later exec's pipes stay root's.
    stdio_chowned,
    // Its options.json (or, options dropped, its pod sandbox's) names a routed handler's
    // runcwrap entry (`runcwrap route`): every call of its shim, or the runtime S2 maps its
    // calls to, needs that entry and the side file's [handlers.NAME].
    handler_entry,
};

struct Dependent {
    std::string ns;      // containerd namespace (k8s.io, default, ...)
    std::string id;      // container id
    std::string bundle;  // <state>/<ns>/<id>
    DependenceReason reason = DependenceReason::options_dropped;
    // runc's default state (/run/containerd/runc/<ns>/<id>) exists: runc reached without
    // runcwrap finds the container there (it still runs without the restored options).
    bool in_default_root = false;
    std::string handler;  // handler_entry: the routed handler's name
    std::string entry;    // handler_entry: the entry the options name
};

std::string_view reason_name(DependenceReason reason);
// What breaks for this container once runcwrap is gone, in one sentence.
std::string what_breaks(const Dependent& d);

// Pure: the ids that the decision log says runcwrap chowned stdio for at create/run/restore.
std::vector<std::string> chowned_ids_in_log(std::string text);

// Every task bundle under `task_dir` (containerd's <state>/io.containerd.runtime.v2.task; a
// containerd state dir holding one is accepted too) that depends on runcwrap. `chowned_ids`
// from the decision log; `runc_default_root` is containerd's /run/containerd/runc.
Result<std::vector<Dependent>> find_dependents(const std::string& task_dir,
                                               const std::vector<std::string>& chowned_ids,
                                               const std::string& runc_default_root);

std::string dependents_text(const std::vector<Dependent>& found);
std::string dependents_json(const std::vector<std::string>& task_dirs,
                            const std::vector<Dependent>& found);

}  // namespace runcwrap
