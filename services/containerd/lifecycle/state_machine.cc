#include "services/containerd/lifecycle/state_machine.h"

#include "absl/strings/str_cat.h"

namespace berth::containerd {
namespace {

using container::v1::CONTAINER_STATUS_CREATED;
using container::v1::CONTAINER_STATUS_DEAD;
using container::v1::CONTAINER_STATUS_EXITED;
using container::v1::CONTAINER_STATUS_PAUSED;
using container::v1::CONTAINER_STATUS_REMOVING;
using container::v1::CONTAINER_STATUS_RESTARTING;
using container::v1::CONTAINER_STATUS_RUNNING;
using container::v1::CONTAINER_STATUS_UNSPECIFIED;

struct Move {
  ContainerStatus from;
  LifecycleEvent event;
  ContainerStatus to;
};

// The table of the header comment, row by row.
constexpr Move kMoves[] = {
    {CONTAINER_STATUS_CREATED, LifecycleEvent::kLaunched, CONTAINER_STATUS_RUNNING},
    {CONTAINER_STATUS_CREATED, LifecycleEvent::kLaunchFailed, CONTAINER_STATUS_CREATED},
    {CONTAINER_STATUS_CREATED, LifecycleEvent::kRemove, CONTAINER_STATUS_REMOVING},

    {CONTAINER_STATUS_RUNNING, LifecycleEvent::kExited, CONTAINER_STATUS_EXITED},
    {CONTAINER_STATUS_RUNNING, LifecycleEvent::kBackoff, CONTAINER_STATUS_RESTARTING},
    {CONTAINER_STATUS_RUNNING, LifecycleEvent::kPause, CONTAINER_STATUS_PAUSED},

    {CONTAINER_STATUS_PAUSED, LifecycleEvent::kExited, CONTAINER_STATUS_EXITED},
    {CONTAINER_STATUS_PAUSED, LifecycleEvent::kBackoff, CONTAINER_STATUS_RESTARTING},
    {CONTAINER_STATUS_PAUSED, LifecycleEvent::kResume, CONTAINER_STATUS_RUNNING},

    {CONTAINER_STATUS_RESTARTING, LifecycleEvent::kLaunched, CONTAINER_STATUS_RUNNING},
    {CONTAINER_STATUS_RESTARTING, LifecycleEvent::kLaunchFailed, CONTAINER_STATUS_EXITED},
    {CONTAINER_STATUS_RESTARTING, LifecycleEvent::kCancelRestart, CONTAINER_STATUS_EXITED},

    {CONTAINER_STATUS_EXITED, LifecycleEvent::kLaunched, CONTAINER_STATUS_RUNNING},
    {CONTAINER_STATUS_EXITED, LifecycleEvent::kLaunchFailed, CONTAINER_STATUS_EXITED},
    {CONTAINER_STATUS_EXITED, LifecycleEvent::kRemove, CONTAINER_STATUS_REMOVING},

    {CONTAINER_STATUS_DEAD, LifecycleEvent::kRemove, CONTAINER_STATUS_REMOVING},

    {CONTAINER_STATUS_REMOVING, LifecycleEvent::kRemove, CONTAINER_STATUS_REMOVING},
    {CONTAINER_STATUS_REMOVING, LifecycleEvent::kRemoved, CONTAINER_STATUS_UNSPECIFIED},
    {CONTAINER_STATUS_REMOVING, LifecycleEvent::kRemoveFailed, CONTAINER_STATUS_DEAD},
};

}  // namespace

absl::string_view EventName(LifecycleEvent event) {
  switch (event) {
    case LifecycleEvent::kLaunched: return "launched";
    case LifecycleEvent::kLaunchFailed: return "launch failed";
    case LifecycleEvent::kExited: return "exited";
    case LifecycleEvent::kBackoff: return "exited (restarting)";
    case LifecycleEvent::kCancelRestart: return "restart cancelled";
    case LifecycleEvent::kPause: return "pause";
    case LifecycleEvent::kResume: return "resume";
    case LifecycleEvent::kRemove: return "remove";
    case LifecycleEvent::kRemoved: return "removed";
    case LifecycleEvent::kRemoveFailed: return "removal failed";
  }
  return "unknown event";
}

absl::string_view StatusName(ContainerStatus status) {
  switch (status) {
    case CONTAINER_STATUS_CREATED: return "created";
    case CONTAINER_STATUS_RUNNING: return "running";
    case CONTAINER_STATUS_PAUSED: return "paused";
    case CONTAINER_STATUS_RESTARTING: return "restarting";
    case CONTAINER_STATUS_REMOVING: return "removing";
    case CONTAINER_STATUS_EXITED: return "exited";
    case CONTAINER_STATUS_DEAD: return "dead";
    default: return "unknown";
  }
}

absl::StatusOr<ContainerStatus> Transition(ContainerStatus from,
                                           LifecycleEvent event) {
  for (const Move& move : kMoves) {
    if (move.from == from && move.event == event) return move.to;
  }
  return absl::FailedPreconditionError(
      absl::StrCat("a ", StatusName(from), " container cannot be ",
                   EventName(event), ""));
}

bool IsActive(ContainerStatus status) {
  return status == CONTAINER_STATUS_RUNNING ||
         status == CONTAINER_STATUS_PAUSED ||
         status == CONTAINER_STATUS_RESTARTING;
}

bool HasProcess(ContainerStatus status) {
  return status == CONTAINER_STATUS_RUNNING ||
         status == CONTAINER_STATUS_PAUSED;
}

void SetStatus(container::v1::ContainerState& state, ContainerStatus status) {
  state.set_status(status);
  // Docker counts a restarting container as running (rm, stop and the
  // restart policy treat it so).
  state.set_running(IsActive(status));
  state.set_paused(status == CONTAINER_STATUS_PAUSED);
  state.set_restarting(status == CONTAINER_STATUS_RESTARTING);
  state.set_dead(status == CONTAINER_STATUS_DEAD);
}

}  // namespace berth::containerd
