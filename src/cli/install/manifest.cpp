#include "cli/install/manifest.hpp"

#include <array>

namespace runcwrap::install {
namespace {

// kind, a, b: b is the rest of the line (as `read -r kind a b` splits it).
struct Entry {
    std::string_view kind, a, b;
};

Entry split_entry(std::string_view line) {
    Entry e;
    auto tab = line.find('\t');
    e.kind = line.substr(0, tab);
    if (tab == std::string_view::npos) return e;
    line.remove_prefix(tab + 1);
    tab = line.find('\t');
    e.a = line.substr(0, tab);
    if (tab != std::string_view::npos) e.b = line.substr(tab + 1);
    return e;
}

}  // namespace

Result<Manifest> parse_manifest(std::string_view text, std::string_view shown) {
    Manifest m;
    m.exists = true;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        const Entry e = split_entry(line);
        if (e.kind.empty() || e.kind[0] == '#') continue;
        if (e.kind == "format") {
            if (e.a != "1")
                return make_error(std::string(shown) + ": unknown format " + std::string(e.a));
        } else if (e.kind == "bin-dir") {
            m.bin_dir = e.a;
        } else if (e.kind == "config") {
            m.config = e.a;
        } else if (e.kind == "dir") {
            m.created_dirs.emplace_back(e.a);
        } else if (e.kind == "file") {
            m.binary_sha = e.b;
        } else if (e.kind == "symlink") {
            m.link_target = e.b;
        } else if (e.kind == "backup") {
            m.backups[std::string(e.a)] = e.b;
        } else if (e.kind == "sidefile") {
            m.side_sha = e.b;
        } else {
            return make_error(std::string(shown) + ": unknown entry '" + std::string(e.kind) +
                              "' (written by a newer install.sh?)");
        }
    }
    return m;
}

std::string manifest_text(const Manifest& m, std::string_view bin_dir, std::string_view config) {
    const std::string runc = std::string(bin_dir) + "/runc";
    const std::string runcwrap = std::string(bin_dir) + "/runcwrap";
    std::string out =
        "# runcwrap install manifest, written by install.sh: --uninstall removes exactly these\n"
        "# entries and puts the backups back. Paths are the node's (without --prefix).\n"
        "format\t1\n";
    out += "bin-dir\t" + std::string(bin_dir) + "\n";
    out += "config\t" + std::string(config) + "\n";
    for (const auto& d : m.created_dirs) out += "dir\t" + d + "\n";
    if (!m.binary_sha.empty()) out += "file\t" + runcwrap + "\t" + m.binary_sha + "\n";
    if (!m.link_target.empty()) out += "symlink\t" + runc + "\t" + m.link_target + "\n";
    for (const std::string& p : std::array<std::string, 3>{runc, runcwrap, std::string(config)})
        if (auto it = m.backups.find(p); it != m.backups.end() && !it->second.empty())
            out += "backup\t" + p + "\t" + it->second + "\n";
    if (!m.side_sha.empty()) out += "sidefile\t" + std::string(config) + "\t" + m.side_sha + "\n";
    return out;
}

}  // namespace runcwrap::install
