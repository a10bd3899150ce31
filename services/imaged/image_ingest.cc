// ImageStore: bringing images in (import, load, commit of a rootfs).
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/formats/changes.h"
#include "services/imaged/formats/image_config.h"
#include "services/imaged/formats/media_types.h"
#include "services/imaged/formats/oci_layout.h"
#include "services/imaged/image_records.h"
#include "services/imaged/image_store.h"
#include "services/imaged/layer/pack.h"
#include "services/imaged/layer/unpack.h"
#include "services/imaged/reference/reference.h"

namespace berth::imaged {
namespace {

using image::v1::Image;

std::string HostArchitecture() {
  struct utsname uts;
  if (uname(&uts) != 0) return "amd64";
  const std::string machine = uts.machine;
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  return machine;
}

// Whether a registry's manifest names the config and the layers exactly as
// the store keeps them.
bool RemoteManifestMatches(const std::string& manifest_json,
                           const formats::OciManifest& stored) {
  absl::StatusOr<formats::OciManifest> remote =
      formats::ParseOciManifest(manifest_json);
  if (!remote.ok() || remote->config.digest != stored.config.digest ||
      remote->layers.size() != stored.layers.size()) {
    return false;
  }
  for (size_t i = 0; i < stored.layers.size(); ++i) {
    if (remote->layers[i].digest != stored.layers[i].digest) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Image> ImageStore::MakeImage(
    const std::string& config_json, const std::vector<StagedLayer>& layers,
    const std::vector<std::string>& tags) {
  PlannedImage planned;
  planned.config_json = config_json;
  planned.tags = tags;
  return MakePlannedImage(planned, layers);
}

absl::StatusOr<Image> ImageStore::MakePlannedImage(
    const PlannedImage& planned, const std::vector<StagedLayer>& layers) {
  const std::string& config_json = planned.config_json;
  const std::vector<std::string>& tags = planned.tags;
  ASSIGN_OR_RETURN(formats::ImageConfigDoc doc,
                   formats::ParseImageConfig(config_json));
  if (doc.diff_ids.size() != layers.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the image config lists ", doc.diff_ids.size(),
        " layers but the image has ", layers.size()));
  }
  ASSIGN_OR_RETURN(std::string id, blobs_.Put(config_json));

  formats::OciManifest manifest;
  manifest.media_type = formats::kOciManifest;
  manifest.config.media_type = formats::kOciConfig;
  manifest.config.digest = id;
  manifest.config.size = static_cast<int64_t>(config_json.size());
  Image image;
  image.set_id(id);
  int64_t size = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    const image::v1::LayerInfo& info = layers[i].record.info();
    if (info.diff_id() != doc.diff_ids[i]) {
      return absl::InvalidArgumentError(absl::StrCat(
          "layer ", i + 1, " has digest ", info.diff_id(),
          " but the image config expects ", doc.diff_ids[i]));
    }
    formats::Descriptor descriptor;
    descriptor.media_type = info.media_type();
    descriptor.digest = info.digest();
    descriptor.size = info.compressed_size();
    manifest.layers.push_back(descriptor);
    *image.add_layers() = info;
    image.mutable_rootfs()->add_diff_ids(info.diff_id());
    size += info.unpacked_size();
  }
  image.mutable_rootfs()->set_type("layers");
  // A registry's manifest is kept as it came, so a push sends the same
  // bytes (and the same digest) back; only when a layer was stored before
  // from other bytes (a load) does the image get a manifest of its own.
  const bool keep_remote =
      !planned.manifest_json.empty() &&
      RemoteManifestMatches(planned.manifest_json, manifest);
  ASSIGN_OR_RETURN(std::string manifest_digest,
                   blobs_.Put(keep_remote
                                  ? planned.manifest_json
                                  : formats::SerializeOciManifest(manifest)));
  image.set_manifest_digest(manifest_digest);
  image.set_manifest_media_type(keep_remote ? planned.manifest_media_type
                                            : formats::kOciManifest);
  for (const std::string& digest : planned.repo_digests) {
    image.add_repo_digests(digest);
  }

