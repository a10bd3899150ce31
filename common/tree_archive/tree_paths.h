// Path arithmetic for copying trees in and out of a root, as Go's
// path/filepath and Docker's archive code do it: pure string work,
// unit-tested without a filesystem.
#ifndef BERTH_COMMON_TREE_ARCHIVE_TREE_PATHS_H_
#define BERTH_COMMON_TREE_ARCHIVE_TREE_PATHS_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace berth::tree_archive {

// Go's filepath.Clean: no "//", no "." components, ".." folded ("/.." is
// "/"), no trailing "/" but for the root; "" is ".".
std::string CleanPath(absl::string_view path);

// Go's filepath.Base and filepath.Dir (of the cleaned path).
std::string BasePath(absl::string_view path);
std::string DirPath(absl::string_view path);

// Docker's archive path rules. AssertsDirectory: `path` ends with "/" or
// names "." ("a/."), so it must be a directory. PreserveTrailingDotOrSeparator:
// `cleaned` (CleanPath of `original`) given back the "/." or "/" that
// `original` ended with. SplitPathDirEntry: the directory and base of the
// cleaned path, keeping a final "." ("a/." gives "a" and ".").
bool AssertsDirectory(absl::string_view path);
std::string PreserveTrailingDotOrSeparator(std::string cleaned,
                                           absl::string_view original);
std::pair<std::string, std::string> SplitPathDirEntry(absl::string_view path);

// The components of a tar entry name, without empty and "." ones (a
// leading "/" or "./" is dropped; the root entry has none).
// INVALID_ARGUMENT for a ".." component: an entry must not climb out of
// the directory it is extracted into.
absl::StatusOr<std::vector<std::string>> EntryComponents(
    absl::string_view name);

// The absolute path `path` (inside a root) names once every symlink along
// it is followed as the root would follow it (absolute targets from the
// root, ".." never above it), as far as the links lead: a missing
// component ends the following and the rest is joined as written (Docker's
// FollowSymlinkInScope). `readlink(p)` gives the target of the absolute
// path p if it is a symlink, nullopt otherwise. INVALID_ARGUMENT after 255
// links (a loop).
using ReadLink = std::function<std::optional<std::string>(const std::string&)>;
absl::StatusOr<std::string> FollowSymlinksInScope(absl::string_view path,
                                                  const ReadLink& readlink);

}  // namespace berth::tree_archive

#endif  // BERTH_COMMON_TREE_ARCHIVE_TREE_PATHS_H_
