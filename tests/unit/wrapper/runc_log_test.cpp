// runc-format log lines: containerd shows the last "error" line of log.json, but only when every
// line decodes and `time` is RFC 3339. So every line must be valid JSON whatever the message.
#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <ctime>
#include <string>
#include <string_view>

#include "wrapper/runc_log.hpp"

namespace runcwrap {
namespace {

// What Go's time.Time accepts from JSON (RFC 3339, as containerd decodes log.json):
// YYYY-MM-DDTHH:MM:SS[.1-9 digits](Z|+HH:MM|-HH:MM), fields in range.
bool is_rfc3339(std::string_view t) {
    auto num = [&](std::size_t at, std::size_t len, int lo, int hi) {
        if (at + len > t.size()) return false;
        int v = 0;
        for (std::size_t i = at; i < at + len; ++i) {
            if (t[i] < '0' || t[i] > '9') return false;
            v = v * 10 + (t[i] - '0');
        }
        return v >= lo && v <= hi;
    };
    auto is = [&](std::size_t at, char c) { return at < t.size() && t[at] == c; };
    if (!(num(0, 4, 0, 9999) && is(4, '-') && num(5, 2, 1, 12) && is(7, '-') && num(8, 2, 1, 31) &&
          is(10, 'T') && num(11, 2, 0, 23) && is(13, ':') && num(14, 2, 0, 59) && is(16, ':') &&
          num(17, 2, 0, 59)))
        return false;
    std::size_t i = 19;
    if (is(i, '.')) {
        std::size_t digits = 0;
        while (i + 1 + digits < t.size() && t[i + 1 + digits] >= '0' && t[i + 1 + digits] <= '9')
            ++digits;
        if (digits < 1 || digits > 9) return false;
        i += 1 + digits;
    }
    if (is(i, 'Z')) return i + 1 == t.size();
    if (!(is(i, '+') || is(i, '-'))) return false;
    return num(i + 1, 2, 0, 23) && is(i + 3, ':') && num(i + 4, 2, 0, 59) && i + 6 == t.size();
}

std::string now() {
    struct timespec ts {};
    clock_gettime(CLOCK_REALTIME, &ts);
    return rfc3339_utc(ts);
}

// Decodes a line as containerd does (one JSON object with level/msg/time); returns msg.
std::string decode(const std::string& line) {
    EXPECT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << "exactly one line";
    rapidjson::Document doc;
    // Strict: valid UTF-8 in, nothing after the object but the newline.
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(line.c_str(), line.size());
    EXPECT_FALSE(doc.HasParseError()) << rapidjson::GetParseError_En(doc.GetParseError()) << " at "
                                      << doc.GetErrorOffset() << " in: " << line;
    if (doc.HasParseError() || !doc.IsObject()) return "<undecodable>";
    EXPECT_EQ(doc.MemberCount(), 3u);
    EXPECT_TRUE(doc.HasMember("level") && doc["level"].IsString());
    EXPECT_TRUE(doc.HasMember("msg") && doc["msg"].IsString());
    EXPECT_TRUE(doc.HasMember("time") && doc["time"].IsString());
    if (!doc.HasMember("msg") || !doc["msg"].IsString()) return "<no msg>";
    if (doc.HasMember("time") && doc["time"].IsString()) {
        EXPECT_TRUE(is_rfc3339(doc["time"].GetString())) << doc["time"].GetString();
    }
    return std::string(doc["msg"].GetString(), doc["msg"].GetStringLength());
}

std::string json_line(std::string_view msg) {
    return format_log_line(LogFormat::Json, "error", msg, now());
}

TEST(JsonEscape, QuotesAndBackslashes) {
    EXPECT_EQ(json_escape(R"(say "hi")"), R"(say \"hi\")");
    EXPECT_EQ(json_escape(R"(C:\path\)"), R"(C:\\path\\)");
    EXPECT_EQ(json_escape(R"(\")"), R"(\\\")");
    EXPECT_EQ(json_escape("plain text / slash"), "plain text / slash");
    EXPECT_EQ(json_escape(""), "");
}

TEST(JsonEscape, ControlBytesNewlineAndDel) {
    EXPECT_EQ(json_escape("a\nb"), "a\\nb");
    EXPECT_EQ(json_escape("a\tb\rc"), "a\\tb\\rc");
    EXPECT_EQ(json_escape(std::string_view("\0", 1)), "\\u0000");
    EXPECT_EQ(json_escape("\x01\x1f"), "\\u0001\\u001f");
    EXPECT_EQ(json_escape("\x1b[31m"), "\\u001b[31m");
    EXPECT_EQ(json_escape("\x7f"), "\\u007f");
    EXPECT_EQ(json_escape("\b\f"), "\\u0008\\u000c");
    // Every byte below 0x20 comes out escaped: no raw control byte survives.
    for (int c = 0; c < 0x20; ++c) {
        std::string out = json_escape(std::string(1, static_cast<char>(c)));
        EXPECT_EQ(out[0], '\\') << c;
        for (char o : out) EXPECT_GE(static_cast<unsigned char>(o), 0x20) << c;
    }
}

TEST(JsonEscape, InvalidUtf8BecomesReplacementCharacter) {
    EXPECT_EQ(json_escape("\xff"), "\\ufffd");
    EXPECT_EQ(json_escape("a\xc3"), "a\\ufffd");                      // truncated 2-byte sequence
    EXPECT_EQ(json_escape("\xc3(x"), "\\ufffd(x");                    // bad continuation
    EXPECT_EQ(json_escape("\xc0\xaf"), "\\ufffd\\ufffd");             // overlong '/'
    EXPECT_EQ(json_escape("\xe0\x80\xaf"), "\\ufffd\\ufffd\\ufffd");  // overlong, 3 bytes
    EXPECT_EQ(json_escape("\xed\xa0\x80"), "\\ufffd\\ufffd\\ufffd");  // UTF-16 surrogate
    EXPECT_EQ(json_escape("\xf4\x90\x80\x80"), "\\ufffd\\ufffd\\ufffd\\ufffd");  // > U+10FFFF
    EXPECT_EQ(json_escape("\x80"), "\\ufffd");  // lone continuation byte
    EXPECT_EQ(json_escape("/tmp/\xe9t\xe9/log.json"), "/tmp/\\ufffdt\\ufffd/log.json");  // Latin-1
}

TEST(JsonEscape, ValidMultibyteUtf8IsKept) {
    for (std::string_view s : {"\xc3\xa9t\xc3\xa9",            // été
                               "\xe2\x82\xac",                 // €
                               "\xe4\xb8\xad\xe6\x96\x87",     // 中文
                               "\xf0\x9f\x90\xb3",             // 🐳
                               "\xf4\x8f\xbf\xbf",             // U+10FFFF
                               "\xc2\x80", "\xef\xbf\xbd"}) {  // U+0080, U+FFFD itself
        EXPECT_EQ(json_escape(s), s);
    }
}

TEST(LogLine, EveryLineDecodes) {
    const std::string nasty[] = {
        "plain",
        "runcwrap: side file /etc/runcwrap/config.toml:3: unknown key [options] Foo",
        R"(quote " backslash \ both \")",
        "newline\nin the middle\n",
        std::string("nul\0byte", 8),
        "\x01\x02\x03\x1b[0m\x7f",
        "path /tmp/\xff\xfe/x and \xc3",
        "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x90\xb3 ok",
        "\xed\xa0\x80\xed\xb0\x80",  // a CESU-8 surrogate pair: not UTF-8
        "}\"{,]:",
        "",
    };
    for (const auto& msg : nasty) {
        SCOPED_TRACE(json_escape(msg));
        std::string line = json_line(msg);
        std::string decoded = decode(line);
        // Valid UTF-8 comes back byte for byte.
        bool ascii_or_valid = msg.find('\xff') == std::string::npos &&
                              msg.find("\xed\xa0") == std::string::npos &&
                              (msg.empty() || msg.back() != '\xc3');
        if (ascii_or_valid) {
            EXPECT_EQ(decoded, msg);
        }
    }
    // Invalid bytes decode as U+FFFD.
    EXPECT_EQ(decode(json_line("a\xff"
                               "b")),
              "a\xef\xbf\xbd"
              "b");
}

TEST(LogLine, JsonShape) {
    std::string line = format_log_line(LogFormat::Json, "error", "runcwrap: boom",
                                       "2026-11-29T05:04:55.123456789Z");
    EXPECT_EQ(line,
              "{\"level\":\"error\",\"msg\":\"runcwrap: boom\","
              "\"time\":\"2026-11-29T05:04:55.123456789Z\"}\n");
    EXPECT_EQ(decode(line), "runcwrap: boom");
}

TEST(LogLine, TextShape) {
    // logrus' text formatter as runc writes it with --log-format text.
    std::string line = format_log_line(LogFormat::Text, "error", "runcwrap: a \"quoted\"\nthing",
                                       "2026-11-29T05:04:55.000000001Z");
    EXPECT_EQ(line,
              "time=\"2026-11-29T05:04:55.000000001Z\" level=error "
              "msg=\"runcwrap: a \\\"quoted\\\"\\nthing\"\n");
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    ASSERT_EQ(line.rfind("time=\"", 0), 0u) << line;
    const std::size_t close = line.find('"', 6);
    ASSERT_NE(close, std::string::npos);
    EXPECT_TRUE(is_rfc3339(line.substr(6, close - 6))) << line;
    const std::string_view middle = "\" level=error msg=\"";
    EXPECT_EQ(line.substr(close, middle.size()), middle);
}

TEST(Rfc3339, Format) {
    struct timespec epoch {};
    EXPECT_EQ(rfc3339_utc(epoch), "1970-01-01T00:00:00.000000000Z");
    struct timespec ts {};
    ts.tv_sec = 1795927399;  // from the samples' time_ns
    ts.tv_nsec = 638962927;
    EXPECT_EQ(rfc3339_utc(ts), "2026-11-29T04:43:19.638962927Z");
    struct timespec leap {};
    leap.tv_sec = 951782400;  // 2000-02-29
    leap.tv_nsec = 999999999;
    EXPECT_EQ(rfc3339_utc(leap), "2000-02-29T00:00:00.999999999Z");
    EXPECT_TRUE(is_rfc3339(now())) << now();
}

TEST(Rfc3339, TheCheckerItself) {
    // The checker above must refuse what Go refuses, or the tests using it prove nothing.
    for (auto good :
         {"2026-11-29T05:04:55Z", "2026-11-29T05:04:55.1Z", "2026-11-29T05:04:55.123456789Z",
          "2026-11-29T05:04:55+01:00", "2026-11-29T05:04:55.5-07:30"})
        EXPECT_TRUE(is_rfc3339(good)) << good;
    for (auto bad :
         {"", "2026-11-29", "2026-11-29 05:04:55Z", "2026-11-29T05:04:55", "2026-13-29T05:04:55Z",
          "2026-11-29T24:04:55Z", "2026-11-29T05:04:55.Z", "2026-11-29T05:04:55.1234567890Z",
          "2026-11-29T05:04:55+0100", "2026-11-29T05:04:55Zjunk", "Sun Nov 29 05:04:55 UTC 2026"})
        EXPECT_FALSE(is_rfc3339(bad)) << bad;
}

}  // namespace
}  // namespace runcwrap
