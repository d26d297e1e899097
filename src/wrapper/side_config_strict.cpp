#include "wrapper/side_config_strict.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "wrapper/handler_entry.hpp"

namespace runcwrap {
namespace {

enum class Table { None, Options, Runcwrap, Handler };

struct Value {
    enum class Kind { String, Bool, Integer } kind = Kind::String;
    std::string_view text;  // a string's content
    bool boolean = false;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_bare_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}
// Printable ASCII or tab: anything else (control bytes, DEL, non-ASCII) is left to toml++.
bool is_plain(char c) { return c == '\t' || (c >= 0x20 && c < 0x7f); }

// Reads one line of the subset from `line` (no line break in it). Returns false to defer.
class LineReader {
  public:
    explicit LineReader(std::string_view line) : s_(line) {}

    void skip_blanks() {
        while (i_ < s_.size() && is_blank(s_[i_])) ++i_;
    }
    bool at_end() const { return i_ == s_.size(); }
    bool ends_here() const { return at_end() || is_blank(s_[i_]); }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void advance() { ++i_; }

    // The rest of the line: blanks, then nothing or a comment of plain characters.
    bool rest_is_empty_or_comment() {
        skip_blanks();
        if (at_end()) return true;
        if (s_[i_] != '#') return false;
        for (++i_; i_ < s_.size(); ++i_)
            if (!is_plain(s_[i_])) return false;
        return true;
    }

