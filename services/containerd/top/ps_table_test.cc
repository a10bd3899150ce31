#include "services/containerd/top/ps_table.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Row(const container::v1::TopContainerResponse& table,
                             int i) {
  const auto& values = table.processes(i).values();
  return {values.begin(), values.end()};
}

TEST(PsTableTest, KeepsTheContainersRowsWithTheCommandInTheLastColumn) {
  const std::string output =
      "UID          PID    PPID  C STIME TTY          TIME CMD\n"
      "root           1       0  0 05:04 ?        00:00:17 /sbin/init\n"
      "root        4242    4241  0 06:14 ?        00:00:00 sleep 600\n"
      "root        4250    4242  0 06:14 pts/0    00:00:00 sh -c echo a  b\n";
  auto table = ParsePsOutput(output, {4242, 4250});
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_THAT(table->titles(), ElementsAre("UID", "PID", "PPID", "C", "STIME",
                                           "TTY", "TIME", "CMD"));
  ASSERT_EQ(table->processes_size(), 2);
  EXPECT_THAT(Row(*table, 0), ElementsAre("root", "4242", "4241", "0", "06:14",
                                          "?", "00:00:00", "sleep 600"));
  // Runs of blanks inside the command collapse, as in Docker.
  EXPECT_EQ(Row(*table, 1).back(), "sh -c echo a b");
}

TEST(PsTableTest, ThreadLinesFollowTheirProcess) {
  const std::string output =
      "  PID TTY      STAT   TIME COMMAND\n"
      "    7 ?        -      0:00 other\n"
      "    - -        S      0:00 -\n"
      "   12 ?        -      0:00 ours\n"
      "    - -        S      0:00 -\n";
  auto table = ParsePsOutput(output, {12});
  ASSERT_TRUE(table.ok()) << table.status();
  ASSERT_EQ(table->processes_size(), 2);
  EXPECT_EQ(Row(*table, 0)[0], "12");
  EXPECT_EQ(Row(*table, 1)[0], "-");
}

TEST(PsTableTest, NonAsciiSpacesStayInsideAWord) {
  const std::string output = "PID CMD\n9 a\u00a0b c\n";
  auto table = ParsePsOutput(output, {9});
  ASSERT_TRUE(table.ok());
  EXPECT_THAT(Row(*table, 0), ElementsAre("9", "a\u00a0b c"));
}

TEST(PsTableTest, ErrorsInDockersWords) {
  EXPECT_EQ(ParsePsOutput("UID CMD\nroot x\n", {1}).status().message(),
            "Couldn't find PID field in ps output");
  EXPECT_EQ(ParsePsOutput("PID CMD\nabc x\n", {1}).status().message(),
            "Unexpected pid 'abc'");
}

TEST(PsTableTest, ValidatesRenamedPidColumnsAsDocker) {
  EXPECT_TRUE(ValidatePsArgs("-ef").ok());
  EXPECT_TRUE(ValidatePsArgs("-o pid=PID,comm").ok());
  EXPECT_TRUE(ValidatePsArgs("-o user=NAME").ok());
  absl::Status refused = ValidatePsArgs("-o user=PID");
  EXPECT_TRUE(absl::IsInvalidArgument(refused));
  EXPECT_EQ(refused.message(), "specifying \"user=PID\" is not allowed");
  EXPECT_EQ(ValidatePsArgs("-o comm= PIDX").message(),
            "specifying \"comm=PIDX\" is not allowed");
  // Docker's pattern needs a blank before the key.
  EXPECT_TRUE(ValidatePsArgs("user=PID").ok());
}

TEST(PsTableTest, ArgvSelectsThePidsWhenAsked) {
  EXPECT_THAT(PsArgv("-ef", {3, 5}, true), ElementsAre("ps", "-ef", "-q3,5"));
  EXPECT_THAT(PsArgv("aux", {3}, false), ElementsAre("ps", "aux"));
  EXPECT_THAT(PsArgv("-o pid,comm", {3}, true),
              ElementsAre("ps", "-o", "pid,comm", "-q3"));
}

}  // namespace
}  // namespace berth::containerd
