// runcwrap: one binary, two faces. Installed as `runc` it is the wrapper (the hot path);
// called `runcwrap` it is the management CLI.
//
// The wrapper face is chosen before C++ static initialisation, not in main(): the CLI's static
// state (CLI11's validator objects, libc++'s std::cout/std::cin and the classic locale behind
// them) is built by constructors that run before main() in every process of this binary. On the
// hot path that cost 4 page faults and ≈70 µs a call on the VMs we measured (bench/results.md)
// for objects the wrapper never uses. A constructor with
// priority 99 runs ahead of libc++'s (100) and of every default-priority one; when the program
// is not `runcwrap` it runs the wrapper there and never returns: the wrapper execs or exits.
#include <unistd.h>

#include <string_view>

#include "cli/cli.hpp"
#include "wrapper/wrapper.hpp"

namespace {

std::string_view program_name(const char* argv0) {
    std::string_view name = argv0 ? argv0 : "";
    auto slash = name.rfind('/');
    return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

bool is_cli(int argc, char** argv) { return argc > 0 && program_name(argv[0]) == "runcwrap"; }

[[noreturn]] void run_wrapper(int argc, char** argv, char** envp) {
    // _exit, not exit: nothing was registered with atexit yet and the wrapper has no buffered
    // output (it writes with write(2)); exit would run the .fini_array of objects never built.
    _exit(runcwrap::wrapper_main(argc, argv, envp));
}

}  // namespace

// Priorities up to 100 are "reserved for the implementation": running ahead of libc++ is the point.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wprio-ctor-dtor"
#endif

#if defined(__GLIBC__)
// glibc passes (argc, argv, envp) to .init_array functions.
__attribute__((constructor(99))) static void dispatch_before_static_init(int argc, char** argv,
                                                                         char** envp) {
    if (argv != nullptr && !is_cli(argc, argv)) run_wrapper(argc, argv, envp);
}
#else
// musl calls .init_array functions without arguments. Its start code set `environ` to the
// initial stack's envp, which sits just after argv's terminating NULL: the stack reads
// argc, argv[0], ..., argv[argc-1], NULL, envp[0], ... Walking back from envp[-1] (NULL),
// the first slot k words further back that holds the integer k is argc: every slot between
// holds an argv pointer, and no pointer is a count that small.
extern "C" char** environ;
__attribute__((constructor(99))) static void dispatch_before_static_init() {
    char** envp = environ;
    if (envp == nullptr || envp[-1] != nullptr) return;  // not the initial stack: let main() run
    auto* slot = reinterpret_cast<long*>(envp - 1);
    for (long count = 0; count < (1L << 24); ++count) {
        if (slot[-count - 1] == count) {
            char** argv = envp - 1 - count;
            if (!is_cli(static_cast<int>(count), argv))
                run_wrapper(static_cast<int>(count), argv, envp);
            return;
        }
    }
}
#endif

int main(int argc, char** argv, char** envp) {
    // Reached for the CLI, and for the wrapper only where the early dispatch could not run.
    if (is_cli(argc, argv)) return runcwrap::cli_main(argc, argv, envp);
    return runcwrap::wrapper_main(argc, argv, envp);
}
