// The network group's top-level command, as a table for the CLI's registry.
#ifndef BERTH_CTL_NETWORK_NETWORK_GROUP_H_
#define BERTH_CTL_NETWORK_NETWORK_GROUP_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ctl/cli/registry.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// `berth network` (Docker has no top-level shortcuts for it).
std::vector<CommandSpec> NetworkCommands();

// The kinds of names the group lists for completion (networks).
std::vector<NameSource> NetworkNameSources();

// `berth inspect NAME` of a network: the JSON `network inspect` prints;
// NOT_FOUND when netd has no such network, an unreachable netd explained.
absl::StatusOr<nlohmann::ordered_json> InspectNetworkObject(CommandContext& context,
                                                 const std::string& name);

}  // namespace berth::ctl

#endif  // BERTH_CTL_NETWORK_NETWORK_GROUP_H_
