// Starting, stopping and waiting for containers, and what happens when one
// exits (restart policy, auto-removal).
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/containerd/container_records.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd {

using container::v1::Container;
using container::v1::ContainerStatus;
using container::v1::RestartPolicy;

namespace {

constexpr absl::Duration kShimStartTimeout = absl::Seconds(60);
constexpr absl::Duration kKillGrace = absl::Seconds(30);
constexpr absl::Duration kMaxBackoff = absl::Minutes(1);
constexpr int kDefaultStopTimeout = 10;

bool IsRunning(const Container& container) {
  const ContainerStatus status = container.state().status();
  return status == container::v1::CONTAINER_STATUS_RUNNING ||
         status == container::v1::CONTAINER_STATUS_PAUSED;
}

}  // namespace

absl::Status ContainerSupervisor::Start(const std::string& reference) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  if (IsRunning(container)) return absl::OkStatus();
  const ContainerStatus status = container.state().status();
  if (status == container::v1::CONTAINER_STATUS_REMOVING ||
      status == container::v1::CONTAINER_STATUS_DEAD) {
    return absl::FailedPreconditionError(absl::StrCat(
        "container ", container.id(), " is marked for removal and cannot be "
        "started"));
  }
  return StartLocked(container, /*by_policy=*/false);
}

absl::Status ContainerSupervisor::StartLocked(Container container,
                                              bool by_policy) {
  const std::string id = container.id();
  const ContainerPaths paths = PathsOf(id);
  // The record knows its overlay since create; records older than that
  // ask imaged.
  container::v1::GraphDriver graph = container.graph_driver();
  if (graph.mount_options().empty()) {
    ASSIGN_OR_RETURN(image::v1::InspectRootfsResponse rootfs,
                     images_->InspectRootfs(container.rootfs_key()));
    graph.set_mount_options(rootfs.rootfs().mount().options());
    graph.set_upper_dir(rootfs.rootfs().mount().upper_dir());
  }
  ASSIGN_OR_RETURN(shim::ShimSpec spec,
                   BuildShimSpec(container, graph.mount_options(), paths,
                                 options_.cgroup_parent, options_.userns_range));
  RETURN_IF_ERROR(MakeDirs(spec.rootfs_dir));
  RETURN_IF_ERROR(WriteContainerFiles(container));
  if (!spec.uid_map.empty()) {
    // In its user namespace the container's root is a host user without
    // rights on root's files: the top of its writable layer and the files
    // bound into its /etc become that user's (the image layers are idmapped
    // by the shim instead).
    const auto [uid, gid] = HostRootOf(spec);
    for (const std::string& path :
         {graph.upper_dir(), container.hostname_path(),
          container.hosts_path(), container.resolv_conf_path()}) {
      if (lchown(path.c_str(), uid, gid) != 0) {
        return ErrnoStatus(errno, "chown for the user namespace", path);
      }
    }
  }
  if (spec.seccomp == "default" || spec.seccomp == "profile") {
    ASSIGN_OR_RETURN(std::string filter, seccomp_.Compiled(spec));
    RETURN_IF_ERROR(WriteFileAtomic(
        absl::StrCat(paths.state_dir, "/", shim::kSeccompFile), filter, 0600,
        false));
    spec.seccomp = "compiled";
    spec.seccomp_profile_json.clear();
  }
  // Written before every start: no fsync needed.
  RETURN_IF_ERROR(
      WriteFileAtomic(absl::StrCat(paths.state_dir, "/", shim::kSpecFile),
                      shim::SerializeShimSpec(spec), 0644, false));
  unlink(absl::StrCat(paths.state_dir, "/", shim::kExitFile).c_str());

  absl::StatusOr<shim::LaunchedShim> launched =
      shim::LaunchShim(options_.shim_path, paths.state_dir, kShimStartTimeout);
  absl::MutexLock lock(&mu_);
  container::v1::ContainerState* state = container.mutable_state();
  if (!launched.ok()) {
    // Docker keeps the container (created or exited) with the failure.
    const int code = absl::IsNotFound(launched.status())           ? 127
                     : absl::IsPermissionDenied(launched.status()) ? 126
                                                                   : 125;
    state->set_exit_code(code);
    state->set_error(std::string(launched.status().message()));
    if (by_policy || state->status() ==
                         container::v1::CONTAINER_STATUS_RESTARTING) {
      state->set_status(container::v1::CONTAINER_STATUS_EXITED);
    }
    *state->mutable_finished_at() = ToTimestamp(absl::Now());
    Save(container).IgnoreError();
    core_.log().warn("container {}: start failed: {}", id,
                     std::string(launched.status().message()));
    return absl::FailedPreconditionError(launched.status().message());
  }
  state->set_status(container::v1::CONTAINER_STATUS_RUNNING);
  state->set_running(true);
  state->set_paused(false);
  state->set_restarting(false);
  state->set_pid(launched->init_pid);
  state->set_shim_pid(launched->shim_pid);
  state->set_exit_code(0);
  state->set_error("");
  state->set_oom_killed(false);
  state->set_manually_stopped(false);
  *state->mutable_started_at() = ToTimestamp(absl::Now());
  if (!by_policy) {
    container.set_restart_count(0);
    live_[id].backoff = absl::ZeroDuration();
  }
  RETURN_IF_ERROR(Save(container));
  absl::Status watched = monitor_->Watch(id, paths.socket_path);
  if (!watched.ok()) {
    // It already ended (a very short command): the record is on disk.
    mu_.Unlock();
    OnExit(id, watched);
    mu_.Lock();
  }
  core_.log().info("container {}: started (pid {})", id, launched->init_pid);
  return absl::OkStatus();
}

