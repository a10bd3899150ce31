// The gRPC face of netd: validates requests, calls the service's logic and
// maps its status to gRPC. Holds no logic of its own.
#ifndef BERTH_SERVICES_NETD_GRPC_SERVICE_H_
#define BERTH_SERVICES_NETD_GRPC_SERVICE_H_

#include <memory>

#include "berth/network/v1/network.grpc.pb.h"
#include "common/service_adapter.h"

namespace berth::netd {

class NetworkGrpcService final : public network::v1::NetworkService::Service {
 public:
  // The contract this class serves.
  using Contract = network::v1::NetworkService;

  static absl::StatusOr<std::unique_ptr<NetworkGrpcService>> Create(
      std::unique_ptr<ServiceCore> core);
  explicit NetworkGrpcService(std::unique_ptr<ServiceCore> core);

  grpc::Status Version(grpc::ServerContext* context,
                       const network::v1::VersionRequest* request,
                       network::v1::VersionResponse* response) override;
  grpc::Status Info(grpc::ServerContext* context,
                    const network::v1::InfoRequest* request,
                    network::v1::InfoResponse* response) override;

 private:
  std::unique_ptr<ServiceCore> core_;
};

}  // namespace berth::netd

#endif  // BERTH_SERVICES_NETD_GRPC_SERVICE_H_
