#include "services/netd/network_controller.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/proto_util.h"
#include "common/random_id.h"
#include "common/status_macros.h"
#include "services/netd/network_records.h"
#include "spdlog/spdlog.h"

namespace berth::netd {
namespace {

using network::v1::CreateNetworkRequest;
using network::v1::CreateNetworkResponse;
using network::v1::Network;
using types::v1::NetworkEndpoint;

constexpr char kBridgeNameOption[] = "com.docker.network.bridge.name";
constexpr char kMtuOption[] = "com.docker.network.driver.mtu";
constexpr size_t kMaxInterfaceName = 15;  // IFNAMSIZ less the NUL

absl::StatusOr<uint32_t> MtuOf(const Network& network) {
  auto it = network.options().find(kMtuOption);
  if (it == network.options().end()) return 1500;
  uint32_t mtu = 0;
  if (!absl::SimpleAtoi(it->second, &mtu) || mtu < 68 || mtu > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid option ", kMtuOption, "=", it->second,
        ": the MTU must be a number from 68 to 65535"));
  }
  return mtu;
}

absl::StatusOr<bridge::BridgeSpec> BridgeOf(const Network& network) {
  if (network.ipam().pools().empty()) {
    return absl::DataLossError(absl::StrCat(
        "stored network ", network.name(), " has no address pool"));
  }
  const network::v1::IpamPool& pool = network.ipam().pools(0);
  ASSIGN_OR_RETURN(ipam::Prefix subnet, ipam::ParsePrefix(pool.subnet(), "subnet"));
  ASSIGN_OR_RETURN(ipam::Ipv4 gateway, ipam::ParseIpv4(pool.gateway(), "gateway"));
  ASSIGN_OR_RETURN(uint32_t mtu, MtuOf(network));
  return bridge::BridgeSpec{network.bridge_name(), gateway, subnet.length, mtu};
}

absl::StatusOr<ipam::AddressSpace> SpaceOf(const network::v1::IpamPool& pool) {
  ipam::PoolRequest request;
  request.subnet = pool.subnet();
  request.ip_range = pool.ip_range();
  request.gateway = pool.gateway();
  for (const auto& [name, address] : pool.aux_addresses()) {
    request.aux_addresses.push_back(address);
  }
  return ipam::AddressSpace::Create(request);
}

std::map<std::string, std::string> EventAttributes(const Network& network) {
  return {{"name", network.name()}, {"type", network.driver()}};
}

}  // namespace

absl::StatusOr<NetdSettings> SettingsFromConfig(
    const config::v1::NetdConfig& config) {
  NetdSettings settings;
  if (config.default_address_pools().empty()) {
    settings.address_pools = ipam::DefaultAddressPools();
  }
  for (int i = 0; i < config.default_address_pools_size(); ++i) {
    const config::v1::AddressPoolConfig& entry = config.default_address_pools(i);
    const std::string key = absl::StrCat("netd.defaultAddressPools[", i, "]");
    absl::StatusOr<ipam::Prefix> base =
        ipam::ParsePrefix(entry.base(), absl::StrCat("config key ", key, ".base"));
    if (!base.ok()) return base.status();
    ipam::AddressPool pool{*base, entry.size()};
    absl::Status valid = ipam::ValidatePool(pool);
    if (!valid.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config key ", key, ": ", valid.message()));
    }
    settings.address_pools.push_back(pool);
  }
  if (config.has_masquerade()) settings.masquerade = config.masquerade();
  if (config.has_dns_forwarding()) {
    settings.dns_forwarding = config.dns_forwarding();
  }
  return settings;
}

NetworkController::NetworkController(Store& store, bridge::BridgeDriver& driver,
                                     firewall::Firewall& firewall,
                                     ports::HostPorts& host_ports,
                                     NetdSettings settings, spdlog::logger& log)
    : store_(store),
      driver_(driver),
      firewall_(firewall),
      host_ports_(host_ports),
      settings_(std::move(settings)),
      log_(log) {}

