// The container's side of volumes: at create its mounts are planned
// (mount_plan.h) and the volumes among them acquired from volumed, with the
// image's content at each target offered for copy-up; at rm they are let
// go; at recovery, volumes held by containers that no longer exist (a
// crash between acquire and record) are let go too.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/containerd/container_supervisor.h"
#include "services/containerd/files/rootfs_access.h"
#include "services/containerd/mount_plan.h"
#include "services/containerd/runtime/secure_path.h"

namespace berth::containerd {

using container::v1::Container;
using container::v1::MountPoint;
using types::v1::Mount;

namespace {

template <typename Mounts>
bool HoldsVolumes(const Mounts& mounts) {
  for (const MountPoint& mount : mounts) {
    if (mount.type() == Mount::TYPE_VOLUME) return true;
  }
  return false;
}

// A bind source must exist, unless `-v` asked for it to be made.
absl::Status CheckBindSource(const MountPoint& mount) {
  struct stat st;
  if (stat(mount.source().c_str(), &st) == 0) return absl::OkStatus();
  if (errno != ENOENT) return ErrnoStatus(errno, "stat bind source", mount.source());
  if (mount.spec().bind_options().create_host_path()) {
    return MakeDirs(mount.source(), 0755);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid mount config for type \"bind\": bind source path does not "
      "exist: ",
      mount.source()));
}

}  // namespace

absl::StatusOr<std::vector<MountPoint>> ContainerSupervisor::AcquireMounts(
    const Container& container) {
  std::vector<MountPoint> inherited;
  std::set<std::string> inherited_volumes;
  for (const std::string& raw : container.host_config().volumes_from()) {
    ASSIGN_OR_RETURN(VolumesFrom from, ParseVolumesFrom(raw));
    absl::StatusOr<Container> source = records_->Find(from.container);
    if (!source.ok()) {
      return absl::NotFoundError(
          absl::StrCat("No such container: ", from.container));
    }
    for (MountPoint& mount : InheritedMounts(*source, from.access)) {
      if (mount.type() == Mount::TYPE_VOLUME) inherited_volumes.insert(mount.name());
      inherited.push_back(std::move(mount));
    }
  }
  ASSIGN_OR_RETURN(
      std::vector<MountPoint> mounts,
      PlanMounts(container.host_config(),
                 {container.config().volumes().begin(),
                  container.config().volumes().end()},
                 inherited));
  bool copies = false;
  for (const MountPoint& mount : mounts) {
    if (mount.type() == Mount::TYPE_BIND) RETURN_IF_ERROR(CheckBindSource(mount));
    if (mount.type() != Mount::TYPE_VOLUME) continue;
    if (volumes_ == nullptr) {
      return absl::FailedPreconditionError(
          "volumes need volumed, which this containerd is not connected to");
    }
    copies = copies || !mount.spec().volume_options().no_copy();
  }
  if (!HoldsVolumes(mounts)) return mounts;
  // The image's content, for copy-up: the new container's overlay mounted
  // read-only and detached, seen by volumed through this process's fd.
  tree_archive::Fd rootfs;
  if (copies) {
    ASSIGN_OR_RETURN(rootfs,
                     open_rootfs_ != nullptr
                         ? open_rootfs_(container, files::RootfsView::kLayers, true)
                         : files::MountStoppedRootfs(container.graph_driver(), true));
  }
  const std::string root = absl::StrCat("/proc/", getpid(), "/fd/", rootfs.get());
  bool acquired = false;
  absl::Cleanup release = [&] {
    if (acquired) ReleaseLostVolumes(container.id(), 0);
  };
  for (MountPoint& mount : mounts) {
    if (mount.type() != Mount::TYPE_VOLUME) continue;
    const Mount::VolumeOptions& options = mount.spec().volume_options();
    volume::v1::AcquireVolumeRequest request;
    request.set_name(mount.name());
    request.set_container_id(container.id());
    // A volume of --volumes-from must still be there: one `rm -v` of its
    // container removed meanwhile is not made again, empty.
    request.set_create_if_missing(mount.name().empty() ||
                                  inherited_volumes.count(mount.name()) == 0);
    request.set_driver(options.driver());
    *request.mutable_driver_options() = options.driver_options();
    *request.mutable_labels() = options.labels();
    request.set_no_copy(options.no_copy());
    request.set_subpath(options.subpath());
    request.set_target(mount.destination());
    if (!options.no_copy()) {
      // Resolved as the container would see it: a symlink in the image
      // cannot make volumed copy from outside the rootfs.
      ASSIGN_OR_RETURN(std::string rel,
                       runtime::ResolveInRoot(root, mount.destination()));
      request.mutable_copy_up()->set_path(
          rel.empty() ? root : absl::StrCat(root, "/", rel));
    }
    acquired = true;
    ASSIGN_OR_RETURN(volume::v1::AcquireVolumeResponse response,
                     volumes_->Acquire(request));
    mount.set_name(response.volume().name());
    // The volume's root: a subpath is opened below it at each start
    // without following links (it is the volume's content, which its
    // containers may change).
    mount.set_source(options.subpath().empty() ? response.host_path()
                                               : response.volume().mountpoint());
    mount.set_driver(response.volume().driver());
    mount.mutable_spec()->set_source(response.volume().name());
  }
  acquired = false;  // kept: the record holds them from now on
  return mounts;
}

