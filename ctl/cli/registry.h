// The table of berth's top-level commands. Each command group (ctl/image,
// ctl/container, ctl/system) lists its commands as CommandSpecs; main puts
// them in one CommandRegistry and dispatches by looking the typed command up,
// so only that command (with its many options) is built for an invocation,
// and `berth --help` lists exactly what is registered.
#ifndef BERTH_CTL_CLI_REGISTRY_H_
#define BERTH_CTL_CLI_REGISTRY_H_

#include <functional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ctl/cli/args.h"
#include "ctl/cli/cli.h"

namespace berth::ctl {

struct CommandSpec {
  std::string name;     // what the user types: "run", "image"
  std::string group;    // the group owning it: "container", "image", "system"
  std::string summary;  // its line in `berth --help`
  // Adds subcommand `name` to `app`: its options, and the handler that runs
  // once they are parsed (setting context.exit_code, printing errors).
  std::function<void(CLI::App& app, CommandContext& context)> add;
  // Built and run like any other, but left out of the help, completion and
  // man pages: the CLI's internals (`berth __complete`).
  bool hidden = false;
};

// Where completion finds the live names of one kind of object (ArgKind):
// each group lists the kinds it owns, e.g. the container group lists the
// containers' names.
struct NameSource {
  ArgKind kind;
  std::function<absl::StatusOr<std::vector<std::string>>(
      CommandContext& context)>
      list;
};

class CommandRegistry {
 public:
  // ALREADY_EXISTS for a name taken; INVALID_ARGUMENT for an empty name,
  // group or summary, or no `add`.
  absl::Status Register(CommandSpec spec);
  // Register for each, stopping at the first error.
  absl::Status RegisterAll(std::vector<CommandSpec> specs);

  // nullptr when `name` is not registered.
  const CommandSpec* Find(absl::string_view name) const;

  // In registration order, which is the order of the help listing.
  const std::vector<CommandSpec>& commands() const { return commands_; }

  // ALREADY_EXISTS for a kind that has a source; INVALID_ARGUMENT for
  // ArgKind::kNone or no `list`.
  absl::Status RegisterNameSource(NameSource source);
  // nullptr when no source lists `kind`.
  const NameSource* FindNameSource(ArgKind kind) const;

  // Adds command `only` to `app`, or every command when `only` is empty.
  // NOT_FOUND, with Docker's "'X' is not a berth command", for an unknown
  // name; INTERNAL when a spec's `add` did not add its command.
  absl::Status AddTo(CLI::App& app, CommandContext& context,
                     absl::string_view only) const;

 private:
  absl::Status AddOne(CLI::App& app, CommandContext& context,
                      const CommandSpec& spec) const;

  std::vector<CommandSpec> commands_;
  std::vector<NameSource> name_sources_;
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_REGISTRY_H_
