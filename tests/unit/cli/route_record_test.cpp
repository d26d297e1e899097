// route's record (cli/route_record.hpp): what undo reads back is what route wrote, a handler
// whose BinaryName was unset stays unset, and a record undo cannot trust is refused by name.
#include <gtest/gtest.h>

#include <string>

#include "cli/route_record.hpp"

namespace runcwrap {
namespace {

RouteRecord sample() {
    RouteRecord r;
    r.side_file = "/etc/runcwrap/config.toml";
    r.entry_dir = "/usr/local/lib/runcwrap/handlers";
    r.binary = "/usr/local/bin/runcwrap";
    r.handlers.push_back({"gpu", "/etc/containerd/conf.d/gpu.toml", "io.containerd.cri.v1.runtime",
                          "/usr/local/lib/runcwrap/handlers/gpu/runc", true,
                          "/usr/bin/nvidia-container-runtime", false});
    r.handlers.push_back({"runc", "/etc/containerd/config.toml", "io.containerd.grpc.v1.cri",
                          "/usr/local/lib/runcwrap/handlers/runc/runc", false, "", true});
    r.files.push_back({"/etc/containerd/config.toml", "/var/lib/runcwrap/route/backup/config.toml",
                       std::string(64, 'a'), std::string(64, 'b')});
    r.dirs = {"/usr/local/lib/runcwrap", "/usr/local/lib/runcwrap/handlers"};
    return r;
}

TEST(RouteRecord, WhatUndoReadsIsWhatRouteWrote) {
    const RouteRecord before = sample();
    const std::string text = format_route_record(before);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    auto after = parse_route_record(text, "record.json");
    ASSERT_TRUE(after) << after.error().message;
    EXPECT_EQ(after->side_file, before.side_file);
    EXPECT_EQ(after->entry_dir, before.entry_dir);
    EXPECT_EQ(after->binary, before.binary);
    ASSERT_EQ(after->handlers.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const auto &a = after->handlers[i], &b = before.handlers[i];
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.file, b.file);
        EXPECT_EQ(a.plugin, b.plugin);
        EXPECT_EQ(a.entry, b.entry);
        EXPECT_EQ(a.had_binary_name, b.had_binary_name);
        EXPECT_EQ(a.binary_name_before, b.binary_name_before);
        EXPECT_EQ(a.options_table_added, b.options_table_added);
    }
    ASSERT_EQ(after->files.size(), 1u);
    EXPECT_EQ(after->files[0].path, before.files[0].path);
    EXPECT_EQ(after->files[0].backup, before.files[0].backup);
    EXPECT_EQ(after->files[0].sha256_before, before.files[0].sha256_before);
    EXPECT_EQ(after->files[0].sha256_after, before.files[0].sha256_after);
    EXPECT_EQ(after->dirs, before.dirs);
    // Written again, byte for byte the same file.
    EXPECT_EQ(format_route_record(*after), text);
}

TEST(RouteRecord, AnUnsetBinaryNameIsWrittenAbsentAndReadBackUnset) {
    const std::string text = format_route_record(sample());
    EXPECT_NE(text.find("\"binary_name_before\": \"absent\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"binary_name_was_set\": false"), std::string::npos) << text;
    // A handler literally named "absent" before routing is still told apart by the flag.
    RouteRecord r = sample();
    r.handlers[0].binary_name_before = "absent";
    auto back = parse_route_record(format_route_record(r), "record.json");
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->handlers[0].had_binary_name);
    EXPECT_EQ(back->handlers[0].binary_name_before, "absent");
    EXPECT_FALSE(back->handlers[1].had_binary_name);
    EXPECT_EQ(back->handlers[1].binary_name_before, "");
}

TEST(RouteRecord, ARecordUndoCannotTrustIsRefusedByName) {
    auto not_json = parse_route_record("{ torn", "/var/lib/runcwrap/route/record.json");
    ASSERT_FALSE(not_json);
    EXPECT_NE(
        not_json.error().message.find("/var/lib/runcwrap/route/record.json: not a route record"),
        std::string::npos)
        << not_json.error().message;
    EXPECT_NE(not_json.error().message.find("fix: restore containerd's config from the backups"),
              std::string::npos);
    auto newer = parse_route_record(R"({"format": 2})", "record.json");
    ASSERT_FALSE(newer);
    EXPECT_NE(newer.error().message.find("unknown record format"), std::string::npos);
    auto no_format = parse_route_record(R"({"handlers": []})", "record.json");
    EXPECT_FALSE(no_format);
}

}  // namespace
}  // namespace runcwrap
