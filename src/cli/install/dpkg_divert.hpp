// --dpkg PACKAGE: Debian policy lets a package replace another package's file only through a
// diversion, so that dpkg installs that package's updates beside it and the removal restores
// it. These run dpkg-query and dpkg-divert (with --root under --prefix).
#pragma once

#include <string>
#include <string_view>

#include "common/environment.hpp"
#include "common/result.hpp"

namespace runcwrap::install {

struct DpkgContext {
    std::string package;  // "" = not run from a package: no dpkg question is asked
    std::string prefix;
    const Environment* env = nullptr;
};

// Pure: the package named by `dpkg-query -S PATH`'s output ("" for none), skipping the
// "diversion by ..." lines.
std::string owner_from_dpkg_query(std::string_view output);

// The package that owns `node_path` ("" when none, or without --dpkg).
std::string dpkg_owner(const DpkgContext& dpkg, const std::string& node_path);
// A diversion of `node_path` that the --dpkg package holds.
bool diverted_by_us(const DpkgContext& dpkg, const std::string& node_path);
// dpkg-divert --package P --rename --quiet --add --divert TO NODE_PATH
Status divert(const DpkgContext& dpkg, const std::string& node_path, const std::string& to);
// dpkg-divert --package P --rename --quiet --remove NODE_PATH
Status remove_diversion(const DpkgContext& dpkg, const std::string& node_path);

}  // namespace runcwrap::install
