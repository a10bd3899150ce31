// cgroup v2: one unified tree. Controllers reach the container's cgroup only
// if every ancestor lists them in cgroup.subtree_control.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "services/containerd/cgroups/cgroup_fs.h"
#include "services/containerd/cgroups/device_filter.h"
#include "services/containerd/cgroups/drivers.h"
#include "services/containerd/cgroups/stats_files.h"

namespace berth::containerd::cgroups::internal {
namespace {

constexpr const char* kControllers[] = {"cpu", "cpuset", "io", "memory",
                                        "pids"};

class V2Driver : public CgroupDriver {
 public:
  V2Driver(std::string parent, std::string root)
      : parent_(std::move(parent)), root_(std::move(root)) {}

  std::string Version() const override { return "v2"; }

  absl::Status Create(const std::string& id, const Limits& limits) override {
    RETURN_IF_ERROR(ValidateId(id));
    RETURN_IF_ERROR(ValidateLimits(limits, /*for_update=*/false));
    std::vector<std::string> created;
    RETURN_IF_ERROR(MakeDirs(ParentDir(), &created));
    EnableControllers();
    const std::string dir = Dir(id);
    if (mkdir(dir.c_str(), 0755) != 0) {
      if (errno == EEXIST) {
        return absl::AlreadyExistsError(
            absl::StrCat("cgroup ", dir, " already exists"));
      }
      return ErrnoStatus(errno, "mkdir", dir);
    }
    absl::Status status = ApplyLimits(dir, limits, /*creating=*/true);
    if (status.ok() && limits.restrict_devices) {
      status = RestrictDevices(dir, limits.device_rules);
    }
    if (!status.ok()) {
      rmdir(dir.c_str());
      return Annotate(status, absl::StrCat("creating cgroup for ", id));
    }
    return absl::OkStatus();
  }

  // cgroup v2 has no devices controller: an eBPF program filters instead.
  static absl::Status RestrictDevices(const std::string& dir,
                                      const std::vector<std::string>& more) {
    std::vector<DeviceRule> rules;
    for (const char* text : kDefaultDeviceRules) {
      ASSIGN_OR_RETURN(DeviceRule rule, ParseDeviceRule(text));
      rules.push_back(rule);
    }
    for (const std::string& text : more) {
      ASSIGN_OR_RETURN(DeviceRule rule, ParseDeviceRule(text));
      rules.push_back(rule);
    }
    return AttachDeviceFilter(dir, rules);
  }

  absl::Status AddProcess(const std::string& id, pid_t pid) override {
    ASSIGN_OR_RETURN(std::string dir, ExistingDir(id));
    return WriteCgroupFile(dir + "/cgroup.procs", absl::StrCat(pid));
  }

  absl::Status Update(const std::string& id, const Limits& limits) override {
    RETURN_IF_ERROR(ValidateLimits(limits, /*for_update=*/true));
    ASSIGN_OR_RETURN(std::string dir, ExistingDir(id));
    return ApplyLimits(dir, limits, /*creating=*/false);
  }

  absl::StatusOr<bool> OomKilled(const std::string& id) override {
    ASSIGN_OR_RETURN(std::string dir, ExistingDir(id));
    const std::string events = dir + "/memory.events";
    if (!PathExists(events)) return false;  // no memory controller: no OOM
    absl::StatusOr<int64_t> kills = ReadKeyedInt(events, "oom_kill");
    if (absl::IsNotFound(kills.status())) return false;
    if (!kills.ok()) return kills.status();
    return *kills > 0;
  }

