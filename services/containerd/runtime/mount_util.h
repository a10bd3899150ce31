// Mount helpers shared by the rootfs, /dev and cgroup setup.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNT_UTIL_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNT_UTIL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/containerd/runtime/remount.h"
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

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNT_UTIL_H_
