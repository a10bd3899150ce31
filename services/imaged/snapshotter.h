// Snapshotter: containers' rootfs snapshots. It owns the "snapshots" table
// (key: the snapshot key; indexes "image" and "layer") and
// ROOT/imaged/snapshots/<key>/ with the upper/ and work/ dirs of each
// overlay. A snapshot is a mount description: lowerdirs are the short
// links of its image's layers (asked of LayerStore), upper and work are
// fresh; imaged creates the directories and never mounts. A snapshot pins
// its layers (its record lists their chain ids) even if its image goes.
//
// The overlay is mounted in the container's own mount namespace, which
// imaged cannot see, so whoever prepares a snapshot for a container takes it
// under a lease (containerd: "container/<id>") and passes the lease back to
// remove it; Remove refuses a leased snapshot to anyone else.
//
// A snapshot with a size limit (`--storage-opt size=`) has its directory,
// and so its upper and work dirs, in a filesystem project of its own whose
// block limit is the size (ProjectQuota). Its id is recorded with the
// snapshot: ids are unique among the records (so a restart, reading them,
// never hands one out twice) and start above the project id of snapshots/
// itself, as Docker's start above its data root's, so an administrator can
// keep lower ids for other uses. Remove clears the limit, freeing the id.
// A crash between setting a limit and writing the record leaves the limit
// on an id no record holds: harmless, the next snapshot given it sets its
// own, and Reconcile deletes the directory.
//
// Locking: Prepare and Remove add and drop users of layers, so their caller
// (ImageStore) holds LayerStore::mu() across them: a layer cannot be
// collected between Prepare reading the image and the snapshot record
// pinning its layers, and Remove collects layers. Everything else reads
// without a lock.
#ifndef BERTH_SERVICES_IMAGED_SNAPSHOTTER_H_
#define BERTH_SERVICES_IMAGED_SNAPSHOTTER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "berth/image/store/v1/records.pb.h"
#include "berth/image/v1/image.pb.h"
#include "common/service_core.h"
#include "common/table.h"
#include "services/imaged/image_records.h"
#include "services/imaged/layer_store.h"
#include "services/imaged/quota/project_quota.h"

namespace berth::imaged {

class Snapshotter {
 public:
  // `quota` enforces size limits; it outlives the Snapshotter.
  Snapshotter(ServiceCore& core, LayerStore& layers, ProjectQuota& quota);

  // Creates snapshots/.
  absl::Status Init();
  // Crash recovery: deletes snapshot dirs without a record; returns how
  // many.
  absl::StatusOr<int> Reconcile();

  // INVALID_ARGUMENT unless `key` is 1 to 128 of [A-Za-z0-9_.-] (it names
  // a directory).
  static absl::Status CheckKey(const std::string& key);

  // A new snapshot of `image` as `request` asks (key, labels, lease, owner
  // of upper/, size limit). ALREADY_EXISTS for a key in use;
  // FAILED_PRECONDITION, with nothing made, for a size limit where the
  // filesystem has no project quotas. Caller holds LayerStore::mu().
  absl::StatusOr<image::v1::Rootfs> Prepare(
      const image::v1::PrepareRootfsRequest& request,
      const image::v1::Image& image);
  // The snapshot `key` (NOT_FOUND "no rootfs snapshot KEY"), with the size
  // of its upper dir if asked; the image config is the caller's to add.
  absl::StatusOr<image::v1::InspectRootfsResponse> Inspect(
      const std::string& key, bool with_size = false) const;
  // Deletes the snapshot and collects the layers only it pinned. Refused
  // (FAILED_PRECONDITION) when it holds a lease other than `lease`. Caller
  // holds LayerStore::mu().
  absl::Status Remove(const std::string& key, bool ignore_missing,
                      const std::string& lease);
  // What the container changed: its upper dir against its lowerdirs.
  absl::StatusOr<image::v1::DiffRootfsResponse> Diff(
      const std::string& key) const;
  absl::StatusOr<image::v1::ListRootfsResponse> List(
      const image::v1::ListRootfsRequest& request) const;

  // How many snapshots were made of image `image_id`.
  int64_t CountFor(const std::string& image_id) const;
  // Whether a snapshot pins the layer `chain_id`.
  absl::StatusOr<bool> Pins(const std::string& chain_id) const;

 private:
  std::string DirOf(const std::string& key) const;
  // The lowest project id above snapshots/'s own that no record holds.
  absl::StatusOr<uint32_t> FreeProjectId();

  ServiceCore& core_;
  std::string root_;
  LayerStore& layers_;
  ProjectQuota& quota_;
  Table<records::SnapshotRecord> snapshots_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_SNAPSHOTTER_H_
