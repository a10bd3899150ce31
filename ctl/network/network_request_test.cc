#include "ctl/network/network_request.h"

#include <string>
#include <vector>

#include "common/text_proto_testing.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace berth::ctl {
namespace {

using ::berth::testing::ParseTextProto;
using network::v1::CreateNetworkRequest;
using network::v1::NetworkFilter;

bool Equal(const google::protobuf::Message& a,
           const google::protobuf::Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// The message Docker's CLI prints for `flags`, or "" when it builds.
std::string ErrorOf(const NetworkCreateFlags& flags) {
  absl::StatusOr<CreateNetworkRequest> request =
      BuildCreateNetworkRequest(flags);
  if (request.ok()) return "";
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(request.status().message());
}

NetworkCreateFlags Named(const std::string& name) {
  NetworkCreateFlags flags;
  flags.name = name;
  return flags;
}

TEST(BuildCreateNetworkRequestTest, DefaultsLeaveIpamToNetd) {
  absl::StatusOr<CreateNetworkRequest> request =
      BuildCreateNetworkRequest(Named("web"));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_TRUE(Equal(*request, ParseTextProto<CreateNetworkRequest>(
                                  R"pb(name: "web" driver: "bridge")pb")))
      << request->DebugString();
}

TEST(BuildCreateNetworkRequestTest, GroupsAddressesUnderTheirSubnets) {
  NetworkCreateFlags flags = Named("n");
  flags.driver = "bridge";
  flags.subnets = {"10.1.0.0/16", "fd00::/64"};
  flags.gateways = {"fd00::1", "10.1.0.254"};
  flags.ip_ranges = {"10.1.2.0/24"};
  flags.aux_addresses = {"router=10.1.0.2", "dns=fd00::53", "router=10.1.0.3"};
  flags.labels = {"a=1", "b", "a=2"};
  flags.options = {"com.docker.network.bridge.name=br-x", "flag"};
  flags.ipam_options = {"k=v"};
  flags.internal = true;
  flags.attachable = true;
  flags.ipv6 = true;
  absl::StatusOr<CreateNetworkRequest> request =
      BuildCreateNetworkRequest(flags);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_TRUE(Equal(*request, ParseTextProto<CreateNetworkRequest>(R"pb(
    name: "n"
    driver: "bridge"
    ipam {
      driver: "default"
      pools {
        subnet: "10.1.0.0/16"
        ip_range: "10.1.2.0/24"
        gateway: "10.1.0.254"
        aux_addresses { key: "router" value: "10.1.0.3" }
      }
      pools {
        subnet: "fd00::/64"
        gateway: "fd00::1"
        aux_addresses { key: "dns" value: "fd00::53" }
      }
      options { key: "k" value: "v" }
    }
    internal: true
    attachable: true
    enable_ipv6: true
    labels { key: "a" value: "2" }
    labels { key: "b" value: "" }
    options { key: "com.docker.network.bridge.name" value: "br-x" }
    options { key: "flag" value: "" }
  )pb"))) << request->DebugString();
}

TEST(BuildCreateNetworkRequestTest, SlicesSplitAtCommas) {
  NetworkCreateFlags flags = Named("n");
  flags.subnets = {"10.0.0.0/24,10.1.0.0/24"};
  flags.gateways = {"10.1.0.1,10.0.0.1"};
  absl::StatusOr<CreateNetworkRequest> request =
      BuildCreateNetworkRequest(flags);
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_EQ(request->ipam().pools_size(), 2);
  EXPECT_EQ(request->ipam().pools(0).gateway(), "10.0.0.1");
  EXPECT_EQ(request->ipam().pools(1).gateway(), "10.1.0.1");
}

TEST(BuildCreateNetworkRequestTest, OtherIpamDriverIsSent) {
  NetworkCreateFlags flags = Named("n");
  flags.ipam_driver = "custom";
  absl::StatusOr<CreateNetworkRequest> request =
      BuildCreateNetworkRequest(flags);
  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->ipam().driver(), "custom");
  EXPECT_EQ(request->ipam().pools_size(), 0);
}

// Docker 28's words for each, checked with its client.
TEST(BuildCreateNetworkRequestTest, DockersErrors) {
  NetworkCreateFlags flags = Named("n");
  flags.gateways = {"1.2.3.4"};
  EXPECT_EQ(ErrorOf(flags),
            "every ip-range or gateway must have a corresponding subnet");
  flags = Named("n");
  flags.ip_ranges = {"x"};
  EXPECT_EQ(ErrorOf(flags),
            "every ip-range or gateway must have a corresponding subnet");
  flags = Named("n");
  flags.subnets = {"10.0.0.0/24"};
  flags.gateways = {"10.0.0.1", "10.0.0.2"};
  EXPECT_EQ(ErrorOf(flags),
            "every ip-range or gateway must have a corresponding subnet");

  flags = Named("n");
  flags.subnets = {"10.0.0.0/24"};
  flags.gateways = {"10.1.0.1"};
  EXPECT_EQ(ErrorOf(flags), "no matching subnet for gateway 10.1.0.1");
  flags.gateways = {"x"};
  EXPECT_EQ(ErrorOf(flags), "no matching subnet for gateway x");

  flags = Named("n");
  flags.subnets = {"10.0.0.0/24"};
  flags.ip_ranges = {"x"};
  EXPECT_EQ(ErrorOf(flags), "invalid CIDR address: x");

  flags = Named("n");
  flags.subnets = {"x"};
  flags.gateways = {"1.2.3.4"};
  EXPECT_EQ(ErrorOf(flags), "invalid subnet: invalid CIDR address: x");
  flags.subnets = {"10.0.0.0/33"};
  EXPECT_EQ(ErrorOf(flags),
            "invalid subnet: invalid CIDR address: 10.0.0.0/33");

  flags = Named("n");
  flags.subnets = {"10.0.0.0/24", "10.0.0.0/16"};
  EXPECT_EQ(ErrorOf(flags),
            "multiple overlapping subnet configuration is not supported");

  flags = Named("n");
  flags.subnets = {"10.0.0.0/24", "10.1.0.0/24"};
  flags.ip_ranges = {"10.0.0.0/25", "10.0.0.128/25"};
  EXPECT_EQ(ErrorOf(flags),
            "cannot configure multiple ranges (10.0.0.128/25, 10.0.0.0/25) "
            "on the same subnet (10.0.0.0/24)");
  flags.ip_ranges = {"10.2.0.0/25"};
  EXPECT_EQ(ErrorOf(flags), "no matching subnet for range 10.2.0.0/25");
  flags.ip_ranges = {};
  flags.gateways = {"10.0.0.1", "10.0.0.2"};
  EXPECT_EQ(ErrorOf(flags),
            "cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the "
            "same subnet (10.0.0.0/24)");

  flags = Named("n");
  flags.aux_addresses = {"foo"};
  EXPECT_EQ(ErrorOf(flags), "no matching subnet for aux-address ");
  flags.subnets = {"10.0.0.0/24"};
  flags.aux_addresses = {"a=10.1.1.1"};
  EXPECT_EQ(ErrorOf(flags), "no matching subnet for aux-address 10.1.1.1");
  // --aux-address is a map flag: a comma is part of the value.
  flags.aux_addresses = {"a=10.0.0.5,b=10.0.0.6"};
  EXPECT_EQ(ErrorOf(flags),
            "no matching subnet for aux-address 10.0.0.5,b=10.0.0.6");
}

TEST(BuildNetworkFilterTest, EveryTerm) {
  std::vector<std::string> scopes;
  absl::StatusOr<NetworkFilter> filter = BuildNetworkFilter(
      {{"driver", "bridge"},
       {"id", "1a2b"},
       {"name", "web"},
       {"name", "db"},
       {"label", "env=prod"},
       {"label", "tier"},
       {"scope", "local"},
       {"type", "custom"},
       {"dangling", "true"}},
      &scopes);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_TRUE(Equal(*filter, ParseTextProto<NetworkFilter>(R"pb(
    drivers: "bridge"
    ids: "1a2b"
    names: "web"
    names: "db"
    labels { key: "env" value: "prod" }
    labels { key: "tier" }
    predefined: false
    dangling: true
  )pb"))) << filter->DebugString();
  EXPECT_EQ(scopes, std::vector<std::string>{"local"});
}

TEST(BuildNetworkFilterTest, TypesAndDangling) {
  std::vector<std::string> scopes;
  absl::StatusOr<NetworkFilter> filter =
      BuildNetworkFilter({{"type", "builtin"}, {"dangling", "0"}}, &scopes);
  ASSERT_TRUE(filter.ok());
  EXPECT_TRUE(filter->predefined());
  EXPECT_FALSE(filter->dangling());
  // Both types are every network.
  filter = BuildNetworkFilter({{"type", "builtin"}, {"type", "custom"}},
                              &scopes);
  ASSERT_TRUE(filter.ok());
  EXPECT_FALSE(filter->has_predefined());
  EXPECT_FALSE(filter->has_dangling());
}

TEST(BuildNetworkFilterTest, BadTerms) {
  std::vector<std::string> scopes;
  EXPECT_EQ(BuildNetworkFilter({{"foo", "bar"}}, &scopes).status().message(),
            "invalid filter 'foo'");
  EXPECT_EQ(BuildNetworkFilter({{"type", "x"}}, &scopes).status().message(),
            "invalid filter 'type=x'");
  EXPECT_EQ(
      BuildNetworkFilter({{"dangling", "maybe"}}, &scopes).status().message(),
      "invalid filter 'dangling=maybe'");
  EXPECT_EQ(BuildNetworkFilter({{"dangling", "true"}, {"dangling", "false"}},
                               &scopes)
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildNetworkFilter({{"scope", "x"}}, &scopes).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace berth::ctl
