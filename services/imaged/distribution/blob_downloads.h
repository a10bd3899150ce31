// BlobDownloads: registry blobs being downloaded, shared by every pull.
//
// Each blob is downloaded once at a time: a second pull wanting a blob that
// another is fetching waits for it instead of fetching it again. Files live
// in the store's downloads/ directory, "<hex>.partial" while arriving (kept
// when a pull fails or the daemon dies, so the next pull resumes it with a
// Range request) and "<hex>" once verified. A verified file is deleted when
// no pull holds it any more and its blob is in the content store (the
// layer's unpack linked it there).
#ifndef BERTH_SERVICES_IMAGED_DISTRIBUTION_BLOB_DOWNLOADS_H_
#define BERTH_SERVICES_IMAGED_DISTRIBUTION_BLOB_DOWNLOADS_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace berth::imaged::distribution {

class BlobDownloads {
 public:
  // `stored(digest)`: whether the content store has the blob.
  BlobDownloads(std::string dir, std::function<bool(const std::string&)> stored);

  // Fetches the bytes of blob `digest` into the path `fetch` is given (it
  // may already hold the start of the blob) and verifies them — `fetch`
  // does both and returns OK only for a complete, verified file. Returns
  // the verified file's path, held for the caller until Release(). When
  // another caller is fetching the same blob, `on_wait` is called and this
  // one waits for it; if that fetch failed, this one tries itself.
  absl::StatusOr<std::string> Acquire(
      const std::string& digest,
      const std::function<absl::Status(const std::string& path)>& fetch,
      const std::function<void()>& on_wait);
  // Drops the caller's hold; deletes the file once nobody holds it and
  // its blob is stored.
  void Release(const std::string& digest);

 private:
  struct Entry {
    int holders = 0;
    bool fetching = false;
  };
  std::string PathOf(const std::string& digest) const;

  const std::string dir_;
  const std::function<bool(const std::string&)> stored_;
  absl::Mutex mu_;
  std::map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::imaged::distribution

#endif  // BERTH_SERVICES_IMAGED_DISTRIBUTION_BLOB_DOWNLOADS_H_
