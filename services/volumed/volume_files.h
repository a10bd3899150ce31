// The filesystem side of volumes: their directories, copy-up, sizes and
// subpaths. The host's (NewHostVolumeFiles) in the daemon and in tests
// over temporary directories; an interface so logic tests can fail it.
#ifndef BERTH_SERVICES_VOLUMED_VOLUME_FILES_H_
#define BERTH_SERVICES_VOLUMED_VOLUME_FILES_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth::volumed {

class VolumeFiles {
 public:
  virtual ~VolumeFiles() = default;
  // mkdir -p; directories it creates get mode 0755.
  virtual absl::Status MakeDirs(const std::string& dir) = 0;
  // rm -rf, never following symlinks or crossing into a mount; missing OK.
  virtual absl::Status RemoveTree(const std::string& path) = 0;
  // Entry names; NOT_FOUND when `dir` is missing.
  virtual absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) = 0;
  virtual bool IsDirectory(const std::string& path) = 0;
  virtual absl::StatusOr<bool> IsEmptyDir(const std::string& dir) = 0;
  // Copy-up: the tree at `from` into the existing directory `to`, with
  // owners, modes, times, symlinks, hard links, devices, fifos and (where
  // the filesystems allow) xattrs; `to` takes `from`'s owner and mode.
  // Returns false, copying nothing, when `from` is not a directory.
  virtual absl::StatusOr<bool> CopyTree(const std::string& from,
                                        const std::string& to) = 0;
  // Apparent bytes of the files below `dir`, each inode counted once (as
  // Docker sizes volumes).
  virtual absl::StatusOr<int64_t> DiskUsage(const std::string& dir) = 0;
  // The host path of `subpath` (relative, no "..") below `root`, resolved
  // without leaving `root` (openat2 RESOLVE_BENEATH): the path with its
  // symlinks resolved. FAILED_PRECONDITION when it does not exist,
  // INVALID_ARGUMENT when a symlink leads out.
  virtual absl::StatusOr<std::string> ResolveBeneath(
      const std::string& root, const std::string& subpath) = 0;
};

std::unique_ptr<VolumeFiles> NewHostVolumeFiles();

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_VOLUME_FILES_H_
