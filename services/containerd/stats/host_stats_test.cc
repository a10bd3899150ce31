#include "services/containerd/stats/host_stats.h"

#include <sys/stat.h>
#include <time.h>

#include <cerrno>
#include <fstream>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd::stats {
namespace {

using ::testing::HasSubstr;

TEST(ProcStatTest, SumsSevenFieldsAndCountsCpus) {
  absl::StatusOr<HostCpu> cpu = ParseProcStat(
      "cpu  100 5 50 1000 10 2 3 7 0 0\n"
      "cpu0 50 2 25 500 5 1 1 3 0 0\n"
      "cpu1 50 3 25 500 5 1 2 4 0 0\n"
      "intr 12345\n"
      "cpu9 is not counted after other lines\n",
      100, "/proc/stat");
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  // (100+5+50+1000+10+2+3) ticks at 100 Hz; steal (7) is not summed.
  EXPECT_EQ(cpu->system_usage_ns, 1170ULL * 10000000ULL);
  EXPECT_EQ(cpu->online_cpus, 2u);
  absl::StatusOr<HostCpu> bad = ParseProcStat("cpu 1 2\n", 100, "/p/stat");
  EXPECT_THAT(bad.status().message(), HasSubstr("/p/stat"));
}

// The reader counts the CPUs in the stat file but takes the host's CPU time
// from the clock: the time since boot times those CPUs, to the ns.
TEST(ProcHostStatsTest, CpuTimeIsTheTimeSinceBootTimesTheCpus) {
  const std::string root = ::testing::TempDir() + "/proc_host_stats";
  ASSERT_TRUE(mkdir(root.c_str(), 0755) == 0 || errno == EEXIST);
  {
    std::ofstream stat(root + "/stat");
    stat << "cpu  1 1 1 1 1 1 1 0 0 0\n"
            "cpu0 1 1 1 1 1 1 1 0 0 0\n"
            "cpu1 1 1 1 1 1 1 1 0 0 0\n"
            "cpu2 1 1 1 1 1 1 1 0 0 0\n";
  }
  auto boot_ns = [] {
    timespec t{};
    clock_gettime(CLOCK_BOOTTIME, &t);
    return static_cast<uint64_t>(t.tv_sec) * 1000000000ULL + t.tv_nsec;
  };
  std::unique_ptr<HostStats> host = NewProcHostStats(root);
  const uint64_t before = boot_ns();
  absl::StatusOr<HostCpu> cpu = host->Cpu();
  const uint64_t after = boot_ns();
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_EQ(cpu->online_cpus, 3u);
  EXPECT_GE(cpu->system_usage_ns, before * 3);
  EXPECT_LE(cpu->system_usage_ns, after * 3);
}

TEST(MemInfoTest, MemTotalInBytes) {
  absl::StatusOr<uint64_t> total = ParseMemTotal(
      "MemTotal:        8000000 kB\nMemFree:  100 kB\n", "/proc/meminfo");
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(*total, 8000000ULL * 1024);
  EXPECT_FALSE(ParseMemTotal("MemFree: 1 kB\n", "m").ok());
}

TEST(NetDevTest, SkipsHeadersAndLoopback) {
  absl::StatusOr<std::vector<NetDevice>> devices = ParseNetDev(
      "Inter-|   Receive                                                |  "
      "Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|"
      "bytes    packets errs drop fifo colls carrier compressed\n"
      "    lo:    1000      10    0    0    0     0          0         0 "
      "    1000      10    0    0    0     0       0          0\n"
      "  eth0:    1234      12    1    2    0     0          0         0 "
      "     648       6    3    4    0     0       0          0\n",
      "/proc/7/net/dev");
  ASSERT_TRUE(devices.ok()) << devices.status();
  ASSERT_EQ(devices->size(), 1u);
  const NetDevice& eth0 = (*devices)[0];
  EXPECT_EQ(eth0.name, "eth0");
  EXPECT_EQ(eth0.rx_bytes, 1234u);
  EXPECT_EQ(eth0.rx_packets, 12u);
  EXPECT_EQ(eth0.rx_errors, 1u);
  EXPECT_EQ(eth0.rx_dropped, 2u);
  EXPECT_EQ(eth0.tx_bytes, 648u);
  EXPECT_EQ(eth0.tx_packets, 6u);
  EXPECT_EQ(eth0.tx_errors, 3u);
  EXPECT_EQ(eth0.tx_dropped, 4u);
  EXPECT_FALSE(ParseNetDev("eth0: 1 2\n", "dev").ok());
}

}  // namespace
}  // namespace berth::containerd::stats
