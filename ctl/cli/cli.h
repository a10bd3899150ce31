// The berth CLI's shared pieces: global options, the connections they
// choose, and how a command reports its outcome. The commands live in
// ctl/image, ctl/container and ctl/system, each group listing its top-level
// commands in a table (registry.h) that main dispatches through.
#ifndef BERTH_CTL_CLI_CLI_H_
#define BERTH_CTL_CLI_CLI_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "ctl/cli/connection.h"
#include "ctl/cli/exit_codes.h"

namespace berth::ctl {

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

  Connections& connections();
  // Prints "Error: <message>" to stderr and sets the exit code.
  void Fail(const absl::Status& status, int exit_code = kExitError);

 private:
  std::unique_ptr<Connections> connections_;
};

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_CLI_H_
