// ImageStore: bringing images in (import, load) and staging their layers.
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

types::v1::Progress MakeProgress(const std::string& id,
                                 const std::string& status, int64_t current,
                                 int64_t total) {
  types::v1::Progress progress;
  progress.set_id(id);
  progress.set_status(status);
  progress.set_current(current);
  progress.set_total(total);
  *progress.mutable_time() = ToTimestamp(absl::Now());
  return progress;
}

int64_t FileSize(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

// The media type of a kept compressed layer: the archive's own name for it
// when that names the compression it has, else the OCI one.
std::string CompressedMediaType(layer::Compression compression,
                                const std::string& named) {
  if (compression == layer::Compression::kGzip) {
    if (named == formats::kOciLayerTarGzip ||
        named == formats::kDockerLayerTarGzip) {
      return named;
    }
    return formats::kOciLayerTarGzip;
  }
  return formats::kOciLayerTarZstd;
}

}  // namespace

absl::StatusOr<std::string> ImageStore::NewTempFile(const std::string& prefix) {
  std::string path = absl::StrCat(root_, "/tmp/", prefix, "XXXXXX");
  int fd = mkstemp(path.data());
  if (fd < 0) return ErrnoStatus(errno, "mkstemp", path);
  close(fd);
  return path;
}

absl::StatusOr<ImageStore::PendingLayer> ImageStore::UnpackLayer(
    const LayerSource& source, const std::string& parent_chain_id,
    const std::string& progress_id, const ProgressSink& progress) {
  const std::string& tar_path = source.path;
  PendingLayer pending;
  pending.parent_chain_id = parent_chain_id;
  auto recorded = [&](const std::string& chain_id) {
    if (!layers_.Get(core_.store(), chain_id).ok()) return false;
    pending.chain_id = chain_id;
    pending.present = true;
    if (progress) progress(MakeProgress(progress_id, "Already exists", 0, 0));
    return true;
  };
  if (!source.diff_id.empty()) {
    pending.diff_id = source.diff_id;
    if (recorded(ChainId(parent_chain_id, source.diff_id))) return pending;
  }

  const int64_t input_size = FileSize(tar_path);
  if (progress) {
    progress(MakeProgress(progress_id, "Loading layer", 0, input_size));
  }
  ASSIGN_OR_RETURN(layer::Compression compression,
                   layer::CompressionOf(tar_path));
  if (source.keep_compressed && (compression == layer::Compression::kGzip ||
                                 compression == layer::Compression::kZstd)) {
    // Kept as it is (linked by PlaceLayer), never compressed again; only a
    // digest nobody verified yet costs a pass over the compressed bytes.
    std::string digest = source.digest;
    if (digest.empty()) {
      ASSIGN_OR_RETURN(digest, Sha256File(tar_path));
    }
    pending.compressed_path = tar_path;
    pending.compressed.set_digest(digest);
    pending.compressed.set_size(input_size);
    pending.compressed.set_media_type(
        CompressedMediaType(compression, source.media_type));
  }
  ASSIGN_OR_RETURN(pending.unpack_dir, MakeTempDir(root_ + "/tmp", "layer-"));
  absl::StatusOr<std::string> tee_path = NewTempFile("blob-");
  if (!tee_path.ok()) {
    DropPending(pending);
    return tee_path.status();
  }
  pending.blob_path = *tee_path;
  layer::UnpackOptions options;
  options.mode = layer::UnpackMode::kLayer;
  // The blob is the uncompressed tar. A plain tar input (imaged's own
  // spooled or extracted file) already is that: link it instead of writing
  // a second copy while unpacking.
  bool linked = false;
  if (compression == layer::Compression::kNone) {
    unlink(pending.blob_path.c_str());
    linked = link(tar_path.c_str(), pending.blob_path.c_str()) == 0;
  }
  if (!linked) options.tee_path = pending.blob_path;
  absl::StatusOr<layer::UnpackResult> unpacked =
      layer::UnpackTar(tar_path, pending.unpack_dir, options);
  if (!unpacked.ok()) {
    DropPending(pending);
    return unpacked.status();
  }
  if (!source.diff_id.empty() && unpacked->diff_id != source.diff_id) {
    DropPending(pending);
    return absl::InvalidArgumentError(absl::StrCat(
        "layer ", progress_id, " has content digest ", unpacked->diff_id,
        " but the image config expects ", source.diff_id,
        " (the archive is corrupt or was tampered with)"));
  }
  pending.diff_id = unpacked->diff_id;
  pending.chain_id = ChainId(parent_chain_id, unpacked->diff_id);
  pending.tar_size = unpacked->tar_size;
  pending.unpacked_size = unpacked->unpacked_size;
  if (progress) {
    progress(MakeProgress(progress_id, "Loaded", input_size, input_size));
  }
  return pending;
}

void ImageStore::DropPending(const PendingLayer& pending) {
  if (!pending.unpack_dir.empty()) {
    RemoveTree(pending.unpack_dir).IgnoreError();
  }
  if (!pending.blob_path.empty()) unlink(pending.blob_path.c_str());
}

