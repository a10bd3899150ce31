// ImageStore: untagging and deleting images (rmi, prune) and collecting the
// layers nothing uses any more.
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "services/imaged/image_records.h"
#include "services/imaged/image_store.h"
#include "services/imaged/reference/reference.h"

namespace berth::imaged {
namespace {

using image::v1::Image;

std::string Short(const std::string& id) { return id.substr(7, 12); }

}  // namespace

absl::StatusOr<std::vector<std::string>> ImageStore::ChildrenOf(
    const std::string& image_id) const {
  std::vector<std::string> children;
  RETURN_IF_ERROR(images_.ForEach(core_.store(), [&](const Image& image) {
    if (image.parent() == image_id) children.push_back(image.id());
    return true;
  }));
  return children;
}

absl::Status ImageStore::CollectLayers(const std::vector<std::string>& chain_ids,
                                       std::vector<std::string>* deleted,
                                       int64_t* reclaimed) {
  // Top layers first: a layer's parent is only free once the layer is gone.
  for (auto it = chain_ids.rbegin(); it != chain_ids.rend(); ++it) {
    const std::string& chain_id = *it;
    ASSIGN_OR_RETURN(Keys image_users,
                     images_.FindAll(core_.store(), "layer", chain_id));
    ASSIGN_OR_RETURN(Keys snapshot_users,
                     snapshots_.FindAll(core_.store(), "layer", chain_id));
    if (!image_users.empty() || !snapshot_users.empty()) continue;
    absl::StatusOr<records::LayerRecord> layer =
        layers_.Get(core_.store(), chain_id);
    if (absl::IsNotFound(layer.status())) continue;
    RETURN_IF_ERROR(layer.status());
    // Record first: a crash after this leaves only files, which the next
    // start removes.
    RETURN_IF_ERROR(core_.store().Update(
        [&](Transaction& txn) { return layers_.Delete(txn, chain_id); }));
    unlink(LayerLink(chain_id).c_str());
    RETURN_IF_ERROR(RemoveTree(LayerDir(chain_id)));
    ASSIGN_OR_RETURN(int64_t freed, DeleteLayerBlobs(*layer));
    deleted->push_back(chain_id);
    *reclaimed += layer->info().unpacked_size() + freed;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> ImageStore::DeleteLayerBlobs(
    const records::LayerRecord& layer) {
  // Another layer (another parent chain, or the same content loaded
  // compressed and plain) may name the same blob.
  const std::vector<std::pair<std::string, int64_t>> blobs = {
      {layer.info().digest(), layer.info().compressed_size()},
      {layer.compressed().digest(), layer.compressed().size()}};
  int64_t freed = 0;
  for (const auto& [digest, size] : blobs) {
    if (digest.empty()) continue;
    bool shared = false;
    RETURN_IF_ERROR(layers_.ForEach(
        core_.store(), [&](const records::LayerRecord& other) {
          shared = other.info().digest() == digest ||
                   other.compressed().digest() == digest;
          return !shared;
        }));
    if (shared) continue;
    RETURN_IF_ERROR(blobs_.Delete(digest));
    freed += size;
  }
  return freed;
}

absl::Status ImageStore::DeleteImage(const Image& image, bool prune_parents,
                                     image::v1::RemoveImageResponse* response,
                                     int64_t* reclaimed) {
  for (const std::string& tag : image.repo_tags()) response->add_untagged(tag);
  for (const std::string& digest : image.repo_digests()) {
    response->add_untagged(digest);
  }
  RETURN_IF_ERROR(core_.store().Update(
      [&](Transaction& txn) { return images_.Delete(txn, image.id()); }));
  response->add_deleted(image.id());
  RETURN_IF_ERROR(blobs_.Delete(image.id()));
  RETURN_IF_ERROR(blobs_.Delete(image.manifest_digest()));
  core_.log().info("deleted image {}", image.id());

  std::vector<std::string> chain_ids;
  for (const auto& layer : image.layers()) chain_ids.push_back(layer.chain_id());
  std::vector<std::string> layers_deleted;
  RETURN_IF_ERROR(CollectLayers(chain_ids, &layers_deleted, reclaimed));
  for (auto it = layers_deleted.begin(); it != layers_deleted.end(); ++it) {
    response->add_deleted(*it);
  }

  if (!prune_parents || image.parent().empty()) return absl::OkStatus();
  absl::StatusOr<Image> parent = images_.Get(core_.store(), image.parent());
  if (!parent.ok() || !parent->repo_tags().empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<std::string> siblings, ChildrenOf(parent->id()));
  if (!siblings.empty() || SnapshotCount(parent->id()) > 0) {
    return absl::OkStatus();
  }
  return DeleteImage(*parent, prune_parents, response, reclaimed);
}

absl::StatusOr<image::v1::RemoveImageResponse> ImageStore::Remove(
    const image::v1::RemoveImageRequest& request) {
  absl::MutexLock lock(&layers_mu_);
  ASSIGN_OR_RETURN(Image image, Find(request.image()));
  image::v1::RemoveImageResponse response;

  // Named by one of its tags while it has others: only that tag goes.
  absl::StatusOr<Reference> ref = ParseReference(request.image());
  const bool by_tag =
      ref.ok() && ref->digest.empty() &&
      std::find(image.repo_tags().begin(), image.repo_tags().end(),
                ref->Familiar()) != image.repo_tags().end();
  const int64_t snapshots = SnapshotCount(image.id());
  if (by_tag && (image.repo_tags_size() > 1 ||
                 (snapshots > 0 && request.force()))) {
    const std::string tag = ref->Familiar();
    RETURN_IF_ERROR(core_.store().Update([&](Transaction& txn) {
      auto* tags = image.mutable_repo_tags();
      tags->erase(std::remove(tags->begin(), tags->end(), tag), tags->end());
      return images_.Put(txn, image);
    }));
    response.add_untagged(tag);
    return response;
  }

  ASSIGN_OR_RETURN(std::vector<std::string> children, ChildrenOf(image.id()));
  if (!children.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "conflict: unable to delete ", Short(image.id()),
        " (cannot be forced) - image has dependent child images"));
  }
  if (snapshots > 0 && !request.force()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "conflict: unable to ", by_tag ? "remove repository reference \"" +
                                             request.image() + "\""
                                       : "delete " + Short(image.id()),
        " (must force) - image is being used by ", snapshots,
        " container(s)"));
  }
  if (!by_tag && image.repo_tags_size() > 1 && !request.force()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "conflict: unable to delete ", Short(image.id()),
        " (must be forced) - image is referenced in multiple repositories"));
  }
  int64_t reclaimed = 0;
  RETURN_IF_ERROR(
      DeleteImage(image, !request.no_prune(), &response, &reclaimed));
  return response;
}

