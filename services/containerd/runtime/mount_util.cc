#include "services/containerd/runtime/mount_util.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"

namespace berth {
namespace containerd {
namespace runtime {
namespace {

// `path` without "." and "..", relative to the root, symlinks not followed:
// where the mount was asked for.
std::string LexicallyClean(absl::string_view path) {
  std::vector<absl::string_view> kept;
  for (absl::string_view part : absl::StrSplit(path, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(part);
  }
  return absl::StrJoin(kept, "/");
}

absl::string_view TopDirectory(absl::string_view rel) {
  return rel.substr(0, rel.find('/'));
}

// The kernel's interfaces: what Berth mounts there must land exactly where
// it asked, and nothing else may be steered into /proc or /sys by a symlink
// in the image (a bind over /proc/sys/kernel/core_pattern, say).
absl::Status CheckResolvedTarget(absl::string_view path,
                                 const std::string& resolved) {
  const std::string asked = LexicallyClean(path);
  const absl::string_view asked_top = TopDirectory(asked);
  const absl::string_view resolved_top = TopDirectory(resolved);
  const bool asked_special =
      asked_top == "proc" || asked_top == "sys" || asked_top == "dev";
  if (asked_special && resolved != asked) {
    return absl::FailedPreconditionError(absl::StrCat(
        "mount target /", asked, " resolves to /", resolved,
        " through a symlink in the image; /", asked_top,
        " must be a real directory"));
  }
  if (!asked_special && (resolved_top == "proc" || resolved_top == "sys")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "mount target /", asked, " resolves to /", resolved,
        " through a symlink in the image; mounts into /proc or /sys are "
        "refused"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> MountInRoot(const std::string& root,
                                        absl::string_view path,
                                        const std::string& source,
                                        const char* fstype, unsigned long flags,
                                        const std::string& data, TargetKind kind) {
  ASSIGN_OR_RETURN(std::string rel, ResolveInRoot(root, path));
  RETURN_IF_ERROR(CheckResolvedTarget(path, rel));
  const std::string host = rel.empty() ? root : absl::StrCat(root, "/", rel);
  ASSIGN_OR_RETURN(PathFd target, OpenOrCreateInRoot(root, rel, kind));
  struct stat st;
  if (fstat(target.get(), &st) != 0) return ErrnoStatus(errno, "stat", host);
  if (kind == TargetKind::kDirectory && !S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "mount target ", path, " is not a directory in the image"));
  }
  if (kind == TargetKind::kFile && S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "mount target ", path, " is a directory in the image, not a file"));
  }
  const std::string target_path = target.ProcPath();
  if (mount(source.c_str(), target_path.c_str(), fstype, flags,
            data.empty() ? nullptr : data.c_str()) != 0) {
    const bool bind = (flags & MS_BIND) != 0;
    return ErrnoStatus(errno,
                       absl::StrCat("mount ", bind ? source : std::string(fstype),
                                    bind ? " (bind)" : "", " on"),
                       host);
  }
  return host;
}

}  // namespace runtime
}  // namespace containerd
}  // namespace berth
