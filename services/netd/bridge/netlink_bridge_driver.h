// BridgeDriver over rtnetlink, in the network namespace netd was started
// in (the host's, or a test's own).
#ifndef BERTH_SERVICES_NETD_BRIDGE_NETLINK_BRIDGE_DRIVER_H_
#define BERTH_SERVICES_NETD_BRIDGE_NETLINK_BRIDGE_DRIVER_H_

#include <memory>

#include "services/netd/bridge/bridge_driver.h"
#include "services/netd/netlink/route_netlink.h"

namespace berth::netd::bridge {

class NetlinkBridgeDriver : public BridgeDriver {
 public:
  static absl::StatusOr<std::unique_ptr<NetlinkBridgeDriver>> Open();

  absl::StatusOr<std::vector<ipam::Prefix>> HostRoutes() override;
  absl::Status EnsureBridge(const BridgeSpec& bridge) override;
  absl::Status RemoveBridge(const std::string& name) override;
  absl::Status AddEndpoint(const EndpointSpec& endpoint) override;
  absl::Status RemoveEndpoint(const std::string& host_interface) override;
  absl::Status SetDefaultRoute(const std::string& netns_path,
                               ipam::Ipv4 gateway) override;
  absl::StatusOr<std::vector<std::string>> Ports(const std::string& bridge) override;
  bool NamespaceExists(const std::string& netns_path) override;

 private:
  explicit NetlinkBridgeDriver(std::unique_ptr<netlink::RouteNetlink> host)
      : host_(std::move(host)) {}
  std::unique_ptr<netlink::RouteNetlink> host_;
};

}  // namespace berth::netd::bridge

#endif  // BERTH_SERVICES_NETD_BRIDGE_NETLINK_BRIDGE_DRIVER_H_