absl::StatusOr<std::unique_ptr<NetworkController>> NetworkController::Open(
    Store& store, bridge::BridgeDriver& driver, firewall::Firewall& firewall,
    ports::HostPorts& host_ports, NetdSettings settings, spdlog::logger& log,
    dns::ContainerDns* dns) {
  std::unique_ptr<NetworkController> controller(new NetworkController(
      store, driver, firewall, host_ports, std::move(settings), log));
  controller->dns_ = dns;
  absl::MutexLock lock(&controller->mu_);
  RETURN_IF_ERROR(controller->LoadLocked());
  RETURN_IF_ERROR(controller->AddPredefinedLocked());
  controller->ReconcileLocked();
  // Isolation is a security setting: netd does not serve without it.
  RETURN_IF_ERROR(controller->ApplyFirewallLocked());
  controller->ServeAttachedLocked();
  return controller;
}

absl::Status NetworkController::ApplyFirewallLocked() {
  firewall::Ruleset rules;
  rules.masquerade = settings_.masquerade;
  for (const auto& [id, network] : networks_) {
    if (network.driver() != "bridge" || network.ipam().pools().empty()) continue;
    rules.bridges.push_back({network.bridge_name(),
                             network.ipam().pools(0).subnet(), network.internal()});
  }
  RETURN_IF_ERROR(EndpointsTable().ForEach(store_, [&](const NetworkEndpoint& endpoint) {
    for (const types::v1::PortBinding& binding : endpoint.published_ports()) {
      rules.ports.push_back({binding, endpoint.ipv4_address()});
    }
    return true;
  }));
  return firewall_.Apply(rules);
}

absl::Status NetworkController::LoadLocked() {
  RETURN_IF_ERROR(NetworksTable().ForEach(store_, [&](const Network& network) {
    networks_[network.id()] = network;
    return true;
  }));
  for (const auto& [id, network] : networks_) {
    if (network.driver() != "bridge") continue;
    ASSIGN_OR_RETURN(ipam::AddressSpace space, SpaceOf(network.ipam().pools(0)));
    ASSIGN_OR_RETURN(auto endpoints, EndpointsOf(id));
    for (const auto& [container, endpoint] : endpoints) {
      ASSIGN_OR_RETURN(ipam::Ipv4 address,
                       ipam::ParseIpv4(endpoint.ipv4_address(), "address"));
      RETURN_IF_ERROR(space.Restore(address));
    }
    // After a reboot or a kill -9 the bridge may be gone or half made.
    ASSIGN_OR_RETURN(bridge::BridgeSpec spec, BridgeOf(network));
    RETURN_IF_ERROR(driver_.EnsureBridge(spec));
    spaces_.emplace(id, std::move(space));
  }
  return absl::OkStatus();
}

absl::Status NetworkController::AddPredefinedLocked() {
  auto exists = [&](const std::string& name) {
    return std::any_of(networks_.begin(), networks_.end(),
                       [&](const auto& entry) { return entry.second.name() == name; });
  };
  if (!exists("bridge")) {
    CreateNetworkRequest request;
    request.set_name("bridge");
    (*request.mutable_options())["com.docker.network.bridge.default_bridge"] = "true";
    (*request.mutable_options())["com.docker.network.bridge.enable_icc"] = "true";
    (*request.mutable_options())["com.docker.network.bridge.enable_ip_masquerade"] =
        settings_.masquerade ? "true" : "false";
    (*request.mutable_options())["com.docker.network.bridge.host_binding_ipv4"] =
        "0.0.0.0";
    (*request.mutable_options())[kBridgeNameOption] = settings_.default_bridge;
    (*request.mutable_options())[kMtuOption] = "1500";
    ASSIGN_OR_RETURN(Network network, PlanBridgeLocked(request, true));
    RETURN_IF_ERROR(CommitBridgeLocked(network));
    log_.info("network {}: default bridge {} on {}", network.id(),
              network.bridge_name(), network.ipam().pools(0).subnet());
  }
  for (const auto& [name, driver] :
       {std::pair<const char*, const char*>{"host", "host"}, {"none", "null"}}) {
    if (exists(name)) continue;
    Network network;
    network.set_id(NewObjectId());
    network.set_name(name);
    network.set_driver(driver);
    network.set_scope("local");
    *network.mutable_created() = ToTimestamp(absl::Now());
    network.mutable_ipam()->set_driver("default");
    network.set_predefined(true);
    RETURN_IF_ERROR(PutLocked(network));
  }
  return absl::OkStatus();
}

