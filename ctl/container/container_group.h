// The container group's top-level commands, as a table for the CLI's registry.
#ifndef BERTH_CTL_CONTAINER_CONTAINER_GROUP_H_
#define BERTH_CTL_CONTAINER_CONTAINER_GROUP_H_

#include <vector>

#include "ctl/cli/registry.h"

namespace berth::ctl {

std::vector<CommandSpec> ContainerCommands();

// The kinds of names the group lists for completion (containers).
std::vector<NameSource> ContainerNameSources();

}  // namespace berth::ctl

#endif  // BERTH_CTL_CONTAINER_CONTAINER_GROUP_H_
