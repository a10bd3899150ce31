#include "services/containerd/runtime/mount_util.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

namespace berth {
namespace containerd {
namespace runtime {

absl::StatusOr<std::string> MountInRoot(const std::string& root,
                                        absl::string_view path,
                                        const std::string& source,
                                        const char* fstype, unsigned long flags,
                                        const std::string& data, TargetKind kind) {
  ASSIGN_OR_RETURN(std::string rel, ResolveInRoot(root, path));
  const std::string host = rel.empty() ? root : absl::StrCat(root, "/", rel);
  ASSIGN_OR_RETURN(PathFd target, OpenOrCreateInRoot(root, rel, kind));
  const std::string target_path = target.ProcPath();
  if (mount(source.c_str(), target_path.c_str(), fstype, flags,
            data.empty() ? nullptr : data.c_str()) != 0) {
    const bool bind = (flags & MS_BIND) != 0;
    return ErrnoStatus(errno,
                       absl::StrCat("mount ", bind ? source : std::string(fstype),
                                    bind ? " (bind)" : "", " on"),
                       host);
  }
  return host;
}

absl::Status RemountBind(const std::string& path, bool read_only,
                         unsigned long extra_flags, bool recursive) {
  struct statvfs st;
  if (statvfs(path.c_str(), &st) != 0) return ErrnoStatus(errno, "statvfs", path);
  unsigned long flags = MS_REMOUNT | MS_BIND | extra_flags;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
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

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
