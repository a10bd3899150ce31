// ImageStore: reading the two archive layouts `load` accepts. The archive is
// already unpacked (regular files and directories only) into a temp dir.
#include <sys/stat.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/formats/docker_archive.h"
#include "services/imaged/formats/image_config.h"
#include "services/imaged/formats/media_types.h"
#include "services/imaged/formats/oci_layout.h"
#include "services/imaged/image_store.h"
#include "services/imaged/reference/reference.h"

namespace berth::imaged {
namespace {

using image::v1::Image;

// A path the archive's own metadata names; it must be a regular file.
absl::StatusOr<std::string> MemberPath(const std::string& dir,
                                       const std::string& member,
                                       absl::string_view what) {
  const std::string path = absl::StrCat(dir, "/", member);
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the archive's ", what, " names \"", member,
        "\", which is not a file in the archive"));
  }
  return path;
}

std::string ShortId(const std::string& digest) {
  return digest.size() > 19 ? digest.substr(7, 12) : digest;
}

absl::StatusOr<std::vector<std::string>> TagsOf(
    const std::vector<std::string>& names) {
  std::vector<std::string> tags;
  for (const std::string& name : names) {
    absl::StatusOr<Reference> ref = ParseTagReference(name);
    if (!ref.ok()) {
      return Annotate(ref.status(),
                      absl::StrCat("archive tags the image \"", name, "\""));
    }
    tags.push_back(ref->Familiar());
  }
  return tags;
}

// An OCI blob, its size and digest checked against its descriptor. The size
// is checked first so a descriptor claiming a huge blob fails before any
// hashing.
absl::StatusOr<std::string> VerifiedBlobPath(
    const std::string& dir, const formats::Descriptor& descriptor) {
  const std::string& digest = descriptor.digest;
  if (!IsSha256Digest(digest)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unsupported or malformed digest \"", digest, "\""));
  }
  ASSIGN_OR_RETURN(std::string path,
                   MemberPath(dir, "blobs/sha256/" + digest.substr(7), "index"));
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", path);
  if (st.st_size != descriptor.size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "blob ", digest, " is ", st.st_size, " bytes but its descriptor says ",
        descriptor.size, " (the archive is corrupt or was tampered with)"));
  }
  ASSIGN_OR_RETURN(std::string actual, Sha256File(path));
  if (actual != digest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "blob ", digest, " in the archive has digest ", actual,
        " (the archive is corrupt or was tampered with)"));
  }
  return path;
}

image::v1::LoadResult ResultOf(const std::vector<Image>& images) {
  image::v1::LoadResult result;
  for (const Image& image : images) {
    image::v1::LoadedImage* loaded = result.add_images();
    loaded->set_image_id(image.id());
    *loaded->mutable_repo_tags() = image.repo_tags();
  }
  return result;
}

}  // namespace

absl::StatusOr<std::vector<size_t>> ImageStore::UnpackChain(
    const std::vector<LayerSource>& sources, const ProgressSink& progress,
    PlannedLoad* plan) {
  std::vector<size_t> chain;
  std::string parent;
  for (const LayerSource& source : sources) {
    // Images of one archive share their lower layers: unpack each once.
    const std::string chain_id = ChainId(parent, source.diff_id);
    size_t index = plan->layers.size();
    for (size_t k = 0; k < plan->layers.size(); ++k) {
      if (plan->layers[k].chain_id == chain_id) index = k;
    }
    if (index == plan->layers.size()) {
      ASSIGN_OR_RETURN(PendingLayer layer,
                       layers_.Unpack(source, parent, ShortId(source.diff_id),
                                      progress));
      plan->layers.push_back(std::move(layer));
    }
    parent = plan->layers[index].chain_id;
    chain.push_back(index);
  }
  return chain;
}

absl::StatusOr<image::v1::LoadResult> ImageStore::StorePlanned(
    PlannedLoad plan, absl::string_view source) {
  std::vector<StagedLayer> staged;
  std::vector<Image> images;
  absl::Status status;
  {
    absl::MutexLock lock(&layers_.mu());
    status = [&]() -> absl::Status {
      std::vector<StagedLayer> placed;
      for (PendingLayer& pending : plan.layers) {
        absl::StatusOr<StagedLayer> layer = layers_.Place(pending);
        pending = PendingLayer();  // placed or dropped: nothing left in tmp/
        RETURN_IF_ERROR(layer.status());
        placed.push_back(*layer);
        staged.push_back(*layer);
      }
      for (const PlannedImage& planned : plan.images) {
        std::vector<StagedLayer> layers;
        for (size_t index : planned.layers) layers.push_back(placed[index]);
        ASSIGN_OR_RETURN(Image image, MakePlannedImage(planned, layers));
        images.push_back(std::move(image));
      }
      return CommitImages(images, staged);
    }();
    if (!status.ok()) layers_.DiscardStaged(staged);
  }
  for (const PendingLayer& pending : plan.layers) layers_.DropPending(pending);
  if (!status.ok()) return status;
  for (const Image& image : images) {
    core_.log().info("loaded image {} from {}", image.id(), std::string(source));
  }
  return ResultOf(images);
}

