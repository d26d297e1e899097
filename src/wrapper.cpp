#include "wrapper.hpp"

#include <unistd.h>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "exec.hpp"
#include "plan.hpp"
#include "runc_args.hpp"
#include "runc_log.hpp"

namespace runcwrap {
namespace {

constexpr int kExitFailure = 1;

// As runc's fatal(): an error line in the --log file (in its format), the bare message on
// stderr, exit 1. containerd shows the last "error" line of log.json to the user.
int fail(const RuncCall& call, const OpenAtEntry& open_at_entry, std::string_view message) {
    const std::string text = "runcwrap: " + std::string(message);
    if (auto log = call.global_value("log"); log && !log->empty()) {
        const LogFormat format =
            call.global_value("log-format") == std::string_view("json") ? LogFormat::Json
                                                                        : LogFormat::Text;
        struct timespec now{};
        ::clock_gettime(CLOCK_REALTIME, &now);
        // A log that cannot be written must not hide the error: stderr still gets it.
        (void)append_line(std::string(*log),
                          format_log_line(format, "error", text, rfc3339_utc(now)));
    }
    if (open_at_entry[2]) {
        std::string line = text + "\n";
        ssize_t n;
        do {
            n = ::write(STDERR_FILENO, line.data(), line.size());
        } while (n < 0 && errno == EINTR);
    }
    return kExitFailure;
}

}  // namespace

int wrapper_main(int argc, char** argv, char** envp) {
    // Before opening anything: which of fds 0-2 belong to the caller.
    const OpenAtEntry open_at_entry = stdio_open_at_entry();

    std::vector<std::string_view> args(argv, argv + argc);
    if (args.empty()) args.emplace_back("runc");
    const RuncCall call = parse_runc_argv(std::move(args));
    const Environment env(envp);

    auto plan = make_plan(call, env, open_at_entry);
    if (!plan) return fail(call, open_at_entry, plan.error().message);

    if (plan->stdio.applies) {
        auto changed = apply_stdio_ownership(plan->stdio.fds);
        if (!changed) return fail(call, open_at_entry, changed.error().message);
    }

    const CallChain next = plan->chain.with(plan->runtime.identity);
    Error failed = exec_runtime(plan->runtime, plan->decision.args,
                                environment_for_runtime(env, next));
    return fail(call, open_at_entry, failed.message);
}

}  // namespace runcwrap
