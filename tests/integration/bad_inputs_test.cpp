// The bad-input table (issue #7): every malformed, missing, untrusted or hostile input runcwrap
// can meet, each with its exact outcome. Either runcwrap refuses (exit 1, one error line that
// names the file and the fix, once on stderr and once in runc's JSON format in the --log file,
// the runtime not run, the stdio pipes untouched), or the problem is one runc itself reports and
// runcwrap passes the call through untouched (the runtime ran with the argv, runcwrap silent).
//
// Self-contained: every helper is in namespace bad_inputs below. runcwrap (RUNCWRAP_BIN) is
// installed as `runc` by a symlink in a root-owned 0755 temp tree; the runtime is a recorder
// script (root, 0755) that writes its $0, its arguments and `ls -l /proc/$$/fd` to a file.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace bad_inputs {
namespace {

namespace fs = std::filesystem;

// ---- files ---------------------------------------------------------------------------------

std::string runcwrap_bin() {
    const char* p = std::getenv("RUNCWRAP_BIN");
    return p ? p : "";
}

void write_file(const std::string& path, std::string_view content, mode_t mode = 0644,
                uid_t uid = 0, gid_t gid = 0) {
    fs::create_directories(fs::path(path).parent_path());
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
    for (std::size_t done = 0; done < content.size();) {
        ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        ASSERT_GT(n, 0) << path;
        done += static_cast<std::size_t>(n);
    }
    ASSERT_EQ(::fchown(fd, uid, gid), 0) << path;
    ASSERT_EQ(::fchmod(fd, mode), 0) << path;  // exact mode, whatever the umask
    ::close(fd);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        out.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return out;
}

// runc's JSON string escaping as runcwrap writes it (runc_log.cpp), for the messages here.
std::string json_escape(std::string_view s) {
    std::string out;
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80         ? 1
                                : (c >> 5) == 6  ? 2
                                : (c >> 4) == 14 ? 3
                                : (c >> 3) == 30 ? 4
                                                 : 0;
        if (len == 0 || i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

// ---- processes -----------------------------------------------------------------------------

struct Outcome {
    int exit_code = -1;  // -1: killed by a signal
    std::string out;
    std::string err;
    // Owners of the stdio pipes after the call (fd 1's and fd 2's write ends), to see a chown.
    uid_t stdout_uid = 0;
    uid_t stderr_uid = 0;
};

struct Call {
    std::vector<std::string> argv;  // argv[0] included
    std::vector<std::string> env;
    std::string cwd = "/";
    bool close_stdio = false;  // start runcwrap with fds 0-2 closed
};

// Runs runcwrap (installed as `path`) with stdio on fresh pipes; 60 s at most.
Outcome run(const std::string& path, const Call& c) {
    Outcome o;
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) || ::pipe2(out, O_CLOEXEC) || ::pipe2(err, O_CLOEXEC)) {
        ADD_FAILURE() << "pipe2: " << std::strerror(errno);
        return o;
    }
    std::vector<char*> argv, envp;
    for (const auto& a : c.argv) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const auto& e : c.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);

    pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(c.cwd.c_str()) != 0) _exit(120);
        if (c.close_stdio) {
            ::close(0);
            ::close(1);
            ::close(2);
        } else if (::dup2(in[0], 0) < 0 || ::dup2(out[1], 1) < 0 || ::dup2(err[1], 2) < 0) {
            _exit(121);
        }
        // Only 0-2 go to runcwrap, as the shim hands them: nothing this test process inherited.
        if (::syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
            for (int fd = 3; fd < 65536; ++fd) ::close(fd);
        ::execve(path.c_str(), argv.data(), envp.data());
        _exit(122);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    ::close(in[1]);  // the caller sends nothing: EOF on stdin
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open_count = 2;
    while (open_count > 0 && std::chrono::steady_clock::now() < deadline) {
        if (::poll(fds, 2, 1000) <= 0) continue;
        for (int k = 0; k < 2; ++k) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP))) continue;
            char buf[65536];
            ssize_t n = ::read(fds[k].fd, buf, sizeof buf);
            if (n > 0) {
                (k == 0 ? o.out : o.err).append(buf, static_cast<std::size_t>(n));
            } else {
                fds[k].fd = -1;
                --open_count;
            }
        }
    }
    if (open_count > 0) {
        ::kill(pid, SIGKILL);
        ADD_FAILURE() << "runcwrap did not finish within 60 s";
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    struct stat st {};
    if (::fstat(out[0], &st) == 0) o.stdout_uid = st.st_uid;
    if (::fstat(err[0], &st) == 0) o.stderr_uid = st.st_uid;
    ::close(out[0]);
    ::close(err[0]);
    return o;
}

// ---- the node ------------------------------------------------------------------------------

constexpr const char* kDropped = R"({"io_uid":100000,"io_gid":100000})";
constexpr const char* kDefaultRoot = "/run/containerd/runc/k8s.io";

// A config.json with a user namespace, uid/gid 0 mapped to host 100000 (as in samples/c2), so a
// call that goes through chowns the stdio pipes to 100000 and a refused one must not.
std::string userns_config(const std::string& sandbox_id = "") {
    std::string annotations =
        sandbox_id.empty() ? "{}" : R"({"io.kubernetes.cri.sandbox-id":")" + sandbox_id + R"("})";
    return R"({"ociVersion":"1.0.2","process":{"user":{"uid":0,"gid":0},"args":["sh"],"cwd":"/"},)"
           R"("root":{"path":"rootfs"},"annotations":)" +
           annotations +
           R"(,"linux":{"namespaces":[{"type":"pid"},{"type":"user"},{"type":"mount"}],)"
           R"("uidMappings":[{"containerID":0,"hostID":100000,"size":65536}],)"
           R"("gidMappings":[{"containerID":0,"hostID":100000,"size":65536}]}})";
}

