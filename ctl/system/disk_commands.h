// `berth system df` and `berth system prune` (disk_commands.cc), added to
// the `system` group that events_commands.cc builds.
#ifndef BERTH_CTL_SYSTEM_DISK_COMMANDS_H_
#define BERTH_CTL_SYSTEM_DISK_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "ctl/cli/cli.h"

namespace berth::ctl {

void AddDfCommand(CLI::App& parent, CommandContext& context);
void AddSystemPruneCommand(CLI::App& parent, CommandContext& context);

}  // namespace berth::ctl

#endif  // BERTH_CTL_SYSTEM_DISK_COMMANDS_H_
