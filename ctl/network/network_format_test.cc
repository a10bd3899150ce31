#include "ctl/network/network_format.h"

#include <string>
#include <vector>

#include "common/text_proto_testing.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace berth::ctl {
namespace {

using ::berth::testing::ParseTextProto;
using network::v1::Network;
using nlohmann::ordered_json;

constexpr char kId[] =
    "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b";
constexpr char kContainer[] =
    "c0ffee0000000000000000000000000000000000000000000000000000000001";

Network WebNetwork() {
  Network network = ParseTextProto<Network>(R"pb(
    name: "web"
    driver: "bridge"
    scope: "local"
    created { seconds: 1700000000 nanos: 123456000 }
    ipam {
      driver: "default"
      pools {
        subnet: "172.18.0.0/16"
        gateway: "172.18.0.1"
      }
      pools {
        subnet: "10.5.0.0/16"
        ip_range: "10.5.1.0/24"
        gateway: "10.5.0.1"
        aux_addresses { key: "router" value: "10.5.0.2" }
      }
    }
    attachable: true
    options { key: "com.docker.network.bridge.name" value: "br-1a2b3c4d5e6f" }
    labels { key: "tier" value: "front" }
    labels { key: "env" value: "prod" }
  )pb");
  network.set_id(kId);
  types::v1::NetworkEndpoint& endpoint =
      (*network.mutable_containers())[kContainer];
  endpoint.set_container_name("app");
  endpoint.set_endpoint_id("e1");
  endpoint.set_mac_address("02:42:ac:12:00:02");
  endpoint.set_ipv4_address("172.18.0.2");
  endpoint.set_ipv4_prefix_length(16);
  return network;
}

TEST(NetworkInspectJsonTest, DockersShape) {
  const ordered_json json = NetworkInspectJson(WebNetwork());
  std::vector<std::string> keys;
  for (const auto& item : json.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "Name", "Id", "Created", "Scope", "Driver", "EnableIPv4",
                      "EnableIPv6", "IPAM", "Internal", "Attachable",
                      "Ingress", "ConfigFrom", "ConfigOnly", "Containers",
                      "Options", "Labels"}));
  EXPECT_EQ(json["Id"], kId);
  EXPECT_EQ(json["Created"], "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(json["EnableIPv6"], false);
  EXPECT_EQ(json["IPAM"].dump(),
            R"({"Driver":"default","Options":{},"Config":[)"
            R"({"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"},)"
            R"({"Subnet":"10.5.0.0/16","IPRange":"10.5.1.0/24",)"
            R"("Gateway":"10.5.0.1","AuxiliaryAddresses":)"
            R"({"router":"10.5.0.2"}}]})");
  EXPECT_EQ(json["ConfigFrom"].dump(), R"({"Network":""})");
  EXPECT_EQ(json["Containers"][kContainer].dump(),
            R"({"Name":"app","EndpointID":"e1",)"
            R"("MacAddress":"02:42:ac:12:00:02",)"
            R"("IPv4Address":"172.18.0.2/16","IPv6Address":""})");
  // Maps are sorted, as Go marshals them.
  EXPECT_EQ(json["Labels"].dump(), R"({"env":"prod","tier":"front"})");
}

TEST(NetworkInspectJsonTest, EmptyMapsOfPredefinedNetwork) {
  Network host = ParseTextProto<Network>(R"pb(
    name: "host" driver: "host" scope: "local" predefined: true
  )pb");
  const ordered_json json = NetworkInspectJson(host);
  EXPECT_EQ(json["IPAM"].dump(),
            R"({"Driver":"default","Options":null,"Config":[]})");
  EXPECT_EQ(json["Containers"].dump(), "{}");
  EXPECT_EQ(json["Options"].dump(), "{}");
  EXPECT_EQ(json["Labels"].dump(), "{}");
}

TEST(RenderNetworkListTest, DefaultTable) {
  Network web = WebNetwork();
  Network none = ParseTextProto<Network>(R"pb(
    id: "99887766554433221100" name: "none" driver: "null" scope: "local"
  )pb");
  absl::StatusOr<std::string> out =
      RenderNetworkList({&none, &web}, {}, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "NETWORK ID     NAME      DRIVER    SCOPE\n"
            "998877665544   none      null      local\n"
            "1a2b3c4d5e6f   web       bridge    local\n");
}

TEST(RenderNetworkListTest, QuietAndNoTrunc) {
  Network web = WebNetwork();
  NetworkListOptions options;
  options.quiet = true;
  absl::StatusOr<std::string> out =
      RenderNetworkList({&web}, options, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "1a2b3c4d5e6f\n");
  options.no_trunc = true;
  out = RenderNetworkList({&web}, options, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, std::string(kId) + "\n");
  // A template wins over -q, as in Docker.
  options.format = "{{.Name}}";
  out = RenderNetworkList({&web}, options, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, "web\n");
}

TEST(RenderNetworkListTest, TemplatesSeeDockersFields) {
  Network web = WebNetwork();
  NetworkListOptions options;
  options.format =
      "{{.ID}} {{.IPv6}} {{.Internal}} {{.Labels}} {{.Label \"tier\"}} "
      "{{.CreatedAt}}";
  absl::StatusOr<std::string> out =
      RenderNetworkList({&web}, options, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            "1a2b3c4d5e6f false false env=prod,tier=front front "
            "2023-11-14 22:13:20.123456 +0000 UTC\n");

  options.format = "json";
  out = RenderNetworkList({&web}, options, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            R"({"CreatedAt":"2023-11-14 22:13:20.123456 +0000 UTC",)"
            R"("Driver":"bridge","ID":"1a2b3c4d5e6f","IPv4":"true",)"
            R"("IPv6":"false","Internal":"false",)"
            R"("Labels":"env=prod,tier=front","Name":"web","Scope":"local"})"
            "\n");

  options.format = "table {{.Name}}\\t{{.Internal}}";
  out = RenderNetworkList({&web}, options, absl::UTCTimeZone());
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "NAME      INTERNAL\nweb       false\n");

  options.format = "{{.Foo}}";
  out = RenderNetworkList({&web}, options, absl::UTCTimeZone());
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("can't evaluate field Foo in type "
                                        "*network.networkContext"),
            absl::string_view::npos)
      << out.status();
}

TEST(RenderPrunedNetworksTest, DockersReport) {
  network::v1::PruneNetworksResponse response;
  EXPECT_EQ(RenderPrunedNetworks(response), "");
  response.add_deleted("web");
  response.add_deleted("db");
  EXPECT_EQ(RenderPrunedNetworks(response), "Deleted Networks:\nweb\ndb\n\n");
}

}  // namespace
}  // namespace berth::ctl
