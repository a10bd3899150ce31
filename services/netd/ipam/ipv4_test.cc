#include "services/netd/ipam/ipv4.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace berth::netd::ipam {
namespace {

using ::testing::HasSubstr;

TEST(Ipv4Test, ParsesAndPrintsDottedQuads) {
  absl::StatusOr<Ipv4> address = ParseIpv4("172.18.0.2", "ip");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_EQ(*address, (172u << 24) | (18u << 16) | 2u);
  EXPECT_EQ(FormatIpv4(*address), "172.18.0.2");
  EXPECT_EQ(FormatIpv4(0xffffffff), "255.255.255.255");
}

TEST(Ipv4Test, RefusesWhatIsNoIpv4Address) {
  for (const char* bad : {"", "10.1", "10.0.0.256", "10.0.0.1/8", "fe80::1",
                          "010.0.0.1", "1.2.3.4.5", "a.b.c.d", "1..2.3"}) {
    absl::StatusOr<Ipv4> parsed = ParseIpv4(bad, "gateway");
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
    EXPECT_THAT(parsed.status().message(), HasSubstr("invalid gateway")) << bad;
  }
}

TEST(Ipv4Test, PrefixesContainAndOverlap) {
  absl::StatusOr<Prefix> wide = ParsePrefix("172.16.0.0/12", "subnet");
  absl::StatusOr<Prefix> one = ParsePrefix("172.18.0.0/16", "subnet");
  absl::StatusOr<Prefix> other = ParsePrefix("192.168.0.0/20", "subnet");
  ASSERT_TRUE(wide.ok() && one.ok() && other.ok());
  EXPECT_EQ(FormatPrefix(*one), "172.18.0.0/16");
  EXPECT_EQ(one->Size(), 65536u);
  EXPECT_EQ(FormatIpv4(one->Last()), "172.18.255.255");
  EXPECT_TRUE(wide->Contains(*one));
  EXPECT_FALSE(one->Contains(*wide));
  EXPECT_TRUE(one->Overlaps(*wide));
  EXPECT_TRUE(wide->Overlaps(*one));
  EXPECT_FALSE(one->Overlaps(*other));
  EXPECT_TRUE(one->Contains(*ParseIpv4("172.18.255.1", "ip")));
  EXPECT_FALSE(one->Contains(*ParseIpv4("172.19.0.1", "ip")));
  absl::StatusOr<Prefix> all = ParsePrefix("0.0.0.0/0", "route");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->Size(), uint64_t{1} << 32);
  EXPECT_TRUE(all->Overlaps(*other));
}

TEST(Ipv4Test, PrefixWithHostBitsIsDockersError) {
  absl::StatusOr<Prefix> parsed = ParsePrefix("172.30.0.1/16", "subnet");
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "invalid subnet 172.30.0.1/16: it should be 172.30.0.0/16");
  for (const char* bad : {"172.30.0.0", "172.30.0.0/33", "172.30.0.0/", "/16",
                          "172.30.0.0/1a", "fd00::/64"}) {
    EXPECT_EQ(ParsePrefix(bad, "subnet").status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

}  // namespace
}  // namespace berth::netd::ipam
