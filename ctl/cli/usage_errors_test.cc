#include "ctl/cli/usage_errors.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

// Each expectation is what Docker 28 prints for the same mistake with
// "docker" in place of "berth" (checked with the docker client, which
// produces these before it contacts a daemon).
TEST(UsageErrorsTest, UnknownFlagsAsDocker) {
  EXPECT_EQ(FlagError(UnknownFlagProblem("--bogus"), "berth ps [OPTIONS]",
                      "berth ps"),
            "unknown flag: --bogus\n\nUsage:  berth ps [OPTIONS]\n\n"
            "Run 'berth ps --help' for more information\n");
  EXPECT_EQ(UnknownFlagProblem("--bogus=3"), "unknown flag: --bogus");
  EXPECT_EQ(UnknownFlagProblem("-Z"), "unknown shorthand flag: 'Z' in -Z");
}

TEST(UsageErrorsTest, MissingValuesAsDocker) {
  EXPECT_EQ(MissingValueProblem("--filter"),
            "flag needs an argument: --filter");
  EXPECT_EQ(MissingValueProblem("-H"), "flag needs an argument: 'H' in -H");
}

TEST(UsageErrorsTest, InvalidValuesAsDocker) {
  EXPECT_EQ(InvalidValueProblem("-t, --tty", "yes", true, "ignored"),
            "invalid argument \"yes\" for \"-t, --tty\" flag: "
            "strconv.ParseBool: parsing \"yes\": invalid syntax");
  EXPECT_EQ(
      InvalidValueProblem("-m, --memory", "abc", false, "invalid size: 'abc'"),
      "invalid argument \"abc\" for \"-m, --memory\" flag: invalid "
      "size: 'abc'");
}

TEST(UsageErrorsTest, UnknownCommandsAsDocker) {
  EXPECT_EQ(UnknownCommandError("berth frobnicate", "berth", ""),
            "berth: unknown command: berth frobnicate\n\n"
            "Run 'berth --help' for more information\n");
  EXPECT_EQ(
      UnknownCommandError("berth image frob", "berth image", "berth image"),
      "berth: unknown command: berth image frob\n\n"
      "Usage:  berth image\n\n"
      "Run 'berth image --help' for more information\n");
}

TEST(UsageErrorsTest, RunFailuresAsDocker) {
  EXPECT_EQ(CommandFailure("berth run", "invalid reference format"),
            "berth: invalid reference format\n\n"
            "Run 'berth run --help' for more information\n");
}

}  // namespace
}  // namespace berth::ctl