  std::set<std::string> seen;
  for (const std::string& tag : tags) {
    if (seen.insert(tag).second) image.add_repo_tags(tag);
  }
  if (doc.has_created) *image.mutable_created() = ToTimestamp(doc.created);
  image.set_author(doc.author);
  image.set_comment(doc.comment);
  image.set_container(doc.container);
  image.mutable_platform()->set_os(doc.os);
  image.mutable_platform()->set_architecture(doc.architecture);
  image.mutable_platform()->set_variant(doc.variant);
  image.set_size(size);
  *image.mutable_config() = doc.config;
  *image.mutable_added_at() = ToTimestamp(absl::Now());
  if (!tags.empty()) *image.mutable_last_tag_time() = image.added_at();
  return image;
}

absl::Status ImageStore::CommitImages(std::vector<Image> images,
                                      const std::vector<StagedLayer>& layers) {
  return core_.store().Update([&](Transaction& txn) -> absl::Status {
    RETURN_IF_ERROR(layers_.Record(txn, layers));
    return index_.Put(txn, std::move(images));
  });
}

absl::StatusOr<image::v1::ImportResult> ImageStore::Import(
    const std::string& tar_path, const image::v1::ImportOptions& options,
    const ProgressSink& progress) {
  std::vector<std::string> tags;
  if (!options.reference().empty()) {
    ASSIGN_OR_RETURN(Reference ref, ParseTagReference(options.reference()));
    tags.push_back(ref.Familiar());
  }
  formats::ImageConfigDoc doc;
  RETURN_IF_ERROR(formats::ApplyChanges(
      {options.changes().begin(), options.changes().end()}, &doc.config));
  doc.os = options.platform().os().empty() ? "linux" : options.platform().os();
  doc.architecture = options.platform().architecture().empty()
                         ? HostArchitecture()
                         : options.platform().architecture();
  doc.variant = options.platform().variant();
  doc.created = absl::Now();
  doc.has_created = true;
  doc.comment =
      options.message().empty() ? "Imported from -" : options.message();

  // The long part, the unpack, holds no lock: a run's PrepareRootfs or a
  // removal goes on meanwhile.
  ASSIGN_OR_RETURN(PendingLayer pending,
                   layers_.Unpack({tar_path}, "", "import", progress));
  absl::MutexLock lock(&layers_.mu());
  ASSIGN_OR_RETURN(StagedLayer layer, layers_.Place(pending));
  doc.diff_ids = {layer.record.info().diff_id()};
  formats::ConfigHistory step;
  step.created = doc.created;
  step.comment = doc.comment;
  doc.history = {step};
  absl::StatusOr<Image> image =
      MakeImage(formats::SerializeImageConfig(doc), {layer}, tags);
  absl::Status committed =
      image.ok() ? CommitImages({*image}, {layer}) : image.status();
  if (!committed.ok()) {
    layers_.DiscardStaged({layer});
    return committed;
  }
  core_.log().info("imported image {}{}", image->id(),
                   tags.empty() ? "" : " as " + tags[0]);
  if (!tags.empty()) Emit(image->id(), "tag", tags[0]);
  Emit(image->id(), "import", image->id());
  image::v1::ImportResult result;
  result.set_image_id(image->id());
  if (!tags.empty()) result.set_reference(tags[0]);
  return result;
}

absl::StatusOr<image::v1::LoadResult> ImageStore::Load(
    const std::string& archive_path, const image::v1::LoadOptions& options,
    const ProgressSink& progress) {
  ASSIGN_OR_RETURN(std::string dir, MakeTempDir(root_ + "/tmp", "load-"));
  layer::UnpackOptions unpack;
  unpack.mode = layer::UnpackMode::kArchive;
  unpack.compute_digest = false;
  absl::StatusOr<image::v1::LoadResult> result =
      absl::InvalidArgumentError("empty archive");
  absl::Status unpacked = layer::UnpackTar(archive_path, dir, unpack).status();
  if (!unpacked.ok()) {
    result = Annotate(unpacked, "invalid image archive");
  } else {
    // Layers are unpacked without the lock; only placing them and writing
    // the records take it.
    ProgressSink sink = options.quiet() ? ProgressSink() : progress;
    PlannedLoad plan;
    absl::Status planned;
    std::string source;
    if (access((dir + "/manifest.json").c_str(), F_OK) == 0) {
      planned = PlanDockerArchive(dir, sink, &plan);
      source = "a docker archive";
    } else if (access((dir + "/index.json").c_str(), F_OK) == 0) {
      planned = PlanOciLayout(dir, sink, &plan);
      source = "an OCI layout";
    } else {
      planned = absl::InvalidArgumentError(
          "not an image archive: it has neither manifest.json (docker save) "
          "nor index.json (OCI image layout)");
    }
    if (planned.ok()) {
      result = StorePlanned(std::move(plan), source);
    } else {
      for (const PendingLayer& pending : plan.layers) {
        layers_.DropPending(pending);
      }
      result = planned;
    }
  }
  RemoveTree(dir).IgnoreError();
  if (result.ok()) {
    for (const auto& loaded : result->images()) {
      Emit(loaded.image_id(), "load", loaded.image_id());
    }
  }
  return result;
}

absl::StatusOr<image::v1::CommitRootfsResponse> ImageStore::CommitRootfs(
    const image::v1::CommitRootfsRequest& request) {
  std::vector<std::string> tags;
  if (!request.reference().empty()) {
    ASSIGN_OR_RETURN(Reference ref, ParseTagReference(request.reference()));
    tags.push_back(ref.Familiar());
  }
  ASSIGN_OR_RETURN(image::v1::InspectRootfsResponse snapshot,
                   InspectRootfs(request.key()));
  absl::MutexLock lock(&layers_.mu());
  absl::StatusOr<Image> base =
      index_.Get(snapshot.rootfs().image_id());
  if (!base.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the image of rootfs ", request.key(), " (",
        snapshot.rootfs().image_id(), ") was removed; it cannot be committed"));
  }
  ASSIGN_OR_RETURN(std::string base_json, blobs_.Read(base->id()));
  ASSIGN_OR_RETURN(formats::ImageConfigDoc doc,
                   formats::ParseImageConfig(base_json));
  if (request.has_config()) doc.config = request.config();
  RETURN_IF_ERROR(formats::ApplyChanges(
      {request.changes().begin(), request.changes().end()}, &doc.config));

