#include "cli/containerd_config_edit.hpp"

#include <algorithm>
#include <cstdio>

#include "common/toml.hpp"

namespace runcwrap {
namespace {

// One line of the text: [begin, content_end) is its content without "\n" (and without a "\r"
// before it); [begin, end) includes the line ending, when there is one.
struct Line {
    std::size_t begin = 0;
    std::size_t content_end = 0;
    std::size_t end = 0;
};

std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        std::size_t content_end = nl == std::string_view::npos ? text.size() : nl;
        if (content_end > pos && text[content_end - 1] == '\r') --content_end;
        lines.push_back({pos, content_end, end});
        pos = end;
    }
    return lines;
}

std::string_view content_of(std::string_view text, const Line& line) {
    return text.substr(line.begin, line.content_end - line.begin);
}

// The file's own line ending: a CRLF file gets CRLF lines.
std::string_view line_ending_of(std::string_view text) {
    const std::size_t nl = text.find('\n');
    return nl != std::string_view::npos && nl > 0 && text[nl - 1] == '\r' ? "\r\n" : "\n";
}

void skip_blanks(std::string_view s, std::size_t& i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

bool is_bare_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

// One key at s[i] (bare, "basic" with the usual escapes, or 'literal'); advances i past it.
std::optional<std::string> parse_simple_key(std::string_view s, std::size_t& i) {
    if (i >= s.size()) return std::nullopt;
    if (s[i] == '\'') {
        const std::size_t close = s.find('\'', i + 1);
        if (close == std::string_view::npos) return std::nullopt;
        std::string key(s.substr(i + 1, close - i - 1));
        i = close + 1;
        return key;
    }
    if (s[i] == '"') {
        std::string key;
        for (++i; i < s.size();) {
            const char c = s[i++];
            if (c == '"') return key;
            if (c != '\\') {
                key += c;
                continue;
            }
            if (i >= s.size()) return std::nullopt;
            switch (s[i++]) {
                case '"': key += '"'; break;
                case '\\': key += '\\'; break;
                case 'n': key += '\n'; break;
                case 't': key += '\t'; break;
                case 'r': key += '\r'; break;
                case 'b': key += '\b'; break;
                case 'f': key += '\f'; break;
                default: return std::nullopt;  // \u escapes: never in a handler's keys
            }
        }
        return std::nullopt;
    }
    const std::size_t start = i;
    while (i < s.size() && is_bare_key_char(s[i])) ++i;
    if (i == start) return std::nullopt;
    return std::string(s.substr(start, i - start));
}

// A dotted key ("a . 'b'.c"), blanks around the dots allowed.
std::optional<std::vector<std::string>> parse_key_path(std::string_view s, std::size_t& i) {
    std::vector<std::string> keys;
    for (;;) {
        skip_blanks(s, i);
        auto key = parse_simple_key(s, i);
        if (!key) return std::nullopt;
        keys.push_back(std::move(*key));
        skip_blanks(s, i);
        if (i < s.size() && s[i] == '.') {
            ++i;
            continue;
        }
        return keys;
    }
}

struct Header {
    std::vector<std::string> keys;
    std::size_t close = 0;  // the index of its closing ']'
};

std::optional<Header> parse_header(std::string_view line) {
    std::size_t i = 0;
    skip_blanks(line, i);
    if (i >= line.size() || line[i] != '[') return std::nullopt;
    if (i + 1 < line.size() && line[i + 1] == '[') return std::nullopt;
    ++i;
    auto keys = parse_key_path(line, i);
    if (!keys || i >= line.size() || line[i] != ']') return std::nullopt;
    Header header{std::move(*keys), i};
    ++i;
    skip_blanks(line, i);
    if (i < line.size() && line[i] != '#') return std::nullopt;
    return header;
}

// Where a table's body ends: at the next line that opens any table (or array of tables).
bool opens_a_table(std::string_view line) {
    std::size_t i = 0;
    skip_blanks(line, i);
    return i < line.size() && line[i] == '[';
}

enum class ValueKind { basic_string, literal_string, other };

struct KeyValue {
    std::vector<std::string> keys;
    std::size_t value_begin = 0;
    std::size_t value_end = 0;
    ValueKind kind = ValueKind::other;
};

std::optional<KeyValue> parse_key_value(std::string_view line) {
    std::size_t i = 0;
    skip_blanks(line, i);
    if (i >= line.size() || line[i] == '#' || line[i] == '[') return std::nullopt;
    auto keys = parse_key_path(line, i);
    if (!keys || i >= line.size() || line[i] != '=') return std::nullopt;
    ++i;
    skip_blanks(line, i);
    KeyValue kv{std::move(*keys), i, line.size(), ValueKind::other};
    const std::string_view rest = line.substr(i);
    if (rest.substr(0, 3) == "\"\"\"" || rest.substr(0, 3) == "'''") return kv;
    if (!rest.empty() && rest[0] == '\'') {
        const std::size_t close = rest.find('\'', 1);
        if (close != std::string_view::npos) {
            kv.value_end = i + close + 1;
            kv.kind = ValueKind::literal_string;
        }
        return kv;
    }
    if (!rest.empty() && rest[0] == '"') {
        for (std::size_t j = 1; j < rest.size(); ++j) {
            if (rest[j] == '\\') {
                ++j;
            } else if (rest[j] == '"') {
                kv.value_end = i + j + 1;
                kv.kind = ValueKind::basic_string;
                break;
            }
        }
    }
    return kv;
}

std::string_view indentation_of(std::string_view line) {
    std::size_t i = 0;
    skip_blanks(line, i);
    return line.substr(0, i);
}

bool is_blank(std::string_view line) { return indentation_of(line).size() == line.size(); }

std::string basic_string(std::string_view value) {
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// A replaced value keeps the file's quoting when it can ('…' cannot hold ' or control bytes).
std::string string_value(std::string_view value, ValueKind was) {
    const bool literal_fits = std::none_of(value.begin(), value.end(), [](char c) {
        return c == '\'' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (was == ValueKind::literal_string && literal_fits) return "'" + std::string(value) + "'";
    return basic_string(value);
}

struct TableSpan {
    std::size_t header = 0;    // the header's line index
    std::size_t body_end = 0;  // one past the body's last line
};

std::optional<TableSpan> find_table(std::string_view text, const std::vector<Line>& lines,
                                    const std::vector<std::string>& keys) {
    for (std::size_t l = 0; l < lines.size(); ++l) {
        auto header = parse_header(content_of(text, lines[l]));
        if (!header || header->keys != keys) continue;
        std::size_t end = l + 1;
        while (end < lines.size() && !opens_a_table(content_of(text, lines[end]))) ++end;
        return TableSpan{l, end};
    }
    return std::nullopt;
}

// Inserts `new_lines` (without a final line ending) after line `after`.
void insert_after(std::string& text, const Line& after, const std::string& new_lines,
                  std::string_view eol) {
    if (after.end == after.content_end)  // the last line, with no line ending
        text.insert(after.end, std::string(eol) + new_lines);
    else
        text.insert(after.end, new_lines + std::string(eol));
}

Result<toml::table> parse_toml(std::string_view text, std::string_view file) {
    if (auto at = toml_unsafe_byte(text)) {
        const std::string_view before = text.substr(0, *at);
        return make_error(std::string(file) + ":" +
                          std::to_string(1 + std::count(before.begin(), before.end(), '\n')) +
                          ": a non-ASCII character outside a string or a comment, which runcwrap "
                          "cannot read safely; fix: remove it or put it in a string");
    }
    toml::parse_result parsed = toml::parse(text, std::string(file));
    if (!parsed)
        return make_error(std::string(file) + ":" +
                          std::to_string(parsed.error().source().begin.line) +
                          ": not valid TOML: " + std::string(parsed.error().description()));
    // Moves out of a member reference, which no copy elision would do (cppcheck's finding is a
    // false positive, as in containerd_config.cpp).
    // cppcheck-suppress returnStdMoveLocal
    return std::move(parsed.table());
}

std::vector<std::string> runtime_keys(const BinaryNameEdit& edit) {
    return {"plugins", edit.plugin, "containerd", "runtimes", edit.handler};
}

toml::table* find_runtime(toml::table& root, const BinaryNameEdit& edit) {
    toml::table* at = &root;
    for (const auto& key : runtime_keys(edit)) {
        at = at->get(key) ? at->get(key)->as_table() : nullptr;
        if (!at) return nullptr;
    }
    return at;
}

std::string handler_label(const BinaryNameEdit& edit) {
    return "runtime handler \"" + edit.handler + "\"";
}

// The handler is written in a way only a TOML writer could edit safely: refuse, naming it.
Error not_a_table_error(std::string_view text, std::string_view file, const BinaryNameEdit& edit,
                        std::string_view what) {
    std::string line = "?";
    if (auto parsed = parse_toml(text, file)) {
        if (toml::table* runtime = find_runtime(*parsed, edit)) {
            const toml::node* node = runtime->get("options");
            line = std::to_string((node ? node->source() : runtime->source()).begin.line);
        }
    }
    return make_error(std::string(file) + ":" + line + ": the " + handler_label(edit) + "'s " +
                      std::string(what) +
                      " is written as an inline table or with dotted keys; runcwrap route edits "
                      "only [table] sections; fix: write it as a [plugins.\"" +
                      edit.plugin + "\".containerd.runtimes." + edit.handler +
                      ".options] table, then route again");
}

// One edit on the text; true when it added the options table.
Result<bool> apply_edit(std::string& text, std::string_view file, const BinaryNameEdit& edit) {
    const std::vector<Line> lines = split_lines(text);
    const std::string_view eol = line_ending_of(text);
    std::vector<std::string> options_keys = runtime_keys(edit);
    options_keys.emplace_back("options");
    auto where = [&](std::size_t l) { return std::string(file) + ":" + std::to_string(l + 1); };

    if (auto options = find_table(text, lines, options_keys)) {
        std::optional<std::string_view> key_indent;
        for (std::size_t l = options->header + 1; l < options->body_end; ++l) {
            const std::string_view line = content_of(text, lines[l]);
            auto kv = parse_key_value(line);
            if (!kv) continue;
            if (!key_indent) key_indent = indentation_of(line);
            if (kv->keys.front() != "BinaryName") continue;
            if (kv->keys.size() != 1 || kv->kind == ValueKind::other)
                return make_error(where(l) + ": the " + handler_label(edit) +
                                  "'s BinaryName is not a one-line string; fix: write it as "
                                  "BinaryName = \"/path/to/runtime\", then route again");
            if (!edit.value) {
                text.erase(lines[l].begin, lines[l].end - lines[l].begin);
                if (!edit.drop_empty_options_table) return false;
                const std::vector<Line> now = split_lines(text);
                auto left = find_table(text, now, options_keys);
                bool empty = left.has_value();
                for (std::size_t b = left ? left->header + 1 : 0; empty && b < left->body_end; ++b)
                    empty = is_blank(content_of(text, now[b]));
                if (empty)
                    text.erase(now[left->header].begin,
                               now[left->header].end - now[left->header].begin);
                return false;
            }
            text.replace(lines[l].begin + kv->value_begin, kv->value_end - kv->value_begin,
                         string_value(*edit.value, kv->kind));
            return false;
        }
        if (!edit.value) return false;
        const std::string_view header_line = content_of(text, lines[options->header]);
        std::string indent =
            key_indent ? std::string(*key_indent) : std::string(indentation_of(header_line));
        if (!key_indent && !indent.empty()) indent += "  ";
        insert_after(text, lines[options->header],
                     indent + "BinaryName = " + basic_string(*edit.value), eol);
        return false;
    }
    if (!edit.value) return false;

    auto runtime = find_table(text, lines, runtime_keys(edit));
    if (!runtime) return not_a_table_error(text, file, edit, "table");
    std::size_t last_key_line = runtime->header;
    std::optional<std::string_view> body_indent;
    for (std::size_t l = runtime->header + 1; l < runtime->body_end; ++l) {
        const std::string_view line = content_of(text, lines[l]);
        auto kv = parse_key_value(line);
        if (!kv) continue;
        if (kv->keys.front() == "options") return not_a_table_error(text, file, edit, "options");
        if (!body_indent) body_indent = indentation_of(line);
        last_key_line = l;
    }
    const std::string_view header_line = content_of(text, lines[runtime->header]);
    auto header = parse_header(header_line);
    std::string_view keys_text = header_line.substr(0, header->close);
    while (!keys_text.empty() && (keys_text.back() == ' ' || keys_text.back() == '\t'))
        keys_text.remove_suffix(1);
    keys_text.remove_prefix(indentation_of(keys_text).size());
    const std::string table_indent(body_indent.value_or(indentation_of(header_line)));
    const std::string key_indent = table_indent.empty() ? "" : table_indent + "  ";
    insert_after(text, lines[last_key_line],
                 table_indent + std::string(keys_text) + ".options]" + std::string(eol) +
                     key_indent + "BinaryName = " + basic_string(*edit.value),
                 eol);
    return true;
}

// What the tree must look like after the edits; `drop_empty` also drops options tables that
// the edits left empty (the text keeps one that holds only a comment: either is right).
Status expected_tree(toml::table& tree, std::string_view file,
                     const std::vector<BinaryNameEdit>& edits, bool drop_empty) {
    for (const auto& edit : edits) {
        toml::table* runtime = find_runtime(tree, edit);
        if (!runtime)
            return make_error(std::string(file) + ": no " + handler_label(edit) +
                              " in its [plugins.\"" + edit.plugin + "\"] section");
        if (!runtime->get("options")) runtime->insert("options", toml::table{});
        toml::table* options = runtime->get("options")->as_table();
        if (!options)
            return make_error(std::string(file) + ": the " + handler_label(edit) +
                              "'s options is not a table");
        if (edit.value) {
            options->insert_or_assign("BinaryName", *edit.value);
        } else {
            options->erase("BinaryName");
            if (drop_empty && edit.drop_empty_options_table && options->empty())
                runtime->erase("options");
        }
    }
    return ok_status();
}

}  // namespace

std::optional<std::vector<std::string>> parse_table_header(std::string_view line) {
    auto header = parse_header(line);
    if (!header) return std::nullopt;
    return std::move(header->keys);
}

Result<EditedConfig> edit_binary_names(std::string_view text, std::string_view file,
                                       const std::vector<BinaryNameEdit>& edits) {
    auto before = parse_toml(text, file);
    if (!before) return before.error();
    EditedConfig edited{std::string(text), {}};
    for (const auto& edit : edits) {
        auto added = apply_edit(edited.text, file, edit);
        if (!added) return added.error();
        edited.options_table_added.push_back(*added);
    }
    auto after = parse_toml(edited.text, file);
    if (!after)
        return make_error(
            "runcwrap's edit of " + std::string(file) +
            " would not be valid TOML (nothing was written): " + after.error().message);
    for (const bool drop_empty : {false, true}) {
        toml::table expected = *before;
        if (auto st = expected_tree(expected, file, edits, drop_empty); !st) return st.error();
        if (expected == *after) return edited;
    }
    return make_error("runcwrap's edit of " + std::string(file) +
                      " would change more than the routed handlers' BinaryName (nothing was "
                      "written); fix: route the handlers by hand, or report this file");
}

Result<std::optional<std::string>> binary_name_in_file(std::string_view text, std::string_view file,
                                                       std::string_view plugin,
                                                       std::string_view handler) {
    auto tree = parse_toml(text, file);
    if (!tree) return tree.error();
    BinaryNameEdit where{std::string(plugin), std::string(handler), std::nullopt, false};
    const toml::table* runtime = find_runtime(*tree, where);
    const toml::table* options =
        runtime && runtime->get("options") ? runtime->get("options")->as_table() : nullptr;
    if (!options || !options->get("BinaryName")) return std::optional<std::string>{};
    return options->get("BinaryName")->value<std::string>();
}

}  // namespace runcwrap
