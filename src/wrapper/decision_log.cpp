#include "wrapper/decision_log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "common/fs.hpp"
#include "common/unique_fd.hpp"
#include "wrapper/runc_log.hpp"

namespace runcwrap {

std::string format_decision_record(const DecisionRecord& r) {
    auto q = [](std::string_view s) { return "\"" + json_escape(s) + "\""; };
    std::string line = "{\"time\":" + q(r.time) + ",\"pid\":" + std::to_string(r.pid) +
                       ",\"command\":" + q(r.command) + ",\"id\":" + q(r.container_id) +
                       ",\"case\":" + q(r.scenario) + ",\"runtime\":" + q(r.runtime) +
                       ",\"source\":" + q(r.source) + ",\"restored\":[";
    for (std::size_t i = 0; i < r.restored.size(); ++i) line += (i ? "," : "") + q(r.restored[i]);
    line += "],\"chowned_fds\":[";
    for (std::size_t i = 0; i < r.chowned_fds.size(); ++i)
        line += (i ? "," : "") + std::to_string(r.chowned_fds[i]);
    line += "],\"outcome\":" + q(r.outcome) + "}\n";
    return line;
}

namespace {

UniqueFd open_log(const std::string& path) {
    return UniqueFd(open_path(
        path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640));
}

}  // namespace

void append_decision_log(const std::string& path, std::string_view line, std::size_t max_bytes) {
    UniqueFd fd = open_log(path);
    if (!fd.valid()) return;
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && static_cast<std::size_t>(st.st_size) >= max_bytes) {
        // Rotate once: whoever holds the lock renames, the others see a new file afterwards.
        if (::flock(fd.get(), LOCK_EX) == 0) {
            struct stat now {};
            if (::stat(path.c_str(), &now) == 0 && now.st_ino == st.st_ino &&
                now.st_dev == st.st_dev && static_cast<std::size_t>(now.st_size) >= max_bytes)
                (void)::rename(path.c_str(), (path + ".1").c_str());
            ::flock(fd.get(), LOCK_UN);
        }
        fd = open_log(path);
        if (!fd.valid()) return;
    }
    ssize_t n;
    do {
        n = ::write(fd.get(), line.data(), line.size());
    } while (n < 0 && errno == EINTR);
}

}  // namespace runcwrap
