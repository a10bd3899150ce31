// What a container changed: the paths an overlayfs upper directory adds,
// changes or deletes relative to its lower layers.
#ifndef BERTH_SERVICES_IMAGED_LAYER_DIFF_H_
#define BERTH_SERVICES_IMAGED_LAYER_DIFF_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace berth {
namespace imaged {
namespace layer {

struct Change {
  enum Kind { kAdded, kChanged, kDeleted };
  Kind kind;
  std::string path;  // absolute in the container: "/etc/passwd"
};

// The changes `upper_dir` makes over `lower_dirs` (unpacked layers, topmost
// first), sorted by path, one per path in the upper dir (its root excluded):
// - a whiteout (char device 0/0) → kDeleted, its path;
// - a directory with trusted.overlay.opaque=y → kChanged;
// - anything else that exists in the lower layers → kChanged, else kAdded.
// "Exists in the lower layers" means visible in their merged view, as
// overlayfs would show it: the topmost layer having the path wins, a
// whiteout or a non-directory hides the layers below it, and an opaque
// directory hides the lower layers' contents of that directory. (That is
// "exists in any lower dir" for layers without whiteouts.) Nothing is
// followed: a symlink in a lower layer is a non-directory there. Since
// overlayfs copies a directory up when anything below it changes, a
// directory with added or deleted children is in the upper dir, hence
// reported kChanged when the lower layers have it.
//
// Errors: NOT_FOUND if a directory is missing; the errno's code otherwise.
absl::StatusOr<std::vector<Change>> DiffUpperDir(
    const std::string& upper_dir, const std::vector<std::string>& lower_dirs);

}  // namespace layer
}  // namespace imaged
}  // namespace berth

#endif  // BERTH_SERVICES_IMAGED_LAYER_DIFF_H_
