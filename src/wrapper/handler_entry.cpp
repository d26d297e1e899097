#include "wrapper/handler_entry.hpp"

namespace runcwrap {
namespace {

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_name_char(char c) { return is_name_start(c) || c == '.' || c == '_' || c == '-'; }

constexpr std::size_t kMaxHandlerName = 63;

}  // namespace

bool is_valid_handler_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxHandlerName || !is_name_start(name[0])) return false;
    for (char c : name)
        if (!is_name_char(c)) return false;
    return true;
}

std::optional<std::string_view> handler_of_entry(std::string_view path) {
    if (path.empty() || path[0] != '/') return std::nullopt;
    // ".../runcwrap/handlers/NAME/runc": the file, then NAME, then the folder's suffix.
    constexpr std::string_view file_part = "/runc";
    if (path.size() <= file_part.size() || path.substr(path.size() - file_part.size()) != file_part)
        return std::nullopt;
    std::string_view rest = path.substr(0, path.size() - file_part.size());
    const std::size_t slash = rest.rfind('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const std::string_view name = rest.substr(slash + 1);
    if (!is_valid_handler_name(name)) return std::nullopt;
    // The suffix begins with '/', so the path before it (possibly empty: "/runcwrap/...") is
    // whatever the operator chose as ENTRY_DIR's parent.
    rest = rest.substr(0, slash + 1);
    if (rest.size() < kHandlerEntryDirSuffix.size() ||
        rest.substr(rest.size() - kHandlerEntryDirSuffix.size()) != kHandlerEntryDirSuffix)
        return std::nullopt;
    return name;
}

}  // namespace runcwrap
