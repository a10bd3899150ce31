#include "services/imaged/layer/fd_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth {
namespace imaged {
namespace layer {

int OpenDirNoFollow(int dir_fd, const char* name) {
  return openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

absl::Status WriteAll(int fd, const void* data, size_t size,
                      absl::string_view what) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", what);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status PwriteAll(int fd, const void* data, size_t size, off_t offset,
                       absl::string_view what) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = pwrite(fd, p, size, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "write", what);
    }
    p += n;
    offset += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListDirSorted(int dir_fd) {
  // fdopendir takes over the fd it is given, so hand it a fresh one.
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open directory", "");
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    close(fd);
    return ErrnoStatus(err, "fdopendir", "");
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* entry = readdir(dir)) {
    absl::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  int err = errno;
  closedir(dir);
  if (err != 0) return ErrnoStatus(err, "readdir", "");
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status RemoveContents(int dir_fd) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, ListDirSorted(dir_fd));
  for (const std::string& name : names) {
    struct stat st;
    if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return ErrnoStatus(errno, "stat", name);
    }
    if (S_ISDIR(st.st_mode)) {
      UniqueFd child(OpenDirNoFollow(dir_fd, name.c_str()));
      if (!child.valid() && errno == EACCES) {
        // Only without CAP_DAC_OVERRIDE: a mode-0 directory we made.
        if (fchmodat(dir_fd, name.c_str(), 0700, 0) != 0) {
          return ErrnoStatus(errno, "chmod", name);
        }
        child.Reset(OpenDirNoFollow(dir_fd, name.c_str()));
      }
      if (!child.valid()) return ErrnoStatus(errno, "open", name);
      RETURN_IF_ERROR(RemoveContents(child.get()));
      child.Reset();
      if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 &&
          errno != ENOENT) {
        return ErrnoStatus(errno, "rmdir", name);
      }
    } else if (unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "unlink", name);
    }
  }
  return absl::OkStatus();
}

std::string FdPath(int dir_fd, absl::string_view name) {
  return absl::StrCat("/proc/self/fd/", dir_fd, "/", name);
}

namespace {

bool XattrsUnsupported(int err) { return err == ENOTSUP || err == ENOSYS; }

ssize_t List(int fd, const std::string& path, char* buf, size_t size) {
  return fd >= 0 ? flistxattr(fd, buf, size)
                 : llistxattr(path.c_str(), buf, size);
}

ssize_t Get(int fd, const std::string& path, const char* name, void* buf,
            size_t size) {
  return fd >= 0 ? fgetxattr(fd, name, buf, size)
                 : lgetxattr(path.c_str(), name, buf, size);
}

}  // namespace

absl::StatusOr<Xattrs> ListXattrs(int fd, const std::string& path) {
  std::string names;
  while (true) {
    ssize_t size = List(fd, path, nullptr, 0);
    if (size < 0) {
      if (XattrsUnsupported(errno)) return Xattrs();
      return ErrnoStatus(errno, "listxattr", path);
    }
    if (size == 0) return Xattrs();
    names.resize(static_cast<size_t>(size));
    size = List(fd, path, names.data(), names.size());
    if (size >= 0) {
      names.resize(static_cast<size_t>(size));
      break;
    }
    if (errno != ERANGE) return ErrnoStatus(errno, "listxattr", path);
  }
  Xattrs xattrs;
  for (size_t start = 0; start < names.size();) {
    size_t end = names.find('\0', start);
    if (end == std::string::npos) end = names.size();
    std::string name = names.substr(start, end - start);
    start = end + 1;
    if (name.empty()) continue;
    std::string value;
    while (true) {
      ssize_t size = Get(fd, path, name.c_str(), nullptr, 0);
      if (size < 0) break;  // Removed meanwhile.
      value.resize(static_cast<size_t>(size));
      size = Get(fd, path, name.c_str(), value.data(), value.size());
      if (size >= 0) {
        value.resize(static_cast<size_t>(size));
        xattrs.emplace_back(std::move(name), std::move(value));
        break;
      }
      if (errno != ERANGE) {
        return ErrnoStatus(errno, absl::StrCat("getxattr ", name), path);
      }
    }
  }
  std::sort(xattrs.begin(), xattrs.end());
  return xattrs;
}

bool HasXattr(int fd, const char* name, absl::string_view value) {
  char buf[16];
  if (value.size() > sizeof(buf)) return false;
  ssize_t size = fgetxattr(fd, name, buf, sizeof(buf));
  return size >= 0 &&
         absl::string_view(buf, static_cast<size_t>(size)) == value;
}

}  // namespace layer
}  // namespace imaged
}  // namespace berth
