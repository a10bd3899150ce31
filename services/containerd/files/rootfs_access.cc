#include "services/containerd/files/rootfs_access.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>

#include <cerrno>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace berth::containerd::files {

using tree_archive::Fd;

namespace {

// The clone of the root mount of `pid`'s mount namespace, made by a thread
// of our own that joins it (setns needs a thread with its own fs state; the
// thread and its namespace membership end here, the clone lives on in the
// descriptor).
absl::StatusOr<Fd> CloneRootMount(pid_t pid) {
  const std::string ns_path = absl::StrCat("/proc/", pid, "/ns/mnt");
  absl::StatusOr<Fd> result = absl::InternalError("no clone made");
  std::thread worker([&] {
    Fd ns(open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns.valid()) {
      result = ErrnoStatus(errno, "open", ns_path);
      return;
    }
    if (unshare(CLONE_FS) != 0) {
      result = ErrnoStatus(errno, "unshare CLONE_FS for", ns_path);
      return;
    }
    if (setns(ns.get(), CLONE_NEWNS) != 0) {
      result = ErrnoStatus(errno, "setns", ns_path);
      return;
    }
    // setns put this thread at the namespace's root: the container's "/".
    const int fd = open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (fd < 0) {
      result = ErrnoStatus(errno, "open_tree (clone) / of", ns_path);
      return;
    }
    result = Fd(fd);
  });
  worker.join();
  return result;
}

}  // namespace

absl::StatusOr<Fd> OpenRunningRootfs(pid_t pid, RootfsView view) {
  if (view == RootfsView::kLayers) return CloneRootMount(pid);
  const std::string path = absl::StrCat("/proc/", pid, "/root");
  const int fd = open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  return Fd(fd);
}

absl::StatusOr<Fd> MountStoppedRootfs(const container::v1::GraphDriver& graph,
                                      bool read_only) {
  if (graph.mount_options().empty()) {
    return absl::FailedPreconditionError(
        "the container has no overlay recorded (GraphDriver is empty)");
  }
  Fd context(fsopen("overlay", FSOPEN_CLOEXEC));
  if (!context.valid()) return ErrnoStatus(errno, "fsopen", "overlay");
  // The options imaged prepared for the container's own mount, one by one.
  for (absl::string_view option : absl::StrSplit(graph.mount_options(), ',')) {
    if (option.empty()) continue;
    const size_t eq = option.find('=');
    const std::string key(option.substr(0, eq));
    int rc;
    if (eq == absl::string_view::npos) {
      rc = fsconfig(context.get(), FSCONFIG_SET_FLAG, key.c_str(), nullptr, 0);
    } else {
      const std::string value(option.substr(eq + 1));
      rc = fsconfig(context.get(), FSCONFIG_SET_STRING, key.c_str(),
                    value.c_str(), 0);
    }
    if (rc != 0) {
      return ErrnoStatus(errno, absl::StrCat("fsconfig overlay ", key, " of"),
                         graph.upper_dir());
    }
  }
  if (fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return ErrnoStatus(errno, "mount overlay (fsconfig create) with upper dir",
                       graph.upper_dir());
  }
  const int fd = fsmount(context.get(), FSMOUNT_CLOEXEC,
                         read_only ? MOUNT_ATTR_RDONLY : 0);
  if (fd < 0) {
    return ErrnoStatus(errno, "fsmount overlay with upper dir", graph.upper_dir());
  }
  return Fd(fd);
}

}  // namespace berth::containerd::files
