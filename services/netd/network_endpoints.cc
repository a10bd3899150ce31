// NetworkController's container side: endpoints wired at start, removed at
// stop, and the files they imply.
#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/fs_util.h"
#include "common/proto_util.h"
#include "common/random_id.h"
#include "common/status_macros.h"
#include "services/netd/dns_files.h"
#include "services/netd/network_controller.h"
#include "services/netd/network_records.h"
#include "services/netd/ports/published_ports.h"
#include "spdlog/spdlog.h"

namespace berth::netd {
namespace {

using network::v1::AttachContainerRequest;
using network::v1::AttachContainerResponse;
using network::v1::Network;
using types::v1::NetworkEndpoint;

// Docker's MAC for an address: 02:42 and the address's four bytes.
void MacFor(ipam::Ipv4 address, uint8_t (&mac)[6]) {
  mac[0] = 0x02;
  mac[1] = 0x42;
  for (int i = 0; i < 4; ++i) {
    mac[2 + i] = static_cast<uint8_t>(address >> (24 - 8 * i));
  }
}

std::string FormatMac(const uint8_t (&mac)[6]) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 6; ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(kHex[mac[i] >> 4]);
    out.push_back(kHex[mac[i] & 15]);
  }
  return out;
}

}  // namespace

std::string HostResolvConf() {
  absl::StatusOr<std::string> host = ReadFileToString("/etc/resolv.conf", 1 << 20);
  return host.ok() ? *host : "";
}

absl::StatusOr<NetworkEndpoint> NetworkController::WireLocked(
    const Network& network, const network::v1::NetworkAttachment& attachment,
    const network::v1::ContainerIdentity& container,
    const std::string& netns_path, int index, bool primary) {
  if (network.driver() != "bridge") {
    return absl::InvalidArgumentError(absl::StrCat(
        "network ", network.name(), " (driver ", network.driver(),
        ") takes no endpoints: it is a network mode of its own"));
  }
  auto space = spaces_.find(network.id());
  if (space == spaces_.end()) {
    return absl::InternalError(
        absl::StrCat("network ", network.name(), " has no address space"));
  }
  ipam::Ipv4 address = 0;
  const std::string& fixed = attachment.config().ipv4_address();
  // Docker's refusals: the default bridge hands out its own addresses and
  // has no names.
  if (network.predefined() && !fixed.empty()) {
    return absl::InvalidArgumentError(
        "user specified IP address is supported on user defined networks "
        "only");
  }
  if (network.predefined() && !attachment.config().aliases().empty()) {
    return absl::InvalidArgumentError(
        "network-scoped alias is supported only for containers in user "
        "defined networks");
  }
  if (!fixed.empty()) {
    ASSIGN_OR_RETURN(address, ipam::ParseIpv4(fixed, "--ip"));
    RETURN_IF_ERROR(space->second.AllocateFixed(address));
  } else {
    ASSIGN_OR_RETURN(address, space->second.Allocate());
  }
  NetworkEndpoint endpoint;
  endpoint.set_network_id(network.id());
  endpoint.set_network_name(network.name());
  endpoint.set_endpoint_id(NewObjectId());
  endpoint.set_container_id(container.container_id());
  endpoint.set_container_name(container.name());
  endpoint.set_interface_name(absl::StrCat("eth", index));
  endpoint.set_host_interface(absl::StrCat("veth", endpoint.endpoint_id().substr(0, 7)));
  endpoint.set_ipv4_address(ipam::FormatIpv4(address));
  endpoint.set_ipv4_prefix_length(space->second.subnet().length);
  endpoint.set_ipv4_gateway(ipam::FormatIpv4(space->second.gateway()));
  *endpoint.mutable_aliases() = attachment.config().aliases();
  if (!network.predefined()) {
    // Docker: on user networks a container answers to its name, short id
    // and aliases.
    if (!container.name().empty()) endpoint.add_dns_names(container.name());
    endpoint.add_dns_names(container.container_id().substr(0, 12));
    for (const std::string& alias : attachment.config().aliases()) {
      endpoint.add_dns_names(alias);
    }
    // And to a --hostname of its own (the default is the short id).
    const std::string& hostname = container.hostname();
    if (!hostname.empty() &&
        std::find(endpoint.dns_names().begin(), endpoint.dns_names().end(),
                  hostname) == endpoint.dns_names().end()) {
      endpoint.add_dns_names(hostname);
    }
  }
  endpoint.set_netns_path(netns_path);
  bridge::EndpointSpec spec;
  spec.bridge = network.bridge_name();
  spec.host_interface = endpoint.host_interface();
  spec.netns_path = netns_path;
  spec.interface_name = endpoint.interface_name();
  spec.address = address;
  spec.prefix_length = space->second.subnet().length;
  spec.gateway = space->second.gateway();
  spec.default_route = primary && !network.internal();
  endpoint.set_default_route(spec.default_route);
  MacFor(address, spec.mac);
  endpoint.set_mac_address(FormatMac(spec.mac));
  absl::Status wired = driver_.AddEndpoint(spec);
  if (!wired.ok()) {
    space->second.Release(address);
    return wired;
  }
  return endpoint;
}

