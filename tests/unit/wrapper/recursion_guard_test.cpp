// RUNCWRAP_DEPTH=<depth>[:<dev>.<ino>,...]: the recursion guard's text form.
#include <gtest/gtest.h>

#include <string>

#include "wrapper/recursion_guard.hpp"

namespace runcwrap {
namespace {

TEST(RecursionGuard, DepthOnly) {
    auto zero = parse_call_chain("0");
    ASSERT_TRUE(zero);
    EXPECT_EQ(zero->depth, 0);
    EXPECT_TRUE(zero->runtimes.empty());
    auto three = parse_call_chain("3");
    ASSERT_TRUE(three);
    EXPECT_EQ(three->depth, 3);
    EXPECT_EQ(format_call_chain(*three), "3");
    EXPECT_EQ(format_call_chain(CallChain{}), "0");
}

TEST(RecursionGuard, WithRuntimes) {
    auto chain = parse_call_chain("2:803.1a2b,fd00.ffffffffffffffff");
    ASSERT_TRUE(chain);
    EXPECT_EQ(chain->depth, 2);
    ASSERT_EQ(chain->runtimes.size(), 2u);
    EXPECT_EQ(chain->runtimes[0], (FileIdentity{0x803, 0x1a2b}));
    EXPECT_EQ(chain->runtimes[1], (FileIdentity{0xfd00, 0xffffffffffffffffull}));
    EXPECT_TRUE(chain->contains(FileIdentity{0x803, 0x1a2b}));
    EXPECT_FALSE(chain->contains(FileIdentity{0x803, 0x1a2c}));
    EXPECT_FALSE(chain->contains(FileIdentity{0x1a2b, 0x803}));
    // Upper-case hex is read too.
    auto upper = parse_call_chain("1:FD00.ABC");
    ASSERT_TRUE(upper);
    EXPECT_EQ(upper->runtimes[0], (FileIdentity{0xfd00, 0xabc}));
}

TEST(RecursionGuard, RoundTrip) {
    CallChain chain;
    EXPECT_EQ(format_call_chain(chain), "0");
    chain = chain.with(FileIdentity{0x803, 0x1234});
    EXPECT_EQ(chain.depth, 1);
    EXPECT_EQ(format_call_chain(chain), "1:803.1234");
    chain = chain.with(FileIdentity{0, 0}).with(FileIdentity{~0ull, ~0ull});
    EXPECT_EQ(chain.depth, 3);
    const std::string text = format_call_chain(chain);
    EXPECT_EQ(text, "3:803.1234,0.0,ffffffffffffffff.ffffffffffffffff");
    auto back = parse_call_chain(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->depth, chain.depth);
    EXPECT_EQ(back->runtimes, chain.runtimes);
    EXPECT_EQ(format_call_chain(*back), text);
    // with() does not change the original.
    CallChain base;
    CallChain next = base.with(FileIdentity{1, 2});
    EXPECT_EQ(base.depth, 0);
    EXPECT_TRUE(base.runtimes.empty());
    EXPECT_EQ(next.runtimes.size(), 1u);
}

TEST(RecursionGuard, Malformed) {
    for (auto bad : {"",
                     "x",
                     "-1",
                     "+1",
                     " 1",
                     "1 ",
                     "1.5",
                     "0x1",
                     "1001",
                     "99999999999999999999",
                     "1:",
                     "1:,",
                     "1:803",
                     "1:803.",
                     "1:.1a",
                     "1:803.1a,",
                     "1:803.1a,,fd.1",
                     "1:803.zz",
                     "1:0x803.1a",
                     "1:803.1a.2",
                     "1;803.1a",
                     ":803.1a",
                     "1:803.1a:fd.2",
                     "1:-803.1a"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(parse_call_chain(bad));
    }
    // The largest accepted depth; anything past kMaxDepth is the plan's "loop" error, not a
    // parse error.
    EXPECT_TRUE(parse_call_chain("1000"));
    EXPECT_TRUE(parse_call_chain("4"));
}

}  // namespace
}  // namespace runcwrap
