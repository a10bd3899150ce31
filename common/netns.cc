#include "common/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "common/status_macros.h"

namespace berth {

absl::StatusOr<int> NewNetnsFd() {
  absl::StatusOr<int> made;
  // unshare moves only the calling thread: a thread of its own enters the
  // namespace, keeps a descriptor of it and ends there.
  std::thread maker([&made] {
    if (unshare(CLONE_NEWNET) != 0) {
      made = ErrnoStatus(errno, "unshare(CLONE_NEWNET)", "a new netns");
      return;
    }
    const int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      made = ErrnoStatus(errno, "open", "/proc/thread-self/ns/net");
      return;
    }
    made = fd;
  });
  maker.join();
  return made;
}

absl::Status BindNetns(int fd, const std::string& path) {
  const int file =
      open(path.c_str(), O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0444);
  if (file < 0) return ErrnoStatus(errno, "create the netns file", path);
  close(file);
  const std::string source = "/proc/self/fd/" + std::to_string(fd);
  if (mount(source.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    const int err = errno;
    unlink(path.c_str());
    return ErrnoStatus(err, "bind-mount the netns on", path);
  }
  return absl::OkStatus();
}

absl::Status CreateNetns(const std::string& path) {
  ASSIGN_OR_RETURN(const int fd, NewNetnsFd());
  absl::Status bound = BindNetns(fd, path);
  close(fd);
  return bound;
}

absl::Status RemoveNetns(const std::string& path) {
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL &&
      errno != ENOENT) {
    return ErrnoStatus(errno, "unmount the netns", path);
  }
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(errno, "remove the netns file", path);
  }
  return absl::OkStatus();
}

}  // namespace berth
