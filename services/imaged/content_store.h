// ContentStore: imaged's blobs (configs, manifests, uncompressed layer tars
// and the compressed forms layers were loaded in) addressed by sha256
// digest, under DIR/sha256/<hex>.
//
// A blob becomes visible only complete and verified: it is written (or
// handed over) as a temp file in the same filesystem, its digest checked,
// fsynced, then renamed into place. Blobs are immutable once stored.
#ifndef BERTH_SERVICES_IMAGED_CONTENT_STORE_H_
#define BERTH_SERVICES_IMAGED_CONTENT_STORE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::imaged {

class ContentStore {
 public:
  explicit ContentStore(std::string dir) : dir_(std::move(dir)) {}

  // Creates the directory layout.
  absl::Status Init();

  // Path where blob `digest` lives (whether or not it exists).
  std::string PathOf(absl::string_view digest) const;
  bool Contains(absl::string_view digest) const;

  // Stores `data` and returns its digest.
  absl::StatusOr<std::string> Put(absl::string_view data);

  // Moves the file at `temp_path` (same filesystem) into the store. If
  // `digest` is given it is trusted as already verified by the caller;
  // otherwise it is computed. The temp file is gone afterwards either way.
  absl::StatusOr<std::string> Adopt(const std::string& temp_path,
                                    absl::string_view digest = "");

  // Stores the file at `path` (same filesystem) under `digest`, which the
  // caller has verified, by hard-linking it: a file already spooled (a
  // compressed layer of a loaded archive) is kept without a copy. `path`
  // stays where it is.
  absl::StatusOr<std::string> Link(const std::string& path,
                                   absl::string_view digest);

  // Reads a small blob (configs, manifests). NotFound if missing.
  absl::StatusOr<std::string> Read(absl::string_view digest,
                                   int64_t max_bytes = 16 << 20) const;

  absl::StatusOr<int64_t> SizeOf(absl::string_view digest) const;

  // Deletes a blob; a missing one is OK.
  absl::Status Delete(absl::string_view digest);

  // Every stored digest.
  absl::StatusOr<std::vector<std::string>> List() const;

 private:
  std::string dir_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_CONTENT_STORE_H_
