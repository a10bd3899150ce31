// The image group's top-level commands, as a table for the CLI's registry.
#ifndef BERTH_CTL_IMAGE_IMAGE_GROUP_H_
#define BERTH_CTL_IMAGE_IMAGE_GROUP_H_

#include <vector>

#include "ctl/cli/registry.h"

namespace berth::ctl {

std::vector<CommandSpec> ImageCommands();

// The kinds of names the group lists for completion (images).
std::vector<NameSource> ImageNameSources();

}  // namespace berth::ctl

#endif  // BERTH_CTL_IMAGE_IMAGE_GROUP_H_
