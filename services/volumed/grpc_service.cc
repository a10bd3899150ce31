#include "services/volumed/grpc_service.h"

#include <utility>

namespace berth::volumed {

absl::StatusOr<std::unique_ptr<VolumeGrpcService>> VolumeGrpcService::Create(
    std::unique_ptr<ServiceCore> core) {
  return std::make_unique<VolumeGrpcService>(std::move(core));
}

VolumeGrpcService::VolumeGrpcService(std::unique_ptr<ServiceCore> core)
    : core_(std::move(core)) {}

grpc::Status VolumeGrpcService::Version(grpc::ServerContext*,
                                        const volume::v1::VersionRequest*,
                                        volume::v1::VersionResponse* response) {
  return AnswerVersion(response);
}

grpc::Status VolumeGrpcService::Info(grpc::ServerContext*,
                                     const volume::v1::InfoRequest*,
                                     volume::v1::InfoResponse* response) {
  return AnswerInfo(*core_, response);
}

}  // namespace berth::volumed
