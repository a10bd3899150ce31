#include "services/containerd/container_supervisor.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/etc_files.h"
#include "common/failpoint.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/containerd/container_records.h"
#include "services/containerd/lifecycle/restart_policy.h"
#include "services/containerd/network_mode.h"
#include "services/containerd/shim/protocol.h"

namespace berth::containerd {

using container::v1::Container;
using container::v1::ContainerStatus;

namespace {

// The host's resolv.conf without loopback nameservers, which mean nothing
// inside the container's own network namespace.
std::string ResolvConfForContainer(bool host_network) {
  absl::StatusOr<std::string> host =
      ReadFileToString("/etc/resolv.conf", 1 << 20);
  if (!host.ok()) return "";
  if (host_network) return *host;
  return ResolvConfWithoutLoopback(*host);
}

}  // namespace

absl::Status WriteContainerFiles(
    const Container& container,
    const network::v1::AttachContainerResponse* attached) {
  ASSIGN_OR_RETURN(NetworkMode network,
                   ParseNetworkMode(container.host_config().network_mode()));
  const bool host_network = network.IsHost();
  // Rewritten at every start, so no fsync.
  RETURN_IF_ERROR(WriteFileAtomic(container.hostname_path(),
                                  HostnameFileFor(container), 0644, false));
  RETURN_IF_ERROR(WriteFileAtomic(
      container.hosts_path(),
      attached != nullptr ? attached->hosts() : HostsFileFor(container), 0644,
      false));
  return WriteFileAtomic(container.resolv_conf_path(),
                         attached != nullptr
                             ? attached->resolv_conf()
                             : ResolvConfForContainer(host_network),
                         0644, false);
}

ContainerSupervisor::ContainerSupervisor(spdlog::logger& log,
                                         SupervisorDeps deps,
                                         SupervisorOptions options)
    : log_(log),
      images_(std::move(deps.images)),
      commands_(deps.commands != nullptr ? std::move(deps.commands)
                                         : NewProcessRunner()),
      cgroup_factory_(std::move(deps.cgroups)),
      clock_(deps.clock != nullptr ? *deps.clock : RealClock()),
      options_(std::move(options)),
      execs_(deps.process_alive != nullptr
                 ? std::move(deps.process_alive)
                 : [](pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }),
      open_rootfs_(std::move(deps.open_rootfs)),
      host_stats_(deps.host_stats != nullptr ? std::move(deps.host_stats)
                                             : stats::NewProcHostStats()),
      netd_(std::move(deps.netd)),
      netns_(std::move(deps.netns)),
      volumes_(std::move(deps.volumes)),
      scheduler_(std::move(deps.scheduler)),
      shims_(std::move(deps.shims)),
      detached_execs_(std::make_unique<DetachedExecs>(
          [this](const std::string& exec_id, int code) {
            execs_.Exited(exec_id, code, clock_.Now());
            absl::StatusOr<container::v1::ExecInfo> info = execs_.Find(exec_id);
            if (info.ok()) {
              EmitExec(info->container_id(), "exec_die", exec_id,
                       {{"exitCode", std::to_string(code)}});
            }
          })),
      health_(std::make_unique<health::HealthMonitor>(
          [this](const std::string& id, const health::ProbeSettings& settings,
                 const std::function<bool()>& stopped) {
            return RunHealthProbe(id, settings, stopped);
          },
          [this](const std::string& id, absl::Time started_at,
                 const container::v1::Health& health) {
            return RecordHealth(id, started_at, health);
          })) {}

ContainerSupervisor::~ContainerSupervisor() {
  // A running task may still launch or watch a shim, and an exit may still
  // post a task: stop the tasks first (an exit's Post is dropped from then
  // on), then the exits.
  if (scheduler_ != nullptr) scheduler_->Shutdown();
  // Probes exec through the shims: they end before the shim client does
  // (and a start or exit meanwhile begins or ends no check).
  health_->Shutdown();
  detached_execs_->Shutdown();
  if (shims_ != nullptr) shims_->Shutdown();
}

absl::StatusOr<std::unique_ptr<ContainerSupervisor>> ContainerSupervisor::Open(
    Store& store, spdlog::logger& log, SupervisorDeps deps,
    SupervisorOptions options) {
  if (deps.images == nullptr || deps.shims == nullptr || !deps.cgroups ||
      deps.scheduler == nullptr) {
    return absl::InvalidArgumentError(
        "containerd's supervisor needs an image source, a shim client, a "
        "cgroup driver factory and a scheduler");
  }
  RETURN_IF_ERROR(MakeDirs(options.containers_dir));
  RETURN_IF_ERROR(MakeDirs(options.shims_dir));
  std::unique_ptr<ContainerSupervisor> supervisor(
      new ContainerSupervisor(log, std::move(deps), std::move(options)));
  ASSIGN_OR_RETURN(supervisor->records_, ContainerRecords::Load(store));
  // The daemon's own parent must work before any container is started.
  container::v1::Container probe;
  RETURN_IF_ERROR(supervisor->CgroupsOf(probe).status());
  ContainerSupervisor* self = supervisor.get();
  supervisor->shims_->SetExitHandler(
      [self](const std::string& id,
             const absl::StatusOr<shim::ExitRecord>& exit) {
        self->OnExit(id, exit);
      });
  RETURN_IF_ERROR(supervisor->Recover());
  return supervisor;
}

absl::Status ContainerSupervisor::Move(Container& container,
                                       LifecycleEvent event) {
  ASSIGN_OR_RETURN(ContainerStatus to,
                   Transition(container.state().status(), event));
  SetStatus(*container.mutable_state(), to);
  return absl::OkStatus();
}

absl::StatusOr<cgroups::CgroupDriver*> ContainerSupervisor::CgroupsOf(
    const Container& container) {
  const std::string& parent = container.host_config().cgroup_parent().empty()
                                  ? options_.cgroup_parent
                                  : container.host_config().cgroup_parent();
  absl::MutexLock lock(&drivers_mu_);
  auto it = drivers_.find(parent);
  if (it != drivers_.end()) return it->second.get();
  ASSIGN_OR_RETURN(std::unique_ptr<cgroups::CgroupDriver> driver,
                   cgroup_factory_(parent));
  cgroups::CgroupDriver* raw = driver.get();
  drivers_.emplace(parent, std::move(driver));
  return raw;
}

ContainerPaths ContainerSupervisor::PathsOf(const std::string& id) const {
  return ContainerPaths{absl::StrCat(options_.containers_dir, "/", id),
                        absl::StrCat(options_.shims_dir, "/", id, ".sock")};
}

std::shared_ptr<absl::Mutex> ContainerSupervisor::OpLock(
    const std::string& id) {
  absl::MutexLock lock(&mu_);
  return live_[id].op;
}

absl::StatusOr<Container> ContainerSupervisor::Load(const std::string& id) {
  return records_->Get(id);
}

absl::Status ContainerSupervisor::Save(const Container& container) {
  return records_->Put(container);
}

absl::Status ContainerSupervisor::Recover() {
  RemoveUnrecordedState();
  RemoveStaleNamespaces();
  // What needs imaged and netd, which may start after containerd: one task
  // (each sweep posts its own retries).
  scheduler_->Post(absl::ZeroDuration(), [this] {
    SweepUnrecordedRootfs(0);
    if (netd_ != nullptr) SweepStaleEndpoints(0);
    if (volumes_ != nullptr) SweepStaleVolumeHolders(0);
  });
  std::vector<Container> all;
  for (const ContainerRecords::Record& record : records_->Snapshot()) {
    all.push_back(*record);
  }
  for (Container& container : all) {
    const std::string& id = container.id();
    const ContainerStatus status = container.state().status();
    if (status == container::v1::CONTAINER_STATUS_REMOVING) {
      log_.info("container {}: finishing an interrupted removal", id);
      absl::Status removed =
          RemoveLocked(container, container.host_config().auto_remove());
      if (!removed.ok()) {
        log_.warn("container {}: {}", id, std::string(removed.message()));
      }
      continue;
    }
    if (status == container::v1::CONTAINER_STATUS_RESTARTING) {
      // Its restart was pending when the daemon stopped.
      scheduler_->Post(absl::ZeroDuration(), [this, id] { RestartByPolicy(id); });
      continue;
    }
    if (!HasProcess(status)) {
      EndUntrackedShim(container);
      continue;
    }
    absl::Status watched = shims_->Watch(id, PathsOf(id));
    if (watched.ok()) {
      log_.info("container {}: adopted running shim (pid {})", id,
                       container.state().shim_pid());
      RecoverPauseState(container);
      WatchHealth(container);
      continue;
    }
    if (absl::IsFailedPrecondition(watched)) {
      // A shim this containerd cannot talk to: the container may well run
      // on. Keep the record, marked, so rm -f can still end it.
      log_.error("container {}: cannot adopt its shim: {}", id,
                        std::string(watched.message()));
      absl::MutexLock lock(&mu_);
      SetStatus(*container.mutable_state(),
                container::v1::CONTAINER_STATUS_DEAD);
      container.mutable_state()->set_error(absl::StrCat(
          "containerd cannot adopt the container's shim (pid ",
          container.state().shim_pid(), "): ", watched.message(),
          "; remove the container with rm -f, which kills it"));
      RETURN_IF_ERROR(Save(container));
      continue;
    }
    if (absl::IsDeadlineExceeded(watched)) KillUnresponsiveShim(container, watched);
    // The shim is gone: the container ended while nobody listened.
    OnExit(id, watched);
  }
  // Docker brings back "always" containers, and "unless-stopped" ones a user
  // did not stop, when the daemon starts.
  for (const Container& container : all) {
    absl::StatusOr<Container> now = Load(container.id());
    if (!now.ok() || IsActive(now->state().status()) ||
        now->state().status() != container::v1::CONTAINER_STATUS_EXITED) {
      continue;
    }
    if (RestartsAtDaemonStart(now->host_config().restart_policy(),
                              now->state().manually_stopped())) {
      const std::string id = now->id();
      scheduler_->Post(absl::ZeroDuration(), [this, id] { StartAtDaemonStart(id, 0); });
    }
  }
  return absl::OkStatus();
}

void ContainerSupervisor::EndUntrackedShim(const Container& container) {
  const std::string& id = container.id();
  const ContainerPaths paths = PathsOf(id);
  absl::Status killed = shims_->Signal(paths, SIGKILL);
  // No shim (the usual case), or one whose init has exited already.
  if (absl::IsUnavailable(killed) || absl::IsFailedPrecondition(killed)) return;
  if (!killed.ok()) {
    log_.error("container {}: a shim from an interrupted start does not "
               "answer ({}); its processes are killed through the cgroup",
               id, std::string(killed.message()));
  } else {
    log_.warn("container {}: a shim from an interrupted start was running "
              "it untracked; killed, the container stays {}",
              id, std::string(StatusName(container.state().status())));
    // Let it go before anything starts the container again: a later start's
    // shim refuses a socket a live shim still holds.
    for (int i = 0; i < 500 && absl::IsFailedPrecondition(
                                   shims_->Signal(paths, 0));
         ++i) {
      absl::SleepFor(absl::Milliseconds(10));  // at most 5 s in all
    }
  }
  absl::StatusOr<cgroups::CgroupDriver*> driver = CgroupsOf(container);
  absl::Status removed = driver.ok() ? (*driver)->Remove(id) : driver.status();
  if (!removed.ok()) {
    log_.error("container {}: removing the cgroup of an untracked start: {}",
               id, std::string(removed.message()));
  }
}

absl::StatusOr<container::v1::CreateContainerResponse>
ContainerSupervisor::Create(
    const container::v1::CreateContainerRequest& request,
    const Cancelled& cancelled) {
  if (request.config().image().empty()) {
    return absl::InvalidArgumentError("no image given: create needs an image");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> warnings,
                   ValidateHostConfig(request.host_config()));
  std::string name;
  const bool generated_name = request.name().empty();
  if (!generated_name) {
    ASSIGN_OR_RETURN(name, ValidateContainerName(request.name()));
  }
  auto name_owner = [&](const std::string& candidate) -> std::optional<std::string> {
    return records_->NameOwner(candidate);
  };
  auto conflict = [](const std::string& taken, const std::string& owner) {
    return absl::AlreadyExistsError(absl::StrCat(
        "Conflict. The container name \"/", taken,
        "\" is already in use by container \"", owner,
        "\". You have to remove (or rename) that container to be able to "
        "reuse that name."));
  };
  if (!generated_name) {
    if (std::optional<std::string> owner = name_owner(name)) {
      return conflict(name, *owner);
    }
  }
  const std::string id = NewContainerId();
  {
    absl::MutexLock lock(&mu_);
    if (rootfs_sweep_pending_) created_here_.insert(id);
  }
  const ContainerPaths paths = PathsOf(id);
  // Held from the volumes' acquire to the record: the recovery sweep of
  // volume holders waits for it (container_volumes.cc).
  std::shared_ptr<absl::Mutex> op = OpLock(id);
  absl::MutexLock op_lock(op.get());
  image::v1::PrepareRootfsRequest prepare;
  prepare.set_image(request.config().image());
  prepare.set_key(id);
  prepare.set_lease(RootfsLease(id));
  (*prepare.mutable_labels())["berth.container.id"] = id;
  // In a user namespace its root owns the top of its writable layer.
  const auto host_root =
      HostRootOf(request.host_config(), options_.userns_range);
  if (host_root != std::make_pair(0u, 0u)) {
    prepare.mutable_upper_owner()->set_uid(host_root.first);
    prepare.mutable_upper_owner()->set_gid(host_root.second);
  }
  ASSIGN_OR_RETURN(const StorageLimits limits,
                   StorageLimitsOf(request.host_config()));
  prepare.set_size_limit_bytes(limits.size_bytes);
  ASSIGN_OR_RETURN(image::v1::PrepareRootfsResponse rootfs,
                   images_->PrepareRootfs(prepare));
  std::optional<std::vector<container::v1::MountPoint>> mounts;
  absl::Status created = [&]() -> absl::Status {
    RETURN_IF_ERROR(MakeDirs(paths.state_dir + "/rootfs"));
    // A generated name may be taken by a concurrent create between the
    // check and the write: the unique index refuses it, and we draw again.
    for (int attempt = 0;; ++attempt) {
      if (generated_name) {
        do {
          name = RandomContainerName(attempt);
        } while (name_owner(name).has_value() && ++attempt < 100);
      }
      ASSIGN_OR_RETURN(Container container,
                       NewContainer(request, rootfs, id, name, paths,
                                    absl::Now(),
                                    options_.default_cgroupns_mode));
      RETURN_IF_ERROR(CheckNetworks(&container));
      if (!mounts.has_value()) {
        ASSIGN_OR_RETURN(mounts, AcquireMounts(container));
        // Tests kill the daemon here: volumes held, no record yet.
        Failpoint("create-volumes-acquired");
      }
      container.mutable_mounts()->Assign(mounts->begin(), mounts->end());
      // A client that left while the record was built gets no container.
      RETURN_IF_ERROR(Abandoned(cancelled, "create", container.id()));
      // hostname, hosts and resolv.conf are written at every start.
      absl::MutexLock lock(&mu_);
      absl::Status saved = records_->Put(container);
      if (!absl::IsAlreadyExists(saved)) return saved;
      if (!generated_name || attempt >= 100) {
        return conflict(name, name_owner(name).value_or("another container"));
      }
    }
  }();
  if (!created.ok()) {
    if (volumes_ != nullptr && mounts.has_value() &&
        std::any_of(mounts->begin(), mounts->end(),
                    [](const container::v1::MountPoint& m) {
                      return m.type() == types::v1::Mount::TYPE_VOLUME;
                    })) {
      ReleaseLostVolumes(id, 0);
    }
    {
      absl::MutexLock lock(&mu_);
      live_.erase(id);
    }
    images_->RemoveRootfs(id, RootfsLease(id)).IgnoreError();
    RemoveTree(paths.state_dir).IgnoreError();
    return created;
  }
  if (absl::StatusOr<Container> made = records_->Find(id); made.ok()) {
    Emit(*made, "create");
  }
  log_.info("container {}: created as {} from {}", id, name,
                   request.config().image());
  container::v1::CreateContainerResponse response;
  response.set_id(id);
  for (std::string& warning : warnings) response.add_warnings(warning);
  return response;
}

absl::Status ContainerSupervisor::Remove(const std::string& reference,
                                         bool force,
                                         const Cancelled& cancelled,
                                         bool remove_volumes) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  RETURN_IF_ERROR(Abandoned(cancelled, "remove", found.id()));
  int64_t exits_before = 0;
  bool killed_first = false;
  if (force && HasProcess(found.state().status())) {
    // A stop in progress holds the container's operation lock for as long
    // as its timeout (stop -t 100000): kill first, so that it ends now and
    // rm -f does not wait behind it. Docker's rm -f does the same.
    {
      absl::MutexLock lock(&mu_);
      exits_before = live_[found.id()].exits;
    }
    const absl::Status killed = SignalLocked(found, SIGKILL);
    if (killed.ok()) ResumeAfterSignal(found.id(), SIGKILL);
    // A wedged shim was killed with its container by SignalLocked.
    killed_first = killed.ok() || absl::IsDeadlineExceeded(killed);
    if (!killed_first && !absl::IsFailedPrecondition(killed)) return killed;
  }
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  RETURN_IF_ERROR(Abandoned(cancelled, "remove", found.id()));
  // The exit of that kill is recorded before the record is read again.
  if (killed_first) AwaitExit(found.id(), exits_before, absl::Now() + kKillGrace);
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  if (IsActive(container.state().status())) {
    if (!force) {
      const bool paused = container.state().status() ==
                          container::v1::CONTAINER_STATUS_PAUSED;
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot remove container \"/", container.name(), "\": ",
          paused ? "container is paused and must be unpaused first"
                 : "container is running: stop the container before "
                   "removing or force remove"));
    }
    RETURN_IF_ERROR(StopLocked(container, 0, "SIGKILL"));
    ASSIGN_OR_RETURN(container, Load(found.id()));
  }
  return RemoveLocked(container, remove_volumes);
}

