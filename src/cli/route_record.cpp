#include "cli/route_record.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace runcwrap {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void put(Writer& w, const char* key, const std::string& value) {
    w.Key(key);
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}
void put(Writer& w, const char* key, bool value) {
    w.Key(key);
    w.Bool(value);
}
// An array of objects, each written by `one`.
template <typename T, typename Fn>
void put_array(Writer& w, const char* key, const std::vector<T>& items, Fn one) {
    w.Key(key);
    w.StartArray();
    for (const auto& item : items) one(item);
    w.EndArray();
}

std::string get_string(const rapidjson::Value& object, const char* key) {
    auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}
bool get_bool(const rapidjson::Value& object, const char* key) {
    auto it = object.FindMember(key);
    return it != object.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}
// Calls `one` for each element of the array `key` (absent or not an array: none).
template <typename Fn>
void each(const rapidjson::Value& object, const char* key, Fn one) {
    auto it = object.FindMember(key);
    if (it == object.MemberEnd() || !it->value.IsArray()) return;
    for (const auto& item : it->value.GetArray()) one(item);
}

}  // namespace

std::string format_route_record(const RouteRecord& record) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("format");
    w.Int(kRouteRecordFormat);
    put(w, "comment",
        std::string("written by runcwrap route; `runcwrap route --undo` reads it. Paths are the "
                    "node's."));
    put(w, "side_file", record.side_file);
    put(w, "entry_dir", record.entry_dir);
    put(w, "binary", record.binary);
    put_array(w, "handlers", record.handlers, [&](const RoutedHandler& h) {
        w.StartObject();
        put(w, "name", h.name);
        put(w, "file", h.file);
        put(w, "plugin", h.plugin);
        put(w, "entry", h.entry);
        put(w, "binary_name_before", h.had_binary_name ? h.binary_name_before : "absent");
        put(w, "binary_name_was_set", h.had_binary_name);
        put(w, "options_table_added", h.options_table_added);
        w.EndObject();
    });
    put_array(w, "files", record.files, [&](const RoutedFile& f) {
        w.StartObject();
        put(w, "path", f.path);
        put(w, "backup", f.backup);
        put(w, "sha256_before", f.sha256_before);
        put(w, "sha256_after", f.sha256_after);
        w.EndObject();
    });
    put_array(w, "dirs", record.dirs, [&](const std::string& d) {
        w.String(d.data(), static_cast<rapidjson::SizeType>(d.size()));
    });
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

Result<RouteRecord> parse_route_record(std::string_view text, const std::string& path) {
    rapidjson::Document doc;
    doc.Parse(text.data(), text.size());
    if (doc.HasParseError() || !doc.IsObject())
        return make_error(path +
                          ": not a route record (not a JSON object); fix: restore "
                          "containerd's config from the backups beside it, then remove it");
    auto format = doc.FindMember("format");
    if (format == doc.MemberEnd() || !format->value.IsInt() ||
        format->value.GetInt() != kRouteRecordFormat)
        return make_error(path + ": unknown record format (written by a newer runcwrap?)");
    RouteRecord record;
    record.side_file = get_string(doc, "side_file");
    record.entry_dir = get_string(doc, "entry_dir");
    record.binary = get_string(doc, "binary");
    each(doc, "handlers", [&](const rapidjson::Value& h) {
        if (!h.IsObject()) return;
        RoutedHandler rh{get_string(h, "name"),
                         get_string(h, "file"),
                         get_string(h, "plugin"),
                         get_string(h, "entry"),
                         get_bool(h, "binary_name_was_set"),
                         get_string(h, "binary_name_before"),
                         get_bool(h, "options_table_added")};
        if (!rh.had_binary_name) rh.binary_name_before.clear();
        record.handlers.push_back(std::move(rh));
    });
    each(doc, "files", [&](const rapidjson::Value& f) {
        if (f.IsObject())
            record.files.push_back({get_string(f, "path"), get_string(f, "backup"),
                                    get_string(f, "sha256_before"), get_string(f, "sha256_after")});
    });
    each(doc, "dirs", [&](const rapidjson::Value& d) {
        if (d.IsString()) record.dirs.emplace_back(d.GetString());
    });
    return record;
}

}  // namespace runcwrap
