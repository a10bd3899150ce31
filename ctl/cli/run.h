// The CLI's top level: global options, dispatch through the command table,
// and the exit code. main() is RunCli over the built-in commands; tests run
// it over any registry.
#ifndef BERTH_CTL_CLI_RUN_H_
#define BERTH_CTL_CLI_RUN_H_

#include "ctl/cli/registry.h"

namespace berth::ctl {

// Parses argv, builds only the command named on the command line (all of
// them for the help, the version or a parse error, which CLI11 answers),
// runs it and returns the exit code. Usage errors are Docker 28's, word for
// word and code for code (pflag_compat.h): an unknown command prints
// "berth: unknown command: berth X" and returns kExitError, a bad flag
// returns kExitUsage. `help [COMMAND...]` prints that command's help. The
// registry must outlive the call.
int RunCli(const CommandRegistry& registry, int argc, char** argv);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_RUN_H_
