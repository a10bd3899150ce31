// Private helpers of //services/imaged/layer: owned fds and the *at()
// operations the unpacker, packer and differ share. Every walk here works
// relative to directory fds and never follows a symlink.
#ifndef BERTH_SERVICES_IMAGED_LAYER_FD_UTIL_H_
#define BERTH_SERVICES_IMAGED_LAYER_FD_UTIL_H_

#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/tree_archive/fd.h"
#include "absl/strings/string_view.h"

namespace berth {
namespace imaged {
namespace layer {

// An owned file descriptor, closed on destruction.
using UniqueFd = tree_archive::Fd;

// Opens the directory `name` inside `dir_fd`; fails (ELOOP/ENOTDIR) rather
// than follow a symlink. Returns -1 with errno set on failure.
int OpenDirNoFollow(int dir_fd, const char* name);

// write(2)/pwrite(2) until all of `data` is written, retrying on EINTR.
// `what` names the file in the error.
absl::Status WriteAll(int fd, const void* data, size_t size,
                      absl::string_view what);
absl::Status PwriteAll(int fd, const void* data, size_t size, off_t offset,
                       absl::string_view what);

// Names in the directory `dir_fd` (without "." and ".."), byte-wise sorted.
absl::StatusOr<std::vector<std::string>> ListDirSorted(int dir_fd);

// Removes everything inside the directory `dir_fd`, keeping the directory
// itself. Never follows symlinks; recursion holds one fd per level.
absl::Status RemoveContents(int dir_fd);

// "/proc/self/fd/N/name": reaches `name` in the directory `dir_fd` without
// resolving any other path component, for calls with no *at() form
// (lsetxattr, llistxattr, lgetxattr). Use only with the l*() variants so the
// last component is not followed either.
std::string FdPath(int dir_fd, absl::string_view name);

using Xattrs = std::vector<std::pair<std::string, std::string>>;

// Extended attributes of an open file (fd >= 0) or, if fd < 0, of the path
// (not following a final symlink), sorted by name. A filesystem without
// xattr support gives an empty list.
absl::StatusOr<Xattrs> ListXattrs(int fd, const std::string& path);

// True if the open file has xattr `name` with exactly `value`.
bool HasXattr(int fd, const char* name, absl::string_view value);

// True for an overlayfs whiteout: a character device 0/0.
inline bool IsWhiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == 0;
}

}  // namespace layer
}  // namespace imaged
}  // namespace berth

#endif  // BERTH_SERVICES_IMAGED_LAYER_FD_UTIL_H_
