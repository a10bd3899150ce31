// The controller's container side over the fake kernel: addresses in
// Docker's order and never twice, --ip, all-or-nothing attach, idempotent
// attach and detach, allocations that survive a restart, rm refused while
// endpoints exist.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/netd/controller_fixture.h"

namespace berth::netd {
namespace {

using network::v1::AttachContainerRequest;
using network::v1::AttachContainerResponse;
using ::testing::HasSubstr;

std::string Id(char c) { return std::string(64, c); }

AttachContainerRequest AttachTo(const std::string& id,
                                const std::vector<std::string>& networks,
                                const std::string& ip = "") {
  AttachContainerRequest request;
  request.mutable_container()->set_container_id(id);
  request.mutable_container()->set_name("c-" + id.substr(0, 1));
  request.mutable_container()->set_hostname(id.substr(0, 12));
  request.set_netns_path("/proc/1/ns/net");
  for (const std::string& network : networks) {
    network::v1::NetworkAttachment* attachment = request.add_networks();
    attachment->set_network(network);
    attachment->mutable_config()->set_ipv4_address(ip);
  }
  return request;
}

network::v1::DetachContainerRequest DetachOf(const std::string& id) {
  network::v1::DetachContainerRequest request;
  request.set_container_id(id);
  return request;
}

class NetworkEndpointsTest : public NetworkControllerTest {};

TEST_F(NetworkEndpointsTest, AddressesInOrderNeverTwiceAndReleased) {
  absl::StatusOr<AttachContainerResponse> a = controller_->Attach(AttachTo(Id('a'), {"bridge"}));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->endpoints_size(), 1);
  const types::v1::NetworkEndpoint& first = a->endpoints(0);
  EXPECT_EQ(first.ipv4_address(), "172.17.0.2");
  EXPECT_EQ(first.ipv4_prefix_length(), 16);
  EXPECT_EQ(first.ipv4_gateway(), "172.17.0.1");
  EXPECT_EQ(first.mac_address(), "02:42:ac:11:00:02");
  EXPECT_EQ(first.interface_name(), "eth0");
  EXPECT_TRUE(first.dns_names().empty());  // the default bridge has no DNS
  ASSERT_EQ(driver_.endpoints.count(first.host_interface()), 1u);
  const bridge::EndpointSpec& spec = driver_.endpoints[first.host_interface()];
  EXPECT_EQ(spec.bridge, "berth0");
  EXPECT_TRUE(spec.default_route);
  EXPECT_THAT(a->hosts(), HasSubstr("172.17.0.2\taaaaaaaaaaaa\n"));
  EXPECT_THAT(a->hosts(), HasSubstr("127.0.0.1\tlocalhost\n"));

  auto b = controller_->Attach(AttachTo(Id('b'), {"bridge"}));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->endpoints(0).ipv4_address(), "172.17.0.3");
  // Attaching again returns the same endpoint (containerd's retry).
  auto again = controller_->Attach(AttachTo(Id('a'), {"bridge"}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->endpoints(0).endpoint_id(), first.endpoint_id());
  EXPECT_EQ(driver_.endpoints.size(), 2u);

  EXPECT_EQ(Inspect("bridge").containers().size(), 2u);
  ASSERT_TRUE(controller_->Detach(DetachOf(Id('a'))).ok());
  ASSERT_TRUE(controller_->Detach(DetachOf(Id('a'))).ok());  // idempotent
  EXPECT_EQ(driver_.endpoints.count(first.host_interface()), 0u);
  // The freed address is the lowest again.
  auto c = controller_->Attach(AttachTo(Id('c'), {"bridge"}));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->endpoints(0).ipv4_address(), "172.17.0.2");
}

TEST_F(NetworkEndpointsTest, AllocationsSurviveARestart) {
  ASSERT_TRUE(controller_->Attach(AttachTo(Id('a'), {"bridge"})).ok());
  Reopen();
  auto b = controller_->Attach(AttachTo(Id('b'), {"bridge"}));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->endpoints(0).ipv4_address(), "172.17.0.3");
  auto listed = controller_->ListEndpoints({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->endpoints_size(), 2);
}

