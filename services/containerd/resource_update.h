// `berth update` as Docker's daemon reads it: the checks of the new values
// (daemon_unix.go verifyPlatformContainerResources, update mode), their
// merge into the container's HostConfig (container.UpdateContainer: a value
// left at zero keeps the current one), and the limits to write into a live
// cgroup. Pure functions over the contract's messages, unit tested; the
// supervisor (container_update.cc) applies them.
#ifndef BERTH_SERVICES_CONTAINERD_RESOURCE_UPDATE_H_
#define BERTH_SERVICES_CONTAINERD_RESOURCE_UPDATE_H_

#include <string>

#include "absl/status/status.h"
#include "berth/container/v1/container.pb.h"
#include "services/containerd/cgroups/cgroups.h"

namespace berth::containerd {

// What the host offers, for the CPU checks.
struct HostCpus {
  int online = 1;           // CPUs online: --cpus may not exceed them
  std::string cpus = "0";   // "0-3": the CPUs --cpuset-cpus may name
  std::string mems = "0";   // the memory nodes --cpuset-mems may name
};

// This machine's (sysconf, /sys/devices/system/{cpu,node}/online).
HostCpus ReadHostCpus();

// The new values alone, as Docker checks them before it looks at the
// container: INVALID_ARGUMENT with Docker's message ("Minimum memory limit
// allowed is 6MB", "Requested CPUs are not available - requested 7,
// available: 0-1", ...).
absl::Status ValidateUpdate(const container::v1::UpdateContainerRequest& request,
                            const HostCpus& host);

// Merges the request into `host` (the container's HostConfig) with Docker's
// conflict checks against what is set already ("Conflicting options: Nano
// CPUs cannot be updated as CPU Period has already been set", "Memory limit
// should be smaller than already set memoryswap limit, update the
// memoryswap at the same time", "Restart policy cannot be updated because
// AutoRemove is enabled for the container"): FAILED_PRECONDITION, `host`
// then unchanged. A memory limit set without a swap total has Docker's
// implied one (twice the memory), which the merge writes down, so a later
// memory change keeps the swap a restart would give.
absl::Status MergeUpdate(const container::v1::UpdateContainerRequest& request,
                         container::v1::HostConfig* host);

// What to write into the live cgroup for the request's values (update
// semantics: fields at zero are left alone); `merged` is the result of
// MergeUpdate, whose swap total goes with a new memory limit.
cgroups::Limits LiveLimitsOf(const container::v1::Resources& wanted,
                             const container::v1::Resources& merged);

// The CFS period and quota, memory nodes, soft limit and I/O weight of
// `resources` (the limits `update` adds to run's).
cgroups::Limits UpdateOnlyLimits(const container::v1::Resources& resources);
bool HasLimits(const cgroups::Limits& limits);

// Clears in `wanted` each value CgroupDriver::DiscardUnsupported dropped
// from `limits` (LiveLimitsOf(wanted, ...)), so the record does not keep
// it.
void ClearDiscarded(const cgroups::Limits& limits,
                    container::v1::Resources* wanted);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_RESOURCE_UPDATE_H_
