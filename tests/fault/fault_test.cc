// The fault harness, briefly: a few kills of berthd, and of the split
// containerd and imaged, while loops drive containers. tools/fault runs it
// at full length.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fault/fault_harness.h"
#include "tests/support/busybox.h"

namespace berth::testing {
namespace {

void RunAndCheck(const FaultPlan& plan) {
  BerthEnv env;
  FaultReport report = RunFaultHarness(env, plan);
  std::printf("%s", report.Summary(plan).c_str());
  EXPECT_TRUE(report.clean()) << report.Summary(plan);
  int planned = 0, made = 0;
  for (const auto& [daemon, count] : plan.kills) planned += count;
  for (const auto& [daemon, count] : report.kills) made += count;
  EXPECT_EQ(made, planned);
  EXPECT_GT(report.succeeded, report.ops / 2) << report.Summary(plan);
}

using ::testing::Contains;
using ::testing::HasSubstr;

// The checks themselves: things no record names are found, and once they
// are gone the same Berth checks clean.
TEST(FaultHarness, TheChecksFindWhatNoRecordNames) {
  BerthEnv env;
  std::unique_ptr<Daemon> berthd = env.StartDaemon(kBerthd);
  ASSERT_TRUE(env.WaitHealthy({"imaged", "containerd", "netd", "volumed"}));
  ASSERT_EQ(env.Berth({"import", MakeBusyboxTar(env.dir()), "busybox"}).exit_code, 0);
  ASSERT_EQ(env.Berth({"run", "-d", "--name", "live", "busybox", "sleep", "60"})
                .exit_code,
            0);
  Observed clean = CheckInvariants(env);
  EXPECT_EQ(clean.records, 1);
  EXPECT_TRUE(clean.inconsistencies.empty() && clean.leaks.empty())
      << absl::StrJoin(clean.inconsistencies, "\n")
      << absl::StrJoin(clean.leaks, "\n");

  const std::string stray(64, 'f');
  const std::string state_dir = env.root() + "/containerd/containers/" + stray;
  // The container's parent cgroup: in the pids hierarchy of a v1 or hybrid
  // host, at the top of a v2 one.
  std::string parent = "/sys/fs/cgroup/pids/" + env.cgroup_parent();
  struct stat st;
  if (stat(parent.c_str(), &st) != 0) parent = "/sys/fs/cgroup/" + env.cgroup_parent();
  const std::string cgroup = parent + "/" + stray;
  ASSERT_EQ(mkdir(state_dir.c_str(), 0700), 0);
  ASSERT_EQ(mkdir(cgroup.c_str(), 0755), 0);
  Observed dirty = CheckInvariants(env);
  EXPECT_EQ(rmdir(cgroup.c_str()), 0);
  EXPECT_THAT(dirty.leaks,
              Contains(HasSubstr("the state directory of " + stray)));
  EXPECT_THAT(dirty.leaks, Contains(HasSubstr("a cgroup of " + stray)));
  EXPECT_THAT(Leftovers(env), Contains(HasSubstr("the state directory of " + stray)));
  EXPECT_EQ(rmdir(state_dir.c_str()), 0);

  ASSERT_EQ(env.Berth({"rm", "-f", "live"}).exit_code, 0);
  EXPECT_TRUE(Leftovers(env).empty()) << absl::StrJoin(Leftovers(env), "\n");
  EXPECT_EQ(berthd->Stop(), 0);
}

TEST(FaultHarness, BerthdKilledAtRandomMoments) {
  FaultPlan plan;
  plan.mode = "berthd";
  plan.loops = 3;
  plan.ops_per_loop = 40;
  plan.kills = {{"berthd", 3}};
  plan.seed = 11;
  RunAndCheck(plan);
}

TEST(FaultHarness, SplitContainerdImagedAndVolumedKilledAtRandomMoments) {
  FaultPlan plan;
  plan.mode = "split";
  plan.loops = 3;
  plan.ops_per_loop = 40;
  plan.kills = {{"containerd", 3}, {"imaged", 1}, {"volumed", 1}};
  plan.seed = 12;
  RunAndCheck(plan);
}

}  // namespace
}  // namespace berth::testing
