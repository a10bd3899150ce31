// /proc readers and parsers for `berth stats`.
#include "services/containerd/stats/host_stats.h"

#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/fs_util.h"
#include "common/status_macros.h"

namespace berth::containerd::stats {
namespace {

absl::Status Malformed(absl::string_view path, absl::string_view line) {
  return absl::InternalError(
      absl::StrCat("unexpected line \"", line, "\" in ", path));
}

class ProcHostStats final : public HostStats {
 public:
  explicit ProcHostStats(std::string root) : root_(std::move(root)) {}

  absl::StatusOr<HostCpu> Cpu() override {
    const std::string path = root_ + "/stat";
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
    ASSIGN_OR_RETURN(HostCpu cpu,
                     ParseProcStat(text, sysconf(_SC_CLK_TCK), path));
    // /proc/stat counts in ticks of 10 ms: over `stats --no-stream`'s short
    // window that is a coarse denominator. The time since boot times the
    // CPUs online is the same total (all but steal time) to the ns.
    timespec now{};
    if (clock_gettime(CLOCK_BOOTTIME, &now) != 0) {
      return ErrnoStatus(errno, "clock_gettime", "CLOCK_BOOTTIME");
    }
    const uint64_t since_boot_ns =
        static_cast<uint64_t>(now.tv_sec) * 1000000000ULL +
        static_cast<uint64_t>(now.tv_nsec);
    cpu.system_usage_ns = since_boot_ns * cpu.online_cpus;
    return cpu;
  }

  absl::StatusOr<uint64_t> MemoryTotal() override {
    const std::string path = root_ + "/meminfo";
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
    return ParseMemTotal(text, path);
  }

  absl::StatusOr<std::vector<NetDevice>> Network(pid_t pid) override {
    const std::string path = absl::StrCat(root_, "/", pid, "/net/dev");
    ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
    return ParseNetDev(text, path);
  }

 private:
  const std::string root_;
};

}  // namespace

std::unique_ptr<HostStats> NewProcHostStats(std::string proc_root) {
  return std::make_unique<ProcHostStats>(std::move(proc_root));
}

absl::StatusOr<HostCpu> ParseProcStat(absl::string_view text,
                                      int64_t ticks_per_second,
                                      absl::string_view path) {
  HostCpu cpu;
  bool total_seen = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    // The cpu lines come first; Docker's daemon stops at the first other.
    if (!absl::StartsWith(line, "cpu")) break;
    if (line.size() > 3 && absl::ascii_isdigit(line[3])) {
      ++cpu.online_cpus;
      continue;
    }
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (fields.size() < 8) return Malformed(path, line);
    uint64_t ticks = 0;
    for (size_t i = 1; i < 8; ++i) {
      uint64_t value;
      if (!absl::SimpleAtoi(fields[i], &value)) return Malformed(path, line);
      ticks += value;
    }
    cpu.system_usage_ns =
        ticks * 1000000000ULL / static_cast<uint64_t>(ticks_per_second);
    total_seen = true;
  }
  if (!total_seen) {
    return absl::InternalError(absl::StrCat("no \"cpu\" line in ", path));
  }
  return cpu;
}

absl::StatusOr<uint64_t> ParseMemTotal(absl::string_view text,
                                       absl::string_view path) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (!absl::ConsumePrefix(&line, "MemTotal:")) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    uint64_t kib;
    if (fields.empty() || !absl::SimpleAtoi(fields[0], &kib)) {
      return Malformed(path, line);
    }
    return kib * 1024;
  }
  return absl::InternalError(absl::StrCat("no MemTotal in ", path));
}

absl::StatusOr<std::vector<NetDevice>> ParseNetDev(absl::string_view text,
                                                   absl::string_view path) {
  std::vector<NetDevice> devices;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    // Two header lines, which have a '|' where a device line has its ':'.
    if (absl::StrContains(line, '|')) continue;
    std::pair<absl::string_view, absl::string_view> name_rest =
        absl::StrSplit(line, absl::MaxSplits(':', 1));
    std::vector<absl::string_view> fields =
        absl::StrSplit(name_rest.second, ' ', absl::SkipEmpty());
    uint64_t v[16];
    if (fields.size() < 16) return Malformed(path, line);
    for (int i = 0; i < 16; ++i) {
      if (!absl::SimpleAtoi(fields[i], &v[i])) return Malformed(path, line);
    }
    NetDevice device;
    device.name = std::string(absl::StripAsciiWhitespace(name_rest.first));
    if (device.name == "lo") continue;
    device.rx_bytes = v[0];
    device.rx_packets = v[1];
    device.rx_errors = v[2];
    device.rx_dropped = v[3];
    device.tx_bytes = v[8];
    device.tx_packets = v[9];
    device.tx_errors = v[10];
    device.tx_dropped = v[11];
    devices.push_back(std::move(device));
  }
  return devices;
}

}  // namespace berth::containerd::stats