  absl::StatusOr<CgroupStats> Stats(const std::string& id) override {
    ASSIGN_OR_RETURN(std::string dir, ExistingDir(id));
    CgroupStats stats;
    if (PathExists(dir + "/memory.current")) {
      ASSIGN_OR_RETURN(stats.memory_usage_bytes,
                       ReadCgroupInt(dir + "/memory.current"));
      ASSIGN_OR_RETURN(int64_t limit, ReadCgroupInt(dir + "/memory.max"));
      stats.memory_limit_bytes = limit < 0 ? 0 : limit;
    }
    // cpu.stat exists even without the cpu controller (usage_usec).
    if (PathExists(dir + "/cpu.stat")) {
      ASSIGN_OR_RETURN(int64_t usec,
                       ReadKeyedInt(dir + "/cpu.stat", "usage_usec"));
      stats.cpu_usage_ns = usec * 1000;
    }
    if (PathExists(dir + "/pids.current")) {
      ASSIGN_OR_RETURN(stats.pids_current,
                       ReadCgroupInt(dir + "/pids.current"));
    }
    RETURN_IF_ERROR(ReadV2Extras(dir, &stats));
    return stats;
  }

  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& id) override {
    ASSIGN_OR_RETURN(std::string dir, ExistingDir(id));
    return ReadProcs(dir + "/cgroup.procs");
  }

  absl::Status Freeze(const std::string& id) override {
    return SetFrozen(id, true);
  }

  absl::Status Thaw(const std::string& id) override {
    return SetFrozen(id, false);
  }

  absl::StatusOr<bool> Frozen(const std::string& id) override {
    ASSIGN_OR_RETURN(std::string dir, ExistingDir(id));
    const std::string freeze = dir + "/cgroup.freeze";
    if (!PathExists(freeze)) return false;  // a kernel that cannot freeze
    ASSIGN_OR_RETURN(int64_t wanted, ReadCgroupInt(freeze));
    return wanted == 1;
  }

  std::vector<std::string> DiscardUnsupported(Limits* limits) override {
    std::vector<std::string> warnings;
    if (limits->blkio_weight != 0 && !ControllerAvailable("io")) {
      limits->blkio_weight = 0;
      warnings.push_back(kBlkioWeightDiscarded);
    }
    return warnings;
  }

  absl::Status Remove(const std::string& id) override {
    RETURN_IF_ERROR(ValidateId(id));
    const std::string dir = Dir(id);
    if (!PathExists(dir)) return absl::OkStatus();
    absl::Time deadline = absl::Now() + kWaitTimeout;
    if (PathExists(dir + "/cgroup.freeze")) {
      RETURN_IF_ERROR(WriteCgroupFile(dir + "/cgroup.freeze", "0"));
    }
    // cgroup.kill (Linux 5.14) kills the whole subtree at once, racing no
    // forks; KillAllAndWait then only waits, or kills on older kernels.
    if (PathExists(dir + "/cgroup.kill")) {
      RETURN_IF_ERROR(WriteCgroupFile(dir + "/cgroup.kill", "1"));
    }
    RETURN_IF_ERROR(KillAllAndWait(dir, deadline));
    return RemoveCgroupDir(dir, deadline);
  }

  absl::StatusOr<bool> Exists(const std::string& id) override {
    RETURN_IF_ERROR(ValidateId(id));
    return PathExists(Dir(id));
  }

 private:
  std::string ParentDir() const { return absl::StrCat(root_, "/", parent_); }
  std::string Dir(const std::string& id) const {
    return absl::StrCat(ParentDir(), "/", id);
  }

  absl::StatusOr<std::string> ExistingDir(const std::string& id) const {
    RETURN_IF_ERROR(ValidateId(id));
    std::string dir = Dir(id);
    if (!PathExists(dir)) {
      return absl::NotFoundError(absl::StrCat("no cgroup ", dir));
    }
    return dir;
  }

  // Best-effort: a level holding processes cannot delegate controllers (the
  // "no internal processes" rule), and the limits check reports what is
  // missing where it matters.
  void EnableControllers() const {
    std::vector<std::string> levels = {root_};
    for (absl::string_view part : absl::StrSplit(parent_, '/')) {
      levels.push_back(absl::StrCat(levels.back(), "/", part));
    }
    for (const std::string& dir : levels) {
      absl::StatusOr<std::string> available =
          ReadCgroupFile(dir + "/cgroup.controllers");
      if (!available.ok()) return;
      std::vector<absl::string_view> names =
          absl::StrSplit(*available, ' ', absl::SkipEmpty());
      for (const char* controller : kControllers) {
        if (std::find(names.begin(), names.end(), controller) == names.end()) {
          continue;
        }
        WriteCgroupFile(dir + "/cgroup.subtree_control",
                        absl::StrCat("+", controller))
            .IgnoreError();
      }
    }
  }

