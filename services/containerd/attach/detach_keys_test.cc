#include "services/containerd/attach/detach_keys.h"

#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

TEST(ParseDetachKeysTest, DefaultIsCtrlPCtrlQ) {
  EXPECT_EQ(*ParseDetachKeys(""), std::string("\x10\x11"));
  EXPECT_EQ(*ParseDetachKeys("ctrl-p,ctrl-q"), std::string("\x10\x11"));
}

TEST(ParseDetachKeysTest, SpecialsLettersAndPlainCharacters) {
  EXPECT_EQ(*ParseDetachKeys("ctrl-A,x,ctrl-@"), std::string("\x01x\0", 3));
  EXPECT_EQ(*ParseDetachKeys("ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_"),
            std::string("\x1b\x1c\x1d\x1e\x1f"));
}

TEST(ParseDetachKeysTest, UnknownKeysAreNamed) {
  absl::StatusOr<std::string> bad = ParseDetachKeys("ctrl-p,alt-q");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("alt-q"), absl::string_view::npos);
  EXPECT_FALSE(ParseDetachKeys("ctrl-1").ok());
  EXPECT_FALSE(ParseDetachKeys("a,,b").ok());
}

TEST(DetachScannerTest, PassesInputAndStopsAtTheSequence) {
  DetachScanner scanner("\x10\x11");
  bool detached = false;
  EXPECT_EQ(scanner.Feed("ls\n", &detached), "ls\n");
  EXPECT_FALSE(detached);
  EXPECT_EQ(scanner.Feed("ab\x10\x11" "cd", &detached), "ab");
  EXPECT_TRUE(detached);
}

TEST(DetachScannerTest, ASequenceSplitAcrossReadsIsHeldThenFound) {
  DetachScanner scanner("\x10\x11");
  bool detached = false;
  EXPECT_EQ(scanner.Feed("x\x10", &detached), "x");  // held
  EXPECT_FALSE(detached);
  EXPECT_EQ(scanner.Feed("\x11", &detached), "");
  EXPECT_TRUE(detached);
}

TEST(DetachScannerTest, HeldBytesThatAreNotTheSequenceGoOn) {
  DetachScanner scanner("\x10\x11");
  bool detached = false;
  EXPECT_EQ(scanner.Feed("\x10", &detached), "");
  EXPECT_EQ(scanner.Feed("y", &detached), "\x10y");
  EXPECT_FALSE(detached);
  // A repeated first key: the first goes on, the second may begin it.
  EXPECT_EQ(scanner.Feed("\x10\x10", &detached), "\x10");
  EXPECT_EQ(scanner.Feed("\x11", &detached), "");
  EXPECT_TRUE(detached);
}

TEST(DetachScannerTest, OneKeySequence) {
  DetachScanner scanner("\x1d");
  bool detached = false;
  EXPECT_EQ(scanner.Feed("ab\x1d", &detached), "ab");
  EXPECT_TRUE(detached);
}

}  // namespace
}  // namespace berth::containerd
