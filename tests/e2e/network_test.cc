// End to end: `berth network` create/ls/inspect/rm/prune through the CLI
// against berthd, which runs in the test environment's own network
// namespace: a created network has a real bridge with its gateway address
// there, the default bridge (berth0) exists from the start, subnets come
// from the pools without overlapping, networks survive a kill -9 of berthd,
// and rm/prune take the bridges away.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/container_fixture.h"

namespace berth::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class NetworkE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    berthd_ = env_.StartDaemon(kBerthd);
    ASSERT_TRUE(env_.WaitHealthy(kAll));
  }

  // The links of the environment's namespace, from /proc/net/dev as a
  // process inside it reads it.
  std::vector<std::string> Links() {
    RunResult dev = RunCommand(env_.InNetns({"/bin/cat", "/proc/net/dev"}));
    EXPECT_EQ(dev.exit_code, 0) << dev.err;
    std::vector<std::string> links;
    for (const std::string& line : Lines(dev.out)) {
      const size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      links.emplace_back(absl::StripAsciiWhitespace(line.substr(0, colon)));
    }
    return links;
  }
  bool HasLink(const std::string& name) {
    std::vector<std::string> links = Links();
    return std::find(links.begin(), links.end(), name) != links.end();
  }
  // The namespace's IPv4 routes: a bridge with its address has its
  // subnet's route there.
  std::string RouteTable() {
    RunResult route = RunCommand(env_.InNetns({"/bin/cat", "/proc/net/route"}));
    EXPECT_EQ(route.exit_code, 0) << route.err;
    return route.out;
  }
  nlohmann::json InspectNetwork(const std::string& name) {
    RunResult inspected = env_.Berth({"network", "inspect", name});
    EXPECT_EQ(inspected.exit_code, 0) << inspected.err;
    nlohmann::json parsed = nlohmann::json::parse(inspected.out, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array() || parsed.size() != 1) {
      ADD_FAILURE() << "bad network inspect output: " << inspected.out;
      return nlohmann::json::object();
    }
    return parsed[0];
  }
  std::vector<std::string> Names() {
    RunResult ls = env_.Berth({"network", "ls", "--format", "{{.Name}}"});
    EXPECT_EQ(ls.exit_code, 0) << ls.err;
    return Lines(ls.out);
  }

  BerthEnv env_;
  std::unique_ptr<Daemon> berthd_;
};

TEST_F(NetworkE2eTest, PredefinedNetworksAndTheDefaultBridge) {
  EXPECT_THAT(Names(), ElementsAre("bridge", "host", "none"));
  nlohmann::json bridge = InspectNetwork("bridge");
  EXPECT_EQ(bridge["Driver"], "bridge");
  EXPECT_EQ(bridge["Scope"], "local");
  EXPECT_EQ(bridge["IPAM"]["Config"][0]["Subnet"], "172.17.0.0/16");
  EXPECT_EQ(bridge["IPAM"]["Config"][0]["Gateway"], "172.17.0.1");
  EXPECT_EQ(bridge["Options"]["com.docker.network.bridge.name"], "berth0");
  EXPECT_TRUE(HasLink("berth0"));
  // 172.17.0.0/16 on berth0, in /proc/net/route's little-endian hex.
  EXPECT_THAT(RouteTable(), HasSubstr("berth0\t000011AC"));
  EXPECT_EQ(InspectNetwork("none")["Driver"], "null");
  EXPECT_EQ(InspectNetwork("host")["Driver"], "host");

  RunResult rm = env_.Berth({"network", "rm", "bridge"});
  EXPECT_EQ(rm.exit_code, 1);
  EXPECT_THAT(rm.err, HasSubstr("bridge is a pre-defined network and cannot be removed"));
  EXPECT_TRUE(HasLink("berth0"));
}

