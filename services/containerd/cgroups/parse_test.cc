#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups {
namespace {

TEST(CpuSharesToWeightTest, MatchesRuncsMapping) {
  EXPECT_EQ(CpuSharesToWeight(0), 0);
  EXPECT_EQ(CpuSharesToWeight(1), 1);
  EXPECT_EQ(CpuSharesToWeight(2), 1);
  EXPECT_EQ(CpuSharesToWeight(1024), 100);  // both defaults
  EXPECT_EQ(CpuSharesToWeight(262144), 10000);
  EXPECT_EQ(CpuSharesToWeight(1 << 20), 10000);
  // Monotonic in between.
  int64_t previous = 1;
  for (int64_t shares = 3; shares < 262144; shares += 97) {
    int64_t weight = CpuSharesToWeight(shares);
    EXPECT_GE(weight, previous) << shares;
    EXPECT_LE(weight, 10000) << shares;
    previous = weight;
  }
  EXPECT_LT(CpuSharesToWeight(512), 100);
  EXPECT_GT(CpuSharesToWeight(2048), 100);
}

}  // namespace
}  // namespace berth::containerd::cgroups
