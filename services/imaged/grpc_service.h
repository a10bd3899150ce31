// The gRPC face of imaged: validates requests, calls the service's logic and
// maps its status to gRPC. Holds no logic of its own.
#ifndef BERTH_SERVICES_IMAGED_GRPC_SERVICE_H_
#define BERTH_SERVICES_IMAGED_GRPC_SERVICE_H_

#include <memory>

#include "berth/image/v1/image.grpc.pb.h"
#include "common/service_core.h"

namespace berth::imaged {

class ImageGrpcService final : public image::v1::ImageService::Service {
 public:
  // The contract this class serves.
  using Contract = image::v1::ImageService;

  explicit ImageGrpcService(std::unique_ptr<ServiceCore> core);

  grpc::Status Version(grpc::ServerContext* context,
                       const image::v1::VersionRequest* request,
                       image::v1::VersionResponse* response) override;
  grpc::Status Info(grpc::ServerContext* context,
                    const image::v1::InfoRequest* request,
                    image::v1::InfoResponse* response) override;

 private:
  std::unique_ptr<ServiceCore> core_;
};

}  // namespace berth::imaged

#endif  // BERTH_SERVICES_IMAGED_GRPC_SERVICE_H_
