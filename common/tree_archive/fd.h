// An owned file descriptor and openat2(2) resolution inside a root: the
// primitives of //common/tree_archive. Every lookup below a root goes
// through OpenInRoot, so a symlink or ".." can never lead out of it, even
// while the tree changes under us (a running container's processes).
#ifndef BERTH_COMMON_TREE_ARCHIVE_FD_H_
#define BERTH_COMMON_TREE_ARCHIVE_FD_H_

#include <unistd.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::tree_archive {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& other) noexcept : fd_(other.Release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) Reset(other.Release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// openat2(root_fd, path, flags | O_CLOEXEC) with RESOLVE_IN_ROOT and
// RESOLVE_NO_MAGICLINKS: `path` (absolute or not) is looked up as if
// root_fd were "/", so absolute symlinks and ".." stay inside it, and no
// /proc magic link jumps out. O_NOFOLLOW in `flags` leaves a final symlink
// unfollowed. Errors carry the errno and `path` (NOT_FOUND for ENOENT).
absl::StatusOr<Fd> OpenInRoot(int root_fd, absl::string_view path, int flags);

// fchmodat2(dir_fd, name, mode, AT_SYMLINK_NOFOLLOW): never follows a
// symlink (a concurrent swap cannot redirect it).
int ChmodNoFollow(int dir_fd, const char* name, mode_t mode);

}  // namespace berth::tree_archive

#endif  // BERTH_COMMON_TREE_ARCHIVE_FD_H_
