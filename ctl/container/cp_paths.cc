#include "ctl/container/cp_paths.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/tree_archive/tree_paths.h"

namespace berth::ctl::container_cli {

using tree_archive::AssertsDirectory;
using tree_archive::BasePath;
using tree_archive::CleanPath;
using tree_archive::PreserveTrailingDotOrSeparator;
using tree_archive::SplitPathDirEntry;

namespace {

// A failed call as Go prints it: "lstat /x: no such file or directory".
absl::Status GoError(int err, const std::string& op, const std::string& path) {
  std::string text = strerror(err);
  if (!text.empty()) text[0] = absl::ascii_tolower(text[0]);
  return absl::Status(absl::ErrnoToStatus(err, "").code(),
                      absl::StrCat(op, " ", path, ": ", text));
}

bool HasTrailingSeparator(const std::string& path) {
  return !path.empty() && path.back() == '/';
}

// filepath.EvalSymlinks of a local path (it must exist).
absl::StatusOr<std::string> EvalSymlinks(const std::string& path) {
  char resolved[PATH_MAX];
  if (realpath(path.c_str(), resolved) == nullptr) {
    return GoError(errno, "lstat", CleanPath(path));
  }
  return std::string(resolved);
}

}  // namespace

std::pair<std::string, std::string> SplitCpArg(const std::string& arg) {
  if (!arg.empty() && arg[0] == '/') return {"", arg};
  const size_t colon = arg.find(':');
  if (colon == std::string::npos || absl::StartsWith(arg, ".")) return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::pair<std::string, std::string> GetRebaseName(const std::string& path,
                                                  std::string resolved) {
  if (BasePath(path) == "." && BasePath(resolved) != ".") resolved += "/.";
  if (HasTrailingSeparator(path) && !HasTrailingSeparator(resolved)) {
    resolved += "/";
  }
  std::string rebase;
  if (BasePath(path) != BasePath(resolved)) rebase = BasePath(path);
  return {resolved, rebase};
}

absl::StatusOr<ArchivePlan> PrepareArchiveCopy(const CopyInfo& src,
                                               const CopyInfo& dst) {
  const auto [dst_dir, dst_base] = SplitPathDirEntry(dst.path);
  std::string src_base = SplitPathDirEntry(src.path).second;
  if (!src.rebase_name.empty()) src_base = src.rebase_name;
  ArchivePlan plan;
  if (dst.exists && dst.is_dir) {
    plan.dst_dir = dst.path;  // extracted as it is, into the directory
    return plan;
  }
  if (dst.exists && src.is_dir) {
    return absl::InvalidArgumentError("cannot copy directory");
  }
  if (!dst.exists && !src.is_dir && AssertsDirectory(dst.path)) {
    return absl::NotFoundError("no such directory");
  }
  // A file over a file, a directory or a file to a new name: extracted in
  // the parent, under the destination's name.
  plan.dst_dir = dst_dir;
  plan.rebase = true;
  plan.old_base = src_base;
  plan.new_base = dst_base;
  return plan;
}

std::string RebaseEntryName(const std::string& name, const std::string& old_base,
                            const std::string& new_base) {
  const std::string old = old_base == "/" ? "" : old_base;
  const size_t at = name.find(old);
  if (at == std::string::npos) return name;
  return absl::StrCat(name.substr(0, at), new_base, name.substr(at + old.size()));
}

absl::StatusOr<CopyInfo> CopyInfoSourcePath(const std::string& path,
                                            bool follow_link) {
  CopyInfo info;
  if (follow_link) {
    absl::StatusOr<std::string> resolved = EvalSymlinks(path);
    if (!resolved.ok()) return resolved.status();
    std::tie(info.path, info.rebase_name) = GetRebaseName(path, *resolved);
  } else {
    const size_t slash = path.rfind('/');
    const std::string dir = path.substr(0, slash + 1);
    const std::string base = path.substr(slash + 1);
    absl::StatusOr<std::string> resolved_dir = EvalSymlinks(dir.empty() ? "." : dir);
    if (!resolved_dir.ok()) return resolved_dir.status();
    info.path = *resolved_dir == "/" ? "/" + base : *resolved_dir + "/" + base;
    if (HasTrailingSeparator(path) && BasePath(path) != BasePath(info.path)) {
      info.rebase_name = BasePath(path);
    }
  }
  struct stat st;
  if (lstat(info.path.c_str(), &st) != 0) return GoError(errno, "lstat", info.path);
  info.exists = true;
  info.is_dir = S_ISDIR(st.st_mode);
  return info;
}

absl::StatusOr<CopyInfo> CopyInfoDestinationPath(const std::string& original) {
  constexpr int kMaxLinks = 10;
  std::string path = original;
  struct stat st;
  int rc = lstat(path.c_str(), &st);
  for (int n = 0; rc == 0 && S_ISLNK(st.st_mode); ++n) {
    if (n > kMaxLinks) {
      return absl::InvalidArgumentError("too many symlinks in " + original);
    }
    char target[PATH_MAX];
    const ssize_t len = readlink(path.c_str(), target, sizeof target - 1);
    if (len < 0) return GoError(errno, "readlink", path);
    std::string link(target, static_cast<size_t>(len));
    if (link.empty() || link[0] != '/') {
      link = CleanPath(SplitPathDirEntry(path).first + "/" + link);
    }
    path = link;
    rc = lstat(path.c_str(), &st);
  }
  CopyInfo info;
  info.path = path;
  if (rc != 0) {
    if (errno != ENOENT) return GoError(errno, "lstat", path);
    // A missing destination is made, if its parent is a directory.
    const std::string parent = SplitPathDirEntry(path).first;
    struct stat parent_st;
    if (stat(parent.c_str(), &parent_st) != 0) return GoError(errno, "stat", parent);
    if (!S_ISDIR(parent_st.st_mode)) {
      return absl::FailedPreconditionError("not a directory");
    }
    return info;
  }
  info.exists = true;
  info.is_dir = S_ISDIR(st.st_mode);
  return info;
}

absl::Status ValidateOutputPath(const std::string& path) {
  const std::string dir = tree_archive::DirPath(CleanPath(path));
  struct stat st;
  if (!dir.empty() && dir != "." && stat(dir.c_str(), &st) != 0 && errno == ENOENT) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid output path: directory \"", dir, "\" does not exist"));
  }
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return GoError(errno, "stat", path);
  }
  // Go calls only devices out (fifos and sockets have modes of their own).
  if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "invalid output path: \"", path,
      "\" must be a directory or a regular file: got a device"));
}

std::string ResolveLocalPath(const std::string& path) {
  std::string absolute = path;
  if (path.empty() || path[0] != '/') {
    char cwd[PATH_MAX];
    absolute = absl::StrCat(getcwd(cwd, sizeof cwd) != nullptr ? cwd : ".", "/", path);
  }
  return PreserveTrailingDotOrSeparator(CleanPath(absolute), path);
}

}  // namespace berth::ctl::container_cli
