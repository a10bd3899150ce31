// Starting, stopping and waiting for containers, and what happens when one
// exits (restart policy, auto-removal). Every status change goes through the
// lifecycle state machine (Move).
#include <signal.h>
#include <unistd.h>

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/failpoint.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/containerd/container_records.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/lifecycle/restart_policy.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd {

using container::v1::Container;
using container::v1::ContainerStatus;

namespace {

constexpr absl::Duration kMaxPersistRetry = absl::Seconds(30);
constexpr int kDefaultStopTimeout = 10;

}  // namespace

absl::Status Abandoned(const ContainerSupervisor::Cancelled& cancelled,
                       absl::string_view operation, const std::string& id) {
  if (cancelled == nullptr || !cancelled()) return absl::OkStatus();
  return absl::CancelledError(absl::StrCat(
      "the client of ", operation, " ", id,
      " went away before it ran; nothing was changed"));
}

absl::Status ContainerSupervisor::Start(const std::string& reference,
                                        const Cancelled& cancelled) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  RETURN_IF_ERROR(Abandoned(cancelled, "start", found.id()));
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  const ContainerStatus status = container.state().status();
  if (status == container::v1::CONTAINER_STATUS_PAUSED) {
    return absl::FailedPreconditionError(
        "cannot start a paused container, try unpause instead");
  }
  if (HasProcess(status)) return absl::OkStatus();
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
  // Refused before anything is written or launched.
  RETURN_IF_ERROR(
      Transition(container.state().status(), LifecycleEvent::kLaunched)
          .status());
  // A new run has no exec sessions of the last one (Docker forgets them).
  execs_.Forget(id);
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
  {
    absl::MutexLock lock(&mu_);
    spec.set_await_attach(live_[id].awaiting_attach > 0);
  }
  RETURN_IF_ERROR(MakeDirs(spec.rootfs_dir()));
  RETURN_IF_ERROR(PrepareBindSources(container));
  ASSIGN_OR_RETURN(const StartNetwork network,
                   PrepareNetwork(container, spec));
  // Until the start is recorded, a failure gives the network back (after
  // mu_ below is released: the cleanup is declared first).
  bool recorded = false;
  absl::Cleanup release_network = [&] {
    if (network.attached && !recorded) ReleaseNetwork(container);
  };
  RETURN_IF_ERROR(WriteContainerFiles(
      container, network.files.has_value() ? &*network.files : nullptr));
  if (!spec.uid_map().empty()) {
    // In its user namespace the container's root is a host user without
    // rights on root's files: the files bound into its /etc become that
    // user's (imaged made it the owner of the writable layer at create; the
    // image layers are idmapped by the shim).
    const auto [uid, gid] =
        HostRootOf(container.host_config(), options_.userns_range);
    for (const std::string& path :
         {container.hostname_path(), container.hosts_path(),
          container.resolv_conf_path()}) {
      if (lchown(path.c_str(), uid, gid) != 0) {
        return ErrnoStatus(errno, "chown for the user namespace", path);
      }
    }
  }
  ::berth::shim::v1::Confinement* confinement = spec.mutable_confinement();
  if (confinement->seccomp() == ::berth::shim::v1::SECCOMP_MODE_DEFAULT ||
      confinement->seccomp() == ::berth::shim::v1::SECCOMP_MODE_PROFILE) {
    ASSIGN_OR_RETURN(std::string filter, seccomp_.Compiled(spec));
    RETURN_IF_ERROR(WriteFileAtomic(
        absl::StrCat(paths.state_dir, "/", shim::kSeccompFile), filter, 0600,
        false));
    confinement->set_seccomp(::berth::shim::v1::SECCOMP_MODE_COMPILED);
    confinement->clear_seccomp_profile_json();
  }
  // Written before every start: no fsync needed.
  RETURN_IF_ERROR(
      WriteFileAtomic(absl::StrCat(paths.state_dir, "/", shim::kSpecFile),
                      shim::SerializeShimSpec(spec), 0644, false));
  unlink(absl::StrCat(paths.state_dir, "/", shim::kExitFile).c_str());

  Failpoint("start-prepared");
  absl::StatusOr<shim::LaunchedShim> launched = shims_->Launch(paths);
  if (absl::IsDeadlineExceeded(launched.status())) {
    // The shim was killed; its container may have got as far as its
    // cgroup.
    absl::StatusOr<cgroups::CgroupDriver*> driver = CgroupsOf(container);
    absl::Status removed = driver.ok() ? (*driver)->Remove(id) : driver.status();
    if (!removed.ok()) {
      log_.error("container {}: cleaning up after a shim that did "
                        "not start in time: {}", id,
                        std::string(removed.message()));
    }
  }
  // The shim runs the container; nothing has recorded it yet.
  if (launched.ok()) Failpoint("start-launched");
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_.Now();
  auto record_failure = [&](const absl::Status& failure) {
    // Docker keeps the container (created or exited) with the failure.
    container::v1::ContainerState* state = container.mutable_state();
    state->set_exit_code(runtime::ExitCodeForStartError(failure));
    state->set_error(std::string(failure.message()));
    Move(container, LifecycleEvent::kLaunchFailed).IgnoreError();
    *state->mutable_finished_at() = ToTimestamp(now);
    absl::Status saved = Save(container);
    if (!saved.ok()) {
      log_.error("container {}: recording the failed start: {}", id,
                        std::string(saved.message()));
    }
    log_.warn("container {}: start failed: {}", id,
                     std::string(failure.message()));
  };
  if (!launched.ok()) {
    record_failure(launched.status());
    return absl::FailedPreconditionError(launched.status().message());
  }
  const Container before = container;
  RETURN_IF_ERROR(Move(container, LifecycleEvent::kLaunched));
  container::v1::ContainerState* state = container.mutable_state();
  state->set_pid(launched->init_pid);
  state->set_shim_pid(launched->shim_pid);
  state->set_exit_code(0);
  state->set_error("");
  state->set_oom_killed(false);
  state->set_manually_stopped(false);
  *state->mutable_started_at() = ToTimestamp(now);
  if (network.attached) {
    RecordAttachment(*network.files, netns_->PathOf(id), &container);
  }
  if (health::SettingsOf(container.config().healthcheck()).has_value()) {
    *state->mutable_health() = health::StartingHealth();
  } else {
    state->clear_health();
  }
  if (!by_policy) container.set_restart_count(0);
  absl::Status saved = Save(container);
  if (!saved.ok()) {
    // Nothing would track a container whose start is not recorded: end it.
    mu_.Unlock();
    KillUnresponsiveShim(container, saved);
    mu_.Lock();
    container = before;
    const absl::Status failure = Annotate(saved, "recording the start");
    record_failure(failure);
    return failure;
  }
  recorded = true;
  if (!by_policy) live_[id].backoff = absl::ZeroDuration();
  ++live_[id].starts;  // wakes clients waiting to attach
  Failpoint("start-recorded");
  absl::Status watched = shims_->Watch(id, paths);
  if (!watched.ok()) {
    // It already ended (a very short command): the record is on disk.
    mu_.Unlock();
    if (absl::IsDeadlineExceeded(watched)) {
      KillUnresponsiveShim(container, watched);
    }
    OnExit(id, watched);
    mu_.Lock();
  }
  WatchHealth(container);
  Emit(container, "start");
  log_.info("container {}: started (pid {})", id, launched->init_pid);
  return absl::OkStatus();
}