struct Record {
    bool ran = false;
    std::string program;             // $0
    std::vector<std::string> args;   // "$@"
    std::map<int, std::string> fds;  // ls -l /proc/$$/fd: fd -> target
};

// A node in miniature under a root-owned 0755 temp dir T:
//   T/bin/runc                  -> RUNCWRAP_BIN (runcwrap installed as runc, first in PATH)
//   T/rbin/runc                 recorder: "the next runc in PATH after runcwrap"
//   T/opt/real/runc             recorder: the runtime the side file names
//   T/etc/runcwrap/config.toml  the side file (RUNCWRAP_CONFIG)
//   T/state/k8s.io/<id>/        bundles (config.json, options.json, log.json)
class Node {
  public:
    Node() {
        char tmpl[] = "/tmp/bad-inputs.XXXXXX";
        const char* made = ::mkdtemp(tmpl);
        if (!made) {
            ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
            return;
        }
        T = made;
        runc = T + "/bin/runc";
        real_runtime = T + "/opt/real/runc";
        side = T + "/etc/runcwrap/config.toml";
        record = T + "/record";
        EXPECT_EQ(::chmod(T.c_str(), 0755), 0);
        EXPECT_EQ(::chown(T.c_str(), 0, 0), 0);
        for (const char* d : {"/bin", "/rbin", "/opt/real", "/etc/runcwrap", "/state/k8s.io"})
            fs::create_directories(T + d);
        fs::create_symlink(runcwrap_bin(), runc);
        write_recorder(T + "/rbin/runc");
        write_recorder(real_runtime);
        write_side("[options]\nBinaryName = \"" + real_runtime + "\"\nSystemdCgroup = true\n");
        make_bundle("c1", kDropped, userns_config());
    }
    ~Node() {
        if (!ro_mount.empty()) ::umount2(ro_mount.c_str(), MNT_DETACH);
        std::error_code ec;
        if (!T.empty()) fs::remove_all(T, ec);
    }
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    std::string T;
    std::string runc;
    std::string real_runtime;
    std::string side;
    std::string record;
    std::string ro_mount;

    std::string bundle(const std::string& id) const { return T + "/state/k8s.io/" + id; }
    std::string log(const std::string& id = "c1") const { return bundle(id) + "/log.json"; }

    void write_recorder(const std::string& path, mode_t mode = 0755) const {
        // `ls` lists the shell's own fds: the fds the exec left open, plus the shell's handle on
        // the script (>= 10). Then fd 9 appends $0, the arguments and that listing to the record.
        // The fd listing comes first, and from a subshell: dash applies a redirection of a plain
        // command in its own fd table (saving the old fd 1 at 11), which would show up here.
        write_file(path,
                   "#!/bin/sh\n(/bin/ls -l /proc/$$/fd) >'" + record +
                       ".fds'\n"
                       "exec 9>>'" +
                       record +
                       "'\nprintf 'ran %s\\n' \"$0\" >&9\n"
                       "for a in \"$@\"; do printf 'arg %s\\n' \"$a\" >&9; done\n"
                       "/bin/cat '" +
                       record + ".fds' >&9\n",
                   mode);
    }
    void write_side(const std::string& toml, mode_t mode = 0644, uid_t uid = 0) const {
        write_file(side, toml, mode, uid);
    }
    void make_bundle(const std::string& id, const std::string& options,
                     const std::string& config) const {
        fs::create_directories(bundle(id));
        if (!options.empty()) write_file(bundle(id) + "/options.json", options, 0600);
        write_file(bundle(id) + "/config.json", config);
    }

    std::vector<std::string> env() const {
        return {"PATH=" + T + "/bin:" + T + "/rbin", "HOME=/root", "RUNCWRAP_CONFIG=" + side};
    }
    // The shim's create call for bundle `id` (samples/c2/01-create.txt).
    std::vector<std::string> create_argv(const std::string& id = "c1") const {
        return {"runc", "--root", kDefaultRoot, "--log",    log(id),      "--log-format",
                "json", "create", "--bundle",   bundle(id), "--pid-file", bundle(id) + "/init.pid",
                id};
    }
    // The shim's exec call (samples/d/03-exec.txt).
    std::vector<std::string> exec_argv(const std::string& process_file,
                                       const std::string& id = "c1") const {
        return {"runc",
                "--root",
                kDefaultRoot,
                "--log",
                log(id),
                "--log-format",
                "json",
                "exec",
                "--process",
                process_file,
                "--detach",
                "--pid-file",
                bundle(id) + "/x1.pid",
                id};
    }

    Outcome call(const std::vector<std::string>& argv, bool close_stdio = false) const {
        Call c;
        c.argv = argv;
        c.env = env();
        c.cwd = T;
        c.close_stdio = close_stdio;
        return run(runc, c);
    }