  // Whether the host offers `controller` (the root's cgroup.controllers).
  bool ControllerAvailable(absl::string_view controller) const {
    absl::StatusOr<std::string> available =
        ReadCgroupFile(root_ + "/cgroup.controllers");
    if (!available.ok()) return false;
    for (absl::string_view name :
         absl::StrSplit(*available, ' ', absl::SkipEmpty())) {
      if (name == controller) return true;
    }
    return false;
  }

  absl::Status Need(const std::string& dir, const char* file,
                    const char* controller, const char* flag) const {
    if (PathExists(dir + "/" + file)) return absl::OkStatus();
    return absl::FailedPreconditionError(absl::StrCat(
        flag, " needs the ", controller,
        " controller, which is not enabled in ", ParentDir(),
        "/cgroup.subtree_control (or not available on this host)"));
  }

  absl::Status ApplyLimits(const std::string& dir, const Limits& limits,
                           bool creating) {
    if (limits.memory_bytes != 0 || limits.memory_swap_bytes != 0) {
      RETURN_IF_ERROR(Need(dir, "memory.max", "memory", "--memory"));
      RETURN_IF_ERROR(ApplyMemory(dir, limits, creating));
    }
    if (limits.nano_cpus != 0) {
      RETURN_IF_ERROR(Need(dir, "cpu.max", "cpu", "--cpus"));
      std::string quota = limits.nano_cpus < 0
                              ? "max"
                              : absl::StrCat(CpuQuotaUs(limits.nano_cpus));
      RETURN_IF_ERROR(WriteCgroupFile(dir + "/cpu.max",
                                      absl::StrCat(quota, " ", kCpuPeriodUs)));
    }
    if (limits.cpu_shares != 0) {
      RETURN_IF_ERROR(Need(dir, "cpu.weight", "cpu", "--cpu-shares"));
      RETURN_IF_ERROR(
          WriteCgroupFile(dir + "/cpu.weight",
                          absl::StrCat(CpuSharesToWeight(limits.cpu_shares))));
    }
    if (limits.pids_limit != 0) {
      RETURN_IF_ERROR(Need(dir, "pids.max", "pids", "--pids-limit"));
      RETURN_IF_ERROR(WriteCgroupFile(
          dir + "/pids.max",
          limits.pids_limit < 0 ? "max" : absl::StrCat(limits.pids_limit)));
    }
    if (!limits.cpuset_cpus.empty()) {
      RETURN_IF_ERROR(Need(dir, "cpuset.cpus", "cpuset", "--cpuset-cpus"));
      RETURN_IF_ERROR(
          WriteCgroupFile(dir + "/cpuset.cpus", limits.cpuset_cpus));
    }
    return ApplyMoreLimits(dir, limits);
  }