void NetworkController::EmitEndpointEvent(const std::string& action,
                                          const NetworkEndpoint& endpoint) {
  events_.Emit(types::v1::OBJECT_TYPE_NETWORK, action, endpoint.network_id(),
               {{"container", endpoint.container_id()},
                {"name", endpoint.network_name()},
                {"type", "bridge"}});
}

absl::Status NetworkController::UnwireLocked(const NetworkEndpoint& endpoint,
                                            bool namespace_ends) {
  if (!namespace_ends) {
    RETURN_IF_ERROR(driver_.RemoveEndpoint(endpoint.host_interface()));
  }
  auto space = spaces_.find(endpoint.network_id());
  absl::StatusOr<ipam::Ipv4> address =
      ipam::ParseIpv4(endpoint.ipv4_address(), "address");
  if (space != spaces_.end() && address.ok()) space->second.Release(*address);
  return absl::OkStatus();
}

absl::StatusOr<AttachContainerResponse> NetworkController::Attach(
    const AttachContainerRequest& request) {
  const network::v1::ContainerIdentity& container = request.container();
  if (container.container_id().size() < 12 || request.netns_path().empty() ||
      request.networks().empty()) {
    return absl::InvalidArgumentError(
        "AttachContainer needs the container's id, its netns path and at "
        "least one network");
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::vector<NetworkEndpoint> endpoints,
                   EndpointsOfContainer(container.container_id()));
  if (endpoints.empty()) {
    // Ports first: a clash leaves nothing made.
    ASSIGN_OR_RETURN(Network primary, FindLocked(request.networks(0).network()));
    ASSIGN_OR_RETURN(std::vector<types::v1::PortBinding> ports,
                     ResolvePortsLocked(request, primary));
    for (int i = 0; i < request.networks_size(); ++i) {
      absl::StatusOr<Network> network = FindLocked(request.networks(i).network());
      absl::StatusOr<NetworkEndpoint> wired =
          network.ok() ? WireLocked(*network, request.networks(i), container,
                                    request.netns_path(), i, i == 0)
                       : absl::StatusOr<NetworkEndpoint>(network.status());
      if (!wired.ok()) {
        for (const NetworkEndpoint& made : endpoints) {
          absl::Status undone = UnwireLocked(made);
          if (!undone.ok()) {
            log_.error("container {}: endpoint {} left behind: {}",
                       container.container_id(), made.host_interface(),
                       undone.ToString());
          }
        }
        return wired.status();
      }
      endpoints.push_back(*std::move(wired));
    }
    for (types::v1::PortBinding& port : ports) {
      *endpoints[0].add_published_ports() = std::move(port);
    }
    const Table<NetworkEndpoint> table = EndpointsTable();
    absl::Status stored = store_.Update([&](Transaction& txn) -> absl::Status {
      for (const NetworkEndpoint& endpoint : endpoints) {
        RETURN_IF_ERROR(table.Put(txn, endpoint));
      }
      return absl::OkStatus();
    });
    if (!stored.ok()) {
      for (const NetworkEndpoint& made : endpoints) (void)UnwireLocked(made);
      return stored;
    }
    for (const NetworkEndpoint& endpoint : endpoints) {
      log_.info("container {}: {} on {} as {} ({})", container.container_id(),
                endpoint.interface_name(), endpoint.network_name(),
                endpoint.ipv4_address(), endpoint.host_interface());
      EmitEndpointEvent("connect", endpoint);
    }
    if (!endpoints[0].published_ports().empty()) {
      if (absl::Status applied = ApplyFirewallLocked(); !applied.ok()) {
        absl::Status undone = DetachLocked(container.container_id(), {}, false);
        if (!undone.ok()) {
          log_.error("container {}: undoing its attach: {}",
                     container.container_id(), undone.ToString());
        }
        return Annotate(applied, "publishing the container's ports");
      }
    }
  }
  const bool embedded_dns = dns_ != nullptr && OnUserNetwork(endpoints);
  if (embedded_dns) {
    absl::Status served =
        dns_->Listen(container.container_id(), request.netns_path());
    if (!served.ok()) {
      absl::Status undone = DetachLocked(container.container_id(), {}, false);
      if (!undone.ok()) {
        log_.error("container {}: undoing its attach: {}",
                   container.container_id(), undone.ToString());
      }
      return Annotate(served, "serving the container's DNS at 127.0.0.11");
    }
  }
  AttachContainerResponse response;
  for (const NetworkEndpoint& endpoint : endpoints) {
    *response.add_endpoints() = endpoint;
  }
  *response.mutable_ports() = endpoints[0].published_ports();
  response.set_hosts(RenderHosts(container, endpoints, request.extra_hosts()));
  response.set_resolv_conf(
      RenderResolvConf(request.dns(), HostResolvConf(), embedded_dns));
  return response;
}