void ContainerSupervisor::OnExit(const std::string& id,
                                 const absl::StatusOr<shim::ExitRecord>& exit) {
  const std::string exit_file =
      absl::StrCat(PathsOf(id).state_dir, "/", shim::kExitFile);
  absl::StatusOr<shim::ExitRecord> record = shim::ReadExitRecord(exit_file);
  if (!record.ok()) {
    if (exit.ok()) {
      record = exit;
    } else {
      shim::ExitRecord lost;
      lost.exit_code = 137;
      lost.finished_at = absl::Now();
      lost.error = "the container's shim exited unexpectedly";
      record = lost;
    }
  }
  bool restart = false;
  bool remove = false;
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<Container> loaded = Load(id);
    if (!loaded.ok()) return;
    Container container = *loaded;
    if (!IsRunning(container)) return;  // already accounted for
    container::v1::ContainerState* state = container.mutable_state();
    state->set_status(container::v1::CONTAINER_STATUS_EXITED);
    state->set_running(false);
    state->set_paused(false);
    state->set_pid(0);
    state->set_shim_pid(0);
    state->set_exit_code(record->exit_code);
    state->set_oom_killed(record->oom_killed);
    state->set_error(record->error);
    *state->mutable_finished_at() = ToTimestamp(record->finished_at);

    const RestartPolicy& policy = container.host_config().restart_policy();
    if (!state->manually_stopped() && record->error.empty()) {
      switch (policy.name()) {
        case RestartPolicy::NAME_ALWAYS:
        case RestartPolicy::NAME_UNLESS_STOPPED:
          restart = true;
          break;
        case RestartPolicy::NAME_ON_FAILURE:
          restart = record->exit_code != 0 &&
                    (policy.maximum_retry_count() == 0 ||
                     container.restart_count() < policy.maximum_retry_count());
          break;
        default:
          break;
      }
    }
    Live& live = live_[id];
    ++live.exits;
    if (restart) {
      // Docker's backoff: 100 ms doubling up to a minute, reset by a run
      // that lasted 10 seconds.
      const absl::Duration ran =
          record->finished_at - FromTimestamp(state->started_at());
      live.backoff = ran >= absl::Seconds(10) || live.backoff == absl::ZeroDuration()
                         ? absl::Milliseconds(100)
                         : std::min(live.backoff * 2, kMaxBackoff);
      delay = live.backoff;
      state->set_status(container::v1::CONTAINER_STATUS_RESTARTING);
      state->set_restarting(true);
      container.set_restart_count(container.restart_count() + 1);
    } else {
      remove = container.host_config().auto_remove();
    }
    Save(container).IgnoreError();
    core_.log().info("container {}: exited with {}{}", id, record->exit_code,
                     restart ? ", restarting" : "");
  }
  if (restart) {
    tasks_->Post(delay, [this, id] { RestartByPolicy(id); });
  } else if (remove) {
    tasks_->Post(absl::ZeroDuration(), [this, id] {
      absl::Status removed = Remove(id, /*force=*/true);
      if (!removed.ok() && !absl::IsNotFound(removed)) {
        core_.log().warn("container {}: auto-remove failed: {}", id,
                         std::string(removed.message()));
      }
    });
  }
}

