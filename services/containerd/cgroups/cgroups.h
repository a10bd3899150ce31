// The cgroup side of a container: its resource limits, membership, freezing,
// statistics and teardown, behind a small interface so containerd's logic can
// be tested without root (see fake_cgroup_driver.h).
//
// Layout. Every container gets the cgroup PARENT/ID, where PARENT is the
// driver's parent name ("berth" by default, like Docker's "docker") taken
// relative to the root of each hierarchy:
//   cgroup v1: MOUNT_ROOT/<controller>/PARENT/ID for each of cpu, cpuacct,
//   cpuset, memory, devices, freezer, blkio and pids that is mounted, and
//   likewise in the named hierarchy MOUNT_ROOT/systemd and, on the hybrid
//   layout, in the empty cgroup2 mount MOUNT_ROOT/unified. Those two hold no
//   limits, but a container in a private cgroup namespace mounts them too, and
//   only a cgroup of its own there keeps the host's tree out of its view
//   (runc joins every mounted hierarchy for the same reason);
//   cgroup v2: MOUNT_ROOT/PARENT/ID in the unified tree.
//
// Limits follow Docker's flags; a field left at 0 is not written by Create
// (the kernel default applies: unlimited) and is left unchanged by Update.
//
// Threading: a driver keeps no mutable state after construction, so calls for
// different ids may run concurrently; calls for the same id must be serialized
// by the caller (containerd holds its per-container lock).
//
// Errors: a failed write or read carries errno and the cgroup file's path.
// NotFound when the container's cgroup does not exist (except Remove, which is
// idempotent); FailedPrecondition when a limit needs a controller the host
// lacks; InvalidArgument for values the kernel rejects; DeadlineExceeded when
// freezing or emptying a cgroup does not finish in time.
#ifndef BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUPS_H_
#define BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUPS_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::containerd::cgroups {

// The CFS period Berth uses for --cpus (100 ms, as Docker).
inline constexpr int64_t kCpuPeriodUs = 100000;

struct Limits {
  // --memory, in bytes. -1 (Update only) removes the limit.
  int64_t memory_bytes = 0;
  // --memory-swap: memory plus swap, in bytes; -1 is unlimited swap. Left at 0
  // with memory_bytes set, it becomes 2 x memory_bytes (Docker's default),
  // where the host accounts swap (v1 memory.memsw.*, v2 memory.swap.max).
  int64_t memory_swap_bytes = 0;
  // --cpus in billionths of a CPU: 1.5 CPUs is 1500000000 (quota 150 ms per
  // 100 ms period). -1 (Update only) removes the quota.
  int64_t nano_cpus = 0;
  // --cpu-shares (v1 cpu.shares; v2 cpu.weight via CpuSharesToWeight).
  int64_t cpu_shares = 0;
  // --pids-limit. Create: -1 and 0 are unlimited. Update: -1 sets unlimited,
  // 0 leaves it unchanged.
  int64_t pids_limit = 0;
  // --cpuset-cpus, e.g. "0-2,4". Empty: the parent's CPUs.
  std::string cpuset_cpus;
  // --cpuset-mems, the memory nodes, same syntax. Empty: the parent's.
  std::string cpuset_mems;
  // --cpu-period and --cpu-quota in microseconds (the CFS bandwidth), for
  // callers that give them instead of nano_cpus. A quota of -1 (Update only)
  // removes it. v2 writes both into cpu.max, reading the one not given.
  int64_t cpu_period_us = 0;
  int64_t cpu_quota_us = 0;
  // --memory-reservation, the soft limit in bytes (v1
  // memory.soft_limit_in_bytes, v2 memory.low as runc maps it).
  int64_t memory_reservation_bytes = 0;
  // --blkio-weight, 10..1000 (v1 blkio.weight or blkio.bfq.weight, v2
  // io.weight or io.bfq.weight). Hosts without either file cannot weigh
  // I/O: see Unsupported.
  int64_t blkio_weight = 0;
  // Create only: Docker's device allowlist (kDefaultDeviceRules) instead of
  // every device; false for --privileged. Without it CAP_MKNOD, which
  // Docker's default capabilities include, would open the host's disks.
  // (v1: the devices controller; v2: an eBPF device program.)
  bool restrict_devices = false;
  // Create only, with restrict_devices: more allowed devices (`--device`),
  // in devices.allow syntax ("c 1:3 rwm").
  std::vector<std::string> device_rules;
};

// Docker's (runc's) default device cgroup rules, in devices.allow syntax:
// mknod of anything, and use of null, zero, full, random, urandom, tty,
// console-less ptys (ptmx, pts/*) and tun.
inline constexpr const char* kDefaultDeviceRules[] = {
    "c *:* m",  "b *:* m",   "c 1:3 rwm",   "c 1:5 rwm",
    "c 1:7 rwm", "c 1:8 rwm", "c 1:9 rwm",   "c 5:0 rwm",
    "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"};

