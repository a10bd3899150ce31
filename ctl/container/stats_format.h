// `berth stats` output as Docker's CLI makes it (formatter_stats.go): a row
// per container from a ContainerStats sample, its columns in Docker's words
// and units (binary for memory, decimal for I/O), the default table and
// --format templates with Docker's headers. Pure functions.
#ifndef BERTH_CTL_CONTAINER_STATS_FORMAT_H_
#define BERTH_CTL_CONTAINER_STATS_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "berth/container/v1/container_types.pb.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// Docker's StatsEntry: what a row shows.
struct StatsEntry {
  std::string container;  // as the user named it (the id when listing all)
  std::string name;
  std::string id;
  double cpu_percent = 0;
  double memory = 0;
  double memory_limit = 0;
  double memory_percent = 0;
  double network_rx = 0, network_tx = 0;
  double block_read = 0, block_write = 0;
  uint64_t pids = 0;
};

// The entry of a sample: the network figures summed over interfaces, the
// block I/O read and written.
StatsEntry StatsEntryOf(const container::v1::ContainerStats& stats,
                        const std::string& container);

// The row templates see (and `{{json .}}` prints): BlockIO, CPUPerc,
// Container, ID (12 characters unless `no_trunc`), MemPerc, MemUsage
// ("1.23MiB / 7.6GiB"), Name (without "/"; "--" when empty), NetIO
// ("1.2kB / 648B"), PIDs.
nlohmann::ordered_json StatsRowJson(const StatsEntry& entry, bool no_trunc);

// The table or template (`format`: "" or "table" for Docker's default
// table, "json", "table TEMPLATE" or a template), one row per entry.
// INVALID_ARGUMENT "template parsing error: ..." for a bad template.
absl::StatusOr<std::string> RenderStats(const std::vector<StatsEntry>& entries,
                                        const std::string& format,
                                        bool no_trunc);

// A streamed frame on a terminal, as Docker 28 draws it: the cursor home,
// each line followed by " " and erase-to-end-of-line, then erase below, so
// the new table overwrites the last without flicker.
std::string StatsTerminalFrame(const std::string& table);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_STATS_FORMAT_H_