absl::StatusOr<ImageStore::StagedLayer> ImageStore::PlaceLayer(
    const PendingLayer& pending) {
  const std::string& chain_id = pending.chain_id;
  // Recorded meanwhile (by another ingest of the same layer), or before.
  if (absl::StatusOr<records::LayerRecord> record =
          layers_.Get(core_.store(), chain_id);
      record.ok()) {
    DropPending(pending);
    return StagedLayer{*record, /*is_new=*/false};
  }
  if (pending.present) {
    return absl::AbortedError(absl::StrCat(
        "layer ", chain_id, " was removed while this image was being "
        "stored; try again"));
  }
  absl::StatusOr<std::string> blob =
      blobs_.Adopt(pending.blob_path, pending.diff_id);
  if (blob.ok() && !pending.compressed.digest().empty()) {
    blob = blobs_.Link(pending.compressed_path, pending.compressed.digest());
  }
  if (!blob.ok()) {
    DropPending(pending);
    return blob.status();
  }
  const std::string layer_dir = LayerDir(chain_id);
  if (rename(pending.unpack_dir.c_str(), layer_dir.c_str()) != 0) {
    const int err = errno;
    DropPending(pending);
    return ErrnoStatus(err, "move layer into", layer_dir);
  }
  const std::string link = LayerLink(chain_id);
  unlink(link.c_str());
  if (symlink(absl::StrCat("../layers/", chain_id.substr(7)).c_str(),
              link.c_str()) != 0) {
    return ErrnoStatus(errno, "symlink", link);
  }

  StagedLayer staged;
  staged.is_new = true;
  staged.record.set_parent_chain_id(pending.parent_chain_id);
  *staged.record.mutable_created() = ToTimestamp(absl::Now());
  image::v1::LayerInfo* info = staged.record.mutable_info();
  info->set_digest(pending.diff_id);
  info->set_diff_id(pending.diff_id);
  info->set_chain_id(chain_id);
  info->set_media_type(formats::kOciLayerTar);
  info->set_compressed_size(pending.tar_size);
  info->set_unpacked_size(pending.unpacked_size);
  if (!pending.compressed.digest().empty()) {
    *staged.record.mutable_compressed() = pending.compressed;
  }
  core_.log().debug("staged layer {} ({} bytes)", chain_id,
                    pending.unpacked_size);
  return staged;
}

absl::StatusOr<ImageStore::StagedLayer> ImageStore::StageLayer(
    const LayerSource& source, const std::string& parent_chain_id,
    const std::string& progress_id, const ProgressSink& progress) {
  ASSIGN_OR_RETURN(PendingLayer pending,
                   UnpackLayer(source, parent_chain_id, progress_id, progress));
  return PlaceLayer(pending);
}

void ImageStore::DiscardStaged(const std::vector<StagedLayer>& layers) {
  for (const StagedLayer& layer : layers) {
    if (!layer.is_new) continue;
    const std::string& chain_id = layer.record.info().chain_id();
    if (layers_.Get(core_.store(), chain_id).ok()) continue;
    RemoveTree(LayerDir(chain_id)).IgnoreError();
    unlink(LayerLink(chain_id).c_str());
    DeleteLayerBlobs(layer.record).IgnoreError();
  }
}

absl::StatusOr<Image> ImageStore::MakeImage(
    const std::string& config_json, const std::vector<StagedLayer>& layers,
    const std::vector<std::string>& tags) {
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
  ASSIGN_OR_RETURN(std::string manifest_digest,
                   blobs_.Put(formats::SerializeOciManifest(manifest)));
  image.set_manifest_digest(manifest_digest);
  image.set_manifest_media_type(formats::kOciManifest);

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
  const std::string tag_index = absl::StrCat(images_.name(), "/tag");
  return core_.store().Update([&](Transaction& txn) -> absl::Status {
    for (const StagedLayer& layer : layers) {
      RETURN_IF_ERROR(layers_.Put(txn, layer.record));
    }
    for (Image& image : images) {
      // A second load of the same image keeps its tags and adds the new.
      if (absl::StatusOr<Image> stored = images_.Get(txn, image.id());
          stored.ok()) {
        std::set<std::string> have(image.repo_tags().begin(),
                                   image.repo_tags().end());
        for (const std::string& tag : stored->repo_tags()) {
          if (have.insert(tag).second) image.add_repo_tags(tag);
        }
        *image.mutable_repo_digests() = stored->repo_digests();
        image.set_parent(image.parent().empty() ? stored->parent()
                                                : image.parent());
      }
      for (const std::string& tag : image.repo_tags()) {
        absl::StatusOr<std::string> owner = txn.Get(tag_index, tag);
        if (!owner.ok() || *owner == image.id()) continue;
        ASSIGN_OR_RETURN(Image previous, images_.Get(txn, *owner));
        auto* tags = previous.mutable_repo_tags();
        tags->erase(std::remove(tags->begin(), tags->end(), tag), tags->end());
        RETURN_IF_ERROR(images_.Put(txn, previous));
      }
      RETURN_IF_ERROR(images_.Put(txn, image));
    }
    return absl::OkStatus();
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
                   UnpackLayer({tar_path}, "", "import", progress));
  absl::MutexLock lock(&layers_mu_);
  ASSIGN_OR_RETURN(StagedLayer layer, PlaceLayer(pending));
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
    DiscardStaged({layer});
    return committed;
  }
  core_.log().info("imported image {}{}", image->id(),
                   tags.empty() ? "" : " as " + tags[0]);
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
      for (const PendingLayer& pending : plan.layers) DropPending(pending);
      result = planned;
    }
  }
  RemoveTree(dir).IgnoreError();
  return result;
}

}  // namespace berth::imaged
