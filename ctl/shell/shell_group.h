// The shell group: `berth completion bash|zsh|fish`, and the hidden
// commands its outputs rely on: `berth __complete KIND` (live names for the
// completion scripts) and `berth __manpages DIR` (the manual pages, written
// by tools/up). All are generated from `registry`, which must outlive them.
#ifndef BERTH_CTL_SHELL_SHELL_GROUP_H_
#define BERTH_CTL_SHELL_SHELL_GROUP_H_

#include <vector>

#include "CLI/CLI.hpp"
#include "ctl/cli/command_tree.h"
#include "ctl/cli/registry.h"

namespace berth::ctl {

std::vector<CommandSpec> ShellCommands(const CommandRegistry& registry);

// Every visible command of `registry`, built afresh, under a top level with
// the global options of `top` (the invocation's own top level).
CommandDescription DescribeRegistry(const CommandRegistry& registry,
                                    const CLI::App& top);

}  // namespace berth::ctl

#endif  // BERTH_CTL_SHELL_SHELL_GROUP_H_
