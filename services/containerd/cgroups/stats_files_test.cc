#include "services/containerd/cgroups/stats_files.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::containerd::cgroups {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(StatsFilesTest, KeyedFile) {
  absl::StatusOr<std::map<std::string, int64_t>> values = ParseKeyedFile(
      "cache 4096\nrss 8192\ntotal_inactive_file 1024\n", "memory.stat");
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_THAT(*values, ElementsAre(Pair("cache", 4096), Pair("rss", 8192),
                                   Pair("total_inactive_file", 1024)));
  absl::StatusOr<std::map<std::string, int64_t>> bad =
      ParseKeyedFile("cache x\n", "/cg/memory.stat");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(bad.status().message(), HasSubstr("/cg/memory.stat"));
}

TEST(StatsFilesTest, PerCpu) {
  absl::StatusOr<std::vector<int64_t>> usage =
      ParsePerCpuUsage("10 20 0 5 \n", "cpuacct.usage_percpu");
  ASSERT_TRUE(usage.ok());
  EXPECT_THAT(*usage, ElementsAre(10, 20, 0, 5));
}

TEST(StatsFilesTest, V1BlkioSumsReadAndWriteOverDevices) {
  int64_t read = 0, write = 0;
  ASSERT_TRUE(SumV1BlkioFile("8:0 Read 100\n8:0 Write 30\n8:0 Sync 130\n"
                             "8:0 Async 0\n8:0 Total 130\n8:16 Read 5\n"
                             "8:16 Write 7\nTotal 142\n",
                             "blkio.throttle.io_service_bytes", &read, &write)
                  .ok());
  EXPECT_EQ(read, 105);
  EXPECT_EQ(write, 37);
  EXPECT_FALSE(SumV1BlkioFile("8:0 Read\n", "f", &read, &write).ok());
}

TEST(StatsFilesTest, V2IoStat) {
  absl::StatusOr<IoTotals> io = ParseV2IoStat(
      "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
      "253:1 rbytes=100 wbytes=0 rios=3 wios=0 dbytes=0 dios=0\n",
      "io.stat");
  ASSERT_TRUE(io.ok()) << io.status();
  EXPECT_EQ(io->read_bytes, 4196);
  EXPECT_EQ(io->write_bytes, 8192);
  EXPECT_EQ(io->read_ops, 4);
  EXPECT_EQ(io->write_ops, 2);
  EXPECT_FALSE(ParseV2IoStat("8:0 rbytes=x\n", "io.stat").ok());
}

}  // namespace
}  // namespace berth::containerd::cgroups
