#include "services/containerd/container_supervisor.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/containerd/container_records.h"
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
  std::string result;
  for (absl::string_view line : absl::StrSplit(*host, '\n')) {
    if (absl::StartsWith(line, "nameserver 127.") ||
        absl::StartsWith(line, "nameserver ::1")) {
      continue;
    }
    if (line.empty()) continue;
    absl::StrAppend(&result, line, "\n");
  }
  return result;
}

}  // namespace

absl::Status WriteContainerFiles(const Container& container) {
  const bool host_network = container.host_config().network_mode() == "host";
  // Rewritten at every start, so no fsync.
  RETURN_IF_ERROR(WriteFileAtomic(container.hostname_path(),
                                  HostnameFileFor(container), 0644, false));
  RETURN_IF_ERROR(WriteFileAtomic(container.hosts_path(),
                                  HostsFileFor(container), 0644, false));
  return WriteFileAtomic(container.resolv_conf_path(),
                         ResolvConfForContainer(host_network), 0644, false);
}

namespace {

bool IsActive(ContainerStatus status) {
  return status == container::v1::CONTAINER_STATUS_RUNNING ||
         status == container::v1::CONTAINER_STATUS_PAUSED ||
         status == container::v1::CONTAINER_STATUS_RESTARTING;
}

}  // namespace

ContainerSupervisor::ContainerSupervisor(ServiceCore& core,
                                         std::unique_ptr<ImageSource> images,
                                         SupervisorOptions options)
    : core_(core),
      images_(std::move(images)),
      options_(std::move(options)) {}

ContainerSupervisor::~ContainerSupervisor() {
  monitor_.reset();
  tasks_.reset();
}

absl::StatusOr<std::unique_ptr<ContainerSupervisor>> ContainerSupervisor::Open(
    ServiceCore& core, std::unique_ptr<ImageSource> images,
    SupervisorOptions options) {
  RETURN_IF_ERROR(MakeDirs(options.containers_dir));
  RETURN_IF_ERROR(MakeDirs(options.shims_dir));
  std::unique_ptr<ContainerSupervisor> supervisor(
      new ContainerSupervisor(core, std::move(images), std::move(options)));
  ASSIGN_OR_RETURN(supervisor->records_, ContainerRecords::Load(core.store()));
  ASSIGN_OR_RETURN(supervisor->cgroups_,
                   cgroups::DetectCgroupDriver(supervisor->options_.cgroup_parent));
  supervisor->tasks_ = std::make_unique<DelayedTasks>();
  ContainerSupervisor* self = supervisor.get();
  supervisor->monitor_ = std::make_unique<ExitMonitor>(
      [self](const std::string& id,
             const absl::StatusOr<shim::ExitRecord>& exit) {
        self->OnExit(id, exit);
      });
  RETURN_IF_ERROR(supervisor->Recover());
  return supervisor;
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
  std::vector<Container> all;
  for (const ContainerRecords::Record& record : records_->Snapshot()) {
    all.push_back(*record);
  }
  for (Container& container : all) {
    const std::string& id = container.id();
    const ContainerStatus status = container.state().status();
    if (status == container::v1::CONTAINER_STATUS_REMOVING) {
      core_.log().info("container {}: finishing an interrupted removal", id);
      absl::Status removed = RemoveLocked(container);
      if (!removed.ok()) {
        core_.log().warn("container {}: {}", id, std::string(removed.message()));
      }
      continue;
    }
    if (!IsActive(status)) continue;
    absl::Status watched = monitor_->Watch(id, PathsOf(id).socket_path);
    if (watched.ok()) {
      core_.log().info("container {}: adopted running shim (pid {})", id,
                       container.state().shim_pid());
      continue;
    }
    // The shim is gone: the container ended while nobody listened.
    OnExit(id, watched);
  }
  // Docker brings back "always" containers, and "unless-stopped" ones a user
  // did not stop, when the daemon starts.
  for (const Container& container : all) {
    absl::StatusOr<Container> now = Load(container.id());
    if (!now.ok() || IsActive(now->state().status()) ||
        now->state().status() == container::v1::CONTAINER_STATUS_CREATED) {
      continue;
    }
    const auto policy = now->host_config().restart_policy().name();
    if (policy == container::v1::RestartPolicy::NAME_ALWAYS ||
        (policy == container::v1::RestartPolicy::NAME_UNLESS_STOPPED &&
         !now->state().manually_stopped())) {
      const std::string id = now->id();
      tasks_->Post(absl::ZeroDuration(), [this, id] {
        absl::Status started = Start(id);
        if (!started.ok()) {
          core_.log().warn("container {}: restart at daemon start failed: {}",
                           id, std::string(started.message()));
        }
      });
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<container::v1::CreateContainerResponse>
ContainerSupervisor::Create(
    const container::v1::CreateContainerRequest& request) {
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
  const ContainerPaths paths = PathsOf(id);
  ASSIGN_OR_RETURN(image::v1::PrepareRootfsResponse rootfs,
                   images_->PrepareRootfs(request.config().image(), id,
                                          {{"berth.container.id", id}}));
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
                                    absl::Now()));
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
    images_->RemoveRootfs(id).IgnoreError();
    RemoveTree(paths.state_dir).IgnoreError();
    return created;
  }
  core_.log().info("container {}: created as {} from {}", id, name,
                   request.config().image());
  container::v1::CreateContainerResponse response;
  response.set_id(id);
  for (std::string& warning : warnings) response.add_warnings(warning);
  return response;
}