TEST_F(NetworkE2eTest, CreateMakesABridgeThatRmTakesAway) {
  const std::string since = absl::StrCat(absl::ToUnixSeconds(absl::Now()) - 1);
  RunResult created = env_.Berth({"network", "create", "--label", "tier=web", "app"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string id(absl::StripAsciiWhitespace(created.out));
  ASSERT_EQ(id.size(), 64u) << created.out;
  const std::string bridge = "br-" + id.substr(0, 12);
  EXPECT_TRUE(HasLink(bridge));
  EXPECT_THAT(RouteTable(), HasSubstr(bridge + "\t000012AC"));  // 172.18/16

  nlohmann::json app = InspectNetwork("app");
  EXPECT_EQ(app["Id"], id);
  EXPECT_EQ(app["Name"], "app");
  EXPECT_EQ(app["IPAM"]["Config"][0]["Subnet"], "172.18.0.0/16");
  EXPECT_EQ(app["IPAM"]["Config"][0]["Gateway"], "172.18.0.1");
  EXPECT_EQ(app["Labels"]["tier"], "web");
  EXPECT_TRUE(app["Containers"].empty());

  RunResult ls = env_.Berth({"network", "ls", "--filter", "label=tier=web", "-q"});
  EXPECT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_EQ(ls.out, id.substr(0, 12) + "\n");

  // The same name again, an overlapping subnet, a named bridge.
  RunResult again = env_.Berth({"network", "create", "app"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("network with name app already exists"));
  RunResult overlap =
      env_.Berth({"network", "create", "--subnet", "172.18.4.0/24", "clash"});
  EXPECT_EQ(overlap.exit_code, 1);
  EXPECT_THAT(overlap.err, HasSubstr("172.18.4.0/24"));
  RunResult custom = env_.Berth(
      {"network", "create", "--subnet", "10.91.0.0/24", "--gateway",
       "10.91.0.254", "--ip-range", "10.91.0.128/25", "-o",
       "com.docker.network.bridge.name=lan0", "--internal", "lan"});
  ASSERT_EQ(custom.exit_code, 0) << custom.err;
  EXPECT_TRUE(HasLink("lan0"));
  nlohmann::json lan = InspectNetwork("lan");
  EXPECT_EQ(lan["IPAM"]["Config"][0]["Gateway"], "10.91.0.254");
  EXPECT_EQ(lan["IPAM"]["Config"][0]["IPRange"], "10.91.0.128/25");
  EXPECT_EQ(lan["Internal"], true);
  EXPECT_THAT(Names(), ElementsAre("app", "bridge", "host", "lan", "none"));

  RunResult rm = env_.Berth({"network", "rm", "app"});
  EXPECT_EQ(rm.exit_code, 0) << rm.err;
  EXPECT_EQ(rm.out, "app\n");
  EXPECT_FALSE(HasLink(bridge));
  RunResult missing = env_.Berth({"network", "inspect", "app"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("network app not found"));
  RunResult events = env_.Berth(
      {"events", "--since", since, "--until",
       absl::StrCat(absl::ToUnixSeconds(absl::Now()) + 1), "--filter",
       "network=app", "--format", "{{.Type}} {{.Action}} {{.Actor.ID}}"});
  EXPECT_EQ(events.exit_code, 0) << events.err;
  EXPECT_EQ(events.out, "network create " + id + "\nnetwork destroy " + id + "\n");

  RunResult prune = env_.Berth({"network", "prune", "-f"});
  EXPECT_EQ(prune.exit_code, 0) << prune.err;
  EXPECT_THAT(prune.out, HasSubstr("lan"));
  EXPECT_FALSE(HasLink("lan0"));
  EXPECT_THAT(Names(), ElementsAre("bridge", "host", "none"));
}

TEST_F(NetworkE2eTest, NetworksSurviveAKilledDaemon) {
  RunResult created = env_.Berth({"network", "create", "keep"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string id(absl::StripAsciiWhitespace(created.out));
  berthd_->Signal(SIGKILL);
  berthd_->Wait(absl::Seconds(10));
  berthd_ = env_.StartDaemon(kBerthd);
  ASSERT_TRUE(env_.WaitHealthy(kAll));
  EXPECT_EQ(InspectNetwork("keep")["Id"], id);
  EXPECT_TRUE(HasLink("br-" + id.substr(0, 12)));
  EXPECT_THAT(Names(), ElementsAre("bridge", "host", "keep", "none"));
  // The next network still gets a subnet of its own.
  ASSERT_EQ(env_.Berth({"network", "create", "next"}).exit_code, 0);
  EXPECT_EQ(InspectNetwork("next")["IPAM"]["Config"][0]["Subnet"], "172.19.0.0/16");
}

}  // namespace
}  // namespace berth::testing
