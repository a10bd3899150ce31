#include "services/imaged/distribution/blob_downloads.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::imaged::distribution {

BlobDownloads::BlobDownloads(std::string dir,
                             std::function<bool(const std::string&)> stored)
    : dir_(std::move(dir)), stored_(std::move(stored)) {}

std::string BlobDownloads::PathOf(const std::string& digest) const {
  // Digests are validated before any download ("sha256:" + 64 hex).
  return absl::StrCat(dir_, "/", digest.substr(digest.find(':') + 1));
}

absl::StatusOr<std::string> BlobDownloads::Acquire(
    const std::string& digest,
    const std::function<absl::Status(const std::string& path)>& fetch,
    const std::function<void()>& on_wait) {
  const std::string path = PathOf(digest);
  {
    absl::MutexLock lock(&mu_);
    Entry& entry = entries_[digest];  // map entries do not move
    ++entry.holders;
    bool waited = false;
    while (entry.fetching) {
      if (!waited && on_wait) on_wait();
      waited = true;
      auto done = [&entry]() { return !entry.fetching; };
      mu_.Await(absl::Condition(&done));
    }
    if (access(path.c_str(), F_OK) == 0) return path;
    entry.fetching = true;
  }
  const std::string partial = path + ".partial";
  absl::Status status = fetch(partial);
  if (status.ok() && rename(partial.c_str(), path.c_str()) != 0) {
    status = ErrnoStatus(errno, "rename downloaded blob", partial);
  }
  absl::MutexLock lock(&mu_);
  entries_[digest].fetching = false;
  if (!status.ok()) {
    // The partial file stays for a later resume; the hold goes.
    if (--entries_[digest].holders == 0) entries_.erase(digest);
    return status;
  }
  return path;
}

void BlobDownloads::Release(const std::string& digest) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(digest);
  if (it == entries_.end() || --it->second.holders > 0) return;
  entries_.erase(it);
  // Not fetching and not held: nobody can be reading the file. One that
  // cannot be removed now is removed at the next start (Reconcile).
  if (stored_ && stored_(digest)) unlink(PathOf(digest).c_str());
}

}  // namespace berth::imaged::distribution
