#include "services/containerd/runtime/mount_util.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

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

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
