// The side file install writes (/etc/runcwrap/config.toml): its text from --binary-name, from
// containerd's defaults, or from `runcwrap import-containerd-config`, and what to do with the
// file already there (keep an operator's edit, update our own, replace with a backup). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace runcwrap::install {

// Every text below is what install.sh's $(printf ...) made: no final newline (the file gets
// one when written).
std::string side_text_for_binary_name(std::string_view binary_name, bool systemd_cgroup);
std::string side_text_for_containerd_defaults(std::string_view missing_config);
// The import's output as the side file: install's header, and under --prefix the comments
// naming node paths rather than the staging folder.
std::string side_text_from_import(std::string_view import_output, std::string_view prefix);
// The import's "# other runtime handler ..." comments, as notes for the output.
std::vector<std::string> other_handler_notes(std::string_view import_output);

// The names of the side file's [handlers.NAME] tables, in the file's order. `runcwrap route`
// owns them (one per routed handler).
std::vector<std::string> route_table_names(std::string_view text);
// The part of a side file install owns: what the manifest's sidefile checksum covers and what
// the "edited since install" check compares: the file without route's [handlers.NAME] tables
// and route's comment before them (and the blank line route put before that), so that a route
// added after install does not count as an operator's edit. For a file route never touched,
// the whole file (manifests written before route keep matching).
std::string side_file_part_install_owns(std::string_view text);
// The new side file when install rewrites one that is there: `new_text` with the
// [handlers.NAME] tables of `old_text` added the way route adds them, so that a routed
// handler keeps its table (and containerd's config its entry) across a re-install or upgrade.
std::string carry_over_route_tables(std::string_view old_text, std::string new_text);
// The bytes install writes for `text` (a final newline) and the checksum it records for them.
std::string side_file_bytes(std::string_view text);
std::string side_file_checksum(std::string_view file_bytes);

// What is at the side file's path, as far as the decision goes.
struct SideFileState {
    bool regular = false;      // a regular file, not a symlink
    bool present = false;      // anything at the path (regular or not)
    std::string current_sha;   // of the regular file's owned part
    std::string wanted_sha;    // of what install would write
    std::string manifest_sha;  // what install recorded writing ("" = not written by install)
    bool replace_config = false;
};

enum class SideFileAction {
    write_new,            // nothing there
    up_to_date,           // ours, as we would write it
    update_ours,          // ours, unedited: rewrite it
    keep_edited,          // ours, edited since: keep it (--replace-config replaces it)
    keep_foreign,         // not written by install: keep it
    replace_edited,       // ours, edited, --replace-config
    replace_with_backup,  // not ours, --replace-config: back it up, then write
    refuse_not_regular,   // a folder, a symlink...: only --replace-config replaces it
    replace_not_regular,  // that, with --replace-config (backed up when not ours)
};

SideFileAction decide_side_file_action(const SideFileState& s);

}  // namespace runcwrap::install