absl::StatusOr<std::vector<types::v1::PortBinding>>
NetworkController::ResolvePortsLocked(const AttachContainerRequest& request,
                                      const Network& primary) {
  std::vector<types::v1::PortBinding> wanted(request.port_bindings().begin(),
                                             request.port_bindings().end());
  for (const std::string& exposed : request.publish_all_exposed()) {
    ASSIGN_OR_RETURN(types::v1::PortBinding binding, ports::ExposedPort(exposed));
    // -P skips what -p publishes already.
    const bool explicit_one = std::any_of(
        wanted.begin(), wanted.end(), [&](const types::v1::PortBinding& other) {
          return other.container_port() == binding.container_port() &&
                 std::string(ProtocolName(other.protocol())) ==
                     ProtocolName(binding.protocol());
        });
    if (!explicit_one) wanted.push_back(binding);
  }
  if (wanted.empty()) return wanted;
  if (primary.internal()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "network ", primary.name(),
        " is internal: its containers cannot publish ports"));
  }
  std::vector<types::v1::PortBinding> taken;
  RETURN_IF_ERROR(EndpointsTable().ForEach(store_, [&](const NetworkEndpoint& e) {
    taken.insert(taken.end(), e.published_ports().begin(), e.published_ports().end());
    return true;
  }));
  return ports::ResolvePorts(wanted, taken, host_ports_);
}

void NetworkController::ServeAttachedLocked() {
  if (dns_ == nullptr) return;
  std::map<std::string, std::string> served;  // container -> netns
  absl::Status listed =
      EndpointsTable().ForEach(store_, [&](const NetworkEndpoint& endpoint) {
        if (!endpoint.dns_names().empty() && !endpoint.netns_path().empty()) {
          served[endpoint.container_id()] = endpoint.netns_path();
        }
        return true;
      });
  if (!listed.ok()) {
    log_.error("reading endpoints to serve their DNS again: {}",
               listed.ToString());
  }
  for (const auto& [container_id, netns_path] : served) {
    absl::Status again = dns_->Listen(container_id, netns_path);
    if (!again.ok()) {
      // It ended while netd was down: containerd detaches it.
      log_.warn("container {}: its DNS is not served again: {}", container_id,
                again.ToString());
    }
  }
}

bool NetworkController::OnUserNetwork(
    const std::vector<NetworkEndpoint>& endpoints) {
  return std::any_of(endpoints.begin(), endpoints.end(),
                     [](const NetworkEndpoint& endpoint) {
                       return !endpoint.dns_names().empty();
                     });
}

std::optional<std::vector<uint32_t>> NetworkController::Resolve(
    const std::string& container_id, const std::string& name) const {
  absl::StatusOr<std::vector<NetworkEndpoint>> own =
      EndpointsOfContainer(container_id);
  if (!own.ok()) return std::nullopt;
  std::vector<uint32_t> addresses;
  for (const NetworkEndpoint& mine : *own) {
    if (mine.dns_names().empty()) continue;  // the default bridge: no DNS
    absl::StatusOr<std::map<std::string, NetworkEndpoint>> peers =
        EndpointsOf(mine.network_id());
    if (!peers.ok()) continue;
    for (const auto& [peer, endpoint] : *peers) {
      const bool named = std::any_of(
          endpoint.dns_names().begin(), endpoint.dns_names().end(),
          [&](const std::string& dns_name) {
            return absl::AsciiStrToLower(dns_name) == name;
          });
      absl::StatusOr<ipam::Ipv4> address =
          ipam::ParseIpv4(endpoint.ipv4_address(), "address");
      if (named && address.ok() &&
          std::find(addresses.begin(), addresses.end(), *address) ==
              addresses.end()) {
        addresses.push_back(*address);
      }
    }
  }
  if (addresses.empty()) return std::nullopt;
  return addresses;
}

