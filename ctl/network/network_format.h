// What the network commands print, from netd's answers, in Docker 28's
// words and layouts (`docker network ls`, `network inspect`, `network
// prune`). Pure functions: the commands in network_commands.cc call netd
// and print these.
#ifndef BERTH_CTL_NETWORK_NETWORK_FORMAT_H_
#define BERTH_CTL_NETWORK_NETWORK_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "berth/network/v1/network.pb.h"
#include "ctl/cli/docker_template.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {

// `network prune`'s question; Confirm adds " [y/N] ".
inline constexpr char kNetworkPruneWarning[] =
    "WARNING! This will remove all custom networks not used by at least one "
    "container.\nAre you sure you want to continue?";

// One network as Docker's `network inspect` shows it, fields in Docker's
// order: Name, Id, Created, Scope, Driver, EnableIPv4, EnableIPv6, IPAM
// {Driver, Options, Config [{Subnet, IPRange, Gateway,
// AuxiliaryAddresses}]}, Internal, Attachable, Ingress, ConfigFrom,
// ConfigOnly, Containers {ID: {Name, EndpointID, MacAddress, IPv4Address
// "172.18.0.2/16", IPv6Address}}, Options, Labels.
nlohmann::ordered_json NetworkInspectJson(const network::v1::Network& network);

// One `network ls` row as templates see it and `--format json` prints it
// (keys sorted, as Docker marshals a row): CreatedAt (Go's time.String in
// `zone`), Driver, ID (12 characters unless `no_trunc`), IPv4, IPv6,
// Internal, Labels ("k=v,..." sorted), Name, Scope; and the method
// `{{.Label "k"}}`.
TemplateRow NetworkRow(const network::v1::Network& network, bool no_trunc,
                       absl::TimeZone zone);

struct NetworkListOptions {
  // "" or "table", "json", "table TEMPLATE" or a template.
  std::string format;
  bool quiet = false;     // ids only (unless a template is given)
  bool no_trunc = false;  // full ids
};

// The whole output of `network ls`, networks in the order given: by
// default NETWORK ID, NAME, DRIVER and SCOPE columns. INVALID_ARGUMENT
// "template parsing error: ..." for a bad template.
absl::StatusOr<std::string> RenderNetworkList(
    const std::vector<const network::v1::Network*>& networks,
    const NetworkListOptions& options, absl::TimeZone zone);

// "Deleted Networks:", a name per line and a blank line, or "" when
// nothing was removed (Docker prints nothing then).
std::string RenderPrunedNetworks(
    const network::v1::PruneNetworksResponse& response);

}  // namespace berth::ctl

#endif  // BERTH_CTL_NETWORK_NETWORK_FORMAT_H_
