// A reference reader of config.json for tests: the same fields as src/oci_spec.cpp's
// parse_container_spec, looked up in a RapidJSON DOM (json_util.hpp) the plain way. The wrapper
// itself reads config.json with a SAX handler that builds no document; the unit tests and the
// config_json fuzz target check that both give the same answer for every input.
#pragma once

#include <string>

#include "common/json_util.hpp"
#include "wrapper/oci_spec.hpp"

namespace runcwrap::reference {

inline Result<ContainerSpec> parse_container_spec_dom(std::string& text) {
    json::Document document;
    if (auto st = json::parse_in_place(document, text); !st) return st.error();
    const json::Value& doc = document.get();

    ContainerSpec spec;
    if (const json::Value* process = json::member(doc, "process")) {
        if (const json::Value* user = json::member(*process, "user")) {
            auto uid = json::uint32_member(*user, "uid");
            auto gid = json::uint32_member(*user, "gid");
            if (uid && gid) spec.process_user = ProcessUser{*uid, *gid};
        }
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

// "" when both results agree, else what differs.
inline std::string spec_difference(const Result<ContainerSpec>& a, const Result<ContainerSpec>& b) {
    if (a.ok() != b.ok()) return "one is an error, the other not";
    if (!a)
        return a.error().message == b.error().message
                   ? ""
                   : "errors differ: '" + a.error().message + "' vs '" + b.error().message + "'";
    auto same_ranges = [](const IdMappings& x, const IdMappings& y) {
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (x[i].container_id != y[i].container_id || x[i].host_id != y[i].host_id ||
                x[i].size != y[i].size)
                return false;
        return true;
    };
    if (a->has_user_namespace != b->has_user_namespace) return "has_user_namespace";
    if (a->user_namespace_path != b->user_namespace_path) return "user_namespace_path";
    if (!same_ranges(a->uid_mappings, b->uid_mappings)) return "uid_mappings";
    if (!same_ranges(a->gid_mappings, b->gid_mappings)) return "gid_mappings";
    if (a->process_user.has_value() != b->process_user.has_value()) return "process_user presence";
    if (a->process_user && (a->process_user->uid != b->process_user->uid ||
                            a->process_user->gid != b->process_user->gid))
        return "process_user";
    if (a->terminal != b->terminal) return "terminal";
    if (a->sandbox_id != b->sandbox_id) return "sandbox_id";
    return "";
}

}  // namespace runcwrap::reference
