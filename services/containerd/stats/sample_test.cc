#include "services/containerd/stats/sample.h"

#include "gtest/gtest.h"

namespace berth::containerd::stats {
namespace {

TEST(MemoryUsageNoCacheTest, SubtractsInactiveFileAsDocker) {
  EXPECT_EQ(MemoryUsageNoCache(1000, {{"total_inactive_file", 300}}), 700u);
  EXPECT_EQ(MemoryUsageNoCache(1000, {{"inactive_file", 400}}), 600u);
  // Not subtracted when not smaller than the usage; v2's key is tried
  // after v1's.
  EXPECT_EQ(MemoryUsageNoCache(1000, {{"total_inactive_file", 1000},
                                      {"inactive_file", 100}}),
            900u);
  EXPECT_EQ(MemoryUsageNoCache(1000, {{"inactive_file", 2000}}), 1000u);
  EXPECT_EQ(MemoryUsageNoCache(1000, {}), 1000u);
}

TEST(CpuPercentTest, DockersFormula) {
  container::v1::ContainerStats::Cpu previous, current;
  previous.set_total_usage_ns(1000000000);
  previous.set_system_usage_ns(10000000000);
  current.set_total_usage_ns(1500000000);   // +0.5 s of CPU
  current.set_system_usage_ns(14000000000);  // +4 s of host CPU (4 CPUs x 1 s)
  current.set_online_cpus(4);
  EXPECT_DOUBLE_EQ(CpuPercent(previous, current), 50.0);
  // No progress of either: 0.
  EXPECT_EQ(CpuPercent(current, current), 0.0);
  // Without online_cpus, the per-CPU list counts them.
  current.set_online_cpus(0);
  current.add_per_cpu_ns(1);
  current.add_per_cpu_ns(2);
  EXPECT_DOUBLE_EQ(CpuPercent(previous, current), 25.0);
}

TEST(MemoryPercentTest, OverLimit) {
  EXPECT_DOUBLE_EQ(MemoryPercent(512, 2048), 25.0);
  EXPECT_EQ(MemoryPercent(512, 0), 0.0);
}

TEST(BuildSampleTest, FillsFromCgroupAndHost) {
  SampleInput in;
  in.id = "abc";
  in.name = "web";
  in.read = absl::FromUnixSeconds(1700000000);
  in.cgroup.memory_usage_bytes = 10 << 20;
  in.cgroup.memory_stat = {{"total_inactive_file", 2 << 20},
                           {"cache", 3 << 20},
                           {"rss", 7 << 20}};
  in.cgroup.cpu_usage_ns = 42;
  in.cgroup.pids_current = 3;
  in.cgroup.io_read_bytes = 100;
  in.cgroup.io_write_bytes = 200;
  in.host = {5000, 2};
  in.host_memory = 1 << 30;
  in.networks = {{"eth0", 10, 1, 0, 0, 20, 2, 0, 0}};
  in.pids_limit = 50;
  container::v1::ContainerStats s = BuildSample(in);
  EXPECT_EQ(s.id(), "abc");
  EXPECT_EQ(s.name(), "web");
  EXPECT_EQ(s.memory().usage(), 8u << 20);
  // Unlimited: the host's memory.
  EXPECT_EQ(s.memory().limit(), 1u << 30);
  EXPECT_EQ(s.memory().cache(), 3u << 20);
  EXPECT_EQ(s.memory().rss(), 7u << 20);
  EXPECT_DOUBLE_EQ(s.memory_percent(), 100.0 * (8 << 20) / (1 << 30));
  EXPECT_EQ(s.cpu().total_usage_ns(), 42u);
  EXPECT_EQ(s.cpu().system_usage_ns(), 5000u);
  EXPECT_EQ(s.cpu().online_cpus(), 2u);
  EXPECT_EQ(s.pids_current(), 3u);
  EXPECT_EQ(s.pids_limit(), 50u);
  EXPECT_EQ(s.blkio().read_bytes(), 100u);
  EXPECT_EQ(s.blkio().write_bytes(), 200u);
  ASSERT_EQ(s.networks_size(), 1);
  EXPECT_EQ(s.networks(0).tx_bytes(), 20u);
  EXPECT_EQ(s.read().seconds(), 1700000000);

  // A limit below the host's memory is kept; one above is the host's.
  in.cgroup.memory_limit_bytes = 64 << 20;
  EXPECT_EQ(BuildSample(in).memory().limit(), 64u << 20);
  in.cgroup.memory_limit_bytes = int64_t{1} << 40;
  EXPECT_EQ(BuildSample(in).memory().limit(), 1u << 30);
}

TEST(EmptySampleTest, ZeroesWithIdentity) {
  container::v1::ContainerStats s =
      EmptySample("abc", "web", absl::FromUnixSeconds(5));
  EXPECT_EQ(s.id(), "abc");
  EXPECT_EQ(s.memory().usage(), 0u);
  EXPECT_EQ(s.pids_current(), 0u);
  EXPECT_EQ(s.cpu_percent(), 0.0);
}

}  // namespace
}  // namespace berth::containerd::stats
