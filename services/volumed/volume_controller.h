// VolumeController: volumed's volumes. It keeps the records (RocksDB),
// the volumes' directories under ROOT/volumed/volumes and their driver
// mounts in step, and is the one place that decides who holds a volume.
//
// Crash safety: a record is written before its directory is made and its
// directory is removed before the record is deleted; Open() makes missing
// directories again, removes directories without a record, mounts the
// driver filesystems of volumes in use (after a reboot) and unmounts those
// of volumes nobody holds. So a crash at any point leaves nothing a later
// call or start cannot fix.
//
// Thread-safe: one lock orders every change (reads of the store take none).
#ifndef BERTH_SERVICES_VOLUMED_VOLUME_CONTROLLER_H_
#define BERTH_SERVICES_VOLUMED_VOLUME_CONTROLLER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "berth/volume/v1/volume.pb.h"
#include "common/event_log.h"
#include "common/store.h"
#include "services/volumed/volume_driver.h"
#include "services/volumed/volume_files.h"

namespace spdlog {
class logger;
}

namespace berth::volumed {

class VolumeController {
 public:
  // `volumes_dir` is ROOT/volumed/volumes; the store, mounter, files and
  // log outlive the controller. Reconciles records, directories and mounts
  // (see above); failures to mount or unmount are logged, not fatal.
  static absl::StatusOr<std::unique_ptr<VolumeController>> Open(
      Store& store, Mounter& mounter, VolumeFiles& files,
      std::string volumes_dir, spdlog::logger& log);

  // `volume create`. Idempotent for the same driver and options
  // (created=false); ALREADY_EXISTS for other ones; INVALID_ARGUMENT for a
  // bad name, driver or option.
  absl::StatusOr<volume::v1::CreateVolumeResponse> Create(
      const volume::v1::CreateVolumeRequest& request);
  // `volume rm`: FAILED_PRECONDITION naming the containers while in use
  // (whatever `force`); NOT_FOUND unless `force`.
  absl::Status Remove(const std::string& name, bool force);
  // Sorted by name; usage.size only with `size` (-1 otherwise).
  absl::StatusOr<std::vector<volume::v1::Volume>> List(
      const volume::v1::VolumeFilter& filter, bool size);
  absl::StatusOr<volume::v1::Volume> Inspect(const std::string& name,
                                             bool size);
  // Removes the unused anonymous volumes (all unused ones with `all`) that
  // `filter` selects; their names, sorted, and the bytes they held.
  absl::StatusOr<volume::v1::PruneVolumesResponse> Prune(
      bool all, const types::v1::PruneFilter& filter);

  // A container takes a volume (volume_use.cc): see AcquireVolume in
  // proto/berth/volume/v1/volume.proto.
  absl::StatusOr<volume::v1::AcquireVolumeResponse> Acquire(
      const volume::v1::AcquireVolumeRequest& request);
  // A container lets go of one or all of its volumes. Idempotent.
  absl::StatusOr<volume::v1::ReleaseVolumeResponse> Release(
      const volume::v1::ReleaseVolumeRequest& request);

  // Volumes some container holds (Info's "in_use").
  absl::StatusOr<int64_t> InUseCount() const;

  EventLog& events() { return events_; }

 private:
  VolumeController(Store& store, Mounter& mounter, VolumeFiles& files,
                   std::string volumes_dir, spdlog::logger& log);

  std::string DirOf(const std::string& name) const;   // volumes/NAME
  std::string DataOf(const std::string& name) const;  // volumes/NAME/_data

  // Open's repairs (see the class comment).
  absl::Status ReconcileLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ReconcileMountLocked(volume::v1::Volume& volume)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The stored volume; NOT_FOUND "no such volume: NAME".
  absl::StatusOr<volume::v1::Volume> GetLocked(const std::string& name) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::Status PutLocked(const volume::v1::Volume& volume)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A new volume (name "" is generated), or the existing identical one.
  absl::StatusOr<volume::v1::CreateVolumeResponse> CreateLocked(
      const volume::v1::CreateVolumeRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Unmounts a stale mount, removes the directory, then the record.
  absl::Status RemoveLocked(const volume::v1::Volume& volume)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // With usage.ref_count, and usage.size when `size` (-1 otherwise).
  absl::StatusOr<volume::v1::Volume> WithUsage(volume::v1::Volume volume,
                                               bool size);

  // Mounts the volume's driver filesystem unless it is mounted; true when
  // this call mounted it. No-op for a plain directory.
  absl::StatusOr<bool> EnsureMountedLocked(volume::v1::Volume& volume)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status UnmountLocked(volume::v1::Volume& volume)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Copy-up into an empty, never populated volume; true when it copied.
  absl::StatusOr<bool> CopyUpLocked(volume::v1::Volume& volume,
                                    const volume::v1::AcquireVolumeRequest& request)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Lets `container_id` go of `name`; true when it held it. Adds the
  // volume to `removed` when `remove_anonymous` took it away.
  absl::StatusOr<bool> ReleaseOneLocked(const std::string& name,
                                        const std::string& container_id,
                                        bool remove_anonymous,
                                        std::vector<std::string>& removed)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  void Emit(const std::string& action, const volume::v1::Volume& volume,
            const std::string& container_id = "",
            const std::string& destination = "");

  Store& store_;
  Mounter& mounter_;
  VolumeFiles& files_;
  const std::string volumes_dir_;
  spdlog::logger& log_;
  EventLog events_;
  mutable absl::Mutex mu_;
};

// A subpath as AcquireVolume takes it: relative, without "..".
// INVALID_ARGUMENT otherwise.
absl::Status ValidateSubpath(const std::string& subpath);

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_VOLUME_CONTROLLER_H_
