// Containers on netd's networks, without netd or root: the request netd
// gets, and the supervisor attaching at start and releasing at exit,
// removal and recovery (fake netd and namespaces).
#include "services/containerd/container_network.h"

#include <string>

#include "common/fs_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/containerd/shim/protocol.h"
#include "services/containerd/testing/supervisor_fixture.h"

namespace berth::containerd {
namespace {

using container::v1::Container;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(AttachRequestForTest, PrimaryNetworkFirstThenTheOthersByName) {
  Container container;
  container.set_id(std::string(64, 'c'));
  container.set_name("web");
  container.mutable_config()->set_hostname("box");
  container.mutable_config()->add_exposed_ports("80/tcp");
  container::v1::HostConfig* host = container.mutable_host_config();
  host->set_network_mode("front");
  host->set_publish_all_ports(true);
  host->mutable_dns()->add_servers("10.0.0.53");
  auto& endpoints = *container.mutable_networking_config()->mutable_endpoints();
  endpoints["zeta"].add_aliases("z");
  endpoints["front"].set_ipv4_address("10.1.0.9");
  endpoints["alpha"];

  network::v1::AttachContainerRequest request =
      AttachRequestFor(container, "/run/berth/netns/c");
  EXPECT_EQ(request.netns_path(), "/run/berth/netns/c");
  EXPECT_EQ(request.container().name(), "web");
  EXPECT_EQ(request.container().hostname(), "box");
  ASSERT_EQ(request.networks_size(), 3);
  EXPECT_EQ(request.networks(0).network(), "front");
  EXPECT_EQ(request.networks(0).config().ipv4_address(), "10.1.0.9");
  EXPECT_EQ(request.networks(1).network(), "alpha");
  EXPECT_EQ(request.networks(2).network(), "zeta");
  EXPECT_THAT(request.networks(2).config().aliases(), ElementsAre("z"));
  EXPECT_THAT(request.publish_all_exposed(), ElementsAre("80/tcp"));
  EXPECT_THAT(request.dns().servers(), ElementsAre("10.0.0.53"));

  host->set_network_mode("bridge");
  EXPECT_EQ(AttachRequestFor(container, "").networks(0).network(), "bridge");
  EXPECT_TRUE(UsesNetd(container));
  host->set_network_mode("none");
  EXPECT_FALSE(UsesNetd(container));
  host->set_network_mode("host");
  EXPECT_FALSE(UsesNetd(container));
}

TEST(LinkTest, DockersHostsLineAndEnvironment) {
  EXPECT_FALSE(ParseLink(":x").ok());
  EXPECT_FALSE(ParseLink("db:").ok());
  absl::StatusOr<Link> plain = ParseLink("db");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->alias, "db");
  absl::StatusOr<Link> link = ParseLink("db:my-db");
  ASSERT_TRUE(link.ok());
  Container target;
  target.set_name("db");
  target.mutable_config()->set_hostname("0123456789ab");
  target.mutable_config()->add_exposed_ports("8080/tcp");
  target.mutable_config()->add_exposed_ports("53/udp");
  target.mutable_config()->add_env("PATH=/bin");
  target.mutable_config()->add_env("PASSWORD=secret");
  const types::v1::HostEntry entry = LinkHostEntry(*link, target, "172.17.0.5");
  EXPECT_EQ(entry.ip(), "172.17.0.5");
  EXPECT_THAT(entry.names(), ElementsAre("my-db", "0123456789ab", "db"));
  EXPECT_THAT(LinkEnvironment(*link, "web", target, "172.17.0.5"),
              ElementsAre("MY_DB_PORT=udp://172.17.0.5:53",
                          "MY_DB_PORT_53_UDP=udp://172.17.0.5:53",
                          "MY_DB_PORT_53_UDP_ADDR=172.17.0.5",
                          "MY_DB_PORT_53_UDP_PORT=53",
                          "MY_DB_PORT_53_UDP_PROTO=udp",
                          "MY_DB_PORT_8080_TCP=tcp://172.17.0.5:8080",
                          "MY_DB_PORT_8080_TCP_ADDR=172.17.0.5",
                          "MY_DB_PORT_8080_TCP_PORT=8080",
                          "MY_DB_PORT_8080_TCP_PROTO=tcp",
                          "MY_DB_NAME=/web/my-db",
                          "MY_DB_ENV_PASSWORD=secret"));
}

TEST(LinkTest, TheContainersOwnVariablesWin) {
  google::protobuf::RepeatedPtrField<std::string> own;
  *own.Add() = "PATH=/bin";
  *own.Add() = "DB_NAME=mine";
  EXPECT_THAT(WithLinkEnvironment({"DB_NAME=/web/db", "DB_ENV_X=1"}, own),
              ElementsAre("DB_ENV_X=1", "PATH=/bin", "DB_NAME=mine"));
}

TEST(HostsEditTest, ConnectAddsTheAddressDisconnectDropsIt) {
  Container container;
  container.mutable_config()->set_hostname("web");
  const std::string hosts = "127.0.0.1\tlocalhost\n172.17.0.2\tweb\n";
  const std::string connected = HostsWithAddress(hosts, container, "10.5.0.3");
  EXPECT_EQ(connected, hosts + "10.5.0.3\tweb\n");
  container.mutable_config()->set_domainname("example.org");
  EXPECT_EQ(HostsWithAddress("x", container, "10.5.0.3"),
            "x\n10.5.0.3\tweb.example.org web\n");
  EXPECT_EQ(HostsWithoutAddress(connected, "10.5.0.3"), hosts);
  // Only whole addresses: 10.5.0.30 is another one.
  EXPECT_EQ(HostsWithoutAddress("10.5.0.30 a\n 10.5.0.3\tb\n", "10.5.0.3"),
            "10.5.0.30 a\n");
}

TEST(AttachRequestForTest, TheRecordsNetworksAfterConnectsAndDisconnects) {
  Container container;
  container.mutable_host_config()->set_network_mode("bridge");
  auto& networks = *container.mutable_network_settings()->mutable_networks();
  networks["bridge"].set_network_name("bridge");
  networks["zeta"].set_network_name("zeta");
  networks["app"].set_network_name("app");
  (*container.mutable_networking_config()->mutable_endpoints())["app"]
      .add_aliases("db");
  auto names = [&] {
    std::vector<std::string> out;
    const network::v1::AttachContainerRequest request =
        AttachRequestFor(container, "");
    for (const auto& attachment : request.networks()) {
      out.push_back(attachment.network());
    }
    return out;
  };
  EXPECT_THAT(names(), ElementsAre("bridge", "app", "zeta"));
  const network::v1::AttachContainerRequest request =
      AttachRequestFor(container, "");
  ASSERT_EQ(request.networks_size(), 3);
  EXPECT_THAT(request.networks(1).config().aliases(), ElementsAre("db"));
  ForgetNetwork(&container, "app");
  EXPECT_EQ(container.networking_config().endpoints().count("app"), 0u);
  ForgetNetwork(&container, "bridge");
  EXPECT_EQ(container.host_config().network_mode(), "bridge");
  EXPECT_THAT(names(), ElementsAre("zeta"));
  // Off every network, the next start has its mode's again (Docker's).
  ForgetNetwork(&container, "zeta");
  EXPECT_THAT(names(), ElementsAre("bridge"));
}

class NetworkedSupervisorTest : public SupervisorTest {
 protected:
  absl::StatusOr<std::string> CreateOn(const std::string& network) {
    container::v1::CreateContainerRequest request;
    request.mutable_config()->set_image("busybox");
    request.mutable_host_config()->set_network_mode(network);
    ASSIGN_OR_RETURN(container::v1::CreateContainerResponse created,
                     supervisor_->Create(request));
    return created.id();
  }
  container::v1::ListContainersResponse ListAll() {
    container::v1::ListContainersRequest request;
    request.set_all(true);
    absl::StatusOr<container::v1::ListContainersResponse> listed =
        supervisor_->List(request);
    EXPECT_TRUE(listed.ok()) << listed.status();
    return listed.value_or(container::v1::ListContainersResponse());
  }
  std::set<std::string> Namespaces() {
    absl::MutexLock lock(&network_world_.mu);
    return network_world_.namespaces;
  }
  std::vector<std::string> Detaches() {
    absl::MutexLock lock(&network_world_.mu);
    return network_world_.detaches;
  }
};

TEST_F(NetworkedSupervisorTest, ACreateNamesAnExistingNetwork) {
  Open();
  absl::StatusOr<std::string> missing = CreateOn("nosuch");
  EXPECT_TRUE(absl::IsNotFound(missing.status())) << missing.status();
  EXPECT_THAT(missing.status().message(), HasSubstr("network nosuch not found"));
  EXPECT_THAT(ListAll().containers(), IsEmpty());

  absl::StatusOr<std::string> id = CreateOn("");  // the default: bridge
  ASSERT_TRUE(id.ok()) << id.status();
  const Container created = Inspect(*id);
  EXPECT_EQ(created.host_config().network_mode(), "bridge");
  EXPECT_EQ(created.network_settings().networks().count("bridge"), 1u);
  EXPECT_TRUE(Namespaces().empty());  // nothing is wired before a start
  // ps names the networks.
  const container::v1::ListContainersResponse listed = ListAll();
  ASSERT_EQ(listed.containers_size(), 1);
  EXPECT_THAT(listed.containers(0).networks(), ElementsAre("bridge"));
}

TEST_F(NetworkedSupervisorTest, StartAttachesAndExitReleases) {
  Open();
  absl::StatusOr<std::string> id = CreateOn("bridge");
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE(supervisor_->Start(*id).ok());
  EXPECT_THAT(Namespaces(), ElementsAre(*id));
  {
    absl::MutexLock lock(&network_world_.mu);
    ASSERT_EQ(network_world_.attaches.size(), 1u);
    EXPECT_EQ(network_world_.attaches[0].netns_path(),
              "/run/berth/netns/" + *id);
  }
  Container running = Inspect(*id);
  EXPECT_EQ(running.network_settings().sandbox_key(), "/run/berth/netns/" + *id);
  EXPECT_EQ(running.network_settings().networks().at("bridge").ipv4_address(),
            "172.17.0.2");
  // The files netd rendered are the container's.
  EXPECT_EQ(*ReadFileToString(running.hosts_path(), 4096), "hosts from netd\n");
  EXPECT_EQ(*ReadFileToString(running.resolv_conf_path(), 4096),
            "nameserver 192.0.2.53\n");

  shims_->Exit(*id, 0);
  AwaitStatus(*id, container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_THAT(Detaches(), ElementsAre(*id));
  EXPECT_TRUE(Namespaces().empty());
  const Container exited = Inspect(*id);
  EXPECT_EQ(exited.network_settings().sandbox_key(), "");
  EXPECT_EQ(exited.network_settings().networks().at("bridge").ipv4_address(), "");
  EXPECT_EQ(exited.network_settings().networks().at("bridge").network_name(),
            "bridge");

  // Started again, it is attached again; removed, released.
  ASSERT_TRUE(supervisor_->Start(*id).ok());
  EXPECT_THAT(Namespaces(), ElementsAre(*id));
  ASSERT_TRUE(supervisor_->Remove(*id, /*force=*/true).ok());
  EXPECT_TRUE(Namespaces().empty());
  EXPECT_GE(Detaches().size(), 2u);

  // An exited container gave its network back at its exit: its removal
  // does not ask netd again (a `run --rm` saves the round trip).
  absl::StatusOr<std::string> brief = CreateOn("bridge");
  ASSERT_TRUE(brief.ok()) << brief.status();
  ASSERT_TRUE(supervisor_->Start(*brief).ok());
  shims_->Exit(*brief, 0);
  AwaitStatus(*brief, container::v1::CONTAINER_STATUS_EXITED);
  const size_t detaches = Detaches().size();
  ASSERT_TRUE(supervisor_->Remove(*brief, /*force=*/false).ok());
  EXPECT_EQ(Detaches().size(), detaches);
}

TEST_F(NetworkedSupervisorTest, AFailedAttachLeavesTheContainerCreated) {
  Open();
  absl::StatusOr<std::string> id = CreateOn("bridge");
  ASSERT_TRUE(id.ok()) << id.status();
  {
    absl::MutexLock lock(&network_world_.mu);
    network_world_.attach_error =
        absl::ResourceExhaustedError("no free address in 172.17.0.0/16");
  }
  absl::Status started = supervisor_->Start(*id);
  EXPECT_THAT(started.message(), HasSubstr("no free address"));
  EXPECT_EQ(StatusOf(*id), container::v1::CONTAINER_STATUS_CREATED);
  EXPECT_TRUE(Namespaces().empty());
  EXPECT_TRUE(shims_->calls().empty());
}

TEST_F(NetworkedSupervisorTest, NoneAndHostNeedNoNetd) {
  Open();
  for (const char* mode : {"none", "host"}) {
    absl::StatusOr<std::string> id = CreateOn(mode);
    ASSERT_TRUE(id.ok()) << id.status();
    ASSERT_TRUE(supervisor_->Start(*id).ok());
  }
  absl::MutexLock lock(&network_world_.mu);
  EXPECT_TRUE(network_world_.attaches.empty());
  EXPECT_TRUE(network_world_.namespaces.empty());
}

TEST_F(NetworkedSupervisorTest, RecoveryReleasesWhatEndedWhileDown) {
  Open();
  absl::StatusOr<std::string> live = CreateOn("bridge");
  absl::StatusOr<std::string> gone = CreateOn("bridge");
  ASSERT_TRUE(live.ok() && gone.ok());
  ASSERT_TRUE(supervisor_->Start(*live).ok());
  ASSERT_TRUE(supervisor_->Start(*gone).ok());
  supervisor_.reset();
  {
    // `gone` ended while containerd was down; a namespace and endpoints of
    // a container that no record names were left by a crash.
    absl::MutexLock lock(&world_.mu);
    world_.shims[*gone].alive = false;
    shim::ExitRecord record;
    record.finished_at = absl::Now();
    world_.shims[*gone].exit = record;
  }
  const std::string stray(64, 'f');
  {
    absl::MutexLock lock(&network_world_.mu);
    network_world_.namespaces.insert(stray);
    network_world_.attached[stray].emplace_back().set_container_id(stray);
    network_world_.reachable = false;  // netd starts later
  }
  Open();
  EXPECT_THAT(Namespaces(), ElementsAre(*live));
  {
    absl::MutexLock lock(&network_world_.mu);
    network_world_.reachable = true;
  }
  ASSERT_GE(scheduler_->RunPending(), 1);  // the sweep's retry
  absl::MutexLock lock(&network_world_.mu);
  EXPECT_EQ(network_world_.attached.count(stray), 0u);
  EXPECT_EQ(network_world_.attached.count(*gone), 0u);
  EXPECT_EQ(network_world_.attached.count(*live), 1u);
}

TEST_F(NetworkedSupervisorTest, AContainerJoinsAnotherOnesNamespace) {
  Open();
  EXPECT_TRUE(absl::IsNotFound(CreateOn("container:nosuch").status()));
  absl::StatusOr<std::string> web = CreateOn("bridge");
  absl::StatusOr<std::string> side = CreateOn("container:" + web->substr(0, 12));
  ASSERT_TRUE(web.ok() && side.ok()) << side.status();
  absl::Status early = supervisor_->Start(*side);
  EXPECT_TRUE(absl::IsFailedPrecondition(early)) << early;
  EXPECT_THAT(early.message(), HasSubstr("non running container"));

  ASSERT_TRUE(supervisor_->Start(*web).ok());
  ASSERT_TRUE(supervisor_->Start(*side).ok());
  const Container joined = Inspect(*side);
  // The other's namespace, hostname, hosts and resolv.conf; no netd call.
  absl::StatusOr<std::string> spec_bytes = ReadFileToString(
      dir_ + "/containers/" + *side + "/" + shim::kSpecFile, 1 << 20);
  ASSERT_TRUE(spec_bytes.ok());
  absl::StatusOr<shim::ShimSpec> spec = shim::ParseShimSpec(*spec_bytes);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->network_mode(), ::berth::shim::v1::NETWORK_MODE_PATH);
  EXPECT_EQ(spec->netns_path(), "/run/berth/netns/" + *web);
  EXPECT_EQ(spec->hostname(), web->substr(0, 12));
  EXPECT_EQ(*ReadFileToString(joined.hosts_path(), 4096), "hosts from netd\n");
  absl::MutexLock lock(&network_world_.mu);
  EXPECT_EQ(network_world_.attaches.size(), 1u);
}

container::v1::ConnectContainerNetworkRequest ConnectOf(
    const std::string& id, const std::string& network,
    const std::string& alias = "") {
  container::v1::ConnectContainerNetworkRequest request;
  request.set_id(id);
  request.set_network(network);
  if (!alias.empty()) request.mutable_endpoint_config()->add_aliases(alias);
  return request;
}

container::v1::DisconnectContainerNetworkRequest DisconnectOf(
    const std::string& id, const std::string& network, bool force = false) {
  container::v1::DisconnectContainerNetworkRequest request;
  request.set_id(id);
  request.set_network(network);
  request.set_force(force);
  return request;
}

TEST_F(NetworkedSupervisorTest, ConnectAndDisconnectARunningContainer) {
  {
    absl::MutexLock lock(&network_world_.mu);
    network_world_.networks.insert("app");
  }
  Open();
  absl::StatusOr<std::string> id = CreateOn("bridge");
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE(supervisor_->Start(*id).ok());

  absl::StatusOr<types::v1::NetworkEndpoint> endpoint =
      supervisor_->ConnectNetwork(ConnectOf(*id, "app", "db"));
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->ipv4_address(), "10.9.0.3");
  Container running = Inspect(*id);
  EXPECT_EQ(running.network_settings().networks().at("app").ipv4_address(),
            "10.9.0.3");
  EXPECT_THAT(running.networking_config().endpoints().at("app").aliases(),
              ElementsAre("db"));
  // Edited in place: the running container's bind mounts see it.
  EXPECT_EQ(*ReadFileToString(running.hosts_path(), 4096),
            "hosts from netd\n10.9.0.3\t" + id->substr(0, 12) + "\n");
  EXPECT_EQ(*ReadFileToString(running.resolv_conf_path(), 4096),
            "nameserver 127.0.0.11\n");

