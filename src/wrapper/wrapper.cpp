#include "wrapper/wrapper.hpp"

#include <unistd.h>

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "wrapper/decision_log.hpp"
#include "wrapper/exec.hpp"
#include "wrapper/plan.hpp"
#include "wrapper/runc_args.hpp"
#include "wrapper/runc_log.hpp"

namespace runcwrap {
namespace {

constexpr int kExitFailure = 1;

std::string now_rfc3339() {
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return rfc3339_utc(now);
}

// One decision-log line, when the side file turns the log on. Never fails the call.
void record_decision(const RuncCall& call, const Plan& plan, const std::vector<int>& chowned,
                     std::string outcome) {
    if (!plan.side || plan.side->log_file.empty()) return;
    DecisionRecord r;
    r.time = now_rfc3339();
    r.pid = static_cast<long>(::getpid());
    r.command = call.command;
    r.container_id = call.container_id().value_or("");
    r.scenario = scenario_name(plan.decision.scenario);
    r.runtime = plan.runtime.path;
    r.source = plan.runtime.source;
    r.restored = plan.decision.restored;
    r.chowned_fds = chowned;
    r.outcome = std::move(outcome);
    append_decision_log(plan.side->log_file, format_decision_record(r));
}

// As runc's fatal(): an error line in the --log file (in its format), the bare message on
// stderr, exit 1. containerd shows the last "error" line of log.json to the user.
int fail(const RuncCall& call, const OpenAtEntry& open_at_entry, std::string_view message) {
    const std::string text = "runcwrap: " + std::string(message);
    if (auto log = call.global_value("log"); log && !log->empty()) {
        const LogFormat format = call.global_value("log-format") == std::string_view("json")
                                     ? LogFormat::Json
                                     : LogFormat::Text;
        // A log that cannot be written must not hide the error: stderr still gets it.
        (void)append_line(std::string(*log), format_log_line(format, "error", text, now_rfc3339()));
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

    std::vector<int> chowned;
    if (plan->stdio.applies) {
        auto changed = apply_stdio_ownership(plan->stdio.fds);
        if (!changed) {
            record_decision(call, *plan, chowned, "error: " + changed.error().message);
            return fail(call, open_at_entry, changed.error().message);
        }
        chowned = std::move(*changed);
    }

    record_decision(call, *plan, chowned, "exec");
    const CallChain next = plan->chain.with(plan->runtime.identity);
    Error failed =
        exec_runtime(plan->runtime, plan->decision.args, environment_for_runtime(env, next));
    record_decision(call, *plan, chowned, "error: " + failed.message);
    return fail(call, open_at_entry, failed.message);
}

}  // namespace runcwrap
