// `berth stats` rows and tables (see stats_format.h).
#include "ctl/container/stats_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ctl/cli/docker_template.h"
#include "ctl/cli/format.h"

namespace berth::ctl {
namespace {

constexpr const char* kDefaultTable =
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t"
    "{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

std::string Percent(double value) { return absl::StrFormat("%.2f%%", value); }

std::string Pair(double a, double b) {
  return absl::StrCat(HumanSizeWithPrecision(a, 3), " / ",
                      HumanSizeWithPrecision(b, 3));
}

nlohmann::ordered_json Header() {
  return {{"Container", "CONTAINER"}, {"Name", "NAME"},
          {"ID", "CONTAINER ID"},     {"CPUPerc", "CPU %"},
          {"MemUsage", "MEM USAGE / LIMIT"}, {"MemPerc", "MEM %"},
          {"NetIO", "NET I/O"},       {"BlockIO", "BLOCK I/O"},
          {"PIDs", "PIDS"}};
}

}  // namespace

StatsEntry StatsEntryOf(const container::v1::ContainerStats& stats,
                        const std::string& container) {
  StatsEntry entry;
  entry.container = container;
  entry.name = stats.name();
  entry.id = stats.id();
  entry.cpu_percent = stats.cpu_percent();
  entry.memory = static_cast<double>(stats.memory().usage());
  entry.memory_limit = static_cast<double>(stats.memory().limit());
  entry.memory_percent = stats.memory_percent();
  for (const auto& network : stats.networks()) {
    entry.network_rx += static_cast<double>(network.rx_bytes());
    entry.network_tx += static_cast<double>(network.tx_bytes());
  }
  entry.block_read = static_cast<double>(stats.blkio().read_bytes());
  entry.block_write = static_cast<double>(stats.blkio().write_bytes());
  entry.pids = stats.pids_current();
  return entry;
}

nlohmann::ordered_json StatsRowJson(const StatsEntry& e, bool no_trunc) {
  // Docker marshals the row's methods as a map: keys in sorted order.
  std::string name(absl::StripPrefix(e.name, "/"));
  if (name.empty()) name = "--";
  return {{"BlockIO", Pair(e.block_read, e.block_write)},
          {"CPUPerc", Percent(e.cpu_percent)},
          {"Container", e.container},
          {"ID", no_trunc ? e.id : TruncateId(e.id)},
          {"MemPerc", Percent(e.memory_percent)},
          {"MemUsage", absl::StrCat(BytesSize(e.memory), " / ",
                                    BytesSize(e.memory_limit))},
          {"Name", name},
          {"NetIO", Pair(e.network_rx, e.network_tx)},
          {"PIDs", absl::StrCat(e.pids)}};
}

absl::StatusOr<std::string> RenderStats(const std::vector<StatsEntry>& entries,
                                        const std::string& format,
                                        bool no_trunc) {
  std::vector<TemplateRow> rows;
  for (const StatsEntry& entry : entries) {
    rows.push_back(TemplateRow{StatsRowJson(entry, no_trunc), {}});
  }
  const std::string text =
      format.empty() || format == "table" ? kDefaultTable : format;
  return RenderListTemplate(
      ListTemplate{text, Header(), "*container.statsContext"}, rows);
}

std::string StatsTerminalFrame(const std::string& table) {
  std::string frame = "\033[H";
  // Go's strings.Split: the text after the last newline is a line too.
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    absl::StrAppend(&frame, line, " \033[K\n");
  }
  frame += "\033[J";
  return frame;
}

}  // namespace berth::ctl
