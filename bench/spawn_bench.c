// spawn_bench: times commands the way containerd's runc shim runs them, interleaved.
//
// hyperfine cannot hand a command three pipes as fds 0-2 (its --input/--output take files or
// /dev/null), yet that is what the shim does, and runcwrap's user-namespace path (fchown of
// stdio pipes) only runs when fds 0-2 are anonymous pipes not yet owned by the mapped user. So
// every run gets three fresh pipes (stdin = read end, stdout/stderr = write ends), created
// before the clock starts and closed after it stops.
//
// Runs are round-robin: round r runs every command once, starting at command r % n, so slow
// phases of a shared machine hit every command alike. With --baseline NAME each other command
// also gets the median of its per-round difference and ratio to the baseline (paired, which
// cancels most drift). Peak RSS and minor page faults of each child come from wait4's rusage
// (for a wrapper, the faults of both images the process runs: the wrapper's and its target's).
//
// Usage: spawn_bench [--runs N] [--warmup N] [--baseline NAME] [--no-pipes] [--ignore-status]
//                    --cmd NAME ARGV... [--cmd NAME ARGV...]...
// Output: one tab-separated line per command:
//   name n median_us p10_us p90_us min_us max_rss_kib diff_median_us ratio_median median_minflt
// (diff/ratio are "-" without a baseline and for the baseline itself).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

struct command {
    const char* name;
    char** argv;
    double* us;      // one per measured round
    double* minflt;  // minor page faults, one per measured round
    long max_rss;    // KiB
};

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

// Nearest-rank percentile of a sorted array.
static double pct(const double* sorted, int n, double p) {
    int i = (int)(p * (n - 1) + 0.5);
    return sorted[i < 0 ? 0 : (i >= n ? n - 1 : i)];
}

static double median_of(const double* v, int n) {
    double* s = malloc(sizeof(double) * (size_t)n);
    memcpy(s, v, sizeof(double) * (size_t)n);
    qsort(s, (size_t)n, sizeof(double), cmp_double);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m;
}

static void die(const char* what) {
    perror(what);
    exit(2);
}

// One run of c; returns its wall time in µs. A failing command aborts the benchmark: timing a
// command that errors out measures the wrong path.
static int ignore_status = 0;

static double run_once(struct command* c, int pipes, long* minflt) {
    int p[3][2] = {{-1, -1}, {-1, -1}, {-1, -1}};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (pipes) {
        for (int i = 0; i < 3; i++)
            if (pipe2(p[i], O_CLOEXEC) != 0) die("pipe2");
        // stdin: the read end of pipe 0; stdout/stderr: the write ends of pipes 1 and 2. dup2
        // clears O_CLOEXEC on the copies; the originals close at exec.
        posix_spawn_file_actions_adddup2(&fa, p[0][0], 0);
        posix_spawn_file_actions_adddup2(&fa, p[1][1], 1);
        posix_spawn_file_actions_adddup2(&fa, p[2][1], 2);
    } else {
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    }
    pid_t pid;
    double t0 = now_us();
    int rc = posix_spawn(&pid, c->argv[0], &fa, NULL, c->argv, environ);
    if (rc != 0) {
        errno = rc;
        die(c->argv[0]);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) die("wait4");
    double t1 = now_us();
    posix_spawn_file_actions_destroy(&fa);
    if (ru.ru_maxrss > c->max_rss) c->max_rss = ru.ru_maxrss;
    *minflt = ru.ru_minflt;
    if (!ignore_status && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        fprintf(stderr, "spawn_bench: %s failed (status 0x%x)", c->name, status);
        if (pipes) {
            char buf[4096];
            close(p[2][1]);
            p[2][1] = -1;
            ssize_t n = read(p[2][0], buf, sizeof buf - 1);
            if (n > 0) {
                buf[n] = 0;
                fprintf(stderr, ", its stderr: %s", buf);
            }
        }
        fputc('\n', stderr);
        exit(1);
    }
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++)
            if (p[i][j] >= 0) close(p[i][j]);
    return t1 - t0;
}

int main(int argc, char** argv) {
    int runs = 200, warmup = 20, pipes = 1;
    const char* baseline = NULL;
    struct command cmds[16];
    int ncmd = 0;
    for (int i = 1; i < argc;) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc) {
            runs = atoi(argv[i + 1]);
            i += 2;
        } else if (!strcmp(argv[i], "--warmup") && i + 1 < argc) {
            warmup = atoi(argv[i + 1]);
            i += 2;
        } else if (!strcmp(argv[i], "--baseline") && i + 1 < argc) {
            baseline = argv[i + 1];
            i += 2;
        } else if (!strcmp(argv[i], "--ignore-status")) {
            ignore_status = 1;  // for diagnosis: time error paths too
            i++;
        } else if (!strcmp(argv[i], "--no-pipes")) {
            pipes = 0;
            i++;
        } else if (!strcmp(argv[i], "--cmd") && i + 2 < argc && ncmd < 16) {
            // NAME ARGV... up to the next "--cmd" (or the end), copied NULL-terminated.
            struct command* c = &cmds[ncmd++];
            c->name = argv[i + 1];
            c->max_rss = 0;
            int j = i + 2;
            while (j < argc && strcmp(argv[j], "--cmd") != 0) j++;
            c->argv = calloc((size_t)(j - (i + 2) + 1), sizeof(char*));
            for (int k = i + 2; k < j; k++) c->argv[k - (i + 2)] = argv[k];
            i = j;
        } else {
            fprintf(stderr,
                    "usage: spawn_bench [--runs N] [--warmup N] [--baseline NAME] "
                    "[--no-pipes] [--ignore-status] --cmd NAME ARGV... [--cmd NAME ARGV...]...\n");
            return 2;
        }
    }
    if (ncmd == 0 || runs < 1) {
        fprintf(stderr, "spawn_bench: no command\n");
        return 2;
    }
    for (int k = 0; k < ncmd; k++) {
        cmds[k].us = calloc((size_t)runs, sizeof(double));
        cmds[k].minflt = calloc((size_t)runs, sizeof(double));
    }

    for (int r = 0; r < warmup + runs; r++)
        for (int k = 0; k < ncmd; k++) {
            struct command* c = &cmds[(r + k) % ncmd];
            long faults = 0;
            double t = run_once(c, pipes, &faults);
            if (r >= warmup) {
                c->us[r - warmup] = t;
                c->minflt[r - warmup] = (double)faults;
            }
        }

    const struct command* base = NULL;
    for (int k = 0; baseline && k < ncmd; k++)
        if (!strcmp(cmds[k].name, baseline)) base = &cmds[k];
    double* tmp = malloc(sizeof(double) * (size_t)runs);
    double* tmp2 = malloc(sizeof(double) * (size_t)runs);
    for (int k = 0; k < ncmd; k++) {
        struct command* c = &cmds[k];
        memcpy(tmp, c->us, sizeof(double) * (size_t)runs);
        qsort(tmp, (size_t)runs, sizeof(double), cmp_double);
        printf("%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%ld", c->name, runs, median_of(c->us, runs),
               pct(tmp, runs, 0.10), pct(tmp, runs, 0.90), tmp[0], c->max_rss);
        if (base && base != c) {
            for (int i = 0; i < runs; i++) {
                tmp[i] = c->us[i] - base->us[i];
                tmp2[i] = c->us[i] / base->us[i];
            }
            printf("\t%.1f\t%.3f", median_of(tmp, runs), median_of(tmp2, runs));
        } else {
            printf("\t-\t-");
        }
        printf("\t%.0f\n", median_of(c->minflt, runs));
    }
    return 0;
}
