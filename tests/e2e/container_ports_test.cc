// End to end: published ports and the firewall between networks, through
// the CLI, with berthd in the test environment's network namespace (its
// "host"): -p answers on the host's 127.0.0.1 and its own addresses, -P
// picks ports `berth port` reports, a taken host port is exit 125 with
// nothing left behind; containers on different networks cannot reach each
// other, and an internal network reaches nothing but itself.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/network_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::StartsWith;

class ContainerPortsE2eTest : public ContainerNetworkE2eTest {
 protected:
  // wget from the environment's namespace: once, or retried while a
  // server starts.
  RunResult HostFetch(const std::string& url, int tries = 25) {
    RunResult fetched;
    for (int i = 0; i < tries; ++i) {
      // (busybox's own wget -T crashes.)
      fetched = RunCommand(env_.InNetns({"/bin/busybox", "timeout", "3",
                                         "/bin/busybox", "wget", "-q", "-O-", url}));
      if (fetched.exit_code == 0) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    return fetched;
  }
};

TEST_F(ContainerPortsE2eTest, PublishedPortsAnswerOnTheHost) {
  RunResult web = RunServer({"--name", "web", "-p", "127.0.0.1:18080:80"});
  ASSERT_EQ(web.exit_code, 0) << web.err;
  EXPECT_EQ(HostFetch("http://127.0.0.1:18080/").out, "hello\n");
  EXPECT_EQ(env_.Berth({"port", "web"}).out, "80/tcp -> 127.0.0.1:18080\n");
  EXPECT_EQ(env_.Berth({"port", "web", "80/tcp"}).out, "127.0.0.1:18080\n");
  RunResult no_such = env_.Berth({"port", "web", "81"});
  EXPECT_EQ(no_such.exit_code, 1);
  EXPECT_THAT(no_such.err, HasSubstr("No public port '81/tcp' published for web"));
  EXPECT_EQ(env_.Berth({"ps", "--format", "{{.Ports}}", "--filter", "name=web"}).out,
            "127.0.0.1:18080->80/tcp\n");

  // On every address: the host's own (the bridge's gateway) too.
  ASSERT_EQ(RunServer({"--name", "any", "-p", "18081:80"}).exit_code, 0);
  EXPECT_EQ(HostFetch("http://127.0.0.1:18081/").out, "hello\n");
  EXPECT_EQ(HostFetch("http://172.17.0.1:18081/").out, "hello\n");
  // Bound to 127.0.0.1 alone, the other address does not answer.
  EXPECT_NE(HostFetch("http://172.17.0.1:18080/", 1).exit_code, 0);

  // -P: every exposed port on a free ephemeral one.
  ASSERT_EQ(RunServer({"--name", "auto", "--expose", "80", "-P"}).exit_code, 0);
  const std::string picked = env_.Berth({"port", "auto", "80"}).out;
  ASSERT_THAT(picked, MatchesRegex("0\\.0\\.0\\.0:[0-9]+\n"));
  EXPECT_EQ(HostFetch(absl::StrCat("http://127.0.0.1:", picked.substr(8, picked.size() - 9),
                                   "/"))
                .out,
            "hello\n");

  // A taken host port: Docker's error and exit code, nothing half made.
  RunResult clash = RunServer({"--name", "clash", "-p", "127.0.0.1:18080:80"});
  EXPECT_EQ(clash.exit_code, 125);
  EXPECT_THAT(clash.err, HasSubstr("Bind for 127.0.0.1:18080 failed: port is already allocated"));
  EXPECT_EQ(env_.Berth({"ps", "-a", "-q", "--filter", "name=clash"}).out, "");
  EXPECT_EQ(AwaitVeths(3), 3);

  // Stopped, the port goes with the container; started, it is back.
  ASSERT_EQ(env_.Berth({"stop", "-t", "1", "web"}).exit_code, 0);
  EXPECT_NE(HostFetch("http://127.0.0.1:18080/", 1).exit_code, 0);
  ASSERT_EQ(env_.Berth({"start", "web"}).exit_code, 0);
  EXPECT_EQ(HostFetch("http://127.0.0.1:18080/").out, "hello\n");

  ASSERT_EQ(env_.Berth({"rm", "-f", "web", "any", "auto"}).exit_code, 0);
  EXPECT_EQ(AwaitVeths(0), 0);
  // Its rules went with it: the port is free for the next one.
  ASSERT_EQ(RunServer({"--name", "again", "-p", "127.0.0.1:18080:80"}).exit_code, 0);
  EXPECT_EQ(HostFetch("http://127.0.0.1:18080/").out, "hello\n");
  ASSERT_EQ(env_.Berth({"rm", "-f", "again"}).exit_code, 0);
}

TEST_F(ContainerPortsE2eTest, NetworksAreIsolatedAndInternalOnesClosed) {
  for (const char* name : {"left", "right"}) {
    ASSERT_EQ(env_.Berth({"network", "create", name}).exit_code, 0);
  }
  ASSERT_EQ(env_.Berth({"network", "create", "--internal", "inner"}).exit_code, 0);
  ASSERT_EQ(RunServer({"--name", "web", "--network", "left"}).exit_code, 0);
  const std::string ip = Field("web", "{{.NetworkSettings.Networks.left.IPAddress}}");
  ASSERT_THAT(ip, StartsWith("172."));
  const std::string fetch = absl::StrCat(
      "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -q -O- http://", ip,
      "/ && exit 0; sleep 0.2; done; exit 1");
  RunResult same = RunScript(fetch, {"--network", "left"});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(same.out, "hello\n");
  // Routed through the host, but not let through.
  // The shell stays the container's init (a timeout exec'd as pid 1 would
  // not end the wget it runs: signals to pid 1 go unheard).
  const std::string once = absl::StrCat("timeout 3 wget -q -O- http://", ip, "/; exit $?");
  EXPECT_NE(RunScript(once, {"--network", "right"}).exit_code, 0);
  EXPECT_NE(RunScript(once).exit_code, 0);  // the default bridge
  EXPECT_NE(RunScript(once, {"--network", "inner"}).exit_code, 0);

  // The internal network: its own containers talk, nothing leaves it.
  ASSERT_EQ(RunServer({"--name", "vault", "--network", "inner"}).exit_code, 0);
  const std::string inner_ip =
      Field("vault", "{{.NetworkSettings.Networks.inner.IPAddress}}");
  RunResult inside = RunScript(
      absl::StrCat("ip route; for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -q -O- http://",
                   inner_ip, "/ && exit 0; sleep 0.2; done; exit 1"),
      {"--network", "inner"});
  EXPECT_EQ(inside.exit_code, 0) << inside.err;
  EXPECT_THAT(inside.out, Not(HasSubstr("default")));
  EXPECT_THAT(inside.out, HasSubstr("hello\n"));
  EXPECT_NE(RunScript(absl::StrCat("timeout 3 wget -q -O- http://", inner_ip, "/; exit $?"),
                      {"--network", "left"})
                .exit_code,
            0);
  RunResult published = RunServer({"--name", "shut", "--network", "inner", "-p", "18082:80"});
  EXPECT_EQ(published.exit_code, 125);
  EXPECT_THAT(published.err, HasSubstr("inner is internal"));

  ASSERT_EQ(env_.Berth({"rm", "-f", "web", "vault"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"rm", "-f", "shut"}).exit_code, 0);
  for (const char* name : {"left", "right", "inner"}) {
    EXPECT_EQ(env_.Berth({"network", "rm", name}).exit_code, 0);
  }
  EXPECT_EQ(AwaitVeths(0), 0);
}

}  // namespace
}  // namespace berth::testing
