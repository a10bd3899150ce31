// End to end: the container lifecycle when a shim stops answering. Every
// call containerd makes to a shim has a deadline, and a wedged shim is
// killed, with its container, and reported, never waited on.
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;

// The parent of `pid` (its shim, for a container's init).
int ParentPid(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  // "PID (COMM) STATE PPID ...": COMM may hold spaces, so split after ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields =
      absl::StrSplit(line.substr(close + 2), ' ');
  int parent = 0;
  if (fields.size() < 2 || !absl::SimpleAtoi(fields[1], &parent)) return 0;
  return parent;
}

bool Alive(int pid) { return kill(pid, 0) == 0; }

TEST_F(ContainerE2eTest, StopAndForcedRemoveReturnWhenTheShimIsWedged) {
  for (const char* name : {"wedged-stop", "wedged-rm"}) {
    ASSERT_EQ(env_.Berth({"run", "-d", "--name", name, "busybox", "sleep",
                          "600"})
                  .exit_code,
              0);
  }
  const int stop_init = Inspect("wedged-stop")["State"]["Pid"].get<int>();
  const int rm_init = Inspect("wedged-rm")["State"]["Pid"].get<int>();
  const int stop_shim = ParentPid(stop_init);
  const int rm_shim = ParentPid(rm_init);
  ASSERT_GT(stop_shim, 1);
  ASSERT_GT(rm_shim, 1);
  // A stopped process still has its socket accept connections (the
  // kernel queues them) but never answers.
  ASSERT_EQ(kill(stop_shim, SIGSTOP), 0);
  ASSERT_EQ(kill(rm_shim, SIGSTOP), 0);

  absl::Time start = absl::Now();
  RunResult stopped = env_.Berth({"stop", "-t", "30", "wedged-stop"});
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_TRUE(WaitForStatus("wedged-stop", "exited"));
  nlohmann::json state = Inspect("wedged-stop")["State"];
  EXPECT_EQ(state["ExitCode"], 137);
  EXPECT_THAT(state["Error"].get<std::string>(), HasSubstr("did not answer"));

  start = absl::Now();
  RunResult removed = env_.Berth({"rm", "-f", "wedged-rm"});
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_NE(env_.Berth({"inspect", "wedged-rm"}).exit_code, 0);

  // Nothing of either is left running.
  for (int pid : {stop_init, rm_init, stop_shim, rm_shim}) {
    for (int i = 0; i < 50 && Alive(pid); ++i) absl::SleepFor(absl::Milliseconds(100));
    EXPECT_FALSE(Alive(pid)) << pid;
  }
  EXPECT_TRUE(env_.ShimPids().empty());
  // The daemon still serves.
  EXPECT_EQ(RunScript("echo fine").out, "fine\n");
}

}  // namespace
}  // namespace berth::testing