void ContainerSupervisor::OnExit(const std::string& id,
                                 const absl::StatusOr<shim::ExitRecord>& exit) {
  health_->End(id);
  absl::StatusOr<shim::ExitRecord> record = shims_->ReadExit(PathsOf(id));
  {
    // The network goes before the exit is recorded: until then no start
    // can begin that would make the container's namespace again.
    absl::StatusOr<Container> ran = Load(id);
    if (ran.ok() && HasProcess(ran->state().status())) ReleaseNetwork(*ran);
  }
  bool restart = false;
  bool remove = false;
  absl::Duration delay;
  {
    absl::MutexLock lock(&mu_);
    Live& live = live_[id];
    if (!record.ok()) {
      if (exit.ok()) {
        record = exit;
      } else {
        shim::ExitRecord lost;
        lost.exit_code = 137;
        lost.finished_at = clock_.Now();
        lost.error = live.shim_killed.empty()
                         ? "the container's shim exited unexpectedly"
                         : live.shim_killed;
        record = lost;
      }
    }
    live.shim_killed.clear();
    absl::StatusOr<Container> loaded = Load(id);
    if (!loaded.ok()) return;
    Container container = *loaded;
    if (!HasProcess(container.state().status())) return;  // accounted for
    container::v1::ContainerState* state = container.mutable_state();
    ExitFacts facts;
    facts.exit_code = record->exit_code;
    facts.start_error = !record->error.empty();
    facts.manually_stopped = state->manually_stopped();
    facts.restart_count = container.restart_count();
    facts.ran = record->finished_at - FromTimestamp(state->started_at());
    const RestartDecision decision = DecideRestart(
        container.host_config().restart_policy(), facts, live.backoff);
    restart = decision.restart;
    Move(container, restart ? LifecycleEvent::kBackoff : LifecycleEvent::kExited)
        .IgnoreError();  // allowed from running and paused, checked above
    state->set_pid(0);
    state->set_shim_pid(0);
    ForgetAttachment(&container);
    state->set_exit_code(record->exit_code);
    state->set_oom_killed(record->oom_killed);
    state->set_error(record->error);
    *state->mutable_finished_at() = ToTimestamp(record->finished_at);
    ++live.exits;
    if (restart) {
      live.backoff = decision.delay;
      delay = decision.delay;
      container.set_restart_count(container.restart_count() + 1);
    } else {
      remove = container.host_config().auto_remove();
    }
    absl::Status saved = Save(container);
    if (!saved.ok()) {
      // The shim's exit record stays the authority on disk (recovery reads
      // it); meanwhile the copy in memory tells waiters the truth, and the
      // write is tried again.
      log_.error("container {}: recording its exit: {}; retrying", id,
                        std::string(saved.message()));
      records_->PutInMemory(container);
      if (live.persist_retry == absl::ZeroDuration()) {
        live.persist_retry = absl::Seconds(1);
        scheduler_->Post(live.persist_retry, [this, id] { PersistExit(id); });
      }
    }
    Emit(container, "die",
         {{"exitCode", std::to_string(record->exit_code)},
          {"execDuration", std::to_string(absl::ToInt64Seconds(facts.ran))}});
    log_.info("container {}: exited with {}{}", id, record->exit_code,
                     restart ? ", restarting" : "");
  }
  if (restart) {
    scheduler_->Post(delay, [this, id] { RestartByPolicy(id); });
  } else if (remove) {
    scheduler_->Post(absl::ZeroDuration(), [this, id] {
      absl::Status removed =
          Remove(id, /*force=*/true, nullptr, /*remove_volumes=*/true);
      if (!removed.ok() && !absl::IsNotFound(removed)) {
        log_.warn("container {}: auto-remove failed: {}", id,
                         std::string(removed.message()));
      }
    });
  }
}

