// Replays every runc call the containerd 1.6.20 shim really made for a detached user-namespace
// container (tests/fixtures/shim-1.6.20/d) through runcwrap installed as `runc`, against a fake
// state tree, with the probe as the configured runtime. The probe must see the very same call: argv
// (plus exactly the restored flags), env (plus RUNCWRAP_DEPTH), cwd, and the same fds.
#include <fcntl.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "harness.hpp"

namespace itest {
namespace {

constexpr const char* kSampleRoot = "/tmp/ctd-e2e";

struct Variant {
    const char* name;
    bool systemd_cgroup = false;
    bool root = false;
    bool no_pivot = false;
    bool no_new_keyring = false;
    bool root_owned_pipes = false;  // as a containerd that lost IoUid/IoGid leaves them
    Install install = Install::Symlink;
};

std::string command_of(const std::string& sample_file) {
    std::string base = sample_file.substr(sample_file.rfind('/') + 1);  // NN-cmd.txt
    return base.substr(3, base.size() - 7);
}

// The argv the runtime must get, written from the restore rules: --root's containerd default
// prefix replaced by Root (every command); --systemd-cgroup last among the globals, --no-pivot
// and --no-new-keyring just before the id, on create only.
std::vector<std::string> expected_args(std::vector<std::string> args, const std::string& cmd,
                                       const Variant& v, const std::string& alt_root) {
    if (v.root) {
        for (std::size_t i = 0; i + 1 < args.size(); ++i)
            if (args[i] == "--root" && args[i + 1] == "/run/containerd/runc/e2e")
                args[i + 1] = alt_root + "/e2e";
    }
    if (cmd != "create") return args;
    if (v.no_new_keyring) args.insert(args.end() - 1, "--no-new-keyring");
    if (v.no_pivot) args.insert(args.end() - 1 - (v.no_new_keyring ? 1 : 0), "--no-pivot");
    if (v.systemd_cgroup) {
        auto at = std::find(args.begin(), args.end(), cmd);
        args.insert(at, "--systemd-cgroup");
    }
    return args;
}

void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

class ReplayD : public ::testing::TestWithParam<Variant> {};

TEST_P(ReplayD, EveryShimCallReachesTheRuntimeUnchangedButForRestoredFlags) {
    const Variant& v = GetParam();
    auto calls = sample_calls(samples_dir() + "/d");
    ASSERT_EQ(calls.size(), 10u) << "samples/d should hold 10 calls";
    const std::string config_json = read_file(samples_dir() + "/d/01-create-config.json");
    ASSERT_FALSE(config_json.empty());

    for (const auto& file : calls) {
        SCOPED_TRACE(file);
        const std::string cmd = command_of(file);
        SampleCall sample = parse_sample(file);
        ASSERT_FALSE(sample.argv.empty());
        ASSERT_EQ(sample.options_json, R"({"io_uid":100000,"io_gid":100000})");

        TempDir t;
        const std::string T = t.path();
        auto rewrite = [&](const std::string& s) {
            return replace_all(replace_all(s, kSampleRoot, T), "/tmp/runc-process",
                               T + "/tmp/runc-process");
        };
        StateTree tree = make_state_tree(T);
        tree.make_bundle("d", sample.options_json, rewrite(config_json));
        const std::string runc = install_runcwrap(T + "/bin", v.install);
        const std::string probe = T + "/opt/probe/runtime";
        install_probe(probe);
        const std::string alt_root = T + "/altroot";
        std::string toml = "[options]\nBinaryName = \"" + probe + "\"\n";
        if (v.systemd_cgroup) toml += "SystemdCgroup = true\n";
        if (v.root) toml += "Root = \"" + alt_root + "\"\n";
        if (v.no_pivot) toml += "NoPivotRoot = true\n";
        if (v.no_new_keyring) toml += "NoNewKeyring = true\n";
        write_file(T + "/etc/runcwrap/config.toml", toml, 0644);
        if (!sample.process_file.empty()) {
            ASSERT_FALSE(sample.process_json.empty());
            write_file(rewrite(sample.process_file), sample.process_json, 0600);
        }
        const std::string record = T + "/probe.rec";

        // The fds the shim handed over: one real pipe per pipe inode, /dev/null, sockets.
        std::map<std::string, std::unique_ptr<Pipe>> pipes;
        std::vector<Fd> keep;
        std::vector<Fd> socket_peers;
        Spawn s;
        std::map<int, int> read_ends;  // fd 1/2 of the call -> our read end, to check silence
        std::map<int, uid_t> expected_uid;
        for (const auto& f : sample.fds) {
            if (f.target.rfind("pipe:[", 0) == 0) {
                auto& p = pipes[f.target];
                if (!p) {
                    p = std::make_unique<Pipe>(make_pipe());
                    uid_t owner = v.root_owned_pipes ? 0 : f.uid;
                    gid_t group = v.root_owned_pipes ? 0 : f.gid;
                    ASSERT_EQ(::fchown(p->read.get(), owner, group), 0);
                }
                s.fds[f.fd] = f.fd == 0 ? p->read.get() : p->write.get();
                if (f.fd != 0) read_ends[f.fd] = p->read.get();
                const bool chowned = v.root_owned_pipes && (cmd == "create" || cmd == "exec");
                expected_uid[f.fd] = chowned ? 100000 : (v.root_owned_pipes ? 0 : f.uid);
            } else if (f.target == "/dev/null") {
                keep.emplace_back(
                    ::open("/dev/null", (f.fd == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC));
                s.fds[f.fd] = keep.back().get();
                expected_uid[f.fd] = 0;
            } else if (f.target.rfind("socket:[", 0) == 0) {
                int sv[2];
                ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
                keep.emplace_back(sv[0]);
                socket_peers.emplace_back(sv[1]);
                s.fds[f.fd] = sv[0];
                expected_uid[f.fd] = 0;
            } else {
                FAIL() << "unexpected fd in sample: " << f.target;
            }
        }
        ASSERT_TRUE(s.fds.count(0) && s.fds.count(1) && s.fds.count(2));

        s.path = runc;
        s.argv.push_back("runc");  // the shim (Go os/exec) passes argv[0] = "runc"
        for (const auto& a : sample.argv) s.argv.push_back(rewrite(a));
        for (const auto& e : sample.env) s.env.push_back(rewrite(e));
        s.env.push_back("RUNCWRAP_CONFIG=" + T + "/etc/runcwrap/config.toml");
        s.env.push_back("PROBE_RECORD=" + record);
        s.env.push_back("PROBE_EXIT=7");
        s.cwd = rewrite(sample.cwd);
        ASSERT_TRUE(path_exists(s.cwd));

        Exit e = run(s);
        EXPECT_EQ(e.code, 7) << "runcwrap must return the runtime's own exit code";

        auto records = read_probe_records(record);
        ASSERT_EQ(records.size(), 1u) << "the runtime must run exactly once";
        const ProbeCall& p = records[0];
        ASSERT_FALSE(p.argv.empty());
        EXPECT_EQ(p.argv[0], probe) << "argv[0] is the runtime's name as configured";
        std::vector<std::string> got(p.argv.begin() + 1, p.argv.end());
        std::vector<std::string> sent(s.argv.begin() + 1, s.argv.end());
        EXPECT_EQ(got, expected_args(sent, cmd, v, alt_root));

        std::vector<std::string> want_env = s.env;
        want_env.push_back("RUNCWRAP_DEPTH=1:" + identity_hex(probe));
        EXPECT_EQ(p.env, want_env);
        EXPECT_EQ(p.cwd, s.cwd);

        std::vector<int> want_fds;
        for (const auto& [fd, _] : s.fds) want_fds.push_back(fd);
        std::vector<int> got_fds;
        for (const auto& [fd, _] : p.fds) got_fds.push_back(fd);
        EXPECT_EQ(got_fds, want_fds) << "exactly the inherited fds, none of runcwrap's own";
        for (const auto& [fd, parent_fd] : s.fds) {
            if (!p.fds.count(fd)) continue;
            const ProbeFd& pf = p.fds.at(fd);
            struct stat st = fstat_of(parent_fd);
            EXPECT_EQ(pf.ino, st.st_ino) << "fd " << fd << " must be the very same file";
            EXPECT_EQ(pf.dev, st.st_dev) << "fd " << fd;
            EXPECT_EQ(pf.uid, expected_uid[fd]) << "owner of fd " << fd << " (" << pf.target << ")";
            EXPECT_EQ(st.st_uid, expected_uid[fd]) << "owner seen by the test, fd " << fd;
        }
        for (const auto& [fd, read_end] : read_ends)
            EXPECT_EQ(drain(read_end), "") << "runcwrap must write nothing to fd " << fd;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Variants, ReplayD,
    ::testing::Values(Variant{"plain_symlink", false, false, false, false, false, Install::Symlink},
                      Variant{"plain_copy", false, false, false, false, false, Install::Copy},
                      Variant{"systemd_root", true, true, false, false, false, Install::Symlink},
                      Variant{"systemd_root_copy", true, true, false, false, false, Install::Copy},
                      Variant{"nopivot_keyring", false, false, true, true, false, Install::Symlink},
                      Variant{"root_owned_pipes", true, true, false, false, true, Install::Copy}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace itest