absl::Status ContainerSupervisor::Remove(const std::string& reference,
                                         bool force) {
  ASSIGN_OR_RETURN(Container found, records_->Find(reference));
  std::shared_ptr<absl::Mutex> op = OpLock(found.id());
  absl::MutexLock op_lock(op.get());
  ASSIGN_OR_RETURN(Container container, Load(found.id()));
  if (IsActive(container.state().status())) {
    if (!force) {
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot remove container \"/", container.name(),
          "\": container is running: stop the container before removing or "
          "force remove"));
    }
    RETURN_IF_ERROR(StopLocked(container, 0, "SIGKILL"));
    ASSIGN_OR_RETURN(container, Load(found.id()));
  }
  return RemoveLocked(container);
}

absl::Status ContainerSupervisor::RemoveLocked(Container container) {
  const std::string id = container.id();
  {
    absl::MutexLock lock(&mu_);
    container.mutable_state()->set_status(
        container::v1::CONTAINER_STATUS_REMOVING);
    RETURN_IF_ERROR(Save(container));
  }
  const ContainerPaths paths = PathsOf(id);
  absl::Status cleaned = images_->RemoveRootfs(container.rootfs_key());
  // The shim removes the cgroup when the init exits; this catches a shim
  // that died first.
  absl::Status cgroup = cgroups_->Remove(id);
  if (cleaned.ok()) cleaned = cgroup;
  unlink(paths.socket_path.c_str());
  absl::Status tree = RemoveTree(paths.state_dir);
  if (cleaned.ok()) cleaned = tree;
  absl::MutexLock lock(&mu_);
  if (!cleaned.ok()) {
    container.mutable_state()->set_status(container::v1::CONTAINER_STATUS_DEAD);
    container.mutable_state()->set_dead(true);
    container.mutable_state()->set_error(std::string(cleaned.message()));
    Save(container).IgnoreError();
    return Annotate(cleaned, absl::StrCat("removing container ", id));
  }
  RETURN_IF_ERROR(records_->Delete(id));
  container::v1::WaitContainerResponse last;
  last.set_exit_code(container.state().exit_code());
  last.set_error(container.state().error());
  last.set_oom_killed(container.state().oom_killed());
  removed_[id] = last;
  if (removed_.size() > 1000) removed_.erase(removed_.begin());
  live_.erase(id);
  core_.log().info("container {}: removed", id);
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
  container.set_name(name);
  return Save(container);
}

absl::StatusOr<Container> ContainerSupervisor::Inspect(
    const std::string& reference) {
  return records_->Find(reference);
}

absl::StatusOr<int64_t> ContainerSupervisor::RunningCount() {
  int64_t running = 0;
  for (const ContainerRecords::Record& record : records_->Snapshot()) {
    if (record->state().status() == container::v1::CONTAINER_STATUS_RUNNING) {
      ++running;
    }
  }
  return running;
}

}  // namespace berth::containerd
