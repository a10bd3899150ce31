// The controller's published ports and firewall table over fakes: ports
// resolved, recorded on the primary endpoint and forwarded; clashes leave
// nothing; the table follows networks and containers, and is made again
// at every start of netd.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/netd/controller_fixture.h"

namespace berth::netd {
namespace {

using network::v1::AttachContainerRequest;
using ::testing::HasSubstr;

AttachContainerRequest Publishing(char c, const std::string& network,
                                  uint32_t host_port,
                                  const std::string& host_ip = "127.0.0.1") {
  AttachContainerRequest request;
  request.mutable_container()->set_container_id(std::string(64, c));
  request.mutable_container()->set_name(std::string("c-") + c);
  request.set_netns_path("/proc/1/ns/net");
  request.add_networks()->set_network(network);
  types::v1::PortBinding* binding = request.add_port_bindings();
  binding->set_container_port(80);
  binding->set_host_port(host_port);
  binding->set_host_ip(host_ip);
  return request;
}

class NetworkPortsTest : public NetworkControllerTest {};

TEST_F(NetworkPortsTest, TheTableFollowsNetworks) {
  ASSERT_EQ(firewall_.applied.bridges.size(), 1u);  // made at start
  EXPECT_EQ(firewall_.applied.bridges[0].bridge, "berth0");
  EXPECT_EQ(firewall_.applied.bridges[0].subnet, "172.17.0.0/16");
  EXPECT_TRUE(firewall_.applied.masquerade);
  network::v1::CreateNetworkRequest internal = Named("inner");
  internal.set_internal(true);
  ASSERT_TRUE(controller_->Create(internal).ok());
  ASSERT_EQ(firewall_.applied.bridges.size(), 2u);
  EXPECT_TRUE(std::any_of(firewall_.applied.bridges.begin(),
                          firewall_.applied.bridges.end(),
                          [](const firewall::BridgeRules& b) { return b.internal; }));
  ASSERT_TRUE(controller_->Remove("inner").ok());
  EXPECT_EQ(firewall_.applied.bridges.size(), 1u);

  // A network whose rules cannot be made is not made.
  firewall_.fail_next = absl::InternalError("nftables refused");
  EXPECT_FALSE(controller_->Create(Named("app")).ok());
  EXPECT_FALSE(controller_->Inspect("app").ok());
  EXPECT_EQ(driver_.bridges.size(), 1u);

  NetdSettings quiet = DefaultSettings();
  quiet.masquerade = false;
  Reopen(quiet);
  EXPECT_FALSE(firewall_.applied.masquerade);
}

TEST_F(NetworkPortsTest, PortsAreResolvedRecordedAndForwarded) {
  AttachContainerRequest web = Publishing('a', "bridge", 18080);
  web.add_publish_all_exposed("443/tcp");
  web.add_publish_all_exposed("80/tcp");  // -p publishes it already
  auto attached = controller_->Attach(web);
  ASSERT_TRUE(attached.ok()) << attached.status();
  ASSERT_EQ(attached->ports_size(), 2);
  EXPECT_EQ(attached->ports(0).host_port(), 18080u);
  EXPECT_EQ(attached->ports(0).protocol(), types::v1::PROTOCOL_TCP);
  EXPECT_EQ(attached->ports(1).container_port(), 443u);
  EXPECT_EQ(attached->ports(1).host_port(), 32768u);
  const std::string ip = attached->endpoints(0).ipv4_address();
  ASSERT_EQ(firewall_.applied.ports.size(), 2u);
  EXPECT_EQ(firewall_.applied.ports[0].container_ip, ip);
  EXPECT_EQ(firewall_.applied.ports[0].binding.host_ip(), "127.0.0.1");
  auto listed = controller_->ListEndpoints({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->ports().at(std::string(64, 'a')).bindings_size(), 2);
  // Attached again (containerd's retry): the same ports.
  auto again = controller_->Attach(web);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ports_size(), 2);

  // The same host port: Docker's words, nothing made.
  const int applies = firewall_.applies;
  auto clash = controller_->Attach(Publishing('b', "bridge", 18080, ""));
  EXPECT_EQ(clash.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(clash.status().message(),
              HasSubstr("Bind for 0.0.0.0:18080 failed: port is already allocated"));
  EXPECT_EQ(driver_.endpoints.size(), 1u);
  EXPECT_EQ(firewall_.applies, applies);
  host_ports_.busy.insert(19090);
  EXPECT_THAT(controller_->Attach(Publishing('b', "bridge", 19090)).status().message(),
              HasSubstr("address already in use"));
  EXPECT_EQ(driver_.endpoints.size(), 1u);

  // The table is made again from the records at every start.
  firewall_.applied = {};
  Reopen();
  EXPECT_EQ(firewall_.applied.ports.size(), 2u);

  network::v1::DetachContainerRequest detach;
  detach.set_container_id(std::string(64, 'a'));
  ASSERT_TRUE(controller_->Detach(detach).ok());
  EXPECT_TRUE(firewall_.applied.ports.empty());
  EXPECT_TRUE(controller_->Attach(Publishing('b', "bridge", 18080, "")).ok());
}

TEST_F(NetworkPortsTest, InternalNetworksAndFailedRulesPublishNothing) {
  network::v1::CreateNetworkRequest internal = Named("inner");
  internal.set_internal(true);
  ASSERT_TRUE(controller_->Create(internal).ok());
  auto refused = controller_->Attach(Publishing('a', "inner", 18080));
  EXPECT_THAT(refused.status().message(), HasSubstr("inner is internal"));
  EXPECT_TRUE(driver_.endpoints.empty());

  firewall_.fail_next = absl::InternalError("nftables refused");
  auto failed = controller_->Attach(Publishing('a', "bridge", 18080));
  EXPECT_THAT(failed.status().message(), HasSubstr("publishing the container's ports"));
  EXPECT_TRUE(driver_.endpoints.empty());
  auto listed = controller_->ListEndpoints({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->endpoints_size(), 0);
}

TEST_F(NetworkPortsTest, ARestartReconcilesWithTheKernel) {
  AttachContainerRequest gone = Publishing('a', "bridge", 18080);
  gone.set_netns_path("/run/berth/netns/a");
  AttachContainerRequest kept = Publishing('b', "bridge", 18081);
  kept.set_netns_path("/run/berth/netns/b");
  auto a = controller_->Attach(gone);
  auto b = controller_->Attach(kept);
  ASSERT_TRUE(a.ok() && b.ok());
  // netd was killed: a's namespace ended meanwhile, and a veth was wired
  // but never recorded.
  driver_.ended_namespaces.insert("/run/berth/netns/a");
  driver_.endpoints["vethstray"].bridge = "berth0";
  Reopen();
  EXPECT_EQ(driver_.endpoints.count("vethstray"), 0u);
  EXPECT_EQ(driver_.endpoints.count(b->endpoints(0).host_interface()), 1u);
  auto listed = controller_->ListEndpoints({});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->endpoints_size(), 1);
  EXPECT_EQ(listed->endpoints(0).container_id(), std::string(64, 'b'));
  ASSERT_EQ(firewall_.applied.ports.size(), 1u);
  EXPECT_EQ(firewall_.applied.ports[0].binding.host_port(), 18081u);
  // a's address and port are free again.
  auto c = controller_->Attach(Publishing('c', "bridge", 18080));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->endpoints(0).ipv4_address(), a->endpoints(0).ipv4_address());
}

}  // namespace
}  // namespace berth::netd
