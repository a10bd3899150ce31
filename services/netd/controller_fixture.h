// The fixture of netd's controller tests: a real store in a temporary
// directory and a fake kernel that records what it was asked.
#ifndef BERTH_SERVICES_NETD_CONTROLLER_FIXTURE_H_
#define BERTH_SERVICES_NETD_CONTROLLER_FIXTURE_H_

#include <stdlib.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "gtest/gtest.h"
#include "services/netd/network_controller.h"
#include "services/netd/network_records.h"

namespace berth::netd {

using network::v1::CreateNetworkRequest;
using network::v1::Network;

class FakeBridgeDriver : public bridge::BridgeDriver {
 public:
  absl::StatusOr<std::vector<ipam::Prefix>> HostRoutes() override {
    return routes;
  }
  absl::Status EnsureBridge(const bridge::BridgeSpec& spec) override {
    if (!fail_next.ok()) return std::exchange(fail_next, absl::OkStatus());
    bridges[spec.name] = spec;
    return absl::OkStatus();
  }
  absl::Status RemoveBridge(const std::string& name) override {
    bridges.erase(name);
    return absl::OkStatus();
  }
  absl::Status AddEndpoint(const bridge::EndpointSpec& spec) override {
    if (!fail_next.ok()) return std::exchange(fail_next, absl::OkStatus());
    endpoints[spec.host_interface] = spec;
    return absl::OkStatus();
  }
  absl::Status RemoveEndpoint(const std::string& host_interface) override {
    endpoints.erase(host_interface);
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<std::string>> Ports(const std::string& bridge) override {
    std::vector<std::string> ports;
    for (const auto& [name, spec] : endpoints) {
      if (spec.bridge == bridge) ports.push_back(name);
    }
    return ports;
  }
  absl::Status SetDefaultRoute(const std::string& netns_path,
                               ipam::Ipv4 gateway) override {
    default_routes[netns_path] = gateway;
    return absl::OkStatus();
  }
  std::map<std::string, ipam::Ipv4> default_routes;
  bool NamespaceExists(const std::string& netns_path) override {
    return ended_namespaces.count(netns_path) == 0;
  }
  std::set<std::string> ended_namespaces;

  std::vector<ipam::Prefix> routes;
  std::map<std::string, bridge::BridgeSpec> bridges;
  std::map<std::string, bridge::EndpointSpec> endpoints;
  absl::Status fail_next;
};

inline ipam::Prefix Cidr(const char* text) { return *ipam::ParsePrefix(text, "cidr"); }

inline CreateNetworkRequest Named(const std::string& name) {
  CreateNetworkRequest request;
  request.set_name(name);
  return request;
}

inline CreateNetworkRequest WithSubnet(const std::string& name, const std::string& subnet) {
  CreateNetworkRequest request = Named(name);
  request.mutable_ipam()->add_pools()->set_subnet(subnet);
  return request;
}

// The embedded DNS server: which containers it serves, and where.
class FakeDns final : public dns::ContainerDns {
 public:
  absl::Status Listen(const std::string& container_id,
                      const std::string& netns_path) override {
    if (!fail_next.ok()) return std::exchange(fail_next, absl::OkStatus());
    served[container_id] = netns_path;
    return absl::OkStatus();
  }
  void Close(const std::string& container_id) override {
    served.erase(container_id);
  }
  std::map<std::string, std::string> served;
  absl::Status fail_next;
};

// The last table netd applied, and its next failure.
class FakeFirewall final : public firewall::Firewall {
 public:
  absl::Status Apply(const firewall::Ruleset& rules) override {
    if (!fail_next.ok()) return std::exchange(fail_next, absl::OkStatus());
    applied = rules;
    ++applies;
    return absl::OkStatus();
  }
  firewall::Ruleset applied;
  int applies = 0;
  absl::Status fail_next;
};

// Host ports some other process holds.
class FakeHostPorts final : public ports::HostPorts {
 public:
  absl::Status Probe(types::v1::Protocol, const std::string& ip,
                     uint32_t port) override {
    if (busy.count(port) > 0) {
      return absl::FailedPreconditionError(absl::StrCat(
          "Bind for ", ip.empty() ? "0.0.0.0" : ip, ":", port,
          " failed: address already in use"));
    }
    return absl::OkStatus();
  }
  std::set<uint32_t> busy;
};

class NetworkControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/netd-ctl-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    log_ = *MakeLogger("netd-test", "off", "");
    // The host's own LAN route, as a real host has.
    driver_.routes = {ipam::Prefix{0, 0}, Cidr("10.0.2.0/24")};
    Reopen();
  }
  void TearDown() override {
    controller_.reset();
    store_.reset();
    std::system(("rm -rf " + dir_).c_str());
  }
  void Reopen(NetdSettings settings = DefaultSettings()) {
    controller_.reset();
    store_.reset();
    auto store = Store::Open(dir_ + "/db", NetdSchema());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto controller =
        NetworkController::Open(*store_, driver_, firewall_, host_ports_,
                                std::move(settings), *log_, &dns_);
    ASSERT_TRUE(controller.ok()) << controller.status();
    controller_ = *std::move(controller);
  }
  static NetdSettings DefaultSettings() {
    NetdSettings settings;
    settings.address_pools = ipam::DefaultAddressPools();
    return settings;
  }
  Network Inspect(const std::string& name) {
    absl::StatusOr<Network> network = controller_->Inspect(name);
    EXPECT_TRUE(network.ok()) << network.status();
    return network.ok() ? *network : Network();
  }
  std::vector<std::string> Names(const network::v1::NetworkFilter& filter = {}) {
    std::vector<std::string> names;
    absl::StatusOr<std::vector<Network>> listed = controller_->List(filter);
    EXPECT_TRUE(listed.ok()) << listed.status();
    if (!listed.ok()) return names;
    for (const Network& n : *listed) names.push_back(n.name());
    return names;
  }

  std::string dir_;
  std::shared_ptr<spdlog::logger> log_;
  FakeBridgeDriver driver_;
  FakeDns dns_;
  FakeFirewall firewall_;
  FakeHostPorts host_ports_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<NetworkController> controller_;
};

}  // namespace berth::netd

#endif  // BERTH_SERVICES_NETD_CONTROLLER_FIXTURE_H_
