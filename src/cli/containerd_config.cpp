#include "cli/containerd_config.hpp"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "common/fs.hpp"
#include "common/toml.hpp"

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
std::vector<std::string> resolve_imports(const toml::table& config, const std::string& from,
                                         const std::string& node_root) {
    std::vector<std::string> out;
    const toml::array* imports = config["imports"].as_array();
    if (!imports) return out;
    for (const auto& item : *imports) {
        auto pattern = item.value<std::string>();
        if (!pattern) continue;
        std::string full = !node_root.empty() && !pattern->empty() && (*pattern)[0] == '/'
                               ? node_root + *pattern
                               : absolute_path(*pattern, dirname_of(from));
        glob_t g{};
        if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
            for (std::size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
        }
        ::globfree(&g);
    }
    return out;
}

// containerd's mergeConfig. 1.x: top-level keys override and each plugin section is replaced
// whole. 2.x (mergo with override): tables merge key by key, everything else is overridden.
void merge_tables(toml::table& into, const toml::table& from) {
    for (const auto& [key, node] : from) {
        toml::table* existing = into[key.str()].as_table();
        if (existing && node.is_table())
            merge_tables(*existing, *node.as_table());
        else
            into.insert_or_assign(key.str(), node);
    }
}

void merge_config(toml::table& into, const toml::table& from, ConfigReader reader) {
    if (reader == ConfigReader::Containerd2) return merge_tables(into, from);
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

// Only the keys the table sets: in 2.x a handler's options merge into the built-in ones.
void read_options(const toml::table& options, RuntimeOptions& out) {
    out.binary_name = options["BinaryName"].value_or(out.binary_name);
    out.root = options["Root"].value_or(out.root);
    out.systemd_cgroup = options["SystemdCgroup"].value_or(out.systemd_cgroup);
    out.no_pivot_root = options["NoPivotRoot"].value_or(out.no_pivot_root);
    out.no_new_keyring = options["NoNewKeyring"].value_or(out.no_new_keyring);
}

// containerd's DefaultConfig (1.6/1.7) and DefaultRuntimeConfig (2.x) agree on this much: one
// handler "runc", the runc v2 shim, every option zero (no BinaryName, SystemdCgroup false).
RuntimeHandler builtin_runc_handler() {
    RuntimeHandler h;
    h.name = "runc";
    h.runtime_type = "io.containerd.runc.v2";
    h.builtin = true;
    return h;
}

// The plugin id each release decodes the CRI runtime config from, for a config of `version`
// (1.x: Decode uses p.ID for version 1, else p.URI(); 2.x migrates "cri" and
// "io.containerd.grpc.v1.cri" to "io.containerd.cri.v1.runtime" for versions below 3).
Result<const char*> cri_plugin_id(ConfigReader reader, int version, const std::string& path) {
    if (version >= 3) {
        if (reader == ConfigReader::Containerd1)
            return make_error(path + ": config version " + std::to_string(version) +
                              " is containerd 2.x's; containerd 1.x reads up to version 2 and "
                              "refuses this file");
        return "io.containerd.cri.v1.runtime";
    }
    return version <= 1 ? "cri" : "io.containerd.grpc.v1.cri";
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

ConfigReader reader_for_config_version(int version) {
    return version >= 3 ? ConfigReader::Containerd2 : ConfigReader::Containerd1;
}

Result<ContainerdConfig> load_containerd_config(const std::string& path,
                                                std::optional<ConfigReader> reader,
                                                bool missing_is_defaults,
                                                const std::string& node_root) {
    ContainerdConfig cfg;
    if (missing_is_defaults && ::access(path.c_str(), F_OK) != 0 && errno == ENOENT) {
        cfg.exists = false;
        cfg.reader = reader.value_or(ConfigReader::Containerd1);
        cfg.handlers.push_back(builtin_runc_handler());
        return cfg;
    }
    auto main = parse_file(path);
    if (!main) return main.error();
    cfg.files.push_back(path);
    toml::table merged = std::move(*main);
    cfg.version = static_cast<int>(merged["version"].value_or(std::int64_t{1}));
    cfg.reader = reader.value_or(reader_for_config_version(cfg.version));
    std::vector<std::string> pending = resolve_imports(merged, path, node_root);
    std::set<std::string> seen{path};
    while (!pending.empty()) {
        std::string next = pending.front();
        pending.erase(pending.begin());
        if (!seen.insert(next).second) continue;
        auto imported = parse_file(next);
        if (!imported) return imported.error();
        for (auto& more : resolve_imports(*imported, next, node_root)) pending.push_back(more);
        merge_config(merged, *imported, cfg.reader);
        cfg.files.push_back(next);
    }
    cfg.version = static_cast<int>(merged["version"].value_or(std::int64_t{cfg.version}));

    auto plugin = cri_plugin_id(cfg.reader, cfg.version, path);
    if (!plugin) return plugin.error();
    const toml::table* section = merged["plugins"][*plugin].as_table();
    if (section) cfg.cri_plugin = *plugin;
    const toml::table* containerd = section ? (*section)["containerd"].as_table() : nullptr;
    const toml::table* runtimes = containerd ? (*containerd)["runtimes"].as_table() : nullptr;
    if (containerd)
        cfg.default_runtime = (*containerd)["default_runtime_name"].value_or(cfg.default_runtime);
    // 1.x replaces the built-in map with the file's `runtimes`; 2.x merges into it.
    if (!runtimes || cfg.reader == ConfigReader::Containerd2)
        cfg.handlers.push_back(builtin_runc_handler());
    if (runtimes) {
        for (const auto& [name, node] : *runtimes) {
            const toml::table* runtime = node.as_table();
            if (!runtime) continue;
            RuntimeHandler* h = nullptr;
            for (auto& known : cfg.handlers)
                if (known.name == name.str()) h = &known;
            if (!h) {
                h = &cfg.handlers.emplace_back();
                h->name = std::string(name.str());
            }
            h->builtin = false;
            h->runtime_type = (*runtime)["runtime_type"].value_or(h->runtime_type);
            if (const toml::table* options = (*runtime)["options"].as_table())
                read_options(*options, h->options);
        }
    }
    std::sort(cfg.handlers.begin(), cfg.handlers.end(),
              [](const RuntimeHandler& a, const RuntimeHandler& b) { return a.name < b.name; });
    return cfg;
}

Result<std::string> file_defining_handler(const ContainerdConfig& cfg, const std::string& name) {
    const RuntimeHandler* handler = cfg.handler(name);
    if (cfg.cri_plugin.empty() || !handler || handler->builtin)
        return make_error("no file of " + cfg.files.front() + " defines runtime handler \"" + name +
                          "\"");
    std::string defining, setting;
    for (const auto& file : cfg.files) {
        auto tree = parse_file(file);
        if (!tree) return tree.error();
        const toml::node_view section = (*tree)["plugins"][cfg.cri_plugin];
        if (!section.is_table()) continue;
        const toml::node_view runtime = section["containerd"]["runtimes"][name];
        if (cfg.reader == ConfigReader::Containerd1) {
            // The last section replaces the others whole: the handler must be in it.
            defining = runtime.is_table() ? file : std::string();
            continue;
        }
        if (runtime.is_table()) defining = file;
        if (runtime["options"]["BinaryName"]) setting = file;
    }
    if (!setting.empty()) return setting;
    if (!defining.empty()) return defining;
    return make_error("no file of " + cfg.files.front() + " defines runtime handler \"" + name +
                      "\"");
}

std::string render_side_file(const RuntimeHandler& handler, const std::string& from,
                             const std::optional<SideConfig>& keep) {
    std::string out =
        "# runcwrap side file: what containerd meant to run when it drops the\n"
        "# runtime options. Imported from " +
        from + ", runtime handler \"" + handler.name + "\".\n[options]\n";
    const RuntimeOptions& o = handler.options;
    if (o.binary_name.empty() || o.binary_name == "runc")
        out +=
            "# containerd's BinaryName is unset (or runc): it runs `runc` from PATH, i.e.\n"
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
