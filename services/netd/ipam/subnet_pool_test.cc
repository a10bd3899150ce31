#include "services/netd/ipam/subnet_pool.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::netd::ipam {
namespace {

using ::testing::HasSubstr;

Prefix P(const char* text) { return *ParsePrefix(text, "subnet"); }

std::string Picked(const std::vector<AddressPool>& pools,
                   const std::vector<Prefix>& in_use) {
  absl::StatusOr<Prefix> picked = PickSubnet(pools, in_use);
  return picked.ok() ? FormatPrefix(*picked)
                     : std::string(picked.status().message());
}

TEST(SubnetPoolTest, DockersDefaultsInOrder) {
  const std::vector<AddressPool> pools = DefaultAddressPools();
  ASSERT_EQ(pools.size(), 16u);
  EXPECT_EQ(Picked(pools, {}), "172.17.0.0/16");
  // The default bridge holds 172.17: the first user network is 172.18.
  EXPECT_EQ(Picked(pools, {P("172.17.0.0/16")}), "172.18.0.0/16");
  // A host route inside 172.18 (a VPN, say) skips that block.
  EXPECT_EQ(Picked(pools, {P("172.17.0.0/16"), P("172.18.5.0/24")}),
            "172.19.0.0/16");
}

TEST(SubnetPoolTest, AfterThe172BlocksComeThe192168Twenties) {
  std::vector<Prefix> in_use = {P("172.16.0.0/12")};  // one wide route
  EXPECT_EQ(Picked(DefaultAddressPools(), in_use), "192.168.0.0/20");
  in_use.push_back(P("192.168.0.0/20"));
  in_use.push_back(P("192.168.16.0/24"));
  EXPECT_EQ(Picked(DefaultAddressPools(), in_use), "192.168.32.0/20");
  in_use.push_back(P("192.168.0.0/16"));
  EXPECT_EQ(Picked(DefaultAddressPools(), in_use),
            "all predefined address pools have been fully subnetted");
  EXPECT_EQ(PickSubnet(DefaultAddressPools(), in_use).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(SubnetPoolTest, ConfiguredPoolsAndBadSizes) {
  const std::vector<AddressPool> pools = {{P("10.10.0.0/16"), 24}};
  EXPECT_EQ(Picked(pools, {P("10.10.0.0/24"), P("10.10.1.0/24")}),
            "10.10.2.0/24");
  EXPECT_EQ(ValidatePool({P("10.10.0.0/16"), 8}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidatePool({P("10.10.0.0/16"), 31}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidatePool({P("10.10.0.0/16"), 16}).ok());
}

TEST(SubnetPoolTest, AGivenSubnetMustOverlapNothing) {
  EXPECT_TRUE(CheckNoOverlap(P("10.1.0.0/16"), {P("172.17.0.0/16")},
                             {P("192.168.1.0/24")})
                  .ok());
  absl::Status network =
      CheckNoOverlap(P("172.17.5.0/24"), {P("172.17.0.0/16")}, {});
  EXPECT_EQ(network.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(network.message(), HasSubstr("Pool overlaps with other one"));
  absl::Status route =
      CheckNoOverlap(P("192.168.0.0/16"), {}, {P("192.168.1.0/24")});
  EXPECT_EQ(route.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(route.message(), HasSubstr("192.168.1.0/24"));
}

}  // namespace
}  // namespace berth::netd::ipam