struct CgroupStats {
  int64_t memory_usage_bytes = 0;
  // The effective memory limit; 0 when unlimited.
  int64_t memory_limit_bytes = 0;
  // CPU time consumed by the cgroup's processes, in nanoseconds.
  int64_t cpu_usage_ns = 0;
  int64_t pids_current = 0;
  // The rest is for `berth stats` (stats_files.h parses the files).
  // CPU time in user and kernel mode, ns (v1 cpuacct.stat ticks converted;
  // v2 cpu.stat user_usec/system_usec); per CPU on v1 only.
  int64_t cpu_user_ns = 0;
  int64_t cpu_system_ns = 0;
  std::vector<int64_t> cpu_per_cpu_ns;
  // CFS throttling (v1 cpu.stat, v2 cpu.stat), the time in ns.
  int64_t cpu_periods = 0;
  int64_t cpu_throttled_periods = 0;
  int64_t cpu_throttled_ns = 0;
  // v1 memory.max_usage_in_bytes and memory.failcnt; v2 memory.peak (when
  // the kernel has it) and memory.events "max".
  int64_t memory_max_usage_bytes = 0;
  int64_t memory_fail_count = 0;
  // memory.stat as the kernel wrote it: Docker's "MEM USAGE" subtracts
  // total_inactive_file (v1) or inactive_file (v2) from the usage.
  std::map<std::string, int64_t> memory_stat;
  // Block I/O of all devices (v1 blkio.throttle.io_service_bytes and
  // io_serviced, v2 io.stat).
  int64_t io_read_bytes = 0;
  int64_t io_write_bytes = 0;
  int64_t io_read_ops = 0;
  int64_t io_write_ops = 0;
};

class CgroupDriver {
 public:
  virtual ~CgroupDriver() = default;

  // "v1" or "v2".
  virtual std::string Version() const = 0;

  // Creates the container's cgroup in every hierarchy and writes `limits`.
  // AlreadyExists if the cgroup exists. On failure the container's own
  // directories are removed again (the shared parent stays).
  virtual absl::Status Create(const std::string& id, const Limits& limits) = 0;

  // Moves `pid` (all its threads) into the container's cgroup.
  virtual absl::Status AddProcess(const std::string& id, pid_t pid) = 0;

  // Changes the limits of a live cgroup (fields at 0 are left unchanged).
  virtual absl::Status Update(const std::string& id, const Limits& limits) = 0;

  // Whether the kernel's OOM killer has killed a process of the cgroup
  // (v1 memory.oom_control "oom_kill", or memory.failcnt > 0 on kernels
  // before 4.13; v2 memory.events "oom_kill").
  virtual absl::StatusOr<bool> OomKilled(const std::string& id) = 0;

  virtual absl::StatusOr<CgroupStats> Stats(const std::string& id) = 0;

  // The processes in the cgroup (not its descendants), in the kernel's order.
  virtual absl::StatusOr<std::vector<pid_t>> Pids(const std::string& id) = 0;

  // Freezes every process of the cgroup and returns once the kernel reports
  // the cgroup frozen (DeadlineExceeded after 10 s, the cgroup thawed again).
  virtual absl::Status Freeze(const std::string& id) = 0;
  virtual absl::Status Thaw(const std::string& id) = 0;
  // Whether the cgroup is frozen, or being frozen, as Freeze left it (v1
  // freezer.state FROZEN or FREEZING; v2 cgroup.freeze 1): how containerd
  // learns after a restart that a container was paused.
  virtual absl::StatusOr<bool> Frozen(const std::string& id) = 0;

  // The limits among `limits` this host cannot enforce, each cleared in
  // *limits and named by Docker's warning for it ("Your kernel does not
  // support Block I/O weight or the cgroup is not mounted. Weight
  // discarded."). Docker drops such a limit with the warning rather than
  // fail; the default drops nothing.
  virtual std::vector<std::string> DiscardUnsupported(Limits* limits) {
    (void)limits;
    return {};
  }

  // Thaws the cgroup if frozen, SIGKILLs every process in it and its
  // descendants, waits until they have left (DeadlineExceeded after 10 s) and
  // removes the directories. A missing cgroup is OK.
  virtual absl::Status Remove(const std::string& id) = 0;

  virtual absl::StatusOr<bool> Exists(const std::string& id) = 0;
};

// A cgroup parent as the drivers use it: "berth", "/berth" and "a/b/"
// become "berth", "berth" and "a/b"; "", "." or ".." parts and "a//b" are
// INVALID_ARGUMENT.
absl::StatusOr<std::string> NormalizeCgroupParent(const std::string& parent);

// Detects the host's cgroup layout under `mount_root` (a cgroup2 mount there
// means v2; a tmpfs of v1 hierarchies means v1) and returns its driver.
// `parent` must be a relative path without ".." (e.g. "berth" or "a/b").
// FailedPrecondition if no usable hierarchy is mounted.
absl::StatusOr<std::unique_ptr<CgroupDriver>> DetectCgroupDriver(
    const std::string& parent = "berth",
    const std::string& mount_root = "/sys/fs/cgroup");

// Docker's default cgroup namespace mode for the layout under `mount_root`:
// "private" when it is a pure cgroup v2 (unified) mount, "host" on v1 and on
// the hybrid layout, where a namespace would still show the v1 hierarchies'
// shared ancestors to tools written for v1. "host" too when no cgroup is
// mounted there at all (ENOENT); other statfs errors are returned.
absl::StatusOr<std::string> DefaultCgroupnsMode(
    const std::string& mount_root = "/sys/fs/cgroup");

// v1 cpu.shares [2, 262144] to v2 cpu.weight [1, 10000], with the mapping of
// runc >= 1.3.2 (exponential, so the defaults 1024 and 100 match). 0 stays 0.
int64_t CpuSharesToWeight(int64_t shares);

}  // namespace berth::containerd::cgroups

#endif  // BERTH_SERVICES_CONTAINERD_CGROUPS_CGROUPS_H_
