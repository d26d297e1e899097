// The hot path's reader of the side file: a small strict subset of TOML, enough for every side
// file runcwrap, install.sh and the README write, read without toml++ (which costs ~30 us and
// most of the pages the wrapper touches). It answers only when it is sure: whatever it does not
// read exactly (escapes, quoted or dotted keys, inline tables, arrays, multi-line strings,
// non-ASCII, an unknown key or table, a wrong type, a value the rules refuse) makes it defer to
// parse_side_config (toml++), which gives the same answer or the error message. When it does
// answer, the answer equals parse_side_config's: fuzz/side_config_strict checks that.
//
// The subset, line by line (blanks are spaces and tabs; a line ends at LF or CRLF or the end):
//   blank line | # comment | [options] | [runcwrap]     (a header once each, blanks allowed
//   | [handlers.NAME] | [handlers."NAME"]               inside the brackets and around the
//   Key = value [# comment]                               dot; NAME as handler_entry.hpp says)
// Key is one of the keys the table knows (side_config.hpp); value is "basic string" without
// backslashes, 'literal string', true, false, or (only for containerd's ignored keys) a
// decimal integer without sign, leading zero or underscore.
#pragma once

#include <optional>
#include <string_view>

#include "wrapper/side_config.hpp"

namespace runcwrap {

// nullopt: not read; ask parse_side_config.
std::optional<SideConfig> parse_side_config_strict(std::string_view text, std::string_view path);

// The hot path's reading: the strict reader, else toml++.
Result<SideConfig> parse_side_config_fast(std::string_view text, std::string_view path);

}  // namespace runcwrap
