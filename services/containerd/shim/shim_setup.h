// The shim's start-up pieces apart from its event loop: the ready report,
// the control socket, and the cgroup limits and rlimits its spec asks for.
#ifndef BERTH_SERVICES_CONTAINERD_SHIM_SHIM_SETUP_H_
#define BERTH_SERVICES_CONTAINERD_SHIM_SHIM_SETUP_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/containerd/cgroups/cgroups.h"
#include "services/containerd/runtime/runtime.h"
#include "services/containerd/shim/spec.h"

namespace berth::containerd::shim {

// Tells containerd how the start went (on kReadyFd, then closed); an error
// if nobody heard it (the pipe's reader, containerd, is gone).
absl::Status ReportStart(const std::string& frame);

// Listens on the container's control socket, replacing only a dead one:
// ALREADY_EXISTS when a live shim (of an earlier start) still serves it.
absl::StatusOr<int> ListenOn(const std::string& path);

// Every cgroup limit of the spec, set before the init runs, with the
// `--device` nodes allowed (their numbers read from the host's nodes).
absl::StatusOr<cgroups::Limits> LimitsOf(const ShimSpec& spec);

// The spec's propagation as the runtime's; unspecified is refused for the
// root, and means rprivate for a mount.
absl::StatusOr<runtime::Propagation> PropagationOf(
    ::berth::shim::v1::Propagation propagation);

// The spec's mounts as the runtime's (tmpfs flag words into MS_* flags).
absl::StatusOr<std::vector<runtime::ContainerMount>> MountsOf(
    const ShimSpec& spec);

// The spec's --ulimit entries as setrlimit resources.
absl::StatusOr<std::vector<runtime::Rlimit>> RlimitsOf(const ShimSpec& spec);

}  // namespace berth::containerd::shim

#endif  // BERTH_SERVICES_CONTAINERD_SHIM_SHIM_SETUP_H_