    std::vector<Record> records() const {
        std::vector<Record> out;
        for (const auto& line : lines_of(read_file(record))) {
            if (line.rfind("ran ", 0) == 0) {
                out.emplace_back();
                out.back().ran = true;
                out.back().program = line.substr(4);
            } else if (out.empty()) {
                continue;
            } else if (line.rfind("arg ", 0) == 0) {
                out.back().args.push_back(line.substr(4));
            } else {
                static const std::regex fd_line(R"( (\d+) -> (.*)$)");
                std::smatch m;
                if (std::regex_search(line, m, fd_line)) out.back().fds[std::stoi(m[1])] = m[2];
            }
        }
        return out;
    }
};

// ---- the two outcomes ----------------------------------------------------------------------

// Refused: exit 1, stdout empty, exactly one line on stderr "runcwrap: <msg>", the same <msg>
// as the last line of the --log file in runc's JSON format, every `expected` piece in it, the
// runtime not run, the stdio pipes still root's. Returns the message.
std::string expect_refused(const Node& n, const Outcome& o,
                           const std::vector<std::string>& expected, const std::string& log_path) {
    EXPECT_EQ(o.exit_code, 1) << o.err;
    EXPECT_EQ(o.out, "");
    EXPECT_TRUE(n.records().empty()) << "the runtime must not run: " << read_file(n.record);
    EXPECT_EQ(o.stdout_uid, 0u) << "stdout must not be chowned";
    EXPECT_EQ(o.stderr_uid, 0u) << "stderr must not be chowned";
    auto err_lines = lines_of(o.err);
    EXPECT_EQ(err_lines.size(), 1u) << o.err;
    EXPECT_EQ(o.err.empty() ? '\n' : o.err.back(), '\n');
    const std::string message = err_lines.empty() ? "" : err_lines[0];
    EXPECT_EQ(message.rfind("runcwrap: ", 0), 0u) << message;
    for (const auto& piece : expected)
        EXPECT_NE(message.find(piece), std::string::npos)
            << "missing \"" << piece << "\" in: " << message;

    auto log_lines = lines_of(read_file(log_path));
    EXPECT_EQ(log_lines.size(), 1u) << read_file(log_path);
    if (!log_lines.empty()) {
        static const std::regex line_re(
            R"re(^\{"level":"error","msg":"(.*)",)re"
            R"re("time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"\}$)re");
        std::smatch m;
        EXPECT_TRUE(std::regex_match(log_lines.back(), m, line_re)) << log_lines.back();
        if (valid_utf8(message) && !m.empty()) {
            EXPECT_EQ(m[1].str(), json_escape(message));
        }
        EXPECT_TRUE(valid_utf8(log_lines.back())) << "containerd drops a line it cannot decode";
    }
    return message;
}

std::string expect_refused(const Node& n, const Outcome& o,
                           const std::vector<std::string>& expected) {
    return expect_refused(n, o, expected, n.log());
}

// Passed through: the runtime ran once with exactly `args` (argv[1..] plus any restored flags
// the caller lists), runcwrap wrote nothing (no stdout, no stderr, no log line), and the runtime
// holds no fd but 0-2 and its own.
Record expect_passed_through(const Node& n, const Outcome& o, const std::string& runtime) {
    EXPECT_EQ(o.exit_code, 0) << o.err;
    EXPECT_EQ(o.out, "");
    EXPECT_EQ(o.err, "") << "runcwrap must stay silent when it passes a call through";
    EXPECT_EQ(read_file(n.log()), "") << "no log line on a call that went through";
    auto recs = n.records();
    EXPECT_EQ(recs.size(), 1u) << read_file(n.record);
    if (recs.empty()) return {};
    EXPECT_EQ(recs[0].program, runtime);
    for (const auto& [fd, target] : recs[0].fds) {
        if (fd <= 2 || target == runtime) continue;
        ADD_FAILURE() << "fd " << fd << " -> " << target << " leaked into the runtime";
    }
    return recs[0];
}

std::vector<std::string> tail(std::vector<std::string> v) {
    v.erase(v.begin());
    return v;
}

std::vector<std::string> with_systemd_cgroup(std::vector<std::string> argv_tail) {
    // The default side file restores SystemdCgroup = true: --systemd-cgroup before "create".
    for (std::size_t i = 0; i < argv_tail.size(); ++i)
        if (argv_tail[i] == "create") {
            argv_tail.insert(argv_tail.begin() + static_cast<std::ptrdiff_t>(i),
                             "--systemd-cgroup");
            break;
        }
    return argv_tail;
}

class BadInputs : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_FALSE(runcwrap_bin().empty()) << "RUNCWRAP_BIN is not set";
        ASSERT_EQ(::geteuid(), 0u) << "the trust checks need root-owned files: run as root";
    }
};

// ---- the baseline the table varies -----------------------------------------------------------

TEST_F(BadInputs, BaselineDroppedOptionsRestoredAndStdioChowned) {
    Node n;
    auto argv = n.create_argv();
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, with_systemd_cgroup(tail(argv)));
    EXPECT_EQ(o.stdout_uid, 100000u) << "the user-namespace container's stdio pipes are chowned";
}

// ---- config.json: runc reads it and reports what is wrong; runcwrap goes on -----------------
// With the spec unreadable there is no user namespace to map to: the pipes stay root's.

void expect_config_pass_through(Node& n, const std::string& config_or_missing, bool missing) {
    if (missing)
        fs::remove(n.bundle("c1") + "/config.json");
    else
        write_file(n.bundle("c1") + "/config.json", config_or_missing);
    auto argv = n.create_argv();
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, with_systemd_cgroup(tail(argv)));
    EXPECT_EQ(o.stdout_uid, 0u) << "no readable spec: nothing to map, nothing chowned";
    EXPECT_EQ(o.stderr_uid, 0u);
}

