#include "common/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <thread>

#include "common/status_macros.h"

namespace berth {

absl::Status CreateNetns(const std::string& path) {
  const int file =
      open(path.c_str(), O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC, 0444);
  if (file < 0) return ErrnoStatus(errno, "create the netns file", path);
  close(file);
  absl::Status made;
  // unshare moves only the calling thread: a thread of its own enters the
  // namespace and ends there.
  std::thread maker([&path, &made] {
    if (unshare(CLONE_NEWNET) != 0) {
      made = ErrnoStatus(errno, "unshare(CLONE_NEWNET) for", path);
      return;
    }
    if (mount("/proc/thread-self/ns/net", path.c_str(), nullptr, MS_BIND,
              nullptr) != 0) {
      made = ErrnoStatus(errno, "bind-mount the new netns on", path);
    }
  });
  maker.join();
  if (!made.ok()) unlink(path.c_str());
  return made;
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
