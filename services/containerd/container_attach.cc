// ContainerSupervisor::Attach: a client joined to a container's stdio
// through its shim (attach/stream_bridge.h), for `attach`, `start -a` and
// every `run` without -d.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/attach/detach_keys.h"
#include "services/containerd/container_supervisor.h"

namespace berth::containerd {

using container::v1::Container;

namespace {

// How often a client waiting for the start looks whether it is still there.
constexpr absl::Duration kAttachPoll = absl::Milliseconds(200);

absl::Status Unattachable(ContainerStatus status) {
  switch (status) {
    case container::v1::CONTAINER_STATUS_RUNNING:
    case container::v1::CONTAINER_STATUS_CREATED:
    case container::v1::CONTAINER_STATUS_EXITED:
      return absl::OkStatus();
    case container::v1::CONTAINER_STATUS_PAUSED:
      return absl::FailedPreconditionError(
          "You cannot attach to a paused container, unpause it first");
    case container::v1::CONTAINER_STATUS_RESTARTING:
      return absl::FailedPreconditionError(
          "You cannot attach to a restarting container, wait until it is "
          "running");
    default:
      return absl::FailedPreconditionError(
          "You cannot attach to a stopped container, start it first");
  }
}

}  // namespace

absl::Status ContainerSupervisor::Attach(const container::v1::AttachStart& start,
                                         const ClientStream& client) {
  ASSIGN_OR_RETURN(const std::string detach_keys,
                   ParseDetachKeys(start.detach_keys()));
  ASSIGN_OR_RETURN(Container container, records_->Find(start.id()));
  const std::string id = container.id();
  RETURN_IF_ERROR(Unattachable(container.state().status()));
  if (start.attach_stdin() && !container.config().open_stdin()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "container ", id, " was created without -i: its stdin is not open"));
  }
  Emit(container, "attach");
  ::berth::shim::v1::AttachRequest wants;
  wants.set_stdin(start.attach_stdin());
  wants.set_stdout(start.attach_stdout());
  wants.set_stderr(start.attach_stderr());
  container::v1::AttachContainerResponse attached;
  attached.mutable_attached();

  if (container.state().status() == container::v1::CONTAINER_STATUS_CREATED ||
      container.state().status() == container::v1::CONTAINER_STATUS_EXITED) {
    // In place before the (next) start, as Docker's daemon allows for
    // `start -a`: the start sees this client waiting and has the shim hold
    // the output until it arrives. Refusing a stopped container is the
    // CLI's `attach` check, as in Docker.
    int64_t starts = 0;
    {
      absl::MutexLock lock(&mu_);
      Live& live = live_[id];
      ++live.awaiting_attach;
      starts = live.starts;
    }
    const bool told = client.write(attached);
    bool started = false;
    bool stopping = false;
    while (told && !client.cancelled()) {
      absl::MutexLock lock(&mu_);
      auto changed = [this, &id, starts]() {
        mu_.AssertHeld();
        auto it = live_.find(id);
        return shutting_down_ || it == live_.end() || it->second.starts > starts;
      };
      mu_.AwaitWithTimeout(absl::Condition(&changed), kAttachPoll);
      auto it = live_.find(id);
      started = it != live_.end() && it->second.starts > starts;
      stopping = shutting_down_;
      if (started || stopping || it == live_.end()) break;
    }
    {
      absl::MutexLock lock(&mu_);
      auto it = live_.find(id);
      if (it != live_.end()) --it->second.awaiting_attach;
    }
    if (!started) {
      if (stopping) return absl::UnavailableError("containerd is stopping");
      if (!told || client.cancelled()) return absl::OkStatus();
      return absl::NotFoundError(absl::StrCat(
          "container ", id, " was removed before it started"));
    }
  } else if (!client.write(attached)) {
    return absl::OkStatus();
  }

  absl::StatusOr<shim::ShimStream> stream = shims_->Attach(PathsOf(id), wants);
  if (absl::IsUnavailable(stream.status())) {
    // The shim is gone: the container exited before we got there.
    stream = absl::FailedPreconditionError(
        "You cannot attach to a stopped container, start it first");
  }
  RETURN_IF_ERROR(stream.status());
  log_.debug("container {}: client attached", id);
  const BridgeEnd end =
      BridgeStreams(stream->fd, std::move(stream->carry), detach_keys, client);
  if (end == BridgeEnd::kShimGone) {
    // Killed rather than exited (or its stream failed): the exit is the
    // record's once the monitor has seen it.
    AwaitNextExit(id, absl::Seconds(5));
    absl::StatusOr<Container> now = Load(id);
    if (now.ok() && !HasProcess(now->state().status())) {
      container::v1::AttachContainerResponse exit;
      exit.mutable_exit()->set_exit_code(now->state().exit_code());
      exit.mutable_exit()->set_error(now->state().error());
      exit.mutable_exit()->set_oom_killed(now->state().oom_killed());
      client.write(exit);
    }
  }
  // Docker's daemon logs "detach" when the client typed the detach keys.
  if (end == BridgeEnd::kDetached) Emit(container, "detach");
  log_.debug("container {}: client detached from its stdio", id);
  return absl::OkStatus();
}

}  // namespace berth::containerd
