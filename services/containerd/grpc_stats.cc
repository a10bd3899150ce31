// The gRPC face of `stats`: streams the supervisor's samples until the
// client cancels (a cancellation is the normal end of a streamed stats).
#include "common/grpc_status.h"
#include "services/containerd/grpc_service.h"

namespace berth::containerd {

grpc::Status ContainerGrpcService::ContainerStats(
    grpc::ServerContext* context,
    const container::v1::ContainerStatsRequest* request,
    grpc::ServerWriter<container::v1::ContainerStatsResponse>* writer) {
  absl::Status status = supervisor_->Stats(
      *request,
      [writer](const container::v1::ContainerStatsResponse& response) {
        return writer->Write(response);
      },
      [context] { return context->IsCancelled(); });
  if (absl::IsCancelled(status) && context->IsCancelled()) {
    return grpc::Status::OK;
  }
  return ToGrpcStatus(status);
}

}  // namespace berth::containerd
