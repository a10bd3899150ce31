// Berth's packet filtering and NAT as one nftables table (`ip berth`),
// rendered whole from netd's records: isolation between networks,
// --internal networks, DNAT of published ports (also for connections from
// the host itself and its 127.0.0.1) and, when the config enables it,
// masquerade of containers' outbound traffic. Pure.
#ifndef BERTH_SERVICES_NETD_FIREWALL_RULESET_H_
#define BERTH_SERVICES_NETD_FIREWALL_RULESET_H_

#include <string>
#include <vector>

#include "berth/types/v1/types.pb.h"

namespace berth::netd::firewall {

struct BridgeRules {
  std::string bridge;  // "berth0"
  std::string subnet;  // "172.17.0.0/16"
  bool internal = false;
};

struct PortForward {
  types::v1::PortBinding binding;  // host side resolved
  std::string container_ip;
};

struct Ruleset {
  std::vector<BridgeRules> bridges;
  std::vector<PortForward> ports;
  bool masquerade = true;
};

inline constexpr char kTable[] = "berth";

// An nft script that replaces table `ip berth` with `rules` in one
// transaction (the table is made empty first so the delete always finds
// it): no moment without isolation, no rule of an earlier state left.
std::string RenderRuleset(const Ruleset& rules);

// An nft script that removes the table (netd's networks are all gone).
std::string RemoveRulesetScript();

}  // namespace berth::netd::firewall

#endif  // BERTH_SERVICES_NETD_FIREWALL_RULESET_H_
