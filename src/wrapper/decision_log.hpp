// The decision log ([runcwrap] LogFile): one JSON line per wrapper call, for operators asking
// "what did runcwrap do to this container?". Bounded (rotates to <file>.1), one write(2) per line
// so concurrent calls never interleave, and never able to fail the call it records.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace runcwrap {

inline constexpr std::size_t kDecisionLogMaxBytes = 4u << 20;

struct DecisionRecord {
    std::string time;
    long pid = 0;
    std::string_view command;
    std::string_view container_id;
    std::string scenario;
    std::string runtime;
    std::string source;
    std::vector<std::string> restored;
    std::vector<int> chowned_fds;
    std::string outcome;  // "exec" or "error: ..."
};

std::string format_decision_record(const DecisionRecord& record);  // pure, newline included

// Best effort: errors are swallowed (the call goes on); rotation happens under flock.
void append_decision_log(const std::string& path, std::string_view line,
                         std::size_t max_bytes = kDecisionLogMaxBytes);

}  // namespace runcwrap
