// netd and the network namespaces for containerd's unit tests: a
// NetworkWorld remembers the attachments and namespaces across the
// supervisors a test opens (as netd and the namespaces outlive containerd).
#ifndef BERTH_SERVICES_CONTAINERD_TESTING_FAKE_NETWORKS_H_
#define BERTH_SERVICES_CONTAINERD_TESTING_FAKE_NETWORKS_H_

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/containerd/container_network.h"
#include "services/containerd/netd_client.h"

namespace berth::containerd::testing {

struct NetworkWorld {
  absl::Mutex mu;
  std::set<std::string> networks ABSL_GUARDED_BY(mu) = {"bridge", "host",
                                                       "none"};
  // Container id -> its endpoints.
  std::map<std::string, std::vector<types::v1::NetworkEndpoint>> attached
      ABSL_GUARDED_BY(mu);
  std::vector<network::v1::AttachContainerRequest> attaches ABSL_GUARDED_BY(mu);
  std::vector<std::string> detaches ABSL_GUARDED_BY(mu);  // container ids
  absl::Status attach_error ABSL_GUARDED_BY(mu);
  bool reachable ABSL_GUARDED_BY(mu) = true;  // false: netd is down
  std::set<std::string> namespaces ABSL_GUARDED_BY(mu);  // container ids
  int next_address ABSL_GUARDED_BY(mu) = 2;
};

class FakeNetd final : public NetdClient {
 public:
  explicit FakeNetd(NetworkWorld& world) : world_(world) {}

  absl::StatusOr<network::v1::Network> InspectNetwork(
      const std::string& name) override {
    absl::MutexLock lock(&world_.mu);
    RETURN_IF_ERROR(Reachable());
    if (world_.networks.count(name) == 0) {
      return absl::NotFoundError(absl::StrCat("network ", name, " not found"));
    }
    network::v1::Network network;
    network.set_name(name);
    network.set_id(std::string(64, name[0]));
    network.set_predefined(name == "bridge" || name == "host" || name == "none");
    return network;
  }

  absl::StatusOr<network::v1::AttachContainerResponse> Attach(
      const network::v1::AttachContainerRequest& request) override {
    absl::MutexLock lock(&world_.mu);
    RETURN_IF_ERROR(Reachable());
    world_.attaches.push_back(request);
    if (!world_.attach_error.ok()) return world_.attach_error;
    network::v1::AttachContainerResponse response;
    std::vector<types::v1::NetworkEndpoint>& endpoints =
        world_.attached[request.container().container_id()];
    for (const network::v1::NetworkAttachment& wanted : request.networks()) {
      types::v1::NetworkEndpoint endpoint;
      endpoint.set_network_name(wanted.network());
      endpoint.set_network_id(std::string(64, wanted.network()[0]));
      endpoint.set_container_id(request.container().container_id());
      endpoint.set_ipv4_address(
          absl::StrCat("172.17.0.", world_.next_address++));
      endpoints.push_back(endpoint);
      *response.add_endpoints() = endpoint;
    }
    response.set_hosts("hosts from netd\n");
    response.set_resolv_conf("nameserver 192.0.2.53\n");
    return response;
  }

  absl::Status Detach(const std::string& container_id, const std::string&,
                      bool) override {
    absl::MutexLock lock(&world_.mu);
    RETURN_IF_ERROR(Reachable());
    world_.detaches.push_back(container_id);
    world_.attached.erase(container_id);
    return absl::OkStatus();
  }

  absl::StatusOr<network::v1::ConnectContainerResponse> Connect(
      const network::v1::ConnectContainerRequest& request) override {
    absl::MutexLock lock(&world_.mu);
    RETURN_IF_ERROR(Reachable());
    std::vector<types::v1::NetworkEndpoint>& endpoints =
        world_.attached[request.container().container_id()];
    const std::string& name = request.network().network();
    for (const types::v1::NetworkEndpoint& endpoint : endpoints) {
      if (endpoint.network_name() == name) {
        return absl::AlreadyExistsError("already exists in network " + name);
      }
    }
    types::v1::NetworkEndpoint endpoint;
    endpoint.set_network_name(name);
    endpoint.set_network_id(std::string(64, name[0]));
    endpoint.set_container_id(request.container().container_id());
    endpoint.set_ipv4_address(absl::StrCat("10.9.0.", world_.next_address++));
    endpoints.push_back(endpoint);
    network::v1::ConnectContainerResponse response;
    *response.mutable_endpoint() = endpoint;
    response.set_resolv_conf("nameserver 127.0.0.11\n");
    return response;
  }

  absl::Status Disconnect(
      const network::v1::DisconnectContainerRequest& request) override {
    absl::MutexLock lock(&world_.mu);
    RETURN_IF_ERROR(Reachable());
    std::vector<types::v1::NetworkEndpoint>& endpoints =
        world_.attached[request.container_id()];
    auto it = std::find_if(endpoints.begin(), endpoints.end(),
                           [&](const types::v1::NetworkEndpoint& endpoint) {
                             return endpoint.network_name() == request.network();
                           });
    if (it == endpoints.end()) {
      if (request.force()) return absl::OkStatus();
      return absl::NotFoundError("not connected to " + request.network());
    }
    endpoints.erase(it);
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<types::v1::NetworkEndpoint>> ListEndpoints()
      override {
    absl::MutexLock lock(&world_.mu);
    RETURN_IF_ERROR(Reachable());
    std::vector<types::v1::NetworkEndpoint> all;
    for (const auto& [id, endpoints] : world_.attached) {
      all.insert(all.end(), endpoints.begin(), endpoints.end());
    }
    return all;
  }

 private:
  absl::Status Reachable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(world_.mu) {
    if (world_.reachable) return absl::OkStatus();
    return absl::UnavailableError("netd is unreachable");
  }
  NetworkWorld& world_;
};

// Namespaces by name only: nothing is created in the kernel.
class FakeNetns final : public NetnsStore {
 public:
  explicit FakeNetns(NetworkWorld& world) : world_(world) {}
  std::string PathOf(const std::string& id) const override {
    return "/run/berth/netns/" + id;
  }
  absl::Status Create(const std::string& id) override {
    absl::MutexLock lock(&world_.mu);
    world_.namespaces.insert(id);
    return absl::OkStatus();
  }
  absl::Status Remove(const std::string& id) override {
    absl::MutexLock lock(&world_.mu);
    world_.namespaces.erase(id);
    return absl::OkStatus();
  }
  std::set<std::string> List() const override {
    absl::MutexLock lock(&world_.mu);
    return world_.namespaces;
  }

 private:
  NetworkWorld& world_;
};

}  // namespace berth::containerd::testing

#endif  // BERTH_SERVICES_CONTAINERD_TESTING_FAKE_NETWORKS_H_
