// The rtnetlink bridge driver against the real kernel, in namespaces the
// test makes: a "host" namespace the driver is opened in and a container
// namespace bind-mounted on a file, as containerd will hand it over.
#include "services/netd/bridge/netlink_bridge_driver.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::netd::bridge {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

ipam::Ipv4 Ip(const char* text) { return *ipam::ParseIpv4(text, "ip"); }

class NetlinkBridgeDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/netd-drv-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    container_ns_ = dir_ + "/netns";
    close(open(container_ns_.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    // One thread makes both namespaces: the driver's socket stays in the
    // "host" one, the container's is held by the bind mount.
    std::thread maker([this] {
      if (unshare(CLONE_NEWNET) != 0) return;
      host_fd_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
      auto driver = NetlinkBridgeDriver::Open();
      if (driver.ok()) driver_ = *std::move(driver);
      if (unshare(CLONE_NEWNET) != 0) return;
      mounted_ = mount("/proc/thread-self/ns/net", container_ns_.c_str(),
                       nullptr, MS_BIND, nullptr) == 0;
    });
    maker.join();
    ASSERT_NE(driver_, nullptr);
    ASSERT_TRUE(mounted_);
  }
  void TearDown() override {
    driver_.reset();
    if (host_fd_ >= 0) close(host_fd_);
    if (mounted_) umount2(container_ns_.c_str(), MNT_DETACH);
    std::system(("rm -rf " + dir_).c_str());
  }
  std::unique_ptr<netlink::RouteNetlink> Inside() {
    const int fd = open(container_ns_.c_str(), O_RDONLY | O_CLOEXEC);
    auto opened = netlink::RouteNetlink::OpenIn(fd);
    close(fd);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? *std::move(opened) : nullptr;
  }
  std::unique_ptr<netlink::RouteNetlink> Host() {
    auto opened = netlink::RouteNetlink::OpenIn(host_fd_);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? *std::move(opened) : nullptr;
  }

  std::string dir_;
  std::string container_ns_;
  int host_fd_ = -1;
  bool mounted_ = false;
  std::unique_ptr<NetlinkBridgeDriver> driver_;
};

EndpointSpec Endpoint(const std::string& netns) {
  EndpointSpec spec;
  spec.bridge = "br-test";
  spec.host_interface = "vethtest1";
  spec.netns_path = netns;
  spec.interface_name = "eth0";
  spec.address = Ip("10.88.0.2");
  spec.prefix_length = 24;
  spec.gateway = Ip("10.88.0.1");
  spec.default_route = true;
  const uint8_t mac[6] = {0x02, 0x42, 10, 88, 0, 2};
  std::copy(mac, mac + 6, spec.mac);
  return spec;
}

TEST_F(NetlinkBridgeDriverTest, BridgeAndEndpointAreWiredAndRemoved) {
  const BridgeSpec bridge{"br-test", Ip("10.88.0.1"), 24, 1500};
  ASSERT_TRUE(driver_->EnsureBridge(bridge).ok());
  ASSERT_TRUE(driver_->EnsureBridge(bridge).ok());  // as after a restart
  auto routes = driver_->HostRoutes();
  ASSERT_TRUE(routes.ok());
  EXPECT_THAT(*routes, ElementsAre(ipam::Prefix{Ip("10.88.0.0"), 24}));

  absl::Status added = driver_->AddEndpoint(Endpoint(container_ns_));
  ASSERT_TRUE(added.ok()) << added;
  std::unique_ptr<netlink::RouteNetlink> host = Host();
  std::unique_ptr<netlink::RouteNetlink> inside = Inside();
  ASSERT_NE(host, nullptr);
  ASSERT_NE(inside, nullptr);
  auto veth = host->GetLink("vethtest1");
  auto bridge_link = host->GetLink("br-test");
  ASSERT_TRUE(veth.ok() && veth->has_value());
  EXPECT_EQ((*veth)->master, (*bridge_link)->index);
  EXPECT_TRUE((*veth)->up);
  auto eth0 = inside->GetLink("eth0");
  ASSERT_TRUE(eth0.ok() && eth0->has_value());
  EXPECT_TRUE((*eth0)->up);
  EXPECT_TRUE((*inside->GetLink("lo"))->up);
  EXPECT_THAT(*inside->Addresses("eth0"), ElementsAre("10.88.0.2/24"));
  EXPECT_THAT(*inside->Routes(),
              UnorderedElementsAre(ipam::Prefix{0, 0},
                                   ipam::Prefix{Ip("10.88.0.0"), 24}));

  // The bridge's ports and the namespace as a restarted netd sees them.
  EXPECT_THAT(*driver_->Ports("br-test"), ElementsAre("vethtest1"));
  EXPECT_TRUE(driver_->Ports("br-none")->empty());
  EXPECT_TRUE(driver_->NamespaceExists(container_ns_));
  EXPECT_FALSE(driver_->NamespaceExists(dir_));
  EXPECT_FALSE(driver_->NamespaceExists(dir_ + "/no-such-netns"));

  // A second endpoint of the same name fails and leaves nothing half made.
  EndpointSpec twin = Endpoint(container_ns_);
  twin.host_interface = "vethtest2";
  EXPECT_FALSE(driver_->AddEndpoint(twin).ok());
  EXPECT_FALSE(host->GetLink("vethtest2")->has_value());

  ASSERT_TRUE(driver_->RemoveEndpoint("vethtest1").ok());
  EXPECT_FALSE(host->GetLink("vethtest1")->has_value());
  EXPECT_FALSE(inside->GetLink("eth0")->has_value());
  EXPECT_TRUE(driver_->RemoveEndpoint("vethtest1").ok());  // already gone

  EndpointSpec gone = Endpoint(dir_ + "/no-such-netns");
  EXPECT_TRUE(absl::IsNotFound(driver_->AddEndpoint(gone)));
  ASSERT_TRUE(driver_->RemoveBridge("br-test").ok());
  EXPECT_FALSE(host->GetLink("br-test")->has_value());
  EXPECT_TRUE(driver_->RemoveBridge("br-test").ok());
}

}  // namespace
}  // namespace berth::netd::bridge
