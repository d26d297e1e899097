#include "wrapper/recursion_guard.hpp"

#include <algorithm>
#include <charconv>

namespace runcwrap {

bool CallChain::contains(const FileIdentity& id) const {
    return std::find(runtimes.begin(), runtimes.end(), id) != runtimes.end();
}

CallChain CallChain::with(const FileIdentity& next) const {
    CallChain out = *this;
    out.depth += 1;
    out.runtimes.push_back(next);
    return out;
}

namespace {
bool parse_hex(std::string_view text, std::uint64_t& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, 16);
    return ec == std::errc{} && end == text.data() + text.size() && !text.empty();
}
}  // namespace

std::optional<CallChain> parse_call_chain(std::string_view value) {
    CallChain chain;
    auto colon = value.find(':');
    std::string_view depth = value.substr(0, colon);
    auto [end, ec] = std::from_chars(depth.data(), depth.data() + depth.size(), chain.depth);
    if (ec != std::errc{} || end != depth.data() + depth.size() || depth.empty() ||
        chain.depth < 0 || chain.depth > 1000)
        return std::nullopt;
    if (colon == std::string_view::npos) return chain;
    // After ':' at least one item, and no empty item ("1:", "1:a.b,"): format_call_chain never
    // writes those, so they were not written by runcwrap.
    std::string_view list = value.substr(colon + 1);
    for (;;) {
        auto comma = list.find(',');
        std::string_view item = list.substr(0, comma);
        auto dot = item.find('.');
        FileIdentity id;
        if (dot == std::string_view::npos || !parse_hex(item.substr(0, dot), id.dev) ||
            !parse_hex(item.substr(dot + 1), id.ino))
            return std::nullopt;
        chain.runtimes.push_back(id);
        if (comma == std::string_view::npos) return chain;
        list = list.substr(comma + 1);
    }
}

std::string format_call_chain(const CallChain& chain) {
    std::string out = std::to_string(chain.depth);
    char buf[40];
    for (std::size_t i = 0; i < chain.runtimes.size(); ++i) {
        out += i == 0 ? ':' : ',';
        auto r = std::to_chars(buf, buf + sizeof buf, chain.runtimes[i].dev, 16);
        out.append(buf, r.ptr);
        out += '.';
        r = std::to_chars(buf, buf + sizeof buf, chain.runtimes[i].ino, 16);
        out.append(buf, r.ptr);
    }
    return out;
}

}  // namespace runcwrap
