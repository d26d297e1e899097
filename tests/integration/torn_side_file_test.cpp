// Issue #18: a side file caught mid-write must never change what runs. A writer thread rewrites
// the side file the non-atomic way (`echo > f`, many scripts: truncate, then write it line by
// line, ~1 ms apart, then leave it alone for a while) while this thread calls runcwrap as the
// shim does, thousands of times, alternating a create whose options containerd dropped (S1, no
// pod sandbox: the side file says what runs) and a healthy create (S5: the side file's runtime,
// nothing restored). The probe is both the runtime the side file names (T/opt/real/runc) and,
// as a trap, the next runc in PATH after runcwrap (T/realbin/runc). Every call must either run
// the intended runtime with exactly the intended argv, or fail with one clear error line that
// names the side file and the fix; none may run anything else. The counts are printed (and
// recorded as test properties) so that the same test run against the runcwrap of 02234e8 shows
// how many calls a torn read used to change.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "wrap_fixture.hpp"
#include "wrapper/side_file_read.hpp"

namespace itest {
namespace {

constexpr const char* kDropped = R"({"io_uid":100000,"io_gid":100000})";
constexpr int kCalls = 2000;
// ...or as many as fit in this budget (the ASan build of runcwrap is ~10x slower), at least
// kMinCalls: `make test` runs this suite twice.
constexpr auto kTimeBudget = std::chrono::seconds(20);
constexpr int kMinCalls = 400;
// The writer: one line per write(2), kLineGap apart, then the file is left alone for kIdle.
constexpr auto kLineGap = std::chrono::milliseconds(1);
constexpr auto kIdle = std::chrono::milliseconds(250);

// truncate, then write line by line; returns the longest gap between two of its steps
std::chrono::nanoseconds rewrite_in_place(const std::string& path,
                                          const std::vector<std::string>& lines) {
    std::chrono::nanoseconds longest{0};
    int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) return longest;
    auto last = std::chrono::steady_clock::now();
    for (const auto& line : lines) {
        std::this_thread::sleep_for(kLineGap);
        if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) break;
        const auto now = std::chrono::steady_clock::now();
        longest = std::max(longest, std::chrono::nanoseconds(now - last));
        last = now;
    }
    ::close(fd);
    return longest;
}

struct Counts {
    int intended = 0;       // the intended runtime, with exactly the intended argv
    int clear_error = 0;    // refused: exit 1, one line naming the side file and the fix
    int other_runtime = 0;  // another runtime ran
    int wrong_argv = 0;     // the intended runtime, but not with the intended options
    int unclear = 0;        // any other outcome
    std::string first_bad;
    std::string first_error;
};