TEST_F(BadInputs, ConfigJsonMissing) {
    Node n;
    expect_config_pass_through(n, "", true);
}

TEST_F(BadInputs, ConfigJsonEmpty) {
    Node n;
    expect_config_pass_through(n, "", false);
}

TEST_F(BadInputs, ConfigJsonGarbage) {
    Node n;
    expect_config_pass_through(n,
                               "\x7f"
                               "ELF garbage {{{ not json",
                               false);
}

TEST_F(BadInputs, ConfigJsonWrongTypes) {
    Node n;
    expect_config_pass_through(
        n,
        R"({"process":{"user":{"uid":"0","gid":-1},"terminal":"yes"},"annotations":[1],)"
        R"("linux":{"namespaces":{"type":"user"},"uidMappings":5,"gidMappings":[{"size":"x"}]}})",
        false);
}

TEST_F(BadInputs, ConfigJson64MiB) {
    Node n;
    // Valid JSON, 64 MiB: above runcwrap's 16 MiB bound, so it is not read at all.
    std::string big = R"({"process":{"user":{"uid":0,"gid":0}},"x":")";
    big.append(64u << 20, 'a');
    big += "\"}";
    expect_config_pass_through(n, big, false);
}

TEST_F(BadInputs, ConfigJsonNestedAMillionDeep) {
    Node n;
    // One million '[': a recursive parser would overflow its stack; RapidJSON's iterative one
    // reports the error (unbalanced) and runcwrap goes on.
    expect_config_pass_through(n, std::string(1000000, '['), false);
}

// ---- process.json (runc exec --process) -----------------------------------------------------

TEST_F(BadInputs, ProcessJsonMissing) {
    Node n;
    auto argv = n.exec_argv(n.T + "/no-such-process.json");
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, tail(argv)) << "exec: nothing to restore but --root (default here)";
    EXPECT_EQ(o.stdout_uid, 0u) << "no process user, no chown; runc reports the missing file";
}

TEST_F(BadInputs, ProcessJsonGarbage) {
    Node n;
    write_file(n.T + "/process.json", "{\"user\":{\"uid\":0,\"gid\":");
    auto argv = n.exec_argv(n.T + "/process.json");
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, tail(argv));
    EXPECT_EQ(o.stdout_uid, 0u);
}

// ---- state.json: found through --root for a call without --log -------------------------------

TEST_F(BadInputs, StateJsonGarbage) {
    Node n;
    const std::string root = n.T + "/runc-root";
    write_file(root + "/c1/state.json", "{\"config\":{\"labels\":[\"bundle=" + n.bundle("c1"));
    const std::vector<std::string> argv{"runc", "--root", root, "delete", "--force", "c1"};
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, tail(argv)) << "no bundle found: a plain call, nothing restored";
}

// ---- the side file ------------------------------------------------------------------------

TEST_F(BadInputs, SideFileMissingWhenOptionsWereDropped) {
    Node n;
    fs::remove(n.side);
    expect_refused(n, n.call(n.create_argv()),
                   {n.bundle("c1") + "/options.json holds only task options", n.side,
                    "it does not exist", "fix: write it with [options] BinaryName"});
}

TEST_F(BadInputs, SideFileMissingOnAHealthyCallIsNotNeeded) {
    Node n;
    fs::remove(n.side);
    write_file(n.bundle("c1") + "/options.json", R"({"binary_name":"runc","systemd_cgroup":true})",
               0600);
    auto argv = n.create_argv();
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.T + "/rbin/runc");
    EXPECT_EQ(r.args, tail(argv)) << "healthy: the next runc in PATH, nothing restored";
}

// ---- the side file caught mid-write (issue #18) ---------------------------------------------
// A writer that truncates the file and then writes it shows an empty file, then each prefix.
// Those that are valid TOML are refused by rule, whatever the timing; T/rbin/runc (the next runc
// in PATH) is there to show that none of them is taken for "run the next runc".

TEST_F(BadInputs, SideFileEmpty) {
    Node n;
    n.write_side("");
    expect_refused(n, n.call(n.create_argv()),
                   {"side file " + n.side + " holds no [options] or [runcwrap] table",
                    "fix: write it atomically", "or remove it to have no side file"});
}

TEST_F(BadInputs, SideFileEmptyOnAHealthyCall) {
    Node n;
    n.write_side("");
    write_file(n.bundle("c1") + "/options.json", R"({"binary_name":"runc","systemd_cgroup":true})",
               0600);
    expect_refused(n, n.call(n.create_argv()),
                   {"side file " + n.side + " holds no [options] or [runcwrap] table"});
}

TEST_F(BadInputs, SideFileCutAfterItsOptionsHeader) {
    Node n;
    n.write_side("# Written by install.sh\n[options]\n");
    expect_refused(n, n.call(n.create_argv()),
                   {"side file " + n.side + ":2: [options] has no BinaryName",
                    "fix: add BinaryName = \"/path/to/runtime\", or BinaryName = \"runc\"",
                    "write the file atomically"});
}

TEST_F(BadInputs, SideFileCutBeforeItsBinaryName) {
    Node n;
    n.write_side("[options]\nSystemdCgroup = true\n");
    expect_refused(n, n.call(n.create_argv()),
                   {"side file " + n.side + ":1: [options] has no BinaryName"});
}

