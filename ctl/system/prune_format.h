// `berth system prune`: Docker's confirmation text and report, for what
// Berth prunes there today (stopped containers, anonymous volumes with
// --volumes, and images; networks and build cache are neither promised nor
// reported). Pure functions.
#ifndef BERTH_CTL_SYSTEM_PRUNE_FORMAT_H_
#define BERTH_CTL_SYSTEM_PRUNE_FORMAT_H_

#include <string>
#include <vector>

#include "berth/container/v1/container.pb.h"
#include "berth/image/v1/image.pb.h"
#include "berth/volume/v1/volume.pb.h"
#include "ctl/cli/args.h"

namespace berth::ctl {

// "WARNING! This will remove:\n  - all stopped containers\n  - all
// dangling images\n\nAre you sure you want to continue?" (with `all`:
// "all images without at least one container associated to them"; with
// `volumes`, before the images: "all anonymous volumes not used by at least
// one container"), and, as Docker, the label, label! and until terms
// listed, sorted, under "Items to be pruned will be filtered with:".
// Confirm adds " [y/N] ".
std::string SystemPruneWarning(bool all, bool volumes,
                               const std::vector<FilterTerm>& terms);

// "Deleted Containers:", "Deleted Volumes:" and "Deleted Images:" sections
// (when anything went) and "Total reclaimed space: X", the sum of all.
std::string RenderSystemPruned(
    const container::v1::PruneContainersResponse& containers,
    const volume::v1::PruneVolumesResponse& volumes,
    const image::v1::PruneImagesResponse& images);

}  // namespace berth::ctl

#endif  // BERTH_CTL_SYSTEM_PRUNE_FORMAT_H_
