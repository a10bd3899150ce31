#include "services/netd/netlink/route_netlink.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace berth::netd::netlink {
namespace {

using Reply = std::function<void(const nlmsghdr*)>;

// An rtnetlink request in its own buffer.
struct Message {
  std::vector<char> buffer = std::vector<char>(MNL_SOCKET_BUFFER_SIZE);
  nlmsghdr* header;

  Message(uint16_t type, uint16_t flags) {
    header = mnl_nlmsg_put_header(buffer.data());
    header->nlmsg_type = type;
    header->nlmsg_flags = NLM_F_REQUEST | flags;
  }
  ifinfomsg* Link(int index) {
    auto* link = static_cast<ifinfomsg*>(
        mnl_nlmsg_put_extra_header(header, sizeof(ifinfomsg)));
    link->ifi_family = AF_UNSPEC;
    link->ifi_index = index;
    return link;
  }
};

absl::Status KernelError(int err, const std::string& what) {
  if (err == EEXIST) return absl::AlreadyExistsError(absl::StrCat(what, ": ", std::strerror(err)));
  if (err == ENODEV) return absl::NotFoundError(absl::StrCat(what, ": ", std::strerror(err)));
  return ErrnoStatus(err, "rtnetlink", what);
}

using AttributeVisitor = std::function<void(const nlattr*)>;

int VisitAttribute(const nlattr* attr, void* data) {
  (*static_cast<AttributeVisitor*>(data))(attr);
  return MNL_CB_OK;
}

// Every attribute of `h` after its fixed header of `header_size` bytes.
void ForEachAttribute(const nlmsghdr* h, size_t header_size,
                      AttributeVisitor each) {
  mnl_attr_parse(h, static_cast<unsigned>(header_size), &VisitAttribute, &each);
}

void ForEachNested(const nlattr* attr, AttributeVisitor each) {
  mnl_attr_parse_nested(attr, &VisitAttribute, &each);
}

absl::Status CheckName(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ ||
      name.find_first_of("/ \t\n:") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid interface name \"", name, "\": 1 to ", IFNAMSIZ - 1,
        " characters, no '/', ':' or spaces"));
  }
  return absl::OkStatus();
}

// One RTM_NEWLINK answer.
LinkState ParseLink(const nlmsghdr* h) {
  LinkState state;
  const auto* link = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(h));
  state.index = link->ifi_index;
  state.up = (link->ifi_flags & IFF_UP) != 0;
  ForEachAttribute(h, sizeof(ifinfomsg), [&](const nlattr* attr) {
    switch (mnl_attr_get_type(attr)) {
      case IFLA_IFNAME:
        state.name = mnl_attr_get_str(attr);
        break;
      case IFLA_MASTER:
        state.master = static_cast<int>(mnl_attr_get_u32(attr));
        break;
      case IFLA_MTU:
        state.mtu = mnl_attr_get_u32(attr);
        break;
      case IFLA_LINKINFO:
        ForEachNested(attr, [&](const nlattr* inner) {
          if (mnl_attr_get_type(inner) == IFLA_INFO_KIND) {
            state.kind = mnl_attr_get_str(inner);
          }
        });
        break;
      default:
        break;
    }
  });
  return state;
}

}  // namespace

RouteNetlink::RouteNetlink(mnl_socket* socket)
    : socket_(socket), port_id_(mnl_socket_get_portid(socket)) {}

RouteNetlink::~RouteNetlink() { mnl_socket_close(socket_); }

absl::StatusOr<std::unique_ptr<RouteNetlink>> RouteNetlink::Open() {
  mnl_socket* socket = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
  if (socket == nullptr) return ErrnoStatus(errno, "socket", "NETLINK_ROUTE");
  if (mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) < 0) {
    const int err = errno;
    mnl_socket_close(socket);
    return ErrnoStatus(err, "bind", "NETLINK_ROUTE");
  }
  return std::unique_ptr<RouteNetlink>(new RouteNetlink(socket));
}

