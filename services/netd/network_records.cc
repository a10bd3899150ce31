#include "services/netd/network_records.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/proto_util.h"

namespace berth::netd {

using network::v1::Network;
using types::v1::NetworkEndpoint;

Table<Network> NetworksTable() {
  return Table<Network>(
      "networks", [](const Network& n) { return n.id(); },
      {{"name", /*unique=*/true,
        [](const Network& n) { return Keys{n.name()}; }}});
}

Table<NetworkEndpoint> EndpointsTable() {
  return Table<NetworkEndpoint>(
      "endpoints", [](const NetworkEndpoint& e) { return e.endpoint_id(); },
      {{"network", /*unique=*/false,
        [](const NetworkEndpoint& e) { return Keys{e.network_id()}; }},
       {"container", /*unique=*/false,
        [](const NetworkEndpoint& e) { return Keys{e.container_id()}; }}});
}

StoreSchema NetdSchema() {
  return StoreSchema{/*version=*/1,
                     {NetworksTable().schema(), EndpointsTable().schema()}};
}

absl::Status ValidateNetworkName(const std::string& name) {
  bool valid = !name.empty() && absl::ascii_isalnum(name[0]);
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_' && c != '.' && c != '-') {
      valid = false;
    }
  }
  if (valid) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid network name \"", name,
                   "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
}

absl::StatusOr<Network> FindNetwork(const std::vector<Network>& networks,
                                    const std::string& reference) {
  const absl::Status not_found =
      absl::NotFoundError(absl::StrCat("network ", reference, " not found"));
  if (reference.empty()) return not_found;
  for (const Network& network : networks) {
    if (network.name() == reference) return network;
  }
  const Network* match = nullptr;
  for (const Network& network : networks) {
    if (network.id() == reference) return network;
    if (!absl::StartsWith(network.id(), reference)) continue;
    if (match != nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "network ", reference,
          " is ambiguous: it is a prefix of several network ids; give more "
          "of the id or the name"));
    }
    match = &network;
  }
  if (match == nullptr) return not_found;
  return *match;
}

namespace {

template <typename Values, typename Pred>
bool AnyOrEmpty(const Values& values, Pred pred) {
  return values.empty() || std::any_of(values.begin(), values.end(), pred);
}

}  // namespace

bool MatchesNetworkFilter(const Network& network,
                          const network::v1::NetworkFilter& filter,
                          bool has_endpoints) {
  if (!AnyOrEmpty(filter.drivers(), [&](const std::string& driver) {
        return driver == network.driver();
      })) {
    return false;
  }
  if (!AnyOrEmpty(filter.ids(), [&](const std::string& id) {
        return absl::StartsWith(network.id(), id);
      })) {
    return false;
  }
  if (!AnyOrEmpty(filter.names(), [&](const std::string& name) {
        return absl::StrContains(network.name(), name);
      })) {
    return false;
  }
  if (!MatchesLabels(network.labels(), filter.labels())) return false;
  if (filter.has_predefined() && filter.predefined() != network.predefined()) {
    return false;
  }
  // Docker counts the predefined networks as never dangling.
  if (filter.has_dangling() &&
      filter.dangling() != (!has_endpoints && !network.predefined())) {
    return false;
  }
  return true;
}

}  // namespace berth::netd
