#include "ctl/container/update_flags.h"

#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

std::string Refusal(UpdateFlags flags) {
  absl::StatusOr<container::v1::Resources> parsed = ParseUpdateResources(flags);
  EXPECT_FALSE(parsed.ok());
  return std::string(parsed.status().message());
}

TEST(UpdateFlagsTest, ReadsEveryFlagAsDockersCli) {
  UpdateFlags flags;
  flags.blkio_weight = "300";
  flags.cpu_period = "50000";
  flags.cpu_quota = "-1";
  flags.cpu_shares = "512";
  flags.cpuset_cpus = "0-1";
  flags.cpuset_mems = "0";
  flags.memory = "64m";
  flags.memory_reservation = "32m";
  flags.memory_swap = "-1";
  flags.pids_limit = "-1";
  absl::StatusOr<container::v1::Resources> r = ParseUpdateResources(flags);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->blkio_weight(), 300u);
  EXPECT_EQ(r->cpu_period(), 50000);
  EXPECT_EQ(r->cpu_quota(), -1);
  EXPECT_EQ(r->cpu_shares(), 512);
  EXPECT_EQ(r->cpuset_cpus(), "0-1");
  EXPECT_EQ(r->cpuset_mems(), "0");
  EXPECT_EQ(r->memory(), 64 << 20);
  EXPECT_EQ(r->memory_reservation(), 32 << 20);
  EXPECT_EQ(r->memory_swap(), -1);
  EXPECT_EQ(r->pids_limit(), -1);

  UpdateFlags cpus;
  cpus.cpus = "1.5";
  EXPECT_EQ(ParseUpdateResources(cpus)->nano_cpus(), 1500000000);
  EXPECT_EQ(ParseUpdateResources(UpdateFlags())->ByteSizeLong(), 0u);
}

TEST(UpdateFlagsTest, RefusesWithPflagsWords) {
  UpdateFlags period;
  period.cpu_period = "abc";
  EXPECT_EQ(Refusal(period),
            "invalid argument \"abc\" for \"--cpu-period\" flag: "
            "strconv.ParseInt: parsing \"abc\": invalid syntax");
  UpdateFlags weight;
  weight.blkio_weight = "70000";
  EXPECT_EQ(Refusal(weight),
            "invalid argument \"70000\" for \"--blkio-weight\" flag: "
            "strconv.ParseUint: parsing \"70000\": value out of range");
  weight.blkio_weight = "-3";
  EXPECT_EQ(Refusal(weight),
            "invalid argument \"-3\" for \"--blkio-weight\" flag: "
            "strconv.ParseUint: parsing \"-3\": invalid syntax");
  UpdateFlags swap;
  swap.memory_swap = "x";
  EXPECT_EQ(Refusal(swap),
            "invalid argument \"x\" for \"--memory-swap\" flag: invalid size: "
            "'x'");
  UpdateFlags cpus;
  cpus.cpus = "abc";
  EXPECT_EQ(Refusal(cpus),
            "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc "
            "as a rational number");
}

}  // namespace
}  // namespace berth::ctl
