// ImageStore: imaged's logic, the facade the gRPC adapter calls. Images,
// their layers and rootfs snapshots, kept consistent between RocksDB
// records and the directories below:
//
//   ROOT/imaged/
//     db/                 records (tables "images", "layers", "snapshots")
//     blobs/sha256/<hex>  ContentStore: configs, manifests, layer tars
//     layers/<hex>/       LayerStore: a layer unpacked, by chain id's hex
//     l/<16 hex>          LayerStore: short links (overlay lowerdirs)
//     snapshots/<key>/    Snapshotter: upper/ and work/ of a rootfs
//     tmp/                ImageStore: work in progress; emptied at start
//
// The parts: ContentStore (blobs by digest), LayerStore (layers),
// Snapshotter (rootfs snapshots), ImageIndex (image records, tags,
// lookups). ImageStore orchestrates them for import, load, save, commit,
// rmi and prune, and recovers from a crash at Open.
//
// Records are the truth. Files appear before their records (unpacked in
// tmp/, then renamed into place) and disappear after them, so a crash at
// any point leaves only files without records, which Open() deletes. An
// image's record, its tags and its new layers are written in one batch:
// after a crash an image is either whole or absent.
//
// Thread-safe. Locking (the one mutex is LayerStore::mu(), and only
// ImageStore takes it): every operation that adds or drops layers or their
// users (import, load, commit, prepare/remove rootfs, rmi, prune) holds it
// while it places layers and writes records, so a layer being staged cannot
// be collected before its use is recorded. Import and load unpack their
// layers into tmp/ before they take it (LayerStore::Unpack), so a long
// unpack stalls nothing; LayerStore::Place re-checks under the lock what the
// unpack saw. Reads take no lock.
#ifndef BERTH_SERVICES_IMAGED_IMAGE_STORE_H_
#define BERTH_SERVICES_IMAGED_IMAGE_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/event_log.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "berth/image/store/v1/records.pb.h"
#include "berth/image/v1/image.pb.h"
#include "common/service_core.h"
#include "common/table.h"
#include "services/imaged/content_store.h"
#include "services/imaged/image_index.h"
#include "services/imaged/image_records.h"
#include "services/imaged/layer_store.h"
#include "services/imaged/quota/project_quota.h"
#include "services/imaged/snapshotter.h"

namespace berth::imaged {

// Receives the bytes of an archive being written, in order.
using ByteSink = std::function<absl::Status(absl::string_view)>;

class ImageStore {
 public:
  // Opens the store in core's root, creating directories and deleting
  // leftovers of a crash. `quota` enforces writable layers' size limits
  // (NewLinuxProjectQuota() but in tests).
  static absl::StatusOr<std::unique_ptr<ImageStore>> Open(
      ServiceCore& core, std::unique_ptr<ProjectQuota> quota);

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
  // ---- registries (pull and push move the bytes; the store keeps them) ----
  // Blobs downloaded from registries, kept across restarts so a pull
  // resumes: "<hex>" verified and complete, "<hex>.partial" still arriving.
  std::string downloads_dir() const { return root_ + "/downloads"; }
  // Whether the layer `chain_id` is stored (a pull need not download it).
  bool HasLayer(const std::string& chain_id) const;
  // Whether blob `digest` is in the content store.
  bool HasBlob(const std::string& digest) const { return blobs_.Contains(digest); }

  // What a pull stores besides its layers: the registry's manifest (kept as
  // the image's manifest, so a push sends the same bytes) and the names.
  struct RemoteManifest {
    std::string config_json;
    std::string manifest_json;
    std::string manifest_media_type;
    std::string tag;         // familiar "busybox:latest"; "" for a digest pull
    std::string repo_digest; // familiar "busybox@sha256:..."
  };
  // An image arriving from a registry: its layers unpacked one by one,
  // bottom first, as their downloads complete (no lock held), then
  // committed as one image. Dropped uncommitted, it leaves nothing behind.
  class RemoteImage;

  // What a push sends of one local image: its manifest as stored and the
  // files of the blobs it names.
  struct PushContent {
    std::string image_id;
    std::string manifest_json;
    std::string manifest_media_type;
    struct Blob {
      std::string digest;
      std::string media_type;
      int64_t size = 0;
      std::string path;
      std::string diff_id;  // layers only
    };
    Blob config;
    std::vector<Blob> layers;
    std::vector<std::string> repo_digests;  // where its blobs came from
  };
  absl::StatusOr<PushContent> PushContentOf(const std::string& name) const;
  // Adds `repo_digest` ("127.0.0.1:5000/app@sha256:...") to the image.
  absl::Status AddRepoDigest(const std::string& image_id,
                             const std::string& repo_digest);

