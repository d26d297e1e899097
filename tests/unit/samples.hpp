// Where the recorded fixtures live: tests/fixtures (FIXTURES_DIR names another place), with the
// shim's calls on containerd 1.6.20 in shim-1.6.20/ (SAMPLES_DIR overrides just that set) and the
// CRI recordings of 1.7.24/2.0.4/2.0.5 in cri/. tests/fixtures/README.md says where each came from.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace runcwrap::testing {

inline std::filesystem::path fixtures_dir() {
    const char* env = std::getenv("FIXTURES_DIR");
    return std::filesystem::path(env && *env ? env : "tests/fixtures");
}

inline std::filesystem::path samples_dir() {
    const char* env = std::getenv("SAMPLES_DIR");
    return env && *env ? std::filesystem::path(env) : fixtures_dir() / "shim-1.6.20";
}

inline std::filesystem::path cri_fixtures_dir() { return fixtures_dir() / "cri"; }

}  // namespace runcwrap::testing
