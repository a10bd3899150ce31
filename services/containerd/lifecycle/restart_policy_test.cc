#include "services/containerd/lifecycle/restart_policy.h"

#include "gtest/gtest.h"

namespace berth::containerd {
namespace {

using container::v1::RestartPolicy;

RestartPolicy Policy(RestartPolicy::Name name, int retries = 0) {
  RestartPolicy policy;
  policy.set_name(name);
  policy.set_maximum_retry_count(retries);
  return policy;
}

ExitFacts Exit(int code) {
  ExitFacts facts;
  facts.exit_code = code;
  facts.ran = absl::Seconds(1);
  return facts;
}

TEST(RestartPolicyTest, NoPolicyNeverRestarts) {
  EXPECT_FALSE(DecideRestart(Policy(RestartPolicy::NAME_NO), Exit(1),
                             absl::ZeroDuration())
                   .restart);
}

TEST(RestartPolicyTest, AlwaysAndUnlessStoppedRestartAnyExit) {
  for (auto name : {RestartPolicy::NAME_ALWAYS,
                    RestartPolicy::NAME_UNLESS_STOPPED}) {
    EXPECT_TRUE(DecideRestart(Policy(name), Exit(0), absl::ZeroDuration()).restart);
    EXPECT_TRUE(DecideRestart(Policy(name), Exit(3), absl::ZeroDuration()).restart);
  }
}

TEST(RestartPolicyTest, AStopOrAStartErrorIsNeverRestarted) {
  ExitFacts stopped = Exit(137);
  stopped.manually_stopped = true;
  EXPECT_FALSE(DecideRestart(Policy(RestartPolicy::NAME_ALWAYS), stopped,
                             absl::ZeroDuration())
                   .restart);
  ExitFacts failed = Exit(127);
  failed.start_error = true;
  EXPECT_FALSE(DecideRestart(Policy(RestartPolicy::NAME_ALWAYS), failed,
                             absl::ZeroDuration())
                   .restart);
}

TEST(RestartPolicyTest, OnFailureCountsRetries) {
  const RestartPolicy policy = Policy(RestartPolicy::NAME_ON_FAILURE, 3);
  EXPECT_FALSE(DecideRestart(policy, Exit(0), absl::ZeroDuration()).restart);
  ExitFacts exit = Exit(1);
  for (int count = 0; count < 3; ++count) {
    exit.restart_count = count;
    EXPECT_TRUE(DecideRestart(policy, exit, absl::ZeroDuration()).restart) << count;
  }
  exit.restart_count = 3;
  EXPECT_FALSE(DecideRestart(policy, exit, absl::ZeroDuration()).restart);
  exit.restart_count = 1000;
  EXPECT_TRUE(DecideRestart(Policy(RestartPolicy::NAME_ON_FAILURE), exit,
                            absl::ZeroDuration())
                  .restart)
      << "no maximum means unlimited";
}

TEST(RestartPolicyTest, BackoffDoublesUpToAMinuteAndResetsAfterALongRun) {
  const RestartPolicy policy = Policy(RestartPolicy::NAME_ALWAYS);
  absl::Duration backoff = absl::ZeroDuration();
  std::vector<absl::Duration> delays;
  for (int i = 0; i < 12; ++i) {
    backoff = DecideRestart(policy, Exit(1), backoff).delay;
    delays.push_back(backoff);
  }
  EXPECT_EQ(delays[0], absl::Milliseconds(100));
  EXPECT_EQ(delays[1], absl::Milliseconds(200));
  EXPECT_EQ(delays[2], absl::Milliseconds(400));
  EXPECT_EQ(delays[9], absl::Milliseconds(51200));
  EXPECT_EQ(delays[10], absl::Minutes(1));
  EXPECT_EQ(delays[11], absl::Minutes(1));
  ExitFacts long_run = Exit(1);
  long_run.ran = absl::Seconds(10);
  EXPECT_EQ(DecideRestart(policy, long_run, absl::Minutes(1)).delay,
            absl::Milliseconds(100));
}

TEST(RestartPolicyTest, DaemonStartBringsBackAlwaysAndUnstoppedUnlessStopped) {
  EXPECT_TRUE(RestartsAtDaemonStart(Policy(RestartPolicy::NAME_ALWAYS), true));
  EXPECT_TRUE(
      RestartsAtDaemonStart(Policy(RestartPolicy::NAME_UNLESS_STOPPED), false));
  EXPECT_FALSE(
      RestartsAtDaemonStart(Policy(RestartPolicy::NAME_UNLESS_STOPPED), true));
  EXPECT_FALSE(RestartsAtDaemonStart(Policy(RestartPolicy::NAME_ON_FAILURE), false));
  EXPECT_FALSE(RestartsAtDaemonStart(Policy(RestartPolicy::NAME_NO), false));
}

}  // namespace
}  // namespace berth::containerd