absl::Status ImageStore::PlanDockerArchive(const std::string& dir,
                                           const ProgressSink& progress,
                                           PlannedLoad* plan) {
  ASSIGN_OR_RETURN(std::string manifest_json,
                   ReadFileToString(dir + "/manifest.json", formats::kMaxJsonDocumentSize));
  ASSIGN_OR_RETURN(std::vector<formats::DockerManifestEntry> entries,
                   formats::ParseDockerManifest(manifest_json));
  for (const formats::DockerManifestEntry& entry : entries) {
    ASSIGN_OR_RETURN(std::string config_path,
                     MemberPath(dir, entry.config, "manifest.json"));
    ASSIGN_OR_RETURN(std::string config_json,
                     ReadFileToString(config_path, formats::kMaxJsonDocumentSize));
    ASSIGN_OR_RETURN(formats::ImageConfigDoc doc,
                     formats::ParseImageConfig(config_json));
    if (doc.diff_ids.size() != entry.layers.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "manifest.json lists ", entry.layers.size(), " layers for ",
          entry.config, " but its config lists ", doc.diff_ids.size()));
    }
    std::vector<LayerSource> sources;
    for (size_t i = 0; i < entry.layers.size(); ++i) {
      LayerSource source;
      ASSIGN_OR_RETURN(source.path,
                       MemberPath(dir, entry.layers[i], "manifest.json"));
      source.diff_id = doc.diff_ids[i];
      // docker save names no media types; Docker pushes its gzip layers
      // under this one.
      source.keep_compressed = true;
      source.media_type = formats::kDockerLayerTarGzip;
      sources.push_back(std::move(source));
    }
    PlannedImage planned;
    ASSIGN_OR_RETURN(planned.tags, TagsOf(entry.repo_tags));
    ASSIGN_OR_RETURN(planned.layers, UnpackChain(sources, progress, plan));
    planned.config_json = std::move(config_json);
    plan->images.push_back(std::move(planned));
  }
  return absl::OkStatus();
}

absl::Status ImageStore::PlanOciLayout(const std::string& dir,
                                       const ProgressSink& progress,
                                       PlannedLoad* plan) {
  ASSIGN_OR_RETURN(std::string layout_json,
                   ReadFileToString(dir + "/oci-layout", formats::kMaxJsonDocumentSize));
  RETURN_IF_ERROR(formats::CheckOciLayoutFile(layout_json));
  ASSIGN_OR_RETURN(std::string index_json,
                   ReadFileToString(dir + "/index.json", formats::kMaxJsonDocumentSize));
  ASSIGN_OR_RETURN(std::vector<formats::Descriptor> manifests,
                   formats::ParseOciIndex(index_json));

  for (size_t m = 0; m < manifests.size(); ++m) {
    formats::Descriptor descriptor = manifests[m];
    // A nested index (multi-platform image): take the host's platform.
    if (descriptor.media_type == formats::kOciIndex ||
        descriptor.media_type == formats::kDockerManifestList) {
      ASSIGN_OR_RETURN(std::string path,
                       VerifiedBlobPath(dir, descriptor));
      ASSIGN_OR_RETURN(std::string nested_json,
                       ReadFileToString(path, formats::kMaxJsonDocumentSize));
      ASSIGN_OR_RETURN(std::vector<formats::Descriptor> nested,
                       formats::ParseOciIndex(nested_json));
      const formats::Descriptor* chosen = nullptr;
      for (const formats::Descriptor& candidate : nested) {
        if (candidate.platform_os == "linux" &&
            candidate.platform_architecture == "amd64") {
          chosen = &candidate;
          break;
        }
      }
      if (chosen == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            "index ", descriptor.digest, " has no linux/amd64 image"));
      }
      auto annotations = descriptor.annotations;
      descriptor = *chosen;
      descriptor.annotations.insert(annotations.begin(), annotations.end());
    }
    ASSIGN_OR_RETURN(std::string manifest_path,
                     VerifiedBlobPath(dir, descriptor));
    ASSIGN_OR_RETURN(std::string manifest_json,
                     ReadFileToString(manifest_path, formats::kMaxJsonDocumentSize));
    ASSIGN_OR_RETURN(formats::OciManifest manifest,
                     formats::ParseOciManifest(manifest_json));
    ASSIGN_OR_RETURN(std::string config_path,
                     VerifiedBlobPath(dir, manifest.config));
    ASSIGN_OR_RETURN(std::string config_json,
                     ReadFileToString(config_path, formats::kMaxJsonDocumentSize));
    ASSIGN_OR_RETURN(formats::ImageConfigDoc doc,
                     formats::ParseImageConfig(config_json));
    if (doc.diff_ids.size() != manifest.layers.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "manifest ", descriptor.digest, " lists ", manifest.layers.size(),
          " layers but its config lists ", doc.diff_ids.size()));
    }
    std::vector<LayerSource> sources;
    for (size_t i = 0; i < manifest.layers.size(); ++i) {
      const formats::Descriptor& layer = manifest.layers[i];
      LayerSource source;
      ASSIGN_OR_RETURN(source.path, VerifiedBlobPath(dir, layer));
      source.diff_id = doc.diff_ids[i];
      source.keep_compressed = true;
      source.digest = layer.digest;  // verified just now
      source.media_type = layer.media_type;
      sources.push_back(std::move(source));
    }
    PlannedImage planned;
    ASSIGN_OR_RETURN(planned.layers, UnpackChain(sources, progress, plan));
    // Docker and containerd name the image in this annotation; the OCI
    // one may hold a full reference or just a tag.
    std::vector<std::string> names;
    auto it = descriptor.annotations.find("io.containerd.image.name");
    if (it != descriptor.annotations.end()) {
      names.push_back(it->second);
    } else if ((it = descriptor.annotations.find(formats::kRefNameAnnotation)) !=
                   descriptor.annotations.end() &&
               (absl::StrContains(it->second, "/") ||
                absl::StrContains(it->second, ":"))) {
      names.push_back(it->second);
    }
    ASSIGN_OR_RETURN(planned.tags, TagsOf(names));
    planned.config_json = std::move(config_json);
    plan->images.push_back(std::move(planned));
  }
  return absl::OkStatus();
}

}  // namespace berth::imaged
