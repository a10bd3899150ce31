#include "services/containerd/netd_client.h"

#include <grpcpp/grpcpp.h>

#include "berth/network/v1/network.grpc.pb.h"
#include "common/service_channel.h"
#include "common/status_macros.h"

namespace berth::containerd {
namespace {

// netd's calls are local kernel work (netlink, nftables): seconds at most.
constexpr absl::Duration kDeadline = absl::Seconds(30);

class GrpcNetdClient final : public NetdClient {
 public:
  explicit GrpcNetdClient(const std::string& socket_path)
      : netd_("netd", socket_path),
        stub_(network::v1::NetworkService::NewStub(netd_.channel())) {}

  absl::StatusOr<network::v1::Network> InspectNetwork(
      const std::string& network) override {
    network::v1::InspectNetworkRequest request;
    request.set_network(network);
    network::v1::InspectNetworkResponse response;
    grpc::ClientContext context;
    netd_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        netd_.Check(stub_->InspectNetwork(&context, request, &response)));
    return response.network();
  }

  absl::StatusOr<network::v1::AttachContainerResponse> Attach(
      const network::v1::AttachContainerRequest& request) override {
    network::v1::AttachContainerResponse response;
    grpc::ClientContext context;
    netd_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        netd_.Check(stub_->AttachContainer(&context, request, &response)));
    return response;
  }

  absl::Status Detach(const std::string& container_id,
                      const std::string& netns_path,
                      bool namespace_ends) override {
    network::v1::DetachContainerRequest request;
    request.set_container_id(container_id);
    request.set_netns_path(netns_path);
    request.set_namespace_ends(namespace_ends);
    network::v1::DetachContainerResponse response;
    grpc::ClientContext context;
    netd_.Prepare(context, kDeadline);
    return netd_.Check(stub_->DetachContainer(&context, request, &response));
  }

  absl::StatusOr<network::v1::ConnectContainerResponse> Connect(
      const network::v1::ConnectContainerRequest& request) override {
    network::v1::ConnectContainerResponse response;
    grpc::ClientContext context;
    netd_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        netd_.Check(stub_->ConnectContainer(&context, request, &response)));
    return response;
  }

  absl::Status Disconnect(
      const network::v1::DisconnectContainerRequest& request) override {
    network::v1::DisconnectContainerResponse response;
    grpc::ClientContext context;
    netd_.Prepare(context, kDeadline);
    return netd_.Check(stub_->DisconnectContainer(&context, request, &response));
  }

  absl::StatusOr<std::vector<types::v1::NetworkEndpoint>> ListEndpoints()
      override {
    network::v1::ListEndpointsRequest request;
    network::v1::ListEndpointsResponse response;
    grpc::ClientContext context;
    netd_.Prepare(context, kDeadline);
    RETURN_IF_ERROR(
        netd_.Check(stub_->ListEndpoints(&context, request, &response)));
    return std::vector<types::v1::NetworkEndpoint>(response.endpoints().begin(),
                                                   response.endpoints().end());
  }

 private:
  ServiceChannel netd_;
  std::unique_ptr<network::v1::NetworkService::Stub> stub_;
};

}  // namespace

std::unique_ptr<NetdClient> NewGrpcNetdClient(const std::string& socket_path) {
  return std::make_unique<GrpcNetdClient>(socket_path);
}

}  // namespace berth::containerd
