#include "ctl/system/prune_format.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ctl/cli/format.h"
#include "ctl/container/container_format.h"
#include "ctl/image/image_format.h"
#include "ctl/volume/volume_format.h"

namespace berth::ctl {

std::string SystemPruneWarning(bool all, bool volumes,
                               const std::vector<FilterTerm>& terms) {
  std::vector<std::string> warnings = {"all stopped containers"};
  if (volumes) {
    warnings.push_back("all anonymous volumes not used by at least one "
                       "container");
  }
  warnings.push_back(
      all ? "all images without at least one container associated to them"
          : "all dangling images");
  std::vector<std::string> filters;
  for (const FilterTerm& term : terms) {
    if (term.name == "label" || term.name == "label!" ||
        term.name == "until") {
      filters.push_back(absl::StrCat(term.name, "=", term.value));
    }
  }
  std::sort(filters.begin(), filters.end());

  std::string out = "WARNING! This will remove:\n";
  for (const std::string& warning : warnings) {
    absl::StrAppend(&out, "  - ", warning, "\n");
  }
  out += "\n";
  if (!filters.empty()) {
    out += "  Items to be pruned will be filtered with:\n";
    for (const std::string& filter : filters) {
      absl::StrAppend(&out, "  - ", filter, "\n");
    }
    out += "\n";
  }
  return out + "Are you sure you want to continue?";
}

std::string RenderSystemPruned(
    const container::v1::PruneContainersResponse& containers,
    const volume::v1::PruneVolumesResponse& volumes,
    const image::v1::PruneImagesResponse& images) {
  // As `container prune` and `volume prune`, their space counts when any
  // went.
  const int64_t reclaimed =
      (containers.deleted().empty() ? 0 : containers.space_reclaimed()) +
      (volumes.deleted().empty() ? 0 : volumes.space_reclaimed()) +
      images.space_reclaimed();
  return PrunedContainersSection(containers) + PrunedVolumesSection(volumes) +
         PrunedImagesSection(images) + ReclaimedSpaceLine(reclaimed);
}

}  // namespace berth::ctl
