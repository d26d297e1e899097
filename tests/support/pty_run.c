/* pty_run: run a command on a fresh pseudo-terminal and copy what it prints to stdout.
 *
 *   usage: pty_run SECONDS COMMAND [ARG...]
 *
 * The e2e suite's `ctr run -t` needs a terminal on its stdin. script(1) gives one, but it also
 * proxies its own stdin (EOF becomes a ^D on the terminal), runs the command through $SHELL, and
 * may lose the output of a command that exits quickly; any of those made the tty case depend on
 * the machine. This helper does one thing: the child gets a new session whose controlling terminal
 * and fds 0-2 are the pty's slave; the parent never writes to the master, only reads it until the
 * child is gone, then exits with the child's status (124 on timeout, as timeout(1) does).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int die(const char* what) {
    fprintf(stderr, "pty_run: %s: %s\n", what, strerror(errno));
    return 125;
}

static void copy_out(int master) {
    char buf[4096];
    for (;;) {
        ssize_t n = read(master, buf, sizeof buf);
        if (n <= 0) return; /* EIO once no slave is open, or EAGAIN: nothing more now */
        (void)!write(STDOUT_FILENO, buf, (size_t)n);
    }
}

int main(int argc, char** argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: pty_run SECONDS COMMAND [ARG...]\n");
        return 125;
    }
    int seconds = atoi(argv[1]);
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) return die("posix_openpt");
    if (grantpt(master) != 0) return die("grantpt");
    if (unlockpt(master) != 0) return die("unlockpt");
    const char* slave_name = ptsname(master);
    if (!slave_name) return die("ptsname");
    /* Keep a slave open in the parent until the child has exited, so that reads on the master
     * never see EIO between the child's exit and its output being drained. */
    int parent_slave = open(slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (parent_slave < 0) return die(slave_name);

    pid_t child = fork();
    if (child < 0) return die("fork");
    if (child == 0) {
        if (setsid() < 0) _exit(die("setsid"));
        int slave = open(slave_name, O_RDWR); /* first tty opened by a session leader: its ctty */
        if (slave < 0) _exit(die(slave_name));
        (void)ioctl(slave, TIOCSCTTY, 0);
        struct winsize size = {.ws_row = 24, .ws_col = 80};
        (void)ioctl(slave, TIOCSWINSZ, &size);
        if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) _exit(die("dup2"));
        if (slave > 2) close(slave);
        execvp(argv[2], argv + 2);
        fprintf(stderr, "pty_run: exec %s: %s\n", argv[2], strerror(errno));
        _exit(127);
    }

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int status = 0;
    for (;;) {
        struct pollfd pfd = {.fd = master, .events = POLLIN};
        if (poll(&pfd, 1, 100) > 0 && (pfd.revents & POLLIN)) {
            char buf[4096];
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) (void)!write(STDOUT_FILENO, buf, (size_t)n);
        }
        pid_t done = waitpid(child, &status, WNOHANG);
        if (done == child) break;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (seconds > 0 && now.tv_sec - start.tv_sec >= seconds) {
            fprintf(stderr, "pty_run: %s still running after %d s; killed\n", argv[2], seconds);
            kill(-child, SIGKILL);
            kill(child, SIGKILL);
            waitpid(child, &status, 0);
            fcntl(master, F_SETFL, O_NONBLOCK);
            copy_out(master);
            return 124;
        }
    }
    /* Drain what the child (and anything it left holding the terminal) wrote before it exited. */
    fcntl(master, F_SETFL, O_NONBLOCK);
    copy_out(master);
    close(parent_slave);
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    fprintf(stderr, "pty_run: %s killed by signal %d\n", argv[2], WTERMSIG(status));
    return 128 + WTERMSIG(status);
}