absl::Status ContainerSupervisor::RemoveLocked(Container container,
                                               bool remove_volumes) {
  const std::string id = container.id();
  const pid_t unadopted_shim =
      container.state().status() == container::v1::CONTAINER_STATUS_DEAD
          ? container.state().shim_pid()
          : 0;
  {
    absl::MutexLock lock(&mu_);
    RETURN_IF_ERROR(Move(container, LifecycleEvent::kRemove));
    const absl::Status marked = Save(container);
    // On a full disk the mark cannot be written, and deleting the
    // container's writable layer is what frees space: the removal goes on.
    // Should it stop before the record goes, a second rm finishes it.
    if (absl::IsResourceExhausted(marked)) {
      log_.warn("container {}: removing it without marking it first: {}", id,
                std::string(marked.message()));
    } else {
      RETURN_IF_ERROR(marked);
    }
  }
  const ContainerPaths paths = PathsOf(id);
  // A shim containerd could not adopt still holds its container: end both
  // before the rootfs goes.
  absl::Status cleaned = shims_->KillShim(unadopted_shim);
  // Its exit released the network already, unless it ran until now (its
  // record holds the namespace) or containerd died before that exit was
  // seen (the namespace is still bound).
  if (!container.network_settings().sandbox_key().empty() ||
      (netns_ != nullptr && netns_->List().count(id) > 0)) {
    ReleaseNetwork(container);
  }
  // The shim removes the cgroup when the init exits; this catches a shim
  // that died first, in the container's own cgroup parent.
  absl::StatusOr<cgroups::CgroupDriver*> driver = CgroupsOf(container);
  absl::Status cgroup =
      driver.ok() ? (*driver)->Remove(id) : driver.status();
  if (cleaned.ok()) cleaned = cgroup;
  if (cleaned.ok()) {
    cleaned = images_->RemoveRootfs(container.rootfs_key(), RootfsLease(id));
  }
  unlink(paths.socket_path.c_str());
  if (cleaned.ok()) cleaned = RemoveTree(paths.state_dir);
  // Last: until the container is gone its volumes stay held. volumed away
  // (it starts after containerd in berthd) does not keep the container:
  // its volumes are let go once volumed answers, or by the next start's
  // sweep.
  if (cleaned.ok()) {
    absl::Status released = ReleaseVolumes(container, remove_volumes);
    if (absl::IsUnavailable(released) || absl::IsDeadlineExceeded(released)) {
      log_.warn("container {}: volumed does not answer ({}); its volumes are "
                "let go later",
                id, std::string(released.message()));
      scheduler_->Post(absl::Milliseconds(250), [this, id, remove_volumes] {
        ReleaseLostVolumes(id, 0, remove_volumes);
      });
    } else {
      cleaned = released;
    }
  }
  absl::MutexLock lock(&mu_);
  if (!cleaned.ok()) {
    Move(container, LifecycleEvent::kRemoveFailed).IgnoreError();
    container.mutable_state()->set_error(std::string(cleaned.message()));
    absl::Status saved = Save(container);
    if (!saved.ok()) {
      log_.error("container {}: recording the failed removal: {}", id,
                        std::string(saved.message()));
    }
    return Annotate(cleaned, absl::StrCat("removing container ", id));
  }
  RETURN_IF_ERROR(records_->Delete(id));
  execs_.Forget(id);
  health_->End(id);
  container::v1::WaitContainerResponse last;
  last.set_exit_code(container.state().exit_code());
  last.set_error(container.state().error());
  last.set_oom_killed(container.state().oom_killed());
  removed_[id] = last;
  if (removed_.size() > 1000) removed_.erase(removed_.begin());
  live_.erase(id);
  Emit(container, "destroy");
  log_.info("container {}: removed", id);
  return absl::OkStatus();
}

absl::Status ContainerSupervisor::Rename(const std::string& reference,
                                         const std::string& new_name) {
  ASSIGN_OR_RETURN(std::string name, ValidateContainerName(new_name));
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  if (container.name() == name) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Renaming a container with the same name as its current name"));
  }
  std::optional<std::string> owner = records_->NameOwner(name);
  if (owner.has_value()) {
    return absl::AlreadyExistsError(absl::StrCat(
        "Conflict. The container name \"/", name,
        "\" is already in use by container \"", *owner,
        "\". You have to remove (or rename) that container to be able to "
        "reuse that name."));
  }
  const std::string old_name = container.name();
  container.set_name(name);
  RETURN_IF_ERROR(Save(container));
  Emit(container, "rename", {{"oldName", absl::StrCat("/", old_name)}});
  return absl::OkStatus();
}

}  // namespace berth::containerd
