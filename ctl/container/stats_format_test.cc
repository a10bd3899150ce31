#include "ctl/container/stats_format.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::testing::HasSubstr;

container::v1::ContainerStats Sample() {
  container::v1::ContainerStats s;
  s.set_id("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  s.set_name("web");
  s.set_cpu_percent(12.345);
  s.mutable_memory()->set_usage(1289748);
  s.mutable_memory()->set_limit(8160437862ULL);
  s.set_memory_percent(0.0158);
  auto* eth0 = s.add_networks();
  eth0->set_rx_bytes(1000);
  eth0->set_tx_bytes(600);
  auto* eth1 = s.add_networks();
  eth1->set_rx_bytes(200);
  eth1->set_tx_bytes(48);
  s.mutable_blkio()->set_read_bytes(4096);
  s.set_pids_current(3);
  return s;
}

TEST(StatsFormatTest, RowInDockersWords) {
  nlohmann::ordered_json row = StatsRowJson(StatsEntryOf(Sample(), "web"),
                                            /*no_trunc=*/false);
  EXPECT_EQ(row.dump(),
            R"({"BlockIO":"4.1kB / 0B","CPUPerc":"12.35%","Container":"web",)"
            R"("ID":"0123456789ab","MemPerc":"0.02%",)"
            R"("MemUsage":"1.23MiB / 7.6GiB","Name":"web",)"
            R"("NetIO":"1.2kB / 648B","PIDs":"3"})");
  EXPECT_EQ(StatsRowJson(StatsEntryOf(Sample(), "web"), true)["ID"],
            Sample().id());
}

TEST(StatsFormatTest, StoppedContainerIsZeroes) {
  container::v1::ContainerStats s;
  s.set_id("ab");
  s.set_name("/old");
  nlohmann::ordered_json row = StatsRowJson(StatsEntryOf(s, "ab"), false);
  EXPECT_EQ(row["CPUPerc"], "0.00%");
  EXPECT_EQ(row["MemUsage"], "0B / 0B");
  EXPECT_EQ(row["MemPerc"], "0.00%");
  EXPECT_EQ(row["NetIO"], "0B / 0B");
  EXPECT_EQ(row["BlockIO"], "0B / 0B");
  EXPECT_EQ(row["PIDs"], "0");
  EXPECT_EQ(row["Name"], "old");
  s.set_name("");
  EXPECT_EQ(StatsRowJson(StatsEntryOf(s, "ab"), false)["Name"], "--");
}

TEST(StatsFormatTest, DefaultTable) {
  absl::StatusOr<std::string> table =
      RenderStats({StatsEntryOf(Sample(), "web")}, "", false);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(*table,
            "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     "
            "NET I/O        BLOCK I/O    PIDS\n"
            "0123456789ab   web       12.35%    1.23MiB / 7.6GiB    0.02%     "
            "1.2kB / 648B   4.1kB / 0B   3\n");
}

TEST(StatsFormatTest, TemplatesAndJson) {
  std::vector<StatsEntry> entries = {StatsEntryOf(Sample(), "web")};
  absl::StatusOr<std::string> custom =
      RenderStats(entries, "{{.Container}}: {{.CPUPerc}} {{.PIDs}}", false);
  ASSERT_TRUE(custom.ok()) << custom.status();
  EXPECT_EQ(*custom, "web: 12.35% 3\n");
  absl::StatusOr<std::string> table =
      RenderStats(entries, "table {{.Container}}\t{{.MemPerc}}", false);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(*table, "CONTAINER   MEM %\nweb         0.02%\n");
  absl::StatusOr<std::string> json = RenderStats(entries, "json", false);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr(R"("MemUsage":"1.23MiB / 7.6GiB")"));
  absl::StatusOr<std::string> bad = RenderStats(entries, "{{.Nope}}", false);
  EXPECT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("statsContext"));
}

TEST(StatsFormatTest, TerminalFrameRedrawsInPlace) {
  EXPECT_EQ(StatsTerminalFrame("A\nB\n"),
            "\033[HA \033[K\nB \033[K\n \033[K\n\033[J");
}

}  // namespace
}  // namespace berth::ctl
