#include "services/netd/network_records.h"

#include "gtest/gtest.h"

namespace berth::netd {
namespace {

using network::v1::Network;

Network Make(const std::string& id, const std::string& name) {
  Network network;
  network.set_id(id);
  network.set_name(name);
  return network;
}

TEST(NetworkRecordsTest, NamesFollowDockersRule) {
  EXPECT_TRUE(ValidateNetworkName("a").ok());
  EXPECT_TRUE(ValidateNetworkName("my_net.1-x").ok());
  EXPECT_FALSE(ValidateNetworkName("").ok());
  EXPECT_FALSE(ValidateNetworkName("_x").ok());
  EXPECT_FALSE(ValidateNetworkName("a b").ok());
  EXPECT_FALSE(ValidateNetworkName("a/b").ok());
}

TEST(NetworkRecordsTest, FindByNameIdOrUniquePrefix) {
  std::vector<Network> all = {Make("abc123", "web"), Make("abd456", "abc"),
                              Make("ffe789", "db")};
  // An exact name wins over an id prefix.
  EXPECT_EQ(FindNetwork(all, "abc")->id(), "abd456");
  EXPECT_EQ(FindNetwork(all, "ffe")->name(), "db");
  EXPECT_EQ(FindNetwork(all, "abc123")->name(), "web");
  EXPECT_TRUE(absl::IsInvalidArgument(FindNetwork(all, "ab").status()));
  absl::Status missing = FindNetwork(all, "zzz").status();
  EXPECT_TRUE(absl::IsNotFound(missing));
  EXPECT_EQ(missing.message(), "network zzz not found");
  EXPECT_TRUE(absl::IsNotFound(FindNetwork(all, "").status()));
}

TEST(NetworkRecordsTest, DanglingNeverMatchesPredefined) {
  Network bridge = Make("1", "bridge");
  bridge.set_predefined(true);
  network::v1::NetworkFilter dangling;
  dangling.set_dangling(true);
  EXPECT_FALSE(MatchesNetworkFilter(bridge, dangling, false));
  EXPECT_TRUE(MatchesNetworkFilter(Make("2", "x"), dangling, false));
  EXPECT_FALSE(MatchesNetworkFilter(Make("2", "x"), dangling, true));
}

}  // namespace
}  // namespace berth::netd