absl::StatusOr<std::unique_ptr<RouteNetlink>> RouteNetlink::OpenIn(int netns_fd) {
  // setns changes only the calling thread: a thread of its own visits the
  // namespace, and the socket it opens stays bound there.
  absl::StatusOr<std::unique_ptr<RouteNetlink>> opened =
      absl::InternalError("not opened");
  std::thread visitor([&] {
    if (setns(netns_fd, CLONE_NEWNET) != 0) {
      opened = ErrnoStatus(errno, "setns", absl::StrCat("netns fd ", netns_fd));
      return;
    }
    opened = Open();
  });
  visitor.join();
  return opened;
}

absl::Status RouteNetlink::Exchange(nlmsghdr* header, const std::string& what,
                                    const Reply& reply) {
  absl::MutexLock lock(&mu_);
  header->nlmsg_seq = ++sequence_;
  if (!reply) header->nlmsg_flags |= NLM_F_ACK;
  if (mnl_socket_sendto(socket_, header, header->nlmsg_len) < 0) {
    return ErrnoStatus(errno, "send rtnetlink", what);
  }
  std::vector<char> answer(MNL_SOCKET_BUFFER_SIZE);
  struct Callback {
    const Reply* reply;
    static int Run(const nlmsghdr* h, void* data) {
      const Reply& reply = *static_cast<Callback*>(data)->reply;
      if (reply) reply(h);
      return MNL_CB_OK;
    }
  } callback{&reply};
  while (true) {
    const ssize_t n = mnl_socket_recvfrom(socket_, answer.data(), answer.size());
    if (n < 0) return ErrnoStatus(errno, "receive rtnetlink", what);
    const int run = mnl_cb_run(answer.data(), n, header->nlmsg_seq, port_id_,
                               &Callback::Run, &callback);
    if (run < 0) return KernelError(errno, what);
    if (run == MNL_CB_STOP) return absl::OkStatus();
    // A single reply (no dump) ends with its message.
    if (reply && !(header->nlmsg_flags & NLM_F_DUMP)) return absl::OkStatus();
  }
}

absl::StatusOr<int> RouteNetlink::IndexOf(const std::string& name) {
  ASSIGN_OR_RETURN(std::optional<LinkState> link, GetLink(name));
  if (!link.has_value()) {
    return absl::NotFoundError(absl::StrCat("no network interface ", name));
  }
  return link->index;
}

