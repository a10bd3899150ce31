// The system group's top-level commands, as a table for the CLI's registry.
#ifndef BERTH_CTL_SYSTEM_SYSTEM_GROUP_H_
#define BERTH_CTL_SYSTEM_SYSTEM_GROUP_H_

#include <vector>

#include "ctl/cli/registry.h"

namespace berth::ctl {

std::vector<CommandSpec> SystemCommands();
// `berth system` (df, events, prune) and `berth events`
// (events_commands.cc, disk_commands.cc).
std::vector<CommandSpec> EventsCommands();

}  // namespace berth::ctl

#endif  // BERTH_CTL_SYSTEM_SYSTEM_GROUP_H_
