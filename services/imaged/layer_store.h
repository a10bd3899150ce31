// LayerStore: imaged's layers. It owns the "layers" table (key chain id),
// the unpacked layers ROOT/imaged/layers/<hex>, their short links
// l/<16 hex> (what overlay lowerdirs name), and the layers' blobs in the
// ContentStore: the uncompressed tar (its diff id) and, for a layer loaded
// gzip or zstd compressed, that compressed blob too.
//
// A layer moves in three steps. Unpack (no lock) unpacks a tar into tmp/ as
// a Pending layer, or finds it recorded already. Place (under mu()) renames
// it into layers/ as a Staged layer, or drops it when another ingest
// recorded the same layer meanwhile. Record (in the caller's batch, under
// mu()) writes the record together with the image or snapshot that uses
// it. A failed ingest DiscardStaged()s what it placed; Collect() deletes
// layers nothing uses any more, record first.
//
// Locking: mu() is the one mutex of imaged's store. Every operation that
// adds or drops layers or their users (import, load, commit, prepare and
// remove rootfs, rmi, prune) holds it while it places layers and writes
// records, so a layer being staged cannot be collected before its use is
// recorded. ImageStore takes it; no part takes it itself. Place, Stage,
// DiscardStaged, Collect and Record need it held; Unpack and DropPending
// need no lock (a long unpack stalls nothing: Place re-checks what Unpack
// saw). Reads (Get, Dir, Link) take no lock.
#ifndef BERTH_SERVICES_IMAGED_LAYER_STORE_H_
#define BERTH_SERVICES_IMAGED_LAYER_STORE_H_

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "berth/image/store/v1/records.pb.h"
#include "berth/types/v1/types.pb.h"
#include "common/service_core.h"
#include "common/table.h"
#include "services/imaged/content_store.h"
#include "services/imaged/image_records.h"

namespace berth::imaged {

// Receives progress of long operations; may be called from the calling
// thread only.
using ProgressSink = std::function<void(const types::v1::Progress&)>;

// A progress line stamped now.
types::v1::Progress MakeProgress(const std::string& id,
                                 const std::string& status, int64_t current,
                                 int64_t total);

class LayerStore {
 public:
  // Whether an image or a snapshot uses the layer `chain_id`. The users
  // live in other parts; ImageStore wires this.
  using InUse = std::function<absl::StatusOr<bool>(const std::string&)>;

  // A layer tar to unpack, as an archive or a client gives it.
  struct Source {
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
  struct Pending {
    std::string chain_id;
    std::string parent_chain_id;
    std::string diff_id;
    bool present = false;    // recorded already: nothing was unpacked
    std::string unpack_dir;  // tmp/layer-*
    std::string blob_path;   // tmp/blob-*: the uncompressed tar
    // The compressed input to keep (not owned: the caller's spooled file,
    // linked into the content store by Place); empty `compressed` if none.
    std::string compressed_path;
    records::CompressedBlob compressed;
    int64_t tar_size = 0;
    int64_t unpacked_size = 0;
  };
  // A layer ready to be recorded with the image that uses it.
  struct Staged {
    records::LayerRecord record;
    bool is_new = false;  // its directory was just moved into layers/
  };

  // Works in core's root; temp files go to its tmp/, which ImageStore owns.
  LayerStore(ServiceCore& core, ContentStore& blobs, InUse in_use);

  // Creates layers/ and l/.
  absl::Status Init();
  // Crash recovery (before any operation): deletes layer dirs without a
  // record and links whose layer is gone, and adds the blobs the records
  // name to `live_blobs`. Returns how many entries it removed.
  absl::StatusOr<int> Reconcile(std::set<std::string>* live_blobs);

  absl::Mutex& mu() { return mu_; }

  absl::StatusOr<records::LayerRecord> Get(const std::string& chain_id) const;
  // layers/<hex> of a layer, and its short link l/<16 hex>.
  std::string Dir(const std::string& chain_id) const;
  std::string Link(const std::string& chain_id) const;

  // A fresh empty file in tmp/.
  absl::StatusOr<std::string> NewTempFile(const std::string& prefix) const;

  // Unpacks `source` into tmp/ as the layer above `parent_chain_id`, unless
  // that layer is recorded already; keeps its uncompressed tar as the blob
  // to be (and its compressed input, if asked). `source.diff_id`, if given,
  // must match. Needs no lock.
  absl::StatusOr<Pending> Unpack(const Source& source,
                                 const std::string& parent_chain_id,
                                 const std::string& progress_id,
                                 const ProgressSink& progress);
  // Removes what Unpack left in tmp/ (nothing once placed). Needs no lock.
  void DropPending(const Pending& pending);
  // Moves an unpacked layer into layers/ (or drops it when the layer was
  // recorded meanwhile). ABORTED when a layer found present was collected
  // since. Caller holds mu().
  absl::StatusOr<Staged> Place(const Pending& pending);
  // Unpack then Place. Caller holds mu().
  absl::StatusOr<Staged> Stage(const Source& source,
                               const std::string& parent_chain_id,
                               const std::string& progress_id,
                               const ProgressSink& progress);
  // Writes the records of `layers` in `txn`. Caller holds mu().
  absl::Status Record(Transaction& txn, const std::vector<Staged>& layers);
  // Removes what Place moved into layers/, unless a record now uses it.
  // Caller holds mu().
  void DiscardStaged(const std::vector<Staged>& layers);
  // Deletes the layers of `chain_ids` (bottom first) that nothing uses, with
  // their blobs, dirs and links, adding their chain ids to `deleted` and
  // the bytes freed to `reclaimed`. Caller holds mu().
  absl::Status Collect(const std::vector<std::string>& chain_ids,
                       std::vector<std::string>* deleted, int64_t* reclaimed);

 private:
  // Deletes the blobs of `layer` (uncompressed and compressed) that no
  // layer record names; returns the bytes freed.
  absl::StatusOr<int64_t> DeleteBlobs(const records::LayerRecord& layer);

  ServiceCore& core_;
  std::string root_;
  ContentStore& blobs_;
  InUse in_use_;
  Table<records::LayerRecord> layers_;
  absl::Mutex mu_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_LAYER_STORE_H_
