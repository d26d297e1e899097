// The ELF note by which runcwrap tells another copy of itself from a real runtime.
#include <gtest/gtest.h>

#include <elf.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "binary_marker.hpp"

namespace runcwrap {
namespace {

std::string head_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes(kMarkerProbeBytes, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    return bytes;
}

// This test binary links binary_marker.cpp, so it carries the note like runcwrap does.
TEST(BinaryMarker, FoundInABinaryThatLinksIt) {
    std::string head = head_of("/proc/self/exe");
    ASSERT_GT(head.size(), sizeof(Elf64_Ehdr));
    EXPECT_TRUE(has_runcwrap_note(head));
}

TEST(BinaryMarker, NotFoundInOtherPrograms) {
    for (const char* path : {"/bin/sh", "/usr/bin/env", "/bin/true"}) {
        SCOPED_TRACE(path);
        std::string head = head_of(path);
        ASSERT_FALSE(head.empty());
        EXPECT_FALSE(has_runcwrap_note(head));
    }
}

// Where in the head the note's name lies (so it can be broken on purpose).
std::size_t name_offset(const std::string& head) {
    return head.find(std::string("runcwrap\0", 9));
}

TEST(BinaryMarker, RefusesBrokenOrForeignBytes) {
    const std::string own = head_of("/proc/self/exe");
    const std::size_t at = name_offset(own);
    ASSERT_NE(at, std::string::npos);

    std::string renamed = own;
    renamed[at] = 'R';  // "Runcwrap": another note
    EXPECT_FALSE(has_runcwrap_note(renamed));

    // Cut inside the note, inside the program headers, inside the ELF header.
    EXPECT_FALSE(has_runcwrap_note(own.substr(0, at + 4)));
    EXPECT_FALSE(has_runcwrap_note(own.substr(0, sizeof(Elf64_Ehdr) + 10)));
    EXPECT_FALSE(has_runcwrap_note(own.substr(0, 20)));
    EXPECT_FALSE(has_runcwrap_note(""));

    std::string not_elf = own;
    not_elf[1] = 'X';
    EXPECT_FALSE(has_runcwrap_note(not_elf));

    std::string elf32 = own;
    elf32[EI_CLASS] = ELFCLASS32;
    EXPECT_FALSE(has_runcwrap_note(elf32));

    // A script that merely contains the word is not runcwrap.
    EXPECT_FALSE(has_runcwrap_note("#!/bin/sh\n# runcwrap\nexec runcwrap \"$@\"\n"));

    // Program headers said to lie far past the bytes read: no crash, no match.
    std::string far = own;
    Elf64_Ehdr eh{};
    std::memcpy(&eh, far.data(), sizeof eh);
    eh.e_phoff = 1u << 30;
    std::memcpy(far.data(), &eh, sizeof eh);
    EXPECT_FALSE(has_runcwrap_note(far));

    // A note whose sizes run past its segment: no match and no read past the end.
    std::string huge = own;
    Elf64_Nhdr nh{};
    std::memcpy(&nh, huge.data() + at - sizeof nh, sizeof nh);
    nh.n_namesz = 0xFFFFFFF0u;
    std::memcpy(huge.data() + at - sizeof nh, &nh, sizeof nh);
    EXPECT_FALSE(has_runcwrap_note(huge));
}

}  // namespace
}  // namespace runcwrap
