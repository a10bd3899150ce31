// The container's /dev: a tmpfs with the standard device nodes (or, when
// privileged, every device node of the host), devpts, shm, mqueue and the
// usual symlinks, as runc sets it up for Docker.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_DEVICES_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_DEVICES_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/containerd/runtime/runtime.h"

namespace berth {
namespace containerd {
namespace runtime {

// Builds /dev beneath the host directory `root` (the container's future /).
// Runs in the container's mount namespace before pivot_root, while the host's
// /dev and /proc are still reachable.
// `devices` are made after the standard nodes.
absl::Status SetupDev(const std::string& root, bool privileged,
                      const std::vector<DeviceNodeMapping>& devices);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_DEVICES_H_