  // The limits Docker sets only through its API or `update`: the CFS period
  // and quota, memory nodes, the soft limit and the I/O weight.
  absl::Status ApplyMoreLimits(const std::string& dir, const Limits& limits) {
    if (limits.cpu_period_us != 0 || limits.cpu_quota_us != 0) {
      RETURN_IF_ERROR(
          Need(dir, "cpu.max", "cpu", "--cpu-period/--cpu-quota"));
      // cpu.max holds both: the one not given stays as it is.
      ASSIGN_OR_RETURN(std::string current, ReadCgroupFile(dir + "/cpu.max"));
      std::vector<std::string> parts =
          absl::StrSplit(current, ' ', absl::SkipEmpty());
      if (parts.size() != 2) {
        return absl::InternalError(absl::StrCat(
            "unexpected contents \"", current, "\" of ", dir, "/cpu.max"));
      }
      if (limits.cpu_quota_us != 0) {
        parts[0] = limits.cpu_quota_us < 0 ? "max"
                                           : absl::StrCat(limits.cpu_quota_us);
      }
      if (limits.cpu_period_us != 0) {
        parts[1] = absl::StrCat(limits.cpu_period_us);
      }
      RETURN_IF_ERROR(WriteCgroupFile(dir + "/cpu.max",
                                      absl::StrCat(parts[0], " ", parts[1])));
    }
    if (!limits.cpuset_mems.empty()) {
      RETURN_IF_ERROR(Need(dir, "cpuset.mems", "cpuset", "--cpuset-mems"));
      RETURN_IF_ERROR(
          WriteCgroupFile(dir + "/cpuset.mems", limits.cpuset_mems));
    }
    if (limits.memory_reservation_bytes != 0) {
      RETURN_IF_ERROR(
          Need(dir, "memory.low", "memory", "--memory-reservation"));
      RETURN_IF_ERROR(
          WriteCgroupFile(dir + "/memory.low",
                          absl::StrCat(limits.memory_reservation_bytes)));
    }
    if (limits.blkio_weight != 0) {
      // BFQ takes the v1 range as it is; io.weight its own.
      if (std::string bfq = FirstExisting(dir, {"io.bfq.weight"});
          !bfq.empty()) {
        RETURN_IF_ERROR(
            WriteCgroupFile(bfq, absl::StrCat(limits.blkio_weight)));
      } else {
        RETURN_IF_ERROR(Need(dir, "io.weight", "io", "--blkio-weight"));
        RETURN_IF_ERROR(WriteCgroupFile(
            dir + "/io.weight",
            absl::StrCat(BlkioWeightToIoWeight(limits.blkio_weight))));
      }
    }
    return absl::OkStatus();
  }

  // v2 limits swap on its own (memory.swap.max) where Docker's flag is the
  // memory+swap total, so swap = total - memory.
  static absl::Status ApplyMemory(const std::string& dir, const Limits& limits,
                                  bool creating) {
    if (limits.memory_bytes != 0) {
      RETURN_IF_ERROR(WriteCgroupFile(
          dir + "/memory.max",
          limits.memory_bytes < 0 ? "max" : absl::StrCat(limits.memory_bytes)));
    }
    int64_t total =
        creating ? EffectiveMemorySwap(limits) : limits.memory_swap_bytes;
    const std::string swap_file = dir + "/memory.swap.max";
    if (total == 0 || !PathExists(swap_file)) return absl::OkStatus();
    if (total < 0) return WriteCgroupFile(swap_file, "max");
    int64_t memory = limits.memory_bytes;
    if (memory == 0) {
      ASSIGN_OR_RETURN(memory, ReadCgroupInt(dir + "/memory.max"));
    }
    if (memory < 0) return WriteCgroupFile(swap_file, "max");
    if (total < memory) {
      return absl::InvalidArgumentError(
          "Minimum memoryswap limit should be larger than memory limit, see "
          "usage");
    }
    return WriteCgroupFile(swap_file, absl::StrCat(total - memory));
  }

  absl::Status SetFrozen(const std::string& id, bool frozen) {
    ASSIGN_OR_RETURN(std::string dir, ExistingDir(id));
    const std::string freeze = dir + "/cgroup.freeze";
    if (!PathExists(freeze)) {
      return absl::FailedPreconditionError(
          "freezing needs cgroup.freeze (Linux 5.2 or later)");
    }
    RETURN_IF_ERROR(WriteCgroupFile(freeze, frozen ? "1" : "0"));
    absl::Time deadline = absl::Now() + kWaitTimeout;
    while (true) {
      ASSIGN_OR_RETURN(int64_t state,
                       ReadKeyedInt(dir + "/cgroup.events", "frozen"));
      if ((state == 1) == frozen) return absl::OkStatus();
      if (absl::Now() > deadline) {
        if (frozen) WriteCgroupFile(freeze, "0").IgnoreError();
        return absl::DeadlineExceededError(absl::StrCat(
            "cgroup ", dir, " did not ", frozen ? "freeze" : "thaw", " within ",
            absl::FormatDuration(kWaitTimeout)));
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

  const std::string parent_;
  const std::string root_;
};

}  // namespace

std::unique_ptr<CgroupDriver> NewV2Driver(std::string parent,
                                          std::string root) {
  return std::make_unique<V2Driver>(std::move(parent), std::move(root));
}

}  // namespace berth::containerd::cgroups::internal
