// Parsers and readers of the cgroup files behind `berth stats`.
#include "services/containerd/cgroups/stats_files.h"

#include <unistd.h>

#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "services/containerd/cgroups/cgroup_fs.h"

namespace berth::containerd::cgroups {
namespace {

absl::Status Malformed(absl::string_view path, absl::string_view line) {
  return absl::InternalError(
      absl::StrCat("unexpected line \"", line, "\" in ", path));
}

// The file parsed by `parse`, or nothing when it does not exist.
template <typename Parse>
absl::Status IfPresent(const std::string& path, Parse parse) {
  if (!internal::PathExists(path)) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string text, internal::ReadCgroupFile(path));
  return parse(text);
}

int64_t Get(const std::map<std::string, int64_t>& values,
            const std::string& key) {
  auto it = values.find(key);
  return it == values.end() ? 0 : it->second;
}

}  // namespace

absl::StatusOr<std::map<std::string, int64_t>> ParseKeyedFile(
    absl::string_view text, absl::string_view path) {
  std::map<std::string, int64_t> values;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    int64_t value;
    if (fields.size() != 2 || !absl::SimpleAtoi(fields[1], &value)) {
      return Malformed(path, line);
    }
    values[std::string(fields[0])] = value;
  }
  return values;
}

absl::StatusOr<std::vector<int64_t>> ParsePerCpuUsage(absl::string_view text,
                                                      absl::string_view path) {
  std::vector<int64_t> usage;
  for (absl::string_view field :
       absl::StrSplit(text, absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    int64_t value;
    if (!absl::SimpleAtoi(field, &value)) return Malformed(path, text);
    usage.push_back(value);
  }
  return usage;
}

absl::Status SumV1BlkioFile(absl::string_view text, absl::string_view path,
                            int64_t* read, int64_t* write) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() == 2 && fields[0] == "Total") continue;
    int64_t value;
    if (fields.size() != 3 || !absl::SimpleAtoi(fields[2], &value)) {
      return Malformed(path, line);
    }
    if (fields[1] == "Read") *read += value;
    if (fields[1] == "Write") *write += value;
  }
  return absl::OkStatus();
}

absl::StatusOr<IoTotals> ParseV2IoStat(absl::string_view text,
                                       absl::string_view path) {
  IoTotals totals;
  const std::map<absl::string_view, int64_t IoTotals::*> fields = {
      {"rbytes", &IoTotals::read_bytes},
      {"wbytes", &IoTotals::write_bytes},
      {"rios", &IoTotals::read_ops},
      {"wios", &IoTotals::write_ops}};
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> words =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    // The first word is the device; the rest key=value.
    for (size_t i = 1; i < words.size(); ++i) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(words[i], absl::MaxSplits('=', 1));
      auto field = fields.find(kv.first);
      if (field == fields.end()) continue;
      int64_t value;
      if (!absl::SimpleAtoi(kv.second, &value)) return Malformed(path, line);
      totals.*(field->second) += value;
    }
  }
  return totals;
}

