// NetworkController: netd's networks. It keeps the records (RocksDB, with a
// copy in memory), each bridge network's address space, and the kernel's
// bridges in step: a network exists in the store only while its bridge
// exists, and the bridges of every stored network are made again at start
// (after a reboot or a kill -9). Thread-safe; one lock orders all changes.
#ifndef BERTH_SERVICES_NETD_NETWORK_CONTROLLER_H_
#define BERTH_SERVICES_NETD_NETWORK_CONTROLLER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "berth/config/v1/config.pb.h"
#include "berth/network/v1/network.pb.h"
#include "common/event_log.h"
#include "common/store.h"
#include "services/netd/bridge/bridge_driver.h"
#include "services/netd/dns/container_dns.h"
#include "services/netd/firewall/firewall.h"
#include "services/netd/ipam/address_space.h"
#include "services/netd/ipam/subnet_pool.h"
#include "services/netd/ports/host_ports.h"

namespace spdlog {
class logger;
}

namespace berth::netd {

// netd's part of the config file, checked and with defaults applied.
struct NetdSettings {
  std::vector<ipam::AddressPool> address_pools;
  bool masquerade = true;
  bool dns_forwarding = true;
  // The default network's bridge (Docker's docker0).
  std::string default_bridge = "berth0";
};

// The host's /etc/resolv.conf ("" when unreadable), what containers'
// resolv.conf are rendered from.
std::string HostResolvConf();

// INVALID_ARGUMENT naming the key for a bad pool.
absl::StatusOr<NetdSettings> SettingsFromConfig(
    const config::v1::NetdConfig& config);

class NetworkController {
 public:
  // Loads the records, adds the predefined networks on a first start
  // (bridge, host, none) and makes every bridge network's bridge. With
  // `dns` (outliving the controller), containers attached to user networks
  // are served by it, those already attached again at once.
  // Reconciles the records with the kernel (ReconcileLocked) and makes
  // Berth's firewall table again from them (rules of containers that ended
  // while netd was down go).
  static absl::StatusOr<std::unique_ptr<NetworkController>> Open(
      Store& store, bridge::BridgeDriver& driver, firewall::Firewall& firewall,
      ports::HostPorts& host_ports, NetdSettings settings, spdlog::logger& log,
      dns::ContainerDns* dns = nullptr);

  absl::StatusOr<network::v1::CreateNetworkResponse> Create(
      const network::v1::CreateNetworkRequest& request);
  absl::Status Remove(const std::string& reference);
  // Sorted by name, without containers.
  absl::StatusOr<std::vector<network::v1::Network>> List(
      const network::v1::NetworkFilter& filter);
  // With the endpoints of its containers.
  absl::StatusOr<network::v1::Network> Inspect(const std::string& reference);
  // Removes the user networks without endpoints that `filter` selects;
  // their names, sorted.
  absl::StatusOr<std::vector<std::string>> Prune(
      const types::v1::PruneFilter& filter);

  // A starting container's endpoints, one per requested network in order
  // (the first is primary: default route), and its hosts and resolv.conf.
  // All or nothing; a container already attached gets its endpoints back.
  absl::StatusOr<network::v1::AttachContainerResponse> Attach(
      const network::v1::AttachContainerRequest& request);
  // Removes a container's endpoints (all, or the listed networks'), frees
  // their addresses. Idempotent, also when the namespace is gone.
  absl::Status Detach(const network::v1::DetachContainerRequest& request);
  // `network connect` of a running container: one more endpoint, as its
  // next interface (network_connect.cc). ALREADY_EXISTS when it has one
  // on that network.
  absl::StatusOr<network::v1::ConnectContainerResponse> Connect(
      const network::v1::ConnectContainerRequest& request);
  // `network disconnect`: the endpoint goes, veth included. NOT_FOUND
  // when the container is not on the network, unless `force`.
  absl::Status Disconnect(const network::v1::DisconnectContainerRequest& request);
  absl::StatusOr<network::v1::ListEndpointsResponse> ListEndpoints(
      const network::v1::ListEndpointsRequest& request);

  // The embedded DNS server's question: the addresses of the containers
  // that share a user network with `container_id` and answer to `name`
  // (lower case: their name, short id, aliases, hostname); nullopt when
  // there are none.
  std::optional<std::vector<uint32_t>> Resolve(const std::string& container_id,
                                               const std::string& name) const;