void ContainerSupervisor::RestartByPolicy(const std::string& id) {
  std::shared_ptr<absl::Mutex> op = OpLock(id);
  absl::MutexLock op_lock(op.get());
  absl::StatusOr<Container> container = Load(id);
  if (!container.ok() || container->state().status() !=
                             container::v1::CONTAINER_STATUS_RESTARTING) {
    return;
  }
  absl::Status started = StartLocked(*container, /*by_policy=*/true);
  if (!started.ok()) {
    core_.log().warn("container {}: restart failed: {}", id,
                     std::string(started.message()));
  }
}

absl::Status ContainerSupervisor::SignalLocked(const Container& container,
                                               int signal) {
  absl::Status sent = shim::SignalShim(PathsOf(container.id()).socket_path,
                                       signal);
  // A shim that is gone means the container is exiting; the monitor will
  // record it.
  if (absl::IsUnavailable(sent)) return absl::OkStatus();
  return sent;
}

bool ContainerSupervisor::AwaitExit(const std::string& id, int64_t exits,
                                    absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto exited = [this, &id, exits]() {
    mu_.AssertHeld();
    auto it = live_.find(id);
    return it == live_.end() || it->second.exits > exits;
  };
  return mu_.AwaitWithDeadline(absl::Condition(&exited), deadline);
}

void ContainerSupervisor::AwaitNextExit(const std::string& id,
                                        absl::Duration at_most) {
  absl::MutexLock lock(&mu_);
  auto it = live_.find(id);
  const int64_t exits = it == live_.end() ? 0 : it->second.exits;
  auto changed = [this, &id, exits]() {
    mu_.AssertHeld();
    auto now = live_.find(id);
    return now != live_.end() && now->second.exits > exits;
  };
  mu_.AwaitWithTimeout(absl::Condition(&changed), at_most);
}

absl::Status ContainerSupervisor::StopLocked(const Container& container,
                                             std::optional<int> timeout,
                                             const std::string& signal) {
  const std::string id = container.id();
  int64_t exits = 0;
  {
    absl::MutexLock lock(&mu_);
    exits = live_[id].exits;
    absl::StatusOr<Container> current = Load(id);
    if (!current.ok()) return current.status();
    Container updated = *current;
    updated.mutable_state()->set_manually_stopped(true);
    if (updated.state().status() ==
        container::v1::CONTAINER_STATUS_RESTARTING) {
      // Waiting for its next attempt: stopping just cancels that.
      updated.mutable_state()->set_status(
          container::v1::CONTAINER_STATUS_EXITED);
      updated.mutable_state()->set_restarting(false);
      return Save(updated);
    }
    RETURN_IF_ERROR(Save(updated));
  }
  if (!IsRunning(container)) return absl::OkStatus();
  std::string signal_name = signal;
  if (signal_name.empty()) signal_name = container.config().stop_signal();
  if (signal_name.empty()) signal_name = "SIGTERM";
  ASSIGN_OR_RETURN(int number, ParseSignal(signal_name));
  int seconds = timeout.has_value() ? *timeout
                : container.config().has_stop_timeout()
                    ? container.config().stop_timeout()
                    : kDefaultStopTimeout;
  if (number != SIGKILL) {
    RETURN_IF_ERROR(SignalLocked(container, number));
    const absl::Time deadline = seconds < 0 ? absl::InfiniteFuture()
                                            : absl::Now() + absl::Seconds(seconds);
    if (AwaitExit(id, exits, deadline)) return absl::OkStatus();
    core_.log().info("container {}: did not stop within {}s, killing", id,
                     seconds);
  }
  RETURN_IF_ERROR(SignalLocked(container, SIGKILL));
  if (AwaitExit(id, exits, absl::Now() + kKillGrace)) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(
      "container ", id, " did not exit after SIGKILL within ",
      absl::FormatDuration(kKillGrace)));
}

