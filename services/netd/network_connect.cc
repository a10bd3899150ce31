// NetworkController's `network connect` and `disconnect`: one endpoint more
// or less in a running container's namespace.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "services/netd/dns_files.h"
#include "services/netd/network_controller.h"
#include "services/netd/network_records.h"
#include "spdlog/spdlog.h"

namespace berth::netd {
namespace {

using network::v1::Network;
using types::v1::NetworkEndpoint;

// The container's next interface: one past its highest ethN, so a name
// freed by a disconnect is not reused while later ones exist (Docker's
// order of interfaces is the order of connects).
int NextInterfaceIndex(const std::vector<NetworkEndpoint>& endpoints) {
  int next = 0;
  for (const NetworkEndpoint& endpoint : endpoints) {
    int index = 0;
    absl::string_view name = endpoint.interface_name();
    if (absl::ConsumePrefix(&name, "eth") && absl::SimpleAtoi(name, &index)) {
      next = std::max(next, index + 1);
    }
  }
  return next;
}

}  // namespace

absl::StatusOr<network::v1::ConnectContainerResponse> NetworkController::Connect(
    const network::v1::ConnectContainerRequest& request) {
  const network::v1::ContainerIdentity& container = request.container();
  if (container.container_id().size() < 12 || request.netns_path().empty() ||
      request.network().network().empty()) {
    return absl::InvalidArgumentError(
        "ConnectContainer needs the container's id, its netns path and a "
        "network");
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Network network, FindLocked(request.network().network()));
  ASSIGN_OR_RETURN(std::vector<NetworkEndpoint> endpoints,
                   EndpointsOfContainer(container.container_id()));
  for (const NetworkEndpoint& endpoint : endpoints) {
    if (endpoint.network_id() == network.id()) {
      return absl::AlreadyExistsError(absl::StrCat(
          "endpoint with name ", container.name(),
          " already exists in network ", network.name()));
    }
  }
  // Without other endpoints (all disconnected) this one is the way out.
  ASSIGN_OR_RETURN(
      NetworkEndpoint endpoint,
      WireLocked(network, request.network(), container, request.netns_path(),
                 NextInterfaceIndex(endpoints), endpoints.empty()));
  absl::Status stored = store_.Update([&](Transaction& txn) {
    return EndpointsTable().Put(txn, endpoint);
  });
  if (!stored.ok()) {
    (void)UnwireLocked(endpoint);
    return stored;
  }
  log_.info("container {}: {} on {} as {} ({}), connected",
            container.container_id(), endpoint.interface_name(),
            endpoint.network_name(), endpoint.ipv4_address(),
            endpoint.host_interface());
  network::v1::ConnectContainerResponse response;
  // The first user network starts the container's embedded DNS, and its
  // resolv.conf turns to it (Docker's resolver starts then too).
  if (dns_ != nullptr && !OnUserNetwork(endpoints) &&
      !endpoint.dns_names().empty()) {
    absl::Status served =
        dns_->Listen(container.container_id(), request.netns_path());
    if (!served.ok()) {
      absl::Status undone =
          DetachLocked(container.container_id(), {network.id()}, false);
      if (!undone.ok()) {
        log_.error("container {}: undoing its connect: {}",
                   container.container_id(), undone.ToString());
      }
      return Annotate(served, "serving the container's DNS at 127.0.0.11");
    }
    response.set_resolv_conf(
        RenderResolvConf(request.dns(), HostResolvConf(), true));
  }
  EmitEndpointEvent("connect", endpoint);
  *response.mutable_endpoint() = std::move(endpoint);
  return response;
}

absl::Status NetworkController::Disconnect(
    const network::v1::DisconnectContainerRequest& request) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Network network, FindLocked(request.network()));
  ASSIGN_OR_RETURN(std::vector<NetworkEndpoint> endpoints,
                   EndpointsOfContainer(request.container_id()));
  const bool attached =
      std::any_of(endpoints.begin(), endpoints.end(),
                  [&](const NetworkEndpoint& endpoint) {
                    return endpoint.network_id() == network.id();
                  });
  if (!attached) {
    if (request.force()) return absl::OkStatus();
    return absl::NotFoundError(absl::StrCat("container ", request.container_id(),
                                            " is not connected to network ",
                                            network.name()));
  }
  RETURN_IF_ERROR(DetachLocked(request.container_id(), {network.id()},
                               /*namespace_ends=*/false, request.force()));
  MoveDefaultRouteLocked(endpoints, network.id());
  return absl::OkStatus();
}

void NetworkController::MoveDefaultRouteLocked(
    const std::vector<NetworkEndpoint>& endpoints, const std::string& left) {
  const auto gone = std::find_if(endpoints.begin(), endpoints.end(),
                                 [&](const NetworkEndpoint& endpoint) {
                                   return endpoint.network_id() == left;
                                 });
  if (gone == endpoints.end() || !gone->default_route()) return;
  // Docker's choice too: the next endpoint (in interface order) on a
  // network that leads out.
  for (const NetworkEndpoint& endpoint : endpoints) {
    auto network = networks_.find(endpoint.network_id());
    if (endpoint.network_id() == left || network == networks_.end() ||
        network->second.internal()) {
      continue;
    }
    absl::StatusOr<ipam::Ipv4> gateway =
        ipam::ParseIpv4(endpoint.ipv4_gateway(), "gateway");
    absl::Status routed =
        gateway.ok() ? driver_.SetDefaultRoute(endpoint.netns_path(), *gateway)
                     : gateway.status();
    NetworkEndpoint moved = endpoint;
    moved.set_default_route(true);
    if (routed.ok()) {
      routed = store_.Update(
          [&](Transaction& txn) { return EndpointsTable().Put(txn, moved); });
    }
    if (!routed.ok()) {
      log_.error("container {}: its default route was not moved to {}: {}",
                 endpoint.container_id(), endpoint.network_name(),
                 routed.ToString());
    }
    return;
  }
}

}  // namespace berth::netd
