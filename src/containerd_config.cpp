#include "containerd_config.hpp"

#include <glob.h>

#include <algorithm>
#include <set>

#include "fs.hpp"
#include "toml.hpp"

namespace runcwrap {
namespace {

Result<toml::table> parse_file(const std::string& path) {
    auto text = read_file(path);
    if (!text) return text.error();
    if (auto at = toml_unsafe_byte(*text)) {
        const std::string_view before = std::string_view(*text).substr(0, *at);
        return make_error(path + ":" +
                          std::to_string(1 + std::count(before.begin(), before.end(), '\n')) +
                          ": a non-ASCII character outside a string or a comment, which runcwrap "
                          "cannot read safely; fix: remove it or put it in a string");
    }
    toml::parse_result parsed = toml::parse(*text, path);
    if (!parsed)
        return make_error(path + ":" + std::to_string(parsed.error().source().begin.line) +
                          ": not valid TOML: " + std::string(parsed.error().description()));
    return std::move(parsed.table());
}

// containerd's resolveImports: relative paths are relative to the importing file; globs expand.
std::vector<std::string> resolve_imports(const toml::table& config, const std::string& from) {
    std::vector<std::string> out;
    const toml::array* imports = config["imports"].as_array();
    if (!imports) return out;
    for (const auto& item : *imports) {
        auto pattern = item.value<std::string>();
        if (!pattern) continue;
        std::string full = absolute_path(*pattern, dirname_of(from));
        glob_t g{};
        if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
            for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
        }
        ::globfree(&g);
    }
    return out;
}

// containerd's mergeConfig: top-level keys override; each plugin section is replaced whole.
void merge_config(toml::table& into, const toml::table& from) {
    for (const auto& [key, node] : from) {
        if (key.str() == "plugins" && node.is_table() && into["plugins"].is_table()) {
            toml::table& plugins = *into["plugins"].as_table();
            for (const auto& [plugin, section] : *node.as_table())
                plugins.insert_or_assign(plugin.str(), section);
        } else {
            into.insert_or_assign(key.str(), node);
        }
    }
}

void read_options(const toml::table& options, RuntimeOptions& out) {
    out.binary_name = options["BinaryName"].value_or(std::string());
    out.root = options["Root"].value_or(std::string());
    out.systemd_cgroup = options["SystemdCgroup"].value_or(false);
    out.no_pivot_root = options["NoPivotRoot"].value_or(false);
    out.no_new_keyring = options["NoNewKeyring"].value_or(false);
}

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

const RuntimeHandler* ContainerdConfig::handler(const std::string& name) const {
    for (const auto& h : handlers)
        if (h.name == name) return &h;
    return nullptr;
}

Result<ContainerdConfig> load_containerd_config(const std::string& path) {
    auto main = parse_file(path);
    if (!main) return main.error();
    ContainerdConfig cfg;
    cfg.files.push_back(path);
    toml::table merged = std::move(*main);
    std::vector<std::string> pending = resolve_imports(merged, path);
    std::set<std::string> seen{path};
    while (!pending.empty()) {
        std::string next = pending.front();
        pending.erase(pending.begin());
        if (!seen.insert(next).second) continue;
        auto imported = parse_file(next);
        if (!imported) return imported.error();
        for (auto& more : resolve_imports(*imported, next)) pending.push_back(more);
        merge_config(merged, *imported);
        cfg.files.push_back(next);
    }
    cfg.version = static_cast<int>(merged["version"].value_or(std::int64_t{1}));

    static const char* const kCriPlugins[] = {"io.containerd.cri.v1.runtime",
                                              "io.containerd.grpc.v1.cri", "cri"};
    const toml::table* containerd = nullptr;
    for (const char* plugin : kCriPlugins) {
        containerd = merged["plugins"][plugin]["containerd"].as_table();
        if (containerd) {
            cfg.cri_plugin = plugin;
            break;
        }
    }
    if (!containerd) return cfg;
    cfg.default_runtime = (*containerd)["default_runtime_name"].value_or(std::string("runc"));
    if (const toml::table* runtimes = (*containerd)["runtimes"].as_table()) {
        for (const auto& [name, node] : *runtimes) {
            const toml::table* runtime = node.as_table();
            if (!runtime) continue;
            RuntimeHandler h;
            h.name = std::string(name.str());
            h.runtime_type = (*runtime)["runtime_type"].value_or(std::string());
            if (const toml::table* options = (*runtime)["options"].as_table())
                read_options(*options, h.options);
            cfg.handlers.push_back(std::move(h));
        }
    }
    return cfg;
}

std::string render_side_file(const RuntimeHandler& handler, const std::string& from,
                             const std::optional<SideConfig>& keep) {
    std::string out = "# runcwrap side file: what containerd meant to run when it drops the\n"
                      "# runtime options. Imported from " + from + ", runtime handler \"" +
                      handler.name + "\".\n[options]\n";
    const RuntimeOptions& o = handler.options;
    if (o.binary_name.empty() || o.binary_name == "runc")
        out += "# containerd's BinaryName is unset (or runc): it runs `runc` from PATH, i.e.\n"
               "# runcwrap, which runs the next runc in PATH after itself.\n"
               "BinaryName = \"runc\"\n";
    else
        out += "BinaryName = " + toml_string(o.binary_name) + "\n";
    out += std::string("SystemdCgroup = ") + (o.systemd_cgroup ? "true" : "false") + "\n";
    if (!o.root.empty()) out += "Root = " + toml_string(o.root) + "\n";
    if (o.no_pivot_root) out += "NoPivotRoot = true\n";
    if (o.no_new_keyring) out += "NoNewKeyring = true\n";
    if (keep && (!keep->chown_stdio || !keep->log_file.empty())) {
        out += "\n[runcwrap]\n";
        if (!keep->chown_stdio) out += "ChownStdio = false\n";
        if (!keep->log_file.empty()) out += "LogFile = " + toml_string(keep->log_file) + "\n";
    }
    return out;
}

}  // namespace runcwrap
