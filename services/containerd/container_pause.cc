// Pausing: the container's cgroup is frozen (v1 freezer, v2 cgroup.freeze)
// and the record says paused; its shim, outside that cgroup, goes on
// answering. Signals sent to a paused container wait in the kernel until it
// is thawed, so a stop or kill thaws it after signalling, as Docker does.
#include <signal.h>

#include "absl/strings/str_cat.h"
#include "common/signals.h"
#include "common/status_macros.h"
#include "services/containerd/container_supervisor.h"

namespace berth::containerd {

using container::v1::Container;

absl::Status ContainerSupervisor::Pause(const std::string& reference) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  const std::string& id = container.id();
  // Docker's checks and words, in its order (daemon/pause.go).
  switch (container.state().status()) {
    case container::v1::CONTAINER_STATUS_RUNNING:
      break;
    case container::v1::CONTAINER_STATUS_PAUSED:
      return absl::FailedPreconditionError(
          absl::StrCat("Container ", id, " is already paused"));
    case container::v1::CONTAINER_STATUS_RESTARTING:
      return absl::FailedPreconditionError(absl::StrCat(
          "Container ", id,
          " is restarting, wait until the container is running"));
    default:
      return absl::FailedPreconditionError(
          absl::StrCat("container ", id, " is not running"));
  }
  ASSIGN_OR_RETURN(cgroups::CgroupDriver * driver, CgroupsOf(container));
  absl::Status frozen = driver->Freeze(id);
  if (!frozen.ok()) {
    return absl::Status(frozen.code(), absl::StrCat("cannot pause container ",
                                                    id, ": ", frozen.message()));
  }
  absl::MutexLock lock(&mu_);
  // The exit of a process killed meanwhile may have been recorded.
  ASSIGN_OR_RETURN(container, Load(id));
  absl::Status recorded = Move(container, LifecycleEvent::kPause);
  if (recorded.ok()) recorded = Save(container);
  if (!recorded.ok()) {
    // Nothing may stay frozen that the record does not call paused.
    absl::Status thawed = driver->Thaw(id);
    if (!thawed.ok()) {
      log_.error("container {}: thawing after a failed pause: {}", id,
                 std::string(thawed.message()));
    }
    if (absl::IsFailedPrecondition(recorded)) {
      return absl::FailedPreconditionError(
          absl::StrCat("container ", id, " is not running"));
    }
    return Annotate(recorded, absl::StrCat("recording the pause of ", id));
  }
  Emit(container, "pause");
  log_.info("container {}: paused", id);
  return absl::OkStatus();
}

absl::Status ContainerSupervisor::Unpause(const std::string& reference) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  const std::string& id = container.id();
  if (container.state().status() != container::v1::CONTAINER_STATUS_PAUSED) {
    return absl::FailedPreconditionError(
        absl::StrCat("Container ", id, " is not paused"));
  }
  ASSIGN_OR_RETURN(cgroups::CgroupDriver * driver, CgroupsOf(container));
  absl::Status thawed = driver->Thaw(id);
  if (!thawed.ok()) {
    return absl::Status(thawed.code(), absl::StrCat("Cannot unpause container ",
                                                    id, ": ", thawed.message()));
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(container, Load(id));
  if (container.state().status() != container::v1::CONTAINER_STATUS_PAUSED) {
    return absl::OkStatus();  // it exited meanwhile: nothing is frozen
  }
  RETURN_IF_ERROR(Move(container, LifecycleEvent::kResume));
  RETURN_IF_ERROR(Annotate(Save(container),
                           absl::StrCat("recording the unpause of ", id)));
  Emit(container, "unpause");
  log_.info("container {}: unpaused", id);
  return absl::OkStatus();
}

void ContainerSupervisor::ResumeAfterSignal(const std::string& id,
                                            int signal) {
  Container container;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<Container> current = Load(id);
    if (!current.ok() ||
        current->state().status() != container::v1::CONTAINER_STATUS_PAUSED) {
      return;
    }
    container = *std::move(current);
  }
  // Docker thaws for a kill, and for the signal that stops the container:
  // its configured stop signal, or any when none is configured
  // (daemon/kill.go). Another signal waits for an unpause.
  const std::string& stop_signal = container.config().stop_signal();
  if (signal != SIGKILL && !stop_signal.empty()) {
    absl::StatusOr<int> stops = ParseSignal(stop_signal);
    if (!stops.ok() || *stops != signal) return;
  }
  absl::StatusOr<cgroups::CgroupDriver*> driver = CgroupsOf(container);
  absl::Status thawed = driver.ok() ? (*driver)->Thaw(id) : driver.status();
  if (!thawed.ok()) {
    // Docker goes on too: the signal stays pending until an unpause.
    log_.warn("container {}: cannot unpause it after signal {}: {}", id,
              signal, std::string(thawed.message()));
    return;
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Container> current = Load(id);
  // Its exit may be recorded already.
  if (!current.ok() ||
      current->state().status() != container::v1::CONTAINER_STATUS_PAUSED) {
    return;
  }
  Move(*current, LifecycleEvent::kResume).IgnoreError();  // paused: allowed
  absl::Status saved = Save(*current);
  if (!saved.ok()) {
    log_.error("container {}: recording its unpause after signal {}: {}", id,
               signal, std::string(saved.message()));
  }
}

void ContainerSupervisor::RecoverPauseState(Container container) {
  const std::string id = container.id();
  absl::StatusOr<cgroups::CgroupDriver*> driver = CgroupsOf(container);
  absl::StatusOr<bool> frozen =
      driver.ok() ? (*driver)->Frozen(id) : driver.status();
  if (!frozen.ok()) {
    log_.warn("container {}: cannot read whether it is frozen: {}", id,
              std::string(frozen.status().message()));
    return;
  }
  const bool paused =
      container.state().status() == container::v1::CONTAINER_STATUS_PAUSED;
  if (*frozen == paused) return;
  absl::MutexLock lock(&mu_);
  absl::Status recorded =
      Move(container, *frozen ? LifecycleEvent::kPause : LifecycleEvent::kResume);
  if (recorded.ok()) recorded = Save(container);
  if (!recorded.ok()) {
    log_.error("container {}: recording that it is {}: {}", id,
               *frozen ? "paused" : "not paused",
               std::string(recorded.message()));
    return;
  }
  log_.info("container {}: found {} by its cgroup", id,
            *frozen ? "paused" : "running");
}

}  // namespace berth::containerd
