// ImageStore: imaged's logic. Images, their layers and rootfs snapshots,
// kept consistent between RocksDB records and the directories below:
//
//   ROOT/imaged/
//     db/                 records (tables "images", "layers", "snapshots")
//     blobs/sha256/<hex>  configs, manifests, uncompressed layer tars
//     layers/<hex>/       a layer unpacked, keyed by its chain id's hex
//     l/<16 hex>          short symlink to layers/<hex> (overlay lowerdirs)
//     snapshots/<key>/    upper/ and work/ of a container's rootfs
//     tmp/                work in progress; emptied at start
//
// Records are the truth. Files appear before their records (unpacked in
// tmp/, then renamed into place) and disappear after them, so a crash at
// any point leaves only files without records, which Open() deletes. An
// image's record, its tags and its new layers are written in one batch:
// after a crash an image is either whole or absent.
//
// Thread-safe. Every operation that adds or drops layers or their users
// (import, load, commit, prepare/remove rootfs, rmi, prune) holds
// `layers_mu_` while it places layers and writes records, so a layer being
// staged cannot be discarded before its use is recorded. Import and load
// unpack their layers into tmp/ before they take it (UnpackLayer), so a long
// unpack stalls nothing; PlaceLayer re-checks under the lock what the
// unpack saw. Reads take no lock.
#ifndef BERTH_SERVICES_IMAGED_IMAGE_STORE_H_
#define BERTH_SERVICES_IMAGED_IMAGE_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "berth/image/store/v1/records.pb.h"
#include "berth/image/v1/image.pb.h"
#include "common/service_core.h"
#include "common/table.h"
#include "services/imaged/content_store.h"
#include "services/imaged/image_records.h"

namespace berth::imaged {

// Receives progress of long operations; may be called from the calling
// thread only.
using ProgressSink = std::function<void(const types::v1::Progress&)>;

// Receives the bytes of an archive being written, in order.
using ByteSink = std::function<absl::Status(absl::string_view)>;

class ImageStore {
 public:
  // Opens the store in core's root, creating directories and deleting
  // leftovers of a crash.
  static absl::StatusOr<std::unique_ptr<ImageStore>> Open(ServiceCore& core);

  // The record kinds, for the service's schema.
  static StoreSchema Schema();

  // ---- lookup and management ----
  // `name` is a reference, a full id or a unique id prefix.
  absl::StatusOr<image::v1::Image> Find(const std::string& name) const;
  absl::StatusOr<image::v1::ListImagesResponse> List(
      const image::v1::ListImagesRequest& request) const;
  absl::StatusOr<image::v1::Image> Inspect(const std::string& name) const;
  absl::StatusOr<std::string> Tag(const std::string& source,
                                  const std::string& target);
  absl::StatusOr<image::v1::RemoveImageResponse> Remove(
      const image::v1::RemoveImageRequest& request);
  absl::StatusOr<image::v1::PruneImagesResponse> Prune(
      const image::v1::PruneImagesRequest& request);
  absl::StatusOr<image::v1::ImageHistoryResponse> History(
      const std::string& name) const;

  // ---- moving images in and out ----
  // A temp path in ROOT/imaged/tmp for a caller that spools input.
  absl::StatusOr<std::string> NewTempFile(const std::string& prefix);
  // Imports the rootfs tarball at `tar_path` as a one-layer image.
  absl::StatusOr<image::v1::ImportResult> Import(
      const std::string& tar_path, const image::v1::ImportOptions& options,
      const ProgressSink& progress);
  // Loads a docker-archive or OCI-layout tar.
  absl::StatusOr<image::v1::LoadResult> Load(
      const std::string& archive_path, const image::v1::LoadOptions& options,
      const ProgressSink& progress);
  // The ids `names` resolve to, in order (what SaveImages announces).
  absl::StatusOr<std::vector<std::string>> ResolveAll(
      const std::vector<std::string>& names) const;
  // Writes a docker-archive (or OCI layout) tar of `names` into `sink`.
  absl::Status Save(const std::vector<std::string>& names,
                    image::v1::ArchiveFormat format, bool gzip,
                    const ByteSink& sink);

  // ---- rootfs snapshots ----
  absl::StatusOr<image::v1::PrepareRootfsResponse> PrepareRootfs(
      const image::v1::PrepareRootfsRequest& request);
  absl::StatusOr<image::v1::InspectRootfsResponse> InspectRootfs(
      const std::string& key, bool with_size = false) const;
  // Refused (FAILED_PRECONDITION) when the snapshot holds a lease other than
  // `lease`.
  absl::Status RemoveRootfs(const std::string& key, bool ignore_missing,
                            const std::string& lease = "");
  absl::StatusOr<image::v1::DiffRootfsResponse> DiffRootfs(
      const std::string& key) const;
  absl::StatusOr<image::v1::CommitRootfsResponse> CommitRootfs(
      const image::v1::CommitRootfsRequest& request);
  absl::StatusOr<image::v1::ListRootfsResponse> ListRootfs(
      const image::v1::ListRootfsRequest& request) const;

 private:
  explicit ImageStore(ServiceCore& core);

