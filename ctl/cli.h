// The berth CLI's shared pieces: global options, the connections they
// choose, and how a command reports its outcome. Each command group lives in
// its own file and registers its subcommands on the root CLI::App.
#ifndef BERTH_CTL_CLI_H_
#define BERTH_CTL_CLI_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ctl/connection.h"

namespace berth::ctl {

// Exit codes, as Docker's CLI uses them.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;    // the command failed
inline constexpr int kExitUsage = 125;  // bad flags or arguments

struct GlobalOptions {
  Endpoints endpoints;
  std::string log_level = "info";
};

// Handed to every command: global options (filled in by parsing), lazily
// dialed connections, and the exit code the command leaves.
class CommandContext {
 public:
  GlobalOptions options;
  int exit_code = kExitOk;
  // The top-level command on the command line, when main could tell: only
  // that command is then built (building all of them, with every option,
  // would cost each invocation more than a short command itself).
  std::string only_command;

  bool Wants(absl::string_view command) const {
    return only_command.empty() || only_command == command;
  }

  Connections& connections();
  // Prints "Error: <message>" to stderr and sets the exit code.
  void Fail(const absl::Status& status, int exit_code = kExitError);

 private:
  std::unique_ptr<Connections> connections_;
};

// Command groups; each adds its subcommands to `app`.
void AddSystemCommands(CLI::App& app, CommandContext& context);
// image, images, import, save, load, tag, rmi, history (image_commands.cc).
void AddImageCommands(CLI::App& app, CommandContext& context);
// container, run, create, ps, start, stop, kill, restart, rm, wait, rename,
// logs, inspect (container_commands.cc and its siblings).
void AddContainerCommands(CLI::App& app, CommandContext& context);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_H_
