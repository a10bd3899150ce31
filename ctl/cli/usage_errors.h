// The texts of Docker 28's usage errors (cobra and pflag as docker/cli sets
// them up), so that a script or a person reading berth's stderr sees what
// `docker` prints. Pure functions; ctl/cli/run.cc decides which applies and
// the exit code (kExitUsage for flags, kExitError for unknown commands and
// argument counts, as Docker's).
#ifndef BERTH_CTL_CLI_USAGE_ERRORS_H_
#define BERTH_CTL_CLI_USAGE_ERRORS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace berth::ctl {

// A flag error with the command's usage line:
//   unknown flag: --bogus
//
//   Usage:  berth ps [OPTIONS]
//
//   Run 'berth ps --help' for more information
// `command_path` is "berth ps"; `usage_line` "berth ps [OPTIONS]".
std::string FlagError(absl::string_view problem, absl::string_view usage_line,
                      absl::string_view command_path);

// pflag's words for a flag the command does not have, from what was typed:
// "--bogus=1" -> "unknown flag: --bogus"; "-Z" -> "unknown shorthand flag:
// 'Z' in -Z".
std::string UnknownFlagProblem(absl::string_view typed);

// pflag's words for a flag given without its value: "--filter" -> "flag
// needs an argument: --filter"; "-n" -> "flag needs an argument: 'n' in -n".
std::string MissingValueProblem(absl::string_view typed);

// pflag's words for a value a flag cannot take. `flag` is how Docker names
// the flag: "-a, --all" or "--rm". A boolean flag gets Go's ParseBool
// error, as in Docker:
//   invalid argument "yes" for "-t, --tty" flag: strconv.ParseBool:
//   parsing "yes": invalid syntax
std::string InvalidValueProblem(absl::string_view flag, absl::string_view value,
                                bool boolean, absl::string_view reason);

// cobra's unknown command: "berth: unknown command: berth frobnicate" and
// "Run 'berth --help' ..."; inside a group (`berth image frob`) also the
// group's usage line, as Docker prints it.
std::string UnknownCommandError(absl::string_view typed_path,
                                absl::string_view group_path,
                                absl::string_view group_usage_line);

// How `run` reports any failure (and `create` one it refuses before asking
// the daemon), as Docker 28's:
//   berth: invalid reference format
//
//   Run 'berth run --help' for more information
std::string CommandFailure(absl::string_view command_path,
                           absl::string_view message);

}  // namespace berth::ctl

#endif  // BERTH_CTL_CLI_USAGE_ERRORS_H_
