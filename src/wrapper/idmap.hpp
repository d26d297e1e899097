// User-namespace id mapping: which host id a container id stands for. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace runcwrap {

struct IdRange {
    std::uint32_t container_id = 0;
    std::uint32_t host_id = 0;
    std::uint32_t size = 0;
};

using IdMappings = std::vector<IdRange>;

// The host id that `id` maps to, or nullopt when no range covers it. Ranges whose end would pass
// 2^32 are clipped to what the kernel can express (ids are 32-bit; 2^32-1 is never valid).
std::optional<std::uint32_t> map_to_host(const IdMappings& ranges, std::uint32_t id);

// Reads the kernel's /proc/<pid>/uid_map text: lines of "container host size".
std::optional<IdMappings> parse_proc_id_map(std::string_view text);

std::string describe(const IdMappings& ranges);

}  // namespace runcwrap
