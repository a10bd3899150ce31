#include "services/imaged/content_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/root_lock.h"
#include "common/sha256.h"
#include "common/status_macros.h"

namespace berth::imaged {
namespace {

absl::Status CheckDigest(absl::string_view digest) {
  if (IsSha256Digest(digest)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid digest \"", digest,
                   "\": want sha256: followed by 64 lowercase hex digits"));
}

absl::Status SyncFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return ErrnoStatus(err, "fsync", path);
  return absl::OkStatus();
}

}  // namespace

absl::Status ContentStore::Init() { return MakeDirs(dir_ + "/sha256", 0700); }

std::string ContentStore::PathOf(absl::string_view digest) const {
  return absl::StrCat(dir_, "/sha256/", digest.substr(7));
}

bool ContentStore::Contains(absl::string_view digest) const {
  return IsSha256Digest(digest) && access(PathOf(digest).c_str(), F_OK) == 0;
}

absl::StatusOr<std::string> ContentStore::Put(absl::string_view data) {
  const std::string digest = Sha256Digest(data);
  if (Contains(digest)) return digest;
  RETURN_IF_ERROR(WriteFileAtomic(PathOf(digest), data, 0600));
  return digest;
}

absl::StatusOr<std::string> ContentStore::Adopt(const std::string& temp_path,
                                                absl::string_view digest) {
  std::string actual(digest);
  if (actual.empty()) {
    absl::StatusOr<std::string> computed = Sha256File(temp_path);
    if (!computed.ok()) {
      unlink(temp_path.c_str());
      return computed.status();
    }
    actual = *computed;
  }
  if (absl::Status s = CheckDigest(actual); !s.ok()) {
    unlink(temp_path.c_str());
    return s;
  }
  if (Contains(actual)) {
    unlink(temp_path.c_str());
    return actual;
  }
  if (absl::Status s = SyncFile(temp_path); !s.ok()) {
    unlink(temp_path.c_str());
    return s;
  }
  chmod(temp_path.c_str(), 0600);
  const std::string target = PathOf(actual);
  if (rename(temp_path.c_str(), target.c_str()) != 0) {
    int err = errno;
    unlink(temp_path.c_str());
    return ErrnoStatus(err, "rename blob into", target);
  }
  return actual;
}

absl::StatusOr<std::string> ContentStore::Link(const std::string& path,
                                               absl::string_view digest) {
  RETURN_IF_ERROR(CheckDigest(digest));
  if (Contains(digest)) return std::string(digest);
  // Durable before visible: a record may name the blob right after.
  RETURN_IF_ERROR(SyncFile(path));
  const std::string target = PathOf(digest);
  // link() is atomic and the content is complete: the blob appears whole.
  if (link(path.c_str(), target.c_str()) != 0 && errno != EEXIST) {
    return ErrnoStatus(errno, "link blob into", target);
  }
  return std::string(digest);
}

absl::StatusOr<std::string> ContentStore::Read(absl::string_view digest,
                                               int64_t max_bytes) const {
  RETURN_IF_ERROR(CheckDigest(digest));
  absl::StatusOr<std::string> data = ReadFileToString(PathOf(digest), max_bytes);
  if (absl::IsNotFound(data.status())) {
    return absl::NotFoundError(absl::StrCat("blob ", digest, " is missing"));
  }
  RETURN_IF_ERROR(data.status());
  // Blobs are immutable; a changed one means the disk corrupted it.
  if (Sha256Digest(*data) != digest) {
    return absl::DataLossError(
        absl::StrCat("blob ", digest, " is corrupt: its content changed"));
  }
  return data;
}

absl::StatusOr<int64_t> ContentStore::SizeOf(absl::string_view digest) const {
  RETURN_IF_ERROR(CheckDigest(digest));
  struct stat st;
  const std::string path = PathOf(digest);
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", path);
  return static_cast<int64_t>(st.st_size);
}

absl::Status ContentStore::Delete(absl::string_view digest) {
  RETURN_IF_ERROR(CheckDigest(digest));
  const std::string path = PathOf(digest);
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "unlink", path);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ContentStore::List() const {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDir(dir_ + "/sha256"));
  std::vector<std::string> digests;
  for (const std::string& name : names) {
    std::string digest = "sha256:" + name;
    if (IsSha256Digest(digest)) digests.push_back(std::move(digest));
  }
  return digests;
}

}  // namespace berth::imaged
