// The CLI's top level: global options, dispatch through the command table,
// and the exit code. main() is RunCli over the built-in commands; tests run
// it over any registry.
#ifndef BERTH_CTL_CLI_RUN_H_
#define BERTH_CTL_CLI_RUN_H_

#include "ctl/cli/registry.h"

namespace berth::ctl {

// Parses argv, builds only the command named on the command line (all of
// them for the help, the version or a parse error, which CLI11 answers),
// runs it and returns the exit code. An unknown command prints Docker's
// "berth: 'X' is not a berth command." and returns kExitUsage; the registry
// must outlive the call.
int RunCli(const CommandRegistry& registry, int argc, char** argv);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_RUN_H_
