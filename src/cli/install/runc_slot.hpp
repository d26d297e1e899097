// BIN_DIR/runc, the slot containerd's shim runs: what is there decides whether install may link
// runc -> runcwrap there. Pure classification over facts gathered by observe_runc_slot.
#pragma once

#include <string>
#include <string_view>

namespace runcwrap::install {

enum class RuncSlot {
    ours,      // the symlink install made (the manifest says so)
    absent,    // nothing there yet
    runcwrap,  // runcwrap, but not installed by install (a link, the same inode or same bytes)
    foreign,   // anything else: another runtime, refused without --force
};

struct RuncSlotFacts {
    bool present = false;  // something (even a dangling symlink) is at the path
    bool exists = false;   // it resolves to a file
    bool is_symlink = false;
    std::string link_target;               // when a symlink
    bool same_inode_as_installed = false;  // the same file as BIN_DIR/runcwrap
    bool same_bytes_as_source = false;     // the same bytes as the binary being installed
};

RuncSlot classify_runc_slot(const RuncSlotFacts& facts, bool manifest_has_link);

// The facts about `runc` (staged path), next to `runcwrap` (staged) and the `source` binary.
RuncSlotFacts observe_runc_slot(const std::string& runc, const std::string& runcwrap,
                                const std::string& source);

}  // namespace runcwrap::install
