// Errors before exec reach the user the way runc's do: containerd's shim reads <bundle>/log.json,
// decodes every line as {level, msg, time} (time strictly RFC 3339; one bad line hides all
// errors) and reports the msg of the last "error" line. stderr gets the same message once.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "wrap_fixture.hpp"

namespace itest {
namespace {

constexpr const char* kDropped = R"({"io_uid":100000,"io_gid":100000})";

bool is_rfc3339(const std::string& t) {
    static const std::regex re(
        R"(^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})$)");
    return std::regex_match(t, re);
}

std::string trim(std::string s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
    return s;
}

// getLastRuntimeError: every line must decode (strict UTF-8 here, as a Go string round trip
// would mangle invalid bytes), level/msg strings, time RFC 3339. Returns the last error msg.
std::string last_runtime_error(const std::string& log) {
    std::istringstream in(log);
    std::string last;
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        rapidjson::Document d;
        d.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str());
        if (d.HasParseError()) {
            ADD_FAILURE() << "line " << n << " does not decode ("
                          << rapidjson::GetParseError_En(d.GetParseError()) << "): " << line;
            continue;
        }
        if (!d.IsObject() || !d.HasMember("level") || !d["level"].IsString() ||
            !d.HasMember("msg") || !d["msg"].IsString() || !d.HasMember("time") ||
            !d["time"].IsString()) {
            ADD_FAILURE() << "line " << n << " lacks string level/msg/time: " << line;
            continue;
        }
        EXPECT_TRUE(is_rfc3339(d["time"].GetString())) << "time of line " << n << ": " << line;
        if (std::string(d["level"].GetString()) == "error")
            last = trim(std::string(d["msg"].GetString(), d["msg"].GetStringLength()));
    }
    return last;
}

struct LogCase {
    WrapFixture f;
    std::string bundle;
    std::vector<std::string> args;
    LogCase() {
        // An error before exec: the side file names runcwrap itself.
        f.write_side("[options]\nBinaryName = \"" + f.runc + "\"\n");
        bundle = f.tree.make_bundle("c1", kDropped, spec_json({}));
        args = f.create_args("c1");
    }
};

TEST(ErrorLog, JsonLineDecodesAsContainerdDecodesIt) {
    LogCase lc;
    const std::string log = lc.bundle + "/log.json";
    // An earlier runc line in the shared log must stay intact.
    const std::string earlier =
        R"({"level":"warning","msg":"an older runc line","time":"2026-11-29T04:43:21Z"})"
        "\n";
    write_file(log, earlier, 0644);
    Captured c = run_captured(lc.f.shim_call(lc.args));
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_EQ(c.out, "");
    std::string text = read_file(log);
    ASSERT_EQ(text.rfind(earlier, 0), 0u) << "appended, not truncated: " << text;
    std::string msg = last_runtime_error(text);
    EXPECT_EQ(msg.rfind("runcwrap:", 0), 0u) << msg;
    EXPECT_EQ(c.err, msg + "\n") << "stderr holds exactly that one message";
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << "exactly one line appended";
}

TEST(ErrorLog, MissingLogIsCreated) {
    LogCase lc;
    const std::string log = lc.bundle + "/log.json";
    ASSERT_FALSE(path_exists(log));
    Captured c = run_captured(lc.f.shim_call(lc.args));
    EXPECT_EQ(c.exit.code, 1);
    std::string text = read_file(log);
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
    std::string msg = last_runtime_error(text);
    EXPECT_EQ(msg.rfind("runcwrap:", 0), 0u) << msg;
    EXPECT_EQ(c.err, msg + "\n");
}

// Quotes, backslashes, control-free but non-UTF-8 bytes in a path that ends up in the message.
TEST(ErrorLog, AwkwardBytesInTheMessageStillDecode) {
    WrapFixture f;
    std::string dir = f.T + "/etc/we\"ird\\dir\xff\xfe";
    make_dirs(dir);
    f.side_file = dir + "/config.toml";
    f.write_side("[options]\nBinaryName = \"" + f.runc + "\"\n");
    std::string bundle = f.tree.make_bundle("c1", kDropped, spec_json({}));
    Captured c = run_captured(f.shim_call(f.create_args("c1")));
    EXPECT_EQ(c.exit.code, 1);
    std::string msg = last_runtime_error(read_file(bundle + "/log.json"));
    EXPECT_EQ(msg.rfind("runcwrap:", 0), 0u) << msg;
    EXPECT_NE(msg.find("we\"ird\\dir"), std::string::npos) << msg;
}

TEST(ErrorLog, TextFormatGivesALogrusTextLine) {
    LogCase lc;
    const std::string log = lc.f.T + "/runc.log";
    std::vector<std::string> args = {
        "--root", "/run/containerd/runc/k8s.io", "--log", log, "--log-format", "text", "--version"};
    Captured c = run_captured(lc.f.shim_call(args));
    EXPECT_EQ(c.exit.code, 1);
    std::string text = read_file(log);
    static const std::regex re(R"re(^time="([^"]+)" level=error msg="(runcwrap: .*)"\n$)re");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(text, m, re)) << text;
    EXPECT_TRUE(is_rfc3339(m[1].str())) << m[1];
    EXPECT_NE(c.err.find("runcwrap itself"), std::string::npos) << c.err;
    EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
}

TEST(ErrorLog, WithoutLogOnlyStderr) {
    LogCase lc;
    Captured c = run_captured(lc.f.shim_call({"--version"}));
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_EQ(c.out, "");
    EXPECT_EQ(c.err.rfind("runcwrap: ", 0), 0u) << c.err;
    EXPECT_EQ(std::count(c.err.begin(), c.err.end(), '\n'), 1) << c.err;
}

// An unwritable log must not hide the error: stderr still has it.
TEST(ErrorLog, UnwritableLogStillReportsOnStderr) {
    LogCase lc;
    std::vector<std::string> args = lc.args;
    args[3] = lc.f.T + "/no/such/dir/log.json";
    Captured c = run_captured(lc.f.shim_call(args));
    EXPECT_EQ(c.exit.code, 1);
    EXPECT_NE(c.err.find("runcwrap itself"), std::string::npos) << c.err;
}

}  // namespace
}  // namespace itest
