// runcwrap must never exec itself: a side file naming it (by path, symlink or hard link), a PATH
// that holds only runcwrap, and a recursion guard past depth 3 all stop with one clear error.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "wrap_fixture.hpp"

namespace itest {
namespace {

constexpr const char* kDropped = R"({"io_uid":100000,"io_gid":100000})";

int line_count(const std::string& s) {
    int n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

enum class Alias { Path, Symlink, HardLink };

class SelfLoop : public ::testing::TestWithParam<std::tuple<Alias, Install>> {};

TEST_P(SelfLoop, SideFileNamingRuncwrapIsRefusedWithTheFix) {
    auto [alias, how] = GetParam();
    WrapFixture f(how);
    std::string name;
    switch (alias) {
        case Alias::Path: name = f.runc; break;
        case Alias::Symlink:
            name = f.T + "/links/runc-symlink";
            make_dirs(f.T + "/links");
            ASSERT_EQ(::symlink(f.runc.c_str(), name.c_str()), 0);
            break;
        case Alias::HardLink: {
            // A hard link must be on runcwrap's own filesystem: link the installed copy (for the
            // symlink install, install a copy under another name first).
            std::string target = how == Install::Copy
                                     ? f.runc
                                     : install_runcwrap(f.T + "/bin", Install::Copy, "runc-copy");
            if (how == Install::Symlink) f.runc = target;  // run the copy so the identities match
            name = f.T + "/links/runc-hardlink";
            make_dirs(f.T + "/links");
            ASSERT_EQ(::link(target.c_str(), name.c_str()), 0);
            break;
        }
    }
    f.write_side("[options]\nBinaryName = \"" + name + "\"\n");
    f.tree.make_bundle("c1", kDropped, spec_json({}));

    for (const auto& args : {f.create_args("c1"), std::vector<std::string>{"--version"}}) {
        SCOPED_TRACE(args.back());
        Captured c = run_captured(f.shim_call(args));
        EXPECT_EQ(c.exit.code, 1);
        EXPECT_EQ(c.out, "");
        EXPECT_EQ(line_count(c.err), 1) << c.err;
        EXPECT_EQ(c.err.rfind("runcwrap: ", 0), 0u) << c.err;
        EXPECT_NE(c.err.find(f.side_file), std::string::npos) << "names the side file: " << c.err;
        EXPECT_NE(c.err.find("runcwrap itself"), std::string::npos) << c.err;
        EXPECT_NE(c.err.find("fix:"), std::string::npos) << c.err;
        EXPECT_TRUE(f.probe_calls().empty());
    }
}

std::string alias_name(const ::testing::TestParamInfo<std::tuple<Alias, Install>>& i) {
    static const char* const names[] = {"path", "symlink", "hardlink"};
    return std::string(names[static_cast<int>(std::get<0>(i.param))]) +
           (std::get<1>(i.param) == Install::Symlink ? "_symlink_install" : "_copy_install");
}

INSTANTIATE_TEST_SUITE_P(Aliases, SelfLoop,
                         ::testing::Combine(::testing::Values(Alias::Path, Alias::Symlink,
                                                              Alias::HardLink),
                                            ::testing::Values(Install::Symlink, Install::Copy)),
                         alias_name);

TEST(SelfLoopPath, PathHoldingOnlyRuncwrapIsAClearError) {
    for (Install how : {Install::Symlink, Install::Copy}) {
        WrapFixture f(how);
        Spawn s = f.shim_call({"--version"});
        s.env[0] = "PATH=" + f.T + "/bin";
        Captured c = run_captured(s);
        EXPECT_EQ(c.exit.code, 1);
        EXPECT_EQ(line_count(c.err), 1) << c.err;
        EXPECT_EQ(c.err.rfind("runcwrap: ", 0), 0u) << c.err;
        EXPECT_NE(c.err.find(f.T + "/bin"), std::string::npos)
            << "shows the PATH searched: " << c.err;
        EXPECT_NE(c.err.find("fix:"), std::string::npos) << c.err;
        EXPECT_TRUE(f.probe_calls().empty());

        // runcwrap twice in PATH (and, for the copy install, a second runcwrap file with another
        // inode): the chain still ends in one clear error, never a loop, never the probe.
        install_runcwrap(f.T + "/bin2", Install::Symlink);
        s.env[0] = "PATH=" + f.T + "/bin:" + f.T + "/bin2";
        c = run_captured(s);
        EXPECT_EQ(c.exit.code, 1) << c.err;
        EXPECT_EQ(line_count(c.err), 1) << c.err;
        EXPECT_TRUE(f.probe_calls().empty());
    }
}

TEST(SelfLoopDepth, DepthThreeIsAnError) {
    WrapFixture f;
    f.write_side("[options]\nBinaryName = \"" + f.real_runtime + "\"\n");
    Spawn s = f.shim_call({"--version"});
    s.env.push_back("RUNCWRAP_DEPTH=3");
    Captured c = run_captured(s);
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_EQ(line_count(c.err), 1) << c.err;
    EXPECT_NE(c.err.find("RUNCWRAP_DEPTH"), std::string::npos) << c.err;
    EXPECT_TRUE(f.probe_calls().empty());

    // Depth 2 is still allowed (S4 nests once more) and goes to the real runc.
    s.env.back() = "RUNCWRAP_DEPTH=2";
    c = run_captured(s);
    EXPECT_EQ(c.exit.code, 0) << c.err;
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].getenv("RUNCWRAP_DEPTH"), "3:" + identity_hex(f.real_runtime));

