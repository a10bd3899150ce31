// The volume group's top-level command, as a table for the CLI's registry.
#ifndef BERTH_CTL_VOLUME_VOLUME_GROUP_H_
#define BERTH_CTL_VOLUME_VOLUME_GROUP_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctl/cli/registry.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// `berth volume` (Docker has no top-level shortcuts for it).
std::vector<CommandSpec> VolumeCommands();

// The kinds of names the group lists for completion (volumes).
std::vector<NameSource> VolumeNameSources();

// `berth inspect NAME` of a volume: the JSON `volume inspect` prints;
// NOT_FOUND when volumed has no such volume, an unreachable volumed explained.
absl::StatusOr<nlohmann::ordered_json> InspectVolumeObject(CommandContext& context,
                                                 const std::string& name);

}  // namespace berth::ctl

#endif  // BERTH_CTL_VOLUME_VOLUME_GROUP_H_
