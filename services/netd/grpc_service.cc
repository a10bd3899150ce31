#include "services/netd/grpc_service.h"

#include <utility>

namespace berth::netd {

absl::StatusOr<std::unique_ptr<NetworkGrpcService>> NetworkGrpcService::Create(
    std::unique_ptr<ServiceCore> core) {
  return std::make_unique<NetworkGrpcService>(std::move(core));
}

NetworkGrpcService::NetworkGrpcService(std::unique_ptr<ServiceCore> core)
    : core_(std::move(core)) {}

grpc::Status NetworkGrpcService::Version(
    grpc::ServerContext*, const network::v1::VersionRequest*,
    network::v1::VersionResponse* response) {
  return AnswerVersion(response);
}

grpc::Status NetworkGrpcService::Info(grpc::ServerContext*,
                                      const network::v1::InfoRequest*,
                                      network::v1::InfoResponse* response) {
  return AnswerInfo(*core_, response);
}

}  // namespace berth::netd
