// How containerd reaches a container's root filesystem for cp, export and
// stat without ever mounting anything where others can see it:
// - a running container: its root as its processes see it
//   (/proc/PID/root: with volumes and bind mounts), or only its overlay (a
//   detached clone of its root mount, made inside its mount namespace);
// - a container without a process: its overlay mounted detached (fsmount):
//   in no mount namespace, gone when the last descriptor closes, so a crash
//   leaves no mount behind.
// Either way the result is a directory fd to resolve paths in with
// tree_archive::OpenInRoot.
#ifndef BERTH_SERVICES_CONTAINERD_FILES_ROOTFS_ACCESS_H_
#define BERTH_SERVICES_CONTAINERD_FILES_ROOTFS_ACCESS_H_

#include <sys/types.h>

#include "absl/status/statusor.h"
#include "berth/container/v1/container_types.pb.h"
#include "common/tree_archive/fd.h"

namespace berth::containerd::files {

enum class RootfsView {
  kContainer,  // what the container's processes see (cp, stat)
  kLayers,     // its overlay only, without mounts on it (export)
};

// The root of the running container whose init is `pid`.
absl::StatusOr<tree_archive::Fd> OpenRunningRootfs(pid_t pid, RootfsView view);

// The overlay `graph` describes, mounted detached (read-only if asked). The
// container must not run meanwhile: two overlays on one upper dir disagree.
absl::StatusOr<tree_archive::Fd> MountStoppedRootfs(
    const container::v1::GraphDriver& graph, bool read_only);

}  // namespace berth::containerd::files

#endif  // BERTH_SERVICES_CONTAINERD_FILES_ROOTFS_ACCESS_H_
