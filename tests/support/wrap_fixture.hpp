// A node in miniature for one test: a temp root T with
//   T/bin/runc                runcwrap (symlink or copy), first in PATH, as an operator installs it
//   T/realbin/runc            the probe, the "next runc in PATH after runcwrap"
//   T/opt/real/runc           the probe again, the runtime a side file or options.json names
//   T/etc/runcwrap/config.toml the side file (RUNCWRAP_CONFIG), written only when a test asks
//   T/state/io.containerd.runtime.v2.task/<ns>/<id>/  containerd's bundles
// and a call builder that spawns runcwrap exactly as containerd's shim does.
#pragma once

#include <string>
#include <vector>

#include "harness.hpp"

namespace itest {

struct WrapFixture {
    explicit WrapFixture(Install how = Install::Symlink,
                         const std::string& namespace_name = "k8s.io")
        : T(t.path()), ns(namespace_name), tree(make_state_tree(T, ns)) {
        runc = install_runcwrap(T + "/bin", how);
        make_dirs(T + "/realbin");
        install_probe(T + "/realbin/runc");
        install_probe(real_runtime);
        make_dirs(T + "/etc/runcwrap");
    }

    TempDir t;
    std::string T;
    std::string ns;
    StateTree tree;
    std::string runc;
    std::string real_runtime = T + "/opt/real/runc";
    std::string side_file = T + "/etc/runcwrap/config.toml";
    std::string record = T + "/probe.rec";
    // Nothing from the system: /usr/bin and /usr/sbin both hold a runc on Debian.
    std::string path_env = "PATH=" + T + "/bin:" + T + "/realbin";

    void write_side(const std::string& toml) const { write_file(side_file, toml, 0644); }

    // The default root the shim passes when containerd dropped Root.
    std::string default_root() const { return "/run/containerd/runc/" + ns; }

    // The shim's global prefix for a container bundle: --root R --log B/log.json --log-format json
    std::vector<std::string> globals(const std::string& bundle,
                                     const std::string& root = "") const {
        return {"--root",       root.empty() ? default_root() : root,
                "--log",        bundle + "/log.json",
                "--log-format", "json"};
    }
    std::vector<std::string> create_args(const std::string& id,
                                         const std::string& root = "") const {
        auto a = globals(tree.bundle(id), root);
        for (const char* s : {"create", "--bundle"}) a.push_back(s);
        a.push_back(tree.bundle(id));
        a.push_back("--pid-file");
        a.push_back(tree.bundle(id) + "/init.pid");
        a.push_back(id);
        return a;
    }

    std::vector<std::string> env(int probe_exit = 0) const {
        return {path_env, "HOME=/root", "RUNCWRAP_CONFIG=" + side_file, "PROBE_RECORD=" + record,
                "PROBE_EXIT=" + std::to_string(probe_exit)};
    }

    // runcwrap called as the shim calls `runc` (argv[0] = "runc").
    Spawn shim_call(const std::vector<std::string>& args, int probe_exit = 0) const {
        Spawn s;
        s.path = runc;
        s.argv.push_back("runc");
        s.argv.insert(s.argv.end(), args.begin(), args.end());
        s.env = env(probe_exit);
        s.cwd = T;
        return s;
    }

    std::vector<ProbeCall> probe_calls() const { return read_probe_records(record); }
};

inline std::vector<std::string> tail(const std::vector<std::string>& v) {
    return v.empty() ? v : std::vector<std::string>(v.begin() + 1, v.end());
}

inline int count_of(const std::vector<std::string>& v, const std::string& s) {
    int n = 0;
    for (const auto& x : v) n += x == s;
    return n;
}

}  // namespace itest
