// netd's side effects on links, addresses and routes: rtnetlink requests
// through libmnl, never the `ip` tool. A RouteNetlink works in the network
// namespace it was opened in (a netlink socket stays bound to the namespace
// of its creation), so netd opens one per container namespace it wires
// without moving its own threads there.
#ifndef BERTH_SERVICES_NETD_NETLINK_ROUTE_NETLINK_H_
#define BERTH_SERVICES_NETD_NETLINK_ROUTE_NETLINK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/netd/ipam/ipv4.h"

struct mnl_socket;
struct nlmsghdr;

namespace berth::netd::netlink {

// What the kernel says of one link.
struct LinkState {
  int index = 0;
  std::string name;
  int master = 0;  // the bridge's index, 0 for none
  bool up = false;
  uint32_t mtu = 0;
  std::string kind;  // "bridge", "veth", "" for a plain device
};

class RouteNetlink {
 public:
  // A socket in the calling thread's network namespace.
  static absl::StatusOr<std::unique_ptr<RouteNetlink>> Open();
  // A socket in the namespace `netns_fd` refers to (the thread that
  // opens it visits the namespace and comes back).
  static absl::StatusOr<std::unique_ptr<RouteNetlink>> OpenIn(int netns_fd);
  ~RouteNetlink();
  RouteNetlink(const RouteNetlink&) = delete;
  RouteNetlink& operator=(const RouteNetlink&) = delete;

  // ALREADY_EXISTS when a link has the name.
  absl::Status CreateBridge(const std::string& name, uint32_t mtu);
  // A veth pair: `name` here, `peer` moved into `peer_netns_fd` (-1: here).
  absl::Status CreateVethPair(const std::string& name, const std::string& peer,
                              uint32_t mtu, int peer_netns_fd);
  // NOT_FOUND when there is no such link.
  absl::Status DeleteLink(const std::string& name);
  absl::Status SetUp(const std::string& name);
  // Makes `name` a port of `bridge` ("" detaches it).
  absl::Status SetMaster(const std::string& name, const std::string& bridge);
  absl::Status Rename(const std::string& name, const std::string& new_name);
  absl::Status SetMac(const std::string& name, const uint8_t (&mac)[6]);
  // Adds `address`/`prefix_length` to `name`; ALREADY_EXISTS if present.
  absl::Status AddAddress(const std::string& name, ipam::Ipv4 address,
                          int prefix_length);
  // The default route through `gateway` (the link is found by the kernel).
  absl::Status AddDefaultRoute(ipam::Ipv4 gateway);

  // nullopt when there is no such link.
  absl::StatusOr<std::optional<LinkState>> GetLink(const std::string& name);
  // Every link of the namespace.
  absl::StatusOr<std::vector<LinkState>> Links();
  // The IPv4 addresses of a link as "a.b.c.d/n".
  absl::StatusOr<std::vector<std::string>> Addresses(const std::string& name);
  // Destinations of the main table's IPv4 routes (a default route is
  // 0.0.0.0/0).
  absl::StatusOr<std::vector<ipam::Prefix>> Routes();

 private:
  explicit RouteNetlink(mnl_socket* socket);
  // Sends the request and waits for its acknowledgement, or with `reply`
  // for its answers (each handed to `reply`); `what` names it in errors.
  absl::Status Exchange(nlmsghdr* header, const std::string& what,
                        const std::function<void(const nlmsghdr*)>& reply);
  absl::StatusOr<int> IndexOf(const std::string& name);

  absl::Mutex mu_;  // one request at a time on the socket
  mnl_socket* socket_;
  uint32_t port_id_ = 0;
  uint32_t sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace berth::netd::netlink

#endif  // BERTH_SERVICES_NETD_NETLINK_ROUTE_NETLINK_H_
