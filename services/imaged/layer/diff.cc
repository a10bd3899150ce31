#include "services/imaged/layer/diff.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/imaged/layer/fd_util.h"

namespace berth {
namespace imaged {
namespace layer {
namespace {

constexpr char kOpaqueXattr[] = "trusted.overlay.opaque";

bool IsOpaque(int dir_fd) { return HasXattr(dir_fd, kOpaqueXattr, "y"); }

// One directory of the lower layers' merged view: the fds of that
// directory in every layer that contributes to it, topmost first.
using LowerDir = std::vector<UniqueFd>;

// Looks `name` up in the merged view of `lower`. Sets `*exists`; if it is a
// directory, fills `*child` with its merged directory.
absl::Status LookUp(const LowerDir& lower, const std::string& name,
                    const std::string& path, bool* exists, LowerDir* child) {
  *exists = false;
  child->clear();
  for (const UniqueFd& layer : lower) {
    struct stat st;
    if (fstatat(layer.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // Not in this layer; look below.
      return ErrnoStatus(errno, "stat lower", path);
    }
    if (IsWhiteout(st)) return absl::OkStatus();  // Deleted from here down.
    if (!*exists) {
      *exists = true;
      if (!S_ISDIR(st.st_mode)) return absl::OkStatus();
    } else if (!S_ISDIR(st.st_mode)) {
      return absl::OkStatus();  // Hidden below the directory above it.
    }
    UniqueFd dir(OpenDirNoFollow(layer.get(), name.c_str()));
    if (!dir.valid()) return ErrnoStatus(errno, "open lower", path);
    bool opaque = IsOpaque(dir.get());
    child->push_back(std::move(dir));
    if (opaque) return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status DiffDir(int upper_fd, const std::string& prefix,
                     const LowerDir& lower, std::vector<Change>* changes) {
  absl::StatusOr<std::vector<std::string>> names = ListDirSorted(upper_fd);
  if (!names.ok())
    return Annotate(names.status(), prefix.empty() ? "/" : prefix);
  for (const std::string& name : *names) {
    const std::string path = absl::StrCat(prefix, "/", name);
    struct stat st;
    if (fstatat(upper_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;  // Removed while we read.
      return ErrnoStatus(errno, "stat", path);
    }
    if (IsWhiteout(st)) {
      changes->push_back({Change::kDeleted, path});
      continue;
    }
    bool exists = false;
    LowerDir lower_child;
    RETURN_IF_ERROR(LookUp(lower, name, path, &exists, &lower_child));
    if (!S_ISDIR(st.st_mode)) {
      changes->push_back({exists ? Change::kChanged : Change::kAdded, path});
      continue;
    }
    UniqueFd dir(OpenDirNoFollow(upper_fd, name.c_str()));
    if (!dir.valid()) return ErrnoStatus(errno, "open", path);
    bool changed = exists || IsOpaque(dir.get());
    changes->push_back({changed ? Change::kChanged : Change::kAdded, path});
    RETURN_IF_ERROR(DiffDir(dir.get(), path, lower_child, changes));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<Change>> DiffUpperDir(
    const std::string& upper_dir, const std::vector<std::string>& lower_dirs) {
  UniqueFd upper(open(upper_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!upper.valid()) return ErrnoStatus(errno, "open", upper_dir);
  LowerDir lower;
  for (const std::string& dir : lower_dirs) {
    UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return ErrnoStatus(errno, "open", dir);
    lower.push_back(std::move(fd));  // (overlayfs ignores an opaque root)
  }
  std::vector<Change> changes;
  RETURN_IF_ERROR(DiffDir(upper.get(), "", lower, &changes));
  std::sort(changes.begin(), changes.end(),
            [](const Change& a, const Change& b) { return a.path < b.path; });
  return changes;
}

}  // namespace layer
}  // namespace imaged
}  // namespace berth
