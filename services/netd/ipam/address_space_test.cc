#include "services/netd/ipam/address_space.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::netd::ipam {
namespace {

using ::testing::HasSubstr;

Ipv4 Ip(const char* text) { return *ParseIpv4(text, "ip"); }

PoolRequest Pool(std::string subnet, std::string ip_range = "",
                 std::string gateway = "", std::vector<std::string> aux = {}) {
  PoolRequest request;
  request.subnet = std::move(subnet);
  request.ip_range = std::move(ip_range);
  request.gateway = std::move(gateway);
  request.aux_addresses = std::move(aux);
  return request;
}

AddressSpace Space(PoolRequest request) {
  absl::StatusOr<AddressSpace> space = AddressSpace::Create(request);
  EXPECT_TRUE(space.ok()) << space.status();
  return *std::move(space);
}

std::string Next(AddressSpace& space) {
  absl::StatusOr<Ipv4> address = space.Allocate();
  return address.ok() ? FormatIpv4(*address)
                      : std::string(address.status().message());
}

TEST(AddressSpaceTest, GatewayFirstThenLowestFreeAddresses) {
  AddressSpace space = Space(Pool("172.18.0.0/16"));
  EXPECT_EQ(FormatIpv4(space.gateway()), "172.18.0.1");
  EXPECT_EQ(Next(space), "172.18.0.2");
  EXPECT_EQ(Next(space), "172.18.0.3");
  space.Release(Ip("172.18.0.2"));
  EXPECT_EQ(Next(space), "172.18.0.2");  // freed, so the lowest again
  EXPECT_EQ(Next(space), "172.18.0.4");
  space.Release(Ip("172.18.9.9"));  // not in use: nothing happens
  EXPECT_EQ(space.used_count(), 3u);
}

TEST(AddressSpaceTest, NeverTheNetworkBroadcastGatewayOrReserved) {
  AddressSpace space = Space(Pool("10.5.0.0/29", "", "10.5.0.2", {"10.5.0.3"}));
  // Usable: .1 .. .6; .2 the gateway, .3 reserved.
  EXPECT_EQ(Next(space), "10.5.0.1");
  EXPECT_EQ(Next(space), "10.5.0.4");
  EXPECT_EQ(Next(space), "10.5.0.5");
  EXPECT_EQ(Next(space), "10.5.0.6");
  absl::StatusOr<Ipv4> full = space.Allocate();
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(full.status().message(), HasSubstr("no available IPv4"));
}

TEST(AddressSpaceTest, DynamicAddressesComeFromTheIpRange) {
  AddressSpace space = Space(Pool("172.20.0.0/16", "172.20.5.0/24"));
  EXPECT_EQ(FormatIpv4(space.gateway()), "172.20.0.1");
  EXPECT_EQ(Next(space), "172.20.5.0");  // inside the subnet: usable
  EXPECT_EQ(Next(space), "172.20.5.1");
  // A fixed address may lie outside the range, not outside the subnet.
  EXPECT_TRUE(space.AllocateFixed(Ip("172.20.9.9")).ok());
}

TEST(AddressSpaceTest, FixedAddressesAreCheckedAndNeverGivenTwice) {
  AddressSpace space = Space(Pool("172.18.0.0/16"));
  EXPECT_TRUE(space.AllocateFixed(Ip("172.18.0.2")).ok());
  absl::Status again = space.AllocateFixed(Ip("172.18.0.2"));
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("Address already in use"));
  EXPECT_EQ(space.AllocateFixed(Ip("172.18.0.1")).code(),
            absl::StatusCode::kFailedPrecondition);  // the gateway
  EXPECT_EQ(space.AllocateFixed(Ip("172.18.0.0")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.AllocateFixed(Ip("172.18.255.255")).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(space.AllocateFixed(Ip("172.19.0.2")).code(),
            absl::StatusCode::kInvalidArgument);
  // The dynamic allocation steps over the fixed one.
  EXPECT_EQ(Next(space), "172.18.0.3");
}

TEST(AddressSpaceTest, RestoreRebuildsAndCatchesDoubleRecords) {
  AddressSpace space = Space(Pool("172.18.0.0/16"));
  EXPECT_TRUE(space.Restore(Ip("172.18.0.2")).ok());
  EXPECT_TRUE(space.Restore(Ip("172.18.0.3")).ok());
  EXPECT_EQ(space.Restore(Ip("172.18.0.3")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(space.Restore(Ip("10.0.0.1")).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Next(space), "172.18.0.4");
}

TEST(AddressSpaceTest, BadPoolsAreDockersErrors) {
  struct Case {
    PoolRequest request;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {Pool("172.18.0.0/16", "172.19.0.0/24"),
            "no matching subnet for range 172.19.0.0/24"},
           {Pool("172.18.0.0/16", "", "172.19.0.1"),
            "no matching subnet for gateway 172.19.0.1"},
           {Pool("172.18.0.0/16", "", "", {"10.0.0.1"}),
            "no matching subnet for aux-address 10.0.0.1"},
           {Pool("172.18.0.0/16", "", "172.18.0.0"), "network address"},
           {Pool("172.18.0.0/16", "", "172.18.255.255"), "broadcast address"},
           {Pool("172.18.0.1/16"), "it should be 172.18.0.0/16"},
           {Pool("172.18.0.0/31"), "at most /30"},
           {Pool(""), "invalid subnet"},
           {Pool("172.18.0.0/16", "", "gw"), "invalid gateway"},
       }) {
    absl::StatusOr<AddressSpace> space = AddressSpace::Create(c.request);
    EXPECT_EQ(space.status().code(), absl::StatusCode::kInvalidArgument)
        << c.error;
    EXPECT_THAT(space.status().message(), HasSubstr(c.error));
  }
}

}  // namespace
}  // namespace berth::netd::ipam
