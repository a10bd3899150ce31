// The gRPC face of containerd: validates requests, calls the service's logic
// and maps its status to gRPC. Holds no logic of its own.
#ifndef BERTH_SERVICES_CONTAINERD_GRPC_SERVICE_H_
#define BERTH_SERVICES_CONTAINERD_GRPC_SERVICE_H_

#include <memory>

#include "berth/container/v1/container.grpc.pb.h"
#include "common/service_core.h"

namespace berth::containerd {

class ContainerGrpcService final
    : public container::v1::ContainerService::Service {
 public:
  // The contract this class serves.
  using Contract = container::v1::ContainerService;

  static absl::StatusOr<std::unique_ptr<ContainerGrpcService>> Create(
      std::unique_ptr<ServiceCore> core);
  explicit ContainerGrpcService(std::unique_ptr<ServiceCore> core);

  grpc::Status Version(grpc::ServerContext* context,
                       const container::v1::VersionRequest* request,
                       container::v1::VersionResponse* response) override;
  grpc::Status Info(grpc::ServerContext* context,
                    const container::v1::InfoRequest* request,
                    container::v1::InfoResponse* response) override;

 private:
  std::unique_ptr<ServiceCore> core_;
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_GRPC_SERVICE_H_
