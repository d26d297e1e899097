// exec_floor: the least any exec wrapper can cost, for comparison with runcwrap in `make bench`.
//
// A static musl program that does only what every wrapper must: open its target (O_CLOEXEC) and
// execveat it through that fd with the same argv and environment, as runcwrap does. No config,
// no checks. Whatever runcwrap costs above this variant is its own work; what this variant costs
// above the symlink is the price of a second exec, which no wrapper can avoid.
//
// Built by bench/run.sh with -DTARGET='"/path/to/runtime"'.
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef TARGET
#error "build with -DTARGET='\"/path/to/runtime\"'"
#endif

extern char** environ;

int main(int argc, char** argv) {
    (void)argc;
    int fd = open(TARGET, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 127;
    argv[0] = (char*)TARGET;
    syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
    return 126;
}
