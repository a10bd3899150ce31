#include "services/containerd/cgroups/fake_cgroup_driver.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::containerd::cgroups {
namespace {

// Update semantics: fields at 0 keep their value.
void Merge(const Limits& update, Limits* limits) {
  if (update.memory_bytes != 0) limits->memory_bytes = update.memory_bytes;
  if (update.memory_swap_bytes != 0) {
    limits->memory_swap_bytes = update.memory_swap_bytes;
  }
  if (update.nano_cpus != 0) limits->nano_cpus = update.nano_cpus;
  if (update.cpu_shares != 0) limits->cpu_shares = update.cpu_shares;
  if (update.pids_limit != 0) limits->pids_limit = update.pids_limit;
  if (!update.cpuset_cpus.empty()) limits->cpuset_cpus = update.cpuset_cpus;
  if (!update.cpuset_mems.empty()) limits->cpuset_mems = update.cpuset_mems;
  if (update.cpu_period_us != 0) limits->cpu_period_us = update.cpu_period_us;
  if (update.cpu_quota_us != 0) limits->cpu_quota_us = update.cpu_quota_us;
  if (update.memory_reservation_bytes != 0) {
    limits->memory_reservation_bytes = update.memory_reservation_bytes;
  }
  if (update.blkio_weight != 0) limits->blkio_weight = update.blkio_weight;
}

}  // namespace

absl::Status FakeCgroupDriver::Begin(const std::string& method,
                                     const std::string& id,
                                     const std::string& extra) {
  calls_.push_back(extra.empty() ? absl::StrCat(method, " ", id)
                                 : absl::StrCat(method, " ", id, " ", extra));
  auto it = failures_.find(method);
  if (it == failures_.end()) return absl::OkStatus();
  absl::Status status = it->second;
  failures_.erase(it);
  return status;
}

absl::StatusOr<FakeCgroupDriver::Cgroup*> FakeCgroupDriver::Find(
    const std::string& id) {
  auto it = cgroups_.find(id);
  if (it == cgroups_.end()) {
    return absl::NotFoundError(absl::StrCat("no cgroup berth/", id));
  }
  return &it->second;
}

absl::Status FakeCgroupDriver::Create(const std::string& id,
                                      const Limits& limits) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Create", id));
  if (cgroups_.count(id) > 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("cgroup berth/", id, " already exists"));
  }
  cgroups_[id].limits = limits;
  return absl::OkStatus();
}

absl::Status FakeCgroupDriver::AddProcess(const std::string& id, pid_t pid) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("AddProcess", id, absl::StrCat(pid)));
  ASSIGN_OR_RETURN(Cgroup * cgroup, Find(id));
  cgroup->pids.push_back(pid);
  return absl::OkStatus();
}

absl::Status FakeCgroupDriver::Update(const std::string& id,
                                      const Limits& limits) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Update", id));
  ASSIGN_OR_RETURN(Cgroup * cgroup, Find(id));
  Merge(limits, &cgroup->limits);
  return absl::OkStatus();
}

absl::StatusOr<bool> FakeCgroupDriver::OomKilled(const std::string& id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("OomKilled", id));
  ASSIGN_OR_RETURN(Cgroup * cgroup, Find(id));
  return cgroup->oom_killed;
}

absl::StatusOr<CgroupStats> FakeCgroupDriver::Stats(const std::string& id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Stats", id));
  ASSIGN_OR_RETURN(Cgroup * cgroup, Find(id));
  CgroupStats stats = cgroup->stats;
  stats.pids_current = static_cast<int64_t>(cgroup->pids.size());
  if (stats.memory_limit_bytes == 0 && cgroup->limits.memory_bytes > 0) {
    stats.memory_limit_bytes = cgroup->limits.memory_bytes;
  }
  return stats;
}

absl::StatusOr<std::vector<pid_t>> FakeCgroupDriver::Pids(
    const std::string& id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Pids", id));
  ASSIGN_OR_RETURN(Cgroup * cgroup, Find(id));
  return cgroup->pids;
}

absl::Status FakeCgroupDriver::Freeze(const std::string& id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Freeze", id));
  ASSIGN_OR_RETURN(Cgroup * cgroup, Find(id));
  cgroup->frozen = true;
  return absl::OkStatus();
}

absl::Status FakeCgroupDriver::Thaw(const std::string& id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Thaw", id));
  ASSIGN_OR_RETURN(Cgroup * cgroup, Find(id));
  cgroup->frozen = false;
  return absl::OkStatus();
}

absl::StatusOr<bool> FakeCgroupDriver::Frozen(const std::string& id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Frozen", id));
  ASSIGN_OR_RETURN(Cgroup * cgroup, Find(id));
  return cgroup->frozen;
}

std::vector<std::string> FakeCgroupDriver::DiscardUnsupported(Limits* limits) {
  absl::MutexLock lock(&mu_);
  if (!without_blkio_weight_ || limits->blkio_weight == 0) return {};
  limits->blkio_weight = 0;
  return {"Your kernel does not support Block I/O weight or the cgroup is not "
          "mounted. Weight discarded."};
}

void FakeCgroupDriver::SetWithoutBlkioWeight(bool without) {
  absl::MutexLock lock(&mu_);
  without_blkio_weight_ = without;
}

absl::Status FakeCgroupDriver::Remove(const std::string& id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Remove", id));
  cgroups_.erase(id);
  return absl::OkStatus();
}

absl::StatusOr<bool> FakeCgroupDriver::Exists(const std::string& id) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(Begin("Exists", id));
  return cgroups_.count(id) > 0;
}

std::vector<std::string> FakeCgroupDriver::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

bool FakeCgroupDriver::Get(const std::string& id, Cgroup* out) const {
  absl::MutexLock lock(&mu_);
  auto it = cgroups_.find(id);
  if (it == cgroups_.end()) return false;
  *out = it->second;
  return true;
}

void FakeCgroupDriver::FailNext(const std::string& method,
                                absl::Status status) {
  absl::MutexLock lock(&mu_);
  failures_[method] = std::move(status);
}

void FakeCgroupDriver::SetOomKilled(const std::string& id, bool killed) {
  absl::MutexLock lock(&mu_);
  if (auto it = cgroups_.find(id); it != cgroups_.end()) {
    it->second.oom_killed = killed;
  }
}

void FakeCgroupDriver::SetStats(const std::string& id,
                                const CgroupStats& stats) {
  absl::MutexLock lock(&mu_);
  if (auto it = cgroups_.find(id); it != cgroups_.end())
    it->second.stats = stats;
}

}  // namespace berth::containerd::cgroups
