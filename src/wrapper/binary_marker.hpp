// How runcwrap recognises another copy of itself: an ELF note named "runcwrap" that every build
// carries near the start of the file. A copy of the binary (another inode, so the device+inode
// comparison with /proc/self/exe cannot see it) found in PATH or named as BinaryName would run
// runcwrap again instead of the runtime; the note lets the resolver pass over it up front.
// Pure: the caller reads the file's first bytes.
#pragma once

#include <cstddef>
#include <string_view>

namespace runcwrap {

// Enough of an ELF file to hold its header, program headers and the notes that follow them.
inline constexpr std::size_t kMarkerProbeBytes = 4096;

// True when `head` (the first bytes of a file) is a 64-bit ELF whose PT_NOTE segments, as far
// as they lie within `head`, hold the runcwrap note.
bool has_runcwrap_note(std::string_view head);

// How many of a file's first bytes (at most kMarkerProbeBytes) has_runcwrap_note looks at, as
// far as `head` (a prefix of them) tells: the ELF header, the program headers and every PT_NOTE
// segment. When it is no more than head.size(), has_runcwrap_note(head) is the answer for the
// first kMarkerProbeBytes too (fuzz/binary_marker_fuzz.cpp checks that), so a caller may read
// a small prefix first and the rest only when this says so.
std::size_t marker_bytes_needed(std::string_view head);

}  // namespace runcwrap
