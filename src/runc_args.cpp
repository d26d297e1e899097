#include "runc_args.hpp"

#include <algorithm>
#include <array>

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
    FlagSpec{"debug", "", B},     FlagSpec{"log", "", V},
    FlagSpec{"log-format", "", V}, FlagSpec{"root", "", V},
    FlagSpec{"criu", "", V},      FlagSpec{"systemd-cgroup", "", B},
    FlagSpec{"rootless", "", V},  FlagSpec{"help", "h", B},
    FlagSpec{"version", "v", B},
};

struct CommandSpec {
    std::string_view name;
    bool skip_arg_reorder;  // exec and ps: flags stop at the first positional (the id)
    bool takes_id;
    std::vector<FlagSpec> flags;
};

const std::vector<CommandSpec>& command_table() {
    static const std::vector<CommandSpec> table = [] {
        const std::vector<FlagSpec> create_flags{
            {"bundle", "b", V},    {"console-socket", "", V}, {"pidfd-socket", "", V},
            {"pid-file", "", V},   {"no-pivot", "", B},       {"no-new-keyring", "", B},
            {"preserve-fds", "", V},
        };
        std::vector<FlagSpec> run_flags = create_flags;
        run_flags.insert(run_flags.end(),
                         {{"detach", "d", B}, {"keep", "", B}, {"no-subreaper", "", B}});
        std::vector<CommandSpec> t{
            {"create", false, true, create_flags},
            {"run", false, true, run_flags},
            {"start", false, true, {}},
            {"exec", true, true,
             {{"console-socket", "", V}, {"pidfd-socket", "", V}, {"cwd", "", V},
              {"env", "e", V}, {"tty", "t", B}, {"user", "u", V}, {"additional-gids", "g", V},
              {"process", "p", V}, {"detach", "d", B}, {"pid-file", "", V},
              {"process-label", "", V}, {"apparmor", "", V}, {"no-new-privs", "", B},
              {"cap", "c", V}, {"preserve-fds", "", V}, {"cgroup", "", V},
              {"ignore-paused", "", B}}},
            {"kill", false, true, {{"all", "a", B}}},
            {"delete", false, true, {{"force", "f", B}}},
            {"state", false, true, {}},
            {"list", false, false, {{"format", "f", V}, {"quiet", "q", B}}},
            {"ps", true, true, {{"format", "f", V}}},
            {"pause", false, true, {}},
            {"resume", false, true, {}},
            {"update", false, true,
             {{"resources", "r", V}, {"blkio-weight", "", V}, {"cpu-period", "", V},
              {"cpu-quota", "", V}, {"cpu-burst", "", V}, {"cpu-share", "", V},
              {"cpu-rt-period", "", V}, {"cpu-rt-runtime", "", V}, {"cpuset-cpus", "", V},
              {"cpuset-mems", "", V}, {"kernel-memory", "", V}, {"kernel-memory-tcp", "", V},
              {"memory", "", V}, {"cpu-idle", "", V}, {"memory-reservation", "", V},
              {"memory-swap", "", V}, {"l3-cache-schema", "", V}, {"mem-bw-schema", "", V},
              {"pids-limit", "", V}}},
            {"events", false, true, {{"interval", "", V}, {"stats", "", B}}},
            {"checkpoint", false, true,
             {{"image-path", "", V}, {"work-path", "", V}, {"parent-path", "", V},
              {"page-server", "", V}, {"manage-cgroups-mode", "", V}, {"empty-ns", "", V},
              {"status-fd", "", V}, {"leave-running", "", B}, {"tcp-established", "", B},
              {"tcp-skip-in-flight", "", B}, {"link-remap", "", B}, {"ext-unix-sk", "", B},
              {"shell-job", "", B}, {"lazy-pages", "", B}, {"file-locks", "", B},
              {"pre-dump", "", B}, {"auto-dedup", "", B}}},
            {"restore", false, true,
             {{"console-socket", "", V}, {"image-path", "", V}, {"work-path", "", V},
              {"manage-cgroups-mode", "", V}, {"bundle", "b", V}, {"pid-file", "", V},
              {"empty-ns", "", V}, {"lsm-profile", "", V}, {"lsm-mount-context", "", V},
              {"tcp-established", "", B}, {"ext-unix-sk", "", B}, {"shell-job", "", B},
              {"file-locks", "", B}, {"detach", "d", B}, {"no-subreaper", "", B},
              {"no-pivot", "", B}, {"auto-dedup", "", B}, {"lazy-pages", "", B}}},
            {"spec", false, false, {{"bundle", "b", V}, {"rootless", "", B}}},
            {"features", false, false, {}},
        };
        for (auto& command : t) command.flags.push_back({"help", "h", B});
        return t;
    }();
    return table;
}

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
    static constexpr std::array<std::string_view, 6> falses{"0", "f", "F", "FALSE", "false",
                                                            "False"};
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
    for (const auto& spec : command_table())
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
    for (const auto& spec : command_table())
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