TEST_F(BadInputs, SideFileCutMidWord) {
    Node n;
    n.write_side("[options]\nBinaryName = \"" + n.real_runtime.substr(0, 8));
    expect_refused(n, n.call(n.create_argv()),
                   {"side file " + n.side + ":2: not valid TOML", "fix: correct that line"});
}

TEST_F(BadInputs, SideFileBinaryNameEmpty) {
    Node n;
    n.write_side("[options]\nBinaryName = \"\"\nSystemdCgroup = true\n");
    expect_refused(n, n.call(n.create_argv()),
                   {"side file " + n.side + ":2: [options] BinaryName is empty",
                    "\"runc\" for the next runc in PATH after runcwrap"});
}

// BinaryName = "runc" is the deliberate way to say "the next runc in PATH after runcwrap".
TEST_F(BadInputs, SideFileBinaryNameRuncIsTheNextRuncInPath) {
    Node n;
    n.write_side("[options]\nBinaryName = \"runc\"\nSystemdCgroup = true\n");
    auto argv = n.create_argv();
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.T + "/rbin/runc");
    EXPECT_EQ(r.args, with_systemd_cgroup(tail(argv)));
}

// Rewritten in place just now: runcwrap waits until it has been quiet, then acts on all of it.
TEST_F(BadInputs, SideFileJustRewrittenInPlaceIsReadWhole) {
    Node n;
    ::usleep(20000);  // the folder's last change is older than the rewrite
    const auto written = std::chrono::steady_clock::now();
    n.write_side("[options]\nBinaryName = \"" + n.real_runtime + "\"\nSystemdCgroup = true\n");
    auto argv = n.create_argv();
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, with_systemd_cgroup(tail(argv)));
    // (less a timestamp tick: file times come from the kernel's coarse clock)
    EXPECT_GE(std::chrono::steady_clock::now() - written, std::chrono::milliseconds(95))
        << "read before the file had been quiet for 100 ms";
}

// Rewritten in place without a pause long enough to read it: an error after 2 s, never a guess.
TEST_F(BadInputs, SideFileRewrittenInPlaceWithoutPause) {
    Node n;
    const std::string text =
        "[options]\nBinaryName = \"" + n.real_runtime + "\"\nSystemdCgroup = true\n";
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        while (!stop) {
            int fd = ::open(n.side.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
            if (fd >= 0) {
                (void)!::write(fd, text.data(), 10);
                (void)!::write(fd, text.data() + 10, text.size() - 10);
                ::close(fd);
            }
            ::usleep(30000);
        }
    });
    ::usleep(5000);  // the writer has begun
    const auto start = std::chrono::steady_clock::now();
    Outcome o = n.call(n.create_argv());
    const auto took = std::chrono::steady_clock::now() - start;
    stop = true;
    writer.join();
    expect_refused(
        n, o,
        {"side file " + n.side + " keeps changing",
         "may be half-written and runcwrap does not act on it",
         "fix: write it atomically: a temp file in the same folder, then rename it over " +
             n.side});
    EXPECT_GE(took, std::chrono::seconds(2));
    EXPECT_LT(took, std::chrono::seconds(5)) << "the wait is bounded";
}

// A side file that is trusted but says something wrong: refused, with the line and the fix.
struct SideFileText {
    const char* name;
    std::string (*text)(const Node&);
    std::vector<std::string> (*expected)(const Node&);
};

class BadSideFileText : public BadInputs, public ::testing::WithParamInterface<SideFileText> {};

TEST_P(BadSideFileText, IsRefusedNamingTheLine) {
    Node n;
    n.write_side(GetParam().text(n));
    expect_refused(n, n.call(n.create_argv()), GetParam().expected(n));
}

INSTANTIATE_TEST_SUITE_P(
    SideFile, BadSideFileText,
    ::testing::Values(
        SideFileText{
            "NotToml",
            [](const Node&) -> std::string { return "[options\nBinaryName: /usr/sbin/runc\n"; },
            [](const Node& n) -> std::vector<std::string> {
                return {"side file " + n.side + ":1: not valid TOML", "fix: correct that line"};
            }},
        // toml++ 3.3.0 reaches __builtin_unreachable() on this (found by fuzz/side_config).
        SideFileText{"BareNonAsciiIsRefusedNotUndefined",
                     [](const Node& n) -> std::string {
                         return "[options]\nBinaryName = \"" + n.real_runtime + "\" \xc3\xa9\n";
                     },
                     [](const Node& n) -> std::vector<std::string> {
                         return {
                             "side file " + n.side + ":2: a non-ASCII character outside a string",
                             "fix: remove it"};
                     }},
        SideFileText{"UnknownKey",
                     [](const Node& n) -> std::string {
                         return "[options]\nBinaryName = \"" + n.real_runtime +
                                "\"\nSystemdCgroups = true\n";
                     },
                     [](const Node& n) -> std::vector<std::string> {
                         return {"side file " + n.side + ":3: unknown key [options] SystemdCgroups",
                                 "known: BinaryName, SystemdCgroup"};
                     }},
        SideFileText{"WrongType",
                     [](const Node& n) -> std::string {
                         return "[options]\nBinaryName = \"" + n.real_runtime +
                                "\"\nSystemdCgroup = \"true\"\n";
                     },
                     [](const Node& n) -> std::vector<std::string> {
                         return {"side file " + n.side +
                                 ":3: [options] SystemdCgroup must be true or false"};
                     }}),
    [](const ::testing::TestParamInfo<SideFileText>& info) {
        return std::string(info.param.name);
    });

