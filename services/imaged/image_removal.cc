// ImageStore: untagging and deleting images (rmi, prune); LayerStore
// collects the layers nothing uses any more.
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

absl::Status ImageStore::DeleteImage(const Image& image, bool prune_parents,
                                     image::v1::RemoveImageResponse* response,
                                     int64_t* reclaimed) {
  for (const std::string& tag : image.repo_tags()) response->add_untagged(tag);
  for (const std::string& digest : image.repo_digests()) {
    response->add_untagged(digest);
  }
  // Docker's untag per reference, then delete (labels read before).
  const int references = image.repo_tags_size() + image.repo_digests_size();
  for (int i = 0; i < references; ++i) Emit(image.id(), "untag", image.id());
  RETURN_IF_ERROR(index_.Delete(image.id()));
  Emit(image.id(), "delete", image.id());
  response->add_deleted(image.id());
  RETURN_IF_ERROR(blobs_.Delete(image.id()));
  RETURN_IF_ERROR(blobs_.Delete(image.manifest_digest()));
  core_.log().info("deleted image {}", image.id());

  std::vector<std::string> chain_ids;
  for (const auto& layer : image.layers()) chain_ids.push_back(layer.chain_id());
  std::vector<std::string> layers_deleted;
  RETURN_IF_ERROR(layers_.Collect(chain_ids, &layers_deleted, reclaimed));
  for (auto it = layers_deleted.begin(); it != layers_deleted.end(); ++it) {
    response->add_deleted(*it);
  }

  if (!prune_parents || image.parent().empty()) return absl::OkStatus();
  absl::StatusOr<Image> parent = index_.Get(image.parent());
  if (!parent.ok() || !parent->repo_tags().empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::vector<std::string> siblings, index_.ChildrenOf(parent->id()));
  if (!siblings.empty() || snapshots_.CountFor(parent->id()) > 0) {
    return absl::OkStatus();
  }
  return DeleteImage(*parent, prune_parents, response, reclaimed);
}

absl::StatusOr<image::v1::RemoveImageResponse> ImageStore::Remove(
    const image::v1::RemoveImageRequest& request) {
  absl::MutexLock lock(&layers_.mu());
  ASSIGN_OR_RETURN(Image image, index_.Find(request.image()));
  image::v1::RemoveImageResponse response;

  // Named by one of its tags while it has others: only that tag goes.
  absl::StatusOr<Reference> ref = ParseReference(request.image());
  const bool by_tag =
      ref.ok() && ref->digest.empty() &&
      std::find(image.repo_tags().begin(), image.repo_tags().end(),
                ref->Familiar()) != image.repo_tags().end();
  const int64_t snapshots = snapshots_.CountFor(image.id());
  // Docker: a forced removal by the last tag still untags only while a
  // running container uses the image; a stopped one does not hold it.
  const bool running_user = request.force() && request.running_users_size() > 0;
  if (by_tag && (image.repo_tags_size() > 1 || running_user)) {
    const std::string tag = ref->Familiar();
    RETURN_IF_ERROR(index_.Untag(image, tag));
    Emit(image.id(), "untag", image.id());
    response.add_untagged(tag);
    return response;
  }

  ASSIGN_OR_RETURN(std::vector<std::string> children, index_.ChildrenOf(image.id()));
  if (!children.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "conflict: unable to delete ", Short(image.id()),
        " (cannot be forced) - image has dependent child images"));
  }
  if (running_user) {
    return absl::FailedPreconditionError(absl::StrCat(
        "conflict: unable to delete ", Short(image.id()),
        " (cannot be forced) - image is being used by running container ",
        request.running_users(0).substr(0, 12)));
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
  absl::MutexLock lock(&layers_.mu());
  const types::v1::PruneFilter& filter = request.filter();
  std::vector<Image> candidates;
  RETURN_IF_ERROR(index_.ForEach([&](const Image& image) {
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
    absl::StatusOr<Image> image = index_.Get(candidate.id());
    if (!image.ok()) continue;  // already gone with a child
    if (snapshots_.CountFor(image->id()) > 0) continue;
    ASSIGN_OR_RETURN(std::vector<std::string> children, index_.ChildrenOf(image->id()));
    if (!children.empty()) continue;
    image::v1::RemoveImageResponse removed;
    RETURN_IF_ERROR(DeleteImage(*image, true, &removed, &reclaimed));
    for (const std::string& tag : removed.untagged()) result.add_untagged(tag);
    for (const std::string& id : removed.deleted()) result.add_deleted(id);
  }
  result.set_space_reclaimed(reclaimed);
  // Docker's daemon logs every prune, of nothing too: no actor, what it
  // reclaimed in bytes.
  events_.Emit(types::v1::OBJECT_TYPE_IMAGE, "prune", "",
               {{"reclaimed", std::to_string(reclaimed)}});
  return result;
}

}  // namespace berth::imaged
