// Issue #3 with real pipes, as root: for a user-namespaced container runcwrap fchowns the stdio
// pipes it was given (root-owned 0600, as containerd makes them) to the process user's mapped
// host ids before exec; it never touches /dev/null, a file, a tty, a socket or a named FIFO.
// The probe fstat's its fds 0-2 after the exec; the test also fstat's its own ends.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "wrap_fixture.hpp"

namespace itest {
namespace {

constexpr const char* kDropped = R"({"io_uid":100000,"io_gid":100000})";

struct Owner {
    uid_t uid;
    gid_t gid;
    unsigned mode;
    bool operator==(const Owner&) const = default;
};
std::ostream& operator<<(std::ostream& o, const Owner& w) {
    return o << w.uid << ":" << w.gid << " mode " << std::oct << w.mode << std::dec;
}
Owner owner_of(int fd) {
    struct stat st = fstat_of(fd);
    return {st.st_uid, st.st_gid, static_cast<unsigned>(st.st_mode & 07777)};
}

struct StdioRun {
    WrapFixture f;
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();

    explicit StdioRun(const SpecOptions& spec, const std::string& side_extra = "") {
        f.write_side("[options]\nBinaryName = \"" + f.real_runtime + "\"\n" + side_extra);
        f.tree.make_bundle("c1", kDropped, spec_json(spec));
        for (int fd : {in.read.get(), out.read.get(), err.read.get()})
            EXPECT_EQ(owner_of(fd), (Owner{0, 0, 0600})) << "pipes start root-owned 0600";
    }
    // Runs runcwrap with the three pipes as stdio (or the given fds).
    ProbeCall call(const std::vector<std::string>& args, std::map<int, int> fds = {},
                   int probe_exit = 0) {
        Spawn s = f.shim_call(args, probe_exit);
        s.fds = {{0, in.read.get()}, {1, out.write.get()}, {2, err.write.get()}};
        for (auto [k, v] : fds) s.fds[k] = v;
        Exit e = run(s);
        EXPECT_EQ(e.code, probe_exit);
        auto calls = f.probe_calls();
        EXPECT_EQ(calls.size(), 1u);
        ::unlink(f.record.c_str());
        return calls.empty() ? ProbeCall{} : calls[0];
    }
    std::vector<std::string> exec_args(std::vector<std::string> flags) const {
        auto a = f.globals(f.tree.bundle("c1"));
        a.push_back("exec");
        a.insert(a.end(), flags.begin(), flags.end());
        for (const char* s : {"--detach", "--pid-file"}) a.push_back(s);
        a.push_back(f.tree.bundle("c1") + "/x1.pid");
        a.push_back("c1");
        return a;
    }
};

void expect_probe_owner(const ProbeCall& p, int fd, Owner want) {
    ASSERT_TRUE(p.fds.count(fd)) << "fd " << fd;
    const ProbeFd& pf = p.fds.at(fd);
    EXPECT_EQ((Owner{pf.uid, pf.gid, pf.mode}), want)
        << "fd " << fd << " (" << pf.target << ") as the runtime saw it";
}

TEST(StdioOwner, PipesBecomeTheMappedRootOfTheUserNamespace) {
    StdioRun r(SpecOptions{});
    ProbeCall p = r.call(r.f.create_args("c1"));
    for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {100000, 100000, 0600});
    EXPECT_EQ(owner_of(r.in.write.get()), (Owner{100000, 100000, 0600})) << "the whole pipe inode";
    EXPECT_EQ(owner_of(r.out.read.get()), (Owner{100000, 100000, 0600}));
    EXPECT_EQ(owner_of(r.err.read.get()), (Owner{100000, 100000, 0600}));
}

TEST(StdioOwner, RunAndRestoreChownToo) {
    for (const char* cmd : {"run", "restore"}) {
        SCOPED_TRACE(cmd);
        StdioRun r(SpecOptions{});
        auto args = r.f.create_args("c1");
        args[6] = cmd;
        ProbeCall p = r.call(args);
        for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {100000, 100000, 0600});
    }
}

TEST(StdioOwner, NonRootUserThroughSeveralRanges) {
    SpecOptions spec;
    spec.uid = 1000;
    spec.gid = 1000;
    spec.uid_mappings =
        R"([{"containerID":0,"hostID":100000,"size":1000},{"containerID":1000,"hostID":300000,"size":1000}])";
    spec.gid_mappings =
        R"([{"containerID":0,"hostID":100000,"size":500},{"containerID":500,"hostID":400000,"size":1000}])";
    StdioRun r(spec);
    ProbeCall p = r.call(r.f.create_args("c1"));
    for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {300000, 400500, 0600});
}

