// ImageStore: the store's side of pull and push. The network side
// (services/imaged/distribution) fetches and sends the bytes; here they
// become layers and records, or are found for sending.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/imaged/formats/oci_layout.h"
#include "services/imaged/image_store.h"

namespace berth::imaged {

bool ImageStore::HasLayer(const std::string& chain_id) const {
  return layers_.Get(chain_id).ok();
}

ImageStore::RemoteImage::~RemoteImage() {
  for (const PendingLayer& pending : plan_.layers) {
    store_.layers_.DropPending(pending);
  }
}

absl::Status ImageStore::RemoteImage::AddLayer(
    const LayerStore::Source& source, const std::string& progress_id,
    const ProgressSink& progress) {
  ASSIGN_OR_RETURN(PendingLayer layer, store_.layers_.Unpack(
                                           source, parent_, progress_id,
                                           progress));
  parent_ = layer.chain_id;
  chain_.push_back(plan_.layers.size());
  plan_.layers.push_back(std::move(layer));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ImageStore::RemoteImage::Commit(
    const RemoteManifest& manifest) {
  PlannedImage planned;
  planned.config_json = manifest.config_json;
  if (!manifest.tag.empty()) planned.tags.push_back(manifest.tag);
  planned.layers = chain_;
  planned.manifest_json = manifest.manifest_json;
  planned.manifest_media_type = manifest.manifest_media_type;
  if (!manifest.repo_digest.empty()) {
    planned.repo_digests.push_back(manifest.repo_digest);
  }
  PlannedLoad plan = std::move(plan_);
  plan_ = PlannedLoad();  // StorePlanned owns the pending layers now
  plan.images.push_back(std::move(planned));
  ASSIGN_OR_RETURN(image::v1::LoadResult result,
                   store_.StorePlanned(std::move(plan), "a registry"));
  if (result.images_size() != 1) {
    return absl::InternalError("a pull stored no image");
  }
  const std::string id = result.images(0).image_id();
  store_.Emit(id, "pull",
              manifest.tag.empty() ? manifest.repo_digest : manifest.tag);
  return id;
}

absl::StatusOr<ImageStore::PushContent> ImageStore::PushContentOf(
    const std::string& name) const {
  ASSIGN_OR_RETURN(image::v1::Image image, Find(name));
  PushContent content;
  content.image_id = image.id();
  content.manifest_media_type = image.manifest_media_type();
  content.repo_digests = {image.repo_digests().begin(),
                          image.repo_digests().end()};
  ASSIGN_OR_RETURN(content.manifest_json, blobs_.Read(image.manifest_digest()));
  ASSIGN_OR_RETURN(formats::OciManifest manifest,
                   formats::ParseOciManifest(content.manifest_json));
  auto blob = [&](const formats::Descriptor& descriptor,
                  absl::string_view what) -> absl::StatusOr<PushContent::Blob> {
    if (!blobs_.Contains(descriptor.digest)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the ", what, " blob ", descriptor.digest, " of image ",
          image.id(), " is not in the store; remove the image and load or "
          "pull it again"));
    }
    PushContent::Blob out;
    out.digest = descriptor.digest;
    out.media_type = descriptor.media_type;
    out.size = descriptor.size;
    out.path = blobs_.PathOf(descriptor.digest);
    return out;
  };
  ASSIGN_OR_RETURN(content.config, blob(manifest.config, "config"));
  if (manifest.layers.size() != static_cast<size_t>(image.layers_size())) {
    return absl::InternalError(absl::StrCat(
        "image ", image.id(), " has ", image.layers_size(),
        " layers but its manifest lists ", manifest.layers.size()));
  }
  for (size_t i = 0; i < manifest.layers.size(); ++i) {
    ASSIGN_OR_RETURN(PushContent::Blob layer, blob(manifest.layers[i], "layer"));
    layer.diff_id = image.layers(static_cast<int>(i)).diff_id();
    content.layers.push_back(std::move(layer));
  }
  return content;
}

absl::Status ImageStore::AddRepoDigest(const std::string& image_id,
                                       const std::string& repo_digest) {
  // Under the store's lock: a removal meanwhile must not be undone by
  // writing the record back.
  absl::MutexLock lock(&layers_.mu());
  ASSIGN_OR_RETURN(image::v1::Image image, index_.Get(image_id));
  for (const std::string& digest : image.repo_digests()) {
    if (digest == repo_digest) return absl::OkStatus();
  }
  image.add_repo_digests(repo_digest);
  return core_.store().Update([&](Transaction& txn) {
    return index_.Put(txn, {image});
  });
}

}  // namespace berth::imaged
