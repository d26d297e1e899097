// The runc runtime options that containerd can drop, in containerd's own names
// (runc.v1.Options: BinaryName, SystemdCgroup, Root, NoPivotRoot, NoNewKeyring).
#pragma once

#include <optional>
#include <string>

namespace runcwrap {

struct RuntimeOptions {
    std::string binary_name;  // "" = "runc" looked up in PATH
    std::string root;         // "" = containerd's default /run/containerd/runc
    bool systemd_cgroup = false;
    bool no_pivot_root = false;
    bool no_new_keyring = false;
};

}  // namespace runcwrap
