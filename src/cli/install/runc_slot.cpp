#include "cli/install/runc_slot.hpp"

#include "cli/atomic_files.hpp"

namespace runcwrap::install {
using namespace files;  // the atomic file operations (cli/atomic_files.hpp)

RuncSlot classify_runc_slot(const RuncSlotFacts& f, bool manifest_has_link) {
    const bool links_to_runcwrap = f.is_symlink && f.link_target == "runcwrap";
    if (links_to_runcwrap && manifest_has_link) return RuncSlot::ours;
    if (!f.present) return RuncSlot::absent;
    // Our symlink, the same inode, or the same bytes: runcwrap all the same.
    if (links_to_runcwrap) return RuncSlot::runcwrap;
    if (!f.exists) return RuncSlot::foreign;
    if (f.same_inode_as_installed || f.same_bytes_as_source) return RuncSlot::runcwrap;
    return RuncSlot::foreign;
}

RuncSlotFacts observe_runc_slot(const std::string& runc, const std::string& runcwrap,
                                const std::string& source) {
    RuncSlotFacts f;
    f.present = present(runc);
    f.exists = exists(runc);
    f.is_symlink = is_symlink(runc);
    if (f.is_symlink) f.link_target = link_target(runc).value_or("");
    if (f.exists) {
        f.same_inode_as_installed = same_file(runc, runcwrap);
        f.same_bytes_as_source =
            !f.same_inode_as_installed && !source.empty() && same_bytes(runc, source);
    }
    return f;
}

}  // namespace runcwrap::install
