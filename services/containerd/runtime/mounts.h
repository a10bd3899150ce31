// The container's mount namespace: root filesystem, /proc, /sys, /dev,
// cgroups, bind mounts, pivot_root and the read-only root.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNTS_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNTS_H_

#include <string>

#include "absl/status/status.h"
#include "services/containerd/runtime/runtime.h"

namespace berth {
namespace containerd {
namespace runtime {

// In the new mount namespace: makes / rprivate, mounts the rootfs (overlay or
// bind) at spec.rootfs_dir, then /proc, /sys, /dev (devices.h),
// /sys/fs/cgroup and spec.mounts beneath it. Errors name the mount and path.
// With a user namespace (`userns_fd` >= 0) the overlay's lower layers are
// idmapped into it.
absl::Status PrepareRootfs(const InitSpec& spec, int userns_fd);

// pivot_root into `rootfs` and detaches the old root, leaving "/" the
// container's root and the cwd "/".
absl::Status PivotIntoRootfs(const std::string& rootfs);

// Remounts "/" (after pivot_root) read-only.
absl::Status MakeRootReadOnly();

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_MOUNTS_H_
