// An in-memory CgroupDriver for containerd's unit tests: it records every
// call, keeps the cgroups it was asked to create with their limits and pids,
// and lets a test inject OOM kills, statistics and failures.
#ifndef BERTH_SERVICES_CONTAINERD_CGROUPS_FAKE_CGROUP_DRIVER_H_
#define BERTH_SERVICES_CONTAINERD_CGROUPS_FAKE_CGROUP_DRIVER_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd::cgroups {

class FakeCgroupDriver : public CgroupDriver {
 public:
  // What the fake holds for one cgroup.
  struct Cgroup {
    Limits limits;
    std::vector<pid_t> pids;
    bool frozen = false;
    bool oom_killed = false;
    CgroupStats stats;
  };

  explicit FakeCgroupDriver(std::string version = "v2")
      : version_(std::move(version)) {}

  std::string Version() const override { return version_; }
  absl::Status Create(const std::string& id, const Limits& limits) override;
  absl::Status AddProcess(const std::string& id, pid_t pid) override;
  absl::Status Update(const std::string& id, const Limits& limits) override;
  absl::StatusOr<bool> OomKilled(const std::string& id) override;
  absl::StatusOr<CgroupStats> Stats(const std::string& id) override;
  absl::StatusOr<std::vector<pid_t>> Pids(const std::string& id) override;
  absl::Status Freeze(const std::string& id) override;
  absl::Status Thaw(const std::string& id) override;
  absl::StatusOr<bool> Frozen(const std::string& id) override;
  // Drops blkio_weight with Docker's warning after SetWithoutBlkioWeight.
  std::vector<std::string> DiscardUnsupported(Limits* limits) override;
  absl::Status Remove(const std::string& id) override;
  absl::StatusOr<bool> Exists(const std::string& id) override;

  // Every call so far as "Method id" (AddProcess: "AddProcess id pid"), in
  // order, failed ones included.
  std::vector<std::string> calls() const;
  // Copies the cgroup `id` to *out; false if it does not exist.
  bool Get(const std::string& id, Cgroup* out) const;

  // The next call of `method` ("Create", "Remove", ...) returns `status`
  // instead of doing anything.
  void FailNext(const std::string& method, absl::Status status);
  // Change an existing cgroup (no-op for a missing one). Stats' pids_current
  // is always the number of added pids.
  void SetOomKilled(const std::string& id, bool killed);
  void SetStats(const std::string& id, const CgroupStats& stats);
  // As a host whose I/O scheduler has no weight (this machine's).
  void SetWithoutBlkioWeight(bool without);

 private:
  // Records the call; returns the injected failure for it, if any.
  absl::Status Begin(const std::string& method, const std::string& id,
                     const std::string& extra = "")
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<Cgroup*> Find(const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string version_;
  mutable absl::Mutex mu_;
  std::map<std::string, Cgroup> cgroups_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, absl::Status> failures_ ABSL_GUARDED_BY(mu_);
  bool without_blkio_weight_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace berth::containerd::cgroups

#endif  // BERTH_SERVICES_CONTAINERD_CGROUPS_FAKE_CGROUP_DRIVER_H_
