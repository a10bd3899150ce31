#include "services/netd/bridge/netlink_bridge_driver.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::netd::bridge {

absl::StatusOr<std::unique_ptr<NetlinkBridgeDriver>> NetlinkBridgeDriver::Open() {
  ASSIGN_OR_RETURN(std::unique_ptr<netlink::RouteNetlink> host,
                   netlink::RouteNetlink::Open());
  return std::unique_ptr<NetlinkBridgeDriver>(
      new NetlinkBridgeDriver(std::move(host)));
}

absl::StatusOr<std::vector<ipam::Prefix>> NetlinkBridgeDriver::HostRoutes() {
  return host_->Routes();
}

absl::Status NetlinkBridgeDriver::EnsureBridge(const BridgeSpec& bridge) {
  ASSIGN_OR_RETURN(std::optional<netlink::LinkState> link,
                   host_->GetLink(bridge.name));
  if (!link) {
    RETURN_IF_ERROR(host_->CreateBridge(bridge.name, bridge.mtu));
  } else if (link->kind != "bridge") {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot use \"", bridge.name, "\" as a bridge: a ",
        link->kind.empty() ? "device" : link->kind,
        " of that name exists; choose another name with -o "
        "com.docker.network.bridge.name=NAME"));
  }
  const std::string address = absl::StrCat(ipam::FormatIpv4(bridge.gateway),
                                           "/", bridge.prefix_length);
  ASSIGN_OR_RETURN(std::vector<std::string> addresses,
                   host_->Addresses(bridge.name));
  if (std::find(addresses.begin(), addresses.end(), address) ==
      addresses.end()) {
    RETURN_IF_ERROR(
        host_->AddAddress(bridge.name, bridge.gateway, bridge.prefix_length));
  }
  return host_->SetUp(bridge.name);
}

absl::Status NetlinkBridgeDriver::RemoveBridge(const std::string& name) {
  absl::Status status = host_->DeleteLink(name);
  if (absl::IsNotFound(status)) return absl::OkStatus();
  return status;
}

absl::Status NetlinkBridgeDriver::AddEndpoint(const EndpointSpec& endpoint) {
  const int netns = open(endpoint.netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (netns < 0) {
    return ErrnoStatus(errno, "open the container's network namespace",
                       endpoint.netns_path);
  }
  absl::Status wired = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::unique_ptr<netlink::RouteNetlink> inside,
                     netlink::RouteNetlink::OpenIn(netns));
    RETURN_IF_ERROR(host_->CreateVethPair(endpoint.host_interface,
                                          endpoint.interface_name, endpoint.mtu,
                                          netns));
    RETURN_IF_ERROR(host_->SetMaster(endpoint.host_interface, endpoint.bridge));
    RETURN_IF_ERROR(host_->SetUp(endpoint.host_interface));
    RETURN_IF_ERROR(inside->SetMac(endpoint.interface_name, endpoint.mac));
    RETURN_IF_ERROR(inside->AddAddress(endpoint.interface_name, endpoint.address,
                                       endpoint.prefix_length));
    RETURN_IF_ERROR(inside->SetUp("lo"));
    RETURN_IF_ERROR(inside->SetUp(endpoint.interface_name));
    if (endpoint.default_route) {
      RETURN_IF_ERROR(inside->AddDefaultRoute(endpoint.gateway));
    }
    return absl::OkStatus();
  }();
  close(netns);
  if (!wired.ok()) {
    // The pair may be half made; deleting one end takes both.
    (void)RemoveEndpoint(endpoint.host_interface);
  }
  return wired;
}

absl::Status NetlinkBridgeDriver::RemoveEndpoint(
    const std::string& host_interface) {
  absl::Status status = host_->DeleteLink(host_interface);
  if (absl::IsNotFound(status)) return absl::OkStatus();
  return status;
}

absl::Status NetlinkBridgeDriver::SetDefaultRoute(const std::string& netns_path,
                                                  ipam::Ipv4 gateway) {
  const int netns = open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (netns < 0) {
    return ErrnoStatus(errno, "open the container's network namespace", netns_path);
  }
  absl::StatusOr<std::unique_ptr<netlink::RouteNetlink>> inside =
      netlink::RouteNetlink::OpenIn(netns);
  close(netns);
  if (!inside.ok()) return inside.status();
  return (*inside)->AddDefaultRoute(gateway);
}

absl::StatusOr<std::vector<std::string>> NetlinkBridgeDriver::Ports(
    const std::string& bridge) {
  ASSIGN_OR_RETURN(std::optional<netlink::LinkState> found, host_->GetLink(bridge));
  std::vector<std::string> ports;
  if (!found.has_value()) return ports;
  ASSIGN_OR_RETURN(std::vector<netlink::LinkState> links, host_->Links());
  for (const netlink::LinkState& link : links) {
    if (link.master == found->index && link.kind == "veth") ports.push_back(link.name);
  }
  return ports;
}

bool NetlinkBridgeDriver::NamespaceExists(const std::string& netns_path) {
  // A bound namespace is an nsfs mount; what is left of an ended one (a
  // plain file, or nothing) is not.
  struct statfs fs {};
  return statfs(netns_path.c_str(), &fs) == 0 &&
         static_cast<unsigned long>(fs.f_type) == NSFS_MAGIC;
}

}  // namespace berth::netd::bridge