std::vector<std::string> chown_fix(const std::string& path) {
    return {"fix: chown root:root " + path + " && chmod go-w " + path};
}

TEST_F(BadInputs, SideFileWorldWritable) {
    Node n;
    n.write_side("[options]\nBinaryName = \"" + n.real_runtime + "\"\n", 0646);
    auto expected = chown_fix(n.side);
    expected.push_back("side file " + n.side + " is writable by others");
    expect_refused(n, n.call(n.create_argv()), expected);
}

TEST_F(BadInputs, SideFileGroupWritable) {
    Node n;
    n.write_side("[options]\nBinaryName = \"" + n.real_runtime + "\"\n", 0664);
    auto expected = chown_fix(n.side);
    expected.push_back("side file " + n.side + " is writable by its group");
    expect_refused(n, n.call(n.create_argv()), expected);
}

TEST_F(BadInputs, SideFileOwnedByAnotherUser) {
    Node n;
    n.write_side("[options]\nBinaryName = \"" + n.real_runtime + "\"\n", 0644, 1000);
    auto expected = chown_fix(n.side);
    expected.push_back("side file " + n.side + " is owned by uid 1000, not root");
    expect_refused(n, n.call(n.create_argv()), expected);
}

TEST_F(BadInputs, SideFileInAGroupWritableFolder) {
    Node n;
    ASSERT_EQ(::chmod((n.T + "/etc/runcwrap").c_str(), 0775), 0);
    expect_refused(n, n.call(n.create_argv()),
                   {"folder " + n.T + "/etc/runcwrap is writable by its group",
                    "fix: chown root:root " + n.T + "/etc/runcwrap && chmod go-w"});
}

TEST_F(BadInputs, SideFileSymlinkEvenToATrustedFile) {
    Node n;
    fs::rename(n.side, n.T + "/etc/runcwrap/real.toml");
    fs::create_symlink("real.toml", n.side);
    expect_refused(n, n.call(n.create_argv()),
                   {"side file " + n.side + " is a symlink", "fix: point at it directly"});
}

TEST_F(BadInputs, SideFileSymlinkToAWorldWritableFile) {
    Node n;
    write_file(n.T + "/open.toml", "[options]\nBinaryName = \"/bin/sh\"\n", 0666, 1000);
    fs::remove(n.side);
    fs::create_symlink(n.T + "/open.toml", n.side);
    expect_refused(n, n.call(n.create_argv()), {"side file " + n.side + " is a symlink"});
}

// ---- [options] BinaryName -------------------------------------------------------------------

void name_runtime(const Node& n, const std::string& binary) {
    n.write_side("[options]\nBinaryName = \"" + binary + "\"\nSystemdCgroup = true\n");
}

TEST_F(BadInputs, BinaryNameMissingFile) {
    Node n;
    name_runtime(n, n.T + "/opt/real/nope");
    expect_refused(n, n.call(n.create_argv()),
                   {"runtime " + n.T + "/opt/real/nope", "[options] BinaryName",
                    "No such file or directory", "fix: install it there"});
}

TEST_F(BadInputs, BinaryNameRelative) {
    Node n;
    name_runtime(n, "opt/real/runc");
    expect_refused(n, n.call(n.create_argv()),
                   {"side file " + n.side +
                    ":2: [options] BinaryName \"opt/real/runc\" must be "
                    "an absolute path or a bare name looked up in PATH"});
}

TEST_F(BadInputs, BinaryNameADirectory) {
    Node n;
    name_runtime(n, n.T + "/opt/real");
    expect_refused(n, n.call(n.create_argv()),
                   {"runtime " + n.T + "/opt/real is a directory", n.side});
}

TEST_F(BadInputs, BinaryNameNotExecutable) {
    Node n;
    n.write_recorder(n.real_runtime, 0644);
    expect_refused(n, n.call(n.create_argv()),
                   {"runtime " + n.real_runtime + " is not executable", n.side});
}

TEST_F(BadInputs, BinaryNameGroupWritable) {
    Node n;
    n.write_recorder(n.real_runtime, 0775);
    auto expected = chown_fix(n.real_runtime);
    expected.push_back("runtime " + n.real_runtime + " is writable by its group");
    expect_refused(n, n.call(n.create_argv()), expected);
}

TEST_F(BadInputs, BinaryNameOwnedByAnotherUser) {
    Node n;
    write_file(n.T + "/opt/user/runc", read_file(n.real_runtime), 0755, 1000);
    name_runtime(n, n.T + "/opt/user/runc");
    auto expected = chown_fix(n.T + "/opt/user/runc");
    expected.push_back("is owned by uid 1000, not root");
    expect_refused(n, n.call(n.create_argv()), expected);
}

TEST_F(BadInputs, BinaryNameIsRuncwrapByPath) {
    Node n;
    name_runtime(n, runcwrap_bin());
    expect_refused(
        n, n.call(n.create_argv()),
        {n.side + " [options] BinaryName is " + runcwrap_bin() + ", which is runcwrap itself",
         "fix: name the real runtime there"});
}

TEST_F(BadInputs, BinaryNameIsRuncwrapBySymlink) {
    Node n;
    fs::create_symlink(runcwrap_bin(), n.T + "/opt/real/runc-link");
    name_runtime(n, n.T + "/opt/real/runc-link");
    expect_refused(n, n.call(n.create_argv()),
                   {"BinaryName is " + n.T + "/opt/real/runc-link, which is runcwrap itself",
                    "fix: name the real runtime there"});
}

