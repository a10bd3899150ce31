// A start interrupted by a kill of the daemon at each of its steps ends in a
// true state: the daemon is held at a failpoint (common/failpoint.h) inside
// the start, killed there with SIGKILL and started again, and then every
// record must match reality (the fault harness's checks) and the container
// must start, stop and go as usual.
//
// Before recovery reconciled records without a process, a start killed
// after its shim launched left a running container recorded as "created"
// that stop and kill could not reach; a shim whose socket was not bound yet
// when the new daemon looked ran its container untracked.
#include <signal.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/fault/fault_harness.h"
#include "tests/support/busybox.h"

namespace berth::testing {
namespace {

const std::vector<std::string> kAll = {"imaged", "containerd", "netd",
                                       "volumed"};

struct Step {
  std::string failpoint;   // where the start is held
  std::string hold;        // "" until killed, or a duration (in the shim)
  std::string status;      // what the container is after recovery
};

class StartInterruptedTest : public ::testing::TestWithParam<Step> {
 protected:
  std::string StatusOf(const std::string& name) {
    RunResult seen = env_.Berth({"inspect", "-f", "{{.State.Status}}", name});
    return std::string(absl::StripAsciiWhitespace(seen.out));
  }

  // Polls the checks until they pass (exits are recorded asynchronously).
  void ExpectTrue(const std::string& when) {
    Observed observed;
    for (int i = 0; i < 60; ++i) {
      observed = CheckInvariants(env_);
      if (observed.inconsistencies.empty() && observed.leaks.empty()) return;
      absl::SleepFor(absl::Milliseconds(250));
    }
    ADD_FAILURE() << when << ":\n"
                  << absl::StrJoin(observed.inconsistencies, "\n") << "\n"
                  << absl::StrJoin(observed.leaks, "\n");
  }

  BerthEnv env_;
};

TEST_P(StartInterruptedTest, KilledDaemonLeavesATrueRecord) {
  const Step& step = GetParam();
  const std::string failpoints =
      step.hold.empty() ? step.failpoint : step.failpoint + "=" + step.hold;
  std::unique_ptr<Daemon> berthd =
      env_.StartDaemon(kBerthd, {}, {{"BERTH_FAILPOINTS", failpoints}});
  ASSERT_TRUE(env_.WaitHealthy(kAll));
  ASSERT_EQ(env_.Berth({"import", MakeBusyboxTar(env_.dir()), "busybox"}).exit_code,
            0);
  RunResult created =
      env_.Berth({"create", "--name", "held", "busybox", "sleep", "600"});
  ASSERT_EQ(created.exit_code, 0) << created.err;

  RunResult start;
  std::thread starting([&] { start = env_.Berth({"start", "held"}); });
  // Held at the failpoint: containerd says so in the daemon's log; the
  // shim (in its own log) is seen as a process.
  bool held = false;
  for (int i = 0; i < 200 && !held; ++i) {
    held = step.failpoint.rfind("shim-", 0) == 0
               ? !env_.ShimsByContainer().empty()
               : ReadFile(env_.log_path()).find("failpoint " + step.failpoint) !=
                     std::string::npos;
    if (!held) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(held) << "the start never reached " << step.failpoint;
  berthd->Signal(SIGKILL);
  berthd->Wait(absl::Seconds(10));
  starting.join();
  EXPECT_NE(start.exit_code, 0) << "a start held at " << step.failpoint
                                << " reported success";

  berthd = env_.StartDaemon(kBerthd);
  ASSERT_TRUE(env_.WaitHealthy(kAll));
  if (!step.hold.empty()) {
    // Let the held shim go on, after recovery has looked for it.
    absl::SleepFor(absl::Seconds(5));
  }
  ExpectTrue("after recovery");
  EXPECT_EQ(StatusOf("held"), step.status);

  if (step.status != "running") {
    RunResult again = env_.Berth({"start", "held"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
  }
  EXPECT_EQ(StatusOf("held"), "running");
  ExpectTrue("once started");
  RunResult stopped = env_.Berth({"stop", "-t", "1", "held"});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_EQ(StatusOf("held"), "exited");
  ExpectTrue("once stopped");
  ASSERT_EQ(env_.Berth({"rm", "held"}).exit_code, 0);
  EXPECT_TRUE(Leftovers(env_).empty()) << absl::StrJoin(Leftovers(env_), "\n");
  EXPECT_EQ(berthd->Stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    EachStep, StartInterruptedTest,
    ::testing::Values(
        // Files written, nothing launched.
        Step{"start-prepared", "", "created"},
        // The shim spawned but its socket not bound yet: the new daemon's
        // recovery cannot see it; the shim ends the container itself when
        // nobody reads its report.
        Step{"shim-before-listen", "4s", "created"},
        // The shim runs the container, nothing recorded: recovery ends it.
        Step{"start-launched", "", "created"},
        // Recorded as running: recovery adopts the shim.
        Step{"start-recorded", "", "running"}),
    [](const ::testing::TestParamInfo<Step>& info) {
      std::string name;
      for (char c : info.param.failpoint) name += c == '-' ? '_' : c;
      return name;
    });

}  // namespace
}  // namespace berth::testing
