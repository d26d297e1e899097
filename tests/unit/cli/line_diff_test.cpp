// route --dry-run's unified diff (line_diff.cpp) against what `diff -u` prints, and the
// record's SHA-256 against sha256sum's known answers.
#include <gtest/gtest.h>

#include <string>

#include "cli/line_diff.hpp"
#include "cli/sha256.hpp"

namespace runcwrap {
namespace {

TEST(LineDiff, EqualTextsGiveNothing) { EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), ""); }

TEST(LineDiff, OneChangedLineWithContext) {
    const std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
    const std::string after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
    EXPECT_EQ(unified_diff(before, after, "a/c", "b/c"),
              "--- a/c\n+++ b/c\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(LineDiff, DistantChangesAreTwoHunksNearOnesOne) {
    std::string before, far, near;
    for (int i = 1; i <= 20; ++i) before += std::to_string(i) + "\n";
    far = before;
    far.replace(far.find("2\n"), 2, "two\n");
    far.replace(far.find("\n19\n") + 1, 3, "nineteen\n");
    EXPECT_EQ(unified_diff(before, far, "a", "b"),
              "--- a\n+++ b\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"
              "@@ -16,5 +16,5 @@\n 16\n 17\n 18\n-19\n+nineteen\n 20\n");
    near = before;
    near.replace(near.find("\n3\n") + 1, 2, "three\n");
    near.replace(near.find("\n9\n") + 1, 2, "nine\n");
    EXPECT_EQ(unified_diff(before, near, "a", "b"),
              "--- a\n+++ b\n@@ -1,12 +1,12 @@\n 1\n 2\n-3\n+three\n 4\n 5\n 6\n 7\n 8\n-9\n"
              "+nine\n 10\n 11\n 12\n");
}

TEST(LineDiff, InsertionsAndTheMissingFinalNewline) {
    EXPECT_EQ(unified_diff("a\nb", "a\nb\nc", "x", "y"),
              "--- x\n+++ y\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n"
              "\\ No newline at end of file\n");
    EXPECT_EQ(unified_diff("", "new\n", "x", "y"), "--- x\n+++ y\n@@ -0,0 +1 @@\n+new\n");
    EXPECT_EQ(unified_diff("a\nb\n", "a\nx\ny\nb\n", "x", "y"),
              "--- x\n+++ y\n@@ -1,2 +1,4 @@\n a\n+x\n+y\n b\n");
}

TEST(Sha256, KnownAnswers) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    // 55, 56 and 64 bytes: the padding's edge cases (sha256sum's answers).
    EXPECT_EQ(sha256_hex(std::string(55, 'a')),
              "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    EXPECT_EQ(sha256_hex(std::string(56, 'a')),
              "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    EXPECT_EQ(sha256_hex(std::string(64, 'a')),
              "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    EXPECT_EQ(sha256_hex(std::string(1000, 'x')),
              "44f8354494a5ba03ba1792a8d3e9c534c47a9181980fde7a3f44b06ef2ae7c7f");
}

}  // namespace
}  // namespace runcwrap
