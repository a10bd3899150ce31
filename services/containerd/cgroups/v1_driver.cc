// cgroup v1: one directory per mounted controller hierarchy. Also serves the
// hybrid layout (v1 controllers plus an empty cgroup2 mount). The map also
// holds the controller-less hierarchies (name=systemd, the hybrid unified
// mount, see cgroups.h): they get the container's directory and its
// processes, never a limit.
#include <unistd.h>

#include <cerrno>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "services/containerd/cgroups/cgroup_fs.h"
#include "services/containerd/cgroups/drivers.h"
#include "services/containerd/cgroups/stats_files.h"

namespace berth::containerd::cgroups::internal {
namespace {

// memory.limit_in_bytes reads as a page-rounded LONG_MAX when unlimited.
constexpr int64_t kV1Unlimited = int64_t{1} << 62;

class V1Driver : public CgroupDriver {
 public:
  V1Driver(std::string parent, std::map<std::string, std::string> hierarchies)
      : parent_(std::move(parent)), hierarchies_(std::move(hierarchies)) {
    std::set<std::string> seen;
    for (const auto& [controller, root] : hierarchies_) {
      if (seen.insert(root).second) roots_.push_back(root);
    }
  }

  std::string Version() const override { return "v1"; }

  absl::Status Create(const std::string& id, const Limits& limits) override {
    RETURN_IF_ERROR(ValidateId(id));
    RETURN_IF_ERROR(ValidateLimits(limits, /*for_update=*/false));
    RETURN_IF_ERROR(CheckControllers(limits));
    ASSIGN_OR_RETURN(bool exists, Exists(id));
    if (exists) {
      return absl::AlreadyExistsError(
          absl::StrCat("cgroup ", parent_, "/", id, " already exists"));
    }
    absl::Status status = CreateDirs(id);
    if (status.ok()) status = ApplyLimits(id, limits, /*creating=*/true);
    if (!status.ok()) {
      // Only the container's own directories: the parent may be shared with
      // a concurrent Create.
      for (const std::string& root : roots_) rmdir(Dir(root, id).c_str());
      return Annotate(status, absl::StrCat("creating cgroup for ", id));
    }
    return absl::OkStatus();
  }

  absl::Status AddProcess(const std::string& id, pid_t pid) override {
    RETURN_IF_ERROR(RequireExists(id));
    for (const std::string& root : roots_) {
      RETURN_IF_ERROR(
          WriteCgroupFile(Dir(root, id) + "/cgroup.procs", absl::StrCat(pid)));
    }
    return absl::OkStatus();
  }

  absl::Status Update(const std::string& id, const Limits& limits) override {
    RETURN_IF_ERROR(ValidateId(id));
    RETURN_IF_ERROR(ValidateLimits(limits, /*for_update=*/true));
    RETURN_IF_ERROR(CheckControllers(limits));
    RETURN_IF_ERROR(RequireExists(id));
    return ApplyLimits(id, limits, /*creating=*/false);
  }

  absl::StatusOr<bool> OomKilled(const std::string& id) override {
    RETURN_IF_ERROR(RequireExists(id));
    ASSIGN_OR_RETURN(std::string dir, ControllerDir("memory", id));
    absl::StatusOr<int64_t> kills =
        ReadKeyedInt(dir + "/memory.oom_control", "oom_kill");
    if (kills.ok()) return *kills > 0;
    if (!absl::IsNotFound(kills.status()) || !PathExists(dir)) {
      return kills.status();
    }
    // Kernels before 4.13 do not count kills; hitting the limit is the best
    // sign left.
    ASSIGN_OR_RETURN(int64_t failures, ReadCgroupInt(dir + "/memory.failcnt"));
    return failures > 0;
  }