absl::StatusOr<image::v1::PruneImagesResponse> ImageStore::Prune(
    const image::v1::PruneImagesRequest& request) {
  absl::MutexLock lock(&layers_mu_);
  const types::v1::PruneFilter& filter = request.filter();
  std::vector<Image> candidates;
  RETURN_IF_ERROR(images_.ForEach(core_.store(), [&](const Image& image) {
    if (!request.all() && !image.repo_tags().empty()) return true;
    if (filter.has_until() &&
        FromTimestamp(image.created()) >= FromTimestamp(filter.until())) {
      return true;
    }
    if (!MatchesLabels(image.config().labels(), filter.labels())) return true;
    candidates.push_back(image);
    return true;
  }));
  image::v1::PruneImagesResponse result;
  int64_t reclaimed = 0;
  // Newest first, so children go before the parents they pin.
  std::sort(candidates.begin(), candidates.end(),
            [](const Image& a, const Image& b) {
              return FromTimestamp(a.created()) > FromTimestamp(b.created());
            });
  for (const Image& candidate : candidates) {
    absl::StatusOr<Image> image = images_.Get(core_.store(), candidate.id());
    if (!image.ok()) continue;  // already gone with a child
    if (SnapshotCount(image->id()) > 0) continue;
    ASSIGN_OR_RETURN(std::vector<std::string> children, ChildrenOf(image->id()));
    if (!children.empty()) continue;
    image::v1::RemoveImageResponse removed;
    RETURN_IF_ERROR(DeleteImage(*image, true, &removed, &reclaimed));
    for (const std::string& tag : removed.untagged()) result.add_untagged(tag);
    for (const std::string& id : removed.deleted()) result.add_deleted(id);
  }
  result.set_space_reclaimed(reclaimed);
  return result;
}

}  // namespace berth::imaged
