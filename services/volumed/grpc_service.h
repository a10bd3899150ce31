// The gRPC face of volumed: validates requests, calls the service's logic and
// maps its status to gRPC. Holds no logic of its own.
#ifndef BERTH_SERVICES_VOLUMED_GRPC_SERVICE_H_
#define BERTH_SERVICES_VOLUMED_GRPC_SERVICE_H_

#include <memory>

#include "berth/volume/v1/volume.grpc.pb.h"
#include "common/service_adapter.h"

namespace berth::volumed {

class VolumeGrpcService final : public volume::v1::VolumeService::Service {
 public:
  // The contract this class serves.
  using Contract = volume::v1::VolumeService;

  static absl::StatusOr<std::unique_ptr<VolumeGrpcService>> Create(
      std::unique_ptr<ServiceCore> core);
  explicit VolumeGrpcService(std::unique_ptr<ServiceCore> core);

  grpc::Status Version(grpc::ServerContext* context,
                       const volume::v1::VersionRequest* request,
                       volume::v1::VersionResponse* response) override;
  grpc::Status Info(grpc::ServerContext* context,
                    const volume::v1::InfoRequest* request,
                    volume::v1::InfoResponse* response) override;

 private:
  std::unique_ptr<ServiceCore> core_;
};

}  // namespace berth::volumed

#endif  // BERTH_SERVICES_VOLUMED_GRPC_SERVICE_H_
