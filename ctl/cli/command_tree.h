// The commands as CLI11 built them from the command table, read back into
// plain values: names, aliases, summaries, usage lines with their argument
// kinds, flags. Completion scripts and man pages are generated from this,
// so they list exactly what the help lists.
#ifndef BERTH_CTL_CLI_COMMAND_TREE_H_
#define BERTH_CTL_CLI_COMMAND_TREE_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "ctl/cli/args.h"

namespace berth::ctl {

struct FlagDescription {
  std::vector<std::string> names;  // "-a", "--all": short ones first
  bool takes_value = false;        // false for a boolean flag
  std::string help;
};

struct CommandDescription {
  std::string name;  // "ls"; "berth" for the top level
  std::vector<std::string> aliases;  // "ps", "list"
  std::string summary;
  CommandUsage usage;  // path "berth image ls", its arguments and kinds
  std::vector<FlagDescription> flags;
  // Those the help lists (not the hidden ones), in its order.
  std::vector<CommandDescription> subcommands;
};

// Describes `command` and, recursively, its visible subcommands. The top
// level (no parent) is "berth" with Docker's usage line.
CommandDescription DescribeCommand(const CLI::App& command);

// Every command of `root`'s tree, depth first, the top level excluded:
// "image", "image history", ..., "run", ...
std::vector<const CommandDescription*> AllCommands(
    const CommandDescription& root);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_COMMAND_TREE_H_
