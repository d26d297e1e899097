// The runtime gets exactly the fds the shim handed to runcwrap: 0-2, an extra socket, the fds
// --preserve-fds passes on, and nothing runcwrap opened itself. A `#!` script runtime works
// and has no extra fd open either (it is exec'd by path, not through /dev/fd/N).
#include <fcntl.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "wrap_fixture.hpp"

namespace itest {
namespace {

constexpr const char* kDropped = R"({"io_uid":100000,"io_gid":100000})";

std::vector<int> fd_numbers(const ProbeCall& p) {
    std::vector<int> out;
    for (const auto& [fd, _] : p.fds) out.push_back(fd);
    return out;
}

class Fds : public ::testing::TestWithParam<Install> {};

TEST_P(Fds, ScriptRuntimeRunsWithNoExtraFd) {
    WrapFixture f(GetParam());
    const std::string script = f.T + "/opt/script/runc-script";
    write_script(script, "echo \"script $0 $*\" >> '" + f.T + "/script.marker'\nexec '" +
                             probe_bin() + "' \"$@\"\n");
    f.write_side("[options]\nBinaryName = \"" + script + "\"\nSystemdCgroup = true\n");
    f.tree.make_bundle("c1", kDropped, spec_json(no_user_ns()));
    auto args = f.create_args("c1");
    Captured c = run_captured(f.shim_call(args, 9));
    EXPECT_EQ(c.exit.code, 9) << c.err;
    EXPECT_EQ(c.err, "");
    EXPECT_EQ(read_file(f.T + "/script.marker").rfind("script " + script + " --root", 0), 0u)
        << "the script ran, with its own path as $0: " << read_file(f.T + "/script.marker");
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(fd_numbers(calls[0]), (std::vector<int>{0, 1, 2}))
        << "no fd of runcwrap (nor a /dev/fd/N for the script) may stay open";
    EXPECT_EQ(count_of(calls[0].argv, "--systemd-cgroup"), 1);
}

TEST_P(Fds, BinaryRuntimeGetsExactlyTheInheritedFds) {
    WrapFixture f(GetParam());
    f.write_side("[options]\nBinaryName = \"" + f.real_runtime + "\"\n");
    f.tree.make_bundle("c1", kDropped, spec_json(no_user_ns()));

    // fd 3: a socket (as the shim's create call has); fds 4 and 5: --preserve-fds 3 passes 3..5.
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    Fd sock(sv[0]), peer(sv[1]);
    Pipe extra = make_pipe();
    Fd file(::open((f.T + "/extra-file").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();

    auto args = f.create_args("c1");
    args.insert(args.end() - 1, {"--preserve-fds", "3"});
    Spawn s = f.shim_call(args);
    s.fds = {{0, in.read.get()}, {1, out.write.get()},   {2, err.write.get()},
             {3, sock.get()},    {4, extra.write.get()}, {5, file.get()}};
    Exit e = run(s);
    EXPECT_EQ(e.code, 0);
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(fd_numbers(calls[0]), (std::vector<int>{0, 1, 2, 3, 4, 5}));
    for (const auto& [fd, parent] : s.fds) {
        if (!calls[0].fds.count(fd)) continue;
        struct stat st = fstat_of(parent);
        EXPECT_EQ(calls[0].fds.at(fd).ino, st.st_ino) << "fd " << fd << " is the same file";
        EXPECT_EQ(calls[0].fds.at(fd).dev, st.st_dev) << "fd " << fd;
    }
    EXPECT_EQ(tail(calls[0].argv), args);
    out.write.reset();
    err.write.reset();
    EXPECT_EQ(drain(out.read.get()), "");
    EXPECT_EQ(drain(err.read.get()), "");
}

// A closed fd 0-2 stays closed: runcwrap must not fill the hole with one of its own files.
TEST_P(Fds, ClosedStdioStaysClosed) {
    WrapFixture f(GetParam());
    f.write_side("[options]\nBinaryName = \"" + f.real_runtime + "\"\n");
    f.tree.make_bundle("c1", kDropped, spec_json({}));
    Spawn s = f.shim_call(f.create_args("c1"));
    Pipe err = make_pipe();
    s.fds = {{2, err.write.get()}};  // 0 and 1 closed
    Exit e = run(s);
    EXPECT_EQ(e.code, 0);
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(fd_numbers(calls[0]), (std::vector<int>{2}));
}

INSTANTIATE_TEST_SUITE_P(Install, Fds, ::testing::Values(Install::Symlink, Install::Copy),
                         [](const auto& p) {
                             return std::string(p.param == Install::Symlink ? "symlink" : "copy");
                         });

}  // namespace
}  // namespace itest