  ASSIGN_OR_RETURN(std::string tar_path, NewTempFile("commit-"));
  absl::StatusOr<layer::PackResult> packed = layer::PackDirectory(
      snapshot.rootfs().mount().upper_dir(), tar_path);
  if (!packed.ok()) {
    unlink(tar_path.c_str());
    return packed.status();
  }
  std::vector<StagedLayer> layers;
  for (const auto& info : base->layers()) {
    ASSIGN_OR_RETURN(records::LayerRecord record,
                     layers_.Get(info.chain_id()));
    layers.push_back({record, false});
  }
  const std::string parent_chain =
      layers.empty() ? "" : layers.back().record.info().chain_id();
  absl::StatusOr<StagedLayer> top =
      layers_.Stage({tar_path, packed->diff_id}, parent_chain, "commit",
                    nullptr);
  unlink(tar_path.c_str());
  RETURN_IF_ERROR(top.status());
  layers.push_back(*top);

  const absl::Time now = absl::Now();
  doc.created = now;
  doc.has_created = true;
  doc.author = request.author();
  doc.comment = request.comment();
  doc.container = request.container_id();
  doc.diff_ids.push_back(packed->diff_id);
  formats::ConfigHistory step;
  step.created = now;
  step.created_by = request.created_by();
  step.author = request.author();
  step.comment = request.comment();
  doc.history.push_back(step);

  absl::StatusOr<Image> image =
      MakeImage(formats::SerializeImageConfig(doc), layers, tags);
  if (image.ok()) image->set_parent(base->id());
  absl::Status committed =
      image.ok() ? CommitImages({*image}, {*top}) : image.status();
  if (!committed.ok()) {
    layers_.DiscardStaged({*top});
    return committed;
  }
  core_.log().info("committed rootfs {} as image {}", request.key(),
                   image->id());
  image::v1::CommitRootfsResponse response;
  response.set_image_id(image->id());
  return response;
}

}  // namespace berth::imaged
