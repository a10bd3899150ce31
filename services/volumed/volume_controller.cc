#include "services/volumed/volume_controller.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/proto_util.h"
#include "common/random_id.h"
#include "common/status_macros.h"
#include "services/volumed/volume_records.h"
#include "spdlog/spdlog.h"

namespace berth::volumed {

using volume::v1::CreateVolumeRequest;
using volume::v1::CreateVolumeResponse;
using volume::v1::Volume;

namespace {

constexpr char kMounted[] = "mounted";

bool SameOptions(const google::protobuf::Map<std::string, std::string>& a,
                 const google::protobuf::Map<std::string, std::string>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [key, value] : a) {
    auto it = b.find(key);
    if (it == b.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

VolumeController::VolumeController(Store& store, Mounter& mounter,
                                   VolumeFiles& files, std::string volumes_dir,
                                   spdlog::logger& log)
    : store_(store),
      mounter_(mounter),
      files_(files),
      volumes_dir_(std::move(volumes_dir)),
      log_(log) {}

absl::StatusOr<std::unique_ptr<VolumeController>> VolumeController::Open(
    Store& store, Mounter& mounter, VolumeFiles& files, std::string volumes_dir,
    spdlog::logger& log) {
  std::unique_ptr<VolumeController> controller(
      new VolumeController(store, mounter, files, std::move(volumes_dir), log));
  absl::MutexLock lock(&controller->mu_);
  RETURN_IF_ERROR(controller->files_.MakeDirs(controller->volumes_dir_));
  RETURN_IF_ERROR(controller->ReconcileLocked());
  return controller;
}

std::string VolumeController::DirOf(const std::string& name) const {
  return absl::StrCat(volumes_dir_, "/", name);
}

std::string VolumeController::DataOf(const std::string& name) const {
  return absl::StrCat(volumes_dir_, "/", name, "/_data");
}

absl::Status VolumeController::ReconcileLocked() {
  std::vector<Volume> volumes;
  RETURN_IF_ERROR(VolumesTable().ForEach(store_, [&](const Volume& volume) {
    volumes.push_back(volume);
    return true;
  }));
  std::set<std::string> recorded;
  for (Volume& volume : volumes) {
    recorded.insert(volume.name());
    // A crash between the record and its directory, or a lost directory.
    if (!files_.IsDirectory(DataOf(volume.name()))) {
      RETURN_IF_ERROR(files_.MakeDirs(DataOf(volume.name())));
      log_.warn("volume {}: made its missing directory again", volume.name());
    }
    ReconcileMountLocked(volume);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> entries,
                   files_.ListDir(volumes_dir_));
  for (const std::string& entry : entries) {
    if (recorded.count(entry) > 0) continue;
    // What a crash in create or remove left: a directory without a record.
    // Not knowing whether something is mounted there, nothing is removed:
    // the tree walk could reach a bind's source.
    ASSIGN_OR_RETURN(bool mounted, mounter_.IsMounted(DataOf(entry)));
    if (mounted) RETURN_IF_ERROR(mounter_.Unmount(DataOf(entry)));
    RETURN_IF_ERROR(files_.RemoveTree(DirOf(entry)));
    log_.warn("volume {}: removed its directory, which had no record", entry);
  }
  return absl::OkStatus();
}

void VolumeController::ReconcileMountLocked(Volume& volume) {
  absl::StatusOr<std::optional<DriverMount>> mount =
      ParseDriverOptions(volume.options());
  if (!mount.ok() || !mount->has_value()) return;
  const std::string data = DataOf(volume.name());
  absl::StatusOr<bool> mounted = mounter_.IsMounted(data);
  if (!mounted.ok()) {
    log_.error("volume {}: {}", volume.name(), mounted.status().ToString());
    return;
  }
  absl::Status status;
  if (!volume.used_by().empty() && !*mounted) {
    // After a reboot: its containers will bind-mount it again.
    status = mounter_.Mount(**mount, data);
    if (status.ok()) log_.info("volume {}: mounted again", volume.name());
  } else if (volume.used_by().empty() && *mounted) {
    status = mounter_.Unmount(data);
    if (status.ok()) log_.info("volume {}: unmounted, nobody holds it", volume.name());
  }
  if (!status.ok()) {
    log_.error("volume {}: {}", volume.name(), status.ToString());
    return;
  }
  const bool now_mounted = !volume.used_by().empty();
  if (now_mounted == (volume.status().count(kMounted) > 0)) return;
  if (now_mounted) {
    (*volume.mutable_status())[kMounted] = "true";
  } else {
    volume.mutable_status()->erase(kMounted);
  }
  absl::Status put = PutLocked(volume);
  if (!put.ok()) log_.error("volume {}: {}", volume.name(), put.ToString());
}

absl::StatusOr<Volume> VolumeController::GetLocked(const std::string& name) const {
  absl::StatusOr<Volume> volume = VolumesTable().Get(store_, name);
  if (absl::IsNotFound(volume.status())) {
    return absl::NotFoundError(absl::StrCat("no such volume: ", name));
  }
  return volume;
}

absl::Status VolumeController::PutLocked(const Volume& volume) {
  return store_.Update(
      [&](Transaction& txn) { return VolumesTable().Put(txn, volume); });
}

absl::StatusOr<CreateVolumeResponse> VolumeController::Create(
    const CreateVolumeRequest& request) {
  absl::MutexLock lock(&mu_);
  return CreateLocked(request);
}

absl::StatusOr<CreateVolumeResponse> VolumeController::CreateLocked(
    const CreateVolumeRequest& request) {
  const std::string name = request.name().empty() ? NewObjectId() : request.name();
  RETURN_IF_ERROR(ValidateVolumeName(name));
  ASSIGN_OR_RETURN(const std::string driver, NormalizeDriver(request.driver()));
  ASSIGN_OR_RETURN(std::optional<DriverMount> mount,
                   ParseDriverOptions(request.driver_options()));
  if (mount.has_value() && mount->bind() && !files_.IsDirectory(mount->source)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid option device=", mount->source,
        ": no such directory to bind-mount"));
  }
  CreateVolumeResponse response;
  absl::StatusOr<Volume> existing = GetLocked(name);
  if (existing.ok()) {
    if (existing->driver() != driver ||
        !SameOptions(existing->options(), request.driver_options())) {
      return absl::AlreadyExistsError(absl::StrCat(
          "create ", name, ": a volume with this name already exists with "
          "another driver or other options"));
    }
    ASSIGN_OR_RETURN(*response.mutable_volume(),
                     WithUsage(*std::move(existing), false));
    response.set_created(false);
    return response;
  }
  if (!absl::IsNotFound(existing.status())) return existing.status();

  Volume volume;
  volume.set_name(name);
  volume.set_driver(driver);
  volume.set_mountpoint(DataOf(name));
  *volume.mutable_created() = ToTimestamp(absl::Now());
  *volume.mutable_labels() = request.labels();
  *volume.mutable_options() = request.driver_options();
  volume.set_scope("local");
  volume.set_anonymous(request.anonymous());
  // The record first: a crash before the directory exists is repaired by
  // Open; a directory without a record would be removed there.
  RETURN_IF_ERROR(PutLocked(volume));
  absl::Status made = files_.MakeDirs(DataOf(name));
  if (!made.ok()) {
    absl::Status undone = store_.Update(
        [&](Transaction& txn) { return VolumesTable().Delete(txn, name); });
    if (!undone.ok()) log_.error("volume {}: {}", name, undone.ToString());
    return made;
  }
  log_.info("volume {}: created{}", name, volume.anonymous() ? " (anonymous)" : "");
  Emit("create", volume);
  ASSIGN_OR_RETURN(*response.mutable_volume(), WithUsage(std::move(volume), false));
  response.set_created(true);
  return response;
}

absl::Status VolumeController::Remove(const std::string& name, bool force) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<Volume> volume = GetLocked(name);
  if (absl::IsNotFound(volume.status()) && force) return absl::OkStatus();
  RETURN_IF_ERROR(volume.status());
  if (!volume->used_by().empty()) return InUseError(*volume);
  return RemoveLocked(*volume);
}

absl::Status VolumeController::RemoveLocked(const Volume& volume) {
  const std::string data = DataOf(volume.name());
  ASSIGN_OR_RETURN(std::optional<DriverMount> mount,
                   ParseDriverOptions(volume.options()));
  if (mount.has_value()) {
    // Left mounted by a crash between an unmount and its record.
    ASSIGN_OR_RETURN(bool mounted, mounter_.IsMounted(data));
    if (mounted) RETURN_IF_ERROR(mounter_.Unmount(data));
  }
  // The directory first: a crash after it leaves a record a retry removes.
  RETURN_IF_ERROR(files_.RemoveTree(DirOf(volume.name())));
  RETURN_IF_ERROR(store_.Update(
      [&](Transaction& txn) { return VolumesTable().Delete(txn, volume.name()); }));
  log_.info("volume {}: removed", volume.name());
  Emit("destroy", volume);
  return absl::OkStatus();
}

absl::StatusOr<Volume> VolumeController::WithUsage(Volume volume, bool size) {
  volume.mutable_usage()->set_ref_count(volume.used_by_size());
  volume.mutable_usage()->set_size(-1);
  if (size) {
    ASSIGN_OR_RETURN(int64_t bytes, files_.DiskUsage(DataOf(volume.name())));
    volume.mutable_usage()->set_size(bytes);
  }
  return volume;
}

absl::StatusOr<std::vector<Volume>> VolumeController::List(
    const volume::v1::VolumeFilter& filter, bool size) {
  std::vector<Volume> matched;
  RETURN_IF_ERROR(VolumesTable().ForEach(store_, [&](const Volume& volume) {
    if (MatchesVolumeFilter(volume, filter)) matched.push_back(volume);
    return true;
  }));
  // The table is in key (byte) order already; sorting keeps the contract
  // whatever the store does.
  std::sort(matched.begin(), matched.end(),
            [](const Volume& a, const Volume& b) { return a.name() < b.name(); });
  for (Volume& volume : matched) {
    ASSIGN_OR_RETURN(volume, WithUsage(std::move(volume), size));
  }
  return matched;
}

absl::StatusOr<Volume> VolumeController::Inspect(const std::string& name,
                                                 bool size) {
  absl::StatusOr<Volume> volume;
  {
    absl::ReaderMutexLock lock(&mu_);
    volume = GetLocked(name);
  }
  RETURN_IF_ERROR(volume.status());
  return WithUsage(*std::move(volume), size);
}

absl::StatusOr<volume::v1::PruneVolumesResponse> VolumeController::Prune(
    bool all, const types::v1::PruneFilter& filter) {
  absl::MutexLock lock(&mu_);
  std::vector<Volume> candidates;
  RETURN_IF_ERROR(VolumesTable().ForEach(store_, [&](const Volume& volume) {
    if (PrunesVolume(volume, all, filter)) candidates.push_back(volume);
    return true;
  }));
  volume::v1::PruneVolumesResponse response;
  int64_t reclaimed = 0;
  for (const Volume& volume : candidates) {
    ASSIGN_OR_RETURN(int64_t bytes, files_.DiskUsage(DataOf(volume.name())));
    RETURN_IF_ERROR(RemoveLocked(volume));
    reclaimed += bytes;
    response.add_deleted(volume.name());
  }
  response.set_space_reclaimed(reclaimed);
  // As Docker's daemon: one prune event, of nothing too, with the bytes.
  events_.Emit(types::v1::OBJECT_TYPE_VOLUME, "prune", "",
               {{"reclaimed", std::to_string(reclaimed)}});
  return response;
}

absl::StatusOr<int64_t> VolumeController::InUseCount() const {
  int64_t count = 0;
  RETURN_IF_ERROR(VolumesTable().ForEach(store_, [&](const Volume& volume) {
    if (!volume.used_by().empty()) ++count;
    return true;
  }));
  return count;
}

void VolumeController::Emit(const std::string& action, const Volume& volume,
                            const std::string& container_id,
                            const std::string& destination) {
  std::map<std::string, std::string> attributes = {{"driver", volume.driver()}};
  if (!container_id.empty()) attributes["container"] = container_id;
  if (!destination.empty()) attributes["destination"] = destination;
  events_.Emit(types::v1::OBJECT_TYPE_VOLUME, action, volume.name(), attributes);
}

}  // namespace berth::volumed
