// Will containerd find the wrapper? containerd's shim runs the first `runc` in containerd's
// PATH: that must be BIN_DIR/runc. The PATH comes from the running containerd's environment
// (/proc/PID/environ) and from its systemd unit. The judgement is pure; the readers are thin.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runcwrap::install {

// PATH's folders as the shell's `IFS=: read -a` splits them ("" is the current folder, ".").
std::vector<std::string> search_path_folders(std::string_view value);

enum class SearchPathFinding { finds_ours, shadowed, not_found };
struct SearchPathVerdict {
    SearchPathFinding finding = SearchPathFinding::not_found;
    std::string first;  // the folder whose runc is found first (shadowed)
};

// `has_runc(dir)`: an executable regular file DIR/runc exists (staged under --prefix).
SearchPathVerdict judge_search_path(std::string_view value, std::string_view bin_dir,
                                    const std::function<bool(const std::string&)>& has_runc);

// The value of NAME in a NUL-separated environment block (/proc/PID/environ), first one wins.
std::optional<std::string> environ_value(std::string_view environ_block, std::string_view name);

// Every process named containerd (/proc/PID/comm).
std::vector<std::string> containerd_pids();

}  // namespace runcwrap::install
