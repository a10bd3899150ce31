// What the volume commands print, from volumed's answers, in Docker 28's
// words and layouts (`docker volume ls`, `volume inspect`, `volume prune`).
// Pure functions: volume_commands.cc calls volumed and prints these.
#ifndef BERTH_CTL_VOLUME_VOLUME_FORMAT_H_
#define BERTH_CTL_VOLUME_VOLUME_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "berth/volume/v1/volume.pb.h"
#include "ctl/cli/docker_template.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// The label Docker's daemon puts on a volume it made for a container
// without a name. Berth keeps that as Volume.anonymous; the CLI shows it
// as Docker's label, and `volume ls --filter label=` with it asks for
// anonymous volumes (volume_request.h).
inline constexpr char kAnonymousVolumeLabel[] = "com.docker.volume.anonymous";

// `volume prune`'s questions (without and with --all); Confirm adds
// " [y/N] ".
inline constexpr char kVolumePruneWarning[] =
    "WARNING! This will remove anonymous local volumes not used by at least "
    "one container.\nAre you sure you want to continue?";
inline constexpr char kAllVolumesPruneWarning[] =
    "WARNING! This will remove all local volumes not used by at least one "
    "container.\nAre you sure you want to continue?";

// One volume as Docker's `volume inspect` shows it, in Docker's order:
// CreatedAt (RFC 3339 in `zone`, whole seconds, as Docker's local driver
// prints it), Driver, Labels, Mountpoint, Name, Options, Scope. Labels
// carry kAnonymousVolumeLabel ("") for an anonymous volume, as Docker's;
// Options are {} when empty, as for a volume `volume create` made, and null
// for an anonymous volume without them, as Docker's daemon leaves them.
nlohmann::ordered_json VolumeInspectJson(const volume::v1::Volume& volume,
                                         absl::TimeZone zone);

// One `volume ls` row as templates see it and `--format json` prints it
// (keys sorted, as Docker marshals a row): Availability, Driver, Group,
// Labels ("k=v,..." sorted, kAnonymousVolumeLabel included as in inspect),
// Links, Mountpoint, Name, Scope, Size, Status;
// and `{{.Label "k"}}`. Links and Size are "N/A" unless `with_usage` (only
// `system df -v` computes usage, as in Docker); Size is "N/A" too when
// volumed did not compute it. Swarm's Group, Availability and Status are
// always "N/A".
TemplateRow VolumeRow(const volume::v1::Volume& volume, bool with_usage);

struct VolumeListOptions {
  // "" or "table", "json", "table TEMPLATE" or a template.
  std::string format;
  bool quiet = false;  // names only (unless a template is given)
};

// The whole output of `volume ls`, volumes in the order given: by default
// DRIVER and VOLUME NAME columns. INVALID_ARGUMENT "template parsing
// error: ..." for a bad template.
absl::StatusOr<std::string> RenderVolumeList(
    const std::vector<const volume::v1::Volume*>& volumes,
    const VolumeListOptions& options);

// Docker's order of volume names (sortorder.NaturalLess): digit runs
// compare as numbers, so "v2" comes before "v10".
bool NaturalLess(absl::string_view a, absl::string_view b);

// "Deleted Volumes:", a name per line and a blank line; "" when none went
// (`system prune --volumes` prints it among its sections).
std::string PrunedVolumesSection(
    const volume::v1::PruneVolumesResponse& response);

// PrunedVolumesSection, then "Total reclaimed space: 1.2kB" (0B when none
// went, as Docker counts it).
std::string RenderPrunedVolumes(
    const volume::v1::PruneVolumesResponse& response);

}  // namespace berth::ctl

#endif  // BERTH_CTL_VOLUME_VOLUME_FORMAT_H_