  // The ids `names` resolve to, in order (what SaveImages announces).
  absl::StatusOr<std::vector<std::string>> ResolveAll(
      const std::vector<std::string>& names) const;
  // Writes a docker-archive (or OCI layout) tar of `names` into `sink`.
  absl::Status Save(const std::vector<std::string>& names,
                    image::v1::ArchiveFormat format, bool gzip,
                    const ByteSink& sink);

  // Image events for `berth events` (image_events.cc).
  EventLog& events() { return events_; }

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
  ImageStore(ServiceCore& core, std::unique_ptr<ProjectQuota> quota);
  // Publishes an image event about `id` named `name`, with its labels.
  void Emit(const std::string& id, const std::string& action,
            const std::string& name);

  using LayerSource = LayerStore::Source;
  using PendingLayer = LayerStore::Pending;
  using StagedLayer = LayerStore::Staged;
  // The images of an archive, their layers unpacked, waiting to be stored.
  struct PlannedImage {
    std::string config_json;
    std::vector<std::string> tags;
    std::vector<size_t> layers;  // indexes into PlannedLoad::layers
    // A registry's manifest to keep instead of making one, and its name.
    std::string manifest_json;
    std::string manifest_media_type;
    std::vector<std::string> repo_digests;
  };
  struct PlannedLoad {
    std::vector<PlannedImage> images;
    std::vector<PendingLayer> layers;  // each chain id once
  };

  absl::Status Init();
  absl::Status Reconcile();
  // Whether an image or a snapshot uses the layer (LayerStore::InUse).
  absl::StatusOr<bool> LayerInUse(const std::string& chain_id) const;

  // Records `images` (with their staged layers) in one batch, moving any
  // tag they take away from the image that had it. Caller holds
  // layers_.mu().
  absl::Status CommitImages(std::vector<image::v1::Image> images,
                            const std::vector<StagedLayer>& layers);
  // Builds an image record from its config blob and layers, stores the
  // config and manifest blobs.
  absl::StatusOr<image::v1::Image> MakeImage(
      const std::string& config_json, const std::vector<StagedLayer>& layers,
      const std::vector<std::string>& tags);
  // MakeImage for a planned image: with the registry's manifest, when it
  // has one that names the layers as stored, and its repo digests.
  absl::StatusOr<image::v1::Image> MakePlannedImage(
      const PlannedImage& planned, const std::vector<StagedLayer>& layers);

  // Deletes the record of `image` (untagging it first) and what only it
  // used; with `prune_parents`, then its untagged parents that nothing else
  // needs. Caller holds layers_.mu() and has checked that it may.
  absl::Status DeleteImage(const image::v1::Image& image, bool prune_parents,
                           image::v1::RemoveImageResponse* response,
                           int64_t* reclaimed);

  // Unpacks the layer tars `sources` as one chain (bottom first), each
  // checked against its diff id, into `plan` (a chain id the plan holds
  // already is not unpacked again); returns their indexes. Needs no lock.
  absl::StatusOr<std::vector<size_t>> UnpackChain(
      const std::vector<LayerSource>& sources, const ProgressSink& progress,
      PlannedLoad* plan);
  // Places the plan's layers and records its images in one batch; on
  // failure discards what was placed. Always drops what is left in tmp/.
  // Takes layers_.mu() (for renames and record writes only).
  absl::StatusOr<image::v1::LoadResult> StorePlanned(PlannedLoad plan,
                                                     absl::string_view source);
  // Read an unpacked archive and unpack its layers (no lock).
  absl::Status PlanDockerArchive(const std::string& dir,
                                 const ProgressSink& progress,
                                 PlannedLoad* plan);
  absl::Status PlanOciLayout(const std::string& dir,
                             const ProgressSink& progress, PlannedLoad* plan);

  ServiceCore& core_;
  EventLog events_;
  std::string root_;
  ContentStore blobs_;
  ImageIndex index_;
  LayerStore layers_;
  std::unique_ptr<ProjectQuota> quota_;  // before snapshots_, which uses it
  Snapshotter snapshots_;
};

// See ImageStore::RemoteImage above.
class ImageStore::RemoteImage {
 public:
  explicit RemoteImage(ImageStore& store) : store_(store) {}
  ~RemoteImage();
  RemoteImage(const RemoteImage&) = delete;
  RemoteImage& operator=(const RemoteImage&) = delete;
  // The next layer: `source.path` a verified compressed (or plain) blob,
  // or "" for a layer HasLayer() reported (nothing is read then).
  absl::Status AddLayer(const LayerStore::Source& source,
                        const std::string& progress_id,
                        const ProgressSink& progress);
  // Places the layers and records the image; returns its id.
  absl::StatusOr<std::string> Commit(const RemoteManifest& manifest);

 private:
  ImageStore& store_;
  ImageStore::PlannedLoad plan_;
  std::string parent_;
  std::vector<size_t> chain_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_IMAGE_STORE_H_
