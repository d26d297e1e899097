// The programs install runs: the runcwrap it installs (version, import-containerd-config,
// dependents, doctor), dpkg-divert and dpkg-query under --dpkg, systemctl for containerd's unit.
// Each is started directly (fork + execve, no shell) with the install's environment plus the
// variables given, and what it prints is captured.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/environment.hpp"

namespace runcwrap::install {

struct Command {
    Command(std::string program_, std::vector<std::string> argv_)
        : program(std::move(program_)), argv(std::move(argv_)) {}
    std::string program;            // a path, or a name looked up in PATH
    std::vector<std::string> argv;  // argv[0] included
    std::vector<std::pair<std::string, std::string>> set_env;
    std::string chroot_dir;      // "" = run it here; else chroot(2) there first (the node's root)
    bool capture_stderr = true;  // false: stderr goes where install's goes
    bool discard_stderr = false;
};

struct CommandResult {
    int status = 127;    // the exit status; 128 + N for signal N; 127 when it could not start
    std::string output;  // stdout (and stderr when captured), trailing newlines dropped as $(...)
};

CommandResult run_command(const Command& command, const Environment& env);

// The first executable `name` in the colon-separated `path_value` (as execvp looks it up).
std::optional<std::string> find_in_path(std::string_view name, std::string_view path_value);

// Drops trailing newlines (what a shell's $(...) does with a program's output).
std::string without_trailing_newlines(std::string text);

// The fields of `text` between `separator`s, as the shell's `IFS=SEP read -a` splits them: an
// empty field between two separators is kept, a trailing separator ends the last field, and ""
// has none. PATH's folders (':'), /proc's NUL-separated blocks ('\0'), lines ('\n').
std::vector<std::string> split_on(std::string_view text, char separator);

// The output's lines (none for "").
inline std::vector<std::string> lines_of(std::string_view text) { return split_on(text, '\n'); }

}  // namespace runcwrap::install
