// The ELF-note check that tells another copy of runcwrap from a runtime (src/binary_marker.cpp):
// it reads the first bytes of any file a PATH search or BinaryName turns up.
#include <cstring>

#include "fuzz_util.hpp"
#include "wrapper/binary_marker.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes = fuzz::text_of(data, size);
    // A prefix that marker_bytes_needed calls enough gives the answer of the whole probe (the
    // wrapper reads 1 KiB first and the rest only when told to).
    const std::string_view probe = std::string_view(bytes).substr(0, runcwrap::kMarkerProbeBytes);
    for (std::size_t cut : {std::size_t{64}, std::size_t{200}, std::size_t{1024}}) {
        if (cut > probe.size()) break;
        const std::string_view prefix = probe.substr(0, cut);
        if (runcwrap::marker_bytes_needed(prefix) <= prefix.size())
            FUZZ_CHECK(runcwrap::has_runcwrap_note(prefix) == runcwrap::has_runcwrap_note(probe));
    }
    FUZZ_CHECK(runcwrap::marker_bytes_needed(probe) <= runcwrap::kMarkerProbeBytes);
    if (!runcwrap::has_runcwrap_note(bytes)) return 0;
    // A match is an ELF file that really holds the note's name and type.
    FUZZ_CHECK(bytes.size() >= 64 && std::memcmp(bytes.data(),
                                                 "\x7f"
                                                 "ELF",
                                                 4) == 0);
    FUZZ_CHECK(bytes.find(std::string("runcwrap\0", 9)) != std::string::npos);
    FUZZ_CHECK(bytes.find("RWCR") != std::string::npos);
    return 0;
}