void ContainerSupervisor::PersistExit(const std::string& id) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Container> current = Load(id);
  Live& live = live_[id];
  if (!current.ok()) {
    live.persist_retry = absl::ZeroDuration();
    return;
  }
  absl::Status saved = Save(*current);
  if (saved.ok()) {
    live.persist_retry = absl::ZeroDuration();
    log_.info("container {}: its exit is recorded now", id);
    return;
  }
  live.persist_retry = std::min(live.persist_retry * 2, kMaxPersistRetry);
  scheduler_->Post(live.persist_retry, [this, id] { PersistExit(id); });
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
    log_.warn("container {}: restart failed: {}", id,
                     std::string(started.message()));
  }
}

void ContainerSupervisor::KillUnresponsiveShim(const Container& container,
                                               const absl::Status& why) {
  const std::string& id = container.id();
  const std::string reason = absl::StrCat(
      "the container's shim did not answer (", why.message(),
      "): it was killed, and the container with it");
  log_.error("container {}: {}", id, reason);
  {
    absl::MutexLock lock(&mu_);
    live_[id].shim_killed = reason;
  }
  absl::Status killed = shims_->KillShim(container.state().shim_pid());
  absl::StatusOr<cgroups::CgroupDriver*> driver = CgroupsOf(container);
  absl::Status removed = driver.ok() ? (*driver)->Remove(id) : driver.status();
  for (const absl::Status& status : {killed, removed}) {
    if (!status.ok()) {
      log_.error("container {}: killing it: {}", id,
                        std::string(status.message()));
    }
  }
}

absl::Status ContainerSupervisor::SignalLocked(const Container& container,
                                               int signal) {
  // Published before the signal goes: the exit it causes may be recorded
  // (and its die published) before Signal returns.
  Emit(container, "kill", {{"signal", std::to_string(signal)}});
  absl::Status sent = shims_->Signal(PathsOf(container.id()), signal);
  // A shim that is gone means the container is exiting; the monitor will
  // record it.
  if (absl::IsUnavailable(sent)) return absl::OkStatus();
  if (absl::IsDeadlineExceeded(sent)) {
    // Never wait on a wedged shim: kill it and the container (the exit
    // follows through the monitor), and say so.
    KillUnresponsiveShim(container, sent);
    return absl::DeadlineExceededError(absl::StrCat(
        "the shim of container ", container.id(), " did not answer (",
        sent.message(), "): it was killed, and the container with it"));
  }
  return sent;
}

