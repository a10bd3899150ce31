// Copy-up of image content into a volume: a tree copied with everything a
// container would notice (owners, modes, times, symlinks, hard links,
// devices, fifos, xattrs). Docker's copyExistingContents.
#ifndef BERTH_SERVICES_VOLUMED_TREE_COPY_H_
#define BERTH_SERVICES_VOLUMED_TREE_COPY_H_

#include <string>

#include "absl/status/status.h"

namespace berth::volumed {

// Copies the contents of the directory `from` into the existing directory
// `to` and gives `to` the owner, mode and times of `from`. Never follows a
// symlink; sockets are skipped; xattrs the destination refuses are left
// out (a tmpfs takes no user.* before 6.6). Hard links within the tree
// stay links. Errors carry errno and the path.
absl::Status CopyTree(const std::string& from, const std::string& to);

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_TREE_COPY_H_
