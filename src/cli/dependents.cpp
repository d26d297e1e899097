#include "cli/dependents.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "common/fs.hpp"
#include "common/json_util.hpp"
#include "wrapper/handler_entry.hpp"
#include "wrapper/oci_spec.hpp"
#include "wrapper/runc_args.hpp"
#include "wrapper/runc_log.hpp"
#include "wrapper/shim_options.hpp"
#include "wrapper/side_config.hpp"

namespace runcwrap {

std::string_view reason_name(DependenceReason reason) {
    switch (reason) {
        case DependenceReason::options_dropped: return "options-dropped";
        case DependenceReason::stdio_chowned: return "stdio-chowned";
        case DependenceReason::handler_entry: return "handler-entry";
    }
    return "unknown";
}

std::string what_breaks(const Dependent& d) {
    if (d.reason == DependenceReason::handler_entry)
        return "needs handler " + d.handler + "'s entry " + d.entry + " and the side file's [" +
               handler_table_name(d.handler) +
               "]: without them its shim's calls (exec, kill, delete) fail";
    if (d.reason == DependenceReason::stdio_chowned)
        return "keeps running; a later exec's stdio pipes stay root's (the exec'd process cannot "
               "reopen /dev/stdout)";
    if (d.in_default_root)
        return "its shim's later calls (exec, kill, delete) run `runc` from containerd's PATH "
               "without the restored options: they fail if that PATH has no runc, and run the "
               "wrong runtime or cgroup driver if the pod's handler is not plain runc";
    return "its shim's later calls (exec, kill, delete) fail: runc looks for it under "
           "/run/containerd/runc/" +
           d.ns + " but runcwrap created it under the restored Root";
}

namespace {

std::vector<std::string> list_dirs(const std::string& path) {
    std::vector<std::string> names;
    DIR* dir = ::opendir(path.c_str());
    if (!dir) return names;
    while (const dirent* e = ::readdir(dir)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        struct stat st {};
        if (::lstat((path + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

// The routed handler whose runcwrap entry a bundle's options.json names as binary_name.
std::optional<std::string> entry_handler_of(const std::optional<ShimOptions>& shim) {
    if (!shim || shim->runtime_options_dropped()) return std::nullopt;
    auto name = handler_of_entry(shim->options.binary_name);
    return name ? std::optional<std::string>(*name) : std::nullopt;
}

std::optional<ShimOptions> read_options_json(const std::string& bundle) {
    auto text = read_file(bundle + "/options.json");
    if (!text) return std::nullopt;
    auto shim = parse_shim_options(*text);
    if (!shim) return std::nullopt;
    return *shim;
}

// The pod sandbox of a container whose options were dropped: the one S2 reads.
std::optional<ShimOptions> sandbox_options_of(const std::string& bundle) {
    auto text = read_file(bundle + "/config.json");
    if (!text) return std::nullopt;
    auto spec = parse_container_spec(*text);
    if (!spec || !spec->sandbox_id || !is_valid_container_id(*spec->sandbox_id))
        return std::nullopt;
    return read_options_json(dirname_of(bundle) + "/" + *spec->sandbox_id);
}

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::vector<std::string> chowned_ids_in_log(std::string text) {
    std::vector<std::string> ids;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        json::Document document;
        if (!json::parse_in_place(document, line)) continue;  // a torn last line: skip it
        const json::Value& doc = document.get();
        if (!doc.IsObject()) continue;
        const json::Value* command = json::member(doc, "command");
        const json::Value* id = json::member(doc, "id");
        const json::Value* fds = json::member(doc, "chowned_fds");
        if (!command || !command->IsString() || !id || !id->IsString() || !fds || !fds->IsArray() ||
            fds->Empty())
            continue;
        std::string_view cmd(command->GetString(), command->GetStringLength());
        if (cmd != "create" && cmd != "run" && cmd != "restore") continue;
        std::string name(id->GetString(), id->GetStringLength());
        if (std::find(ids.begin(), ids.end(), name) == ids.end()) ids.push_back(std::move(name));
    }
    return ids;
}

Result<std::vector<Dependent>> find_dependents(const std::string& task_dir_in,
                                               const std::vector<std::string>& chowned_ids,
                                               const std::string& runc_default_root) {
    std::string task_dir = task_dir_in;
    if (is_dir(task_dir + "/io.containerd.runtime.v2.task"))
        task_dir += "/io.containerd.runtime.v2.task";
    std::vector<Dependent> found;
    if (!is_dir(task_dir)) {
        if (errno == ENOENT) return found;  // no containerd state: nothing runs
        return make_error("cannot read " + task_dir + ": " + errno_text(errno));
    }
    for (const auto& ns : list_dirs(task_dir)) {
        for (const auto& id : list_dirs(task_dir + "/" + ns)) {
            Dependent d;
            d.ns = ns;
            d.id = id;
            d.bundle = task_dir + "/" + ns + "/" + id;
            const std::optional<ShimOptions> shim = read_options_json(d.bundle);
            const bool dropped = shim && shim->runtime_options_dropped();
            std::optional<std::string> handler = entry_handler_of(shim);
            std::optional<ShimOptions> sandbox;
            if (dropped) sandbox = sandbox_options_of(d.bundle);
            if (!handler && sandbox) handler = entry_handler_of(sandbox);
            bool chowned =
                std::find(chowned_ids.begin(), chowned_ids.end(), id) != chowned_ids.end();
            if (!dropped && !chowned && !handler) continue;
            d.reason = handler   ? DependenceReason::handler_entry
                       : dropped ? DependenceReason::options_dropped
                                 : DependenceReason::stdio_chowned;
            if (handler) {
                d.handler = *handler;
                d.entry = (dropped ? sandbox : shim)->options.binary_name;
            }
            struct stat st {};
            d.in_default_root =
                ::stat((runc_default_root + "/" + ns + "/" + id + "/state.json").c_str(), &st) == 0;
            found.push_back(std::move(d));
        }
    }
    return found;
}

std::string dependents_text(const std::vector<Dependent>& found) {
    std::string out;
    for (const auto& d : found)
        out += d.ns + "/" + d.id + " " + std::string(reason_name(d.reason)) + " " + d.bundle +
               ": " + what_breaks(d) + "\n";
    return out;
}

std::string dependents_json(const std::vector<std::string>& task_dirs,
                            const std::vector<Dependent>& found) {
    auto q = [](std::string_view s) { return "\"" + json_escape(s) + "\""; };
    std::string out = "{\"state\":[";
    for (std::size_t i = 0; i < task_dirs.size(); ++i) out += (i ? "," : "") + q(task_dirs[i]);
    out += "],\"dependents\":[";
    for (std::size_t i = 0; i < found.size(); ++i) {
        const Dependent& d = found[i];
        out += std::string(i ? "," : "") + "{\"namespace\":" + q(d.ns) + ",\"id\":" + q(d.id) +
               ",\"bundle\":" + q(d.bundle) + ",\"reason\":" + q(reason_name(d.reason)) +
               ",\"in_default_root\":" + (d.in_default_root ? "true" : "false") +
               (d.handler.empty() ? std::string()
                                  : ",\"handler\":" + q(d.handler) + ",\"entry\":" + q(d.entry)) +
               ",\"breaks\":" + q(what_breaks(d)) + "}";
    }
    return out + "]}\n";
}

}  // namespace runcwrap
