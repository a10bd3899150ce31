// `berth diff`, `berth export` and `berth cp` (container_files_commands.cc),
// added to the container group's table in container_commands.cc.
#ifndef BERTH_CTL_CONTAINER_CONTAINER_FILES_COMMANDS_H_
#define BERTH_CTL_CONTAINER_CONTAINER_FILES_COMMANDS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "ctl/cli/cli.h"

namespace berth::ctl::container_cli {

void AddDiffCommand(CLI::App& parent, CommandContext& context,
                    const std::string& path);
void AddExportCommand(CLI::App& parent, CommandContext& context,
                      const std::string& path);
void AddCpCommand(CLI::App& parent, CommandContext& context,
                  const std::string& path);

}  // namespace berth::ctl::container_cli

#endif  // BERTH_CTL_CONTAINER_CONTAINER_FILES_COMMANDS_H_
