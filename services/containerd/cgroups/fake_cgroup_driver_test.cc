#include "services/containerd/cgroups/fake_cgroup_driver.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd::cgroups {
namespace {

using ::testing::ElementsAre;

TEST(FakeCgroupDriverTest, KeepsStateAndRecordsCalls) {
  FakeCgroupDriver driver("v1");
  EXPECT_EQ(driver.Version(), "v1");
  Limits limits;
  limits.memory_bytes = 64 << 20;
  limits.pids_limit = 5;
  ASSERT_TRUE(driver.Create("c1", limits).ok());
  EXPECT_EQ(driver.Create("c1", limits).code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(driver.AddProcess("c1", 42).ok());
  EXPECT_EQ(driver.AddProcess("nope", 1).code(), absl::StatusCode::kNotFound);

  Limits update;
  update.nano_cpus = 500000000;
  ASSERT_TRUE(driver.Update("c1", update).ok());
  FakeCgroupDriver::Cgroup cgroup;
  ASSERT_TRUE(driver.Get("c1", &cgroup));
  EXPECT_EQ(cgroup.limits.memory_bytes, 64 << 20);  // kept: 0 means unchanged
  EXPECT_EQ(cgroup.limits.nano_cpus, 500000000);
  EXPECT_THAT(cgroup.pids, ElementsAre(42));

  ASSERT_TRUE(driver.Freeze("c1").ok());
  ASSERT_TRUE(driver.Get("c1", &cgroup));
  EXPECT_TRUE(cgroup.frozen);
  ASSERT_TRUE(driver.Thaw("c1").ok());
  ASSERT_TRUE(driver.Get("c1", &cgroup));
  EXPECT_FALSE(cgroup.frozen);

  EXPECT_FALSE(*driver.OomKilled("c1"));
  driver.SetOomKilled("c1", true);
  EXPECT_TRUE(*driver.OomKilled("c1"));

  CgroupStats stats;
  stats.memory_usage_bytes = 1234;
  driver.SetStats("c1", stats);
  absl::StatusOr<CgroupStats> got = driver.Stats("c1");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->memory_usage_bytes, 1234);
  EXPECT_EQ(got->memory_limit_bytes, 64 << 20);
  EXPECT_EQ(got->pids_current, 1);

  ASSERT_TRUE(driver.Remove("c1").ok());
  ASSERT_TRUE(driver.Remove("c1").ok());  // idempotent
  EXPECT_FALSE(*driver.Exists("c1"));

  EXPECT_THAT(driver.calls(),
              ElementsAre("Create c1", "Create c1", "AddProcess c1 42",
                          "AddProcess nope 1", "Update c1", "Freeze c1",
                          "Thaw c1", "OomKilled c1", "OomKilled c1", "Stats c1",
                          "Remove c1", "Remove c1", "Exists c1"));
}

TEST(FakeCgroupDriverTest, InjectsOneFailure) {
  FakeCgroupDriver driver;
  driver.FailNext("Create", absl::UnavailableError("boom"));
  EXPECT_EQ(driver.Create("c1", Limits()).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_FALSE(*driver.Exists("c1"));
  EXPECT_TRUE(driver.Create("c1", Limits()).ok());
}

}  // namespace
}  // namespace berth::containerd::cgroups