absl::Status RouteNetlink::CreateBridge(const std::string& name, uint32_t mtu) {
  RETURN_IF_ERROR(CheckName(name));
  Message message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  message.Link(0);
  mnl_attr_put_strz(message.header, IFLA_IFNAME, name.c_str());
  if (mtu != 0) mnl_attr_put_u32(message.header, IFLA_MTU, mtu);
  nlattr* info = mnl_attr_nest_start(message.header, IFLA_LINKINFO);
  mnl_attr_put_strz(message.header, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end(message.header, info);
  return Exchange(message.header, absl::StrCat("create bridge ", name), nullptr);
}

absl::Status RouteNetlink::CreateVethPair(const std::string& name,
                                          const std::string& peer, uint32_t mtu,
                                          int peer_netns_fd) {
  RETURN_IF_ERROR(CheckName(name));
  RETURN_IF_ERROR(CheckName(peer));
  Message message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  message.Link(0);
  nlmsghdr* h = message.header;
  mnl_attr_put_strz(h, IFLA_IFNAME, name.c_str());
  if (mtu != 0) mnl_attr_put_u32(h, IFLA_MTU, mtu);
  nlattr* info = mnl_attr_nest_start(h, IFLA_LINKINFO);
  mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
  nlattr* data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
  nlattr* peer_info = mnl_attr_nest_start(h, VETH_INFO_PEER);
  // The peer's own ifinfomsg leads its attributes.
  auto* peer_link = reinterpret_cast<ifinfomsg*>(
      reinterpret_cast<char*>(h) + h->nlmsg_len);
  std::memset(peer_link, 0, sizeof(*peer_link));
  peer_link->ifi_family = AF_UNSPEC;
  h->nlmsg_len += MNL_ALIGN(sizeof(ifinfomsg));
  mnl_attr_put_strz(h, IFLA_IFNAME, peer.c_str());
  if (mtu != 0) mnl_attr_put_u32(h, IFLA_MTU, mtu);
  if (peer_netns_fd >= 0) mnl_attr_put_u32(h, IFLA_NET_NS_FD, peer_netns_fd);
  mnl_attr_nest_end(h, peer_info);
  mnl_attr_nest_end(h, data);
  mnl_attr_nest_end(h, info);
  return Exchange(message.header, absl::StrCat("create veth pair ", name, "/", peer),
                  nullptr);
}

absl::Status RouteNetlink::DeleteLink(const std::string& name) {
  ASSIGN_OR_RETURN(const int index, IndexOf(name));
  Message message(RTM_DELLINK, 0);
  message.Link(index);
  return Exchange(message.header, absl::StrCat("delete link ", name), nullptr);
}

absl::Status RouteNetlink::SetUp(const std::string& name) {
  ASSIGN_OR_RETURN(const int index, IndexOf(name));
  Message message(RTM_NEWLINK, 0);
  ifinfomsg* link = message.Link(index);
  link->ifi_flags = IFF_UP;
  link->ifi_change = IFF_UP;
  return Exchange(message.header, absl::StrCat("set link ", name, " up"), nullptr);
}

absl::Status RouteNetlink::SetMaster(const std::string& name,
                                     const std::string& bridge) {
  ASSIGN_OR_RETURN(const int index, IndexOf(name));
  int master = 0;
  if (!bridge.empty()) {
    ASSIGN_OR_RETURN(master, IndexOf(bridge));
  }
  Message message(RTM_NEWLINK, 0);
  message.Link(index);
  mnl_attr_put_u32(message.header, IFLA_MASTER, master);
  return Exchange(message.header, absl::StrCat("attach ", name, " to bridge ", bridge),
                  nullptr);
}

absl::Status RouteNetlink::Rename(const std::string& name,
                                  const std::string& new_name) {
  RETURN_IF_ERROR(CheckName(new_name));
  ASSIGN_OR_RETURN(const int index, IndexOf(name));
  Message message(RTM_NEWLINK, 0);
  message.Link(index);
  mnl_attr_put_strz(message.header, IFLA_IFNAME, new_name.c_str());
  return Exchange(message.header, absl::StrCat("rename ", name, " to ", new_name),
                  nullptr);
}

absl::Status RouteNetlink::SetMac(const std::string& name,
                                  const uint8_t (&mac)[6]) {
  ASSIGN_OR_RETURN(const int index, IndexOf(name));
  Message message(RTM_NEWLINK, 0);
  message.Link(index);
  mnl_attr_put(message.header, IFLA_ADDRESS, sizeof(mac), mac);
  return Exchange(message.header, absl::StrCat("set the MAC address of ", name),
                  nullptr);
}

absl::Status RouteNetlink::AddAddress(const std::string& name,
                                      ipam::Ipv4 address, int prefix_length) {
  ASSIGN_OR_RETURN(const int index, IndexOf(name));
  Message message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  auto* ifa = static_cast<ifaddrmsg*>(
      mnl_nlmsg_put_extra_header(message.header, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = static_cast<uint8_t>(prefix_length);
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = static_cast<uint32_t>(index);
  const uint32_t network_order = htonl(address);
  mnl_attr_put_u32(message.header, IFA_LOCAL, network_order);
  mnl_attr_put_u32(message.header, IFA_ADDRESS, network_order);
  return Exchange(message.header,
                  absl::StrCat("add address ", ipam::FormatIpv4(address), "/",
                               prefix_length, " to ", name),
                  nullptr);
}

absl::Status RouteNetlink::AddDefaultRoute(ipam::Ipv4 gateway) {
  Message message(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  auto* route = static_cast<rtmsg*>(
      mnl_nlmsg_put_extra_header(message.header, sizeof(rtmsg)));
  route->rtm_family = AF_INET;
  route->rtm_table = RT_TABLE_MAIN;
  route->rtm_protocol = RTPROT_BOOT;
  route->rtm_scope = RT_SCOPE_UNIVERSE;
  route->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32(message.header, RTA_GATEWAY, htonl(gateway));
  return Exchange(message.header,
                  absl::StrCat("add a default route via ",
                               ipam::FormatIpv4(gateway)),
                  nullptr);
}

absl::StatusOr<std::optional<LinkState>> RouteNetlink::GetLink(
    const std::string& name) {
  RETURN_IF_ERROR(CheckName(name));
  Message message(RTM_GETLINK, 0);
  message.Link(0);
  mnl_attr_put_strz(message.header, IFLA_IFNAME, name.c_str());
  LinkState state;
  const absl::Status status =
      Exchange(message.header, absl::StrCat("look up link ", name),
               [&](const nlmsghdr* h) { state = ParseLink(h); });
  if (absl::IsNotFound(status)) return std::nullopt;
  RETURN_IF_ERROR(status);
  return state;
}

absl::StatusOr<std::vector<LinkState>> RouteNetlink::Links() {
  Message message(RTM_GETLINK, NLM_F_DUMP);
  message.Link(0);
  std::vector<LinkState> links;
  RETURN_IF_ERROR(Exchange(message.header, "list the links",
                           [&](const nlmsghdr* h) { links.push_back(ParseLink(h)); }));
  return links;
}

absl::StatusOr<std::vector<std::string>> RouteNetlink::Addresses(
    const std::string& name) {
  ASSIGN_OR_RETURN(const int index, IndexOf(name));
  Message message(RTM_GETADDR, NLM_F_DUMP);
  auto* ifa = static_cast<ifaddrmsg*>(
      mnl_nlmsg_put_extra_header(message.header, sizeof(ifaddrmsg)));
  ifa->ifa_family = AF_INET;
  std::vector<std::string> addresses;
  RETURN_IF_ERROR(Exchange(
      message.header, absl::StrCat("list the addresses of ", name),
      [&](const nlmsghdr* h) {
        const auto* got = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(h));
        if (static_cast<int>(got->ifa_index) != index) return;
        ForEachAttribute(h, sizeof(ifaddrmsg), [&](const nlattr* attr) {
          if (mnl_attr_get_type(attr) == IFA_LOCAL) {
            addresses.push_back(absl::StrCat(
                ipam::FormatIpv4(ntohl(mnl_attr_get_u32(attr))), "/",
                got->ifa_prefixlen));
          }
        });
      }));
  return addresses;
}

absl::StatusOr<std::vector<ipam::Prefix>> RouteNetlink::Routes() {
  Message message(RTM_GETROUTE, NLM_F_DUMP);
  auto* request = static_cast<rtmsg*>(
      mnl_nlmsg_put_extra_header(message.header, sizeof(rtmsg)));
  request->rtm_family = AF_INET;
  std::vector<ipam::Prefix> routes;
  RETURN_IF_ERROR(Exchange(
      message.header, "list the IPv4 routes", [&](const nlmsghdr* h) {
        const auto* route = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(h));
        if (route->rtm_family != AF_INET || route->rtm_table != RT_TABLE_MAIN ||
            route->rtm_type != RTN_UNICAST) {
          return;
        }
        ipam::Prefix prefix{0, route->rtm_dst_len};
        ForEachAttribute(h, sizeof(rtmsg), [&](const nlattr* attr) {
          if (mnl_attr_get_type(attr) == RTA_DST) {
            prefix.base = ntohl(mnl_attr_get_u32(attr));
          }
        });
        routes.push_back(prefix);
      }));
  return routes;
}

}  // namespace berth::netd::netlink
