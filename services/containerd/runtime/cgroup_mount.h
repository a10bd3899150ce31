// /sys/fs/cgroup inside the container.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_CGROUP_MOUNT_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_CGROUP_MOUNT_H_

#include <string>

#include "absl/status/status.h"

namespace berth {
namespace containerd {
namespace runtime {

// Mounts the container's view of the cgroup hierarchies at /sys/fs/cgroup
// beneath the host directory `root` (whose /sys is already mounted). Must
// run after the process was put in its cgroup.
// - cgroup v2 (unified at /sys/fs/cgroup): a cgroup2 mount. In a new cgroup
//   namespace it shows the container's own cgroup as its root, otherwise the
//   whole hierarchy (like Docker's --cgroupns host).
// - cgroup v1 / hybrid: a tmpfs holding one mount per host hierarchy, named
//   as on the host. In a new cgroup namespace each is a fresh mount of that
//   hierarchy; otherwise the process's own cgroup directory is bind-mounted
//   (runc's approach), so the container sees its cgroup, not the host's.
//   Hierarchies whose directory cannot be found are left out.
// Everything is read-only unless `read_only` is false (privileged).
absl::Status MountCgroups(const std::string& root, bool new_cgroupns, bool read_only);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_CGROUP_MOUNT_H_
