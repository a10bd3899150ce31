// The network group's top-level command, as a table for the CLI's registry.
#ifndef BERTH_CTL_NETWORK_NETWORK_GROUP_H_
#define BERTH_CTL_NETWORK_NETWORK_GROUP_H_

#include <vector>

#include "ctl/cli/registry.h"

namespace berth::ctl {

// `berth network` (Docker has no top-level shortcuts for it).
std::vector<CommandSpec> NetworkCommands();

// The kinds of names the group lists for completion (networks).
std::vector<NameSource> NetworkNameSources();

}  // namespace berth::ctl

#endif  // BERTH_CTL_NETWORK_NETWORK_GROUP_H_
