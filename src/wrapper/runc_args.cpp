#include "wrapper/runc_args.hpp"

#include <algorithm>
#include <array>
#include <span>

namespace runcwrap {
namespace {

struct FlagSpec {
    std::string_view name;
    std::string_view alias;  // "" when none
    FlagKind kind;
};

constexpr FlagKind B = FlagKind::Bool;
constexpr FlagKind V = FlagKind::Value;

// Global flags of runc 1.1-1.4 (main.go). --criu exists in 1.1-1.3 only; it is accepted here so
// that the shim of containerd 1.6 (which passes it) is parsed, and runc 1.4 reports it itself.
constexpr std::array kGlobalFlags{
    FlagSpec{"debug", "", B},    FlagSpec{"log", "", V},   FlagSpec{"log-format", "", V},
    FlagSpec{"root", "", V},     FlagSpec{"criu", "", V},  FlagSpec{"systemd-cgroup", "", B},
    FlagSpec{"rootless", "", V}, FlagSpec{"help", "h", B}, FlagSpec{"version", "v", B},
};

// Each command's flags (runc 1.1-1.4, one file per command in runc's tree), "help" included.
// Tables, not code: nothing is built or allocated at run time.
constexpr FlagSpec kHelp{"help", "h", B};
constexpr std::array kHelpOnly{kHelp};
template <std::size_t N, std::size_t M>
constexpr std::array<FlagSpec, N + M> concat(const std::array<FlagSpec, N>& a,
                                             const std::array<FlagSpec, M>& b) {
    std::array<FlagSpec, N + M> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = a[i];
    for (std::size_t i = 0; i < M; ++i) out[N + i] = b[i];
    return out;
}
constexpr std::array kCreateOwnFlags{
    FlagSpec{"bundle", "b", V},      FlagSpec{"console-socket", "", V},
    FlagSpec{"pidfd-socket", "", V}, FlagSpec{"pid-file", "", V},
    FlagSpec{"no-pivot", "", B},     FlagSpec{"no-new-keyring", "", B},
    FlagSpec{"preserve-fds", "", V}};
constexpr auto kCreateFlags = concat(kCreateOwnFlags, kHelpOnly);
constexpr auto kRunFlags =
    concat(kCreateOwnFlags, std::array{FlagSpec{"detach", "d", B}, FlagSpec{"keep", "", B},
                                       FlagSpec{"no-subreaper", "", B}, kHelp});
constexpr std::array kExecFlags{FlagSpec{"console-socket", "", V},
                                FlagSpec{"pidfd-socket", "", V},
                                FlagSpec{"cwd", "", V},
                                FlagSpec{"env", "e", V},
                                FlagSpec{"tty", "t", B},
                                FlagSpec{"user", "u", V},
                                FlagSpec{"additional-gids", "g", V},
                                FlagSpec{"process", "p", V},
                                FlagSpec{"detach", "d", B},
                                FlagSpec{"pid-file", "", V},
                                FlagSpec{"process-label", "", V},
                                FlagSpec{"apparmor", "", V},
                                FlagSpec{"no-new-privs", "", B},
                                FlagSpec{"cap", "c", V},
                                FlagSpec{"preserve-fds", "", V},
                                FlagSpec{"cgroup", "", V},
                                FlagSpec{"ignore-paused", "", B},
                                kHelp};
constexpr std::array kKillFlags{FlagSpec{"all", "a", B}, kHelp};
constexpr std::array kDeleteFlags{FlagSpec{"force", "f", B}, kHelp};
constexpr std::array kListFlags{FlagSpec{"format", "f", V}, FlagSpec{"quiet", "q", B}, kHelp};
constexpr std::array kPsFlags{FlagSpec{"format", "f", V}, kHelp};
constexpr std::array kUpdateFlags{FlagSpec{"resources", "r", V},
                                  FlagSpec{"blkio-weight", "", V},
                                  FlagSpec{"cpu-period", "", V},
                                  FlagSpec{"cpu-quota", "", V},
                                  FlagSpec{"cpu-burst", "", V},
                                  FlagSpec{"cpu-share", "", V},
                                  FlagSpec{"cpu-rt-period", "", V},
                                  FlagSpec{"cpu-rt-runtime", "", V},
                                  FlagSpec{"cpuset-cpus", "", V},
                                  FlagSpec{"cpuset-mems", "", V},
                                  FlagSpec{"kernel-memory", "", V},
                                  FlagSpec{"kernel-memory-tcp", "", V},
                                  FlagSpec{"memory", "", V},
                                  FlagSpec{"cpu-idle", "", V},
                                  FlagSpec{"memory-reservation", "", V},
                                  FlagSpec{"memory-swap", "", V},
                                  FlagSpec{"l3-cache-schema", "", V},
                                  FlagSpec{"mem-bw-schema", "", V},
                                  FlagSpec{"pids-limit", "", V},
                                  kHelp};
constexpr std::array kEventsFlags{FlagSpec{"interval", "", V}, FlagSpec{"stats", "", B}, kHelp};
constexpr std::array kCheckpointFlags{
    FlagSpec{"image-path", "", V},          FlagSpec{"work-path", "", V},
    FlagSpec{"parent-path", "", V},         FlagSpec{"page-server", "", V},
    FlagSpec{"manage-cgroups-mode", "", V}, FlagSpec{"empty-ns", "", V},
    FlagSpec{"status-fd", "", V},           FlagSpec{"leave-running", "", B},
    FlagSpec{"tcp-established", "", B},     FlagSpec{"tcp-skip-in-flight", "", B},
    FlagSpec{"link-remap", "", B},          FlagSpec{"ext-unix-sk", "", B},
    FlagSpec{"shell-job", "", B},           FlagSpec{"lazy-pages", "", B},
    FlagSpec{"file-locks", "", B},          FlagSpec{"pre-dump", "", B},
    FlagSpec{"auto-dedup", "", B},          kHelp};
constexpr std::array kRestoreFlags{FlagSpec{"console-socket", "", V},
                                   FlagSpec{"image-path", "", V},
                                   FlagSpec{"work-path", "", V},
                                   FlagSpec{"manage-cgroups-mode", "", V},
                                   FlagSpec{"bundle", "b", V},
                                   FlagSpec{"pid-file", "", V},
                                   FlagSpec{"empty-ns", "", V},
                                   FlagSpec{"lsm-profile", "", V},
                                   FlagSpec{"lsm-mount-context", "", V},
                                   FlagSpec{"tcp-established", "", B},
                                   FlagSpec{"ext-unix-sk", "", B},
                                   FlagSpec{"shell-job", "", B},
                                   FlagSpec{"file-locks", "", B},
                                   FlagSpec{"detach", "d", B},
                                   FlagSpec{"no-subreaper", "", B},
                                   FlagSpec{"no-pivot", "", B},
                                   FlagSpec{"auto-dedup", "", B},
                                   FlagSpec{"lazy-pages", "", B},
                                   kHelp};
constexpr std::array kSpecFlags{FlagSpec{"bundle", "b", V}, FlagSpec{"rootless", "", B}, kHelp};

struct CommandSpec {
    std::string_view name;
    bool skip_arg_reorder;  // exec and ps: flags stop at the first positional (the id)
    bool takes_id;
    std::span<const FlagSpec> flags;
};

constexpr std::array kCommands{
    CommandSpec{"create", false, true, kCreateFlags},
    CommandSpec{"run", false, true, kRunFlags},
    CommandSpec{"start", false, true, kHelpOnly},
    CommandSpec{"exec", true, true, kExecFlags},
    CommandSpec{"kill", false, true, kKillFlags},
    CommandSpec{"delete", false, true, kDeleteFlags},
    CommandSpec{"state", false, true, kHelpOnly},
    CommandSpec{"list", false, false, kListFlags},
    CommandSpec{"ps", true, true, kPsFlags},
    CommandSpec{"pause", false, true, kHelpOnly},
    CommandSpec{"resume", false, true, kHelpOnly},
    CommandSpec{"update", false, true, kUpdateFlags},
    CommandSpec{"events", false, true, kEventsFlags},
    CommandSpec{"checkpoint", false, true, kCheckpointFlags},
    CommandSpec{"restore", false, true, kRestoreFlags},
    CommandSpec{"spec", false, false, kSpecFlags},
    CommandSpec{"features", false, false, kHelpOnly},
};

template <class Flags>
const FlagSpec* find_flag(const Flags& flags, std::string_view name) {
    for (const auto& spec : flags)
        if (spec.name == name || (!spec.alias.empty() && spec.alias == name)) return &spec;
    return nullptr;
}

// Go's flag package: "-x" and "--x" are the same; "---x" and "-=x" are bad syntax.
struct FlagToken {
    std::string_view name;
    std::optional<std::string_view> value;
    bool well_formed = true;
};

bool looks_like_flag(std::string_view arg) { return arg.size() >= 2 && arg[0] == '-'; }

FlagToken split_flag(std::string_view arg) {
    std::string_view body = arg.substr(1);
    if (!body.empty() && body[0] == '-') body.remove_prefix(1);
    FlagToken token;
    if (body.empty() || body[0] == '-' || body[0] == '=') token.well_formed = false;
    if (auto eq = body.find('='); eq != std::string_view::npos) {
        token.name = body.substr(0, eq);
        token.value = body.substr(eq + 1);
    } else {
        token.name = body;
    }
    return token;
}

// Parses one flag at argv[i]; returns the index of the last argument it consumed.
template <class Flags>
std::size_t parse_one_flag(const std::vector<std::string_view>& argv, std::size_t i,
                           const Flags& specs, std::vector<ParsedFlag>& out,
                           std::vector<std::string>& problems, std::string_view where) {
    FlagToken token = split_flag(argv[i]);
    const FlagSpec* spec = token.well_formed ? find_flag(specs, token.name) : nullptr;
    if (!spec) {
        problems.push_back("flag provided but not defined" + std::string(where) + ": " +
                           std::string(argv[i]));
        return i;
    }
    ParsedFlag flag;
    flag.name = spec->name;
    flag.index = i;
    flag.value_index = i;
    if (token.value) {
        flag.value = token.value;
        flag.inline_value = true;
    } else if (spec->kind == FlagKind::Value) {
        // Go's flag package takes the next argument as the value even when it starts with '-'.
        if (i + 1 < argv.size()) {
            flag.value = argv[i + 1];
            flag.value_index = i + 1;
            ++i;
        } else {
            problems.push_back("flag needs an argument: " + std::string(argv[flag.index]));
        }
    }
    if (spec->kind == FlagKind::Bool && flag.value && !flag.as_bool())
        problems.push_back("invalid boolean value for " + std::string(argv[flag.index]));
    for (const auto& seen : out)
        if (seen.name == flag.name && seen.index != flag.index && spec->name != "env" &&
            spec->name != "cap" && spec->name != "additional-gids" && spec->name != "cgroup" &&
            spec->name != "empty-ns")
            problems.push_back("flag given twice: " + std::string(spec->name));
    out.push_back(flag);
    return i;
}

}  // namespace

std::optional<bool> ParsedFlag::as_bool() const {
    if (!value) return true;
    static constexpr std::array<std::string_view, 6> truths{"1", "t", "T", "TRUE", "true", "True"};
    static constexpr std::array<std::string_view, 6> falses{"0",     "f",     "F",
                                                            "FALSE", "false", "False"};
    if (std::find(truths.begin(), truths.end(), *value) != truths.end()) return true;
    if (std::find(falses.begin(), falses.end(), *value) != falses.end()) return false;
    return std::nullopt;
}

RuncCall parse_runc_argv(std::vector<std::string_view> argv) {
    RuncCall call;
    call.argv = std::move(argv);
    const auto& args = call.argv;

    // Global flags: up to the first non-flag argument; "--" is consumed and ends them.
    std::size_t i = 1;
    for (; i < args.size(); ++i) {
        if (args[i] == "--") {
            call.global_terminator_index = i;
            ++i;
            break;
        }
        if (!looks_like_flag(args[i])) break;
        i = parse_one_flag(args, i, kGlobalFlags, call.global_flags, call.problems, "");
    }
    if (i >= args.size()) return call;

    call.command_index = i;
    call.command = args[i];
    const CommandSpec* command = nullptr;
    for (const auto& spec : kCommands)
        if (spec.name == call.command) command = &spec;
    if (!command) {
        call.problems.push_back("unknown command: " + std::string(call.command));
        return call;
    }
    call.known_command = true;

    // Command flags. exec/ps stop at the first positional; the others take flags anywhere
    // before "--" (urfave/cli reorders them in front), so `runc delete ID --force` works.
    bool flags_done = false;
    for (std::size_t j = i + 1; j < args.size(); ++j) {
        if (!flags_done && args[j] == "--") {
            flags_done = true;
            call.command_terminator_index = j;
            continue;
        }
        if (!flags_done && looks_like_flag(args[j])) {
            j = parse_one_flag(args, j, command->flags, call.command_flags, call.problems,
                               " (" + std::string(command->name) + ")");
            continue;
        }
        call.positionals.push_back(j);
        if (command->skip_arg_reorder) flags_done = true;
    }
    return call;
}

const ParsedFlag* RuncCall::global(std::string_view name) const {
    const ParsedFlag* found = nullptr;
    for (const auto& f : global_flags)
        if (f.name == name) found = &f;  // the last one wins, as in Go's flag package
    return found;
}

const ParsedFlag* RuncCall::flag(std::string_view name) const {
    const ParsedFlag* found = nullptr;
    for (const auto& f : command_flags)
        if (f.name == name) found = &f;
    return found;
}

std::optional<std::string_view> RuncCall::global_value(std::string_view name) const {
    const ParsedFlag* f = global(name);
    return f ? f->value : std::nullopt;
}

std::optional<std::string_view> RuncCall::flag_value(std::string_view name) const {
    const ParsedFlag* f = flag(name);
    return f ? f->value : std::nullopt;
}

bool RuncCall::global_bool(std::string_view name) const {
    const ParsedFlag* f = global(name);
    return f && f->as_bool().value_or(false);
}

bool RuncCall::flag_bool(std::string_view name) const {
    const ParsedFlag* f = flag(name);
    return f && f->as_bool().value_or(false);
}

std::optional<std::size_t> RuncCall::container_id_index() const {
    if (!known_command || positionals.empty()) return std::nullopt;
    for (const auto& spec : kCommands)
        if (spec.name == command && !spec.takes_id) return std::nullopt;
    return positionals.front();
}

std::optional<std::string_view> RuncCall::container_id() const {
    auto index = container_id_index();
    if (!index) return std::nullopt;
    return argv[*index];
}

bool creates_container(std::string_view command) {
    return command == "create" || command == "run" || command == "restore";
}

bool is_valid_container_id(std::string_view id) {
    if (id.empty() || id == "." || id == "..") return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '+' || c == '.' || c == '-';
    });
}

}  // namespace runcwrap
