// Id mapping through user-namespace ranges, and the kernel's /proc/<pid>/uid_map text.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "wrapper/idmap.hpp"

namespace runcwrap {
namespace {

constexpr std::uint32_t kMax = 0xFFFFFFFFu;  // (uid_t)-1: never a valid id

TEST(IdMap, SingleRange) {
    const IdMappings m{{0, 100000, 65536}};
    EXPECT_EQ(map_to_host(m, 0), 100000u);
    EXPECT_EQ(map_to_host(m, 1), 100001u);
    EXPECT_EQ(map_to_host(m, 1000), 101000u);
    EXPECT_EQ(map_to_host(m, 65535), 165535u);       // last id of the range
    EXPECT_EQ(map_to_host(m, 65536), std::nullopt);  // one past it
    EXPECT_EQ(map_to_host(m, kMax), std::nullopt);
}

TEST(IdMap, RangeNotStartingAtZero) {
    const IdMappings m{{1000, 5000, 10}};
    EXPECT_EQ(map_to_host(m, 999), std::nullopt);
    EXPECT_EQ(map_to_host(m, 1000), 5000u);  // first id
    EXPECT_EQ(map_to_host(m, 1009), 5009u);  // last id
    EXPECT_EQ(map_to_host(m, 1010), std::nullopt);
    EXPECT_EQ(map_to_host(m, 0), std::nullopt);
}

TEST(IdMap, MultipleRanges) {
    // Kubernetes-style: root to one host id, the rest to a block, a hole, then one more range.
    const IdMappings m{{0, 1000, 1}, {1, 100000, 999}, {2000, 300000, 100}};
    EXPECT_EQ(map_to_host(m, 0), 1000u);
    EXPECT_EQ(map_to_host(m, 1), 100000u);
    EXPECT_EQ(map_to_host(m, 999), 100998u);
    EXPECT_EQ(map_to_host(m, 1000), std::nullopt);  // the hole
    EXPECT_EQ(map_to_host(m, 1999), std::nullopt);
    EXPECT_EQ(map_to_host(m, 2000), 300000u);
    EXPECT_EQ(map_to_host(m, 2099), 300099u);
    EXPECT_EQ(map_to_host(m, 2100), std::nullopt);

    // The order of the ranges does not matter for disjoint ranges.
    const IdMappings reversed{{2000, 300000, 100}, {1, 100000, 999}, {0, 1000, 1}};
    for (std::uint32_t id : {0u, 1u, 999u, 1000u, 2000u, 2099u, 2100u})
        EXPECT_EQ(map_to_host(reversed, id), map_to_host(m, id)) << id;
}

TEST(IdMap, SizeOneAndSizeZero) {
    const IdMappings one{{5, 7, 1}};
    EXPECT_EQ(map_to_host(one, 5), 7u);
    EXPECT_EQ(map_to_host(one, 4), std::nullopt);
    EXPECT_EQ(map_to_host(one, 6), std::nullopt);

    const IdMappings zero{{5, 7, 0}};
    EXPECT_EQ(map_to_host(zero, 5), std::nullopt);  // an empty range maps nothing
    const IdMappings zero_then_real{{0, 7, 0}, {0, 100, 10}};
    EXPECT_EQ(map_to_host(zero_then_real, 0), 100u);
}

TEST(IdMap, MissingMappings) {
    EXPECT_EQ(map_to_host({}, 0), std::nullopt);
    EXPECT_EQ(map_to_host({}, 1000), std::nullopt);
    EXPECT_EQ(describe({}), "none");
}

TEST(IdMap, OverflowNear2To32) {
    // The container range ends exactly at 2^32: no 32-bit wrap when computing the end.
    const IdMappings top{{kMax - 9, 1000, 10}};
    EXPECT_EQ(map_to_host(top, kMax - 9), 1000u);
    EXPECT_EQ(map_to_host(top, kMax - 1), 1008u);
    EXPECT_EQ(map_to_host(top, kMax), std::nullopt);  // 2^32-1 is never valid
    EXPECT_EQ(map_to_host(top, 0), std::nullopt);     // a wrapped end would cover 0..

    // A container range whose end passes 2^32 (the kernel refuses it; never wrap to low ids).
    const IdMappings wrap{{kMax - 4, 0, 100}};
    EXPECT_EQ(map_to_host(wrap, kMax - 4), 0u);
    EXPECT_EQ(map_to_host(wrap, 0), std::nullopt);
    EXPECT_EQ(map_to_host(wrap, 50), std::nullopt);

    // The host side: ids that would land on or past 2^32-1 are not mapped.
    const IdMappings host_top{{0, kMax - 3, 10}};
    EXPECT_EQ(map_to_host(host_top, 0), kMax - 3);
    EXPECT_EQ(map_to_host(host_top, 2), kMax - 1);
    EXPECT_EQ(map_to_host(host_top, 3), std::nullopt);  // would be 2^32-1
    EXPECT_EQ(map_to_host(host_top, 4), std::nullopt);  // would wrap to 0 in 32 bits
    EXPECT_EQ(map_to_host(host_top, 9), std::nullopt);

    // The largest legal identity map.
    const IdMappings all{{0, 0, kMax}};
    EXPECT_EQ(map_to_host(all, 0), 0u);
    EXPECT_EQ(map_to_host(all, kMax - 1), kMax - 1);
    EXPECT_EQ(map_to_host(all, kMax), std::nullopt);
}

TEST(IdMap, Describe) {
    EXPECT_EQ(describe({{0, 100000, 65536}}), "0->100000 (65536)");
    EXPECT_EQ(describe({{0, 1000, 1}, {1, 100000, 999}}), "0->1000 (1), 1->100000 (999)");
}

TEST(ProcIdMap, KernelFormat) {
    // The kernel prints "%10u %10u %10u\n".
    auto m = parse_proc_id_map("         0     100000      65536\n");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 1u);
    EXPECT_EQ((*m)[0].container_id, 0u);
    EXPECT_EQ((*m)[0].host_id, 100000u);
    EXPECT_EQ((*m)[0].size, 65536u);

