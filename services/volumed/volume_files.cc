#include "services/volumed/volume_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/root_lock.h"
#include "common/status_macros.h"
#include "services/volumed/tree_copy.h"

namespace berth::volumed {
namespace {

class HostVolumeFiles final : public VolumeFiles {
 public:
  absl::Status MakeDirs(const std::string& dir) override {
    return berth::MakeDirs(dir, 0755);
  }

  absl::Status RemoveTree(const std::string& path) override {
    return berth::RemoveTree(path);
  }

  absl::StatusOr<std::vector<std::string>> ListDir(
      const std::string& dir) override {
    absl::StatusOr<std::vector<std::string>> names = berth::ListDir(dir);
    if (!names.ok() && absl::IsNotFound(names.status())) {
      return absl::NotFoundError(absl::StrCat(dir, " does not exist"));
    }
    return names;
  }

  bool IsDirectory(const std::string& path) override {
    struct stat st;
    return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }

  absl::StatusOr<bool> IsEmptyDir(const std::string& dir) override {
    ASSIGN_OR_RETURN(std::vector<std::string> names, berth::ListDir(dir));
    return names.empty();
  }

  absl::StatusOr<bool> CopyTree(const std::string& from,
                                const std::string& to) override {
    struct stat st;
    if (lstat(from.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return false;
      return ErrnoStatus(errno, "stat", from);
    }
    // Docker copies up only a directory the image has at the target.
    if (!S_ISDIR(st.st_mode)) return false;
    RETURN_IF_ERROR(volumed::CopyTree(from, to));
    return true;
  }

  absl::StatusOr<int64_t> DiskUsage(const std::string& dir) override {
    const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return 0;
      return ErrnoStatus(errno, "open", dir);
    }
    std::set<std::pair<dev_t, ino_t>> seen;
    int64_t bytes = 0;
    absl::Status walked = AddUsage(fd, dir, seen, bytes);  // closes fd
    RETURN_IF_ERROR(walked);
    return bytes;
  }

  absl::StatusOr<std::string> ResolveBeneath(const std::string& root,
                                             const std::string& subpath) override {
    const int root_fd = open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) return ErrnoStatus(errno, "open", root);
    struct open_how how = {};
    how.flags = O_PATH | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    const long fd = syscall(SYS_openat2, root_fd, subpath.c_str(), &how, sizeof(how));
    const int err = errno;
    close(root_fd);
    const std::string path = absl::StrCat(root, "/", subpath);
    if (fd < 0) {
      if (err == ENOENT || err == ENOTDIR) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cannot access path ", path, ": subpath \"", subpath,
            "\" does not exist in the volume"));
      }
      if (err == EXDEV || err == ELOOP) {
        return absl::InvalidArgumentError(absl::StrCat(
            "subpath \"", subpath, "\" leads out of the volume (", path, ")"));
      }
      return ErrnoStatus(err, "resolve", path);
    }
    // The resolved path, so the bind mount need not follow symlinks again.
    char resolved[PATH_MAX];
    const std::string link = absl::StrCat("/proc/self/fd/", fd);
    const ssize_t n = readlink(link.c_str(), resolved, sizeof(resolved) - 1);
    const int readlink_err = errno;
    close(static_cast<int>(fd));
    if (n < 0) return ErrnoStatus(readlink_err, "readlink", link);
    return std::string(resolved, static_cast<size_t>(n));
  }

 private:
  // Adds the sizes of the files below the directory `fd` (which it closes),
  // each inode once, recursing without crossing symlinks: Docker's volume
  // size (directory.Size: apparent sizes, directories not counted).
  static absl::Status AddUsage(int fd, const std::string& path,
                               std::set<std::pair<dev_t, ino_t>>& seen,
                               int64_t& bytes) {
    DIR* dir = fdopendir(fd);
    if (dir == nullptr) {
      const int err = errno;
      close(fd);
      return ErrnoStatus(err, "opendir", path);
    }
    absl::Status status;
    while (struct dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name == "." || name == "..") continue;
      struct stat st;
      if (fstatat(dirfd(dir), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed while we walk
        status = ErrnoStatus(errno, "stat", path + "/" + name);
        break;
      }
      if (!S_ISDIR(st.st_mode) && seen.emplace(st.st_dev, st.st_ino).second) {
        bytes += static_cast<int64_t>(st.st_size);
      }
      if (!S_ISDIR(st.st_mode)) continue;
      const int child = openat(dirfd(dir), name.c_str(),
                               O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (child < 0) {
        if (errno == ENOENT) continue;
        status = ErrnoStatus(errno, "open", path + "/" + name);
        break;
      }
      status = AddUsage(child, path + "/" + name, seen, bytes);
      if (!status.ok()) break;
    }
    closedir(dir);
    return status;
  }
};

}  // namespace

std::unique_ptr<VolumeFiles> NewHostVolumeFiles() {
  return std::make_unique<HostVolumeFiles>();
}

}  // namespace berth::volumed
