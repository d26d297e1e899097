#include "wrapper/idmap.hpp"

#include <charconv>
#include <string_view>

namespace runcwrap {

std::optional<std::uint32_t> map_to_host(const IdMappings& ranges, std::uint32_t id) {
    constexpr std::uint64_t kInvalidId = 0xFFFFFFFFull;  // (uid_t)-1 is never a valid id
    if (id == kInvalidId) return std::nullopt;
    for (const auto& range : ranges) {
        const std::uint64_t first = range.container_id;
        const std::uint64_t end = first + range.size;  // 64-bit: cannot overflow
        if (id < first || id >= end) continue;
        const std::uint64_t host = std::uint64_t{range.host_id} + (id - first);
        if (host >= kInvalidId) return std::nullopt;
        return static_cast<std::uint32_t>(host);
    }
    return std::nullopt;
}

std::optional<IdMappings> parse_proc_id_map(std::string_view text) {
    IdMappings ranges;
    while (!text.empty()) {
        auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        std::uint32_t fields[3];
        int count = 0;
        const char* p = line.data();
        const char* end = line.data() + line.size();
        while (count < 3) {
            while (p < end && *p == ' ') ++p;
            if (p == end) break;
            auto [next, ec] = std::from_chars(p, end, fields[count]);
            if (ec != std::errc{}) return std::nullopt;
            p = next;
            ++count;
        }
        while (p < end && *p == ' ') ++p;
        if (count == 0 && p == end) continue;  // blank line
        if (count != 3 || p != end) return std::nullopt;
        ranges.push_back(IdRange{fields[0], fields[1], fields[2]});
    }
    return ranges;
}

std::string describe(const IdMappings& ranges) {
    if (ranges.empty()) return "none";
    std::string out;
    for (const auto& r : ranges) {
        if (!out.empty()) out += ", ";
        out += std::to_string(r.container_id) + "->" + std::to_string(r.host_id) + " (" +
               std::to_string(r.size) + ")";
    }
    return out;
}

}  // namespace runcwrap