TEST_F(BadInputs, BinaryNameIsRuncwrapByHardLink) {
    Node n;
    // A hard link needs one filesystem: install a copy of runcwrap in T and link to that.
    const std::string copy = n.T + "/opt/runcwrap";
    write_file(copy, read_file(runcwrap_bin()), 0755);
    ASSERT_EQ(::link(copy.c_str(), (n.T + "/opt/real/runc-hard").c_str()), 0)
        << std::strerror(errno);
    fs::remove(n.runc);
    fs::create_symlink(copy, n.runc);
    name_runtime(n, n.T + "/opt/real/runc-hard");
    expect_refused(n, n.call(n.create_argv()),
                   {"BinaryName is " + n.T + "/opt/real/runc-hard, which is runcwrap itself"});
}

// BinaryName = "runc" means the next runc in PATH after runcwrap: with none, nothing runs.
TEST_F(BadInputs, BinaryNameRuncWithNoOtherRuncInPath) {
    Node n;
    fs::remove(n.T + "/rbin/runc");
    name_runtime(n, "runc");
    expect_refused(
        n, n.call(n.create_argv()),
        {"no runtime to run: " + n.runc + ": it is runcwrap itself", "fix: install the real runc"});
}

// Any other bare name is a runtime the operator named: found only as runcwrap, an error.
TEST_F(BadInputs, BinaryNameBareResolvesOnlyToRuncwrap) {
    Node n;
    fs::create_symlink(runcwrap_bin(), n.T + "/bin/crun");
    name_runtime(n, "crun");
    expect_refused(
        n, n.call(n.create_argv()),
        {"BinaryName is crun, found in PATH as " + n.T + "/bin/crun, which is runcwrap itself",
         "fix: name the real runtime by its absolute path"});
}

TEST_F(BadInputs, BinaryNameSymlinkLoop) {
    Node n;
    fs::create_symlink("loop-b", n.T + "/opt/real/loop-a");
    fs::create_symlink("loop-a", n.T + "/opt/real/loop-b");
    name_runtime(n, n.T + "/opt/real/loop-a");
    expect_refused(n, n.call(n.create_argv()),
                   {"runtime " + n.T + "/opt/real/loop-a", "is a symlink loop",
                    "fix: point it at the real runtime file"});
}

// ---- the pod sandbox's options.json (S2) -----------------------------------------------------

TEST_F(BadInputs, SandboxOptionsGarbage) {
    Node n;
    n.make_bundle("c1", kDropped, userns_config("sb"));
    n.make_bundle("sb", "{\"binary_name\": tru", userns_config());
    expect_refused(
        n, n.call(n.create_argv()),
        {"sandbox options " + n.bundle("sb") + "/options.json", "fix: recreate the pod"});
}

TEST_F(BadInputs, SandboxFolderGroupWritable) {
    // A sound options.json in a folder others can write: it could be swapped, so it is refused.
    Node n;
    n.make_bundle("c1", kDropped, userns_config("sb"));
    n.make_bundle("sb", R"({"binary_name":"/bin/sh"})", userns_config());
    ::chmod(n.bundle("sb").c_str(), 0775);
    expect_refused(n, n.call(n.create_argv()),
                   {"sandbox bundle " + n.bundle("sb") + " is writable by its group",
                    "fix: chown root " + n.bundle("sb") + " && chmod go-w " + n.bundle("sb")});
}
TEST_F(BadInputs, SandboxOptionsWorldWritable) {
    Node n;
    n.make_bundle("c1", kDropped, userns_config("sb"));
    n.make_bundle("sb", "", userns_config());
    write_file(n.bundle("sb") + "/options.json", R"({"binary_name":"/bin/sh"})", 0602);
    auto expected = chown_fix(n.bundle("sb") + "/options.json");
    expected.push_back("sandbox options " + n.bundle("sb") + "/options.json is writable by others");
    expect_refused(n, n.call(n.create_argv()), expected);
}

TEST_F(BadInputs, SandboxOptionsSymlinkOutOfTheBundleIsNotFollowed) {
    Node n;
    n.make_bundle("c1", kDropped, userns_config("sb"));
    n.make_bundle("sb", "", userns_config());
    write_file(n.T + "/elsewhere/options.json", R"({"binary_name":"/bin/sh"})", 0600);
    fs::create_symlink(n.T + "/elsewhere/options.json", n.bundle("sb") + "/options.json");
    expect_refused(n, n.call(n.create_argv()),
                   {"sandbox options " + n.bundle("sb") + "/options.json is a symlink"});
}

TEST_F(BadInputs, SandboxIdWithDotDotIsNotFollowed) {
    Node n;
    // A trusted options.json one level up, naming the recorder in rbin: never to be used.
    n.make_bundle("c1", kDropped, userns_config("../escape"));
    write_file(n.T + "/state/escape/options.json",
               R"({"binary_name":")" + n.T + R"(/rbin/runc","systemd_cgroup":false})", 0600);
    auto argv = n.create_argv();
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, with_systemd_cgroup(tail(argv))) << "the side file decided (S1)";
}

// ---- --log ----------------------------------------------------------------------------------