namespace internal {

absl::Status ReadV1CpuExtras(const std::string& cpuacct_dir,
                             const std::string& cpu_dir, CgroupStats* stats) {
  if (!cpuacct_dir.empty()) {
    RETURN_IF_ERROR(IfPresent(
        cpuacct_dir + "/cpuacct.stat", [&](const std::string& text) {
          ASSIGN_OR_RETURN(auto values,
                           ParseKeyedFile(text, cpuacct_dir + "/cpuacct.stat"));
          // The kernel counts these in USER_HZ ticks.
          const int64_t ns_per_tick = 1000000000 / sysconf(_SC_CLK_TCK);
          stats->cpu_user_ns = Get(values, "user") * ns_per_tick;
          stats->cpu_system_ns = Get(values, "system") * ns_per_tick;
          return absl::OkStatus();
        }));
    RETURN_IF_ERROR(IfPresent(
        cpuacct_dir + "/cpuacct.usage_percpu", [&](const std::string& text) {
          ASSIGN_OR_RETURN(stats->cpu_per_cpu_ns,
                           ParsePerCpuUsage(text, cpuacct_dir +
                                                      "/cpuacct.usage_percpu"));
          return absl::OkStatus();
        }));
  }
  if (cpu_dir.empty()) return absl::OkStatus();
  return IfPresent(cpu_dir + "/cpu.stat", [&](const std::string& text) {
    ASSIGN_OR_RETURN(auto values, ParseKeyedFile(text, cpu_dir + "/cpu.stat"));
    stats->cpu_periods = Get(values, "nr_periods");
    stats->cpu_throttled_periods = Get(values, "nr_throttled");
    stats->cpu_throttled_ns = Get(values, "throttled_time");
    return absl::OkStatus();
  });
}

absl::Status ReadV1MemoryExtras(const std::string& memory_dir,
                                CgroupStats* stats) {
  if (memory_dir.empty()) return absl::OkStatus();
  const std::string max_usage = memory_dir + "/memory.max_usage_in_bytes";
  if (PathExists(max_usage)) {
    ASSIGN_OR_RETURN(stats->memory_max_usage_bytes, ReadCgroupInt(max_usage));
  }
  const std::string failcnt = memory_dir + "/memory.failcnt";
  if (PathExists(failcnt)) {
    ASSIGN_OR_RETURN(stats->memory_fail_count, ReadCgroupInt(failcnt));
  }
  const std::string stat = memory_dir + "/memory.stat";
  return IfPresent(stat, [&](const std::string& text) {
    ASSIGN_OR_RETURN(stats->memory_stat, ParseKeyedFile(text, stat));
    return absl::OkStatus();
  });
}

absl::Status ReadV1BlkioExtras(const std::string& blkio_dir,
                               CgroupStats* stats) {
  if (blkio_dir.empty()) return absl::OkStatus();
  // The throttle files count every device's I/O whatever the scheduler;
  // the plain ones only CFQ's (and are absent without it).
  const std::string bytes =
      FirstExisting(blkio_dir, {"blkio.throttle.io_service_bytes",
                                "blkio.io_service_bytes"});
  const std::string ops = FirstExisting(
      blkio_dir, {"blkio.throttle.io_serviced", "blkio.io_serviced"});
  for (const auto& [path, read, write] :
       {std::tuple{bytes, &stats->io_read_bytes, &stats->io_write_bytes},
        std::tuple{ops, &stats->io_read_ops, &stats->io_write_ops}}) {
    if (path.empty()) continue;
    ASSIGN_OR_RETURN(std::string text, ReadCgroupFile(path));
    RETURN_IF_ERROR(SumV1BlkioFile(text, path, read, write));
  }
  return absl::OkStatus();
}

absl::Status ReadV2Extras(const std::string& dir, CgroupStats* stats) {
  RETURN_IF_ERROR(IfPresent(dir + "/cpu.stat", [&](const std::string& text) {
    ASSIGN_OR_RETURN(auto values, ParseKeyedFile(text, dir + "/cpu.stat"));
    stats->cpu_user_ns = Get(values, "user_usec") * 1000;
    stats->cpu_system_ns = Get(values, "system_usec") * 1000;
    stats->cpu_periods = Get(values, "nr_periods");
    stats->cpu_throttled_periods = Get(values, "nr_throttled");
    stats->cpu_throttled_ns = Get(values, "throttled_usec") * 1000;
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(IfPresent(dir + "/memory.stat", [&](const std::string& text) {
    ASSIGN_OR_RETURN(stats->memory_stat,
                     ParseKeyedFile(text, dir + "/memory.stat"));
    return absl::OkStatus();
  }));
  RETURN_IF_ERROR(
      IfPresent(dir + "/memory.events", [&](const std::string& text) {
        ASSIGN_OR_RETURN(auto values,
                         ParseKeyedFile(text, dir + "/memory.events"));
        stats->memory_fail_count = Get(values, "max");
        return absl::OkStatus();
      }));
  if (PathExists(dir + "/memory.peak")) {
    ASSIGN_OR_RETURN(stats->memory_max_usage_bytes,
                     ReadCgroupInt(dir + "/memory.peak"));
  }
  return IfPresent(dir + "/io.stat", [&](const std::string& text) {
    ASSIGN_OR_RETURN(IoTotals io, ParseV2IoStat(text, dir + "/io.stat"));
    stats->io_read_bytes = io.read_bytes;
    stats->io_write_bytes = io.write_bytes;
    stats->io_read_ops = io.read_ops;
    stats->io_write_ops = io.write_ops;
    return absl::OkStatus();
  });
}

}  // namespace internal
}  // namespace berth::containerd::cgroups
