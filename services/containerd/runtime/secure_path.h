// Resolving container paths beneath a root directory on the host, the way a
// chroot would: symlinks (absolute or relative) and ".." never lead out of
// the root. Used for every mount target inside the rootfs, before pivot_root.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_SECURE_PATH_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_SECURE_PATH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth {
namespace containerd {
namespace runtime {

// Resolves `path` (a container path, absolute or not) beneath `root`,
// following symlinks as if `root` were "/". Missing components are kept
// literally. Returns the clean path relative to `root` ("" for the root
// itself), e.g. "etc/hosts". ELOOP after 255 links.
absl::StatusOr<std::string> ResolveInRoot(const std::string& root,
                                          absl::string_view path);

// The kind of mount target to create when it is missing.
enum class TargetKind { kDirectory, kFile };

// An O_PATH file descriptor that closes itself.
class PathFd {
 public:
  PathFd() = default;
  explicit PathFd(int fd) : fd_(fd) {}
  PathFd(PathFd&& other) noexcept : fd_(other.release()) {}
  PathFd& operator=(PathFd&& other) noexcept;
  PathFd(const PathFd&) = delete;
  PathFd& operator=(const PathFd&) = delete;
  ~PathFd();

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // "/proc/self/fd/N": a path the kernel resolves to exactly this file,
  // usable as a mount target or source.
  std::string ProcPath() const;

 private:
  int fd_ = -1;
};

// Opens (O_PATH) the target `rel` (a ResolveInRoot result) beneath `root`,
// creating it and its missing parents first (parents as directories 0755,
// the target as `kind`). Every step is resolved with
// openat2(RESOLVE_IN_ROOT), so a symlink swapped in meanwhile cannot lead
// out either; a dangling one makes it fail.
absl::StatusOr<PathFd> OpenOrCreateInRoot(const std::string& root,
                                          const std::string& rel,
                                          TargetKind kind);

// Opens (O_PATH) `rel` below the host directory `root` with no symlink
// anywhere on the way (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): a volume's
// subpath, which anything writing the volume could have turned into a link
// since it was checked. FAILED_PRECONDITION naming the path when it is
// missing or leads through a link.
absl::StatusOr<PathFd> OpenWithoutSymlinks(const std::string& root,
                                           const std::string& rel);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_SECURE_PATH_H_
