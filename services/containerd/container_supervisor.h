// ContainerSupervisor: containerd's logic. It keeps the container records,
// creates snapshots through imaged, starts each container's berth-shim,
// learns of exits through the ExitMonitor, applies restart policies and
// auto-removal, and on open reconciles the records with the shims that are
// still alive. No gRPC types beyond the contract's messages.
#ifndef BERTH_SERVICES_CONTAINERD_CONTAINER_SUPERVISOR_H_
#define BERTH_SERVICES_CONTAINERD_CONTAINER_SUPERVISOR_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "berth/container/v1/container.pb.h"
#include "common/service_core.h"
#include "services/containerd/container_records.h"
#include "services/containerd/cgroups/cgroups.h"
#include "services/containerd/container_spec_builder.h"
#include "services/containerd/exit_monitor.h"
#include "services/containerd/image_source.h"
#include "services/containerd/seccomp_cache.h"

namespace berth::containerd {

struct SupervisorOptions {
  std::string containers_dir;  // ROOT/containerd/containers
  std::string shims_dir;       // RUN_ROOT/shims
  std::string shim_path;       // berth-shim
  std::string cgroup_parent = "berth";
  UsernsRange userns_range;  // --userns private without mappings
};

// Writes the container's hostname, hosts and resolv.conf files (bind-mounted
// into it), from its record and the host's resolv.conf.
absl::Status WriteContainerFiles(const container::v1::Container& container);

class ContainerSupervisor {
 public:
  using Cancelled = std::function<bool()>;

  static absl::StatusOr<std::unique_ptr<ContainerSupervisor>> Open(
      ServiceCore& core, std::unique_ptr<ImageSource> images,
      SupervisorOptions options);
  ~ContainerSupervisor();

  absl::StatusOr<container::v1::CreateContainerResponse> Create(
      const container::v1::CreateContainerRequest& request);
  absl::Status Start(const std::string& reference);
  absl::Status Stop(const std::string& reference, std::optional<int> timeout,
                    const std::string& signal);
  absl::Status Kill(const std::string& reference, const std::string& signal);
  absl::Status Restart(const std::string& reference,
                       std::optional<int> timeout, const std::string& signal);
  absl::Status Remove(const std::string& reference, bool force);
  absl::StatusOr<container::v1::WaitContainerResponse> Wait(
      const std::string& reference, container::v1::WaitCondition condition,
      const Cancelled& cancelled);
  absl::Status Rename(const std::string& reference,
                      const std::string& new_name);
  absl::StatusOr<container::v1::PruneContainersResponse> Prune(
      const container::v1::PruneContainersRequest& request);
  absl::StatusOr<container::v1::ListContainersResponse> List(
      const container::v1::ListContainersRequest& request);
  absl::StatusOr<container::v1::Container> Inspect(
      const std::string& reference);
  // Sends log entries in batches to `send` (false = the client went away).
  absl::Status Logs(
      const container::v1::ContainerLogsRequest& request,
      const std::function<bool(const container::v1::ContainerLogsResponse&)>&
          send,
      const Cancelled& cancelled);

  // Records for Info: containers and how many run.
  absl::StatusOr<int64_t> RunningCount();

 private:
  struct Live {
    int64_t exits = 0;  // exits seen since the daemon started
    absl::Duration backoff = absl::ZeroDuration();
    std::shared_ptr<absl::Mutex> op = std::make_shared<absl::Mutex>();
  };

  ContainerSupervisor(ServiceCore& core, std::unique_ptr<ImageSource> images,
                      SupervisorOptions options);
  absl::Status Recover();

  ContainerPaths PathsOf(const std::string& id) const;
  // Serialises lifecycle operations on one container.
  std::shared_ptr<absl::Mutex> OpLock(const std::string& id);
  absl::StatusOr<container::v1::Container> Load(const std::string& id);
  absl::Status Save(const container::v1::Container& container)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Status StartLocked(container::v1::Container container,
                           bool by_policy);
  absl::Status SignalLocked(const container::v1::Container& container,
                            int signal);
  // Waits until the container's exit count passes `exits` or `deadline`.
  bool AwaitExit(const std::string& id, int64_t exits, absl::Time deadline);
  // Returns when the container's next exit is recorded, or after `at_most`.
  void AwaitNextExit(const std::string& id, absl::Duration at_most);
  absl::Status StopLocked(const container::v1::Container& container,
                          std::optional<int> timeout,
                          const std::string& signal);
  absl::Status RemoveLocked(container::v1::Container container);
  void OnExit(const std::string& id,
              const absl::StatusOr<shim::ExitRecord>& exit);
  void RestartByPolicy(const std::string& id);
  bool Matches(const container::v1::Container& container,
               const container::v1::ContainerFilter& filter,
               const std::map<std::string, std::string>& ancestor_ids);

  ServiceCore& core_;
  std::unique_ptr<ImageSource> images_;
  const SupervisorOptions options_;
  std::unique_ptr<ContainerRecords> records_;
  std::unique_ptr<cgroups::CgroupDriver> cgroups_;
  SeccompCache seccomp_;

  absl::Mutex mu_;
  std::map<std::string, Live> live_ ABSL_GUARDED_BY(mu_);
  // Last exit of containers removed since, for WAIT_CONDITION_REMOVED.
  std::map<std::string, container::v1::WaitContainerResponse> removed_
      ABSL_GUARDED_BY(mu_);

  // Declared last: their threads call back into the members above.
  std::unique_ptr<DelayedTasks> tasks_;
  std::unique_ptr<ExitMonitor> monitor_;
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_CONTAINER_SUPERVISOR_H_
