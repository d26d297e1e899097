// A routed handler's entry point is recognised by its path alone (routing-spec.md).
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "wrapper/handler_entry.hpp"

namespace runcwrap {
namespace {

TEST(HandlerEntry, NamesTheHandlerOfAnEntry) {
    EXPECT_EQ(handler_of_entry("/usr/local/lib/runcwrap/handlers/crun-fast/runc"), "crun-fast");
    EXPECT_EQ(handler_of_entry("/usr/lib/runcwrap/handlers/gpu.nvidia/runc"), "gpu.nvidia");
    EXPECT_EQ(handler_of_entry("/tmp/t.1/runcwrap/handlers/runc/runc"), "runc");
    EXPECT_EQ(handler_of_entry("/runcwrap/handlers/a/runc"), "a");
    EXPECT_EQ(handler_of_entry("/x/runcwrap/handlers/A_b-9.z/runc"), "A_b-9.z");
    const std::string longest = "/x/runcwrap/handlers/" + std::string(63, 'a') + "/runc";
    EXPECT_EQ(handler_of_entry(longest), std::string(63, 'a'));
}

TEST(HandlerEntry, AnythingElseIsNoEntry) {
    for (std::string_view path :
         std::initializer_list<std::string_view>{"",
                                                 "runc",
                                                 "/usr/sbin/runc",
                                                 "/usr/local/bin/runc",
                                                 "runcwrap/handlers/a/runc",
                                                 "usr/lib/runcwrap/handlers/a/runc",
                                                 "/usr/lib/runcwrap/handlers/a/crun",
                                                 "/usr/lib/runcwrap/handlers/a/runc/",
                                                 "/usr/lib/runcwrap/handlers/runc",
                                                 "/usr/lib/runcwrap/handlers//runc",
                                                 "/usr/lib/runcwrap/handlers/./runc",
                                                 "/usr/lib/runcwrap/handlers/../runc",
                                                 "/usr/lib/runcwrap/handlers/.a/runc",
                                                 "/usr/lib/runcwrap/handlers/_a/runc",
                                                 "/usr/lib/runcwrap/handlers/a b/runc",
                                                 "/usr/lib/runcwrap/handlers/a/b/runc",
                                                 "/usr/lib/xruncwrap/handlers/a/runc",
                                                 "/usr/lib/runcwrap/handler/a/runc",
                                                 "/usr/lib/runcwrap/handlers/a/xrunc",
                                                 "/usr/lib/runcwrap/handlers/\xc3\xa9/runc"}) {
        SCOPED_TRACE(std::string(path));
        EXPECT_FALSE(handler_of_entry(path));
    }
    EXPECT_FALSE(handler_of_entry("/x/runcwrap/handlers/" + std::string(64, 'a') + "/runc"));
}

TEST(HandlerEntry, HandlerNames) {
    for (std::string_view ok : {"a", "runc", "crun-fast", "gpu.nvidia", "A9_-.", "0"})
        EXPECT_TRUE(is_valid_handler_name(ok)) << ok;
    for (std::string_view bad : {"", ".", "..", ".a", "-a", "_a", "a/b", "a b", "a\"b", "é"})
        EXPECT_FALSE(is_valid_handler_name(bad)) << bad;
    EXPECT_TRUE(is_valid_handler_name(std::string(63, 'x')));
    EXPECT_FALSE(is_valid_handler_name(std::string(64, 'x')));
}

}  // namespace
}  // namespace runcwrap
