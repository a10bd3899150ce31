// `berth network connect` and `disconnect`: they change a container, so
// they call containerd, which asks netd for a running container's endpoint.
#ifndef BERTH_CTL_NETWORK_NETWORK_CONNECT_COMMANDS_H_
#define BERTH_CTL_NETWORK_NETWORK_CONNECT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "ctl/cli/cli.h"

namespace berth::ctl::network_cli {

void AddConnectCommand(CLI::App& parent, CommandContext& context);
void AddDisconnectCommand(CLI::App& parent, CommandContext& context);

}  // namespace berth::ctl::network_cli

#endif  // BERTH_CTL_NETWORK_NETWORK_CONNECT_COMMANDS_H_
