// Shared bits of the libFuzzer targets (fuzz/*_fuzz.cpp). A target reports a broken invariant
// with FUZZ_CHECK, which aborts: libFuzzer then saves the input as a crash artifact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

namespace fuzz {

// The input as an owned, NUL-terminated string: the JSON readers parse in place.
inline std::string text_of(const std::uint8_t* data, std::size_t size) {
    return std::string(reinterpret_cast<const char*>(data), size);
}

// Splits on NUL, the way the kernel hands argv to a process (no argument holds a NUL).
inline std::vector<std::string_view> split_nul(std::string_view s) {
    std::vector<std::string_view> out;
    for (;;) {
        auto nul = s.find('\0');
        out.push_back(s.substr(0, nul));
        if (nul == std::string_view::npos) break;
        s.remove_prefix(nul + 1);
    }
    return out;
}

}  // namespace fuzz
