// `runcwrap route`'s edits of containerd's config.toml, as text: set (or take back) the
// BinaryName key of one CRI runtime handler's options table and keep every other byte, the way
// `nvidia-ctk runtime configure` does: comments, order, quoting, indentation and line endings
// stay. It edits [table] sections only; a handler defined by an inline table or dotted keys is
// refused (file and line), never rewritten. Every edit is checked by parsing the result with
// toml++: the parsed tree must differ from the original's in exactly the edited keys. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace runcwrap {

// The keys of a standard table header line ("[a."b.c".'d']  # note"): {"a", "b.c", "d"};
// nullopt for any other line (a key/value, a comment, an array-of-tables header "[[x]]").
std::optional<std::vector<std::string>> parse_table_header(std::string_view line);

struct BinaryNameEdit {
    std::string plugin;   // the CRI plugin section: "io.containerd.grpc.v1.cri", ...
    std::string handler;  // the runtime handler's name
    // The new value; nullopt = remove the key (undoing a route that added it).
    std::optional<std::string> value;
    // With value = nullopt: remove the options table too when nothing else is left in it
    // (undoing a route that added the table).
    bool drop_empty_options_table = false;
};

struct EditedConfig {
    std::string text;
    // Per edit, in order: true when the handler had no options table and one was added.
    std::vector<bool> options_table_added;
};

// Applies the edits to `text` (the file `file`, named in messages), then verifies the result
// with toml++ as described above. An error names the file and line and the fix.
Result<EditedConfig> edit_binary_names(std::string_view text, std::string_view file,
                                       const std::vector<BinaryNameEdit>& edits);

// The handler's BinaryName as the file's own tables say: nullopt when the file sets none.
// An error when the file is not valid TOML.
Result<std::optional<std::string>> binary_name_in_file(std::string_view text, std::string_view file,
                                                       std::string_view plugin,
                                                       std::string_view handler);

}  // namespace runcwrap