TEST(StdioOwner, HostObjectsKeepTheirOwnerAndMode) {
    StdioRun r(SpecOptions{});
    // /dev/null, a regular file, a pty, a socket, a named FIFO: all host objects.
    Fd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const std::string file_path = r.f.T + "/stdout.log";
    write_file(file_path, "", 0640);
    Fd file(::open(file_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    Fd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    ASSERT_TRUE(master.valid());
    ASSERT_EQ(::grantpt(master.get()), 0);
    ASSERT_EQ(::unlockpt(master.get()), 0);
    Fd pty(::open(::ptsname(master.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
    ASSERT_TRUE(pty.valid());
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    Fd sock(sv[0]), peer(sv[1]);
    const std::string fifo_path = r.f.T + "/named.fifo";
    ASSERT_EQ(::mkfifo(fifo_path.c_str(), 0600), 0);
    Fd fifo(::open(fifo_path.c_str(), O_RDWR | O_CLOEXEC));

    struct Case {
        const char* what;
        int fds[3];
    };
    const Case cases[] = {{"/dev/null, file, pty", {devnull.get(), file.get(), pty.get()}},
                          {"socket, pty, named fifo", {sock.get(), pty.get(), fifo.get()}}};
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        Owner before[3];
        for (int i = 0; i < 3; ++i) before[i] = owner_of(c.fds[i]);
        ProbeCall p = r.call(r.f.create_args("c1"), {{0, c.fds[0]}, {1, c.fds[1]}, {2, c.fds[2]}});
        for (int i = 0; i < 3; ++i) {
            expect_probe_owner(p, i, before[i]);
            EXPECT_EQ(owner_of(c.fds[i]), before[i]) << "fd " << i;
        }
    }
    EXPECT_EQ(stat_of("/dev/null").st_uid, 0u);
    EXPECT_EQ(stat_of("/dev/null").st_mode & 0777, 0666u);

    // Mixed: only the pipe among them is chowned.
    ProbeCall p = r.call(r.f.create_args("c1"), {{0, devnull.get()}, {2, sock.get()}});
    expect_probe_owner(p, 1, {100000, 100000, 0600});
    EXPECT_EQ(p.fds.at(0).uid, 0u);
    EXPECT_EQ(p.fds.at(2).uid, 0u);
}

TEST(StdioOwner, NoUserNamespaceLeavesPipesAlone) {
    StdioRun r(no_user_ns());
    ProbeCall p = r.call(r.f.create_args("c1"));
    for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {0, 0, 0600});
}

TEST(StdioOwner, ChownStdioFalseTurnsItOff) {
    StdioRun r(SpecOptions{}, "[runcwrap]\nChownStdio = false\n");
    ProbeCall p = r.call(r.f.create_args("c1"));
    for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {0, 0, 0600});
}

TEST(StdioOwner, CommandsWithoutContainerStdioLeavePipesAlone) {
    StdioRun r(SpecOptions{});
    for (const char* cmd : {"start", "kill", "delete", "ps"}) {
        SCOPED_TRACE(cmd);
        auto args = r.f.globals(r.f.tree.bundle("c1"));
        args.push_back(cmd);
        args.push_back("c1");
        ProbeCall p = r.call(args);
        for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {0, 0, 0600});
    }
}

TEST(StdioOwner, ExecProcessFileUser) {
    StdioRun r(SpecOptions{});
    const std::string process = r.f.T + "/tmp/runc-process123";
    write_file(process, R"({"user":{"uid":5,"gid":6},"args":["/bin/sh"],"cwd":"/"})", 0600);
    ProbeCall p = r.call(r.exec_args({"--process", process}));
    for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {100005, 100006, 0600});
}

TEST(StdioOwner, ExecUserFlag) {
    {
        StdioRun r(SpecOptions{});
        ProbeCall p = r.call(r.exec_args({"--user", "5:6"}));
        for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {100005, 100006, 0600});
    }
    {
        // -u UID keeps the container process's gid (0 -> 100000).
        StdioRun r(SpecOptions{});
        ProbeCall p = r.call(r.exec_args({"-u", "7"}));
        for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {100007, 100000, 0600});
    }
}

// exec into a container whose spec joins a user namespace by path, without mappings: runc's
// state.json holds them.
TEST(StdioOwner, ExecMappingsFromRuncState) {
    SpecOptions spec;
    spec.uid_mappings = "[]";
    spec.gid_mappings = "[]";
    StdioRun r(spec);
    const std::string root = r.f.T + "/runc-root";
    write_file(root + "/c1/state.json",
               R"({"id":"c1","init_process_pid":0,"config":{"labels":["bundle=)" +
                   r.f.tree.bundle("c1") +
                   R"("],"uid_mappings":[{"container_id":0,"host_id":200000,"size":65536}],)"
                   R"("gid_mappings":[{"container_id":0,"host_id":210000,"size":65536}]}})",
               0600);
    auto args = r.exec_args({"--user", "1:2"});
    args[1] = root;
    args[3] = r.f.T + "/elsewhere/log.json";  // not the bundle: found through state.json
    ProbeCall p = r.call(args);
    for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {200001, 210002, 0600});
}

TEST(StdioOwner, UnmappedUserIsNotChownedAndStillExecs) {
    SpecOptions spec;
    spec.uid = 70000;
    spec.gid = 70000;
    StdioRun r(spec);
    ProbeCall p = r.call(r.f.create_args("c1"), {}, 4);
    EXPECT_EQ(p.exit, 4);
    for (int fd : {0, 1, 2}) expect_probe_owner(p, fd, {0, 0, 0600});
}

}  // namespace
}  // namespace itest
