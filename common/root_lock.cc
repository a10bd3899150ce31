#include "common/root_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"

namespace berth {

absl::Status MakeDirs(const std::string& dir, unsigned mode) {
  if (dir.empty()) return absl::InvalidArgumentError("empty directory path");
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string prefix = dir.substr(0, pos);
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) {
      return ErrnoStatus(errno, "mkdir", prefix);
    }
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return ErrnoStatus(errno, "stat", dir);
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " exists and is not a directory"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<RootLock>> RootLock::Acquire(
    const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir));
  const std::string path = dir + "/berth.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {};
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    close(fd);
    if (err != EWOULDBLOCK) return ErrnoStatus(err, "lock", path);
    int pid = 0;
    std::string holder = "another process";
    if (n > 0 && absl::SimpleAtoi(absl::StripAsciiWhitespace(buf), &pid)) {
      holder = absl::StrCat("another process (pid ", pid, ")");
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "state directory ", dir, " is in use by ", holder,
        "; stop that daemon first or start this one with another --root"));
  }
  std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) !=
                                   static_cast<ssize_t>(pid.size())) {
    int err = errno;
    close(fd);
    return ErrnoStatus(err, "write pid to", path);
  }
  return std::unique_ptr<RootLock>(new RootLock(fd));
}

RootLock::~RootLock() { close(fd_); }

}  // namespace berth