    // The initial namespace's identity map.
    auto init = parse_proc_id_map("         0          0 4294967295\n");
    ASSERT_TRUE(init);
    ASSERT_EQ(init->size(), 1u);
    EXPECT_EQ((*init)[0].size, kMax);
    EXPECT_EQ(map_to_host(*init, 1000), 1000u);

    auto several = parse_proc_id_map(
        "         0       1000          1\n         1     100000        999\n"
        "      2000     300000        100\n");
    ASSERT_TRUE(several);
    ASSERT_EQ(several->size(), 3u);
    EXPECT_EQ(map_to_host(*several, 2000), 300000u);
    EXPECT_EQ(describe(*several), "0->1000 (1), 1->100000 (999), 2000->300000 (100)");
}

TEST(ProcIdMap, LooseButValidText) {
    // No trailing newline, single spaces, blank lines.
    auto m = parse_proc_id_map("0 100000 65536");
    ASSERT_TRUE(m);
    ASSERT_EQ(m->size(), 1u);
    EXPECT_EQ((*m)[0].size, 65536u);
    auto blank = parse_proc_id_map("\n0 1 2\n\n   \n3 4 5\n");
    ASSERT_TRUE(blank);
    EXPECT_EQ(blank->size(), 2u);
    // An unmapped namespace's map is empty: a valid, empty list.
    auto empty = parse_proc_id_map("");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
}

TEST(ProcIdMap, Malformed) {
    for (auto text :
         {"0 100000\n", "0 100000 65536 7\n", "a b c\n", "0 100000 65536x\n", "-1 0 1\n",
          "0 0 4294967296\n", "0\t100000\t65536\n", "0 1 2\n3 4\n", "0,1,2\n"}) {
        SCOPED_TRACE(text);
        EXPECT_FALSE(parse_proc_id_map(text));
    }
}

}  // namespace
}  // namespace runcwrap
