// `runcwrap node-install {install [--once] | uninstall [--wait] | check}`: the installer image's
// entry point (deploy/kubernetes/). It finds the node's containerd (the host's PID namespace),
// decides where runcwrap must go, and hands every change to `runcwrap install --prefix
// HOST_ROOT ...`, the same implementation as install.sh and the .deb. So the image holds this
// one static binary and nothing else: no shell, no tools.
//
// Runs in a container with the node's root at $HOST_ROOT (default /host):
//   install     install (idempotent), check with runcwrap doctor, then wait (the DaemonSet's
//               container); --once: do not wait
//   uninstall   runcwrap install --uninstall: put back exactly what was there; --wait: then
//               wait (the uninstall DaemonSet's container)
//   check       the readiness probe: exit 0 when this node is fixed (or, after uninstall, when
//               runcwrap is gone from it)
// Environment: HOST_ROOT, RUNCWRAP_INSTALL_ON_FIXED=1 (install even where containerd has the
// fix), RUNCWRAP_CONTAINERD_PID (which containerd; default: the one process named containerd),
// RUNCWRAP_FORCE=1 (uninstall also removes a runcwrap or side file changed since install),
// RUNCWRAP_ROUTE_HANDLERS=all|NAME,... (install --route-handlers: route those CRI handlers
// through runcwrap; containerd must then be restarted on the node: the pod never restarts it,
// and RUNCWRAP_RESTART_CONTAINERD=1 is refused).
// Terminating an installer pod never uninstalls: a restarted or upgraded pod installs over the
// old install (idempotent, atomic), so the node never lacks runcwrap in between.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/environment.hpp"

namespace runcwrap::install {

int run_node_install(const std::vector<std::string>& args, const Environment& env);

// Pure parts, for the tests.
// containerd 2.0.5+ and 2.1+ have the fix ("v2.0.5", "2.1.0-rc.1", "1.7.24" ...).
bool containerd_has_fix(std::string_view version);
// The --config (-c) in containerd's NUL-separated command line, else its default.
std::string containerd_config_of(std::string_view cmdline);
// The third word of `containerd --version` ("containerd github.com/... v1.7.24 <commit>").
std::string containerd_version_of(std::string_view version_output);

}  // namespace runcwrap::install