TEST(TornSideFile, NoCallActsOnAHalfWrittenSideFile) {
    ASSERT_EQ(::geteuid(), 0u) << "the trust checks need root-owned files: run as root";
    WrapFixture f;
    const std::vector<std::string> lines = {
        "# written in place by the torn-write test, one line at a time\n", "[options]\n",
        "BinaryName = \"" + f.real_runtime + "\"\n", "SystemdCgroup = true\n",
        "NoNewKeyring = true\n"};
    std::string whole;
    for (const auto& l : lines) whole += l;
    f.write_side(whole);
    f.tree.make_bundle("s1", kDropped, spec_json(no_user_ns()));
    f.tree.make_bundle("ok1", R"({"binary_name":"runc","systemd_cgroup":true})",
                       spec_json(no_user_ns()));
    const std::string other_runtime = f.T + "/realbin/runc";

    // S1: --systemd-cgroup last among the globals, --no-new-keyring before the id. Healthy:
    // the argv as it came.
    const std::vector<std::string> s1_args = f.create_args("s1");
    std::vector<std::string> s1_want = s1_args;
    s1_want.insert(s1_want.begin() + 6, "--systemd-cgroup");
    s1_want.insert(s1_want.end() - 1, "--no-new-keyring");
    const std::vector<std::string> ok_args = f.create_args("ok1");

    std::atomic<bool> stop{false};
    std::atomic<int> rewrites{0};
    std::atomic<long long> longest_gap_us{0};
    std::thread writer([&] {
        while (!stop) {
            const auto gap = rewrite_in_place(f.side_file, lines);
            longest_gap_us = std::max<long long>(
                longest_gap_us, std::chrono::duration_cast<std::chrono::microseconds>(gap).count());
            ++rewrites;
            for (auto waited = std::chrono::milliseconds(0); waited < kIdle && !stop;
                 waited += std::chrono::milliseconds(10))
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    });

    Counts s1, healthy;
    const auto started = std::chrono::steady_clock::now();
    int made = 0;
    for (int i = 0; i < kCalls; ++i) {
        if (i >= kMinCalls && std::chrono::steady_clock::now() - started > kTimeBudget) break;
        made = i + 1;
        const bool dropped = i % 2 == 0;
        Counts& n = dropped ? s1 : healthy;
        const auto& args = dropped ? s1_args : ok_args;
        const auto& want = dropped ? s1_want : ok_args;
        const std::string record = f.T + "/call.rec";
        ::unlink(record.c_str());
        Spawn s = f.shim_call(args);
        for (auto& e : s.env)
            if (e.rfind("PROBE_RECORD=", 0) == 0) e = "PROBE_RECORD=" + record;
        Captured c = run_captured(s);
        auto calls = read_probe_records(record);
        std::string bad;
        if (calls.size() == 1 && c.exit.code == 0 && c.err.empty()) {
            const ProbeCall& p = calls[0];
            if (p.exe != f.real_runtime) {
                ++n.other_runtime;
                bad = "ran " + p.exe;
            } else if (tail(p.argv) != want) {
                ++n.wrong_argv;
                bad = "ran the intended runtime with other options";
            } else {
                ++n.intended;
            }
        } else if (calls.empty() && c.exit.code == 1 && c.out.empty() &&
                   c.err.rfind("runcwrap: ", 0) == 0 && c.err.find('\n') == c.err.size() - 1 &&
                   c.err.find(f.side_file) != std::string::npos &&
                   c.err.find("fix:") != std::string::npos) {
            ++n.clear_error;
            if (n.first_error.empty()) n.first_error = c.err;
        } else {
            ++n.unclear;
            bad = "exit " + std::to_string(c.exit.code) + ", " + std::to_string(calls.size()) +
                  " runtime call(s), stderr: " + c.err;
        }
        if (!bad.empty() && n.first_bad.empty())
            n.first_bad = std::string(dropped ? "S1" : "healthy") + " call " + std::to_string(i) +
                          ": " + bad + (c.err.empty() ? "" : " (" + c.err + ")");
    }
    stop = true;
    writer.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    for (auto [name, n] : {std::pair<const char*, const Counts&>{"S1 (options dropped)", s1},
                           std::pair<const char*, const Counts&>{"healthy", healthy}}) {
        std::printf(
            "torn-write: %-20s %4d intended, %4d clear errors, %4d other runtime, "
            "%4d wrong options, %4d unclear\n",
            name, n.intended, n.clear_error, n.other_runtime, n.wrong_argv, n.unclear);
        if (!n.first_error.empty())
            std::printf("torn-write:   first error: %s", n.first_error.c_str());
        EXPECT_EQ(n.other_runtime + n.wrong_argv + n.unclear, 0)
            << name << ": a call acted on a half-written side file; first: " << n.first_bad
            << (longest_gap_us.load() * 1000 >= runcwrap::kSideFileSettleNs
                    ? " (the writer paused longer than runcwrap's settle time inside a rewrite: "
                      "the limit side_file_read.hpp states)"
                    : "");
    }
    std::printf(
        "torn-write: %d calls in %.1f s, %d in-place rewrites of the side file, the "
        "longest pause inside one rewrite %.1f ms\n",
        made, seconds, rewrites.load(), longest_gap_us.load() / 1000.0);
    ::testing::Test::RecordProperty("intended", s1.intended + healthy.intended);
    ::testing::Test::RecordProperty("clear_errors", s1.clear_error + healthy.clear_error);
    ::testing::Test::RecordProperty("acted_on_torn_read",
                                    s1.other_runtime + s1.wrong_argv + healthy.other_runtime +
                                        healthy.wrong_argv + s1.unclear + healthy.unclear);
    // The writer really rewrote the file while the calls ran, many times.
    EXPECT_GE(rewrites.load(), 10);
    // Waiting for a quiet file is the cure, not refusing: nearly every call goes through.
    EXPECT_GE(s1.intended + healthy.intended, made * 95 / 100);
}

}  // namespace
}  // namespace itest
