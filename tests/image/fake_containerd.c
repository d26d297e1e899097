// A stand-in for the node's containerd in tests/image/run.sh: a process named containerd whose
// /proc/<pid>/environ, cmdline and exe are what the installer reads. `--version` answers as
// containerd FAKE_VERSION does; any other call waits until it is killed.
//
// Started with FAKE_NODE_ROOT=DIR (a staged node root), it first moves into a mount namespace of
// its own whose root is DIR (pivot_root), drops that variable and execs /usr/bin/containerd
// there: as on a node, its /proc/<pid>/exe then reads /usr/bin/containerd, and its environment
// holds only what the test gave it (PATH).
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef FAKE_VERSION
#error "build with -DFAKE_VERSION='\"1.7.24\"'"
#endif

extern char** environ;

static int enter_node_root(const char* root, char** argv) {
    if (unshare(CLONE_NEWNS) != 0) return perror("unshare"), 1;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return perror("mount private"), 1;
    if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) != 0) return perror("bind"), 1;
    if (chdir(root) != 0) return perror("chdir"), 1;
    if (syscall(SYS_pivot_root, ".", ".") != 0) return perror("pivot_root"), 1;
    if (umount2(".", MNT_DETACH) != 0) return perror("umount old root"), 1;
    if (chdir("/") != 0) return perror("chdir /"), 1;
    unsetenv("FAKE_NODE_ROOT");
    execve("/usr/bin/containerd", argv, environ);
    perror("execve /usr/bin/containerd");
    return 1;
}

int main(int argc, char** argv) {
    const char* root = getenv("FAKE_NODE_ROOT");
    if (root) return enter_node_root(root, argv);
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-v") == 0) {
            printf("containerd github.com/containerd/containerd v%s fake0123456789\n",
                   FAKE_VERSION);
            return 0;
        }
    }
    for (;;) pause();
}
