#include "services/containerd/runtime/mounts.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/fs_util.h"
#include "common/status_macros.h"
#include "services/containerd/runtime/cgroup_mount.h"
#include "services/containerd/runtime/devices.h"
#include "services/containerd/runtime/mount_util.h"
#include "services/containerd/runtime/secure_path.h"
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

unsigned long PropagationFlags(Propagation propagation) {
  switch (propagation) {
    case Propagation::kPrivate: return MS_PRIVATE;
    case Propagation::kRPrivate: return MS_PRIVATE | MS_REC;
    case Propagation::kSlave: return MS_SLAVE;
    case Propagation::kRSlave: return MS_SLAVE | MS_REC;
    case Propagation::kShared: return MS_SHARED;
    case Propagation::kRShared: return MS_SHARED | MS_REC;
  }
  return MS_PRIVATE | MS_REC;
}

absl::Status MountPropagation(const std::string& target, Propagation propagation) {
  if (mount(nullptr, target.c_str(), nullptr, PropagationFlags(propagation),
            nullptr) != 0) {
    return ErrnoStatus(errno, "set propagation of", target);
  }
  return absl::OkStatus();
}

// The mount point in this namespace that holds `path` (the longest mount
// point that is `path` or one of its parents), from /proc/self/mountinfo.
absl::StatusOr<std::string> MountPointHolding(const std::string& path) {
  ASSIGN_OR_RETURN(std::string mountinfo,
                   ReadFileToString("/proc/self/mountinfo"));
  std::string best = "/";
  for (absl::string_view line : absl::StrSplit(mountinfo, '\n', absl::SkipEmpty())) {
    // id parent dev root mountpoint ...; octal escapes only for odd names,
    // which are then simply not matched.
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    if (fields.size() < 5) continue;
    const absl::string_view point = fields[4];
    const bool holds = point == "/" || path == point ||
                       absl::StartsWith(path, absl::StrCat(point, "/"));
    if (holds && point.size() > best.size()) best = std::string(point);
  }
  return best;
}

absl::Status SetRootPropagation(const InitSpec& spec) {
  if (mount(nullptr, "/", nullptr, PropagationFlags(spec.root_propagation),
            nullptr) != 0) {
    return ErrnoStatus(errno, "set propagation of", "/");
  }
  if (spec.root_propagation == Propagation::kRPrivate) return absl::OkStatus();
  // The tree stays tied to the host's for the mounts that ask for it; the
  // mount holding the rootfs must not, or the rootfs and everything mounted
  // on it would show up on the host (runc's rootfsParentMountPrivate).
  ASSIGN_OR_RETURN(std::string parent, MountPointHolding(spec.rootfs_dir));
  if (mount(nullptr, parent.c_str(), nullptr, MS_PRIVATE, nullptr) != 0) {
    return ErrnoStatus(errno, "make private", parent);
  }
  return absl::OkStatus();
}

absl::Status MountTmpfs(const std::string& root, const ContainerMount& tmpfs) {
  ASSIGN_OR_RETURN(std::string target,
                   MountInRoot(root, tmpfs.destination, "tmpfs", "tmpfs",
                               tmpfs.tmpfs_flags | (tmpfs.read_only ? MS_RDONLY : 0),
                               tmpfs.tmpfs_data, TargetKind::kDirectory));
  // A fresh mount inherits its parent's propagation: keep it to the
  // container unless asked otherwise.
  return MountPropagation(target, tmpfs.propagation);
}

absl::Status MountBind(const std::string& root, const ContainerMount& mount) {
  ContainerMount bind = mount;
  PathFd subpath;
  if (!mount.source_subpath.empty()) {
    ASSIGN_OR_RETURN(subpath, OpenWithoutSymlinks(mount.source, mount.source_subpath));
    bind.source = subpath.ProcPath();
  }
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
  // Nothing mounted from here on may reach the host; only a mount that asks
  // for slave or shared propagation keeps the tree tied to the host's, and
  // every other mount is made private again below.
  RETURN_IF_ERROR(SetRootPropagation(spec));
  RETURN_IF_ERROR(MountRootfs(spec, userns_fd));
  const std::string& root = spec.rootfs_dir;
  RETURN_IF_ERROR(MountInRoot(root, "/proc", "proc", "proc", kProcFlags, "",
                              TargetKind::kDirectory)
                      .status());
  RETURN_IF_ERROR(MountSys(spec));
  RETURN_IF_ERROR(SetupDev(root, spec.privileged, spec.devices));
  RETURN_IF_ERROR(Annotate(
      MountCgroups(root, (spec.clone_flags & CLONE_NEWCGROUP) != 0, !spec.privileged),
      "mount /sys/fs/cgroup"));
  for (const ContainerMount& mount : spec.mounts) {
    if (mount.tmpfs) {
      RETURN_IF_ERROR(Annotate(MountTmpfs(root, mount),
                               absl::StrCat("tmpfs on ", mount.destination)));
      continue;
    }
    RETURN_IF_ERROR(Annotate(MountBind(root, mount),
                             absl::StrCat("bind mount ", mount.source, " on ",
                                          mount.destination)));
  }
  return absl::OkStatus();
}

absl::Status PivotIntoRootfs(const std::string& rootfs) {
  const int old_root = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
  if (old_root < 0) return ErrnoStatus(errno, "open", "/");
  absl::Status status = [&]() -> absl::Status {
    if (chdir(rootfs.c_str()) != 0) return ErrnoStatus(errno, "chdir", rootfs);
    // The old root is stacked on the new one; it is made rslave (so that
    // detaching it reaches nothing of the host's) and detached through its
    // own descriptor: "." would name the new root, whose mounts must keep
    // the propagation each was given.
    if (syscall(SYS_pivot_root, ".", ".") != 0) {
      return ErrnoStatus(errno, "pivot_root", rootfs);
    }
    if (fchdir(old_root) != 0) return ErrnoStatus(errno, "fchdir", "old root");
    if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
      return ErrnoStatus(errno, "make rslave", "old root");
    }
    if (umount2(".", MNT_DETACH) != 0) return ErrnoStatus(errno, "unmount", "old root");
    if (chdir("/") != 0) return ErrnoStatus(errno, "chdir", "/");
    return absl::OkStatus();
  }();
  close(old_root);
  return status;
}

absl::Status MakeRootReadOnly() { return RemountBind("/", true); }

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
