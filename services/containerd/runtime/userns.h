// User namespaces for containers (`--userns private`): the namespace is made
// first, with its uid/gid maps; the container's other namespaces stay owned
// by the host's, so the container is set up (mounts, /proc, /sys, cgroups)
// as today by real root, and the init joins the user namespace last, just
// before it switches to the container's user. Image layers keep their host
// ownership on disk: the overlay's lower layers are idmapped mounts, so
// files owned by host root show as the container's root.
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_USERNS_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_USERNS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/containerd/runtime/runtime.h"

namespace berth {
namespace containerd {
namespace runtime {

// "CONTAINER HOST SIZE\n" per mapping, as /proc/PID/uid_map takes it.
std::string FormatIdMap(const std::vector<IdMap>& map);

// The host id container id 0 maps to; NotFound when 0 is not mapped.
absl::StatusOr<uint32_t> HostIdOfRoot(const std::vector<IdMap>& map);

// INVALID_ARGUMENT for an empty map, a zero size, a range that overflows,
// overlapping ranges, or no mapping for container id 0.
absl::Status ValidateIdMap(const std::vector<IdMap>& map, const char* what);

// Creates a user namespace with these maps and returns an O_CLOEXEC fd that
// holds it. A forked helper unshares it and is reaped before this returns.
absl::StatusOr<int> CreateUserNamespace(const std::vector<IdMap>& uid_map,
                                        const std::vector<IdMap>& gid_map);

// Replaces each "lowerdir=" layer of overlay mount options by an idmapped
// clone of it (ids shifted by `userns_fd`'s maps), named /proc/self/fd/N;
// the clones' fds are appended to `fds` (close them once mounted).
absl::StatusOr<std::string> IdmapLowerDirs(const std::string& overlay_options,
                                           int userns_fd, std::vector<int>* fds);

// Network settings a container's root has in Docker but not here, where the
// network namespace is owned by the host's user namespace: ports below 1024
// and ICMP echo sockets open to everyone in this network namespace.
absl::Status OpenNetworkToUserns();

// setns into the user namespace: afterwards the process is root there, with
// every capability in it and none outside.
absl::Status JoinUserNamespace(int userns_fd);

}  // namespace runtime
}  // namespace containerd
}  // namespace berth

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_USERNS_H_
