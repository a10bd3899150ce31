#include "services/containerd/runtime/mounts.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/containerd/runtime/cgroup_mount.h"
#include "services/containerd/runtime/devices.h"
#include "services/containerd/runtime/mount_util.h"
#include "services/containerd/runtime/userns.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

constexpr unsigned long kProcFlags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

absl::Status MountRootfs(const InitSpec& spec, int userns_fd) {
  const std::string& dir = spec.rootfs_dir;
  if (!spec.overlay_options.empty()) {
    std::string options = spec.overlay_options;
    std::vector<int> layer_fds;
    if (userns_fd >= 0) {
      absl::StatusOr<std::string> idmapped =
          IdmapLowerDirs(options, userns_fd, &layer_fds);
      if (!idmapped.ok()) {
        for (int fd : layer_fds) close(fd);
        return idmapped.status();
      }
      options = *idmapped;
    }
    const int rc = mount("overlay", dir.c_str(), "overlay", 0, options.c_str());
    const int err = errno;
    for (int fd : layer_fds) close(fd);
    if (rc != 0) {
      return Annotate(ErrnoStatus(err, "mount overlay on", dir),
                      absl::StrCat("overlay options \"", options, "\""));
    }
    return absl::OkStatus();
  }
  // pivot_root needs a mount point; the bind also keeps the host's mount
  // flags off the container's root.
  if (mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    return ErrnoStatus(errno, "mount (bind) rootfs", dir);
  }
  return absl::OkStatus();
}

absl::Status MountSys(const InitSpec& spec) {
  const unsigned long ro = spec.privileged ? 0 : MS_RDONLY;
  absl::StatusOr<std::string> sys = MountInRoot(
      spec.rootfs_dir, "/sys", "sysfs", "sysfs", kProcFlags | ro, "",
      TargetKind::kDirectory);
  if (sys.ok() || !absl::IsPermissionDenied(sys.status())) return sys.status();
  // sysfs cannot be mounted without owning the network namespace (user
  // namespaces); like runc, fall back to the host's /sys.
  ASSIGN_OR_RETURN(std::string target,
                   MountInRoot(spec.rootfs_dir, "/sys", "/sys", nullptr,
                               MS_BIND | MS_REC, "", TargetKind::kDirectory));
  return RemountBind(target, !spec.privileged, kProcFlags, true);
}

absl::Status MountPropagation(const std::string& target, Propagation propagation) {
  unsigned long flags = 0;
  switch (propagation) {
    case Propagation::kPrivate: flags = MS_PRIVATE; break;
    case Propagation::kRPrivate: return absl::OkStatus();  // the namespace is rprivate
    case Propagation::kSlave: flags = MS_SLAVE; break;
    case Propagation::kRSlave: flags = MS_SLAVE | MS_REC; break;
    case Propagation::kShared: flags = MS_SHARED; break;
    case Propagation::kRShared: flags = MS_SHARED | MS_REC; break;
  }
  if (mount(nullptr, target.c_str(), nullptr, flags, nullptr) != 0) {
    return ErrnoStatus(errno, "set propagation of", target);
  }
  return absl::OkStatus();
}

absl::Status MountBind(const std::string& root, const BindMount& bind) {
  struct stat st;
  if (stat(bind.source.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return absl::FailedPreconditionError(
          absl::StrCat("bind source path does not exist: ", bind.source));
    }
    return ErrnoStatus(errno, "stat bind source", bind.source);
  }
  const TargetKind kind = S_ISDIR(st.st_mode) ? TargetKind::kDirectory : TargetKind::kFile;
  const unsigned long flags = MS_BIND | (bind.recursive ? MS_REC : 0);
  ASSIGN_OR_RETURN(std::string target,
                   MountInRoot(root, bind.destination, bind.source, nullptr, flags, "",
                               kind));
  if (bind.read_only) {
    RETURN_IF_ERROR(RemountBind(target, true, 0, bind.recursive));
  }
  return MountPropagation(target, bind.propagation);
}

}  // namespace

absl::Status PrepareRootfs(const InitSpec& spec, int userns_fd) {
  // Nothing mounted from here on may reach the host.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return ErrnoStatus(errno, "make rprivate", "/");
  }
  RETURN_IF_ERROR(MountRootfs(spec, userns_fd));
  const std::string& root = spec.rootfs_dir;
  RETURN_IF_ERROR(MountInRoot(root, "/proc", "proc", "proc", kProcFlags, "",
                              TargetKind::kDirectory)
                      .status());
  RETURN_IF_ERROR(MountSys(spec));
  RETURN_IF_ERROR(SetupDev(root, spec.privileged));
  RETURN_IF_ERROR(Annotate(
      MountCgroups(root, (spec.clone_flags & CLONE_NEWCGROUP) != 0, !spec.privileged),
      "mount /sys/fs/cgroup"));
  for (const BindMount& bind : spec.mounts) {
    RETURN_IF_ERROR(Annotate(MountBind(root, bind),
                             absl::StrCat("bind mount ", bind.source, " on ",
                                          bind.destination)));
  }
  return absl::OkStatus();
}

absl::Status PivotIntoRootfs(const std::string& rootfs) {
  if (chdir(rootfs.c_str()) != 0) return ErrnoStatus(errno, "chdir", rootfs);
  // The old root is stacked under the new one at "."; detaching "." then
  // removes it, and no directory has to be created for it in the rootfs.
  if (syscall(SYS_pivot_root, ".", ".") != 0) {
    return ErrnoStatus(errno, "pivot_root", rootfs);
  }
  if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
    return ErrnoStatus(errno, "make rslave", "old root");
  }
  if (umount2(".", MNT_DETACH) != 0) return ErrnoStatus(errno, "unmount", "old root");
  if (chdir("/") != 0) return ErrnoStatus(errno, "chdir", "/");
  return absl::OkStatus();
}

absl::Status MakeRootReadOnly() { return RemountBind("/", true); }

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