absl::Status ContainerSupervisor::ReleaseVolumes(const Container& container,
                                                 bool remove_anonymous) {
  if (!HoldsVolumes(container.mounts())) return absl::OkStatus();
  if (volumes_ == nullptr) {
    return absl::FailedPreconditionError(
        "the container holds volumes and this containerd is not connected to "
        "volumed");
  }
  ASSIGN_OR_RETURN(volume::v1::ReleaseVolumeResponse released,
                   volumes_->Release(container.id(), remove_anonymous));
  for (const std::string& name : released.removed()) {
    log_.info("container {}: removed its anonymous volume {}", container.id(), name);
  }
  return absl::OkStatus();
}

absl::Status PrepareBindSources(const Container& container) {
  for (const MountPoint& mount : container.mounts()) {
    if (mount.type() == Mount::TYPE_BIND) RETURN_IF_ERROR(CheckBindSource(mount));
  }
  return absl::OkStatus();
}

void ContainerSupervisor::ReleaseLostVolumes(const std::string& id, int attempt,
                                             bool remove_anonymous) {
  absl::StatusOr<volume::v1::ReleaseVolumeResponse> released =
      volumes_->Release(id, remove_anonymous);
  if (released.ok()) return;
  // volumed is away (it may be what failed the create): again once it is
  // back, so its records do not keep the volumes for nobody.
  if (RetrySweep(attempt, released.status(), [this, id, remove_anonymous](int next) {
        ReleaseLostVolumes(id, next, remove_anonymous);
      })) {
    return;
  }
  log_.error("container {}: letting go of the volumes of a container that is "
             "gone: {}",
             id, std::string(released.status().message()));
}

void ContainerSupervisor::StartAtDaemonStart(const std::string& id, int attempt) {
  absl::StatusOr<Container> container = Load(id);
  if (!container.ok()) return;
  // A volume with a filesystem of its own is mounted again by volumed's
  // start (after a reboot): the container waits for it rather than start
  // on the bare directory.
  if (volumes_ != nullptr && HoldsVolumes(container->mounts())) {
    absl::StatusOr<std::set<std::string>> ready = volumes_->Holders();
    if (!ready.ok() &&
        RetrySweep(attempt, ready.status(),
                   [this, id](int next) { StartAtDaemonStart(id, next); })) {
      return;
    }
  }
  absl::Status started = Start(id);
  if (!started.ok()) {
    log_.warn("container {}: restart at daemon start failed: {}", id,
              std::string(started.message()));
  }
}

void ContainerSupervisor::SweepStaleVolumeHolders(int attempt) {
  absl::StatusOr<std::set<std::string>> holders = volumes_->Holders();
  if (!holders.ok()) {
    if (RetrySweep(attempt, holders.status(),
                   [this](int next) { SweepStaleVolumeHolders(next); })) {
      return;
    }
    log_.warn("volumes held by containers that no longer exist stay held "
              "until the next start: {}",
              std::string(holders.status().message()));
    return;
  }
  for (const std::string& id : *holders) {
    // A create holds its container's operation lock from its acquire to its
    // record: taken, a missing record means no container will hold them.
    std::shared_ptr<absl::Mutex> op = OpLock(id);
    absl::MutexLock op_lock(op.get());
    if (Load(id).ok()) continue;
    absl::StatusOr<volume::v1::ReleaseVolumeResponse> released =
        volumes_->Release(id, /*remove_anonymous=*/true);
    if (released.ok()) {
      log_.warn("container {}: released the volumes held for it, which it "
                "never got (its create was interrupted)",
                id);
    } else {
      log_.error("container {}: releasing volumes of a missing container: {}",
                 id, std::string(released.status().message()));
    }
  }
}

}  // namespace berth::containerd
