// The ELF-note check that tells another copy of runcwrap from a runtime (src/binary_marker.cpp):
// it reads the first bytes of any file a PATH search or BinaryName turns up.
#include <cstring>

#include "binary_marker.hpp"
#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes = fuzz::text_of(data, size);
    if (!runcwrap::has_runcwrap_note(bytes)) return 0;
    // A match is an ELF file that really holds the note's name and type.
    FUZZ_CHECK(bytes.size() >= 64 && std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0);
    FUZZ_CHECK(bytes.find(std::string("runcwrap\0", 9)) != std::string::npos);
    FUZZ_CHECK(bytes.find("RWCR") != std::string::npos);
    return 0;
}
