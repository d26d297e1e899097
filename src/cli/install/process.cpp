#include "cli/install/process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/unique_fd.hpp"

namespace runcwrap::install {
namespace {

std::vector<std::string> environment_for(const Command& command, const Environment& env) {
    std::vector<std::string> out;
    for (auto v : env.vars()) {
        bool replaced = false;
        for (const auto& [name, value] : command.set_env)
            if (v.size() > name.size() && v.substr(0, name.size()) == name && v[name.size()] == '=')
                replaced = true;
        if (!replaced) out.emplace_back(v);
    }
    for (const auto& [name, value] : command.set_env) out.push_back(name + "=" + value);
    return out;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

std::optional<std::string> find_in_path(std::string_view name, std::string_view path_value) {
    if (name.find('/') != std::string_view::npos) return std::string(name);
    while (true) {
        auto colon = path_value.find(':');
        std::string dir(path_value.substr(0, colon));
        if (dir.empty()) dir = ".";
        std::string candidate = dir + "/" + std::string(name);
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) return std::nullopt;
        path_value.remove_prefix(colon + 1);
    }
}

std::string without_trailing_newlines(std::string text) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text;
}

std::vector<std::string> split_on(std::string_view text, char separator) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto end = text.find(separator);
        out.emplace_back(text.substr(0, end));
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return out;
}

CommandResult run_command(const Command& command, const Environment& env) {
    CommandResult result;
    auto program = find_in_path(command.program, env.get("PATH").value_or("/usr/bin:/bin"));
    if (!program) return result;
    std::vector<std::string> env_strings = environment_for(command, env);
    std::vector<std::string> argv_strings = command.argv;
    std::vector<char*> envp = pointers_to(env_strings);
    std::vector<char*> argv = pointers_to(argv_strings);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return result;
    UniqueFd read_end(fds[0]), write_end(fds[1]);
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0) return result;
    if (pid == 0) {
        ::dup2(write_end.get(), STDOUT_FILENO);
        if (command.capture_stderr) ::dup2(write_end.get(), STDERR_FILENO);
        if (command.discard_stderr) {
            const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
            if (null >= 0) ::dup2(null, STDERR_FILENO);
        }
        if (!command.chroot_dir.empty() &&
            (::chroot(command.chroot_dir.c_str()) != 0 || ::chdir("/") != 0))
            ::_exit(127);
        ::execve(program->c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
    write_end.reset();
    char buf[4096];
    while (true) {
        const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n > 0) {
            result.output.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0 || errno != EINTR) {
            break;
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status))
        result.status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result.status = 128 + WTERMSIG(status);
    result.output = without_trailing_newlines(std::move(result.output));
    return result;
}

}  // namespace runcwrap::install
