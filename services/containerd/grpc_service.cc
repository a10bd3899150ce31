#include "services/containerd/grpc_service.h"

#include <utility>

namespace berth::containerd {

absl::StatusOr<std::unique_ptr<ContainerGrpcService>> ContainerGrpcService::Create(
    std::unique_ptr<ServiceCore> core) {
  return std::make_unique<ContainerGrpcService>(std::move(core));
}

ContainerGrpcService::ContainerGrpcService(std::unique_ptr<ServiceCore> core)
    : core_(std::move(core)) {}

grpc::Status ContainerGrpcService::Version(
    grpc::ServerContext*, const container::v1::VersionRequest*,
    container::v1::VersionResponse* response) {
  return AnswerVersion(response);
}

grpc::Status ContainerGrpcService::Info(grpc::ServerContext*,
                                        const container::v1::InfoRequest*,
                                        container::v1::InfoResponse* response) {
  return AnswerInfo(*core_, response);
}

}  // namespace berth::containerd
