// What the network commands send, from what the user typed, read as Docker
// 28's CLI reads it: `network create`'s flags into a CreateNetworkRequest
// (its --subnet, --gateway, --ip-range and --aux-address grouped into IPAM
// pools, with Docker's errors), its --label check, and `network ls
// --filter` terms into a NetworkFilter. Pure functions: the commands in
// network_commands.cc call netd with these.
#ifndef BERTH_CTL_NETWORK_NETWORK_REQUEST_H_
#define BERTH_CTL_NETWORK_NETWORK_REQUEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "berth/network/v1/network.pb.h"
#include "ctl/cli/args.h"

namespace berth::ctl {

// `berth network create`'s flags, as given.
struct NetworkCreateFlags {
  std::string name;
  std::string driver = "bridge";
  // --subnet, --gateway, --ip-range: each value may list several,
  // comma-separated (pflag's string slices).
  std::vector<std::string> subnets;
  std::vector<std::string> gateways;
  std::vector<std::string> ip_ranges;
  // --aux-address, -o/--opt, --ipam-opt: "KEY=VALUE" ("KEY" alone is an
  // empty value); a key given twice keeps its last value.
  std::vector<std::string> aux_addresses;
  std::vector<std::string> options;
  std::vector<std::string> ipam_options;
  // --label: "KEY=VALUE" or "KEY" (empty value).
  std::vector<std::string> labels;
  bool internal = false;
  bool attachable = false;
  bool ipv6 = false;
  std::string ipam_driver = "default";
};

// The request `network create` sends. Each --gateway, --ip-range and
// --aux-address goes to the pool of the one --subnet that contains it, as
// Docker's createIPAMConfig does, with its words (INVALID_ARGUMENT):
// "every ip-range or gateway must have a corresponding subnet" (more of
// either than subnets), "invalid subnet: invalid CIDR address: X",
// "multiple overlapping subnet configuration is not supported",
// "no matching subnet for range|gateway|aux-address X", "cannot configure
// multiple ranges (R2, R1) on the same subnet (S)", "cannot configure
// multiple gateways (G2, G1) for the same subnet (S)", "invalid CIDR
// address: X" (an --ip-range that is no CIDR). Pools keep the order of
// --subnet. The request carries no Ipam when nothing but the defaults was
// asked for (netd then takes a subnet from its pools).
absl::StatusOr<network::v1::CreateNetworkRequest> BuildCreateNetworkRequest(
    const NetworkCreateFlags& flags);

// The `network ls --filter` terms (Docker's: driver=, id=, label=, name=,
// scope=, type=custom|builtin, dangling=true|false|1|0) as the request's
// filter. Any other name, a bad type or dangling value (or two dangling
// values), or a bad scope is Docker's "invalid filter ..."
// (INVALID_ARGUMENT). `scopes` gets the scope= values: the filter has no
// field for them; the command keeps the networks whose scope is one.
absl::StatusOr<network::v1::NetworkFilter> BuildNetworkFilter(
    const std::vector<FilterTerm>& terms, std::vector<std::string>* scopes);

}  // namespace berth::ctl

#endif  // BERTH_CTL_NETWORK_NETWORK_REQUEST_H_
