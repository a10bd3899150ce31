// ImageStore: opening, crash recovery, and the operations that one part
// answers (lookups, tags, history, rootfs snapshots).
#include "services/imaged/image_store.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/imaged/image_records.h"
#include "services/imaged/reference/reference.h"

namespace berth::imaged {

using image::v1::Image;

ImageStore::ImageStore(ServiceCore& core, std::unique_ptr<ProjectQuota> quota)
    : core_(core),
      root_(core.identity().root),
      blobs_(core.identity().root + "/blobs"),
      index_(core, blobs_),
      layers_(core, blobs_,
              [this](const std::string& chain_id) {
                return LayerInUse(chain_id);
              }),
      quota_(std::move(quota)),
      snapshots_(core, layers_, *quota_) {}

StoreSchema ImageStore::Schema() {
  return StoreSchema{/*version=*/1,
                     {ImagesTable().schema(), LayersTable().schema(),
                      SnapshotsTable().schema()}};
}

absl::StatusOr<std::unique_ptr<ImageStore>> ImageStore::Open(
    ServiceCore& core, std::unique_ptr<ProjectQuota> quota) {
  auto store =
      std::unique_ptr<ImageStore>(new ImageStore(core, std::move(quota)));
  RETURN_IF_ERROR(store->Init());
  RETURN_IF_ERROR(store->Reconcile());
  return store;
}

absl::Status ImageStore::Init() {
  RETURN_IF_ERROR(blobs_.Init());
  RETURN_IF_ERROR(layers_.Init());
  RETURN_IF_ERROR(snapshots_.Init());
  RETURN_IF_ERROR(MakeDirs(downloads_dir(), 0700));
  return MakeDirs(root_ + "/tmp", 0700);
}

absl::Status ImageStore::Reconcile() {
  // Work in progress of a previous life.
  RETURN_IF_ERROR(RemoveTree(root_ + "/tmp"));
  RETURN_IF_ERROR(MakeDirs(root_ + "/tmp", 0700));

  std::set<std::string> live_blobs;
  RETURN_IF_ERROR(index_.AddLiveBlobs(&live_blobs));
  ASSIGN_OR_RETURN(int removed, layers_.Reconcile(&live_blobs));
  ASSIGN_OR_RETURN(int snapshots_removed, snapshots_.Reconcile());
  ASSIGN_OR_RETURN(int blobs_removed,
                   RemoveEntriesExcept(root_ + "/blobs/sha256",
                                       [&](const std::string& name) {
                                         return live_blobs.count(absl::StrCat(
                                                    "sha256:", name)) != 0;
                                       }));
  // Downloads are kept for a pull to resume, but not once their blob is
  // stored (a pull that committed and died before cleaning up).
  ASSIGN_OR_RETURN(int downloads_removed,
                   RemoveEntriesExcept(downloads_dir(),
                                       [&](const std::string& name) {
                                         return live_blobs.count(absl::StrCat(
                                                    "sha256:", name)) == 0;
                                       }));
  removed += snapshots_removed + blobs_removed + downloads_removed;
  if (removed > 0) {
    core_.log().info("removed {} leftovers of an interrupted operation",
                     removed);
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ImageStore::LayerInUse(const std::string& chain_id) const {
  ASSIGN_OR_RETURN(bool by_image, index_.UsesLayer(chain_id));
  if (by_image) return true;
  return snapshots_.Pins(chain_id);
}

absl::StatusOr<std::string> ImageStore::NewTempFile(const std::string& prefix) {
  return layers_.NewTempFile(prefix);
}

absl::StatusOr<Image> ImageStore::Find(const std::string& name) const {
  return index_.Find(name);
}

absl::StatusOr<Image> ImageStore::Inspect(const std::string& name) const {
  ASSIGN_OR_RETURN(Image image, index_.Find(name));
  image.set_snapshots(snapshots_.CountFor(image.id()));
  return image;
}

absl::StatusOr<image::v1::ListImagesResponse> ImageStore::List(
    const image::v1::ListImagesRequest& request) const {
  ASSIGN_OR_RETURN(image::v1::ListImagesResponse response,
                   index_.List(request));
  for (image::v1::ImageSummary& summary : *response.mutable_images()) {
    summary.set_snapshots(snapshots_.CountFor(summary.id()));
  }
  return response;
}

absl::StatusOr<std::string> ImageStore::Tag(const std::string& source,
                                            const std::string& target) {
  ASSIGN_OR_RETURN(std::string id, index_.Tag(source, target));
  Emit(id, "tag", ParseTagReference(target)->Familiar());  // parsed by Tag
  return id;
}

absl::StatusOr<image::v1::ImageHistoryResponse> ImageStore::History(
    const std::string& name) const {
  return index_.History(name);
}

absl::StatusOr<image::v1::PrepareRootfsResponse> ImageStore::PrepareRootfs(
    const image::v1::PrepareRootfsRequest& request) {
  RETURN_IF_ERROR(Snapshotter::CheckKey(request.key()));
  // Held from reading the image to recording the snapshot that pins its
  // layers, so no removal collects them in between.
  absl::MutexLock lock(&layers_.mu());
  ASSIGN_OR_RETURN(Image image, index_.Find(request.image()));
  image::v1::PrepareRootfsResponse response;
  ASSIGN_OR_RETURN(*response.mutable_rootfs(),
                   snapshots_.Prepare(request, image));
  *response.mutable_config() = image.config();
  return response;
}

absl::StatusOr<image::v1::InspectRootfsResponse> ImageStore::InspectRootfs(
    const std::string& key, bool with_size) const {
  ASSIGN_OR_RETURN(image::v1::InspectRootfsResponse response,
                   snapshots_.Inspect(key, with_size));
  absl::StatusOr<Image> image = index_.Get(response.rootfs().image_id());
  if (image.ok()) *response.mutable_config() = image->config();
  return response;
}

absl::Status ImageStore::RemoveRootfs(const std::string& key,
                                      bool ignore_missing,
                                      const std::string& lease) {
  RETURN_IF_ERROR(Snapshotter::CheckKey(key));
  absl::MutexLock lock(&layers_.mu());
  return snapshots_.Remove(key, ignore_missing, lease);
}

absl::StatusOr<image::v1::DiffRootfsResponse> ImageStore::DiffRootfs(
    const std::string& key) const {
  return snapshots_.Diff(key);
}

absl::StatusOr<image::v1::ListRootfsResponse> ImageStore::ListRootfs(
    const image::v1::ListRootfsRequest& request) const {
  return snapshots_.List(request);
}

}  // namespace berth::imaged
