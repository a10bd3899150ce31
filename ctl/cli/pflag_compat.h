// Docker's CLI parses flags with pflag; Berth parses with CLI11. This is
// where the two are made to agree on what users type and on what they are
// told when it is wrong:
//   - `-d=false` and `-e=X=1` (a short flag with "=value", which pflag takes
//     and CLI11 reads as a cluster of letters);
//   - `berth help [COMMAND...]` as `berth [COMMAND...] --help`;
//   - CLI11's parse errors reported in Docker's words and exit codes.
#ifndef BERTH_CTL_CLI_PFLAG_COMPAT_H_
#define BERTH_CTL_CLI_PFLAG_COMPAT_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"

namespace berth::ctl {

// Makes what pflag accepts acceptable to CLI11, and refuses what pflag
// refuses, from args[1] up to `--` or, for a command that takes its own
// command line (run, create), its first positional argument:
//   - each `-x=VALUE` naming an option of the command being parsed becomes
//     `--long=VALUE` (or `-x VALUE` for an option with no long name);
//   - a boolean flag's `=VALUE` must be one Go's strconv.ParseBool takes
//     (CLI11 also takes "yes", "on", ...): false, with Docker's error
//     printed, otherwise.
// `app` has the invoked command built.
bool ShapeFlagsAsPflag(const CLI::App& app, std::vector<std::string>& args);

// The subcommand of `parent` named `name` (or by an alias), or nullptr.
const CLI::App* FindSubcommand(const CLI::App& parent, const std::string& name);

// Prints what Docker prints for the parse error `error` that CLI11 raised
// for `args` and returns Docker's exit code: 125 for flags (unknown, no
// value, a bad value), 1 for an unknown command.
int ReportParseError(CLI::App& app, const std::vector<std::string>& args,
                     const CLI::ParseError& error);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_PFLAG_COMPAT_H_
