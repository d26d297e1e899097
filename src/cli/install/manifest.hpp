// The install manifest (/var/lib/runcwrap/install-manifest): what install added, so that
// --uninstall removes exactly that and puts back what it replaced. Format 1, one entry a line,
// tab-separated, node paths (never the --prefix):
//   bin-dir DIR | config FILE | dir DIR (created by install) | file PATH SHA256 |
//   symlink PATH TARGET | backup PATH BACKUP | sidefile PATH SHA256 (what install wrote)
// Pure: text in, text out.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace runcwrap::install {

struct Manifest {
    bool exists = false;
    std::string bin_dir;
    std::string config;
    std::vector<std::string> created_dirs;       // in creation order (uninstall goes backwards)
    std::string binary_sha;                      // "" = install did not place runcwrap
    std::string link_target;                     // "" = install did not make the runc link
    std::map<std::string, std::string> backups;  // node path -> where its old file went
    std::string side_sha;                        // "" = install did not write the side file
};

// `shown` names the file in errors.
Result<Manifest> parse_manifest(std::string_view text, std::string_view shown);

// The manifest for an install into `bin_dir` with the side file `config`.
std::string manifest_text(const Manifest& m, std::string_view bin_dir, std::string_view config);

}  // namespace runcwrap::install
