#include "cli/install/containerd_path.hpp"

#include <dirent.h>

#include <algorithm>
#include <cctype>

#include "cli/install/options.hpp"
#include "cli/install/process.hpp"
#include "common/fs.hpp"

namespace runcwrap::install {

std::vector<std::string> search_path_folders(std::string_view value) {
    return split_on(value, ':');
}

SearchPathVerdict judge_search_path(std::string_view value, std::string_view bin_dir,
                                    const std::function<bool(const std::string&)>& has_runc) {
    for (std::string dir : search_path_folders(value)) {
        if (dir.empty()) dir = ".";
        dir = normalize_path(dir);
        // install has put runc there (or, in a dry run, would have).
        if (dir == bin_dir) return {SearchPathFinding::finds_ours, dir};
        if (has_runc(dir)) return {SearchPathFinding::shadowed, dir};
    }
    return {};
}

std::optional<std::string> environ_value(std::string_view block, std::string_view name) {
    for (const std::string& entry : split_on(block, '\0'))
        if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
            entry[name.size()] == '=')
            return entry.substr(name.size() + 1);
    return std::nullopt;
}

std::vector<std::string> containerd_pids() {
    std::vector<std::string> pids;
    DIR* proc = ::opendir("/proc");
    if (!proc) return pids;
    while (const struct dirent* e = ::readdir(proc)) {
        const std::string_view name = e->d_name;
        if (name.empty() || !std::all_of(name.begin(), name.end(),
                                         [](unsigned char c) { return std::isdigit(c) != 0; }))
            continue;
        auto comm = read_file("/proc/" + std::string(name) + "/comm");
        if (comm && without_trailing_newlines(*comm) == "containerd") pids.emplace_back(name);
    }
    ::closedir(proc);
    // /proc/[0-9]* in the shell's (lexical) order.
    std::sort(pids.begin(), pids.end());
    return pids;
}

}  // namespace runcwrap::install
