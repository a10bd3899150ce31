// Berth's built-in commands: the tables of the system, image, container,
// network and shell groups, in the order `berth --help` lists them.
#ifndef BERTH_CTL_COMMANDS_H_
#define BERTH_CTL_COMMANDS_H_

#include "absl/status/status.h"
#include "ctl/cli/registry.h"

namespace berth::ctl {

// Registers every built-in command; an error (a name twice) is a bug in a
// group's table, reported rather than silently shadowing a command.
absl::Status RegisterBuiltinCommands(CommandRegistry& registry);

}  // namespace berth::ctl

#endif  // BERTH_CTL_COMMANDS_H_
