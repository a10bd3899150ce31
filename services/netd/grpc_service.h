// The gRPC face of netd: validates requests, calls the service's logic and
// maps its status to gRPC. Holds no logic of its own.
#ifndef BERTH_SERVICES_NETD_GRPC_SERVICE_H_
#define BERTH_SERVICES_NETD_GRPC_SERVICE_H_

#include <atomic>
#include <memory>

#include "berth/network/v1/network.grpc.pb.h"
#include "common/service_adapter.h"
#include "services/netd/bridge/bridge_driver.h"
#include "services/netd/dns/dns_server.h"
#include "services/netd/firewall/firewall.h"
#include "services/netd/ports/host_ports.h"
#include "services/netd/network_controller.h"

namespace berth::netd {

class NetworkGrpcService final : public network::v1::NetworkService::Service {
 public:
  // The contract this class serves.
  using Contract = network::v1::NetworkService;

  // The composition root: the kernel side in the daemon's own network
  // namespace, and the controller over the service's store.
  static absl::StatusOr<std::unique_ptr<NetworkGrpcService>> Create(
      std::unique_ptr<ServiceCore> core);

  grpc::Status Version(grpc::ServerContext* context,
                       const network::v1::VersionRequest* request,
                       network::v1::VersionResponse* response) override;
  grpc::Status Info(grpc::ServerContext* context,
                    const network::v1::InfoRequest* request,
                    network::v1::InfoResponse* response) override;
  grpc::Status CreateNetwork(grpc::ServerContext* context,
                             const network::v1::CreateNetworkRequest* request,
                             network::v1::CreateNetworkResponse* response) override;
  grpc::Status RemoveNetwork(grpc::ServerContext* context,
                             const network::v1::RemoveNetworkRequest* request,
                             network::v1::RemoveNetworkResponse* response) override;
  grpc::Status ListNetworks(grpc::ServerContext* context,
                            const network::v1::ListNetworksRequest* request,
                            network::v1::ListNetworksResponse* response) override;
  grpc::Status InspectNetwork(grpc::ServerContext* context,
                              const network::v1::InspectNetworkRequest* request,
                              network::v1::InspectNetworkResponse* response) override;
  grpc::Status PruneNetworks(grpc::ServerContext* context,
                             const network::v1::PruneNetworksRequest* request,
                             network::v1::PruneNetworksResponse* response) override;
  grpc::Status AttachContainer(grpc::ServerContext* context,
                               const network::v1::AttachContainerRequest* request,
                               network::v1::AttachContainerResponse* response) override;
  grpc::Status DetachContainer(grpc::ServerContext* context,
                               const network::v1::DetachContainerRequest* request,
                               network::v1::DetachContainerResponse* response) override;
  grpc::Status ConnectContainer(grpc::ServerContext* context,
                                const network::v1::ConnectContainerRequest* request,
                                network::v1::ConnectContainerResponse* response) override;
  grpc::Status DisconnectContainer(
      grpc::ServerContext* context,
      const network::v1::DisconnectContainerRequest* request,
      network::v1::DisconnectContainerResponse* response) override;
  grpc::Status ListEndpoints(grpc::ServerContext* context,
                             const network::v1::ListEndpointsRequest* request,
                             network::v1::ListEndpointsResponse* response) override;
  grpc::Status Events(grpc::ServerContext* context,
                      const network::v1::EventsRequest* request,
                      grpc::ServerWriter<network::v1::EventsResponse>* writer) override;

  void BeginShutdown();
  ~NetworkGrpcService() override;

 private:
  NetworkGrpcService(std::unique_ptr<ServiceCore> core,
                     std::unique_ptr<bridge::BridgeDriver> driver);

  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<bridge::BridgeDriver> driver_;
  std::unique_ptr<firewall::Firewall> firewall_;
  std::unique_ptr<ports::HostPorts> host_ports_;
  // Asks controller_ (once it is open); stopped first by the destructor.
  std::unique_ptr<dns::DnsServer> dns_;
  std::unique_ptr<NetworkController> controller_;
  std::atomic<NetworkController*> controller_ready_{nullptr};
};

}  // namespace berth::netd

#endif  // BERTH_SERVICES_NETD_GRPC_SERVICE_H_
