// The one read-only remount: a bind mount (or filesystem) made read-only
// or read-write again without losing its other flags. Used for the rootfs,
// /sys, the cgroup mounts and the read-only paths (security/paths.h).
#ifndef BERTH_SERVICES_CONTAINERD_RUNTIME_REMOUNT_H_
#define BERTH_SERVICES_CONTAINERD_RUNTIME_REMOUNT_H_

#include <string>

#include "absl/status/status.h"

namespace berth::containerd::runtime {

// Remounts the bind mount or filesystem mounted at `path` read-only (or
// read-write), keeping its nosuid/nodev/noexec/atime flags (a remount
// without them would clear them, or fail in a user namespace where they
// are locked) and adding `extra_flags`. With `recursive`, submounts are made
// read-only as well.
absl::Status RemountBind(const std::string& path, bool read_only,
                         unsigned long extra_flags = 0, bool recursive = false);

}  // namespace berth::containerd::runtime

#endif  // BERTH_SERVICES_CONTAINERD_RUNTIME_REMOUNT_H_