    // A malformed guard is refused, not ignored.
    s.env.back() = "RUNCWRAP_DEPTH=x";
    c = run_captured(s);
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_NE(c.err.find("RUNCWRAP_DEPTH"), std::string::npos) << c.err;
}

// A runtime that already ran in this chain is not run again, even under another name.
TEST(SelfLoopDepth, RuntimeAlreadyInChainIsSkipped) {
    WrapFixture f;
    Spawn s = f.shim_call({"--version"});
    s.env.push_back("RUNCWRAP_DEPTH=1:" + identity_hex(f.T + "/realbin/runc"));
    Captured c = run_captured(s);
    EXPECT_EQ(c.exit.code, 1) << "the only other runc already ran";
    EXPECT_NE(c.err.find("already ran"), std::string::npos) << c.err;
    EXPECT_TRUE(f.probe_calls().empty());
}

// Another copy of runcwrap (another inode, so not "itself" by device+inode) is known by its ELF
// note: named as BinaryName it is refused with the fix; met in PATH it is passed over for the
// real runtime that follows it.
TEST(SelfLoopCopy, AnotherCopyAsBinaryNameIsRefused) {
    WrapFixture f;
    const std::string copy = install_runcwrap(f.T + "/opt/copy", Install::Copy, "runc");
    f.write_side("[options]\nBinaryName = \"" + copy + "\"\n");
    Captured c = run_captured(f.shim_call({"--version"}));
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_EQ(c.out, "");
    EXPECT_EQ(line_count(c.err), 1) << c.err;
    EXPECT_NE(c.err.find(copy + ", which is another copy of runcwrap"), std::string::npos) << c.err;
    EXPECT_NE(c.err.find("fix:"), std::string::npos) << c.err;
    EXPECT_TRUE(f.probe_calls().empty());
}

TEST(SelfLoopCopy, AnotherCopyInPathIsPassedOver) {
    WrapFixture f;  // no side file: the next runc in PATH
    install_runcwrap(f.T + "/copybin", Install::Copy, "runc");
    Spawn s = f.shim_call({"--version"});
    s.env[0] = "PATH=" + f.T + "/bin:" + f.T + "/copybin:" + f.T + "/realbin";
    Captured c = run_captured(s);
    EXPECT_EQ(c.exit.code, 0) << c.err;
    EXPECT_EQ(c.err, "");
    auto calls = f.probe_calls();
    ASSERT_EQ(calls.size(), 1u) << "the real runtime after the copy ran, once";
    // It ran straight from the first runcwrap: the copy never ran (depth 1, not 2).
    EXPECT_EQ(calls[0].getenv("RUNCWRAP_DEPTH"), "1:" + identity_hex(f.T + "/realbin/runc"));

    // With nothing after the copy, a clear error that names it, never a run of the copy.
    s.env[0] = "PATH=" + f.T + "/bin:" + f.T + "/copybin";
    c = run_captured(s);
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_EQ(line_count(c.err), 1) << c.err;
    EXPECT_NE(c.err.find(f.T + "/copybin/runc: it is another copy of runcwrap"), std::string::npos)
        << c.err;
    EXPECT_EQ(f.probe_calls().size(), 1u);
}

// The wrapper knows runcwrap (itself or a copy) by its ELF note alone, with no /proc lookup on
// the hot path: with /proc hidden (an empty tmpfs over it, in a mount namespace of its own) a
// call still runs its runtime, runcwrap itself named as BinaryName is still refused (as "another
// copy": there is no /proc/self/exe to say "itself"), and runcwrap first in PATH is passed over.
bool is_dynamic(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    Elf64_Ehdr eh{};
    std::memcpy(&eh, head.data(), sizeof eh);
    for (std::size_t i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph{};
        const std::size_t at = eh.e_phoff + i * sizeof ph;
        if (at + sizeof ph > head.size()) break;
        std::memcpy(&ph, head.data() + at, sizeof ph);
        if (ph.p_type == PT_INTERP) return true;
    }
    return false;
}

Spawn without_proc(Spawn s) {
    std::vector<std::string> argv{"unshare",
                                  "--mount",
                                  "--propagation",
                                  "private",
                                  "/bin/sh",
                                  "-c",
                                  "/bin/mount -t tmpfs none /proc && exec \"$0\" \"$@\"",
                                  s.path};
    argv.insert(argv.end(), s.argv.begin() + 1, s.argv.end());
    s.path = "/usr/bin/unshare";
    s.argv = argv;
    return s;
}

TEST(SelfLoopNoProc, HotPathNeedsNoProcAndStillRefusesItself) {
    WrapFixture f(Install::Copy);
    if (is_dynamic(f.runc))
        GTEST_SKIP() << "a dynamic (sanitizer) build: its runtime reads /proc/self/maps at start; "
                        "this case runs against the static release binary";
    ASSERT_EQ(::access("/usr/bin/true", X_OK), 0);

    f.write_side("[options]\nBinaryName = \"/usr/bin/true\"\n");
    Captured c = run_captured(without_proc(f.shim_call({"--version"})));
    EXPECT_EQ(c.exit.code, 0) << c.err;
    EXPECT_EQ(c.err, "");

    f.write_side("[options]\nBinaryName = \"" + f.runc + "\"\n");
    c = run_captured(without_proc(f.shim_call({"--version"})));
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_EQ(line_count(c.err), 1) << c.err;
    EXPECT_NE(c.err.find(f.runc + ", which is another copy of runcwrap"), std::string::npos)
        << c.err;
    // The same call with /proc: the wording says which.
    c = run_captured(f.shim_call({"--version"}));
    EXPECT_NE(c.err.find(f.runc + ", which is runcwrap itself"), std::string::npos) << c.err;

    // No side file: runcwrap first in PATH is passed over for the runtime after it.
    ::unlink(f.side_file.c_str());
    make_dirs(f.T + "/truebin");
    ASSERT_EQ(::symlink("/usr/bin/true", (f.T + "/truebin/runc").c_str()), 0);
    Spawn s = f.shim_call({"--version"});
    s.env[0] = "PATH=" + f.T + "/bin:" + f.T + "/truebin";
    c = run_captured(without_proc(s));
    EXPECT_EQ(c.exit.code, 0) << c.err;
    EXPECT_EQ(c.err, "");
    EXPECT_TRUE(f.probe_calls().empty());
}

}  // namespace
}  // namespace itest
