// The controller over a real store and a fake kernel: records, address
// pools, predefined networks, and that the bridges follow the records.
#include "services/netd/network_controller.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/netd/controller_fixture.h"

namespace berth::netd {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST_F(NetworkControllerTest, PredefinedNetworksExistFromTheFirstStart) {
  EXPECT_THAT(Names(), ElementsAre("bridge", "host", "none"));
  Network bridge = Inspect("bridge");
  EXPECT_EQ(bridge.driver(), "bridge");
  EXPECT_EQ(bridge.bridge_name(), "berth0");
  EXPECT_TRUE(bridge.predefined());
  ASSERT_EQ(bridge.ipam().pools_size(), 1);
  EXPECT_EQ(bridge.ipam().pools(0).subnet(), "172.17.0.0/16");
  EXPECT_EQ(bridge.ipam().pools(0).gateway(), "172.17.0.1");
  EXPECT_EQ(bridge.options().at("com.docker.network.bridge.name"), "berth0");
  EXPECT_EQ(Inspect("host").driver(), "host");
  EXPECT_EQ(Inspect("none").driver(), "null");
  ASSERT_EQ(driver_.bridges.count("berth0"), 1u);
  EXPECT_EQ(driver_.bridges["berth0"].prefix_length, 16);

  // A restart keeps the same ids and makes the bridge again.
  const std::string id = bridge.id();
  driver_.bridges.clear();
  Reopen();
  EXPECT_EQ(Inspect("bridge").id(), id);
  EXPECT_EQ(driver_.bridges.count("berth0"), 1u);
  EXPECT_THAT(Names(), ElementsAre("bridge", "host", "none"));
}

TEST_F(NetworkControllerTest, TheDefaultBridgeAvoidsAHostRoute) {
  TearDown();
  SetUp();  // a fresh store
  driver_.routes.push_back(Cidr("172.17.0.0/16"));  // e.g. Docker's docker0
  controller_.reset();
  store_.reset();
  std::system(("rm -rf " + dir_ + "/db").c_str());
  driver_.bridges.clear();
  Reopen();
  EXPECT_EQ(Inspect("bridge").ipam().pools(0).subnet(), "172.18.0.0/16");
}

TEST_F(NetworkControllerTest, CreateTakesTheNextFreeSubnetAndMakesItsBridge) {
  auto created = controller_->Create(Named("app"));
  ASSERT_TRUE(created.ok()) << created.status();
  Network app = Inspect("app");
  EXPECT_EQ(app.id(), created->id());
  EXPECT_EQ(app.ipam().pools(0).subnet(), "172.18.0.0/16");
  EXPECT_EQ(app.ipam().pools(0).gateway(), "172.18.0.1");
  EXPECT_EQ(app.bridge_name(), "br-" + app.id().substr(0, 12));
  EXPECT_FALSE(app.predefined());
  ASSERT_EQ(driver_.bridges.count(app.bridge_name()), 1u);
  EXPECT_EQ(ipam::FormatIpv4(driver_.bridges[app.bridge_name()].gateway),
            "172.18.0.1");
  // Found by id prefix too.
  EXPECT_EQ(Inspect(app.id().substr(0, 5)).name(), "app");

  ASSERT_TRUE(controller_->Create(Named("db")).ok());
  EXPECT_EQ(Inspect("db").ipam().pools(0).subnet(), "172.19.0.0/16");
  // Records and allocations survive a restart.
  Reopen();
  ASSERT_TRUE(controller_->Create(Named("third")).ok());
  EXPECT_EQ(Inspect("third").ipam().pools(0).subnet(), "172.20.0.0/16");
}

TEST_F(NetworkControllerTest, CreateRefusesWhatDockerRefuses) {
  ASSERT_TRUE(controller_->Create(Named("app")).ok());
  absl::StatusOr<network::v1::CreateNetworkResponse> again =
      controller_->Create(Named("app"));
  EXPECT_TRUE(absl::IsAlreadyExists(again.status()));
  EXPECT_THAT(again.status().message(),
              HasSubstr("network with name app already exists"));
  EXPECT_TRUE(absl::IsInvalidArgument(controller_->Create(Named("-bad")).status()));
  CreateNetworkRequest host = Named("h2");
  host.set_driver("host");
  EXPECT_TRUE(absl::IsFailedPrecondition(controller_->Create(host).status()));
  CreateNetworkRequest overlay = Named("o");
  overlay.set_driver("overlay");
  EXPECT_THAT(controller_->Create(overlay).status().message(),
              HasSubstr("plugin \"overlay\" not found"));

  // Overlaps: another network, a host route; host bits set.
  auto overlap = controller_->Create(WithSubnet("x", "172.18.5.0/24"));
  EXPECT_TRUE(absl::IsFailedPrecondition(overlap.status())) << overlap.status();
  EXPECT_TRUE(absl::IsFailedPrecondition(
      controller_->Create(WithSubnet("y", "10.0.0.0/16")).status()));
  EXPECT_THAT(controller_->Create(WithSubnet("z", "10.9.0.1/16")).status().message(),
              HasSubstr("it should be 10.9.0.0/16"));
  CreateNetworkRequest gateway_outside = WithSubnet("g", "10.9.0.0/16");
  gateway_outside.mutable_ipam()->mutable_pools(0)->set_gateway("10.10.0.1");
  EXPECT_THAT(controller_->Create(gateway_outside).status().message(),
              HasSubstr("no matching subnet for gateway 10.10.0.1"));
  CreateNetworkRequest long_bridge = Named("long");
  (*long_bridge.mutable_options())["com.docker.network.bridge.name"] =
      "a-very-long-bridge-name";
  EXPECT_TRUE(absl::IsInvalidArgument(controller_->Create(long_bridge).status()));
  // Nothing of the refused ones was stored or made.
  EXPECT_THAT(Names(), ElementsAre("app", "bridge", "host", "none"));
  EXPECT_EQ(driver_.bridges.size(), 2u);
}

TEST_F(NetworkControllerTest, AKernelFailureLeavesNoRecord) {
  driver_.fail_next = absl::InternalError("netlink says no");
  EXPECT_TRUE(absl::IsInternal(controller_->Create(Named("app")).status()));
  EXPECT_TRUE(absl::IsNotFound(controller_->Inspect("app").status()));
}

TEST_F(NetworkControllerTest, GivenSubnetRangeGatewayAndBridgeName) {
  CreateNetworkRequest request = WithSubnet("lan", "10.77.0.0/16");
  network::v1::IpamPool* pool = request.mutable_ipam()->mutable_pools(0);
  pool->set_ip_range("10.77.5.0/24");
  pool->set_gateway("10.77.0.254");
  (*request.mutable_options())["com.docker.network.bridge.name"] = "lan0";
  (*request.mutable_labels())["tier"] = "db";
  request.set_internal(true);
  ASSERT_TRUE(controller_->Create(request).ok());
  Network lan = Inspect("lan");
  EXPECT_EQ(lan.ipam().pools(0).ip_range(), "10.77.5.0/24");
  EXPECT_EQ(lan.ipam().pools(0).gateway(), "10.77.0.254");
  EXPECT_EQ(lan.bridge_name(), "lan0");
  EXPECT_TRUE(lan.internal());
  EXPECT_EQ(lan.labels().at("tier"), "db");
  EXPECT_EQ(driver_.bridges.count("lan0"), 1u);
  // A second network cannot take the same bridge.
  CreateNetworkRequest twin = Named("twin");
  (*twin.mutable_options())["com.docker.network.bridge.name"] = "lan0";
  EXPECT_TRUE(absl::IsFailedPrecondition(controller_->Create(twin).status()));
}

TEST_F(NetworkControllerTest, RemoveAndPrune) {
  ASSERT_TRUE(controller_->Create(Named("a1")).ok());
  ASSERT_TRUE(controller_->Create(Named("a2")).ok());
  const std::string a1_bridge = Inspect("a1").bridge_name();
  EXPECT_TRUE(absl::IsFailedPrecondition(controller_->Remove("bridge")));
  EXPECT_TRUE(absl::IsNotFound(controller_->Remove("nosuch")));
  ASSERT_TRUE(controller_->Remove("a1").ok());
  EXPECT_EQ(driver_.bridges.count(a1_bridge), 0u);
  // Its subnet is free again.
  ASSERT_TRUE(controller_->Create(Named("a3")).ok());
  EXPECT_EQ(Inspect("a3").ipam().pools(0).subnet(), "172.18.0.0/16");

  absl::StatusOr<std::vector<std::string>> pruned = controller_->Prune({});
  ASSERT_TRUE(pruned.ok()) << pruned.status();
  EXPECT_THAT(*pruned, ElementsAre("a2", "a3"));
  EXPECT_THAT(Names(), ElementsAre("bridge", "host", "none"));
  EXPECT_EQ(driver_.bridges.size(), 1u);
}

TEST_F(NetworkControllerTest, ListFilters) {
  CreateNetworkRequest labelled = Named("web-front");
  (*labelled.mutable_labels())["tier"] = "front";
  ASSERT_TRUE(controller_->Create(labelled).ok());
  ASSERT_TRUE(controller_->Create(Named("web-back")).ok());
  network::v1::NetworkFilter filter;
  filter.add_names("web");
  EXPECT_THAT(Names(filter), ElementsAre("web-back", "web-front"));
  filter.add_labels()->set_key("tier");
  EXPECT_THAT(Names(filter), ElementsAre("web-front"));
  network::v1::NetworkFilter builtin;
  builtin.set_predefined(true);
  EXPECT_THAT(Names(builtin), ElementsAre("bridge", "host", "none"));
  network::v1::NetworkFilter dangling;
  dangling.set_dangling(true);
  EXPECT_THAT(Names(dangling), ElementsAre("web-back", "web-front"));
  network::v1::NetworkFilter by_driver;
  by_driver.add_drivers("null");
  EXPECT_THAT(Names(by_driver), ElementsAre("none"));
}

TEST(NetdSettingsTest, PoolsFromTheConfigAreChecked) {
  config::v1::NetdConfig config;
  absl::StatusOr<NetdSettings> defaults = SettingsFromConfig(config);
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->masquerade);
  EXPECT_EQ(defaults->address_pools.size(), ipam::DefaultAddressPools().size());
  config::v1::AddressPoolConfig* pool = config.add_default_address_pools();
  pool->set_base("10.200.0.0/16");
  pool->set_size(24);
  config.set_masquerade(false);
  absl::StatusOr<NetdSettings> custom = SettingsFromConfig(config);
  ASSERT_TRUE(custom.ok()) << custom.status();
  ASSERT_EQ(custom->address_pools.size(), 1u);
  EXPECT_EQ(custom->address_pools[0].size, 24);
  EXPECT_FALSE(custom->masquerade);
  pool->set_size(8);
  EXPECT_THAT(SettingsFromConfig(config).status().message(),
              HasSubstr("netd.defaultAddressPools[0]"));
}

}  // namespace
}  // namespace berth::netd
