// The exec sessions containerd started (`berth exec`), for InspectExec and
// a container's ExecIDs: kept in memory until their container is removed
// or started again, as Docker keeps them. A session whose process is gone
// without a reported exit (its client detached and nobody watches it any
// more) reads as not running, with no exit code.
#ifndef BERTH_SERVICES_CONTAINERD_EXEC_REGISTRY_H_
#define BERTH_SERVICES_CONTAINERD_EXEC_REGISTRY_H_

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "berth/container/v1/container.pb.h"

namespace berth::containerd {

class ExecRegistry {
 public:
  // `alive(pid)`: whether the process still exists (kill(pid, 0) in
  // containerd; a test's own answer otherwise).
  explicit ExecRegistry(std::function<bool(pid_t)> alive);

  // A new session of container `container_id`; its id (64 hex digits).
  std::string Add(const std::string& container_id,
                  const container::v1::ExecConfig& config);
  void Started(const std::string& exec_id, pid_t pid, absl::Time at);
  void Exited(const std::string& exec_id, int exit_code, absl::Time at);
  // NOT_FOUND "No such exec instance: ID" (Docker's words).
  absl::StatusOr<container::v1::ExecInfo> Find(const std::string& exec_id);
  // The running sessions of a container, oldest first.
  std::vector<std::string> RunningIds(const std::string& container_id);
  // Drops every session of the container.
  void Forget(const std::string& container_id);

 private:
  // Marks a session whose process is gone as not running.
  void Refresh(container::v1::ExecInfo& info) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::function<bool(pid_t)> alive_;
  absl::Mutex mu_;
  int64_t next_order_ ABSL_GUARDED_BY(mu_) = 0;
  struct Entry {
    int64_t order;
    container::v1::ExecInfo info;
  };
  std::map<std::string, Entry> sessions_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_EXEC_REGISTRY_H_
