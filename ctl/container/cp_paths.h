// `berth cp`'s client-side rules, as Docker's CLI and its archive package
// have them: which argument names a container, what the source and the
// destination are, and where (and under which name) the archive lands.
// Pure but for the local lstat/readlink/stat of CopyInfo*Path and
// ValidateOutputPath; unit-tested on temp dirs.
#ifndef BERTH_CTL_CONTAINER_CP_PATHS_H_
#define BERTH_CTL_CONTAINER_CP_PATHS_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"

namespace berth::ctl::container_cli {

// "CTR:PATH" -> {CTR, PATH}; an absolute path, a path without ":" or one
// starting with "." (./file:name) is local: {"", arg}.
std::pair<std::string, std::string> SplitCpArg(const std::string& arg);

// What a copy's source or destination is.
struct CopyInfo {
  std::string path;
  bool exists = false;
  bool is_dir = false;
  // The name the source's entries take instead of its base name (a
  // followed symlink keeps the name asked for).
  std::string rebase_name;
};

// Docker's GetRebaseName: `resolved` given back the trailing "/" or "/."
// of `path`, and the base name of `path` when resolving changed it.
std::pair<std::string, std::string> GetRebaseName(const std::string& path,
                                                  std::string resolved);

// Where an archive of `src` goes for `dst` to come out right, and which
// leading name its entries get instead of `old_base` (PrepareArchiveCopy).
struct ArchivePlan {
  std::string dst_dir;
  bool rebase = false;
  std::string old_base;
  std::string new_base;
};
// Errors in Docker's words: "cannot copy directory" (a directory onto a
// file), "no such directory" (a file into a missing "dir/").
absl::StatusOr<ArchivePlan> PrepareArchiveCopy(const CopyInfo& src,
                                               const CopyInfo& dst);

// Go's strings.Replace(name, old_base, new_base, 1), the rename Docker
// applies to every entry name (an old_base of "/" replaces nothing).
std::string RebaseEntryName(const std::string& name, const std::string& old_base,
                            const std::string& new_base);

// The local source (an absolute path): symlinks before the last "/"
// resolved, the last one too with `follow_link`; it must exist.
absl::StatusOr<CopyInfo> CopyInfoSourcePath(const std::string& path,
                                            bool follow_link);
// The local destination (absolute): a final symlink followed (up to 10),
// a missing one is fine if its parent is a directory.
absl::StatusOr<CopyInfo> CopyInfoDestinationPath(const std::string& path);

// Docker's ValidateOutputPath for `cp CTR:SRC DEST`.
absl::Status ValidateOutputPath(const std::string& path);

// filepath.Abs of a local path, keeping its trailing "/" or "/.".
std::string ResolveLocalPath(const std::string& path);

}  // namespace berth::ctl::container_cli

#endif  // BERTH_CTL_CONTAINER_CP_PATHS_H_