  EXPECT_TRUE(absl::IsAlreadyExists(
      supervisor_->ConnectNetwork(ConnectOf(*id, "app")).status()));
  EXPECT_THAT(supervisor_->ConnectNetwork(ConnectOf(*id, "host")).status().message(),
              HasSubstr("connected to host network"));
  EXPECT_THAT(
      supervisor_->ConnectNetwork(ConnectOf(*id, "bridge", "x")).status().message(),
      HasSubstr("already exists in network bridge"));

  ASSERT_TRUE(supervisor_->DisconnectNetwork(DisconnectOf(*id, "app")).ok());
  running = Inspect(*id);
  EXPECT_EQ(running.network_settings().networks().count("app"), 0u);
  EXPECT_EQ(running.networking_config().endpoints().count("app"), 0u);
  EXPECT_EQ(*ReadFileToString(running.hosts_path(), 4096), "hosts from netd\n");
  absl::Status again = supervisor_->DisconnectNetwork(DisconnectOf(*id, "app"));
  EXPECT_TRUE(absl::IsNotFound(again)) << again;
  EXPECT_THAT(again.message(), HasSubstr("is not connected to network app"));
  EXPECT_TRUE(supervisor_->DisconnectNetwork(DisconnectOf(*id, "app", true)).ok());

