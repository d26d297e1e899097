// A unified diff of two texts, line by line, for `runcwrap route --dry-run`: what `diff -u`
// prints (3 lines of context, "\ No newline at end of file"). Pure.
#pragma once

#include <string>
#include <string_view>

namespace runcwrap {

// "" when the texts are equal; otherwise "--- FROM\n+++ TO\n" and the hunks.
std::string unified_diff(std::string_view before, std::string_view after, std::string_view from,
                         std::string_view to, std::size_t context = 3);

}  // namespace runcwrap