TEST_F(NetworkEndpointsTest, UserNetworksFixedAddressesAndNames) {
  ASSERT_TRUE(controller_->Create(WithSubnet("app", "10.50.0.0/24")).ok());
  AttachContainerRequest request = AttachTo(Id('a'), {"app", "bridge"}, "");
  request.mutable_networks(0)->mutable_config()->set_ipv4_address("10.50.0.9");
  request.mutable_networks(0)->mutable_config()->add_aliases("db");
  auto a = controller_->Attach(request);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->endpoints_size(), 2);
  EXPECT_EQ(a->endpoints(0).ipv4_address(), "10.50.0.9");
  EXPECT_EQ(a->endpoints(0).interface_name(), "eth0");
  EXPECT_THAT(a->endpoints(0).dns_names(),
              ::testing::ElementsAre("c-a", "aaaaaaaaaaaa", "db"));
  EXPECT_EQ(a->endpoints(1).interface_name(), "eth1");
  EXPECT_FALSE(driver_.endpoints[a->endpoints(1).host_interface()].default_route);

  // The same fixed address again, one outside the subnet.
  auto taken = controller_->Attach(AttachTo(Id('b'), {"app"}, "10.50.0.9"));
  EXPECT_TRUE(absl::IsFailedPrecondition(taken.status())) << taken.status();
  auto outside = controller_->Attach(AttachTo(Id('b'), {"app"}, "10.51.0.9"));
  EXPECT_TRUE(absl::IsInvalidArgument(outside.status())) << outside.status();

  absl::Status rm = controller_->Remove("app");
  EXPECT_TRUE(absl::IsFailedPrecondition(rm));
  EXPECT_THAT(rm.message(), HasSubstr("has active endpoints (c-a)"));
  ASSERT_TRUE(controller_->Detach(DetachOf(Id('a'))).ok());
  EXPECT_TRUE(controller_->Remove("app").ok());
}

TEST_F(NetworkEndpointsTest, AFailedAttachLeavesNothing) {
  ASSERT_TRUE(controller_->Create(Named("app")).ok());
  // The second network is missing: the first endpoint is undone.
  auto missing = controller_->Attach(AttachTo(Id('a'), {"app", "nosuch"}));
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_TRUE(driver_.endpoints.empty());
  EXPECT_TRUE(Inspect("app").containers().empty());
  // The kernel refuses: the address is free again.
  driver_.fail_next = absl::NotFoundError("no netns");
  EXPECT_TRUE(absl::IsNotFound(controller_->Attach(AttachTo(Id('a'), {"app"})).status()));
  auto ok = controller_->Attach(AttachTo(Id('a'), {"app"}));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->endpoints(0).ipv4_address(), "172.18.0.2");
  // host and none take no endpoints; a bad port is refused before any is.
  EXPECT_TRUE(absl::IsInvalidArgument(
      controller_->Attach(AttachTo(Id('b'), {"host"})).status()));
  AttachContainerRequest ports = AttachTo(Id('b'), {"app"});
  ports.add_port_bindings()->set_container_port(0);
  EXPECT_TRUE(absl::IsInvalidArgument(controller_->Attach(ports).status()));
  EXPECT_EQ(driver_.endpoints.size(), 1u);
}

