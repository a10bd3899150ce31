// ContainerGrpcService's file calls: the tar streams of cp and export as
// gRPC messages (at most 1 MiB of tar each), the rest is the supervisor's.
#include "common/grpc_status.h"
#include "services/containerd/grpc_service.h"

namespace berth::containerd {

using namespace container::v1;  // NOLINT: the contract's messages

namespace {

// A client that went away ends the call quietly.
grpc::Status Finished(grpc::ServerContext* context, const absl::Status& status) {
  if (!status.ok() && context->IsCancelled()) return grpc::Status::CANCELLED;
  return ToGrpcStatus(status);
}

}  // namespace

grpc::Status ContainerGrpcService::DiffContainer(
    grpc::ServerContext*, const DiffContainerRequest* request,
    DiffContainerResponse* response) {
  absl::StatusOr<DiffContainerResponse> diff = supervisor_->Diff(request->id());
  if (!diff.ok()) return ToGrpcStatus(diff.status());
  *response = std::move(*diff);
  return grpc::Status::OK;
}

grpc::Status ContainerGrpcService::StatContainerPath(
    grpc::ServerContext*, const StatContainerPathRequest* request,
    StatContainerPathResponse* response) {
  absl::StatusOr<PathStat> stat =
      supervisor_->StatPath(request->id(), request->path());
  if (!stat.ok()) return ToGrpcStatus(stat.status());
  *response->mutable_stat() = std::move(*stat);
  return grpc::Status::OK;
}

grpc::Status ContainerGrpcService::CopyFromContainer(
    grpc::ServerContext* context, const CopyFromContainerRequest* request,
    grpc::ServerWriter<CopyFromContainerResponse>* writer) {
  const absl::Status status = supervisor_->CopyFrom(
      request->id(), request->path(),
      [writer](const PathStat& stat) {
        CopyFromContainerResponse message;
        *message.mutable_stat() = stat;
        return writer->Write(message);
      },
      [writer](absl::string_view data) {
        CopyFromContainerResponse message;
        message.set_data(std::string(data));
        if (!writer->Write(message)) {
          return absl::CancelledError("the client went away");
        }
        return absl::OkStatus();
      });
  return Finished(context, status);
}

grpc::Status ContainerGrpcService::CopyToContainer(
    grpc::ServerContext* context, grpc::ServerReader<CopyToContainerRequest>* reader,
    CopyToContainerResponse*) {
  CopyToContainerRequest message;
  if (!reader->Read(&message) || !message.has_options()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message of a copy must be its options");
  }
  const CopyToOptions options = message.options();
  auto next = [reader, &message]() -> absl::StatusOr<std::string> {
    while (reader->Read(&message)) {
      if (message.has_options()) {
        return absl::InvalidArgumentError("the options of a copy come once");
      }
      if (!message.data().empty()) return std::move(*message.mutable_data());
    }
    return std::string();  // the client closed its side: the end
  };
  return Finished(context, supervisor_->CopyTo(options, next));
}

grpc::Status ContainerGrpcService::ExportContainer(
    grpc::ServerContext* context, const ExportContainerRequest* request,
    grpc::ServerWriter<ExportContainerResponse>* writer) {
  const absl::Status status =
      supervisor_->Export(request->id(), [writer](absl::string_view data) {
        ExportContainerResponse message;
        message.set_data(std::string(data));
        if (!writer->Write(message)) {
          return absl::CancelledError("the client went away");
        }
        return absl::OkStatus();
      });
  return Finished(context, status);
}

}  // namespace berth::containerd
