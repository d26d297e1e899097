// Shared helpers for the integration tests: temp trees, files with exact owners and modes,
// runcwrap installed as `runc`, processes spawned with an exact argv/env/cwd/fd table, and the
// probe runtime's records (see probe_runtime.c for the record format).
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/unique_fd.hpp"

namespace itest {

// Paths the Makefile passes in the environment (RUNCWRAP_BIN, PROBE_BIN, SAMPLES_DIR).
const std::string& runcwrap_bin();
const std::string& probe_bin();
const std::string& samples_dir();

// An owned fd, closed once: the project's own wrapper.
using Fd = runcwrap::UniqueFd;

struct Pipe {
    Fd read;
    Fd write;
};
Pipe make_pipe();  // O_CLOEXEC on both ends; owned by the caller's uid, mode 0600

// A directory under /tmp, owned by root, mode 0755 (so runcwrap trusts files in it), removed
// with everything in it when the fixture goes away.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(std::string_view rel) const { return path_ + "/" + std::string(rel); }

  private:
    std::string path_;
};

// mkdir -p; every folder it creates gets `mode` (umask ignored).
void make_dirs(const std::string& path, mode_t mode = 0755);
// Writes a file (creating parent folders 0755), then sets exactly mode and owner.
void write_file(const std::string& path, std::string_view content, mode_t mode = 0644,
                uid_t uid = 0, gid_t gid = 0);
std::string read_file(const std::string& path);  // "" when missing
bool path_exists(const std::string& path);
struct stat stat_of(const std::string& path);  // follows symlinks; fails the test if missing
struct stat fstat_of(int fd);
// Replaces every occurrence of `from` in `text`.
std::string replace_all(std::string text, std::string_view from, std::string_view to);

// runcwrap installed in `bin_dir` under `name` (normally "runc").
enum class Install { Symlink, Copy };
inline void PrintTo(Install how, std::ostream* os) {
    *os << (how == Install::Symlink ? "symlink install" : "copy install");
}
std::string install_runcwrap(const std::string& bin_dir, Install how,
                             const std::string& name = "runc");
// The probe installed (copied, root 0755) at `path`.
void install_probe(const std::string& path);
// A `#!/bin/sh` script, root-owned 0755.
void write_script(const std::string& path, std::string_view body);

// One process started with exactly this argv, env, cwd and fd table.
struct Spawn {
    std::string path;               // what execve runs
    std::vector<std::string> argv;  // argv[0] included
    std::vector<std::string> env;   // the whole environment
    std::string cwd;                // "" = the test's cwd
    // child fd -> parent fd. Every fd not listed is closed in the child (0-2 included).
    std::map<int, int> fds;
};
struct Exit {
    int code = -1;   // exit status, or -1 when killed
    int signal = 0;  // the signal that killed it
};
Exit run(const Spawn& spawn);

// run() with fd 0 = /dev/null and fds 1 and 2 fresh pipes (unless given in spawn.fds), whose
// content is returned. Extra fds in spawn.fds are passed as they are.
struct Captured {
    Exit exit;
    std::string out;
    std::string err;
};
Captured run_captured(Spawn spawn);

// A busybox rootfs for a real runc container: the folders runc mounts on, /bin/busybox and the
// given applets as symlinks to it, all owned by the container's mapped root (uid:gid on the
// host). Fails the test when a step fails.
void make_busybox_rootfs(const std::string& rootfs, const std::vector<std::string>& applets,
                         uid_t uid, gid_t gid);

// Everything readable from `fd` until EOF or `timeout_ms` without progress.
std::string read_until_eof(int fd, int timeout_ms = 10000);
// Whatever is in the pipe now (non-blocking).
std::string drain(int fd);

// The probe's records.
struct ProbeFd {
    std::string target;  // readlink /proc/self/fd/N
    std::string type;    // fifo chr reg sock ...
    uid_t uid = 0;
    gid_t gid = 0;
    unsigned mode = 0;  // permission bits
    unsigned long long dev = 0;
    unsigned long long ino = 0;
};
struct ProbeCall {
    long pid = 0;
    std::string exe;
    std::vector<std::string> argv;
    std::vector<std::string> env;
    std::string cwd;
    std::map<int, ProbeFd> fds;
    int exit = -1;
    std::optional<std::string> getenv(std::string_view name) const;
};
std::vector<ProbeCall> read_probe_records(const std::string& path);

// "<dev hex>.<ino hex>" of a file, as RUNCWRAP_DEPTH lists runtimes.
std::string identity_hex(const std::string& path);

// A call recorded in tests/fixtures/shim-1.6.20 (NN-<cmd>.txt).
struct SampleFd {
    int fd = -1;
    std::string target;  // pipe:[N], /dev/null, socket:[N]
    uid_t uid = 0;
    gid_t gid = 0;
};
struct SampleCall {
    std::string file;
    std::vector<std::string> argv;  // argv[1..]; argv[0] is "runc" as the shim passes it
    std::string cwd;
    std::vector<std::string> env;
    std::vector<SampleFd> fds;  // from the "## fd N -> ..." lines
    std::string process_file;   // exec: the --process path and its JSON
    std::string process_json;
    std::string options_json;  // "## options.json: [...]"
};
SampleCall parse_sample(const std::string& path);
// The NN-<cmd>.txt files of a sample folder, in order.
std::vector<std::string> sample_calls(const std::string& dir);

// A fake containerd state tree: <root>/state/io.containerd.runtime.v2.task/<ns>/<id>/.
struct StateTree {
    std::string task_dir;  // .../io.containerd.runtime.v2.task/<ns>
    std::string bundle(const std::string& id) const { return task_dir + "/" + id; }
    // Writes options.json (root 0600, as the shim does; skipped when empty) and config.json.
    std::string make_bundle(const std::string& id, const std::string& options_json,
                            const std::string& config_json) const;
};
StateTree make_state_tree(const std::string& root, const std::string& ns = "e2e");

// A config.json for a container, with or without a user namespace.
struct SpecOptions {
    bool user_namespace = true;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string uid_mappings = R"([{"containerID":0,"hostID":100000,"size":65536}])";
    std::string gid_mappings = R"([{"containerID":0,"hostID":100000,"size":65536}])";
    std::string sandbox_id;  // io.kubernetes.cri.sandbox-id annotation when set
};
std::string spec_json(const SpecOptions& o);
inline SpecOptions no_user_ns() {
    SpecOptions o;
    o.user_namespace = false;
    return o;
}
inline SpecOptions in_pod(const std::string& sandbox_id) {
    SpecOptions o;
    o.sandbox_id = sandbox_id;
    return o;
}

// Environment of the test process as a vector, minus variables named in `drop`.
std::vector<std::string> base_env(const std::vector<std::string>& drop = {});

}  // namespace itest
