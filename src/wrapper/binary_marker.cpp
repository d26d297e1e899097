#include "wrapper/binary_marker.hpp"

#include <elf.h>

#include <cstdint>
#include <cstring>

namespace runcwrap {
namespace {

constexpr std::uint32_t kNoteType = 0x52435752;  // "RCWR"
constexpr char kNoteName[] = "runcwrap";         // namesz counts the NUL: 9

// The note itself, kept by the linker (SHT_NOTE sections are never garbage-collected) and placed
// with the other notes right after the program headers.
struct RuncwrapNote {
    Elf64_Nhdr header;
    char name[12];  // "runcwrap\0", padded to 4 bytes
    char desc[4];   // format version of the note
};
[[gnu::used, gnu::section(".note.runcwrap"), gnu::aligned(4)]] constexpr RuncwrapNote kNote{
    {sizeof kNoteName, 4, kNoteType}, "runcwrap", {'1', 0, 0, 0}};

template <class T>
bool read_at(std::string_view bytes, std::size_t offset, T& out) {
    if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
    std::memcpy(&out, bytes.data() + offset, sizeof(T));
    return true;
}

bool notes_hold_marker(std::string_view notes) {
    std::size_t at = 0;
    Elf64_Nhdr n{};
    while (read_at(notes, at, n)) {
        at += sizeof n;
        const std::size_t name_size = (std::size_t{n.n_namesz} + 3) & ~std::size_t{3};
        const std::size_t desc_size = (std::size_t{n.n_descsz} + 3) & ~std::size_t{3};
        if (name_size > notes.size() - at) return false;
        if (n.n_type == kNoteType && n.n_namesz == sizeof kNoteName &&
            std::memcmp(notes.data() + at, kNoteName, sizeof kNoteName) == 0)
            return true;
        if (desc_size > notes.size() - at - name_size) return false;
        at += name_size + desc_size;
    }
    return false;
}

}  // namespace

bool has_runcwrap_note(std::string_view head) {
    Elf64_Ehdr eh{};
    if (!read_at(head, 0, eh)) return false;
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
        return false;
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) return false;
    for (std::size_t i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph{};
        if (eh.e_phoff > head.size() ||
            !read_at(head, static_cast<std::size_t>(eh.e_phoff) + i * sizeof ph, ph))
            return false;
        if (ph.p_type != PT_NOTE || ph.p_offset >= head.size()) continue;
        std::string_view notes = head.substr(static_cast<std::size_t>(ph.p_offset));
        if (ph.p_filesz < notes.size())
            notes = notes.substr(0, static_cast<std::size_t>(ph.p_filesz));
        if (notes_hold_marker(notes)) return true;
    }
    return false;
}

std::size_t marker_bytes_needed(std::string_view head) {
    Elf64_Ehdr eh{};
    if (!read_at(head, 0, eh)) return sizeof eh;
    if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64)
        return sizeof eh;  // not ELF64: the answer is "no" whatever follows
    if (eh.e_phentsize != sizeof(Elf64_Phdr)) return sizeof eh;
    const std::uint64_t table_end = eh.e_phoff + std::uint64_t{eh.e_phnum} * sizeof(Elf64_Phdr);
    if (eh.e_phoff >= kMarkerProbeBytes || table_end > head.size())
        return table_end < kMarkerProbeBytes ? static_cast<std::size_t>(table_end)
                                             : kMarkerProbeBytes;
    std::uint64_t needed = table_end;
    for (std::size_t i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph{};
        (void)read_at(head, static_cast<std::size_t>(eh.e_phoff) + i * sizeof ph, ph);
        if (ph.p_type != PT_NOTE || ph.p_offset >= kMarkerProbeBytes) continue;
        const std::uint64_t end = ph.p_filesz > kMarkerProbeBytes - ph.p_offset
                                      ? kMarkerProbeBytes
                                      : ph.p_offset + ph.p_filesz;
        if (end > needed) needed = end;
    }
    return needed < kMarkerProbeBytes ? static_cast<std::size_t>(needed) : kMarkerProbeBytes;
}

}  // namespace runcwrap
