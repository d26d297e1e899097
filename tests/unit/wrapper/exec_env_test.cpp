// The runtime's environment: the caller's, unchanged, but for RUNCWRAP_DEPTH.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/environment.hpp"
#include "wrapper/exec.hpp"

namespace runcwrap {
namespace {

using Vars = std::vector<std::string>;

Vars without_guard(const Vars& vars) {
    Vars out;
    for (const auto& v : vars)
        if (v.rfind("RUNCWRAP_DEPTH=", 0) != 0) out.push_back(v);
    return out;
}

long guard_count(const Vars& vars) {
    return std::count_if(vars.begin(), vars.end(),
                         [](const std::string& v) { return v.rfind("RUNCWRAP_DEPTH=", 0) == 0; });
}

// The shim's environment from the samples (d/01-create.txt).
const std::vector<std::string_view> kShimEnv{
    "PATH=/tmp/ctd-e2e/opt/bin:/tmp/ctd-e2e/bin", "HOME=/root",
    "LD_LIBRARY_PATH=/tmp/ctd-e2e/opt/lib:", "TTRPC_ADDRESS=/tmp/ctd-e2e/containerd.sock.ttrpc",
    "GOMAXPROCS=4"};

TEST(ExecEnv, AddsTheGuardAndKeepsEverythingElseInOrder) {
    Environment env(kShimEnv);
    CallChain next = CallChain{}.with(FileIdentity{0x803, 0x42});
    Vars out = environment_for_runtime(env, next);
    EXPECT_EQ(without_guard(out), Vars(kShimEnv.begin(), kShimEnv.end()));
    EXPECT_EQ(guard_count(out), 1);
    EXPECT_NE(std::find(out.begin(), out.end(), "RUNCWRAP_DEPTH=1:803.42"), out.end());
    EXPECT_EQ(out.size(), kShimEnv.size() + 1);
}

TEST(ExecEnv, ReplacesAnExistingGuard) {
    Environment env(std::vector<std::string_view>{"A=1", "RUNCWRAP_DEPTH=1:803.42", "B=2",
                                                  "RUNCWRAP_DEPTH=7", "C=3"});
    CallChain chain = *parse_call_chain("1:803.42");
    Vars out = environment_for_runtime(env, chain.with(FileIdentity{0xfd00, 0x99}));
    EXPECT_EQ(without_guard(out), (Vars{"A=1", "B=2", "C=3"}));
    EXPECT_EQ(guard_count(out), 1);  // every old copy gone, one new one
    EXPECT_NE(std::find(out.begin(), out.end(), "RUNCWRAP_DEPTH=2:803.42,fd00.99"), out.end());
}

TEST(ExecEnv, KeepsLookAlikesAndOddEntries) {
    // Only the exact variable is runcwrap's; similar names, empty values and entries without
    // '=' belong to the caller and go through untouched, in order.
    const std::vector<std::string_view> vars{"RUNCWRAP_DEPTHX=1",
                                             "XRUNCWRAP_DEPTH=1",
                                             "runcwrap_depth=1",
                                             "RUNCWRAP_DEPTH",
                                             "EMPTY=",
                                             "NOEQUALS",
                                             "=weird",
                                             "PATH=/usr/bin",
                                             "RUNCWRAP_CONFIG=/etc/x.toml",
                                             "MULTI=a=b=c"};
    Environment env(vars);
    Vars out = environment_for_runtime(env, CallChain{}.with(FileIdentity{1, 2}));
    EXPECT_EQ(without_guard(out), Vars(vars.begin(), vars.end()));
    EXPECT_EQ(guard_count(out), 1);
}

TEST(ExecEnv, EmptyEnvironment) {
    Environment env(std::vector<std::string_view>{});
    Vars out = environment_for_runtime(env, CallChain{}.with(FileIdentity{0xa, 0xb}));
    EXPECT_EQ(out, (Vars{"RUNCWRAP_DEPTH=1:a.b"}));
}

TEST(ExecEnv, EnvironmentGet) {
    Environment env(std::vector<std::string_view>{"A=1", "AB=2", "RUNCWRAP_DEPTH=0",
                                                  "EMPTY=", "NOEQ", "A=shadowed"});
    EXPECT_EQ(env.get("A"), "1");  // the first one, as getenv(3)
    EXPECT_EQ(env.get("AB"), "2");
    EXPECT_EQ(env.get("RUNCWRAP_DEPTH"), "0");
    EXPECT_EQ(env.get("EMPTY"), "");
    EXPECT_FALSE(env.get("NOEQ"));
    EXPECT_FALSE(env.get("B"));
    EXPECT_FALSE(env.get("RUNCWRAP"));

    // From a real envp array.
    char a[] = "X=1", b[] = "Y=2";
    char* envp[] = {a, b, nullptr};
    Environment from_envp(envp);
    EXPECT_EQ(from_envp.vars().size(), 2u);
    EXPECT_EQ(from_envp.get("Y"), "2");
    Environment none(static_cast<char**>(nullptr));
    EXPECT_TRUE(none.vars().empty());
}

}  // namespace
}  // namespace runcwrap
