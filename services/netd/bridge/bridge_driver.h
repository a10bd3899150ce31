// What netd asks of the kernel for a bridge network. NetlinkBridgeDriver
// does it over rtnetlink; the controller's tests use a fake.
#ifndef BERTH_SERVICES_NETD_BRIDGE_BRIDGE_DRIVER_H_
#define BERTH_SERVICES_NETD_BRIDGE_BRIDGE_DRIVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/netd/ipam/ipv4.h"

namespace berth::netd::bridge {

// One network's bridge as the kernel should have it.
struct BridgeSpec {
  std::string name;        // "berth0", "br-1a2b3c4d5e6f"
  ipam::Ipv4 gateway = 0;  // the bridge's own address
  int prefix_length = 0;   // the subnet's
  uint32_t mtu = 1500;
};

// One container's attachment: a veth pair, the host end a port of the
// bridge, the other end `interface_name` in the container's namespace.
struct EndpointSpec {
  std::string bridge;
  std::string host_interface;  // "veth1a2b3c4"
  std::string netns_path;      // the container's network namespace
  std::string interface_name;  // "eth0"
  ipam::Ipv4 address = 0;
  int prefix_length = 0;
  ipam::Ipv4 gateway = 0;
  bool default_route = false;  // the container's primary network
  uint8_t mac[6] = {};
  uint32_t mtu = 1500;
};

class BridgeDriver {
 public:
  virtual ~BridgeDriver() = default;
  // The destinations of the host's IPv4 routes: a new network's subnet
  // must overlap none of them.
  virtual absl::StatusOr<std::vector<ipam::Prefix>> HostRoutes() = 0;
  // Makes the bridge, or finds it as a netd before a restart left it,
  // with its address, and brings it up. FAILED_PRECONDITION when the name
  // belongs to a link that is not a bridge.
  virtual absl::Status EnsureBridge(const BridgeSpec& bridge) = 0;
  // Removes the bridge; one already gone is not an error.
  virtual absl::Status RemoveBridge(const std::string& name) = 0;
  // Wires the endpoint: the pair, the address, the container's loopback
  // and interface up, the default route when asked. NOT_FOUND when the
  // namespace is gone. On error nothing of it is left.
  virtual absl::Status AddEndpoint(const EndpointSpec& endpoint) = 0;
  // Removes the pair by its host end (both ends go); one already gone,
  // with its namespace say, is not an error.
  virtual absl::Status RemoveEndpoint(const std::string& host_interface) = 0;
  // The default route of the namespace at `netns_path` through `gateway`
  // (after the endpoint that held it was disconnected).
  virtual absl::Status SetDefaultRoute(const std::string& netns_path,
                                       ipam::Ipv4 gateway) = 0;
  // The host ends of the veths that are ports of `bridge` (none when it
  // is gone): what a restarted netd checks against its records.
  virtual absl::StatusOr<std::vector<std::string>> Ports(const std::string& bridge) = 0;
  // Whether `netns_path` still holds a network namespace (a container's
  // bound one is unmounted and removed when it ends).
  virtual bool NamespaceExists(const std::string& netns_path) = 0;
};

}  // namespace berth::netd::bridge

#endif  // BERTH_SERVICES_NETD_BRIDGE_BRIDGE_DRIVER_H_
