// What containerd needs from netd: endpoints for the containers it starts
// (wired into each one's network namespace) and the networks they name.
// An interface so the container logic is tested without a netd.
#ifndef BERTH_SERVICES_CONTAINERD_NETD_CLIENT_H_
#define BERTH_SERVICES_CONTAINERD_NETD_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "berth/network/v1/network.pb.h"

namespace berth::containerd {

class NetdClient {
 public:
  virtual ~NetdClient() = default;
  // NOT_FOUND in Docker's words ("network X not found").
  virtual absl::StatusOr<network::v1::Network> InspectNetwork(
      const std::string& network) = 0;
  // Endpoints on every requested network, all or nothing.
  virtual absl::StatusOr<network::v1::AttachContainerResponse> Attach(
      const network::v1::AttachContainerRequest& request) = 0;
  // Releases every endpoint of the container; fine when it has none.
  // `netns_path` "" when the namespace is gone. With `namespace_ends` the
  // caller removes the namespace next, which takes the veths with it.
  virtual absl::Status Detach(const std::string& container_id,
                              const std::string& netns_path,
                              bool namespace_ends) = 0;
  // `network connect` of a running container: one more endpoint.
  virtual absl::StatusOr<network::v1::ConnectContainerResponse> Connect(
      const network::v1::ConnectContainerRequest& request) = 0;
  // `network disconnect`: NOT_FOUND when not connected, unless forced.
  virtual absl::Status Disconnect(
      const network::v1::DisconnectContainerRequest& request) = 0;
  // The endpoints netd holds for every container.
  virtual absl::StatusOr<std::vector<types::v1::NetworkEndpoint>>
  ListEndpoints() = 0;
};

// netd over its gRPC socket.
std::unique_ptr<NetdClient> NewGrpcNetdClient(const std::string& socket_path);

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_NETD_CLIENT_H_