TEST_F(BadInputs, LogInAMissingFolderStillReportsOnStderr) {
    Node n;
    fs::remove(n.side);
    auto argv = n.create_argv();
    argv[4] = n.T + "/no/such/folder/log.json";
    Outcome o = n.call(argv);
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_TRUE(n.records().empty());
    EXPECT_EQ(lines_of(o.err).size(), 1u) << o.err;
    EXPECT_NE(o.err.find("runcwrap: containerd dropped the runtime options"), std::string::npos)
        << o.err;
    EXPECT_FALSE(exists(n.T + "/no")) << "runcwrap creates no folder";
}

TEST_F(BadInputs, LogInAReadOnlyFolderStillReportsOnStderr) {
    Node n;
    fs::remove(n.side);
    // Root writes through any mode bits: only a read-only mount refuses it.
    n.ro_mount = n.T + "/ro";
    fs::create_directories(n.ro_mount);
    ASSERT_EQ(::mount("tmpfs", n.ro_mount.c_str(), "tmpfs", MS_RDONLY, "size=64k"), 0)
        << "mount a read-only tmpfs: " << std::strerror(errno);
    auto argv = n.create_argv();
    argv[4] = n.ro_mount + "/log.json";
    Outcome o = n.call(argv);
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_TRUE(n.records().empty());
    EXPECT_EQ(lines_of(o.err).size(), 1u) << o.err;
    EXPECT_NE(o.err.find("runcwrap: containerd dropped the runtime options"), std::string::npos)
        << o.err;
    EXPECT_FALSE(exists(n.ro_mount + "/log.json"));
}

// ---- fds 0-2 closed at entry -------------------------------------------------------------

TEST_F(BadInputs, StdioClosedAtEntryRefusedCallWritesOnlyTheLog) {
    Node n;
    fs::remove(n.side);
    Outcome o = n.call(n.create_argv(), /*close_stdio=*/true);
    EXPECT_EQ(o.exit_code, 1);
    EXPECT_TRUE(n.records().empty());
    auto log = lines_of(read_file(n.log()));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_NE(log[0].find("\"msg\":\"runcwrap: containerd dropped the runtime options"),
              std::string::npos)
        << log[0];
}

TEST_F(BadInputs, StdioClosedAtEntryStaysClosedInTheRuntime) {
    Node n;
    auto argv = n.create_argv();
    Outcome o = n.call(argv, /*close_stdio=*/true);
    EXPECT_EQ(o.exit_code, 0);
    auto recs = n.records();
    ASSERT_EQ(recs.size(), 1u);
    EXPECT_EQ(recs[0].args, with_systemd_cgroup(tail(argv)));
    for (int fd = 0; fd <= 2; ++fd)
        EXPECT_EQ(recs[0].fds.count(fd), 0u)
            << "fd " << fd << " was closed at entry; runcwrap must not leave a file of its own "
            << "there: " << recs[0].fds[fd];
    EXPECT_EQ(read_file(n.log()), "");
}

// ---- hostile argv ------------------------------------------------------------------------

TEST_F(BadInputs, HundredThousandArguments) {
    Node n;
    auto argv = n.exec_argv(n.T + "/process.json");
    write_file(n.T + "/process.json", R"({"user":{"uid":0,"gid":0},"args":["true"]})");
    for (int i = 0; i < 100000; ++i) argv.push_back("a" + std::to_string(i % 10));
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args.size(), argv.size() - 1);
    EXPECT_TRUE(r.args == tail(argv)) << "every argument, in order, unchanged";
}

TEST_F(BadInputs, NonUtf8ArgumentsPassThroughByteForByte) {
    Node n;
    auto argv = n.exec_argv(n.T + "/process.json");
    write_file(n.T + "/process.json", R"({"user":{"uid":0,"gid":0},"args":["true"]})");
    argv.insert(argv.end(), {"\xff\xfe", "caf\xe9", "\xc3\x28", "\xed\xa0\x80"});
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, tail(argv));
}

TEST_F(BadInputs, NonUtf8InTheErrorMessageKeepsTheLogLineValid) {
    Node n;
    fs::remove(n.side);
    const std::string id = "c\xff";
    n.make_bundle(id, kDropped, userns_config());
    Outcome o = n.call(n.create_argv(id));
    std::string message = expect_refused(n, o, {"it does not exist"}, n.log(id));
    EXPECT_NE(message.find(n.bundle(id)), std::string::npos) << "stderr has the raw bytes";
    EXPECT_NE(read_file(n.log(id)).find("c\\ufffd/options.json"), std::string::npos)
        << read_file(n.log(id));
}

TEST_F(BadInputs, ContainerIdWithDotDotOrSlashIsPassedToRunc) {
    Node n;
    // runc refuses such ids itself; runcwrap reads no state.json for them and passes through.
    write_file(n.T + "/runc-root/state.json", R"({"config":{"labels":["bundle=/"]}})");
    for (const std::string id : {"..", "../../etc", "a/b"}) {
        fs::remove(n.record);
        const std::vector<std::string> argv{"runc", "--root", n.T + "/runc-root/x", "delete", id};
        Outcome o = n.call(argv);
        Record r = expect_passed_through(n, o, n.real_runtime);
        EXPECT_EQ(r.args, tail(argv)) << id;
    }
}

TEST_F(BadInputs, CreateWithABadContainerIdIsPassedToRunc) {
    Node n;
    auto argv = n.create_argv();
    argv.back() = "../c1";
    Outcome o = n.call(argv);
    Record r = expect_passed_through(n, o, n.real_runtime);
    EXPECT_EQ(r.args, with_systemd_cgroup(tail(argv))) << "runc rejects the id in its own words";
}

}  // namespace
}  // namespace bad_inputs
