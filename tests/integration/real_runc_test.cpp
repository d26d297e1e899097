// Issue #3 with the real runtime and a real user namespace: Debian's /usr/sbin/runc, a busybox
// rootfs owned by 100000, mappings 0 -> 100000. The container's process reopens
// /proc/self/fd/1 and /proc/self/fd/2 and writes to them. With root-owned 0600 stdio pipes (a
// containerd that lost IoUid/IoGid) that reopen fails with EACCES; through runcwrap the pipes
// are chowned to 100000 first and the output arrives.
//
// The runtime is started detached (`run --detach`, `exec --detach`), as containerd's shim does:
// only then does runc hand its own stdio to the container. Without --detach runc makes fresh
// pipes chowned to the container's root and copies between them, so the bug cannot show.
#include <fcntl.h>
#include <signal.h>

#include <gtest/gtest.h>

#include "harness.hpp"

namespace itest {
namespace {

constexpr const char* kRealRunc = "/usr/sbin/runc";
constexpr const char* kBusybox = "/bin/busybox";
constexpr const char* kReopen = "echo out > /proc/self/fd/1 && echo err > /proc/self/fd/2";

std::string config_json(const std::string& rootfs, const std::vector<std::string>& args) {
    std::string a;
    for (const auto& s : args) a += (a.empty() ? "\"" : ",\"") + s + "\"";
    return R"({"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},"args":[)" +
           a + R"(],"env":["PATH=/bin"],"cwd":"/","noNewPrivileges":true},"root":{"path":")" +
           rootfs +
           R"("},"hostname":"runcwrap-it","mounts":[{"destination":"/proc","type":"proc","source":"proc"},)"
           R"({"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]}],)"
           R"("linux":{"uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],)"
           R"("gidMappings":[{"containerID":0,"hostID":100000,"size":65536}],)"
           R"("namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"user"}]}})";
}

struct Output {
    Exit exit;
    std::string out;
    std::string err;
};

class RealRunc : public ::testing::Test {
  protected:
    void SetUp() override {
        // Not a skip: the suite's deps script installs both (apt-get install runc busybox-static).
        ASSERT_EQ(::access(kRealRunc, X_OK), 0) << kRealRunc << " missing: apt-get install -y runc";
        ASSERT_EQ(::access(kBusybox, X_OK), 0)
            << kBusybox << " missing: apt-get install -y busybox-static";
        ASSERT_EQ(::geteuid(), 0u) << "needs root";
        T = t.path();
        root = T + "/runc-root";
        rootfs = T + "/rootfs";
        ASSERT_NO_FATAL_FAILURE(
            make_busybox_rootfs(rootfs, {"sh", "sleep", "echo"}, 100000, 100000));
        write_file(T + "/run-bundle/config.json", config_json(rootfs, {"sh", "-c", kReopen}));
        write_file(T + "/sleep-bundle/config.json", config_json(rootfs, {"sleep", "300"}));
        runc = install_runcwrap(T + "/bin", Install::Copy);
        write_file(T + "/etc/runcwrap/config.toml",
                   std::string("[options]\nBinaryName = \"") + kRealRunc + "\"\n");
    }

    void TearDown() override {
        // Even after a failed assertion: never leave a container (or its cgroups) behind.
        for (const auto& id : ids) {
            Spawn s{
                kRealRunc, {"runc", "--root", root, "delete", "--force", id}, env(false), "", {}};
            run_captured(s);
        }
    }

    std::vector<std::string> env(bool through_runcwrap) const {
        std::vector<std::string> e = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root"};
        if (through_runcwrap) e.push_back("RUNCWRAP_CONFIG=" + T + "/etc/runcwrap/config.toml");
        return e;
    }

    std::string new_id(const char* what) {
        ids.push_back(std::string("rw-") + what + "-" + std::to_string(::getpid()) + "-" +
                      std::to_string(ids.size()));
        return ids.back();
    }

    // One runtime call with fresh root-owned 0600 pipes as stdio; reads both output pipes until
    // every holder (runc and the container's process) has closed them.
    Output call(bool through_runcwrap, const std::vector<std::string>& args) {
        Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
        for (int fd : {in.read.get(), out.read.get(), err.read.get()}) {
            struct stat st = fstat_of(fd);
            EXPECT_EQ(st.st_uid, 0u);
            EXPECT_EQ(st.st_mode & 0777, 0600u);
        }
        Spawn s;
        s.path = through_runcwrap ? runc : kRealRunc;
        s.argv = {"runc", "--root", root};
        s.argv.insert(s.argv.end(), args.begin(), args.end());
        s.env = env(through_runcwrap);
        s.cwd = T;
        s.fds = {{0, in.read.get()}, {1, out.write.get()}, {2, err.write.get()}};
        Output o;
        o.exit = run(s);
        out.write.reset();
        err.write.reset();
        in.read.reset();
        o.out = read_until_eof(out.read.get());
        o.err = read_until_eof(err.read.get());
        return o;
    }

    void start_sleeper(const std::string& id) {
        Spawn s{kRealRunc,
                {"runc", "--root", root, "run", "--detach", "--bundle", T + "/sleep-bundle", id},
                env(false),
                T,
                {}};
        Captured c = run_captured(s);
        ASSERT_EQ(c.exit.code, 0) << c.out << c.err;
    }

    TempDir t;
    std::string T, root, rootfs, runc;
    std::vector<std::string> ids;
};

TEST_F(RealRunc, RunWithoutRuncwrapFailsWithEacces) {
    Output o = call(false, {"run", "--detach", "--bundle", T + "/run-bundle", new_id("plain")});
    EXPECT_EQ(o.exit.code, 0) << "runc itself starts the container: " << o.err;
    EXPECT_EQ(o.out, "");
    EXPECT_NE(o.err.find("Permission denied"), std::string::npos) << o.err;
}

TEST_F(RealRunc, RunThroughRuncwrapSucceedsAndOutputArrives) {
    Output o = call(true, {"run", "--detach", "--bundle", T + "/run-bundle", new_id("wrapped")});
    EXPECT_EQ(o.exit.code, 0) << o.err;
    EXPECT_EQ(o.out, "out\n");
    EXPECT_EQ(o.err, "err\n");
}

TEST_F(RealRunc, ExecWithoutAndThroughRuncwrap) {
    const std::string id = new_id("sleep");
    start_sleeper(id);
    std::vector<std::string> exec = {"exec", "--detach", id, "sh", "-c", kReopen};

    Output plain = call(false, exec);
    EXPECT_EQ(plain.exit.code, 0) << plain.err;
    EXPECT_EQ(plain.out, "");
    EXPECT_NE(plain.err.find("Permission denied"), std::string::npos) << plain.err;

    // runcwrap finds the bundle through the bundle= label of <root>/<id>/state.json.
    Output wrapped = call(true, exec);
    EXPECT_EQ(wrapped.exit.code, 0) << wrapped.err;
    EXPECT_EQ(wrapped.out, "out\n");
    EXPECT_EQ(wrapped.err, "err\n");

    Spawn kill{kRealRunc, {"runc", "--root", root, "kill", id, "KILL"}, env(false), T, {}};
    Captured k = run_captured(kill);
    EXPECT_EQ(k.exit.code, 0) << k.err;
    Spawn del{runc, {"runc", "--root", root, "delete", "--force", id}, env(true), T, {}};
    Captured d = run_captured(del);
    EXPECT_EQ(d.exit.code, 0) << "delete through runcwrap: " << d.err;
}

}  // namespace
}  // namespace itest
