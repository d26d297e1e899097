#include <optional>
#include <string>
#include <string_view>

#include "common/toml.hpp"

namespace runcwrap {

// The offset of the first byte >= 0x80 that toml++ 3.3.0 cannot be given safely, if any: one
// outside a string or a comment (a bare "é" after a key, a value or a table header), right
// after a backslash in a string ("\é"), or first after a line-ending backslash in a multi-line
// string. There toml++ asks whether the character is whitespace, and for U+00A1-U+0499,
// U+2CDE-U+30D7 and U+FC56-U+FEFE that reaches __builtin_unreachable(): undefined behaviour in
// the release build, not a parse error. So such input is refused before toml++ sees it. Only
// the last case is valid TOML (and absurd in a side file). Found by fuzz/side_config; the
// inputs are in fuzz/regressions/side_config/.
// Strings and comments are skipped as valid TOML has them: a quote opens a string only where a
// key or a value may start (after a line break, '=', '[', ',', '{' or '.'), never inside a bare
// value (a number, bool or date, which toml++ scans up to whitespace, ',', ']', '}' or '#'); a
// quote elsewhere is invalid TOML already, and what follows it is checked as code.
std::optional<std::size_t> toml_unsafe_byte(std::string_view text) {
    enum class In { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral };
    In in = In::Code;
    auto starts = [&](std::size_t i, std::string_view what) {
        return text.substr(i, what.size()) == what;
    };
    // A multi-line string's closing delimiter may follow one or two quotes of its content
    // ("a""""" ends with a"" then """): the index of the last quote that closes it.
    auto closing_end = [&](std::size_t i, char quote) {
        std::size_t n = 0;
        while (i + n < text.size() && text[i + n] == quote && n < 5) ++n;
        return i + n - 1;
    };
    auto is_blank = [&](std::size_t j) { return text[j] == ' ' || text[j] == '\t'; };
    auto is_space = [&](std::size_t j) {
        return is_blank(j) || text[j] == '\r' || text[j] == '\n';
    };
    auto high = [&](std::size_t j) { return static_cast<unsigned char>(text[j]) >= 0x80; };
    char before = '\n';       // the last character of code before `i`, blanks skipped
    std::string nest;         // the arrays ('[') and inline tables ('{') open at `i`
    bool bare_value = false;  // inside a number, bool or date: quotes there open no string
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        switch (in) {
            case In::Code: {
                if (high(i)) return i;
                if (bare_value) {
                    if (std::string_view(" \t\r\n,]}#").find(c) == std::string_view::npos) {
                        before = 'x';
                        break;
                    }
                    bare_value = false;
                }
                const bool in_array = !nest.empty() && nest.back() == '[';
                const bool value_position =
                    before == '=' ||
                    (in_array && (before == '[' || before == ',' || before == '\n'));
                const bool key_position =
                    std::string_view("\n[.{,").find(before) != std::string_view::npos;
                if (!is_blank(i) && c != '\r') before = c;
                if (c == '#') {
                    in = In::Comment;
                } else if ((c == '"' || c == '\'') && !value_position && !key_position) {
                    // A stray quote (invalid TOML; toml++ stops there): what follows stays code.
                } else if (starts(i, "\"\"\"")) {
                    in = In::MultiBasic;
                    i += 2;
                } else if (starts(i, "'''")) {
                    in = In::MultiLiteral;
                    i += 2;
                } else if (c == '"') {
                    in = In::Basic;
                } else if (c == '\'') {
                    in = In::Literal;
                } else if ((c == '[' || c == '{') && value_position) {
                    nest += c;
                } else if ((c == ']' || c == '}') && !nest.empty()) {
                    nest.pop_back();
                } else if (value_position && !is_space(i)) {
                    bare_value = true;
                    before = 'x';
                }
                break;
            }
            case In::Comment:
                if (c == '\n') {
                    in = In::Code;
                    before = '\n';
                }
                break;
            case In::Basic:
                if (c == '\\') {
                    // "\é" is no escape; toml++ would ask whether "é" is whitespace.
                    if (i + 1 < text.size() && high(i + 1)) return i + 1;
                    ++i;
                } else if (c == '"' || c == '\n') {
                    in = In::Code;
                    if (c == '\n') before = '\n';
                }
                break;
            case In::Literal:
                if (c == '\'' || c == '\n') {
                    in = In::Code;
                    if (c == '\n') before = '\n';
                }
                break;
            case In::MultiBasic:
                if (c == '\\') {
                    // toml++ asks of each character after a backslash whether it is
                    // whitespace, and goes on while it is (a line-ending backslash skips blanks,
                    // the line break and the next line's indentation).
                    std::size_t j = i + 1;
                    while (j < text.size() && is_blank(j)) ++j;
                    if (j < text.size() && high(j)) return j;
                    if (j < text.size() && j > i + 1 && text[j] != '\n' && text[j] != '\r')
                        break;  // "\ x": invalid escape, toml++ stops there
                    if (j < text.size() && (text[j] == '\n' || text[j] == '\r')) {
                        while (j < text.size() && is_space(j)) ++j;
                        if (j < text.size() && high(j)) return j;
                        i = j - 1;
                        break;
                    }
                    ++i;
                } else if (starts(i, "\"\"\"")) {
                    in = In::Code;
                    i = closing_end(i, '"');
                }
                break;
            case In::MultiLiteral:
                if (starts(i, "'''")) {
                    in = In::Code;
                    i = closing_end(i, '\'');
                }
                break;
        }
    }
    return std::nullopt;
}

}  // namespace runcwrap
