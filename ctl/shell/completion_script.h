// Shell completion scripts for berth, generated from the command tree
// (ctl/cli/command_tree.h): commands and their aliases, flags (and which
// take a value), and for each positional argument the kind of object it
// names, whose live names the script asks `berth __complete KIND` for. A
// command added to the table, or a kind given to an argument, is completed
// with no change here.
#ifndef BERTH_CTL_SHELL_COMPLETION_SCRIPT_H_
#define BERTH_CTL_SHELL_COMPLETION_SCRIPT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ctl/cli/command_tree.h"

namespace berth::ctl {

// The script for `shell` ("bash", "zsh" or "fish"), to be sourced (bash:
// `source <(berth completion bash)`). INVALID_ARGUMENT for another shell.
absl::StatusOr<std::string> CompletionScript(absl::string_view shell,
                                             const CommandDescription& root);

}  // namespace berth::ctl

#endif  // BERTH_CTL_SHELL_COMPLETION_SCRIPT_H_
