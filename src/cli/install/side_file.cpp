#include "cli/install/side_file.hpp"

#include "cli/containerd_config_edit.hpp"
#include "cli/install/process.hpp"
#include "cli/route.hpp"
#include "cli/sha256.hpp"

namespace runcwrap::install {

std::string side_text_for_binary_name(std::string_view binary_name, bool systemd_cgroup) {
    return "# Written by install.sh\n[options]\nBinaryName = \"" + std::string(binary_name) +
           "\"\nSystemdCgroup = " + (systemd_cgroup ? "true" : "false");
}

std::string side_text_for_containerd_defaults(std::string_view missing_config) {
    return "# Written by install.sh: there was no " + std::string(missing_config) +
           ", so containerd's defaults apply:\n"
           "# runc from PATH (containerd runs `runc`: runcwrap, which runs the next runc in\n"
           "# PATH after itself) and the cgroupfs driver.\n"
           "[options]\n"
           "BinaryName = \"runc\"\n"
           "SystemdCgroup = false";
}

std::string side_text_from_import(std::string_view import_output, std::string_view prefix) {
    std::string body;
    const std::string staged_root = std::string(prefix) + "/";
    for (std::string line : lines_of(import_output)) {
        if (!prefix.empty() && !line.empty() && line[0] == '#')
            for (auto at = line.find(staged_root); at != std::string::npos;
                 at = line.find(staged_root, at + 1))
                line.replace(at, staged_root.size(), "/");
        body += line + "\n";
    }
    return "# Written by install.sh from runcwrap import-containerd-config.\n" +
           without_trailing_newlines(std::move(body));
}

std::vector<std::string> other_handler_notes(std::string_view import_output) {
    std::vector<std::string> notes;
    for (const auto& line : lines_of(import_output))
        if (line.rfind("# other runtime handler", 0) == 0) notes.push_back(line.substr(2));
    return notes;
}

std::vector<std::string> route_table_names(std::string_view text) {
    std::vector<std::string> names;
    for (const auto& line : lines_of(text)) {
        auto keys = parse_table_header(line);
        if (keys && keys->size() == 2 && (*keys)[0] == "handlers") names.push_back((*keys)[1]);
    }
    return names;
}

std::string side_file_part_install_owns(std::string_view text) {
    return side_file_without_tables(text, route_table_names(text));
}

std::string carry_over_route_tables(std::string_view old_text, std::string new_text) {
    std::vector<std::pair<std::string, std::string>> tables;
    for (auto& name : route_table_names(old_text)) {
        std::string table = handler_table_in(old_text, name);
        if (table.empty()) continue;
        if (table.back() != '\n') table += '\n';
        tables.emplace_back(std::move(name), std::move(table));
    }
    if (tables.empty()) return new_text;
    return side_file_with_tables(new_text, tables);
}

std::string side_file_bytes(std::string_view text) { return std::string(text) + "\n"; }

std::string side_file_checksum(std::string_view file_bytes) {
    return sha256_hex(side_file_part_install_owns(file_bytes));
}

SideFileAction decide_side_file_action(const SideFileState& s) {
    const bool ours = !s.manifest_sha.empty();
    if (s.regular) {
        if (s.current_sha == s.wanted_sha && ours) return SideFileAction::up_to_date;
        if (ours && s.current_sha == s.manifest_sha) return SideFileAction::update_ours;
        if (!s.replace_config)
            return ours ? SideFileAction::keep_edited : SideFileAction::keep_foreign;
        return ours ? SideFileAction::replace_edited : SideFileAction::replace_with_backup;
    }
    if (s.present) {
        return s.replace_config ? SideFileAction::replace_not_regular
                                : SideFileAction::refuse_not_regular;
    }
    return SideFileAction::write_new;
}

}  // namespace runcwrap::install
