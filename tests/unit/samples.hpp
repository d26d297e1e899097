// Where the real shim samples live (../shared/samples; SAMPLES_DIR names another place).
#pragma once

#include <cstdlib>
#include <filesystem>

namespace runcwrap::testing {

inline std::filesystem::path samples_dir() {
    const char* env = std::getenv("SAMPLES_DIR");
    return std::filesystem::path(env && *env ? env : "../shared/samples");
}

}  // namespace runcwrap::testing
