#include "wrapper/side_config.hpp"

#include <algorithm>
#include <iterator>
#include <optional>

#include "common/toml.hpp"
#include "wrapper/handler_entry.hpp"

namespace runcwrap {
namespace {

std::string where(std::string_view path, const toml::source_region& region) {
    return std::string(path) + ":" + std::to_string(region.begin.line);
}

Error wrong_type(std::string_view path, std::string_view table, std::string_view key,
                 const toml::node& node, std::string_view expected) {
    return make_error("side file " + where(path, node.source()) + ": [" + std::string(table) +
                      "] " + std::string(key) + " must be " + std::string(expected));
}

Status read_bool(std::string_view path, std::string_view table, std::string_view key,
                 const toml::node& node, bool& out) {
    auto v = node.value<bool>();
    if (!node.is_boolean() || !v) return wrong_type(path, table, key, node, "true or false");
    out = *v;
    return ok_status();
}

Status read_string(std::string_view path, std::string_view table, std::string_view key,
                   const toml::node& node, std::string& out) {
    if (!node.is_string()) return wrong_type(path, table, key, node, "a string");
    out = *node.value<std::string>();
    return ok_status();
}

// `label` names the table in messages: "options" or "handlers.NAME".
Status read_options(std::string_view path, std::string_view label, const toml::table& table,
                    RuntimeOptions& out) {
    const std::string t = "[" + std::string(label) + "] ";
    for (const auto& [key, node] : table) {
        std::string_view k = key.str();
        Status st = ok_status();
        if (k == "BinaryName") {
            st = read_string(path, label, k, node, out.binary_name);
            if (st && out.binary_name.empty())
                return make_error("side file " + where(path, node.source()) + ": " + t +
                                  "BinaryName is empty; fix: name the runtime: an "
                                  "absolute path, or \"runc\" for the next runc in PATH after "
                                  "runcwrap");
            if (st && !acceptable_binary_name(out.binary_name))
                return make_error("side file " + where(path, node.source()) + ": " + t +
                                  "BinaryName \"" + out.binary_name +
                                  "\" must be an absolute path or a bare name looked up in PATH");
        } else if (k == "Root") {
            st = read_string(path, label, k, node, out.root);
            if (st && !absolute_or_empty(out.root))
                return make_error("side file " + where(path, node.source()) + ": " + t +
                                  "Root must be an absolute path");
        } else if (k == "SystemdCgroup") {
            st = read_bool(path, label, k, node, out.systemd_cgroup);
        } else if (k == "NoPivotRoot") {
            st = read_bool(path, label, k, node, out.no_pivot_root);
        } else if (k == "NoNewKeyring") {
            st = read_bool(path, label, k, node, out.no_new_keyring);
        } else if (!is_ignored_containerd_key(k)) {
            return make_error("side file " + where(path, node.source()) + ": unknown key " + t +
                              std::string(k) +
                              " (known: BinaryName, SystemdCgroup, Root, NoPivotRoot, "
                              "NoNewKeyring, and containerd's other runc options)");
        }
        if (!st) return st.error();
    }
    return ok_status();
}

Status read_own_settings(std::string_view path, const toml::table& table, SideConfig& out) {
    for (const auto& [key, node] : table) {
        std::string_view k = key.str();
        Status st = ok_status();
        if (k == "ChownStdio") {
            st = read_bool(path, "runcwrap", k, node, out.chown_stdio);
        } else if (k == "LogFile") {
            st = read_string(path, "runcwrap", k, node, out.log_file);
            if (st && !absolute_or_empty(out.log_file))
                return make_error("side file " + where(path, node.source()) +
                                  ": [runcwrap] LogFile must be an absolute path");
        } else {
            return make_error("side file " + where(path, node.source()) +
                              ": unknown key [runcwrap] " + std::string(k) +
                              " (known: ChownStdio, LogFile)");
        }
        if (!st) return st.error();
    }
    return ok_status();
}

// [handlers.NAME] tables, one per routed handler; each names its BinaryName (a handler table
// without one says nothing about which runtime the handler meant).
Status read_handlers(std::string_view path, const toml::table& handlers,
                     std::vector<HandlerRecord>& out) {
    for (const auto& [key, node] : handlers) {
        const std::string_view name = key.str();
        const std::string label = handler_table_name(name);
        if (!is_valid_handler_name(name))
            return make_error("side file " + where(path, node.source()) + ": [" + label + "]: \"" +
                              std::string(name) +
                              "\" is not a CRI handler name runcwrap routes ([A-Za-z0-9] then up "
                              "to 62 of [A-Za-z0-9._-]); fix: rerun runcwrap route");
        const toml::table* table = node.as_table();
        if (!table)
            return make_error("side file " + where(path, node.source()) + ": " + label +
                              " must be a table");
        HandlerRecord record;
        record.name = std::string(name);
        if (Status st = read_options(path, label, *table, record.options); !st) return st.error();
        if (record.options.binary_name.empty())
            return make_error("side file " + where(path, node.source()) + ": [" + label +
                              "] has no BinaryName, so it does not say which runtime handler " +
                              std::string(name) + " runs; fix: runcwrap route --handler " +
                              std::string(name) +
                              " (it records the handler's runtime), or add BinaryName = "
                              "\"/path/to/runtime\" there");
        out.push_back(std::move(record));
    }
    return ok_status();
}

void sort_by_name(std::vector<HandlerRecord>& handlers) {
    std::sort(handlers.begin(), handlers.end(),
              [](const HandlerRecord& a, const HandlerRecord& b) { return a.name < b.name; });
}

}  // namespace

const HandlerRecord* SideConfig::handler(std::string_view name) const {
    for (const auto& h : handlers)
        if (h.name == name) return &h;
    return nullptr;
}

std::string handler_table_name(std::string_view name) {
    bool bare = !name.empty();
    for (char c : name)
        bare = bare && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-');
    return "handlers." + (bare ? std::string(name) : "\"" + std::string(name) + "\"");
}

bool is_ignored_containerd_key(std::string_view key) {
    return std::find(std::begin(kIgnoredContainerdKeys), std::end(kIgnoredContainerdKeys), key) !=
           std::end(kIgnoredContainerdKeys);
}

namespace {

enum class Rules { WholeFile, SettingsOnly };

Result<SideConfig> parse(std::string_view text, std::string_view path, Rules rules) {
    if (auto at = toml_unsafe_byte(text)) {
        const std::string_view before = text.substr(0, *at);
        const auto line = 1 + std::count(before.begin(), before.end(), '\n');
        return make_error("side file " + std::string(path) + ":" + std::to_string(line) +
                          ": a non-ASCII character outside a string or a comment, or next to a "
                          "backslash, which runcwrap cannot read safely; fix: remove it or put it "
                          "in a string");
    }
    toml::parse_result parsed = toml::parse(text, path);
    if (!parsed) {
        const auto& err = parsed.error();
        return make_error(
            "side file " + std::string(path) + ":" + std::to_string(err.source().begin.line) +
            ": not valid TOML: " + std::string(err.description()) + "; fix: correct that line");
    }
    SideConfig config;
    config.path = std::string(path);
    if (rules == Rules::WholeFile && parsed.table().empty())
        return make_error("side file " + std::string(path) +
                          " holds no [options] or [runcwrap] table (it is empty or only "
                          "comments, as a file is while a writer that truncates it and then "
                          "writes is mid-way); fix: write it atomically (a temp file in the "
                          "same folder, then rename) with [options] BinaryName = "
                          "\"/path/to/runtime\", or remove it to have no side file");
    for (const auto& [key, node] : parsed.table()) {
        std::string_view k = key.str();
        if (k != "options" && k != "runcwrap" && k != "handlers")
            return make_error("side file " + where(path, node.source()) + ": unknown key " +
                              std::string(k) +
                              " (known tables: [options], [runcwrap], [handlers.NAME])");
        const toml::table* table = node.as_table();
        if (!table)
            return make_error("side file " + where(path, node.source()) + ": " + std::string(k) +
                              " must be a table");
        if (k == "handlers") {
            if (Status st = read_handlers(path, *table, config.handlers); !st) return st.error();
            continue;
        }
        Status st = k == "options" ? read_options(path, "options", *table, config.options)
                                   : read_own_settings(path, *table, config);
        if (!st) return st.error();
        if (k == "options") {
            config.has_options = true;
            if (rules == Rules::WholeFile && config.options.binary_name.empty())
                return make_error(
                    "side file " + where(path, node.source()) +
                    ": [options] has no BinaryName, so it does not say which runtime runs (a "
                    "file cut short by a writer that rewrites it in place looks like this "
                    "too); fix: add BinaryName = \"/path/to/runtime\", or BinaryName = \"runc\" "
                    "for the next runc in PATH after runcwrap, and write the file atomically "
                    "(a temp file in the same folder, then rename)");
        }
    }
    sort_by_name(config.handlers);
    return config;
}

}  // namespace

Result<SideConfig> parse_side_config(std::string_view text, std::string_view path) {
    return parse(text, path, Rules::WholeFile);
}

Result<SideConfig> parse_side_config_settings(std::string_view text, std::string_view path) {
    return parse(text, path, Rules::SettingsOnly);
}

}  // namespace runcwrap