  absl::StatusOr<CgroupStats> Stats(const std::string& id) override {
    RETURN_IF_ERROR(RequireExists(id));
    CgroupStats stats;
    if (auto dir = ControllerDir("memory", id); dir.ok()) {
      ASSIGN_OR_RETURN(stats.memory_usage_bytes,
                       ReadCgroupInt(*dir + "/memory.usage_in_bytes"));
      ASSIGN_OR_RETURN(int64_t limit,
                       ReadCgroupInt(*dir + "/memory.limit_in_bytes"));
      stats.memory_limit_bytes = limit >= kV1Unlimited ? 0 : limit;
    }
    if (auto dir = ControllerDir("cpuacct", id); dir.ok()) {
      ASSIGN_OR_RETURN(stats.cpu_usage_ns,
                       ReadCgroupInt(*dir + "/cpuacct.usage"));
    }
    if (auto dir = ControllerDir("pids", id); dir.ok()) {
      ASSIGN_OR_RETURN(stats.pids_current,
                       ReadCgroupInt(*dir + "/pids.current"));
    }
    auto dir_of = [&](const char* controller) {
      absl::StatusOr<std::string> dir = ControllerDir(controller, id);
      return dir.ok() ? *dir : std::string();
    };
    RETURN_IF_ERROR(ReadV1CpuExtras(dir_of("cpuacct"), dir_of("cpu"), &stats));
    RETURN_IF_ERROR(ReadV1MemoryExtras(dir_of("memory"), &stats));
    RETURN_IF_ERROR(ReadV1BlkioExtras(dir_of("blkio"), &stats));
    return stats;
  }

  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& id) override {
    RETURN_IF_ERROR(RequireExists(id));
    for (const char* controller : {"pids", "freezer", "memory", "cpu"}) {
      if (auto dir = ControllerDir(controller, id); dir.ok()) {
        return ReadProcs(*dir + "/cgroup.procs");
      }
    }
    return ReadProcs(Dir(roots_.front(), id) + "/cgroup.procs");
  }