TEST_F(NetworkEndpointsTest, UserNetworksGetTheEmbeddedDns) {
  ASSERT_TRUE(controller_->Create(Named("app")).ok());
  ASSERT_TRUE(controller_->Create(Named("other")).ok());
  AttachContainerRequest web = AttachTo(Id('a'), {"app"});
  web.mutable_container()->set_hostname("www");
  web.mutable_networks(0)->mutable_config()->add_aliases("Front");
  absl::StatusOr<AttachContainerResponse> a = controller_->Attach(web);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(dns_.served[Id('a')], "/proc/1/ns/net");
  EXPECT_THAT(a->resolv_conf(), HasSubstr("nameserver 127.0.0.11\n"));
  EXPECT_THAT(a->endpoints(0).dns_names(),
              ::testing::ElementsAre("c-a", "aaaaaaaaaaaa", "Front", "www"));
  auto b = controller_->Attach(AttachTo(Id('b'), {"app"}));
  auto c = controller_->Attach(AttachTo(Id('c'), {"other"}));
  auto d = controller_->Attach(AttachTo(Id('d'), {"bridge"}));
  ASSERT_TRUE(b.ok() && c.ok() && d.ok());
  EXPECT_EQ(dns_.served.count(Id('d')), 0u);  // the default bridge: no DNS
  EXPECT_THAT(d->resolv_conf(), ::testing::Not(HasSubstr("127.0.0.11")));

  absl::StatusOr<ipam::Ipv4> web_ip =
      ipam::ParseIpv4(a->endpoints(0).ipv4_address(), "");
  ASSERT_TRUE(web_ip.ok());
  for (const char* name : {"c-a", "aaaaaaaaaaaa", "front", "www"}) {
    EXPECT_EQ(controller_->Resolve(Id('b'), name),
              std::optional<std::vector<uint32_t>>(std::vector<uint32_t>{*web_ip}))
        << name;
  }
  EXPECT_EQ(controller_->Resolve(Id('b'), "nosuch"), std::nullopt);
  // Other networks' containers and the default bridge's see nothing.
  EXPECT_EQ(controller_->Resolve(Id('c'), "c-a"), std::nullopt);
  EXPECT_EQ(controller_->Resolve(Id('d'), "c-a"), std::nullopt);

  // A restarted netd serves the attached containers again.
  dns_.served.clear();
  Reopen();
  EXPECT_EQ(dns_.served.count(Id('a')), 1u);
  EXPECT_EQ(dns_.served.count(Id('b')), 1u);
  EXPECT_EQ(dns_.served.count(Id('d')), 0u);

  ASSERT_TRUE(controller_->Detach(DetachOf(Id('a'))).ok());
  EXPECT_EQ(dns_.served.count(Id('a')), 0u);
  EXPECT_EQ(controller_->Resolve(Id('b'), "c-a"), std::nullopt);
}

TEST_F(NetworkEndpointsTest, AnAttachWhoseDnsFailsLeavesNothing) {
  ASSERT_TRUE(controller_->Create(Named("app")).ok());
  dns_.fail_next = absl::InternalError("bind 127.0.0.11:53: address in use");
  absl::StatusOr<AttachContainerResponse> refused =
      controller_->Attach(AttachTo(Id('a'), {"app"}));
  EXPECT_THAT(refused.status().message(), HasSubstr("address in use"));
  EXPECT_TRUE(driver_.endpoints.empty());
  auto listed = controller_->ListEndpoints({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->endpoints_size(), 0);
}

TEST_F(NetworkEndpointsTest, AnEndingNamespaceTakesItsVethsAlong) {
  auto a = controller_->Attach(AttachTo(Id('a'), {"bridge"}));
  ASSERT_TRUE(a.ok()) << a.status();
  const std::string veth = a->endpoints(0).host_interface();
  network::v1::DetachContainerRequest ending = DetachOf(Id('a'));
  ending.set_namespace_ends(true);
  ASSERT_TRUE(controller_->Detach(ending).ok());
  // netd leaves the pair to the kernel but frees the address at once.
  EXPECT_EQ(driver_.endpoints.count(veth), 1u);
  auto b = controller_->Attach(AttachTo(Id('b'), {"bridge"}));
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->endpoints(0).ipv4_address(), a->endpoints(0).ipv4_address());
  ASSERT_TRUE(controller_->Detach(DetachOf(Id('b'))).ok());
  EXPECT_EQ(driver_.endpoints.count(b->endpoints(0).host_interface()), 0u);
}

