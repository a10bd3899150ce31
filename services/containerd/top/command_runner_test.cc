#include "services/containerd/top/command_runner.h"

#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

TEST(ProcessRunnerTest, ReturnsExitCodeAndBothOutputs) {
  auto runner = NewProcessRunner();
  auto result = runner->Run({"sh", "-c", "echo out; echo err >&2; exit 3"},
                            absl::Seconds(10));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->out, "out\n");
  EXPECT_EQ(result->err, "err\n");
}

TEST(ProcessRunnerTest, AMissingProgramIsNotFound) {
  auto result = NewProcessRunner()->Run({"/nonexistent/berth-x"},
                                        absl::Seconds(10));
  EXPECT_TRUE(absl::IsNotFound(result.status())) << result.status();
  EXPECT_NE(result.status().message().find("/nonexistent/berth-x"),
            std::string::npos);
}

TEST(ProcessRunnerTest, KillsAProgramPastItsDeadline) {
  const absl::Time start = absl::Now();
  auto result = NewProcessRunner()->Run({"sleep", "30"}, absl::Milliseconds(200));
  EXPECT_TRUE(absl::IsDeadlineExceeded(result.status())) << result.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  // Also one that closed its outputs and lives on.
  auto detached = NewProcessRunner()->Run(
      {"sh", "-c", "exec >/dev/null 2>&1; sleep 30"}, absl::Milliseconds(200));
  EXPECT_TRUE(absl::IsDeadlineExceeded(detached.status()));
}

TEST(ProcessRunnerTest, StopsAtTooMuchOutput) {
  auto result = NewProcessRunner()->Run({"yes"}, absl::Seconds(10), 4096);
  EXPECT_TRUE(absl::IsResourceExhausted(result.status())) << result.status();
}

}  // namespace
}  // namespace berth::containerd
