#include "wrapper/exec.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/fs.hpp"

namespace runcwrap {

std::vector<std::string> environment_for_runtime(const Environment& env, const CallChain& next) {
    std::vector<std::string> out;
    out.reserve(env.vars().size() + 1);
    const std::string_view prefix = "RUNCWRAP_DEPTH=";
    for (auto var : env.vars())
        if (var.substr(0, prefix.size()) != prefix) out.emplace_back(var);
    out.push_back(std::string(prefix) + format_call_chain(next));
    return out;
}

Error exec_runtime(const ResolvedRuntime& runtime, const std::vector<std::string>& args,
                   const std::vector<std::string>& environment) {
    std::vector<char*> argv;
    argv.reserve(args.size() + 2);
    argv.push_back(const_cast<char*>(runtime.argv0.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    envp.reserve(environment.size() + 1);
    for (const auto& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    if (!runtime.is_script) {
        // Exec the very file that was checked: no window for a swap between check and use.
        ::syscall(SYS_execveat, runtime.fd.get(), "", argv.data(), envp.data(), AT_EMPTY_PATH);
        if (errno == ENOSYS) {
            // No execveat (kernels before 3.19, qemu-user before 8.0): exec the same open file
            // through its /proc/self/fd link, as musl's and glibc's fexecve do. Still the
            // checked inode, not a path that could be swapped.
            char fd_path[32];
            std::snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", runtime.fd.get());
            ::execve(fd_path, argv.data(), envp.data());
        }
    } else {
        // A "#!" script given as an fd would run as /dev/fd/N, which needs the fd to stay open
        // in the script (leaked) — so a script is exec'd by path, after checking that the path
        // still names the file that was checked. The file was owned by root and not writable
        // by others; swapping it needs root in its folder.
        struct stat st {};
        if (::stat(runtime.path.c_str(), &st) != 0 || !(identity_of(st) == runtime.identity))
            return make_error("runtime " + runtime.path + " changed while runcwrap checked it");
        ::execve(runtime.path.c_str(), argv.data(), envp.data());
    }
    return make_error("cannot exec runtime " + runtime.path + " (from " + runtime.source +
                      "): " + errno_text(errno));
}

}  // namespace runcwrap
