#include "common/tree_archive/fd.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include <cerrno>
#include <string>

#include "common/status_macros.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452  // Linux 6.6; Debian 12's headers predate it
#endif

namespace berth::tree_archive {

absl::StatusOr<Fd> OpenInRoot(int root_fd, absl::string_view path, int flags) {
  const std::string name = path.empty() ? std::string(".") : std::string(path);
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    const long fd = syscall(SYS_openat2, root_fd, name.c_str(), &how, sizeof how);
    if (fd >= 0) return Fd(static_cast<int>(fd));
    // EAGAIN: a rename raced the lookup; the kernel asks for a retry.
    if (errno == EINTR || errno == EAGAIN) continue;
    return ErrnoStatus(errno, "open", name);
  }
}

int ChmodNoFollow(int dir_fd, const char* name, mode_t mode) {
  return static_cast<int>(
      syscall(SYS_fchmodat2, dir_fd, name, mode, AT_SYMLINK_NOFOLLOW));
}

}  // namespace berth::tree_archive