    std::string_view bare_key() {
        const std::size_t start = i_;
        while (i_ < s_.size() && is_bare_key_char(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }

    // A table name's key: bare, "basic" without backslashes, or 'literal'. Empty: defer.
    std::string_view table_key() {
        const char c = peek();
        if (c != '"' && c != '\'') return bare_key();
        const std::size_t start = ++i_;
        while (i_ < s_.size() && s_[i_] != c) {
            if (!is_plain(s_[i_]) || s_[i_] == '\\') return {};
            ++i_;
        }
        if (at_end()) return {};
        const std::string_view key = s_.substr(start, i_ - start);
        ++i_;
        return key;
    }

    bool value(Value& out) {
        if (at_end()) return false;
        const char c = s_[i_];
        if (c == '"' || c == '\'') {
            if (s_.substr(i_, 3) == std::string_view(c == '"' ? "\"\"\"" : "'''")) return false;
            const std::size_t start = ++i_;
            while (i_ < s_.size() && s_[i_] != c) {
                if (!is_plain(s_[i_]) || s_[i_] == '\\') return false;
                ++i_;
            }
            if (at_end()) return false;
            out.kind = Value::Kind::String;
            out.text = s_.substr(start, i_ - start);
            ++i_;
            return true;
        }
        const std::size_t start = i_;
        while (i_ < s_.size() && !is_blank(s_[i_]) && s_[i_] != '#') ++i_;
        const std::string_view word = s_.substr(start, i_ - start);
        if (word == "true" || word == "false") {
            out.kind = Value::Kind::Bool;
            out.boolean = word == "true";
            return true;
        }
        // A decimal integer toml++ reads as int64: no sign, no leading zero, no underscore.
        if (word.empty() || word.size() > 18 || (word[0] == '0' && word.size() > 1)) return false;
        for (char d : word)
            if (d < '0' || d > '9') return false;
        out.kind = Value::Kind::Integer;
        return true;
    }

  private:
    std::string_view s_;
    std::size_t i_ = 0;
};

// One bit per key, to refuse (defer) a key given twice.
enum KeyBit : std::uint32_t {
    kBinaryName = 1u << 0,
    kRoot = 1u << 1,
    kSystemdCgroup = 1u << 2,
    kNoPivotRoot = 1u << 3,
    kNoNewKeyring = 1u << 4,
    kChownStdio = 1u << 5,
    kLogFile = 1u << 6,
    kIgnoredFirst = 1u << 7,  // then one bit per ignored containerd key
};

// Applies `key = value` to `out` as side_config.cpp does; false to defer (unknown key, twice,
// wrong type, or a value the rules refuse: toml++ then words the error).
bool apply_option(std::string_view key, const Value& v, std::uint32_t& seen, RuntimeOptions& out);

bool apply(Table table, std::string_view key, const Value& v, std::uint32_t& seen,
           SideConfig& out) {
    if (table == Table::Options) return apply_option(key, v, seen, out.options);
    if (table == Table::Handler) return apply_option(key, v, seen, out.handlers.back().options);
    auto once = [&](std::uint32_t bit) {
        if (seen & bit) return false;
        seen |= bit;
        return true;
    };
    const bool is_string = v.kind == Value::Kind::String;
    const bool is_bool = v.kind == Value::Kind::Bool;
    if (table == Table::Runcwrap) {
        if (key == "ChownStdio") {
            if (!once(kChownStdio) || !is_bool) return false;
            out.chown_stdio = v.boolean;
        } else if (key == "LogFile") {
            if (!once(kLogFile) || !is_string || !absolute_or_empty(v.text)) return false;
            out.log_file = std::string(v.text);
        } else {
            return false;
        }
        return true;
    }
    return false;  // a key before any table header
}

// [options] and [handlers.NAME] keys alike.
bool apply_option(std::string_view key, const Value& v, std::uint32_t& seen, RuntimeOptions& out) {
    auto once = [&](std::uint32_t bit) {
        if (seen & bit) return false;
        seen |= bit;
        return true;
    };
    const bool is_string = v.kind == Value::Kind::String;
    const bool is_bool = v.kind == Value::Kind::Bool;
    if (key == "BinaryName") {
        if (!once(kBinaryName) || !is_string || !acceptable_binary_name(v.text)) return false;
        out.binary_name = std::string(v.text);
    } else if (key == "Root") {
        if (!once(kRoot) || !is_string || !absolute_or_empty(v.text)) return false;
        out.root = std::string(v.text);
    } else if (key == "SystemdCgroup") {
        if (!once(kSystemdCgroup) || !is_bool) return false;
        out.systemd_cgroup = v.boolean;
    } else if (key == "NoPivotRoot") {
        if (!once(kNoPivotRoot) || !is_bool) return false;
        out.no_pivot_root = v.boolean;
    } else if (key == "NoNewKeyring") {
        if (!once(kNoNewKeyring) || !is_bool) return false;
        out.no_new_keyring = v.boolean;
    } else {
        std::uint32_t bit = kIgnoredFirst;
        for (std::string_view ignored : kIgnoredContainerdKeys) {
            if (key == ignored) return once(bit);
            bit <<= 1;
        }
        return false;
    }
    return true;
}

}  // namespace

std::optional<SideConfig> parse_side_config_strict(std::string_view text, std::string_view path) {
    SideConfig config;
    Table table = Table::None;
    bool seen_options = false, seen_runcwrap = false;
    std::uint32_t seen_options_keys = 0, seen_runcwrap_keys = 0;
    std::vector<std::uint32_t> seen_handler_keys;  // one per config.handlers entry
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') {
            if (nl == std::string_view::npos) return std::nullopt;  // a CR that ends no line
            line.remove_suffix(1);
        }
        LineReader r(line);
        r.skip_blanks();
        if (r.peek() == '[') {
            r.advance();
            if (r.peek() == '[') return std::nullopt;  // an array of tables
            r.skip_blanks();
            const std::string_view name = r.bare_key();
            r.skip_blanks();
            // [handlers.NAME]: NAME bare or quoted, blanks allowed around the dot as in TOML.
            std::optional<std::string_view> handler;
            if (name == "handlers" && r.peek() == '.') {
                r.advance();
                r.skip_blanks();
                handler = r.table_key();
                if (!is_valid_handler_name(*handler)) return std::nullopt;
                r.skip_blanks();
            }
            if (r.peek() != ']') return std::nullopt;
            r.advance();
            if (!r.ends_here() || !r.rest_is_empty_or_comment()) return std::nullopt;
            if (handler) {
                for (const auto& h : config.handlers)
                    if (h.name == *handler) return std::nullopt;  // toml++ words "twice"
                table = Table::Handler;
                config.handlers.push_back({std::string(*handler), {}});
                seen_handler_keys.push_back(0);
            } else if (name == "options" && !seen_options) {
                table = Table::Options;
                seen_options = true;
            } else if (name == "runcwrap" && !seen_runcwrap) {
                table = Table::Runcwrap;
                seen_runcwrap = true;
            } else {
                return std::nullopt;
            }
            continue;
        }
        if (r.at_end() || r.peek() == '#') {
            if (!r.rest_is_empty_or_comment()) return std::nullopt;
            continue;
        }
        const std::string_view key = r.bare_key();
        if (key.empty()) return std::nullopt;
        r.skip_blanks();
        if (r.peek() != '=') return std::nullopt;
        r.advance();
        r.skip_blanks();
        Value v;
        // A value (and a header) ends at a blank or the line's end: "true#x" is left to toml++.
        if (!r.value(v) || !r.ends_here() || !r.rest_is_empty_or_comment()) return std::nullopt;
        std::uint32_t& seen = table == Table::Runcwrap  ? seen_runcwrap_keys
                              : table == Table::Handler ? seen_handler_keys.back()
                                                        : seen_options_keys;
        if (!apply(table, key, v, seen, config)) return std::nullopt;
    }
    // The two rules of side_config.hpp: some table, and [options] names BinaryName; and every
    // [handlers.NAME] names its BinaryName.
    if (!seen_options && !seen_runcwrap && config.handlers.empty()) return std::nullopt;
    if (seen_options && !(seen_options_keys & kBinaryName)) return std::nullopt;
    for (std::uint32_t seen : seen_handler_keys)
        if (!(seen & kBinaryName)) return std::nullopt;
    std::sort(config.handlers.begin(), config.handlers.end(),
              [](const HandlerRecord& a, const HandlerRecord& b) { return a.name < b.name; });
    config.path = std::string(path);
    config.has_options = seen_options;
    return config;
}

Result<SideConfig> parse_side_config_fast(std::string_view text, std::string_view path) {
    if (auto config = parse_side_config_strict(text, path)) return std::move(*config);
    return parse_side_config(text, path);
}

}  // namespace runcwrap
