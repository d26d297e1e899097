// Errors in runc's own log format, so containerd shows them: it reports the last line of
// <bundle>/log.json whose level is "error", and only when every line decodes and `time` is
// RFC 3339. Formatting is pure; appending is one O_APPEND write.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace runcwrap {

enum class LogFormat { Text, Json };

// JSON string body: quotes, backslashes and control bytes escaped; bytes that are not valid
// UTF-8 become U+FFFD, so the line always decodes.
std::string json_escape(std::string_view text);

// "2026-11-29T05:04:55.123456789Z"
std::string rfc3339_utc(const struct timespec& ts);

// One line, newline included, as logrus formats it for runc.
std::string format_log_line(LogFormat format, std::string_view level, std::string_view message,
                            std::string_view time);

// Appends a line (creating the file 0644 if missing). One write(2), so concurrent writers never
// interleave within a line.
Status append_line(const std::string& path, std::string_view line);

}  // namespace runcwrap