absl::StatusOr<Network> NetworkController::PlanBridgeLocked(
    const CreateNetworkRequest& request, bool predefined) {
  Network network;
  network.set_id(NewObjectId());
  network.set_name(request.name());
  network.set_driver("bridge");
  network.set_scope("local");
  *network.mutable_created() = ToTimestamp(absl::Now());
  network.set_internal(request.internal());
  network.set_attachable(request.attachable());
  *network.mutable_labels() = request.labels();
  *network.mutable_options() = request.options();
  network.set_predefined(predefined);

  network.mutable_ipam()->set_driver("default");
  *network.mutable_ipam()->mutable_options() = request.ipam().options();
  network::v1::IpamPool pool;
  if (!request.ipam().pools().empty()) pool = request.ipam().pools(0);
  std::vector<ipam::Prefix> subnets;
  for (const auto& [id, space] : spaces_) subnets.push_back(space.subnet());
  ASSIGN_OR_RETURN(std::vector<ipam::Prefix> routes, driver_.HostRoutes());
  // A default route overlaps everything and rules nothing out.
  routes.erase(std::remove_if(routes.begin(), routes.end(),
                              [](const ipam::Prefix& p) { return p.length == 0; }),
               routes.end());
  if (pool.subnet().empty()) {
    if (!pool.ip_range().empty() || !pool.gateway().empty()) {
      return absl::InvalidArgumentError(
          "every ip-range or gateway must have a corresponding subnet");
    }
    std::vector<ipam::Prefix> in_use = subnets;
    in_use.insert(in_use.end(), routes.begin(), routes.end());
    ASSIGN_OR_RETURN(ipam::Prefix subnet,
                     ipam::PickSubnet(settings_.address_pools, in_use));
    pool.set_subnet(ipam::FormatPrefix(subnet));
  } else {
    ASSIGN_OR_RETURN(ipam::Prefix subnet, ipam::ParsePrefix(pool.subnet(), "subnet"));
    RETURN_IF_ERROR(ipam::CheckNoOverlap(subnet, subnets, routes));
  }
  ASSIGN_OR_RETURN(ipam::AddressSpace space, SpaceOf(pool));
  pool.set_gateway(ipam::FormatIpv4(space.gateway()));
  *network.mutable_ipam()->add_pools() = pool;

  auto named = network.options().find(kBridgeNameOption);
  network.set_bridge_name(named != network.options().end()
                              ? named->second
                              : absl::StrCat("br-", network.id().substr(0, 12)));
  const std::string& bridge = network.bridge_name();
  if (bridge.empty() || bridge.size() > kMaxInterfaceName ||
      bridge.find_first_of("/ :") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid bridge name \"", bridge, "\" (", kBridgeNameOption,
        "): at most 15 characters, without '/', ':' or spaces"));
  }
  for (const auto& [id, other] : networks_) {
    if (other.bridge_name() == bridge) {
      return absl::FailedPreconditionError(absl::StrCat(
          "bridge name ", bridge, " is already used by network ", other.name()));
    }
  }
  RETURN_IF_ERROR(MtuOf(network).status());
  return network;
}

