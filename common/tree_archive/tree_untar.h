// Extracting a tar stream into a directory inside a root, the way `docker
// cp` does: into an existing directory, merging with what is there. Every
// parent is looked up with OpenInRoot, so nothing is created or changed
// outside the root, whatever symlinks the tree or the archive holds, and
// an entry with a ".." component is refused. Entries replace what is at
// their name (unlinked, never written through), directories merge.
#ifndef BERTH_COMMON_TREE_ARCHIVE_TREE_UNTAR_H_
#define BERTH_COMMON_TREE_ARCHIVE_TREE_UNTAR_H_

#include <sys/types.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth::tree_archive {

struct UntarOptions {
  // Refuse (FAILED_PRECONDITION) to replace a directory with a
  // non-directory or the reverse, as Docker's cp does.
  bool no_overwrite_dir_non_dir = true;
  enum class Owner {
    kFromArchive,  // the entries' numeric ids (through map_ids if set)
    kFixed,        // uid/gid below
    kUnchanged,    // no chown: the extracting user's (a CLI as non-root)
  };
  Owner owner = Owner::kUnchanged;
  uid_t uid = 0;
  gid_t gid = 0;
  std::function<void(uid_t&, gid_t&)> map_ids;
  // Renames entries (and hardlink targets) before they are extracted: the
  // CLI's rebasing of what it copies under the destination's name.
  std::function<std::string(const std::string&)> rename;
  // Accept gzip, bzip2, xz and zstd input (the daemon's side, as Docker's
  // daemon decompresses what cp sends); a plain tar otherwise.
  bool decompress = false;
};

// The next bytes of the stream; an empty string is its end.
using ChunkSource = std::function<absl::StatusOr<std::string>()>;

// Extracts the tar read from `source` into `dest`, a directory looked up
// inside `root_fd` (following symlinks within it). Errors:
// INVALID_ARGUMENT (malformed tar, an entry leading out), NOT_FOUND (dest
// missing), FAILED_PRECONDITION (dest not a directory, read-only, or a
// refused overwrite), the errno's code for other failing calls, with the
// path inside the root.
absl::Status UntarInto(const ChunkSource& source, int root_fd,
                       const std::string& dest, const UntarOptions& options);

}  // namespace berth::tree_archive

#endif  // BERTH_COMMON_TREE_ARCHIVE_TREE_UNTAR_H_
