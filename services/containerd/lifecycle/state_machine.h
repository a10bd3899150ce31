// The container lifecycle as one table: the states a container record can
// be in, the events that move it, and which moves are allowed. Every
// operation of containerd (start, stop, kill, exit, restart, remove,
// recovery) asks Transition() before it writes a new status, so a move the
// table does not list is refused with FAILED_PRECONDITION instead of
// leaving a record in a state nothing expects.
//
//   from \ event  Launched Failed  Exited  Backoff Cancel  Pause  Resume Remove Removed RemoveFailed
//   created       running  created   -       -       -       -      -    removing  -      -
//   running         -        -     exited restarting -    paused    -      -       -      -
//   paused          -        -     exited restarting -      -    running   -       -      -
//   restarting    running  exited    -       -     exited    -      -      -       -      -
//   exited        running  exited    -       -       -       -      -    removing  -      -
//   dead            -        -       -       -       -       -      -    removing  -      -
//   removing        -        -       -       -       -       -      -    removing (gone)  dead
//
// Failed keeps a created container created (Docker shows it "Created" with
// the error); Exited and Backoff are the two outcomes of an exit (the
// restart policy decides); Cancel is a stop while a restart is pending.
// Removing -> Remove is allowed so an interrupted removal can be finished.
#ifndef BERTH_SERVICES_CONTAINERD_LIFECYCLE_STATE_MACHINE_H_
#define BERTH_SERVICES_CONTAINERD_LIFECYCLE_STATE_MACHINE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "berth/container/v1/container_types.pb.h"

namespace berth::containerd {

using ContainerStatus = container::v1::ContainerStatus;

enum class LifecycleEvent {
  kLaunched,      // the shim started the container's command
  kLaunchFailed,  // the command could not be started
  kExited,        // the init exited and stays down
  kBackoff,       // the init exited and the restart policy brings it back
  kCancelRestart, // a stop while waiting for the next restart
  kPause,
  kResume,
  kRemove,        // removal begins (the container holds no process)
  kRemoved,       // removal finished: the record goes away
  kRemoveFailed,  // cleanup failed: the record stays, marked dead
};

absl::string_view EventName(LifecycleEvent event);
// Docker's word for a status: "created", "running", ...
absl::string_view StatusName(ContainerStatus status);

// The status after `event` in `from`. FAILED_PRECONDITION naming both when
// the table does not allow it. kRemoved answers REMOVING's successor as
// CONTAINER_STATUS_UNSPECIFIED: the record no longer exists.
absl::StatusOr<ContainerStatus> Transition(ContainerStatus from,
                                           LifecycleEvent event);

// The container has, or is about to have again, a process: running,
// paused or restarting. Such a container needs a stop (or rm -f) before
// it can be removed, and recovery looks for its shim.
bool IsActive(ContainerStatus status);
// The container's process exists now: running or paused.
bool HasProcess(ContainerStatus status);

// Sets the status and the flags derived from it (running, paused,
// restarting, dead) the way Docker's State shows them.
void SetStatus(container::v1::ContainerState& state, ContainerStatus status);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_LIFECYCLE_STATE_MACHINE_H_
