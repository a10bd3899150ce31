// End to end: containers on netd's networks through the CLI. berthd runs in
// the test environment's own network namespace, so every bridge, veth and
// packet stays there: a container on the default bridge gets an address,
// route and hosts entry from berth0's subnet; containers on a user network
// talk to each other; stop and rm give addresses, veths and namespaces back;
// netd refuses to remove a network with containers; running containers
// keep their network across a kill -9 of berthd; containers on a user
// network find each other by name (netd's DNS at 127.0.0.11); network
// connect and disconnect plug a running container's interfaces.
#include <signal.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/network_fixture.h"

namespace berth::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

TEST_F(ContainerNetworkE2eTest, TheDefaultBridgeGivesAnAddressRouteAndName) {
  RunResult run = RunScript(
      "ip -4 addr show eth0; ip route; cat /etc/hosts; hostname",
      {"--hostname", "boxy"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("inet 172.17.0."));
  EXPECT_THAT(run.out, HasSubstr("default via 172.17.0.1 dev eth0"));
  EXPECT_THAT(run.out, ::testing::ContainsRegex("172\\.17\\.0\\.[0-9]+\tboxy"));
  // --rm gave everything back.
  EXPECT_THAT(Namespaces(), IsEmpty());
  EXPECT_EQ(AwaitVeths(0), 0);
}

TEST_F(ContainerNetworkE2eTest, ContainersOnAUserNetworkTalk) {
  ASSERT_EQ(env_.Berth({"network", "create", "appnet"}).exit_code, 0);
  RunResult server = RunServer({"--name", "web", "--network", "appnet",
                                "--network-alias", "www"});
  ASSERT_EQ(server.exit_code, 0) << server.err;
  const std::string ip =
      Field("web", "{{.NetworkSettings.Networks.appnet.IPAddress}}");
  ASSERT_THAT(ip, StartsWith("172."));
  EXPECT_EQ(Field("web", "{{.NetworkSettings.Networks.appnet.MacAddress}}")
                .substr(0, 6),
            "02:42:");
  EXPECT_EQ(Field("web", "{{.HostConfig.NetworkMode}}"), "appnet");
  EXPECT_THAT(Field("web", "{{json .NetworkSettings.Networks.appnet.DNSNames}}"),
              HasSubstr("\"www\""));

  RunResult fetched = RunScript(
      absl::StrCat("for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://", ip,
                   "/ && exit 0; sleep 0.2; done; exit 1"),
      {"--network", "appnet"});
  EXPECT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_EQ(fetched.out, "hello\n");
  RunResult pinged = RunScript(absl::StrCat("ping -c1 -W2 ", ip),
                               {"--network", "appnet"});
  EXPECT_EQ(pinged.exit_code, 0) << pinged.out << pinged.err;

  // By name and alias, through netd's DNS server at 127.0.0.11.
  RunResult named = RunScript(
      "cat /etc/resolv.conf; wget -q -O- http://web/ && wget -q -O- http://www/"
      " && ping -c1 -W2 web >/dev/null && echo pinged",
      {"--network", "appnet"});
  EXPECT_EQ(named.exit_code, 0) << named.out << named.err;
  EXPECT_THAT(named.out, HasSubstr("nameserver 127.0.0.11\n"));
  EXPECT_THAT(named.out, HasSubstr("hello\nhello\npinged\n"));
  // Not from another network, nor from the default bridge.
  ASSERT_EQ(env_.Berth({"network", "create", "othernet"}).exit_code, 0);
  RunResult elsewhere = RunScript("nslookup web", {"--network", "othernet"});
  EXPECT_NE(elsewhere.exit_code, 0) << elsewhere.out;
  RunResult bridged = RunScript("ping -c1 -W1 web");
  EXPECT_NE(bridged.exit_code, 0) << bridged.out;
  ASSERT_EQ(env_.Berth({"network", "rm", "othernet"}).exit_code, 0);

  // The network lists it and will not go while it is attached.
  RunResult inspected = env_.Berth({"network", "inspect", "appnet"});
  EXPECT_THAT(inspected.out, HasSubstr("\"Name\": \"web\""));
  RunResult refused = env_.Berth({"network", "rm", "appnet"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("web"));

  // Stopped, it holds no address, veth or namespace; started, it gets its
  // network back.
  ASSERT_EQ(env_.Berth({"stop", "-t", "1", "web"}).exit_code, 0);
  EXPECT_EQ(Field("web", "{{.NetworkSettings.Networks.appnet.IPAddress}}"), "");
  EXPECT_THAT(env_.Berth({"network", "inspect", "appnet"}).out,
              Not(HasSubstr("\"web\"")));
  EXPECT_EQ(AwaitVeths(0), 0);
  EXPECT_THAT(Namespaces(), IsEmpty());
  ASSERT_EQ(env_.Berth({"start", "web"}).exit_code, 0);
  EXPECT_EQ(Field("web", "{{.NetworkSettings.Networks.appnet.IPAddress}}"), ip);
  EXPECT_EQ(AwaitVeths(1), 1);

  ASSERT_EQ(env_.Berth({"rm", "-f", "web"}).exit_code, 0);
  EXPECT_EQ(AwaitVeths(0), 0);
  EXPECT_THAT(Namespaces(), IsEmpty());
  EXPECT_EQ(env_.Berth({"network", "rm", "appnet"}).exit_code, 0);
}

TEST_F(ContainerNetworkE2eTest, ConnectAndDisconnectARunningContainer) {
  ASSERT_EQ(env_.Berth({"network", "create", "appnet"}).exit_code, 0);
  ASSERT_EQ(RunServer({"--name", "web", "--network", "appnet"}).exit_code, 0);
  RunResult client = env_.Berth(
      {"run", "-d", "--name", "client", "--hostname", "cli", "busybox", "sleep", "300"});
  ASSERT_EQ(client.exit_code, 0) << client.err;
  EXPECT_NE(ExecScript("client", "ip link show eth1").exit_code, 0);

  RunResult connected = env_.Berth(
      {"network", "connect", "--alias", "front", "appnet", "client"});
  ASSERT_EQ(connected.exit_code, 0) << connected.err;
  EXPECT_EQ(connected.out, "");
  const std::string ip =
      Field("client", "{{.NetworkSettings.Networks.appnet.IPAddress}}");
  ASSERT_THAT(ip, StartsWith("172."));
  RunResult eth1 = ExecScript("client", "ip -4 addr show eth1");
  EXPECT_THAT(eth1.out, HasSubstr("inet " + ip + "/"));
  RunResult hosts = env_.Berth({"exec", "client", "cat", "/etc/hosts"});
  EXPECT_THAT(hosts.out, HasSubstr(ip + "\tcli\n"));
  // Names both ways: web by its name, the client by its alias.
  RunResult fetched = env_.Berth(
      {"exec", "client", "sh", "-c",
       "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://web/ && exit 0; "
       "sleep 0.2; done; exit 1"});
  EXPECT_EQ(fetched.exit_code, 0) << fetched.out << fetched.err;
  EXPECT_EQ(fetched.out, "hello\n");
  RunResult pinged = ExecScript("web", "ping -c1 -W2 front");
  EXPECT_EQ(pinged.exit_code, 0) << pinged.out << pinged.err;

  RunResult twice = env_.Berth({"network", "connect", "appnet", "client"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("already exists in network appnet"));
  RunResult nosuch = env_.Berth({"network", "connect", "appnet", "nosuch"});
  EXPECT_EQ(nosuch.exit_code, 1);
  EXPECT_THAT(nosuch.err, HasSubstr("No such container: nosuch"));

  RunResult disconnected =
      env_.Berth({"network", "disconnect", "appnet", "client"});
  ASSERT_EQ(disconnected.exit_code, 0) << disconnected.err;
  EXPECT_NE(ExecScript("client", "ip link show eth1").exit_code, 0);
  EXPECT_THAT(env_.Berth({"exec", "client", "cat", "/etc/hosts"}).out,
              Not(HasSubstr(ip)));
  EXPECT_NE(ExecScript("web", "ping -c1 -W1 front").exit_code, 0);
  EXPECT_EQ(Field("client", "{{json .NetworkSettings.Networks}}").find("appnet"),
            std::string::npos);
  RunResult again = env_.Berth({"network", "disconnect", "appnet", "client"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("is not connected to network appnet"));
  EXPECT_EQ(env_.Berth({"network", "disconnect", "-f", "appnet", "client"}).exit_code, 0);

  // Off the bridge, the default route moves to the network it is still on.
  ASSERT_EQ(env_.Berth({"network", "connect", "appnet", "client"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"network", "disconnect", "bridge", "client"}).exit_code, 0);
  const std::string gateway =
      Field("client", "{{.NetworkSettings.Networks.appnet.Gateway}}");
  ASSERT_THAT(gateway, StartsWith("172."));
  EXPECT_THAT(ExecScript("client", "ip route").out,
              HasSubstr("default via " + gateway + " "));

  // Docker's pattern for a created container: off the bridge, onto a user
  // network, then started there alone.
  ASSERT_EQ(env_.Berth({"create", "--name", "later", "busybox", "sleep", "300"})
                .exit_code,
            0);
  ASSERT_EQ(env_.Berth({"network", "disconnect", "bridge", "later"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"network", "connect", "appnet", "later"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"start", "later"}).exit_code, 0);
  const std::string networks = Field("later", "{{json .NetworkSettings.Networks}}");
  EXPECT_THAT(networks, HasSubstr("\"appnet\""));
  EXPECT_THAT(networks, Not(HasSubstr("\"bridge\"")));
  RunResult routes = ExecScript("later", "ip route");
  EXPECT_THAT(routes.out, HasSubstr("default via 172."));
  EXPECT_THAT(routes.out, Not(HasSubstr("172.17.")));

  ASSERT_EQ(env_.Berth({"rm", "-f", "web", "client", "later"}).exit_code, 0);
  EXPECT_EQ(AwaitVeths(0), 0);
  EXPECT_THAT(Namespaces(), IsEmpty());
  EXPECT_EQ(env_.Berth({"network", "rm", "appnet"}).exit_code, 0);
}

TEST_F(ContainerNetworkE2eTest, BadNetworksAreRefusedBeforeAnythingIsMade) {
  RunResult missing = env_.Berth({"run", "--rm", "--network", "nosuch",
                                  "busybox", "true"});
  EXPECT_EQ(missing.exit_code, 125);
  EXPECT_THAT(missing.err, HasSubstr("network nosuch not found"));
  RunResult alias = env_.Berth({"run", "--rm", "--network-alias", "db",
                                "busybox", "true"});
  EXPECT_EQ(alias.exit_code, 125);
  EXPECT_THAT(alias.err, HasSubstr("user-defined networks"));
  EXPECT_THAT(env_.Berth({"ps", "-aq"}).out, IsEmpty());
}

TEST_F(ContainerNetworkE2eTest, RunningContainersKeepTheirNetworkAcrossAKill) {
  ASSERT_EQ(env_.Berth({"network", "create", "keep"}).exit_code, 0);
  ASSERT_EQ(RunServer({"--name", "web", "--network", "keep"}).exit_code, 0);
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "brief", "--network", "keep",
                        "busybox", "sleep", "1"})
                .exit_code,
            0);
  const std::string ip =
      Field("web", "{{.NetworkSettings.Networks.keep.IPAddress}}");
  berthd_->Signal(SIGKILL);
  berthd_->Wait(absl::Seconds(10));
  absl::SleepFor(absl::Seconds(1.5));  // `brief` ends while nobody watches
  StartBerthd();
  ASSERT_TRUE(WaitForStatus("brief", "exited"));
  // By address and by name: the new netd serves web's DNS again.
  RunResult fetched = RunScript(
      absl::StrCat("for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://", ip,
                   "/ && wget -q -O- http://web/ && exit 0; sleep 0.2; done; "
                   "exit 1"),
      {"--network", "keep"});
  EXPECT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_EQ(fetched.out, "hello\nhello\n");
  // `brief` holds nothing any more: only web's veth and namespace remain.
  EXPECT_EQ(AwaitVeths(1), 1);
  EXPECT_EQ(Namespaces().size(), 1u);
  EXPECT_THAT(env_.Berth({"network", "inspect", "keep"}).out,
              Not(HasSubstr("\"brief\"")));
  ASSERT_EQ(env_.Berth({"rm", "-f", "web", "brief"}).exit_code, 0);
  EXPECT_EQ(AwaitVeths(0), 0);
}

TEST_F(ContainerNetworkE2eTest, AContainerJoinsAnotherOnesNetwork) {
  ASSERT_EQ(RunServer({"--name", "web"}).exit_code, 0);
  RunResult side = RunScript(
      "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://127.0.0.1/ && "
      "hostname && exit 0; sleep 0.2; done; exit 1",
      {"--network", "container:web"});
  EXPECT_EQ(side.exit_code, 0) << side.err;
  EXPECT_EQ(side.out, "hello\n" + Field("web", "{{.Config.Hostname}}") + "\n");
  RunResult missing =
      env_.Berth({"run", "--rm", "--network", "container:nosuch", "busybox", "true"});
  EXPECT_EQ(missing.exit_code, 125);
  EXPECT_THAT(missing.err, HasSubstr("nosuch"));
  ASSERT_EQ(env_.Berth({"rm", "-f", "web"}).exit_code, 0);
}

TEST_F(ContainerNetworkE2eTest, ALinkGivesHostsAndEnvironment) {
  ASSERT_EQ(env_.Berth({"run", "-d", "--name", "db", "-e", "ROLE=primary",
                        "busybox", "sleep", "60"})
                .exit_code,
            0);
  const std::string ip =
      Field("db", "{{.NetworkSettings.Networks.bridge.IPAddress}}");
  RunResult linked = RunScript(
      "grep mydb /etc/hosts; echo $MYDB_NAME $MYDB_ENV_ROLE; ping -c1 -W2 mydb"
      " >/dev/null && echo reached",
      {"--name", "web", "--link", "db:mydb"});
  EXPECT_EQ(linked.exit_code, 0) << linked.out << linked.err;
  EXPECT_THAT(linked.out, HasSubstr(ip + "\tmydb "));
  EXPECT_THAT(linked.out, HasSubstr(" db\n"));
  EXPECT_THAT(linked.out, HasSubstr("/web/mydb primary\nreached\n"));

  RunResult missing =
      env_.Berth({"run", "--rm", "--link", "nosuch:x", "busybox", "true"});
  EXPECT_EQ(missing.exit_code, 125);
  EXPECT_THAT(missing.err, HasSubstr("nosuch"));
  ASSERT_EQ(env_.Berth({"network", "create", "usernet"}).exit_code, 0);
  RunResult user = env_.Berth({"run", "--rm", "--network", "usernet", "--link",
                               "db", "busybox", "true"});
  EXPECT_EQ(user.exit_code, 125);
  EXPECT_THAT(user.err, HasSubstr("default bridge only"));
  ASSERT_EQ(env_.Berth({"rm", "-f", "db"}).exit_code, 0);
}

}  // namespace
}  // namespace berth::testing
