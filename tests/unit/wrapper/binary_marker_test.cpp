// The ELF note by which runcwrap tells another copy of itself from a real runtime.
#include <gtest/gtest.h>

#include <elf.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>

#include "common/unique_fd.hpp"
#include "wrapper/binary_marker.hpp"
#include "wrapper/runtime_resolve.hpp"

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
std::size_t name_offset(const std::string& head) { return head.find(std::string("runcwrap\0", 9)); }

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

// The wrapper reads a candidate's first 1 KiB and the rest of the probe only when
// marker_bytes_needed asks for it: the answer must be the one the whole probe gives.
TEST(BinaryMarker, FirstKibSufficesForUsualBinaries) {
    for (const char* path : {"/proc/self/exe", "/bin/sh", "/usr/bin/env"}) {
        SCOPED_TRACE(path);
        const std::string head = head_of(path);
        ASSERT_GT(head.size(), 1024u);
        const std::string first = head.substr(0, 1024);
        EXPECT_LE(marker_bytes_needed(first), first.size());
        EXPECT_EQ(has_runcwrap_note(first), has_runcwrap_note(head));
    }
    EXPECT_TRUE(has_runcwrap_note(head_of("/proc/self/exe").substr(0, 1024)));
}

// This binary's head with every note segment moved to 2 KiB: the first KiB no longer holds it.
std::string notes_moved_to_2k() {
    std::string moved = head_of("/proc/self/exe");
    const std::string own = moved;
    Elf64_Ehdr eh{};
    std::memcpy(&eh, own.data(), sizeof eh);
    std::size_t at = 2048;
    for (std::size_t i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph{};
        const std::size_t where = eh.e_phoff + i * sizeof ph;
        std::memcpy(&ph, own.data() + where, sizeof ph);
        if (ph.p_type != PT_NOTE) continue;
        moved.replace(at, ph.p_filesz, own, ph.p_offset, ph.p_filesz);
        // Blank the old place, so only the moved copy can match.
        moved.replace(ph.p_offset, ph.p_filesz, ph.p_filesz, '\0');
        ph.p_offset = at;
        at += (ph.p_filesz + 7) & ~std::size_t{7};
        std::memcpy(moved.data() + where, &ph, sizeof ph);
    }
    return moved;
}

TEST(BinaryMarker, SaysWhenTheFirstKibIsNotEnough) {
    const std::string moved = notes_moved_to_2k();
    ASSERT_TRUE(has_runcwrap_note(moved));
    const std::string first = moved.substr(0, 1024);
    EXPECT_FALSE(has_runcwrap_note(first));
    EXPECT_GT(marker_bytes_needed(first), first.size());
    EXPECT_LE(marker_bytes_needed(moved), kMarkerProbeBytes);
    // Cut inside the ELF header or the program headers: more is needed, never a guess.
    EXPECT_GT(marker_bytes_needed(moved.substr(0, 20)), 20u);
    Elf64_Ehdr eh{};
    std::memcpy(&eh, moved.data(), sizeof eh);
    const std::size_t inside_table = eh.e_phoff + sizeof(Elf64_Phdr) / 2;
    EXPECT_GT(marker_bytes_needed(moved.substr(0, inside_table)), inside_table);
    // Not ELF: nothing more to read.
    const std::string script = "#!/bin/sh\n" + std::string(100, '#') + "\nexec runc \"$@\"\n";
    EXPECT_LE(marker_bytes_needed(script), script.size());
}

// read_file_head on a real file goes on to the whole probe when the first read says so.
TEST(BinaryMarker, HeadReaderReadsOnWhenTheNotesLieFurther) {
    char path[] = "/tmp/runcwrap-marker-XXXXXX";
    UniqueFd fd(::mkstemp(path));
    ASSERT_TRUE(fd.valid());
    const std::string moved = notes_moved_to_2k();
    ASSERT_EQ(::write(fd.get(), moved.data(), moved.size()), static_cast<ssize_t>(moved.size()));
    EXPECT_TRUE(read_file_head(fd.get()).is_runcwrap);
    EXPECT_FALSE(read_file_head(fd.get()).is_script);
    ::unlink(path);
}

}  // namespace
}  // namespace runcwrap
