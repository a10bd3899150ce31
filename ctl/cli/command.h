// Helpers every command group uses to declare a subcommand the way Docker's
// CLI behaves: its usage line in the help, its argument count checked with
// Docker's message, and the y/N confirmation of destructive commands.
#ifndef BERTH_CTL_CLI_COMMAND_H_
#define BERTH_CTL_CLI_COMMAND_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"

namespace berth::ctl {

// Adds subcommand `name` to `parent`. Its positional arguments are checked
// against [min_args, max_args] (kUnlimited: no maximum) before `run` gets
// them; a wrong count prints Docker's usage error and exits 1, as Docker's.
CLI::App* AddCommand(CLI::App& parent, CommandContext& context,
                     const std::string& name, const CommandUsage& usage,
                     size_t min_args, size_t max_args,
                     std::function<void(const std::vector<std::string>&)> run);

// Sets the help's usage line to Docker's: "Usage: berth run [OPTIONS] IMAGE",
// and keeps `usage` with the command for UsageOf.
void SetUsage(CLI::App* command, const CommandUsage& usage);

// What SetUsage gave `command` (its path, arguments, their kinds), or
// nullptr if nothing did. Usage errors, completion and man pages read it.
const CommandUsage* UsageOf(const CLI::App* command);

// "berth run [OPTIONS] IMAGE [COMMAND] [ARG...]": Docker's usage line.
std::string UsageLine(const CommandUsage& usage);

// A management command (`berth image`, `berth container`) whose
// subcommands `add_subcommands` adds; alone it prints its help, as
// `docker image` does. `usage_names_command`: see CommandUsage.
CLI::App* AddCommandGroup(
    CLI::App& parent, const std::string& name, const std::string& summary,
    const std::function<void(CLI::App& group)>& add_subcommands,
    bool usage_names_command = false);

// Writes a command's output to stdout and flushes it, so each result shows
// as soon as it is known (and in order with stderr).
void PrintOut(const std::string& text);

// Docker's confirmation prompt: `warning` and " [y/N] " on stdout; true when
// the answer on stdin is "y" or "Y".
bool Confirm(const std::string& warning);

// The prune commands' `--filter` (until=, label=, label!=), checked as
// Docker's flag is.
void AddPruneFilterOption(CLI::App* command, std::vector<std::string>& filters);

// The prune filters the user gave: their terms (for the warning) and the
// request's filter. nullopt after reporting a bad one through `context`.
struct PruneFilters {
  std::vector<FilterTerm> terms;
  types::v1::PruneFilter filter;
};
std::optional<PruneFilters> ParsePruneFilters(
    CommandContext& context, const std::vector<std::string>& filters);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_COMMAND_H_
