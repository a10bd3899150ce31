#include "services/containerd/runtime/remount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

#include "common/status_macros.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

namespace berth::containerd::runtime {

absl::Status RemountBind(const std::string& path, bool read_only,
                         unsigned long extra_flags, bool recursive) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) != 0) return ErrnoStatus(errno, "statvfs", path);
  unsigned long flags = MS_REMOUNT | MS_BIND | extra_flags;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  // Without an atime flag the kernel would switch the mount to relatime.
  if (st.f_flag & ST_NOATIME) {
    flags |= MS_NOATIME;
  } else if (st.f_flag & ST_RELATIME) {
    flags |= MS_RELATIME;
  } else {
    flags |= MS_STRICTATIME;
  }
  if (read_only) flags |= MS_RDONLY;
  if (mount(nullptr, path.c_str(), nullptr, flags, nullptr) != 0) {
    return ErrnoStatus(errno, read_only ? "remount read-only" : "remount", path);
  }
  if (recursive && read_only) {
    struct mount_attr attr = {};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (mount_setattr(AT_FDCWD, path.c_str(), AT_RECURSIVE, &attr, sizeof(attr)) != 0 &&
        errno != ENOSYS) {
      return ErrnoStatus(errno, "make read-only recursively", path);
    }
  }
  return absl::OkStatus();
}

}  // namespace berth::containerd::runtime
