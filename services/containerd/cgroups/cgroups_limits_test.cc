// The limits `berth update` changes beyond those of `run` (the CFS period and
// quota, memory nodes, the soft limit, the I/O weight) on the host's real
// cgroups (root only), and their validation (no root needed).
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/cgroups/cgroup_fs.h"
#include "services/containerd/cgroups/cgroup_test_util.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kMiB = 1024 * 1024;

TEST(ValidateLimitsTest, RefusesWithDockersWords) {
  auto message = [](auto set) {
    Limits limits;
    set(limits);
    return std::string(
        internal::ValidateLimits(limits, /*for_update=*/true).message());
  };
  EXPECT_EQ(message([](Limits& l) { l.cpu_period_us = 999; }),
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger "
            "than 1s (i.e. 1000000)");
  EXPECT_EQ(message([](Limits& l) { l.cpu_quota_us = 10; }),
            "CPU cfs quota can not be less than 1ms (i.e. 1000)");
  EXPECT_EQ(message([](Limits& l) {
              l.nano_cpus = 1000000000;
              l.cpu_period_us = 100000;
            }),
            "Conflicting options: Nano CPUs and CPU Period cannot both be set");
  EXPECT_EQ(message([](Limits& l) { l.memory_reservation_bytes = kMiB; }),
            "Minimum memory reservation allowed is 6MB");
  EXPECT_EQ(message([](Limits& l) {
              l.memory_bytes = 16 * kMiB;
              l.memory_reservation_bytes = 32 * kMiB;
            }),
            "Minimum memory limit can not be less than memory reservation "
            "limit, see usage");
  EXPECT_EQ(message([](Limits& l) { l.blkio_weight = 5; }),
            "Range of blkio weight is from 10 to 1000");
  EXPECT_EQ(message([](Limits& l) { l.cpu_quota_us = -1; }), "");
}

TEST(BlkioWeightTest, MapsOntoIoWeightAsRunc) {
  EXPECT_EQ(internal::BlkioWeightToIoWeight(10), 1);
  EXPECT_EQ(internal::BlkioWeightToIoWeight(1000), 10000);
  EXPECT_EQ(internal::BlkioWeightToIoWeight(500), 4950);
}

class HostLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    parent_ = absl::StrCat("berth-limits-test-", getpid());
    absl::StatusOr<std::unique_ptr<CgroupDriver>> driver =
        DetectCgroupDriver(parent_);
    ASSERT_TRUE(driver.ok()) << driver.status();
    driver_ = *std::move(driver);
    v1_ = driver_->Version() == "v1";
    ASSERT_TRUE(driver_->Create("c", Limits()).ok());
  }
  void TearDown() override {
    if (driver_ == nullptr) return;
    EXPECT_TRUE(driver_->Remove("c").ok());
    // The parent the driver made, in every hierarchy (or the one tree).
    rmdir(absl::StrCat("/sys/fs/cgroup/", parent_).c_str());
    absl::StatusOr<std::vector<std::string>> names = ListDir("/sys/fs/cgroup");
    for (const std::string& name : names.value_or(std::vector<std::string>())) {
      rmdir(absl::StrCat("/sys/fs/cgroup/", name, "/", parent_).c_str());
    }
  }
  std::string File(const std::string& controller, const std::string& file) {
    return v1_ ? absl::StrCat("/sys/fs/cgroup/", controller, "/", parent_,
                              "/c/", file)
               : absl::StrCat("/sys/fs/cgroup/", parent_, "/c/", file);
  }

  std::string parent_;
  std::unique_ptr<CgroupDriver> driver_;
  bool v1_ = false;
};

TEST_F(HostLimitsTest, UpdateWritesPeriodQuotaReservationAndMems) {
  struct stat st;
  if (!v1_ && stat(File("", "cpu.max").c_str(), &st) != 0) {
    GTEST_SKIP() << "v2 without the cpu controller";
  }
  Limits update;
  update.cpu_period_us = 50000;
  update.cpu_quota_us = 25000;
  update.memory_reservation_bytes = 64 * kMiB;
  update.cpuset_mems = "0";
  ASSERT_TRUE(driver_->Update("c", update).ok());
  if (v1_) {
    EXPECT_EQ(ReadTrimmed(File("cpu", "cpu.cfs_period_us")), "50000");
    EXPECT_EQ(ReadTrimmed(File("cpu", "cpu.cfs_quota_us")), "25000");
    EXPECT_EQ(ReadTrimmed(File("memory", "memory.soft_limit_in_bytes")),
              absl::StrCat(64 * kMiB));
    EXPECT_EQ(ReadTrimmed(File("cpuset", "cpuset.mems")), "0");
  } else {
    EXPECT_EQ(ReadTrimmed(File("", "cpu.max")), "25000 50000");
    EXPECT_EQ(ReadTrimmed(File("", "memory.low")), absl::StrCat(64 * kMiB));
  }
  // The quota alone keeps the period; -1 lifts the quota.
  Limits quota_only;
  quota_only.cpu_quota_us = -1;
  ASSERT_TRUE(driver_->Update("c", quota_only).ok());
  if (v1_) {
    EXPECT_EQ(ReadTrimmed(File("cpu", "cpu.cfs_period_us")), "50000");
    EXPECT_EQ(ReadTrimmed(File("cpu", "cpu.cfs_quota_us")), "-1");
  } else {
    EXPECT_EQ(ReadTrimmed(File("", "cpu.max")), "max 50000");
  }
}

TEST_F(HostLimitsTest, AnIoWeightTheHostLacksIsDiscardedWithDockersWarning) {
  Limits limits;
  limits.blkio_weight = 300;
  std::vector<std::string> warnings = driver_->DiscardUnsupported(&limits);
  struct stat st;
  const bool has_weight =
      v1_ ? stat(File("blkio", "blkio.weight").c_str(), &st) == 0 ||
                stat(File("blkio", "blkio.bfq.weight").c_str(), &st) == 0
          : absl::StrContains(ReadTrimmed("/sys/fs/cgroup/cgroup.controllers"),
                              "io");
  if (has_weight) {
    EXPECT_THAT(warnings, IsEmpty());
    EXPECT_EQ(limits.blkio_weight, 300);
    return;
  }
  EXPECT_THAT(warnings, ElementsAre(HasSubstr("Weight discarded")));
  EXPECT_EQ(limits.blkio_weight, 0);
  // Told to write it anyway, the driver says what is missing.
  Limits forced;
  forced.blkio_weight = 300;
  absl::Status status = driver_->Update("c", forced);
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
}

}  // namespace
}  // namespace berth::containerd::cgroups
