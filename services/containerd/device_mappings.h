// `--device HOST[:CONTAINER][:rwm]` as Docker reads it: a device node, or a
// directory whose device nodes all come along (`--device /dev/snd`), each
// at the container path with the host path's prefix replaced.
#ifndef BERTH_SERVICES_CONTAINERD_DEVICE_MAPPINGS_H_
#define BERTH_SERVICES_CONTAINERD_DEVICE_MAPPINGS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "berth/container/v1/container.pb.h"
#include "berth/shim/v1/spec.pb.h"

namespace berth::containerd {

// Checked at create: absolute container paths, permissions among "rwm",
// host paths that are device nodes or directories.
absl::Status ValidateDevices(const container::v1::HostConfig& host);

// The shim's devices at a start, directories walked (symlinks in them not
// followed, as Docker's walk does not).
absl::StatusOr<std::vector<::berth::shim::v1::Device>> ShimDevicesOf(
    const container::v1::HostConfig& host);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_DEVICE_MAPPINGS_H_