network::v1::ConnectContainerRequest ConnectTo(const std::string& id,
                                               const std::string& network) {
  network::v1::ConnectContainerRequest request;
  request.mutable_container()->set_container_id(id);
  request.mutable_container()->set_name("c-" + id.substr(0, 1));
  request.mutable_container()->set_hostname(id.substr(0, 12));
  request.set_netns_path("/proc/1/ns/net");
  request.mutable_network()->set_network(network);
  return request;
}

network::v1::DisconnectContainerRequest DisconnectFrom(
    const std::string& id, const std::string& network, bool force = false) {
  network::v1::DisconnectContainerRequest request;
  request.set_container_id(id);
  request.set_network(network);
  request.set_force(force);
  return request;
}

TEST_F(NetworkEndpointsTest, ConnectAddsAnInterfaceWithItsNamesAndDisconnectTakesThem) {
  ASSERT_TRUE(controller_->Create(WithSubnet("app", "10.5.0.0/24")).ok());
  ASSERT_TRUE(controller_->Attach(AttachTo(Id('a'), {"bridge"})).ok());
  ASSERT_TRUE(controller_->Attach(AttachTo(Id('b'), {"app"})).ok());
  EXPECT_EQ(dns_.served.count(Id('a')), 0u);

  network::v1::ConnectContainerRequest request = ConnectTo(Id('a'), "app");
  request.mutable_network()->mutable_config()->add_aliases("db");
  absl::StatusOr<network::v1::ConnectContainerResponse> connected =
      controller_->Connect(request);
  ASSERT_TRUE(connected.ok()) << connected.status();
  const types::v1::NetworkEndpoint& endpoint = connected->endpoint();
  EXPECT_EQ(endpoint.interface_name(), "eth1");
  EXPECT_EQ(endpoint.ipv4_address(), "10.5.0.3");
  const bridge::EndpointSpec& spec = driver_.endpoints[endpoint.host_interface()];
  EXPECT_FALSE(spec.default_route);  // eth0 keeps the way out
  // Its first user network: the embedded DNS starts, resolv.conf turns to it.
  EXPECT_EQ(dns_.served[Id('a')], "/proc/1/ns/net");
  EXPECT_THAT(connected->resolv_conf(), HasSubstr("nameserver 127.0.0.11\n"));
  absl::StatusOr<ipam::Ipv4> ip = ipam::ParseIpv4("10.5.0.3", "");
  EXPECT_EQ(controller_->Resolve(Id('b'), "db"),
            std::optional<std::vector<uint32_t>>(std::vector<uint32_t>{*ip}));
  EXPECT_EQ(controller_->Resolve(Id('b'), "c-a"),
            std::optional<std::vector<uint32_t>>(std::vector<uint32_t>{*ip}));

  absl::StatusOr<network::v1::ConnectContainerResponse> twice =
      controller_->Connect(ConnectTo(Id('a'), "app"));
  EXPECT_EQ(twice.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(twice.status().message(),
              HasSubstr("endpoint with name c-a already exists in network app"));
  EXPECT_EQ(controller_->Connect(ConnectTo(Id('a'), "nosuch")).status().code(),
            absl::StatusCode::kNotFound);
  // A second user network: DNS already serves it, resolv.conf stays.
  ASSERT_TRUE(controller_->Create(Named("more")).ok());
  auto more = controller_->Connect(ConnectTo(Id('a'), "more"));
  ASSERT_TRUE(more.ok()) << more.status();
  EXPECT_EQ(more->endpoint().interface_name(), "eth2");
  EXPECT_EQ(more->resolv_conf(), "");

  ASSERT_TRUE(controller_->Disconnect(DisconnectFrom(Id('a'), "app")).ok());
  EXPECT_EQ(driver_.endpoints.count(endpoint.host_interface()), 0u);
  EXPECT_EQ(controller_->Resolve(Id('b'), "db"), std::nullopt);
  absl::Status again = controller_->Disconnect(DisconnectFrom(Id('a'), "app"));
  EXPECT_EQ(again.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(again.message(), HasSubstr("is not connected to network app"));
  EXPECT_TRUE(controller_->Disconnect(DisconnectFrom(Id('a'), "app", true)).ok());
  // The address is free again; the next connect is eth3 (eth2 still in use).
  auto c = controller_->Attach(AttachTo(Id('c'), {"app"}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->endpoints(0).ipv4_address(), "10.5.0.3");
  auto back = controller_->Connect(ConnectTo(Id('a'), "app"));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->endpoint().interface_name(), "eth3");
}

TEST_F(NetworkEndpointsTest, ConnectRefusesWhatTheDefaultBridgeCannotDo) {
  ASSERT_TRUE(controller_->Create(Named("app")).ok());
  ASSERT_TRUE(controller_->Attach(AttachTo(Id('a'), {"app"})).ok());
  network::v1::ConnectContainerRequest fixed = ConnectTo(Id('a'), "bridge");
  fixed.mutable_network()->mutable_config()->set_ipv4_address("172.17.0.9");
  EXPECT_THAT(controller_->Connect(fixed).status().message(),
              HasSubstr("user specified IP address is supported on user "
                        "defined networks only"));
  network::v1::ConnectContainerRequest aliased = ConnectTo(Id('a'), "bridge");
  aliased.mutable_network()->mutable_config()->add_aliases("x");
  EXPECT_THAT(controller_->Connect(aliased).status().message(),
              HasSubstr("network-scoped alias is supported only"));
  EXPECT_EQ(driver_.endpoints.size(), 1u);

  // Without endpoints left, the next connect carries the default route.
  ASSERT_TRUE(controller_->Disconnect(DisconnectFrom(Id('a'), "app")).ok());
  auto bridge = controller_->Connect(ConnectTo(Id('a'), "bridge"));
  ASSERT_TRUE(bridge.ok()) << bridge.status();
  EXPECT_EQ(bridge->endpoint().interface_name(), "eth0");
  EXPECT_TRUE(driver_.endpoints[bridge->endpoint().host_interface()].default_route);
}

TEST_F(NetworkEndpointsTest, DisconnectingTheWayOutMovesTheDefaultRoute) {
  ASSERT_TRUE(controller_->Create(WithSubnet("app", "10.5.0.0/24")).ok());
  auto attached = controller_->Attach(AttachTo(Id('a'), {"bridge"}));
  ASSERT_TRUE(attached.ok());
  EXPECT_TRUE(attached->endpoints(0).default_route());
  auto app = controller_->Connect(ConnectTo(Id('a'), "app"));
  ASSERT_TRUE(app.ok());
  EXPECT_FALSE(app->endpoint().default_route());
  ASSERT_TRUE(controller_->Disconnect(DisconnectFrom(Id('a'), "bridge")).ok());
  EXPECT_EQ(driver_.default_routes["/proc/1/ns/net"], *ipam::ParseIpv4("10.5.0.1", ""));
  auto listed = controller_->ListEndpoints({});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->endpoints_size(), 1);
  EXPECT_TRUE(listed->endpoints(0).default_route());
  // Disconnecting what does not hold it moves nothing.
  driver_.default_routes.clear();
  ASSERT_TRUE(controller_->Connect(ConnectTo(Id('a'), "bridge")).ok());
  ASSERT_TRUE(controller_->Disconnect(DisconnectFrom(Id('a'), "bridge")).ok());
  EXPECT_TRUE(driver_.default_routes.empty());
}

TEST_F(NetworkEndpointsTest, AConnectWhoseDnsFailsLeavesNothing) {
  ASSERT_TRUE(controller_->Create(Named("app")).ok());
  ASSERT_TRUE(controller_->Attach(AttachTo(Id('a'), {"bridge"})).ok());
  dns_.fail_next = absl::InternalError("bind 127.0.0.11:53: address in use");
  EXPECT_FALSE(controller_->Connect(ConnectTo(Id('a'), "app")).ok());
  EXPECT_EQ(driver_.endpoints.size(), 1u);
  auto listed = controller_->ListEndpoints({});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->endpoints_size(), 1);
}

}  // namespace
}  // namespace berth::netd
