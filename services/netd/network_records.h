// netd's records: networks (unique by name) and the endpoints of running
// containers (by network and by container), and the pure rules about them:
// names, lookups by name or id prefix, `network ls` filters.
#ifndef BERTH_SERVICES_NETD_NETWORK_RECORDS_H_
#define BERTH_SERVICES_NETD_NETWORK_RECORDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "berth/network/v1/network.pb.h"
#include "berth/types/v1/types.pb.h"
#include "common/store.h"
#include "common/table.h"

namespace berth::netd {

Table<network::v1::Network> NetworksTable();
Table<types::v1::NetworkEndpoint> EndpointsTable();
StoreSchema NetdSchema();

// Docker's rule for a network's name: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
absl::Status ValidateNetworkName(const std::string& name);

// The network `reference` names among `networks`: an exact name first, then
// a full id, then a unique id prefix. NOT_FOUND "network X not found";
// INVALID_ARGUMENT for a prefix of several ids.
absl::StatusOr<network::v1::Network> FindNetwork(
    const std::vector<network::v1::Network>& networks,
    const std::string& reference);

// Whether `network` passes `network ls`'s filter; `has_endpoints` answers
// dangling=.
bool MatchesNetworkFilter(const network::v1::Network& network,
                          const network::v1::NetworkFilter& filter,
                          bool has_endpoints);

}  // namespace berth::netd

#endif  // BERTH_SERVICES_NETD_NETWORK_RECORDS_H_
