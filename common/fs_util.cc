#include "common/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth {
namespace {

// nftw has no user pointer; the first error is kept per thread.
thread_local int remove_errno = 0;
thread_local std::string* remove_error_path = nullptr;

int RemoveEntry(const char* path, const struct stat*, int type, struct FTW*) {
  int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
  if (rc != 0 && errno != ENOENT && remove_errno == 0) {
    remove_errno = errno;
    if (remove_error_path != nullptr) *remove_error_path = path;
  }
  return 0;
}

thread_local int64_t tree_size = 0;

int AddSize(const char*, const struct stat* st, int type, struct FTW*) {
  if (type == FTW_F && S_ISREG(st->st_mode)) tree_size += st->st_size;
  return 0;
}

}  // namespace

absl::StatusOr<int64_t> TreeSize(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return 0;
    return ErrnoStatus(errno, "stat", path);
  }
  tree_size = 0;
  if (nftw(path.c_str(), AddSize, 64, FTW_PHYS | FTW_MOUNT) != 0) {
    return ErrnoStatus(errno, "walk", path);
  }
  return tree_size;
}

absl::Status RemoveTree(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoStatus(errno, "stat", path);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (unlink(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus(errno, "unlink", path);
    }
    return absl::OkStatus();
  }
  std::string failed_path;
  remove_errno = 0;
  remove_error_path = &failed_path;
  int rc = nftw(path.c_str(), RemoveEntry, 64, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  remove_error_path = nullptr;
  if (rc != 0) return ErrnoStatus(errno, "walk", path);
  if (remove_errno != 0) return ErrnoStatus(remove_errno, "remove", failed_path);
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFileToString(const std::string& path,
                                             int64_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", path);
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return ErrnoStatus(err, "stat", path);
  }
  if (st.st_size > max_bytes) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(
        path, " is ", st.st_size, " bytes, more than the ", max_bytes,
        " allowed"));
  }
  std::string data;
  char buffer[65536];
  while (true) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return ErrnoStatus(err, "read", path);
    }
    if (n == 0) break;
    data.append(buffer, static_cast<size_t>(n));
    if (static_cast<int64_t>(data.size()) > max_bytes) {
      close(fd);
      return absl::InvalidArgumentError(
          absl::StrCat(path, " is more than the ", max_bytes, " bytes allowed"));
    }
  }
  close(fd);
  return data;
}

namespace {

// write(2) until all of `data` is out; the errno on failure.
int WriteFully(int fd, absl::string_view data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

absl::Status WriteFileAtomic(const std::string& path, absl::string_view data,
                             unsigned mode, bool durable) {
  const std::string temp = absl::StrCat(path, ".tmp-", getpid());
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus(errno, "create", temp);
  // A temp file left by an earlier process with this pid keeps its own
  // mode through O_CREAT: set it, so a 0600 file (credentials) is 0600.
  if (fchmod(fd, mode) != 0) {
    const int err = errno;
    close(fd);
    unlink(temp.c_str());
    return ErrnoStatus(err, "chmod", temp);
  }
  if (int err = WriteFully(fd, data); err != 0) {
    close(fd);
    unlink(temp.c_str());
    return ErrnoStatus(err, "write", temp);
  }
  if ((durable && fsync(fd) != 0) || close(fd) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return ErrnoStatus(err, "sync", temp);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return ErrnoStatus(err, "rename to " + path, temp);
  }
  return absl::OkStatus();
}

absl::Status RewriteFileInPlace(const std::string& path, absl::string_view data) {
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open for rewriting", path);
  if (int err = WriteFully(fd, data); err != 0) {
    close(fd);
    return ErrnoStatus(err, "write", path);
  }
  if (close(fd) != 0) return ErrnoStatus(errno, "close", path);
  return absl::OkStatus();
}

absl::Status FsyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open", dir);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return ErrnoStatus(err, "fsync", dir);
  return absl::OkStatus();
}

absl::StatusOr<std::string> MakeTempDir(const std::string& parent,
                                        const std::string& prefix) {
  std::string path = absl::StrCat(parent, "/", prefix, "XXXXXX");
  if (mkdtemp(path.data()) == nullptr) return ErrnoStatus(errno, "mkdtemp", path);
  return path;
}

absl::StatusOr<std::string> MakeTempFile(const std::string& parent,
                                         const std::string& prefix) {
  std::string path = absl::StrCat(parent, "/", prefix, "XXXXXX");
  int fd = mkstemp(path.data());
  if (fd < 0) return ErrnoStatus(errno, "mkstemp", path);
  close(fd);
  return path;
}

absl::StatusOr<int> RemoveEntriesExcept(
    const std::string& dir,
    const std::function<bool(const std::string&)>& keep) {
  absl::StatusOr<std::vector<std::string>> names = ListDir(dir);
  if (!names.ok()) return names.status();
  int removed = 0;
  for (const std::string& name : *names) {
    if (keep(name)) continue;
    absl::Status status = RemoveTree(absl::StrCat(dir, "/", name));
    if (!status.ok()) return status;
    ++removed;
  }
  return removed;
}

absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus(errno, "opendir", dir);
  std::vector<std::string> names;
  while (struct dirent* entry = readdir(d)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  closedir(d);
  return names;
}

}  // namespace berth
