// The volume group's top-level command, as a table for the CLI's registry.
#ifndef BERTH_CTL_VOLUME_VOLUME_GROUP_H_
#define BERTH_CTL_VOLUME_VOLUME_GROUP_H_

#include <vector>

#include "ctl/cli/registry.h"

namespace berth::ctl {

// `berth volume` (Docker has no top-level shortcuts for it).
std::vector<CommandSpec> VolumeCommands();

// The kinds of names the group lists for completion (volumes).
std::vector<NameSource> VolumeNameSources();

}  // namespace berth::ctl

#endif  // BERTH_CTL_VOLUME_VOLUME_GROUP_H_
