// rtnetlink against the real kernel, in network namespaces the test makes
// (unshared by a thread, held by fds): nothing touches the host's links, and
// everything goes when the last fd closes, even if the test fails.
#include "services/netd/netlink/route_netlink.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::netd::netlink {
namespace {

using ::testing::ElementsAre;

class Netns {
 public:
  Netns() {
    std::thread maker([this] {
      if (unshare(CLONE_NEWNET) == 0) {
        fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
      }
    });
    maker.join();
  }
  ~Netns() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

std::unique_ptr<RouteNetlink> In(const Netns& netns) {
  absl::StatusOr<std::unique_ptr<RouteNetlink>> opened =
      RouteNetlink::OpenIn(netns.fd());
  EXPECT_TRUE(opened.ok()) << opened.status();
  return opened.ok() ? *std::move(opened) : nullptr;
}

ipam::Ipv4 Ip(const char* text) { return *ipam::ParseIpv4(text, "ip"); }

TEST(RouteNetlinkTest, BridgeVethAddressesAndRoutes) {
  Netns host, container;
  ASSERT_GE(host.fd(), 0);
  ASSERT_GE(container.fd(), 0);
  std::unique_ptr<RouteNetlink> here = In(host);
  std::unique_ptr<RouteNetlink> there = In(container);
  ASSERT_NE(here, nullptr);
  ASSERT_NE(there, nullptr);

  ASSERT_TRUE(here->CreateBridge("berth-t0", 1400).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(here->CreateBridge("berth-t0", 1400)));
  absl::StatusOr<std::optional<LinkState>> bridge = here->GetLink("berth-t0");
  ASSERT_TRUE(bridge.ok() && bridge->has_value()) << bridge.status();
  EXPECT_EQ((*bridge)->kind, "bridge");
  EXPECT_EQ((*bridge)->mtu, 1400u);
  EXPECT_FALSE((*bridge)->up);

  ASSERT_TRUE(here->CreateVethPair("veth-t0", "peer-t0", 1400, container.fd()).ok());
  absl::StatusOr<std::optional<LinkState>> veth = here->GetLink("veth-t0");
  ASSERT_TRUE(veth.ok() && veth->has_value()) << veth.status();
  EXPECT_EQ((*veth)->kind, "veth");
  // The peer went into the other namespace.
  EXPECT_FALSE(here->GetLink("peer-t0")->has_value());
  ASSERT_TRUE(there->GetLink("peer-t0")->has_value());

  ASSERT_TRUE(here->SetMaster("veth-t0", "berth-t0").ok());
  ASSERT_TRUE(here->SetUp("veth-t0").ok());
  ASSERT_TRUE(here->SetUp("berth-t0").ok());
  veth = here->GetLink("veth-t0");
  EXPECT_EQ((*veth)->master, (*bridge)->index);
  EXPECT_TRUE((*veth)->up);

  ASSERT_TRUE(here->AddAddress("berth-t0", Ip("10.99.0.1"), 24).ok());
  EXPECT_TRUE(absl::IsAlreadyExists(
      here->AddAddress("berth-t0", Ip("10.99.0.1"), 24)));
  EXPECT_THAT(*here->Addresses("berth-t0"), ElementsAre("10.99.0.1/24"));

  const uint8_t mac[6] = {0x02, 0x42, 0x0a, 0x63, 0x00, 0x02};
  ASSERT_TRUE(there->Rename("peer-t0", "eth0").ok());
  ASSERT_TRUE(there->SetMac("eth0", mac).ok());
  ASSERT_TRUE(there->AddAddress("eth0", Ip("10.99.0.2"), 24).ok());
  ASSERT_TRUE(there->SetUp("lo").ok());
  ASSERT_TRUE(there->SetUp("eth0").ok());
  absl::Status route = there->AddDefaultRoute(Ip("10.99.0.1"));
  EXPECT_TRUE(route.ok()) << route;
  EXPECT_TRUE(absl::IsAlreadyExists(there->AddDefaultRoute(Ip("10.99.0.1"))));
  EXPECT_THAT(*there->Addresses("eth0"), ElementsAre("10.99.0.2/24"));
  // The address's subnet route and the default route.
  absl::StatusOr<std::vector<ipam::Prefix>> routes = there->Routes();
  ASSERT_TRUE(routes.ok()) << routes.status();
  EXPECT_THAT(*routes, ::testing::UnorderedElementsAre(
                           ipam::Prefix{0, 0}, ipam::Prefix{Ip("10.99.0.0"), 24}));

  // Deleting one end removes its peer too.
  ASSERT_TRUE(here->DeleteLink("veth-t0").ok());
  EXPECT_FALSE(there->GetLink("eth0")->has_value());
  EXPECT_TRUE(absl::IsNotFound(here->DeleteLink("veth-t0")));
  EXPECT_TRUE(absl::IsNotFound(here->SetUp("nosuch0")));
}

TEST(RouteNetlinkTest, BadNamesAreRefusedBeforeTheKernel) {
  Netns netns;
  ASSERT_GE(netns.fd(), 0);
  std::unique_ptr<RouteNetlink> link = In(netns);
  ASSERT_NE(link, nullptr);
  for (const char* bad : {"", "a-name-longer-than15", "a/b", "a b", "a:1"}) {
    EXPECT_EQ(link->CreateBridge(bad, 0).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace berth::netd::netlink
