// The image group's top-level commands, and the registry's (login,
// logout, search), as tables for the CLI's registry.
#ifndef BERTH_CTL_IMAGE_IMAGE_GROUP_H_
#define BERTH_CTL_IMAGE_IMAGE_GROUP_H_

#include <vector>

#include "ctl/cli/registry.h"

namespace berth::ctl {

std::vector<CommandSpec> ImageCommands();

// Docker's registry commands: login, logout, search (group "registry").
std::vector<CommandSpec> RegistryCommands();

// The kinds of names the group lists for completion (images).
std::vector<NameSource> ImageNameSources();

}  // namespace berth::ctl

#endif  // BERTH_CTL_IMAGE_IMAGE_GROUP_H_