  // A layer ready to be recorded with the image that uses it.
  struct StagedLayer {
    records::LayerRecord record;
    bool is_new = false;  // its directory was just moved into layers/
  };
  // A layer tar to unpack, as an archive or a client gives it.
  struct LayerSource {
    std::string path = {};  // the tar, plain or compressed
    // What its uncompressed tar must hash to; "" takes what it is.
    std::string diff_id = {};
    // Keep a gzip or zstd input as the layer's compressed blob (load: push
    // sends a layer as it came). `digest` is the input's digest if the
    // caller verified it already ("" hashes it); `media_type` is the
    // archive's name for it ("" for none).
    bool keep_compressed = false;
    std::string digest = {};
    std::string media_type = {};
  };
  // A layer unpacked into tmp/ (or found present), not yet in layers/.
  // Made without layers_mu_, so a long unpack stalls no other operation.
  struct PendingLayer {
    std::string chain_id;
    std::string parent_chain_id;
    std::string diff_id;
    bool present = false;    // recorded already: nothing was unpacked
    std::string unpack_dir;  // tmp/layer-*
    std::string blob_path;   // tmp/blob-*: the uncompressed tar
    // The compressed input to keep (not owned: the caller's spooled file,
    // linked into the store by PlaceLayer); empty `compressed` if none.
    std::string compressed_path;
    records::CompressedBlob compressed;
    int64_t tar_size = 0;
    int64_t unpacked_size = 0;
  };
  // The images of an archive, their layers unpacked, waiting to be stored.
  struct PlannedImage {
    std::string config_json;
    std::vector<std::string> tags;
    std::vector<size_t> layers;  // indexes into PlannedLoad::layers
  };
  struct PlannedLoad {
    std::vector<PlannedImage> images;
    std::vector<PendingLayer> layers;  // each chain id once
  };

  absl::Status Init();
  absl::Status Reconcile();

  // Unpacks the tar `source` into tmp/ as the layer above
  // `parent_chain_id`, unless that layer is recorded already; keeps its
  // uncompressed tar as the blob to be (and its compressed input, if asked).
  // `source.diff_id`, if given, must match. Needs no lock.
  absl::StatusOr<PendingLayer> UnpackLayer(const LayerSource& source,
                                           const std::string& parent_chain_id,
                                           const std::string& progress_id,
                                           const ProgressSink& progress);
  // Moves an unpacked layer into layers/ (or drops it when the layer was
  // recorded meanwhile). ABORTED when a layer found present was collected
  // since. Caller holds layers_mu_.
  absl::StatusOr<StagedLayer> PlaceLayer(const PendingLayer& pending);
  // Removes what UnpackLayer left in tmp/ (nothing once placed).
  void DropPending(const PendingLayer& pending);
  // UnpackLayer then PlaceLayer. Caller holds layers_mu_.
  absl::StatusOr<StagedLayer> StageLayer(const LayerSource& source,
                                         const std::string& parent_chain_id,
                                         const std::string& progress_id,
                                         const ProgressSink& progress);
  // Records `images` (with their staged layers) in one batch, moving any
  // tag they take away from the image that had it.
  absl::Status CommitImages(std::vector<image::v1::Image> images,
                            const std::vector<StagedLayer>& layers);
  // Builds an image record from its config blob and layers, stores the
  // manifest blob.
  absl::StatusOr<image::v1::Image> MakeImage(
      const std::string& config_json, const std::vector<StagedLayer>& layers,
      const std::vector<std::string>& tags);

  // Deletes layers (and their blobs, dirs, links) no image or snapshot
  // uses any more, adding their chain ids to `deleted` and the bytes freed
  // to `reclaimed`. Caller holds layers_mu_.
  absl::Status CollectLayers(const std::vector<std::string>& chain_ids,
                             std::vector<std::string>* deleted,
                             int64_t* reclaimed);
  // Deletes the record of `image` (untagging it first) and what only it
  // used; with `prune_parents`, then its untagged parents that nothing else
  // needs. Caller holds layers_mu_ and has checked that it may.
  absl::Status DeleteImage(const image::v1::Image& image, bool prune_parents,
                           image::v1::RemoveImageResponse* response,
                           int64_t* reclaimed);
  // Ids of the images whose parent is `image_id`.
  absl::StatusOr<std::vector<std::string>> ChildrenOf(
      const std::string& image_id) const;

  // Unpacks the layer tars `sources` as one chain (bottom first), each
  // checked against its diff id, into `plan` (a chain id the plan holds
  // already is not unpacked again); returns their indexes. Needs no lock.
  absl::StatusOr<std::vector<size_t>> UnpackChain(
      const std::vector<LayerSource>& sources, const ProgressSink& progress,
      PlannedLoad* plan);
  // Deletes the blobs of `layer` (uncompressed and compressed) that no
  // layer record names; returns the bytes freed.
  absl::StatusOr<int64_t> DeleteLayerBlobs(const records::LayerRecord& layer);
  // Removes what StageLayer moved into place, unless a record now uses it.
  void DiscardStaged(const std::vector<StagedLayer>& layers);
  // Places the plan's layers and records its images in one batch; on
  // failure discards what was placed. Always drops what is left in tmp/.
  // Takes layers_mu_ (for renames and record writes only).
  absl::StatusOr<image::v1::LoadResult> StorePlanned(PlannedLoad plan,
                                                     absl::string_view source);
  // Read an unpacked archive and unpack its layers (no lock).
  absl::Status PlanDockerArchive(const std::string& dir,
                                 const ProgressSink& progress,
                                 PlannedLoad* plan);
  absl::Status PlanOciLayout(const std::string& dir,
                             const ProgressSink& progress, PlannedLoad* plan);

  absl::StatusOr<image::v1::Image> FindById(const std::string& prefix) const;
  int64_t SnapshotCount(const std::string& image_id) const;
  std::string LayerDir(const std::string& chain_id) const;
  std::string LayerLink(const std::string& chain_id) const;

  ServiceCore& core_;
  std::string root_;
  ContentStore blobs_;
  Table<image::v1::Image> images_;
  Table<records::LayerRecord> layers_;
  Table<records::SnapshotRecord> snapshots_;
  absl::Mutex layers_mu_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_IMAGE_STORE_H_
