// toml++ with one configuration for every translation unit (the settings must agree, or the
// program breaks the one-definition rule): no exceptions (parse_result instead), no formatters.
#pragma once

#define TOML_EXCEPTIONS 0
#define TOML_HEADER_ONLY 1
#define TOML_ENABLE_FORMATTERS 0

// toml++ 3.3.0 asserts parser states that malformed input does reach: a table header whose
// first character is not a key ("[=options]", "[!x]", "[" then a control byte) or "x = [}".
// Without NDEBUG that is assert(), an abort of runcwrap on an operator's typo; with NDEBUG (the
// release build: zig c++ -O2 defines it) it becomes __builtin_assume(false), undefined
// behaviour. The parser reports each of those inputs as an error right after the assertion, so
// its assertions are off in every build. Found by fuzz/side_config; regression inputs in
// fuzz/regressions/side_config/.
#pragma push_macro("NDEBUG")
#undef NDEBUG
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>
#pragma pop_macro("NDEBUG")

#include <cstddef>
#include <optional>
#include <string_view>

namespace runcwrap {

// Where `text` has a byte toml++ 3.3.0 must not be given (see toml_guard.cpp), if anywhere.
// Every caller of toml::parse checks this first.
std::optional<std::size_t> toml_unsafe_byte(std::string_view text);

}  // namespace runcwrap
