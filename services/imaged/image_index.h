// ImageIndex: the images imaged knows and their names. It owns the "images"
// table (key image id; indexes "tag" (unique, familiar "repo:tag"),
// "digest" and "layer") and answers every lookup: by reference, digest,
// full id or unique id prefix; listing with Docker's filters; history;
// which images are children of another. It reads image configs from the
// ContentStore but stores no blobs.
//
// Locking: none of its own. Reads take no lock. Tag and Untag write only
// image records in one batch each (the store serializes batches, and Tag
// re-reads inside its batch). Put and Delete are called by ImageStore under
// LayerStore::mu(), since they add or drop users of layers.
#ifndef BERTH_SERVICES_IMAGED_IMAGE_INDEX_H_
#define BERTH_SERVICES_IMAGED_IMAGE_INDEX_H_

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "berth/image/v1/image.pb.h"
#include "common/service_core.h"
#include "common/table.h"
#include "services/imaged/content_store.h"
#include "services/imaged/image_records.h"

namespace berth::imaged {

class ImageIndex {
 public:
  ImageIndex(ServiceCore& core, const ContentStore& blobs);

  // Adds the blobs image records name (configs, manifests) to `live`.
  absl::Status AddLiveBlobs(std::set<std::string>* live) const;

  // Calls `fn` with every image until it returns false.
  absl::Status ForEach(
      const std::function<bool(const image::v1::Image&)>& fn) const;
  // The image with id `id` exactly.
  absl::StatusOr<image::v1::Image> Get(const std::string& id) const;
  // `name` is a reference, a full id or a unique id prefix.
  absl::StatusOr<image::v1::Image> Find(const std::string& name) const;
  // Summaries newest first; their snapshot counts are the caller's to fill.
  absl::StatusOr<image::v1::ListImagesResponse> List(
      const image::v1::ListImagesRequest& request) const;
  absl::StatusOr<image::v1::ImageHistoryResponse> History(
      const std::string& name) const;
  // Ids of the images whose parent is `image_id`.
  absl::StatusOr<std::vector<std::string>> ChildrenOf(
      const std::string& image_id) const;
  // Whether an image uses the layer `chain_id`.
  absl::StatusOr<bool> UsesLayer(const std::string& chain_id) const;

  // Tags the image `source` names as `target`, taking the tag from the
  // image that had it. Returns the image id.
  absl::StatusOr<std::string> Tag(const std::string& source,
                                  const std::string& target);
  // Removes `tag` from `image` (rmi of one of several tags).
  absl::Status Untag(image::v1::Image image, const std::string& tag);
  // In `txn`: records `images`, keeping the tags a stored copy of the same
  // image had and taking the tags they name from other images.
  absl::Status Put(Transaction& txn, std::vector<image::v1::Image> images);
  // Deletes the record of image `id` (with its tags).
  absl::Status Delete(const std::string& id);

 private:
  absl::StatusOr<image::v1::Image> FindById(const std::string& prefix) const;
  // In `txn`: takes `tag` from whichever image other than `image_id` has it.
  absl::Status TakeTag(Transaction& txn, const std::string& tag,
                       const std::string& image_id);

  ServiceCore& core_;
  const ContentStore& blobs_;
  Table<image::v1::Image> images_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_IMAGE_INDEX_H_
