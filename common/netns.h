// Network namespaces kept alive by a bind mount on a file (as `ip netns`
// does), so they outlive the processes in them: containerd makes one per
// container on a network before its init exists, netd wires it, the init
// joins it by path. Test environments make theirs the same way.
#ifndef BERTH_COMMON_NETNS_H_
#define BERTH_COMMON_NETNS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace berth {

// A new network namespace with only its loopback interface (down), bound
// to `path` (created; its directory must exist). ALREADY_EXISTS when
// `path` is there. The caller's threads stay in their namespace.
absl::Status CreateNetns(const std::string& path);

// A new network namespace held only by the returned descriptor (close-on-
// exec): made ahead of need, bound later with BindNetns.
absl::StatusOr<int> NewNetnsFd();

// Binds the namespace `fd` refers to at `path` (created; its directory
// must exist). ALREADY_EXISTS when `path` is there. `fd` stays open.
absl::Status BindNetns(int fd, const std::string& path);

// Unbinds and removes `path`; the namespace ends once nothing else holds
// it. A missing path is fine.
absl::Status RemoveNetns(const std::string& path);

}  // namespace berth

#endif  // BERTH_COMMON_NETNS_H_
