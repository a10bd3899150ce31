#include "services/netd/grpc_service.h"

#include <utility>

namespace berth::netd {

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