  // Off every network it runs on in its namespace, may connect again, and
  // its exit still releases that namespace.
  ASSERT_TRUE(supervisor_->DisconnectNetwork(DisconnectOf(*id, "bridge")).ok());
  EXPECT_EQ(Inspect(*id).host_config().network_mode(), "bridge");
  EXPECT_TRUE(Inspect(*id).network_settings().networks().empty());
  ASSERT_TRUE(supervisor_->ConnectNetwork(ConnectOf(*id, "app")).ok());
  ASSERT_TRUE(supervisor_->DisconnectNetwork(DisconnectOf(*id, "app")).ok());
  shims_->Exit(*id, 0);
  AwaitStatus(*id, container::v1::CONTAINER_STATUS_EXITED);
  EXPECT_TRUE(Namespaces().empty());
}

TEST_F(NetworkedSupervisorTest, ConnectOfAStoppedContainerIsKeptForItsStart) {
  {
    absl::MutexLock lock(&network_world_.mu);
    network_world_.networks.insert("app");
  }
  Open();
  absl::StatusOr<std::string> id = CreateOn("bridge");
  ASSERT_TRUE(id.ok()) << id.status();
  absl::StatusOr<types::v1::NetworkEndpoint> endpoint =
      supervisor_->ConnectNetwork(ConnectOf(*id, "app", "db"));
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  EXPECT_EQ(endpoint->network_id(), "");  // nothing wired yet
  ASSERT_TRUE(supervisor_->Start(*id).ok());
  absl::MutexLock lock(&network_world_.mu);
  ASSERT_EQ(network_world_.attaches.size(), 1u);
  const network::v1::AttachContainerRequest& attach = network_world_.attaches[0];
  ASSERT_EQ(attach.networks_size(), 2);
  EXPECT_EQ(attach.networks(0).network(), "bridge");
  EXPECT_EQ(attach.networks(1).network(), "app");
  EXPECT_THAT(attach.networks(1).config().aliases(), ElementsAre("db"));
}

