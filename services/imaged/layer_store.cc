#include "services/imaged/layer_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "common/root_lock.h"
#include "common/sha256.h"
#include "common/status_macros.h"
#include "services/imaged/formats/media_types.h"
#include "services/imaged/layer/unpack.h"

namespace berth::imaged {
namespace {

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


LayerStore::LayerStore(ServiceCore& core, ContentStore& blobs, InUse in_use)
    : core_(core),
      root_(core.identity().root),
      blobs_(blobs),
      in_use_(std::move(in_use)),
      layers_(LayersTable()) {}

absl::Status LayerStore::Init() {
  RETURN_IF_ERROR(MakeDirs(root_ + "/layers", 0700));
  return MakeDirs(root_ + "/l", 0700);
}

absl::StatusOr<int> LayerStore::Reconcile(std::set<std::string>* live_blobs) {
  std::set<std::string> live_layers;
  RETURN_IF_ERROR(layers_.ForEach(
      core_.store(), [&](const records::LayerRecord& layer) {
        live_blobs->insert(layer.info().digest());
        if (layer.has_compressed()) {
          live_blobs->insert(layer.compressed().digest());
        }
        live_layers.insert(layer.info().chain_id().substr(7));
        return true;
      }));
  ASSIGN_OR_RETURN(int removed,
                   RemoveEntriesExcept(root_ + "/layers",
                                       [&](const std::string& name) {
                                         return live_layers.count(name) != 0;
                                       }));
  // Links whose layer is gone.
  ASSIGN_OR_RETURN(std::vector<std::string> links, ListDir(root_ + "/l"));
  for (const std::string& link : links) {
    const std::string path = absl::StrCat(root_, "/l/", link);
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      unlink(path.c_str());
      ++removed;
    }
  }
  return removed;
}

absl::StatusOr<records::LayerRecord> LayerStore::Get(
    const std::string& chain_id) const {
  return layers_.Get(core_.store(), chain_id);
}

std::string LayerStore::Dir(const std::string& chain_id) const {
  return absl::StrCat(root_, "/layers/", chain_id.substr(7));
}

std::string LayerStore::Link(const std::string& chain_id) const {
  return absl::StrCat(root_, "/l/", chain_id.substr(7, 16));
}

absl::StatusOr<std::string> LayerStore::NewTempFile(
    const std::string& prefix) const {
  return MakeTempFile(root_ + "/tmp", prefix);
}

absl::StatusOr<LayerStore::Pending> LayerStore::Unpack(
    const Source& source, const std::string& parent_chain_id,
    const std::string& progress_id, const ProgressSink& progress) {
  const std::string& tar_path = source.path;
  Pending pending;
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
    // Kept as it is (linked by Place), never compressed again; only a
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

void LayerStore::DropPending(const Pending& pending) {
  if (!pending.unpack_dir.empty()) {
    RemoveTree(pending.unpack_dir).IgnoreError();
  }
  if (!pending.blob_path.empty()) unlink(pending.blob_path.c_str());
}

absl::StatusOr<LayerStore::Staged> LayerStore::Place(const Pending& pending) {
  const std::string& chain_id = pending.chain_id;
  // Recorded meanwhile (by another ingest of the same layer), or before.
  if (absl::StatusOr<records::LayerRecord> record =
          layers_.Get(core_.store(), chain_id);
      record.ok()) {
    DropPending(pending);
    return Staged{*record, /*is_new=*/false};
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
  const std::string layer_dir = Dir(chain_id);
  if (rename(pending.unpack_dir.c_str(), layer_dir.c_str()) != 0) {
    const int err = errno;
    DropPending(pending);
    return ErrnoStatus(err, "move layer into", layer_dir);
  }
  const std::string link = Link(chain_id);
  unlink(link.c_str());
  if (symlink(absl::StrCat("../layers/", chain_id.substr(7)).c_str(),
              link.c_str()) != 0) {
    return ErrnoStatus(errno, "symlink", link);
  }

  Staged staged;
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

absl::StatusOr<LayerStore::Staged> LayerStore::Stage(
    const Source& source, const std::string& parent_chain_id,
    const std::string& progress_id, const ProgressSink& progress) {
  ASSIGN_OR_RETURN(Pending pending,
                   Unpack(source, parent_chain_id, progress_id, progress));
  return Place(pending);
}

absl::Status LayerStore::Record(Transaction& txn,
                                const std::vector<Staged>& layers) {
  for (const Staged& layer : layers) {
    RETURN_IF_ERROR(layers_.Put(txn, layer.record));
  }
  return absl::OkStatus();
}

void LayerStore::DiscardStaged(const std::vector<Staged>& layers) {
  for (const Staged& layer : layers) {
    if (!layer.is_new) continue;
    const std::string& chain_id = layer.record.info().chain_id();
    if (layers_.Get(core_.store(), chain_id).ok()) continue;
    RemoveTree(Dir(chain_id)).IgnoreError();
    unlink(Link(chain_id).c_str());
    DeleteBlobs(layer.record).IgnoreError();
  }
}

absl::Status LayerStore::Collect(const std::vector<std::string>& chain_ids,
                                 std::vector<std::string>* deleted,
                                 int64_t* reclaimed) {
  // Top layers first: a layer's parent is only free once the layer is gone.
  for (auto it = chain_ids.rbegin(); it != chain_ids.rend(); ++it) {
    const std::string& chain_id = *it;
    ASSIGN_OR_RETURN(bool used, in_use_(chain_id));
    if (used) continue;
    absl::StatusOr<records::LayerRecord> layer =
        layers_.Get(core_.store(), chain_id);
    if (absl::IsNotFound(layer.status())) continue;
    RETURN_IF_ERROR(layer.status());
    // Record first: a crash after this leaves only files, which the next
    // start removes.
    RETURN_IF_ERROR(core_.store().Update(
        [&](Transaction& txn) { return layers_.Delete(txn, chain_id); }));
    unlink(Link(chain_id).c_str());
    RETURN_IF_ERROR(RemoveTree(Dir(chain_id)));
    ASSIGN_OR_RETURN(int64_t freed, DeleteBlobs(*layer));
    deleted->push_back(chain_id);
    *reclaimed += layer->info().unpacked_size() + freed;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> LayerStore::DeleteBlobs(
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

}  // namespace berth::imaged