absl::Status ContainerSupervisor::Stop(const std::string& reference,
                                       std::optional<int> timeout,
                                       const std::string& signal) {
  if (!signal.empty()) RETURN_IF_ERROR(ParseSignal(signal).status());
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  return StopLocked(container, timeout, signal);
}

absl::Status ContainerSupervisor::Kill(const std::string& reference,
                                       const std::string& signal) {
  ASSIGN_OR_RETURN(int number, ParseSignal(signal.empty() ? "SIGKILL" : signal));
  ASSIGN_OR_RETURN(Container container, records_->Find(reference));
  if (!IsRunning(container)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot kill container: ", reference, ": container ", container.id(),
        " is not running"));
  }
  if (number == SIGKILL || number == SIGTERM) {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<Container> current = Load(container.id());
    if (current.ok()) {
      current->mutable_state()->set_manually_stopped(true);
      Save(*current).IgnoreError();
    }
  }
  return SignalLocked(container, number);
}

absl::Status ContainerSupervisor::Restart(const std::string& reference,
                                          std::optional<int> timeout,
                                          const std::string& signal) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  RETURN_IF_ERROR(StopLocked(container, timeout, signal));
  ASSIGN_OR_RETURN(container, Load(found.id()));
  return StartLocked(container, /*by_policy=*/false);
}

absl::StatusOr<container::v1::WaitContainerResponse> ContainerSupervisor::Wait(
    const std::string& reference, container::v1::WaitCondition condition,
    const Cancelled& cancelled) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  const std::string id = found.id();
  int64_t exits = 0;
  {
    absl::MutexLock lock(&mu_);
    exits = live_[id].exits;
  }
  if (condition == container::v1::WAIT_CONDITION_NEXT_EXIT &&
      !IsRunning(found)) {
    return absl::FailedPreconditionError(
        absl::StrCat("container ", id, " is not running"));
  }
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      absl::StatusOr<Container> current = Load(id);
      container::v1::WaitContainerResponse response;
      if (!current.ok()) {
        auto it = removed_.find(id);
        if (it != removed_.end()) return it->second;
        return current.status();
      }
      response.set_exit_code(current->state().exit_code());
      response.set_error(current->state().error());
      response.set_oom_killed(current->state().oom_killed());
      const ContainerStatus status = current->state().status();
      const bool done =
          condition == container::v1::WAIT_CONDITION_REMOVED ? false
          : condition == container::v1::WAIT_CONDITION_NEXT_EXIT
              ? live_[id].exits > exits &&
                    status != container::v1::CONTAINER_STATUS_RESTARTING
              : status != container::v1::CONTAINER_STATUS_RUNNING &&
                    status != container::v1::CONTAINER_STATUS_PAUSED &&
                    status != container::v1::CONTAINER_STATUS_RESTARTING;
      if (done) return response;
      const int64_t seen = live_[id].exits;
      auto changed = [this, &id, seen]() {
        mu_.AssertHeld();
        auto it = live_.find(id);
        return it == live_.end() || it->second.exits != seen;
      };
      mu_.AwaitWithTimeout(absl::Condition(&changed), absl::Milliseconds(200));
    }
    if (cancelled && cancelled()) {
      return absl::CancelledError("wait cancelled by the client");
    }
  }
}

}  // namespace berth::containerd
