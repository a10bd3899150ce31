// `berth update`: Docker's checks and merge (resource_update.h), the new
// values recorded first and then written into the cgroup of a container
// that has a process; a cgroup that refuses them puts the old record back.
// A stopped container gets them at its next start.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/resource_update.h"

namespace berth::containerd {

using container::v1::Container;

namespace {

// Docker's errCannotUpdate.
absl::Status CannotUpdate(const std::string& id, const absl::Status& why) {
  return absl::Status(why.code(), absl::StrCat("Cannot update container ", id,
                                               ": ", why.message()));
}

}  // namespace

absl::StatusOr<container::v1::UpdateContainerResponse>
ContainerSupervisor::Update(
    const container::v1::UpdateContainerRequest& request) {
  if (request.has_update_mask() && request.update_mask().paths_size() > 0) {
    // Docker's API has no such mask: a value of zero always keeps.
    return absl::InvalidArgumentError(
        "update_mask is not supported: leave it empty, a value left at zero "
        "keeps the container's current one");
  }
  RETURN_IF_ERROR(ValidateUpdate(request, ReadHostCpus()));
  ASSIGN_OR_RETURN(Container found, records_->Find(request.id()));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  const std::string id = container.id();
  const container::v1::ContainerStatus status = container.state().status();
  if (status == container::v1::CONTAINER_STATUS_REMOVING ||
      status == container::v1::CONTAINER_STATUS_DEAD) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Cannot update container ", id,
        ": container is marked for removal and cannot be \"update\""));
  }
  ASSIGN_OR_RETURN(cgroups::CgroupDriver * driver, CgroupsOf(container));
  // What the host cannot enforce is dropped with Docker's warning.
  container::v1::UpdateContainerRequest wanted = request;
  cgroups::Limits asked = LiveLimitsOf(wanted.resources(), wanted.resources());
  container::v1::UpdateContainerResponse response;
  for (std::string& warning : driver->DiscardUnsupported(&asked)) {
    response.add_warnings(std::move(warning));
  }
  ClearDiscarded(asked, wanted.mutable_resources());
  container::v1::HostConfig updated = container.host_config();
  absl::Status merged = MergeUpdate(wanted, &updated);
  if (!merged.ok()) return CannotUpdate(id, merged);
  const container::v1::HostConfig before = container.host_config();
  auto record = [&](const container::v1::HostConfig& host) -> absl::Status {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(Container current, Load(id));
    *current.mutable_host_config() = host;
    return Save(current);
  };
  if (absl::Status saved = record(updated); !saved.ok()) {
    return CannotUpdate(id, saved);
  }
  if (HasProcess(status)) {
    const cgroups::Limits live =
        LiveLimitsOf(wanted.resources(), updated.resources());
    absl::Status applied = HasLimits(live) ? driver->Update(id, live)
                                           : absl::OkStatus();
    // A cgroup already gone belongs to a container that just exited: its
    // next start takes the record.
    if (!applied.ok() && !absl::IsNotFound(applied)) {
      absl::Status restored = record(before);
      if (!restored.ok()) {
        log_.error("container {}: restoring its resources after a refused "
                   "update: {}",
                   id, std::string(restored.message()));
      }
      return CannotUpdate(id, applied);
    }
  }
  Emit(container, "update");
  log_.info("container {}: updated", id);
  return response;
}

}  // namespace berth::containerd
