// runc's argv parser and the flag restoration built on it (src/runc_args.*, restore_dropped_options
// in src/decision.cpp). The input is argv, arguments separated by NUL; argv[0] included.
//
// Beyond "no crash": restoring flags must never change what runc would run. The restored argv is
// parsed again and must name the same subcommand and the same container id, keep every original
// argument in order, and carry each restored flag where runc reads it.
#include <algorithm>

#include "fuzz_util.hpp"
#include "wrapper/decision.hpp"
#include "wrapper/runc_args.hpp"

namespace {

using runcwrap::RuncCall;

void touch_accessors(const RuncCall& call) {
    for (const char* g : {"debug", "log", "log-format", "root", "criu", "systemd-cgroup",
                          "rootless", "help", "version"}) {
        (void)call.global_value(g);
        (void)call.global_bool(g);
    }
    for (const char* f : {"bundle", "console-socket", "pid-file", "no-pivot", "no-new-keyring",
                          "preserve-fds", "process", "user", "tty", "detach", "force"}) {
        (void)call.flag_value(f);
        (void)call.flag_bool(f);
    }
    for (auto i : call.positionals) FUZZ_CHECK(i > call.command_index && i < call.argv.size());
    if (auto id = call.container_id()) (void)runcwrap::is_valid_container_id(*id);
    (void)runcwrap::creates_container(call.command);
}

// Restoring only inserts flags and may rewrite the --root value: every original argument must
// still be there, in order (`rewritten`, the --root value slot, may hold anything).
bool keeps_order(const std::vector<std::string_view>& original,
                 const std::vector<std::string>& restored, std::size_t rewritten) {
    std::size_t j = 0;
    for (std::size_t i = 1; i < original.size(); ++i, ++j) {
        while (j < restored.size() && i != rewritten && restored[j] != original[i]) ++j;
        if (j == restored.size()) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string input = fuzz::text_of(data, size);
    std::vector<std::string_view> argv = fuzz::split_nul(input);
    const RuncCall call = runcwrap::parse_runc_argv(argv);
    touch_accessors(call);

    runcwrap::RuntimeOptions wanted;
    wanted.root = "/run/custom";
    wanted.systemd_cgroup = true;
    wanted.no_pivot_root = true;
    wanted.no_new_keyring = true;
    std::vector<std::string> restored_names;
    const std::vector<std::string> args =
        runcwrap::restore_dropped_options(call, wanted, restored_names);
    const runcwrap::ParsedFlag* root = call.global("root");
    FUZZ_CHECK(keeps_order(argv, args, root ? root->value_index : 0));

    // Parse what would be exec'd: same command, same container id, the flags where runc reads them.
    std::vector<std::string_view> again{argv.empty() ? std::string_view("runc") : argv[0]};
    for (const auto& a : args) again.emplace_back(a);
    const RuncCall after = runcwrap::parse_runc_argv(again);
    FUZZ_CHECK(after.command == call.command);
    FUZZ_CHECK(after.container_id() == call.container_id());
    for (const auto& name : restored_names) {
        if (name == "--systemd-cgroup") FUZZ_CHECK(after.global_bool("systemd-cgroup"));
        if (name == "--no-pivot") FUZZ_CHECK(after.flag_bool("no-pivot"));
        if (name == "--no-new-keyring") FUZZ_CHECK(after.flag_bool("no-new-keyring"));
        if (name.rfind("--root ", 0) == 0)
            FUZZ_CHECK(after.global_value("root") == std::string_view(name).substr(7));
    }
    return 0;
}
