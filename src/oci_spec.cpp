#include "oci_spec.hpp"

#include <charconv>

#include "json_util.hpp"

namespace runcwrap {
namespace {

std::optional<ProcessUser> user_of(const json::Value& process) {
    const json::Value* user = json::member(process, "user");
    if (!user) return std::nullopt;
    auto uid = json::uint32_member(*user, "uid");
    auto gid = json::uint32_member(*user, "gid");
    if (!uid || !gid) return std::nullopt;
    return ProcessUser{*uid, *gid};
}

std::optional<std::uint32_t> parse_id(std::string_view text) {
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

Result<ContainerSpec> parse_container_spec(std::string& text) {
    json::Document document;
    if (auto st = json::parse_in_place(document, text); !st) return st.error();
    const json::Value& doc = document.get();

    ContainerSpec spec;
    if (const json::Value* process = json::member(doc, "process")) {
        spec.process_user = user_of(*process);
        spec.terminal = json::bool_member(*process, "terminal").value_or(false);
    }
    if (const json::Value* annotations = json::member(doc, "annotations")) {
        if (auto id = json::string_member(*annotations, kSandboxIdAnnotation))
            spec.sandbox_id = std::string(*id);
    }
    const json::Value* linux_section = json::member(doc, "linux");
    if (!linux_section) return spec;
    if (const json::Value* namespaces = json::member(*linux_section, "namespaces");
        namespaces && namespaces->IsArray()) {
        for (const auto& ns : namespaces->GetArray()) {
            if (json::string_member(ns, "type") != std::string_view("user")) continue;
            spec.has_user_namespace = true;
            if (auto path = json::string_member(ns, "path"); path && !path->empty())
                spec.user_namespace_path = std::string(*path);
        }
    }
    auto uids = json::id_ranges(json::member(*linux_section, "uidMappings"), "containerID",
                                "hostID", "linux.uidMappings");
    if (!uids) return uids.error();
    auto gids = json::id_ranges(json::member(*linux_section, "gidMappings"), "containerID",
                                "hostID", "linux.gidMappings");
    if (!gids) return gids.error();
    spec.uid_mappings = std::move(*uids);
    spec.gid_mappings = std::move(*gids);
    return spec;
}

Result<ProcessUser> parse_process_user(std::string& text) {
    json::Document document;
    if (auto st = json::parse_in_place(document, text); !st) return st.error();
    const json::Value& doc = document.get();
    auto user = user_of(doc);
    if (!user) return make_error("it has no numeric user.uid and user.gid");
    return *user;
}

std::optional<ProcessUser> parse_user_flag(std::string_view value, ProcessUser fallback) {
    auto colon = value.find(':');
    auto uid = parse_id(value.substr(0, colon));
    if (!uid) return std::nullopt;
    // runc exec -u UID keeps the gid of the container's own process (getProcess in exec.go).
    ProcessUser user{*uid, fallback.gid};
    if (colon != std::string_view::npos) {
        auto gid = parse_id(value.substr(colon + 1));
        if (!gid) return std::nullopt;
        user.gid = *gid;
    }
    return user;
}

}  // namespace runcwrap
