// Small filesystem operations every service needs, with errors that carry
// errno, the operation and the path.
#ifndef BERTH_COMMON_FS_UTIL_H_
#define BERTH_COMMON_FS_UTIL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth {

// rm -rf that never follows symlinks and never crosses into another mount.
// A missing path is OK.
absl::Status RemoveTree(const std::string& path);

// Reads a whole file; InvalidArgument if it is larger than `max_bytes`.
absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes = 64 << 20);

// Writes `data` to a temp file beside `path`, fsyncs it (unless !durable)
// and renames it over `path`, so readers see the old or the new content,
// never a mix. Files that are regenerated anyway skip the fsync.
absl::Status WriteFileAtomic(const std::string& path, absl::string_view data,
                             unsigned mode = 0644, bool durable = true);

// Truncates the existing file at `path` and writes `data` into it: the same
// inode, so a bind mount of it (a running container's /etc/hosts) sees the
// new content. Readers may see it half written; NOT_FOUND when missing.
absl::Status RewriteFileInPlace(const std::string& path, absl::string_view data);

// fsync of a directory, making renames and creations in it durable.
absl::Status FsyncDir(const std::string& dir);

// Creates a fresh directory parent/prefixXXXXXX and returns its path.
absl::StatusOr<std::string> MakeTempDir(const std::string& parent,
                                        const std::string& prefix);

// Creates a fresh empty file parent/prefixXXXXXX (0600) and returns its path.
absl::StatusOr<std::string> MakeTempFile(const std::string& parent,
                                         const std::string& prefix);

// Removes (RemoveTree) every entry of `dir` whose name `keep` rejects;
// returns how many it removed. Crash recovery: `keep` says what a record
// names.
absl::StatusOr<int> RemoveEntriesExcept(
    const std::string& dir, const std::function<bool(const std::string&)>& keep);

// Bytes of the regular files under `path` (hard links counted once per
// name, like du --apparent-size without -l); a missing path is 0.
absl::StatusOr<int64_t> TreeSize(const std::string& path);

// Names of the entries of `dir` (without "." and ".."); NotFound if missing.
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir);

}  // namespace berth

#endif  // BERTH_COMMON_FS_UTIL_H_
