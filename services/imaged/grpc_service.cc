#include "services/imaged/grpc_service.h"

#include <utility>

namespace berth::imaged {

ImageGrpcService::ImageGrpcService(std::unique_ptr<ServiceCore> core)
    : core_(std::move(core)) {}

grpc::Status ImageGrpcService::Version(grpc::ServerContext*,
                                       const image::v1::VersionRequest*,
                                       image::v1::VersionResponse* response) {
  return AnswerVersion(response);
}

grpc::Status ImageGrpcService::Info(grpc::ServerContext*,
                                    const image::v1::InfoRequest*,
                                    image::v1::InfoResponse* response) {
  return AnswerInfo(*core_, response);
}

}  // namespace berth::imaged
