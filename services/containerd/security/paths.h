// Hiding and write-protecting kernel interfaces under /proc and /sys inside
// a container, as Docker's masked and read-only paths.
#ifndef BERTH_SERVICES_CONTAINERD_SECURITY_PATHS_H_
#define BERTH_SERVICES_CONTAINERD_SECURITY_PATHS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace berth::containerd::security {

// Docker's defaults for a non-privileged container (a privileged one gets
// neither).
std::vector<std::string> DefaultMaskedPaths();
std::vector<std::string> DefaultReadonlyPaths();

// Both run inside the container's mount namespace after pivot_root, with
// /proc, /sys and /dev (for /dev/null) mounted; the mounts they make vanish
// with the namespace. Paths that do not exist are skipped, so one list fits
// every kernel.

// Hides each path: /dev/null is bound over files, an empty read-only tmpfs
// is mounted over directories.
absl::Status MaskPaths(const std::vector<std::string>& paths);

// Makes each path read-only: bound onto itself, then remounted read-only
// keeping its nosuid/nodev/noexec and atime flags (in a user namespace the
// kernel refuses to clear those).
absl::Status MakeReadonly(const std::vector<std::string>& paths);

}  // namespace berth::containerd::security

#endif  // BERTH_SERVICES_CONTAINERD_SECURITY_PATHS_H_
