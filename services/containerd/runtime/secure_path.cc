#include "services/containerd/runtime/secure_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <deque>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

constexpr int kMaxSymlinks = 255;

int OpenBeneath(int dirfd, const std::string& rel, uint64_t flags) {
  struct open_how how = {};
  how.flags = flags | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* path = rel.empty() ? "." : rel.c_str();
  int fd;
  do {
    fd = static_cast<int>(syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  return fd;
}

}  // namespace

PathFd& PathFd::operator=(PathFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

PathFd::~PathFd() {
  if (fd_ >= 0) close(fd_);
}

std::string PathFd::ProcPath() const { return absl::StrCat("/proc/self/fd/", fd_); }

absl::StatusOr<std::string> ResolveInRoot(const std::string& root,
                                          absl::string_view path) {
  std::deque<std::string> pending;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    pending.emplace_back(part);
  }
  std::vector<std::string> resolved;
  int links = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".") continue;
    if (part == "..") {
      if (!resolved.empty()) resolved.pop_back();
      continue;
    }
    resolved.push_back(part);
    const std::string host = absl::StrCat(root, "/", absl::StrJoin(resolved, "/"));
    struct stat st;
    if (lstat(host.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) continue;  // created later
      return ErrnoStatus(errno, "stat", host);
    }
    if (!S_ISLNK(st.st_mode)) continue;
    if (++links > kMaxSymlinks) {
      return ErrnoStatus(ELOOP, "resolve", absl::StrCat(root, "/", path));
    }
    std::string target(PATH_MAX, '\0');
    ssize_t n = readlink(host.c_str(), target.data(), target.size());
    if (n < 0) return ErrnoStatus(errno, "readlink", host);
    target.resize(static_cast<size_t>(n));
    resolved.pop_back();
    if (!target.empty() && target[0] == '/') resolved.clear();
    std::vector<std::string> parts =
        absl::StrSplit(target, '/', absl::SkipEmpty());
    pending.insert(pending.begin(), parts.begin(), parts.end());
  }
  return absl::StrJoin(resolved, "/");
}

absl::StatusOr<PathFd> OpenOrCreateInRoot(const std::string& root,
                                          const std::string& rel,
                                          TargetKind kind) {
  PathFd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root_fd.get() < 0) return ErrnoStatus(errno, "open", root);

  std::vector<std::string> parts = absl::StrSplit(rel, '/', absl::SkipEmpty());
  std::string prefix;
  for (size_t i = 0; i < parts.size(); ++i) {
    const bool last = i + 1 == parts.size();
    const std::string next = prefix.empty() ? parts[i] : prefix + "/" + parts[i];
    const std::string host = absl::StrCat(root, "/", next);
    int fd = OpenBeneath(root_fd.get(), next, O_PATH);
    if (fd < 0 && errno != ENOENT) return ErrnoStatus(errno, "open", host);
    if (fd < 0) {
      PathFd parent(OpenBeneath(root_fd.get(), prefix, O_PATH | O_DIRECTORY));
      if (parent.get() < 0) {
        return ErrnoStatus(errno, "open", absl::StrCat(root, "/", prefix));
      }
      int rc;
      if (last && kind == TargetKind::kFile) {
        rc = mknodat(parent.get(), parts[i].c_str(), S_IFREG | 0644, 0);
      } else {
        rc = mkdirat(parent.get(), parts[i].c_str(), 0755);
      }
      if (rc != 0 && errno != EEXIST) return ErrnoStatus(errno, "create", host);
      fd = OpenBeneath(root_fd.get(), next, O_PATH);
      if (fd < 0) return ErrnoStatus(errno, "open", host);
    }
    PathFd opened(fd);
    if (last) return opened;
    prefix = next;
  }
  int fd = OpenBeneath(root_fd.get(), "", O_PATH | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus(errno, "open", root);
  return PathFd(fd);
}

absl::StatusOr<PathFd> OpenWithoutSymlinks(const std::string& root,
                                           const std::string& rel) {
  PathFd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root_fd.get() < 0) return ErrnoStatus(errno, "open", root);
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  int fd;
  do {
    fd = static_cast<int>(
        syscall(SYS_openat2, root_fd.get(), rel.c_str(), &how, sizeof(how)));
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ELOOP || err == EXDEV) {
      return absl::FailedPreconditionError(absl::StrCat(
          "path \"", rel, "\" below ", root,
          err == ENOENT ? " does not exist" : " leads through a symlink"));
    }
    return ErrnoStatus(err, "open", absl::StrCat(root, "/", rel));
  }
  return PathFd(fd);
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
