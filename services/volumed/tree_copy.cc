#include "services/volumed/tree_copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::volumed {
namespace {

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

absl::StatusOr<std::vector<std::string>> EntriesOf(int dir_fd,
                                                   const std::string& path) {
  const int dup_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return ErrnoStatus(errno, "dup", path);
  DIR* dir = fdopendir(dup_fd);
  if (dir == nullptr) {
    const int err = errno;
    close(dup_fd);
    return ErrnoStatus(err, "opendir", path);
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  const int err = errno;
  closedir(dir);
  if (err != 0) return ErrnoStatus(err, "readdir", path);
  // Sorted, so a copy is the same whatever order the directory lists in.
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status CopyData(int in, int out, const std::string& path) {
  std::vector<char> buffer(1 << 17);
  while (true) {
    const ssize_t n = read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno, "read", path);
    if (n == 0) return absl::OkStatus();
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = write(out, buffer.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoStatus(errno, "write", path);
      done += w;
    }
  }
}

// Best effort, as Docker: a destination without xattr support (or without
// the namespace, trusted.* off a user's reach) still gets the content.
void CopyXattrs(const std::string& from, const std::string& to) {
  const ssize_t size = llistxattr(from.c_str(), nullptr, 0);
  if (size <= 0) return;
  std::string names(static_cast<size_t>(size), '\0');
  const ssize_t got = llistxattr(from.c_str(), names.data(), names.size());
  if (got <= 0) return;
  names.resize(static_cast<size_t>(got));
  for (size_t start = 0; start < names.size();) {
    const std::string name = names.c_str() + start;
    start += name.size() + 1;
    const ssize_t value_size = lgetxattr(from.c_str(), name.c_str(), nullptr, 0);
    if (value_size < 0) continue;
    std::string value(static_cast<size_t>(value_size), '\0');
    const ssize_t read = lgetxattr(from.c_str(), name.c_str(), value.data(),
                                   value.size());
    if (read < 0) continue;
    lsetxattr(to.c_str(), name.c_str(), value.data(), static_cast<size_t>(read), 0);
  }
}

class TreeCopier {
 public:
  TreeCopier(std::string from, std::string to, int to_root)
      : from_(std::move(from)), to_(std::move(to)), to_root_(to_root) {}

  // Copies the entries of `src` (the tree's `rel`) into `dst`.
  absl::Status CopyEntries(int src, int dst, const std::string& rel) {
    ASSIGN_OR_RETURN(std::vector<std::string> names,
                     EntriesOf(src, FromPath(rel)));
    for (const std::string& name : names) {
      RETURN_IF_ERROR(CopyEntry(src, dst, name, rel.empty() ? name : rel + "/" + name));
    }
    return absl::OkStatus();
  }

  // Owner, mode, xattrs and times of `st` onto the tree's `rel` in the
  // destination (chown first: it clears set-id bits).
  absl::Status SetMetadata(int dir, const std::string& name,
                           const std::string& rel, const struct stat& st) {
    const std::string path = ToPath(rel);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    if (name.empty()) {  // the top: `dir` itself
      if (fchown(dir, st.st_uid, st.st_gid) != 0) return ErrnoStatus(errno, "chown", path);
      if (fchmod(dir, st.st_mode & 07777) != 0) return ErrnoStatus(errno, "chmod", path);
      CopyXattrs(FromPath(rel), path);
      if (futimens(dir, times) != 0) return ErrnoStatus(errno, "set times of", path);
      return absl::OkStatus();
    }
    if (fchownat(dir, name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, "chown", path);
    }
    if (!S_ISLNK(st.st_mode)) {
      if (fchmodat(dir, name.c_str(), st.st_mode & 07777, 0) != 0) {
        return ErrnoStatus(errno, "chmod", path);
      }
      CopyXattrs(FromPath(rel), path);
    }
    if (utimensat(dir, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, "set times of", path);
    }
    return absl::OkStatus();
  }

 private:
  std::string FromPath(const std::string& rel) const {
    return rel.empty() ? from_ : absl::StrCat(from_, "/", rel);
  }
  std::string ToPath(const std::string& rel) const {
    return rel.empty() ? to_ : absl::StrCat(to_, "/", rel);
  }

  absl::Status CopyEntry(int src, int dst, const std::string& name,
                         const std::string& rel) {
    struct stat st;
    if (fstatat(src, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      return ErrnoStatus(errno, "stat", FromPath(rel));
    }
    if (S_ISDIR(st.st_mode)) return CopyDirectory(src, dst, name, rel, st);
    if (S_ISREG(st.st_mode)) return CopyFile(src, dst, name, rel, st);
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      const ssize_t n = readlinkat(src, name.c_str(), target.data(), target.size());
      if (n < 0) return ErrnoStatus(errno, "readlink", FromPath(rel));
      target.resize(static_cast<size_t>(n));
      if (symlinkat(target.c_str(), dst, name.c_str()) != 0) {
        return ErrnoStatus(errno, "symlink", ToPath(rel));
      }
      return SetMetadata(dst, name, rel, st);
    }
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      if (mknodat(dst, name.c_str(), (st.st_mode & S_IFMT) | 0600, st.st_rdev) != 0) {
        return ErrnoStatus(errno, "mknod", ToPath(rel));
      }
      return SetMetadata(dst, name, rel, st);
    }
    return absl::OkStatus();  // a socket: its listener is not in the copy
  }

  absl::Status CopyDirectory(int src, int dst, const std::string& name,
                             const std::string& rel, const struct stat& st) {
    if (mkdirat(dst, name.c_str(), 0700) != 0) {
      return ErrnoStatus(errno, "mkdir", ToPath(rel));
    }
    Fd from(openat(src, name.c_str(),
                   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (from.get() < 0) return ErrnoStatus(errno, "open", FromPath(rel));
    Fd to(openat(dst, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (to.get() < 0) return ErrnoStatus(errno, "open", ToPath(rel));
    RETURN_IF_ERROR(CopyEntries(from.get(), to.get(), rel));
    // After the children, whose creation moved the directory's mtime.
    return SetMetadata(dst, name, rel, st);
  }

  absl::Status CopyFile(int src, int dst, const std::string& name,
                        const std::string& rel, const struct stat& st) {
    const auto inode = std::make_pair(st.st_dev, st.st_ino);
    if (st.st_nlink > 1) {
      auto linked = links_.find(inode);
      if (linked != links_.end()) {
        if (linkat(to_root_, linked->second.c_str(), dst, name.c_str(), 0) != 0) {
          return ErrnoStatus(errno, "link", ToPath(rel));
        }
        return absl::OkStatus();
      }
    }
    Fd in(openat(src, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (in.get() < 0) return ErrnoStatus(errno, "open", FromPath(rel));
    Fd out(openat(dst, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600));
    if (out.get() < 0) return ErrnoStatus(errno, "create", ToPath(rel));
    RETURN_IF_ERROR(CopyData(in.get(), out.get(), FromPath(rel)));
    if (st.st_nlink > 1) links_.emplace(inode, rel);
    return SetMetadata(dst, name, rel, st);
  }

  const std::string from_;
  const std::string to_;
  const int to_root_;
  // Where the first name of each multiply linked inode went (relative).
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

}  // namespace

absl::Status CopyTree(const std::string& from, const std::string& to) {
  Fd src(open(from.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (src.get() < 0) return ErrnoStatus(errno, "open", from);
  Fd dst(open(to.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dst.get() < 0) return ErrnoStatus(errno, "open", to);
  struct stat st;
  if (fstat(src.get(), &st) != 0) return ErrnoStatus(errno, "stat", from);
  TreeCopier copier(from, to, dst.get());
  RETURN_IF_ERROR(copier.CopyEntries(src.get(), dst.get(), ""));
  return copier.SetMetadata(dst.get(), "", "", st);
}

}  // namespace berth::volumed