absl::Status NetworkController::CommitBridgeLocked(const Network& network) {
  ASSIGN_OR_RETURN(bridge::BridgeSpec spec, BridgeOf(network));
  ASSIGN_OR_RETURN(ipam::AddressSpace space, SpaceOf(network.ipam().pools(0)));
  RETURN_IF_ERROR(driver_.EnsureBridge(spec));
  absl::Status stored = PutLocked(network);
  if (!stored.ok()) {
    absl::Status undone = driver_.RemoveBridge(spec.name);
    if (!undone.ok()) {
      log_.error("network {}: bridge {} left behind: {}", network.id(),
                 spec.name, undone.ToString());
    }
    return stored;
  }
  spaces_.insert_or_assign(network.id(), std::move(space));
  return absl::OkStatus();
}

absl::Status NetworkController::PutLocked(const Network& network) {
  const Table<Network> table = NetworksTable();
  RETURN_IF_ERROR(store_.Update(
      [&](Transaction& txn) { return table.Put(txn, network); }));
  networks_[network.id()] = network;
  return absl::OkStatus();
}

absl::StatusOr<CreateNetworkResponse> NetworkController::Create(
    const CreateNetworkRequest& request) {
  RETURN_IF_ERROR(ValidateNetworkName(request.name()));
  const std::string driver = request.driver().empty() ? "bridge" : request.driver();
  if (driver == "host" || driver == "null") {
    return absl::FailedPreconditionError(
        absl::StrCat("only one instance of \"", driver, "\" network is allowed"));
  }
  if (driver != "bridge") {
    return absl::InvalidArgumentError(absl::StrCat(
        "plugin \"", driver, "\" not found: netd's only network driver for "
        "new networks is \"bridge\""));
  }
  if (request.enable_ipv6()) {
    return absl::InvalidArgumentError(
        "IPv6 networks are not supported by netd: create the network without "
        "--ipv6");
  }
  const std::string& ipam_driver = request.ipam().driver();
  if (!ipam_driver.empty() && ipam_driver != "default") {
    return absl::InvalidArgumentError(absl::StrCat(
        "plugin \"", ipam_driver, "\" not found: the only IPAM driver is "
        "\"default\""));
  }
  if (request.ipam().pools_size() > 1) {
    return absl::InvalidArgumentError(
        "a bridge network has one IPv4 subnet: give --subnet at most once");
  }
  absl::MutexLock lock(&mu_);
  for (const auto& [id, network] : networks_) {
    if (network.name() == request.name()) {
      return absl::AlreadyExistsError(
          absl::StrCat("network with name ", request.name(), " already exists"));
    }
  }
  ASSIGN_OR_RETURN(Network network, PlanBridgeLocked(request, false));
  RETURN_IF_ERROR(CommitBridgeLocked(network));
  if (absl::Status applied = ApplyFirewallLocked(); !applied.ok()) {
    // Not without its isolation: the network goes again.
    absl::Status undone = RemoveLocked(network);
    if (!undone.ok()) {
      log_.error("network {}: undoing its create: {}", network.id(), undone.ToString());
    }
    return applied;
  }
  log_.info("network {}: created {} (bridge {}, subnet {})", network.id(),
            network.name(), network.bridge_name(),
            network.ipam().pools(0).subnet());
  events_.Emit(types::v1::OBJECT_TYPE_NETWORK, "create", network.id(),
               EventAttributes(network));
  CreateNetworkResponse response;
  response.set_id(network.id());
  return response;
}

absl::Status NetworkController::Remove(const std::string& reference) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Network network, FindLocked(reference));
  return RemoveLocked(network);
}

