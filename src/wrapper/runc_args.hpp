// runc's command line, parsed the way runc (urfave/cli v1 over Go's flag package) parses it.
//
// Pure: no syscalls. The parser never rejects anything: an argv runc would refuse is still
// described (with `problems`) and passed through unchanged, so runc reports it in its own words.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace runcwrap {

enum class FlagKind { Bool, Value };

struct ParsedFlag {
    std::string_view name;                  // canonical long name, e.g. "bundle" for -b
    std::optional<std::string_view> value;  // inline (--x=v) or the next argument
    std::size_t index = 0;                  // argv index of the flag itself
    std::size_t value_index = 0;            // argv index holding the value (== index when inline)
    bool inline_value = false;

    // A bool flag's value: bare means true; "--x=false" and friends per Go's ParseBool.
    std::optional<bool> as_bool() const;
};

struct RuncCall {
    std::vector<std::string_view> argv;  // the whole argv, argv[0] included
    std::vector<ParsedFlag> global_flags;
    std::size_t command_index = 0;  // 0: there is no subcommand (e.g. `runc --version`)
    // argv index of the "--" that ended the global flags (0: none). Anything inserted among the
    // globals must go before it, or runc would take it for the subcommand.
    std::size_t global_terminator_index = 0;
    // argv index of the "--" that ended the command's flags (0: none); what follows is positional.
    std::size_t command_terminator_index = 0;
    std::string_view command;
    bool known_command = false;
    std::vector<ParsedFlag> command_flags;
    std::vector<std::size_t> positionals;  // argv indices of the command's positional arguments
    std::vector<std::string> problems;     // what runc itself would reject; informational

    const ParsedFlag* global(std::string_view name) const;
    const ParsedFlag* flag(std::string_view name) const;
    std::optional<std::string_view> global_value(std::string_view name) const;
    std::optional<std::string_view> flag_value(std::string_view name) const;
    bool global_bool(std::string_view name) const;
    bool flag_bool(std::string_view name) const;
    // The container id: the first positional argument of a command that takes one.
    std::optional<std::string_view> container_id() const;
    std::optional<std::size_t> container_id_index() const;
};

RuncCall parse_runc_argv(std::vector<std::string_view> argv);

// Commands that build a container and so read --systemd-cgroup, --no-pivot, ... (createContainer).
bool creates_container(std::string_view command);

// runc's container id rule: [A-Za-z0-9_+.-]+, and not "." or "..".
bool is_valid_container_id(std::string_view id);

}  // namespace runcwrap
