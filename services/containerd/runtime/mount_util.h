// Mount helpers shared by the rootfs, /dev and cgroup setup.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNT_UTIL_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNT_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/containerd/runtime/secure_path.h"

namespace berth {
namespace containerd {
namespace runtime {

// Mounts `source` (type `fstype`, or a bind when `flags` has MS_BIND) onto the
// container path `path` beneath the host directory `root`. The target is
// resolved inside `root` (symlinks cannot lead out) and created as `kind` if
// missing. Returns the target's host path.
absl::StatusOr<std::string> MountInRoot(const std::string& root,
                                        absl::string_view path,
                                        const std::string& source,
                                        const char* fstype, unsigned long flags,
                                        const std::string& data, TargetKind kind);

// Remounts the bind mount or filesystem mounted at `path` read-only (or
// read-write), keeping its nosuid/nodev/noexec/atime flags and adding
// `extra_flags`. With `recursive`, submounts are made read-only as well.
absl::Status RemountBind(const std::string& path, bool read_only,
                         unsigned long extra_flags = 0, bool recursive = false);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNT_UTIL_H_