  absl::Status Freeze(const std::string& id) override {
    RETURN_IF_ERROR(RequireExists(id));
    ASSIGN_OR_RETURN(std::string dir, ControllerDir("freezer", id));
    const std::string state = dir + "/freezer.state";
    absl::Time deadline = absl::Now() + kWaitTimeout;
    while (true) {
      // Writing FROZEN again retries tasks that were busy in the kernel.
      RETURN_IF_ERROR(WriteCgroupFile(state, "FROZEN"));
      ASSIGN_OR_RETURN(std::string now, ReadCgroupFile(state));
      if (now == "FROZEN") return absl::OkStatus();
      if (absl::Now() > deadline) {
        WriteCgroupFile(state, "THAWED").IgnoreError();
        return absl::DeadlineExceededError(absl::StrCat(
            "cgroup ", dir, " did not freeze within ",
            absl::FormatDuration(kWaitTimeout), " (state ", now, ")"));
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
  }

  absl::Status Thaw(const std::string& id) override {
    RETURN_IF_ERROR(RequireExists(id));
    ASSIGN_OR_RETURN(std::string dir, ControllerDir("freezer", id));
    return WriteCgroupFile(dir + "/freezer.state", "THAWED");
  }

  absl::StatusOr<bool> Frozen(const std::string& id) override {
    RETURN_IF_ERROR(RequireExists(id));
    ASSIGN_OR_RETURN(std::string dir, ControllerDir("freezer", id));
    ASSIGN_OR_RETURN(std::string state, ReadCgroupFile(dir + "/freezer.state"));
    return state != "THAWED";
  }

  std::vector<std::string> DiscardUnsupported(Limits* limits) override {
    std::vector<std::string> warnings;
    if (limits->blkio_weight != 0) {
      auto it = hierarchies_.find("blkio");
      if (it == hierarchies_.end() ||
          FirstExisting(it->second, {"blkio.weight", "blkio.bfq.weight"})
              .empty()) {
        limits->blkio_weight = 0;
        warnings.push_back(kBlkioWeightDiscarded);
      }
    }
    return warnings;
  }

  absl::Status Remove(const std::string& id) override {
    RETURN_IF_ERROR(ValidateId(id));
    absl::Time deadline = absl::Now() + kWaitTimeout;
    // Frozen tasks do not die until thawed.
    if (auto dir = ControllerDir("freezer", id); dir.ok() && PathExists(*dir)) {
      absl::Status thawed = WriteCgroupFile(*dir + "/freezer.state", "THAWED");
      if (!thawed.ok() && !absl::IsNotFound(thawed)) return thawed;
    }
    for (const std::string& root : roots_) {
      RETURN_IF_ERROR(KillAllAndWait(Dir(root, id), deadline));
    }
    for (const std::string& root : roots_) {
      RETURN_IF_ERROR(RemoveCgroupDir(Dir(root, id), deadline));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<bool> Exists(const std::string& id) override {
    RETURN_IF_ERROR(ValidateId(id));
    for (const std::string& root : roots_) {
      if (PathExists(Dir(root, id))) return true;
    }
    return false;
  }

 private:
  std::string Dir(const std::string& root, const std::string& id) const {
    return absl::StrCat(root, "/", parent_, "/", id);
  }

  absl::StatusOr<std::string> ControllerDir(const std::string& controller,
                                            const std::string& id) const {
    auto it = hierarchies_.find(controller);
    if (it == hierarchies_.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the ", controller,
                       " cgroup controller is not mounted on this host"));
    }
    return Dir(it->second, id);
  }

  absl::Status RequireExists(const std::string& id) {
    ASSIGN_OR_RETURN(bool exists, Exists(id));
    if (!exists) {
      return absl::NotFoundError(absl::StrCat("no cgroup ", parent_, "/", id));
    }
    return absl::OkStatus();
  }

  absl::Status CheckControllers(const Limits& limits) const {
    auto need = [&](bool wanted, const char* controller,
                    const char* flag) -> absl::Status {
      if (!wanted || hierarchies_.count(controller) > 0) {
        return absl::OkStatus();
      }
      return absl::FailedPreconditionError(absl::StrCat(
          flag, " needs the ", controller,
          " cgroup controller, which is not mounted on this host"));
    };
    RETURN_IF_ERROR(
        need(limits.memory_bytes != 0 || limits.memory_swap_bytes != 0,
             "memory", "--memory"));
    RETURN_IF_ERROR(need(limits.nano_cpus != 0, "cpu", "--cpus"));
    RETURN_IF_ERROR(need(limits.cpu_shares != 0, "cpu", "--cpu-shares"));
    RETURN_IF_ERROR(need(limits.pids_limit != 0, "pids", "--pids-limit"));
    RETURN_IF_ERROR(need(limits.cpu_period_us != 0 || limits.cpu_quota_us != 0,
                         "cpu", "--cpu-period/--cpu-quota"));
    RETURN_IF_ERROR(need(limits.memory_reservation_bytes != 0, "memory",
                         "--memory-reservation"));
    RETURN_IF_ERROR(need(limits.blkio_weight != 0, "blkio", "--blkio-weight"));
    RETURN_IF_ERROR(need(!limits.cpuset_mems.empty(), "cpuset", "--cpuset-mems"));
    return need(!limits.cpuset_cpus.empty(), "cpuset", "--cpuset-cpus");
  }

  absl::Status CreateDirs(const std::string& id) {
    for (const std::string& root : roots_) {
      std::vector<std::string> created;
      RETURN_IF_ERROR(MakeDirs(Dir(root, id), &created));
    }
    // A new cpuset cgroup starts with no CPUs and no memory nodes, and no
    // task can join it until both are set: copy them down from the nearest
    // configured ancestor, level by level.
    if (auto it = hierarchies_.find("cpuset"); it != hierarchies_.end()) {
      std::string dir = it->second;
      for (const std::string& part : {parent_, id}) {
        std::string child = absl::StrCat(dir, "/", part);
        for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
          RETURN_IF_ERROR(InheritIfEmpty(dir, child, file));
        }
        dir = child;
      }
    }
    return absl::OkStatus();
  }

  // `parent_` may hold several levels ("a/b"); each is filled from its own
  // parent directory.
  static absl::Status InheritIfEmpty(const std::string& top,
                                     const std::string& dir,
                                     const std::string& file) {
    std::string::size_type slash = dir.rfind('/');
    std::string above = dir.substr(0, slash);
    if (above.size() > top.size()) {
      RETURN_IF_ERROR(InheritIfEmpty(top, above, file));
    }
    ASSIGN_OR_RETURN(std::string current, ReadCgroupFile(dir + "/" + file));
    if (!current.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::string inherited, ReadCgroupFile(above + "/" + file));
    return WriteCgroupFile(dir + "/" + file, inherited);
  }

  absl::Status ApplyLimits(const std::string& id, const Limits& limits,
                           bool creating) {
    if (limits.memory_bytes != 0 || limits.memory_swap_bytes != 0) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("memory", id));
      int64_t swap =
          creating ? EffectiveMemorySwap(limits) : limits.memory_swap_bytes;
      RETURN_IF_ERROR(ApplyMemory(dir, limits.memory_bytes, swap));
    }
    if (limits.nano_cpus != 0) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("cpu", id));
      RETURN_IF_ERROR(WriteCgroupFile(dir + "/cpu.cfs_period_us",
                                      absl::StrCat(kCpuPeriodUs)));
      RETURN_IF_ERROR(
          WriteCgroupFile(dir + "/cpu.cfs_quota_us",
                          absl::StrCat(CpuQuotaUs(limits.nano_cpus))));
    }
    if (limits.cpu_shares != 0) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("cpu", id));
      RETURN_IF_ERROR(WriteCgroupFile(dir + "/cpu.shares",
                                      absl::StrCat(limits.cpu_shares)));
    }
    if (limits.pids_limit != 0) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("pids", id));
      RETURN_IF_ERROR(WriteCgroupFile(
          dir + "/pids.max",
          limits.pids_limit < 0 ? "max" : absl::StrCat(limits.pids_limit)));
    }
    if (creating && limits.restrict_devices && hierarchies_.count("devices")) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("devices", id));
      RETURN_IF_ERROR(WriteCgroupFile(dir + "/devices.deny", "a"));
      for (const char* rule : kDefaultDeviceRules) {
        RETURN_IF_ERROR(WriteCgroupFile(dir + "/devices.allow", rule));
      }
      for (const std::string& rule : limits.device_rules) {
        RETURN_IF_ERROR(WriteCgroupFile(dir + "/devices.allow", rule));
      }
    }
    if (!limits.cpuset_cpus.empty()) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("cpuset", id));
      RETURN_IF_ERROR(
          WriteCgroupFile(dir + "/cpuset.cpus", limits.cpuset_cpus));
    }
    return ApplyMoreLimits(id, limits);
  }

  // The limits Docker sets only through its API or `update`: the CFS period
  // and quota, memory nodes, the soft limit and the I/O weight.
  absl::Status ApplyMoreLimits(const std::string& id, const Limits& limits) {
    if (limits.cpu_period_us != 0 || limits.cpu_quota_us != 0) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("cpu", id));
      if (limits.cpu_period_us != 0) {
        RETURN_IF_ERROR(WriteCgroupFile(dir + "/cpu.cfs_period_us",
                                        absl::StrCat(limits.cpu_period_us)));
      }
      if (limits.cpu_quota_us != 0) {
        RETURN_IF_ERROR(WriteCgroupFile(dir + "/cpu.cfs_quota_us",
                                        absl::StrCat(limits.cpu_quota_us)));
      }
    }
    if (!limits.cpuset_mems.empty()) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("cpuset", id));
      RETURN_IF_ERROR(
          WriteCgroupFile(dir + "/cpuset.mems", limits.cpuset_mems));
    }
    if (limits.memory_reservation_bytes != 0) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("memory", id));
      RETURN_IF_ERROR(
          WriteCgroupFile(dir + "/memory.soft_limit_in_bytes",
                          absl::StrCat(limits.memory_reservation_bytes)));
    }
    if (limits.blkio_weight != 0) {
      ASSIGN_OR_RETURN(std::string dir, ControllerDir("blkio", id));
      std::string file =
          FirstExisting(dir, {"blkio.weight", "blkio.bfq.weight"});
      if (file.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(
            "--blkio-weight needs ", dir,
            "/blkio.weight or blkio.bfq.weight, which this kernel's I/O "
            "scheduler does not provide"));
      }
      RETURN_IF_ERROR(WriteCgroupFile(file, absl::StrCat(limits.blkio_weight)));
    }
    return absl::OkStatus();
  }

  // memory.memsw.limit_in_bytes must never fall below memory.limit_in_bytes,
  // so the order of the two writes depends on whether memsw grows.
  static absl::Status ApplyMemory(const std::string& dir, int64_t memory,
                                  int64_t swap) {
    const std::string memory_file = dir + "/memory.limit_in_bytes";
    const std::string memsw_file = dir + "/memory.memsw.limit_in_bytes";
    // Hosts booted without swap accounting have no memsw files; Docker then
    // limits memory alone.
    const bool has_memsw = PathExists(memsw_file);
    if (swap == 0 || !has_memsw) {
      if (memory == 0) return absl::OkStatus();
      absl::Status status = WriteCgroupFile(memory_file, absl::StrCat(memory));
      if (absl::IsInvalidArgument(status) && has_memsw) {
        return Annotate(status,
                        "the memory limit must not exceed the "
                        "memory+swap limit; update --memory-swap too");
      }
      return status;
    }
    ASSIGN_OR_RETURN(int64_t current, ReadCgroupInt(memsw_file));
    auto as_limit = [](int64_t v) {
      return v < 0 ? std::numeric_limits<int64_t>::max() : v;
    };
    bool memsw_first = as_limit(swap) >= current;
    if (memsw_first) {
      RETURN_IF_ERROR(WriteCgroupFile(memsw_file, absl::StrCat(swap)));
    }
    if (memory != 0) {
      RETURN_IF_ERROR(WriteCgroupFile(memory_file, absl::StrCat(memory)));
    }
    if (!memsw_first) {
      RETURN_IF_ERROR(WriteCgroupFile(memsw_file, absl::StrCat(swap)));
    }
    return absl::OkStatus();
  }

  const std::string parent_;
  const std::map<std::string, std::string> hierarchies_;
  std::vector<std::string> roots_;  // hierarchies_' distinct roots
};

}  // namespace

std::unique_ptr<CgroupDriver> NewV1Driver(
    std::string parent, std::map<std::string, std::string> hierarchies) {
  return std::make_unique<V1Driver>(std::move(parent), std::move(hierarchies));
}

}  // namespace berth::containerd::cgroups::internal
