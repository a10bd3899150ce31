// Pure logic of creating and starting a container: the effective config
// (the request merged with the image's defaults, as Docker merges them),
// validation with messages naming the flag, and the shim spec of a start.
#ifndef BERTH_SERVICES_CONTAINERD_CONTAINER_SPEC_BUILDER_H_
#define BERTH_SERVICES_CONTAINERD_CONTAINER_SPEC_BUILDER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/signals.h"
#include "common/storage_opts.h"
#include "berth/container/v1/container.pb.h"
#include "berth/image/v1/image.pb.h"
#include "services/containerd/container_paths.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/shim/spec.h"

namespace berth::containerd {

// The host ids of `--userns private` containers without mappings of their
// own (config runtime.usernsRange).
struct UsernsRange {
  uint32_t host_uid = 100000;
  uint32_t host_gid = 100000;
  uint32_t size = 65536;
};


// The record of a new container (state CREATED) from the request and the
// snapshot imaged prepared. INVALID_ARGUMENT names what is wrong. A request
// without --cgroupns gets `default_cgroupns_mode` ("private" or "host", the
// daemon's cgroups::DefaultCgroupnsMode), recorded as such.
absl::StatusOr<container::v1::Container> NewContainer(
    const container::v1::CreateContainerRequest& request,
    const image::v1::PrepareRootfsResponse& rootfs, const std::string& id,
    const std::string& name, const ContainerPaths& paths, absl::Time now,
    const std::string& default_cgroupns_mode);

// `--storage-opt` (HostConfig.storage_opt) read as Docker's overlay2 reads
// it: INVALID_ARGUMENT for a key other than size or a bad size.
absl::StatusOr<StorageLimits> StorageLimitsOf(
    const container::v1::HostConfig& host_config);

// Checks the host config the way Docker does before anything is created.
// Returns warnings (settings accepted but not enforceable here).
absl::StatusOr<std::vector<std::string>> ValidateHostConfig(
    const container::v1::HostConfig& host_config);

// What berth-shim needs to start `container` on `overlay_options`.
absl::StatusOr<shim::ShimSpec> BuildShimSpec(
    const container::v1::Container& container,
    const std::string& overlay_options, const ContainerPaths& paths,
    const std::string& cgroup_parent, const UsernsRange& userns_range);

// The container's user namespace maps (uid, gid): --uidmap/--gidmap, or the
// daemon's range for --userns private without them; empty without a user
// namespace.
std::pair<std::vector<runtime::IdMap>, std::vector<runtime::IdMap>>
UsernsMapsOf(const container::v1::HostConfig& host,
             const UsernsRange& userns_range);

// The host uid and gid of the container's root: 0, 0 without a user
// namespace.
std::pair<uint32_t, uint32_t> HostRootOf(const container::v1::HostConfig& host,
                                         const UsernsRange& userns_range);

// Contents of the container's /etc/hosts and /etc/hostname.
std::string HostsFileFor(const container::v1::Container& container);
std::string HostnameFileFor(const container::v1::Container& container);


}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_CONTAINER_SPEC_BUILDER_H_
