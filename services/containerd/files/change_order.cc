#include "services/containerd/files/change_order.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_split.h"

namespace berth::containerd::files {

void SortInWalkOrder(
    google::protobuf::RepeatedPtrField<types::v1::FileChange>* changes) {
  auto components = [](const std::string& path) {
    return std::vector<absl::string_view>(
        absl::StrSplit(path, '/', absl::SkipEmpty()));
  };
  std::stable_sort(changes->begin(), changes->end(),
                   [&](const types::v1::FileChange& a,
                       const types::v1::FileChange& b) {
                     return components(a.path()) < components(b.path());
                   });
}

}  // namespace berth::containerd::files