absl::Status NetworkController::RemoveLocked(const Network& network) {
  if (network.predefined()) {
    return absl::FailedPreconditionError(absl::StrCat(
        network.name(), " is a pre-defined network and cannot be removed"));
  }
  ASSIGN_OR_RETURN(auto endpoints, EndpointsOf(network.id()));
  if (!endpoints.empty()) {
    std::vector<std::string> names;
    for (const auto& [id, endpoint] : endpoints) {
      names.push_back(endpoint.container_name().empty()
                          ? id.substr(0, 12)
                          : endpoint.container_name());
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "error while removing network: network ", network.name(), " id ",
        network.id(), " has active endpoints (", absl::StrJoin(names, ", "),
        "): stop them or disconnect them first"));
  }
  // The bridge first: a record without its bridge is made whole at the
  // next start, a bridge without a record would be leaked.
  RETURN_IF_ERROR(driver_.RemoveBridge(network.bridge_name()));
  const Table<Network> table = NetworksTable();
  RETURN_IF_ERROR(store_.Update(
      [&](Transaction& txn) { return table.Delete(txn, network.id()); }));
  networks_.erase(network.id());
  spaces_.erase(network.id());
  if (absl::Status applied = ApplyFirewallLocked(); !applied.ok()) {
    // Rules naming a bridge that is gone match nothing; the next change
    // or start makes the table again.
    log_.warn("network {}: its rules stay until the next change: {}",
              network.id(), applied.ToString());
  }
  log_.info("network {}: removed {}", network.id(), network.name());
  events_.Emit(types::v1::OBJECT_TYPE_NETWORK, "destroy", network.id(),
               EventAttributes(network));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Network>> NetworkController::List(
    const network::v1::NetworkFilter& filter) {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<Network> listed;
  for (const auto& [id, network] : networks_) {
    bool has_endpoints = false;
    if (filter.has_dangling()) {
      ASSIGN_OR_RETURN(auto endpoints, EndpointsOf(id));
      has_endpoints = !endpoints.empty();
    }
    if (MatchesNetworkFilter(network, filter, has_endpoints)) {
      listed.push_back(network);
    }
  }
  std::sort(listed.begin(), listed.end(), [](const Network& a, const Network& b) {
    return a.name() < b.name();
  });
  return listed;
}

absl::StatusOr<Network> NetworkController::Inspect(const std::string& reference) {
  absl::ReaderMutexLock lock(&mu_);
  ASSIGN_OR_RETURN(Network network, FindLocked(reference));
  ASSIGN_OR_RETURN(auto endpoints, EndpointsOf(network.id()));
  for (auto& [id, endpoint] : endpoints) {
    (*network.mutable_containers())[id] = std::move(endpoint);
  }
  return network;
}

absl::StatusOr<std::vector<std::string>> NetworkController::Prune(
    const types::v1::PruneFilter& filter) {
  absl::MutexLock lock(&mu_);
  std::vector<Network> candidates;
  for (const auto& [id, network] : networks_) {
    if (network.predefined()) continue;
    if (filter.has_until() &&
        FromTimestamp(network.created()) >= FromTimestamp(filter.until())) {
      continue;
    }
    if (!MatchesLabels(network.labels(), filter.labels())) continue;
    ASSIGN_OR_RETURN(auto endpoints, EndpointsOf(id));
    if (endpoints.empty()) candidates.push_back(network);
  }
  std::vector<std::string> deleted;
  for (const Network& network : candidates) {
    RETURN_IF_ERROR(RemoveLocked(network));
    deleted.push_back(network.name());
  }
  std::sort(deleted.begin(), deleted.end());
  return deleted;
}

absl::StatusOr<Network> NetworkController::FindLocked(
    const std::string& reference) const {
  std::vector<Network> all;
  all.reserve(networks_.size());
  for (const auto& [id, network] : networks_) all.push_back(network);
  return FindNetwork(all, reference);
}

absl::StatusOr<std::map<std::string, NetworkEndpoint>>
NetworkController::EndpointsOf(const std::string& network_id) const {
  const Table<NetworkEndpoint> table = EndpointsTable();
  ASSIGN_OR_RETURN(Keys keys, table.FindAll(store_, "network", network_id));
  std::map<std::string, NetworkEndpoint> endpoints;
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(NetworkEndpoint endpoint, table.Get(store_, key));
    endpoints[endpoint.container_id()] = std::move(endpoint);
  }
  return endpoints;
}

}  // namespace berth::netd
