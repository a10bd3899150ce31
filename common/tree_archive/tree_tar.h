// Writing a tree as a tar stream, the way `docker cp` and `docker export`
// do: entries in depth-first order, each directory's names sorted, numeric
// owners, modes, mtimes, symlinks, hardlinks (within the tree), devices and
// fifos; sockets are skipped (tar cannot hold them). The tree is read
// through directory fds, never following a symlink, so a tree that changes
// meanwhile (a running container) cannot make it read outside.
#ifndef BERTH_COMMON_TREE_ARCHIVE_TREE_TAR_H_
#define BERTH_COMMON_TREE_ARCHIVE_TREE_TAR_H_

#include <sys/types.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace berth::tree_archive {

// Receives the tar bytes in order; an error stops the writing (the client
// went away).
using TarSink = std::function<absl::Status(absl::string_view)>;

struct TarTreeOptions {
  // The entry name of the top: "name" gives "name", "name/child", ...;
  // "." gives "./" and "./child" (or bare "child" without the top).
  std::string top = ".";
  // Whether the top itself is an entry (not for `export`, whose tar holds
  // only what is in the root).
  bool include_top = true;
  // Host ids as the tar shows them (a user namespace's shift), if set.
  std::function<void(uid_t&, gid_t&)> map_ids;
};

// Writes `name` in the directory `dir_fd` (never followed) and, when it is a
// directory, everything below it; an empty `name` is `dir_fd` itself.
// Errors: the failing syscall's errno with the path below the top.
absl::Status WriteTreeTar(int dir_fd, const std::string& name,
                          const TarTreeOptions& options, const TarSink& sink);

}  // namespace berth::tree_archive

#endif  // BERTH_COMMON_TREE_ARCHIVE_TREE_TAR_H_
