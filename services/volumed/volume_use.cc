// Acquire and Release: containers taking and letting go of volumes.
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/failpoint.h"
#include "common/status_macros.h"
#include "services/volumed/volume_controller.h"
#include "services/volumed/volume_records.h"
#include "spdlog/spdlog.h"

namespace berth::volumed {

using volume::v1::AcquireVolumeRequest;
using volume::v1::AcquireVolumeResponse;
using volume::v1::ReleaseVolumeRequest;
using volume::v1::ReleaseVolumeResponse;
using volume::v1::Volume;

namespace {

constexpr char kMounted[] = "mounted";

}  // namespace

absl::Status ValidateSubpath(const std::string& subpath) {
  if (absl::StartsWith(subpath, "/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid subpath \"", subpath, "\": it must be relative to the volume"));
  }
  for (absl::string_view part : absl::StrSplit(subpath, '/')) {
    if (part == "..") {
      return absl::InvalidArgumentError(absl::StrCat(
          "invalid subpath \"", subpath, "\": it must not contain \"..\""));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<AcquireVolumeResponse> VolumeController::Acquire(
    const AcquireVolumeRequest& request) {
  RETURN_IF_ERROR(ValidateContainerId(request.container_id()));
  RETURN_IF_ERROR(ValidateSubpath(request.subpath()));
  if (!request.copy_up().path().empty() &&
      !absl::StartsWith(request.copy_up().path(), "/")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "copy-up source \"", request.copy_up().path(), "\" is not absolute"));
  }
  absl::MutexLock lock(&mu_);
  AcquireVolumeResponse response;
  absl::StatusOr<Volume> found = request.name().empty()
                                     ? absl::NotFoundError("anonymous")
                                     : GetLocked(request.name());
  if (absl::IsNotFound(found.status()) &&
      (request.name().empty() || request.create_if_missing())) {
    volume::v1::CreateVolumeRequest create;
    create.set_name(request.name());
    create.set_driver(request.driver());
    *create.mutable_driver_options() = request.driver_options();
    *create.mutable_labels() = request.labels();
    create.set_anonymous(request.name().empty());
    ASSIGN_OR_RETURN(volume::v1::CreateVolumeResponse created, CreateLocked(create));
    response.set_created(created.created());
    found = created.volume();
    if (request.name().empty()) found->set_created_for(request.container_id());
  }
  RETURN_IF_ERROR(found.status());
  Volume volume = *std::move(found);
  const std::string& name = volume.name();
  bool mounted_now = false;
  // Undoes this call's mount, and the volume it created, on a failure.
  auto fail = [&](absl::Status status) {
    if (!volume.used_by().empty()) return status;
    absl::Status undone = absl::OkStatus();
    if (mounted_now) undone = mounter_.Unmount(DataOf(name));
    if (undone.ok() && response.created()) undone = RemoveLocked(volume);
    if (!undone.ok()) log_.error("volume {}: {}", name, undone.ToString());
    return status;
  };
  // A crash may have taken the directory between its record and now.
  absl::Status made = files_.MakeDirs(DataOf(name));
  if (!made.ok()) return fail(made);
  absl::StatusOr<bool> mounted = EnsureMountedLocked(volume);
  if (!mounted.ok()) return fail(mounted.status());
  mounted_now = *mounted;
  // Tests kill volumed here: mounted, not yet held (Open unmounts it).
  Failpoint("volume-mounted");
  // The subpath must exist before anything is copied (a subpath mount
  // takes no copy-up: the image's content is for the volume's root).
  std::string host_path = DataOf(name);
  if (!request.subpath().empty()) {
    absl::StatusOr<std::string> resolved =
        files_.ResolveBeneath(DataOf(name), request.subpath());
    if (!resolved.ok()) return fail(resolved.status());
    host_path = *std::move(resolved);
  }
  absl::StatusOr<bool> copied =
      request.subpath().empty() ? CopyUpLocked(volume, request) : false;
  if (!copied.ok()) return fail(copied.status());
  const bool added = AddUser(volume, request.container_id());
  if (added || *copied || mounted_now) {
    absl::Status put = PutLocked(volume);
    if (!put.ok()) {
      RemoveUser(volume, request.container_id());
      return fail(put);
    }
  }
  // And here: held for a container that never hears of it (containerd
  // lets go of it once volumed is back).
  Failpoint("volume-acquired");
  if (added) {
    log_.info("volume {}: acquired by container {}", name, request.container_id());
    Emit("mount", volume, request.container_id(), request.target());
  }
  ASSIGN_OR_RETURN(*response.mutable_volume(), WithUsage(std::move(volume), false));
  response.set_host_path(std::move(host_path));
  response.set_copied(*copied);
  return response;
}

absl::StatusOr<bool> VolumeController::EnsureMountedLocked(Volume& volume) {
  ASSIGN_OR_RETURN(std::optional<DriverMount> mount,
                   ParseDriverOptions(volume.options()));
  if (!mount.has_value()) return false;
  const std::string data = DataOf(volume.name());
  ASSIGN_OR_RETURN(bool mounted, mounter_.IsMounted(data));
  if (!mounted) {
    absl::Status status = mounter_.Mount(*mount, data);
    if (!status.ok()) {
      // The contract's INTERNAL for a failed mount, with the kernel's words.
      return absl::InternalError(absl::StrCat("volume ", volume.name(), ": ",
                                              status.message()));
    }
    log_.info("volume {}: mounted {} ({})", volume.name(), mount->source, mount->type);
  }
  (*volume.mutable_status())[kMounted] = "true";
  return !mounted;
}

absl::Status VolumeController::UnmountLocked(Volume& volume) {
  if (volume.status().count(kMounted) == 0) return absl::OkStatus();
  RETURN_IF_ERROR(mounter_.Unmount(DataOf(volume.name())));
  volume.mutable_status()->erase(kMounted);
  log_.info("volume {}: unmounted", volume.name());
  return absl::OkStatus();
}

absl::StatusOr<bool> VolumeController::CopyUpLocked(
    Volume& volume, const AcquireVolumeRequest& request) {
  if (request.copy_up().path().empty() || request.no_copy() ||
      volume.populated()) {
    return false;
  }
  // Only into a volume no other container holds: one that runs could swap
  // the entries being made for symlinks while volumed (root) writes them.
  for (const std::string& holder : volume.used_by()) {
    if (holder != request.container_id()) return false;
  }
  // Docker's rule: content already in a volume is never overwritten.
  ASSIGN_OR_RETURN(bool empty, files_.IsEmptyDir(DataOf(volume.name())));
  if (!empty) return false;
  ASSIGN_OR_RETURN(bool copied,
                   files_.CopyTree(request.copy_up().path(), DataOf(volume.name())));
  if (!copied) return false;
  volume.set_populated(true);
  log_.info("volume {}: copied up {}", volume.name(), request.copy_up().path());
  return true;
}

absl::StatusOr<ReleaseVolumeResponse> VolumeController::Release(
    const ReleaseVolumeRequest& request) {
  RETURN_IF_ERROR(ValidateContainerId(request.container_id()));
  absl::MutexLock lock(&mu_);
  std::vector<std::string> names;
  if (!request.name().empty()) {
    names.push_back(request.name());
  } else {
    RETURN_IF_ERROR(VolumesTable().ForEach(store_, [&](const Volume& volume) {
      if (HoldsVolume(volume, request.container_id())) names.push_back(volume.name());
      return true;
    }));
  }
  ReleaseVolumeResponse response;
  std::vector<std::string> removed;
  for (const std::string& name : names) {
    ASSIGN_OR_RETURN(bool released,
                     ReleaseOneLocked(name, request.container_id(),
                                      request.remove_anonymous(), removed));
    if (released) response.add_released(name);
  }
  for (std::string& name : removed) response.add_removed(std::move(name));
  return response;
}

absl::StatusOr<bool> VolumeController::ReleaseOneLocked(
    const std::string& name, const std::string& container_id,
    bool remove_anonymous, std::vector<std::string>& removed) {
  absl::StatusOr<Volume> found = GetLocked(name);
  if (absl::IsNotFound(found.status())) return false;  // idempotent
  RETURN_IF_ERROR(found.status());
  Volume volume = *std::move(found);
  if (!RemoveUser(volume, container_id)) return false;
  // Unmounted before the record says nobody holds it: a crash in between
  // leaves a holder whose mount Open makes again, and a retry ends.
  if (volume.used_by().empty()) RETURN_IF_ERROR(UnmountLocked(volume));
  RETURN_IF_ERROR(PutLocked(volume));
  log_.info("volume {}: released by container {}", name, container_id);
  Emit("unmount", volume, container_id);
  if (remove_anonymous && volume.anonymous() &&
      volume.created_for() == container_id && volume.used_by().empty()) {
    RETURN_IF_ERROR(RemoveLocked(volume));
    removed.push_back(name);
  }
  return true;
}

}  // namespace berth::volumed
