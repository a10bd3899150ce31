// What `berth stats` reads from the host rather than the container's cgroup:
// the host's CPU time and CPU count (for Docker's CPU % formula),
// its memory (the limit shown for a container without one) and a
// container's network counters (/proc/PID/net/dev, the interfaces of the
// network namespace its init is in). Behind an interface so the supervisor
// is tested without a /proc of containers; the parsers are pure.
#ifndef BERTH_SERVICES_CONTAINERD_STATS_HOST_STATS_H_
#define BERTH_SERVICES_CONTAINERD_STATS_HOST_STATS_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::containerd::stats {

struct HostCpu {
  // The host's CPU time in ns, the denominator of Docker's CPU %:
  // ParseProcStat sums the "cpu" line's first seven fields (user, nice,
  // system, idle, iowait, irq, softirq) as Docker's daemon does; the /proc
  // reader gives the time since boot times the CPUs online instead, the same
  // total without the ticks' 10 ms steps.
  uint64_t system_usage_ns = 0;
  // The "cpuN" lines: the CPUs online.
  uint32_t online_cpus = 0;
};

struct NetDevice {
  std::string name;
  uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_dropped = 0;
  uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_dropped = 0;
};

class HostStats {
 public:
  virtual ~HostStats() = default;
  virtual absl::StatusOr<HostCpu> Cpu() = 0;
  // MemTotal, bytes.
  virtual absl::StatusOr<uint64_t> MemoryTotal() = 0;
  // The interfaces of `pid`'s network namespace but loopback.
  virtual absl::StatusOr<std::vector<NetDevice>> Network(pid_t pid) = 0;
};

// Reads `proc_root` (/proc; a directory of the same files in tests).
std::unique_ptr<HostStats> NewProcHostStats(std::string proc_root = "/proc");

// /proc/stat. `ticks_per_second` is USER_HZ. `path` names it in errors.
absl::StatusOr<HostCpu> ParseProcStat(absl::string_view text,
                                      int64_t ticks_per_second,
                                      absl::string_view path);
// /proc/meminfo's MemTotal (kB there), in bytes.
absl::StatusOr<uint64_t> ParseMemTotal(absl::string_view text,
                                       absl::string_view path);
// /proc/PID/net/dev without "lo".
absl::StatusOr<std::vector<NetDevice>> ParseNetDev(absl::string_view text,
                                                   absl::string_view path);

}  // namespace berth::containerd::stats

#endif  // BERTH_SERVICES_CONTAINERD_STATS_HOST_STATS_H_