TEST_F(NetworkedSupervisorTest, ConnectRefusesModesThatAreNoNetwork) {
  {
    absl::MutexLock lock(&network_world_.mu);
    network_world_.networks.insert("app");
  }
  Open();
  absl::StatusOr<std::string> none = CreateOn("none");
  absl::StatusOr<std::string> host = CreateOn("host");
  absl::StatusOr<std::string> bridged = CreateOn("bridge");
  ASSERT_TRUE(none.ok() && host.ok() && bridged.ok());
  EXPECT_THAT(supervisor_->ConnectNetwork(ConnectOf(*none, "app")).status().message(),
              HasSubstr("private (none) mode"));
  EXPECT_THAT(supervisor_->ConnectNetwork(ConnectOf(*host, "app")).status().message(),
              HasSubstr("host network"));
  EXPECT_THAT(supervisor_->DisconnectNetwork(DisconnectOf(*host, "host")).message(),
              HasSubstr("host network"));
  container::v1::ConnectContainerNetworkRequest fixed = ConnectOf(*bridged, "bridge");
  EXPECT_TRUE(absl::IsAlreadyExists(supervisor_->ConnectNetwork(fixed).status()));
  EXPECT_TRUE(absl::IsNotFound(
      supervisor_->ConnectNetwork(ConnectOf(*bridged, "nosuch")).status()));
  ASSERT_TRUE(supervisor_->DisconnectNetwork(DisconnectOf(*bridged, "bridge")).ok());
  fixed.mutable_endpoint_config()->set_ipv4_address("172.17.0.9");
  // Docker's pattern: off the bridge, onto a user network, then start.
  ASSERT_TRUE(supervisor_->ConnectNetwork(ConnectOf(*bridged, "app")).ok());
  ASSERT_TRUE(supervisor_->Start(*bridged).ok());
  {
    absl::MutexLock lock(&network_world_.mu);
    ASSERT_EQ(network_world_.attaches.size(), 1u);
    ASSERT_EQ(network_world_.attaches[0].networks_size(), 1);
    EXPECT_EQ(network_world_.attaches[0].networks(0).network(), "app");
  }
  EXPECT_THAT(supervisor_->ConnectNetwork(fixed).status().message(),
              HasSubstr("user defined networks only"));
}

}  // namespace
}  // namespace berth::containerd