absl::Status NetworkController::Detach(
    const network::v1::DetachContainerRequest& request) {
  absl::MutexLock lock(&mu_);
  return DetachLocked(request.container_id(),
                      {request.networks().begin(), request.networks().end()},
                      request.namespace_ends());
}

absl::Status NetworkController::DetachLocked(
    const std::string& container_id, const std::vector<std::string>& networks,
    bool namespace_ends, bool force) {
  ASSIGN_OR_RETURN(std::vector<NetworkEndpoint> endpoints,
                   EndpointsOfContainer(container_id));
  std::vector<NetworkEndpoint> chosen;
  for (const NetworkEndpoint& endpoint : endpoints) {
    const bool listed =
        networks.empty() ||
        std::any_of(networks.begin(), networks.end(),
                    [&](const std::string& network) {
                      absl::StatusOr<Network> found = FindLocked(network);
                      return found.ok() && found->id() == endpoint.network_id();
                    });
    if (listed) chosen.push_back(endpoint);
  }
  for (const NetworkEndpoint& endpoint : chosen) {
    absl::Status unwired = UnwireLocked(endpoint, namespace_ends);
    if (!unwired.ok() && !force) return unwired;
    if (!unwired.ok()) {
      log_.error("container {}: {} left behind on a forced detach: {}",
                 container_id, endpoint.host_interface(), unwired.ToString());
    }
  }
  const Table<NetworkEndpoint> table = EndpointsTable();
  RETURN_IF_ERROR(store_.Update([&](Transaction& txn) -> absl::Status {
    for (const NetworkEndpoint& endpoint : chosen) {
      RETURN_IF_ERROR(table.Delete(txn, endpoint.endpoint_id()));
    }
    return absl::OkStatus();
  }));
  for (const NetworkEndpoint& endpoint : chosen) {
    EmitEndpointEvent("disconnect", endpoint);
  }
  const bool published = std::any_of(
      chosen.begin(), chosen.end(),
      [](const NetworkEndpoint& endpoint) { return !endpoint.published_ports().empty(); });
  if (published) {
    if (absl::Status applied = ApplyFirewallLocked(); !applied.ok()) {
      // The forward points at an address no one holds; the next change or
      // start of netd drops it.
      log_.error("container {}: its port rules stay until the next change: {}",
                 container_id, applied.ToString());
    }
  }
  if (dns_ != nullptr && chosen.size() == endpoints.size()) {
    dns_->Close(container_id);
  }
  return absl::OkStatus();
}

absl::StatusOr<network::v1::ListEndpointsResponse>
NetworkController::ListEndpoints(const network::v1::ListEndpointsRequest& request) {
  absl::ReaderMutexLock lock(&mu_);
  std::string network_id;
  if (!request.network().empty()) {
    ASSIGN_OR_RETURN(Network network, FindLocked(request.network()));
    network_id = network.id();
  }
  network::v1::ListEndpointsResponse response;
  RETURN_IF_ERROR(EndpointsTable().ForEach(store_, [&](const NetworkEndpoint& e) {
    if ((request.container_id().empty() ||
         e.container_id() == request.container_id()) &&
        (network_id.empty() || e.network_id() == network_id)) {
      *response.add_endpoints() = e;
      if (!e.published_ports().empty()) {
        *(*response.mutable_ports())[e.container_id()].mutable_bindings() =
            e.published_ports();
      }
    }
    return true;
  }));
  return response;
}

absl::StatusOr<std::vector<NetworkEndpoint>>
NetworkController::EndpointsOfContainer(const std::string& container_id) const {
  const Table<NetworkEndpoint> table = EndpointsTable();
  ASSIGN_OR_RETURN(Keys keys, table.FindAll(store_, "container", container_id));
  std::vector<NetworkEndpoint> endpoints;
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(NetworkEndpoint endpoint, table.Get(store_, key));
    endpoints.push_back(std::move(endpoint));
  }
  // In interface order, the primary first.
  std::sort(endpoints.begin(), endpoints.end(),
            [](const NetworkEndpoint& a, const NetworkEndpoint& b) {
              return a.interface_name() < b.interface_name();
            });
  return endpoints;
}

}  // namespace berth::netd
