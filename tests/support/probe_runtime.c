/* A stand-in for runc in the integration tests: it records exactly what it was given and exits
 * with a chosen code, so a test can compare what runcwrap received with what the runtime got.
 *
 * Env PROBE_RECORD names the record file (appended to; one record per call, written with a
 * single write(2) so concurrent calls never interleave). Env PROBE_EXIT is the exit code
 * (default 0). Without PROBE_RECORD it records nothing and just exits.
 *
 * Record format, one item per line, every free-text field percent-encoded (bytes <= 0x20,
 * '%' and >= 0x7f become %XX) so a line never breaks:
 *   BEGIN <pid>
 *   exe <readlink /proc/self/exe>
 *   arg <i> <text>                 argv[i], i from 0
 *   env <text>                     one per variable, in order
 *   cwd <text>
 *   fd <n> <readlink target>       every open fd but the probe's own directory handle
 *   fdstat <n> <type> <uid> <gid> <mode octal, permission bits> <dev> <ino>
 *   END <exit code>
 * type is one of fifo chr reg sock dir lnk blk ?.
 * The probe writes nothing to stdout or stderr: tests check that those stay silent. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

struct buf {
    char* data;
    size_t len, cap;
};

static void put(struct buf* b, const char* s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + n + 1 > cap) cap *= 2;
        char* p = realloc(b->data, cap);
        if (!p) _exit(99);
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

static void puts_(struct buf* b, const char* s) { put(b, s, strlen(s)); }

static void put_escaped(struct buf* b, const char* s) {
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char* p = (const unsigned char*)s; *p; ++p) {
        if (*p <= 0x20 || *p == '%' || *p >= 0x7f) {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            put(b, e, 3);
        } else {
            put(b, (const char*)p, 1);
        }
    }
}

static void putf(struct buf* b, const char* fmt, long long a, long long c) {
    char tmp[128];
    int n = snprintf(tmp, sizeof tmp, fmt, a, c);
    put(b, tmp, (size_t)n);
}

static const char* type_name(mode_t m) {
    if (S_ISFIFO(m)) return "fifo";
    if (S_ISCHR(m)) return "chr";
    if (S_ISREG(m)) return "reg";
    if (S_ISSOCK(m)) return "sock";
    if (S_ISDIR(m)) return "dir";
    if (S_ISLNK(m)) return "lnk";
    if (S_ISBLK(m)) return "blk";
    return "?";
}

static void put_link(struct buf* b, const char* path) {
    char target[4096];
    ssize_t n = readlink(path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = 0;
    put_escaped(b, n > 0 ? target : "?");
}

int main(int argc, char** argv) {
    const char* exit_text = getenv("PROBE_EXIT");
    int code = exit_text ? atoi(exit_text) : 0;
    const char* record = getenv("PROBE_RECORD");
    if (!record || !*record) return code;

    struct buf b = {0, 0, 0};
    putf(&b, "BEGIN %lld\n", (long long)getpid(), 0);
    puts_(&b, "exe ");
    put_link(&b, "/proc/self/exe");
    puts_(&b, "\n");
    for (int i = 0; i < argc; ++i) {
        putf(&b, "arg %lld ", i, 0);
        put_escaped(&b, argv[i]);
        puts_(&b, "\n");
    }
    for (char** e = environ; e && *e; ++e) {
        puts_(&b, "env ");
        put_escaped(&b, *e);
        puts_(&b, "\n");
    }
    char cwd[4096];
    puts_(&b, "cwd ");
    put_escaped(&b, getcwd(cwd, sizeof cwd) ? cwd : "?");
    puts_(&b, "\n");

    /* The fds as inherited: the record file is opened only after this listing. */
    DIR* d = opendir("/proc/self/fd");
    if (d) {
        int own = dirfd(d);
        struct dirent* de;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] == '.') continue;
            int fd = atoi(de->d_name);
            if (fd == own) continue;
            char path[64];
            snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
            putf(&b, "fd %lld ", fd, 0);
            put_link(&b, path);
            puts_(&b, "\n");
            struct stat st;
            if (fstat(fd, &st) == 0) {
                char line[256];
                int len = snprintf(line, sizeof line, "fdstat %d %s %lu %lu %o %llu %llu\n", fd,
                                   type_name(st.st_mode), (unsigned long)st.st_uid,
                                   (unsigned long)st.st_gid, (unsigned)(st.st_mode & 07777),
                                   (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
                put(&b, line, (size_t)len);
            }
        }
        closedir(d);
    }
    putf(&b, "END %lld\n", code, 0);

    int fd = open(record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return 98;
    ssize_t n;
    do {
        n = write(fd, b.data, b.len);
    } while (n < 0 && errno == EINTR);
    close(fd);
    if (n != (ssize_t)b.len) return 97;
    return code;
}
