// What `runcwrap route` did, kept at <state dir>/record.json so that `route --undo` (and
// `install --uninstall`) can put every byte back: each handler's former BinaryName, each edited
// file's backup and checksums, the folders route made. Pure: text in, value out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace runcwrap {

inline constexpr int kRouteRecordFormat = 1;

struct RoutedHandler {
    std::string name;
    std::string file;  // node path of the config file edited
    std::string plugin;
    std::string entry;
    bool had_binary_name = false;
    std::string binary_name_before;
    bool options_table_added = false;
};

struct RoutedFile {
    std::string path;  // node path
    std::string backup;
    std::string sha256_before;
    std::string sha256_after;
};

struct RouteRecord {
    std::string side_file;
    std::string entry_dir;
    std::string binary;
    std::vector<RoutedHandler> handlers;
    std::vector<RoutedFile> files;
    std::vector<std::string> dirs;  // folders route created, outermost first

    RoutedFile* file(const std::string& path) {
        for (auto& f : files)
            if (f.path == path) return &f;
        return nullptr;
    }
};

std::string format_route_record(const RouteRecord& record);  // pretty JSON, newline included
// `path` only names the file in the error.
Result<RouteRecord> parse_route_record(std::string_view text, const std::string& path);

}  // namespace runcwrap
