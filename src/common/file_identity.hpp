// A file's identity (device + inode): how runcwrap recognises itself, a hard link or a symlink
// to itself, and a runtime it already ran.
#pragma once

#include <sys/stat.h>

#include <cstdint>

namespace runcwrap {

struct FileIdentity {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

inline FileIdentity identity_of(const struct stat& st) {
    return FileIdentity{static_cast<std::uint64_t>(st.st_dev),
                        static_cast<std::uint64_t>(st.st_ino)};
}

}  // namespace runcwrap