void ContainerSupervisor::BeginShutdown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
}

bool ContainerSupervisor::AwaitExit(const std::string& id, int64_t exits,
                                    absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto exited = [this, &id, exits]() {
    mu_.AssertHeld();
    auto it = live_.find(id);
    return it == live_.end() || it->second.exits > exits;
  };
  auto exited_or_stopping = [this, &exited]() {
    mu_.AssertHeld();
    return shutting_down_ || exited();
  };
  mu_.AwaitWithDeadline(absl::Condition(&exited_or_stopping), deadline);
  return exited();
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
      RETURN_IF_ERROR(Move(updated, LifecycleEvent::kCancelRestart));
      return Save(updated);
    }
    RETURN_IF_ERROR(Save(updated));
  }
  if (!HasProcess(container.state().status())) return absl::OkStatus();
  std::string signal_name = signal;
  if (signal_name.empty()) signal_name = container.config().stop_signal();
  if (signal_name.empty()) signal_name = "SIGTERM";
  ASSIGN_OR_RETURN(int number, ParseSignal(signal_name));
  int seconds = timeout.has_value() ? *timeout
                : container.config().has_stop_timeout()
                    ? container.config().stop_timeout()
                    : kDefaultStopTimeout;
  // A shim that did not answer was killed with its container: then only
  // its exit remains to be seen.
  auto signal_or_killed = [&](int number) {
    absl::Status sent = SignalLocked(container, number);
    if (sent.ok()) ResumeAfterSignal(id, number);
    return absl::IsDeadlineExceeded(sent) ? absl::OkStatus() : sent;
  };
  auto stopping = [&]() -> absl::Status {
    absl::MutexLock lock(&mu_);
    if (!shutting_down_) return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat(
        "containerd is shutting down: container ", id,
        " was signalled but not seen to stop; stop it again once containerd "
        "is back"));
  };
  if (number != SIGKILL) {
    RETURN_IF_ERROR(signal_or_killed(number));
    const absl::Time deadline = seconds < 0 ? absl::InfiniteFuture()
                                            : absl::Now() + absl::Seconds(seconds);
    if (AwaitExit(id, exits, deadline)) return absl::OkStatus();
    RETURN_IF_ERROR(stopping());
    log_.info("container {}: did not stop within {}s, killing", id,
                     seconds);
  }
  RETURN_IF_ERROR(signal_or_killed(SIGKILL));
  if (AwaitExit(id, exits, absl::Now() + kKillGrace)) return absl::OkStatus();
  RETURN_IF_ERROR(stopping());
  return absl::InternalError(absl::StrCat(
      "container ", id, " did not exit after SIGKILL within ",
      absl::FormatDuration(kKillGrace)));
}

absl::Status ContainerSupervisor::Stop(const std::string& reference,
                                       std::optional<int> timeout,
                                       const std::string& signal,
                                       const Cancelled& cancelled) {
  if (!signal.empty()) RETURN_IF_ERROR(ParseSignal(signal).status());
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  RETURN_IF_ERROR(Abandoned(cancelled, "stop", found.id()));
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  RETURN_IF_ERROR(StopLocked(container, timeout, signal));
  if (HasProcess(container.state().status())) Emit(container, "stop");
  return absl::OkStatus();
}

absl::Status ContainerSupervisor::Kill(const std::string& reference,
                                       const std::string& signal) {
  ASSIGN_OR_RETURN(int number, ParseSignal(signal.empty() ? "SIGKILL" : signal));
  ASSIGN_OR_RETURN(Container container, records_->Find(reference));
  if (!HasProcess(container.state().status())) {
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
  RETURN_IF_ERROR(SignalLocked(container, number));
  ResumeAfterSignal(container.id(), number);
  return absl::OkStatus();
}

absl::Status ContainerSupervisor::Restart(const std::string& reference,
                                          std::optional<int> timeout,
                                          const std::string& signal,
                                          const Cancelled& cancelled) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  RETURN_IF_ERROR(Abandoned(cancelled, "restart", found.id()));
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  RETURN_IF_ERROR(StopLocked(container, timeout, signal));
  if (HasProcess(container.state().status())) Emit(container, "stop");
  ASSIGN_OR_RETURN(container, Load(found.id()));
  RETURN_IF_ERROR(StartLocked(container, /*by_policy=*/false));
  Emit(container, "restart");
  return absl::OkStatus();
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
      !HasProcess(found.state().status())) {
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
              : !IsActive(status);
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
