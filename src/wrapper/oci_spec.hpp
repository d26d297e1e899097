// What runcwrap needs from an OCI bundle's config.json and from an exec --process file. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "wrapper/idmap.hpp"

namespace runcwrap {

struct ProcessUser {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
};

struct ContainerSpec {
    bool has_user_namespace = false;
    std::optional<std::string> user_namespace_path;  // joins an existing namespace
    IdMappings uid_mappings;
    IdMappings gid_mappings;
    std::optional<ProcessUser> process_user;
    bool terminal = false;
    std::optional<std::string> sandbox_id;  // annotation io.kubernetes.cri.sandbox-id
};

inline constexpr const char* kSandboxIdAnnotation = "io.kubernetes.cri.sandbox-id";

// Parses config.json text in place (the buffer is modified).
Result<ContainerSpec> parse_container_spec(std::string& text);

// Parses a bare OCI Process object (runc exec --process FILE); returns its user.
Result<ProcessUser> parse_process_user(std::string& text);

// Parses runc exec's --user value: "uid" or "uid:gid" (numbers only, as runc requires).
std::optional<ProcessUser> parse_user_flag(std::string_view value, ProcessUser fallback);

}  // namespace runcwrap