  EventLog& events() { return events_; }

 private:
  NetworkController(Store& store, bridge::BridgeDriver& driver,
                    firewall::Firewall& firewall, ports::HostPorts& host_ports,
                    NetdSettings settings, spdlog::logger& log);

  absl::Status LoadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status AddPredefinedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // After a crash: releases the endpoints of namespaces that ended and
  // removes veths on the bridges that no endpoint holds
  // (network_reconcile.cc). Failures are logged; netd serves on.
  void ReconcileLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A bridge network's record from a request: subnet (picked when not
  // given), gateway, bridge name, options.
  absl::StatusOr<network::v1::Network> PlanBridgeLocked(
      const network::v1::CreateNetworkRequest& request, bool predefined)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Makes the bridge, stores the record and keeps both in memory; the
  // bridge goes again if the record cannot be stored.
  absl::Status CommitBridgeLocked(const network::v1::Network& network)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PutLocked(const network::v1::Network& network)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status RemoveLocked(const network::v1::Network& network)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<network::v1::Network> FindLocked(
      const std::string& reference) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Allocates the address and wires one endpoint as the container's
  // `index`th interface (ethN); the `primary` one holds the default route.
  // Undone on error.
  absl::StatusOr<types::v1::NetworkEndpoint> WireLocked(
      const network::v1::Network& network,
      const network::v1::NetworkAttachment& attachment,
      const network::v1::ContainerIdentity& container,
      const std::string& netns_path, int index, bool primary)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Removes the container's endpoints on `networks` (names or ids; empty:
  // all) with their records; the DNS server lets it go with the last. With
  // `namespace_ends` the veths are left to the namespace's end; with
  // `force` a veth that cannot be removed is logged, its record dropped.
  absl::Status DetachLocked(const std::string& container_id,
                            const std::vector<std::string>& networks,
                            bool namespace_ends, bool force = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Berth's nftables table for the networks and published ports now.
  absl::Status ApplyFirewallLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The host ports a starting container's -p/-P get on `primary`: free
  // among every container's and on the host.
  absl::StatusOr<std::vector<types::v1::PortBinding>> ResolvePortsLocked(
      const network::v1::AttachContainerRequest& request,
      const network::v1::Network& primary) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Docker's network event for an endpoint ("connect", "disconnect").
  void EmitEndpointEvent(const std::string& action,
                         const types::v1::NetworkEndpoint& endpoint);
  // After `left` (a network id) was disconnected from the container of
  // `endpoints` (as they were before): when its endpoint held the default
  // route, the next one on a network that leads out takes it.
  void MoveDefaultRouteLocked(const std::vector<types::v1::NetworkEndpoint>& endpoints,
                              const std::string& left)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether one of the endpoints is on a user network (has DNS names).
  static bool OnUserNetwork(
      const std::vector<types::v1::NetworkEndpoint>& endpoints);
  // Serves the DNS of containers attached before a restart again.
  void ServeAttachedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Takes an endpoint's pair away (unless its namespace ends anyway) and
  // frees its address (not its record).
  absl::Status UnwireLocked(const types::v1::NetworkEndpoint& endpoint,
                            bool namespace_ends = false)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<std::vector<types::v1::NetworkEndpoint>> EndpointsOfContainer(
      const std::string& container_id) const;
  // Endpoints of a network, by container id.
  absl::StatusOr<std::map<std::string, types::v1::NetworkEndpoint>>
  EndpointsOf(const std::string& network_id) const;

  Store& store_;
  bridge::BridgeDriver& driver_;
  firewall::Firewall& firewall_;
  ports::HostPorts& host_ports_;
  dns::ContainerDns* dns_ = nullptr;
  const NetdSettings settings_;
  spdlog::logger& log_;
  EventLog events_;

  mutable absl::Mutex mu_;
  std::map<std::string, network::v1::Network> networks_ ABSL_GUARDED_BY(mu_);
  // Address spaces of the bridge networks, by network id.
  std::map<std::string, ipam::AddressSpace> spaces_ ABSL_GUARDED_BY(mu_);
};

}  // namespace berth::netd

#endif  // BERTH_SERVICES_NETD_NETWORK_CONTROLLER_H_
