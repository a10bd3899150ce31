// ContainerGrpcService's exec calls — the contract's ExecContainer messages
// turned into the attach terms the supervisor's stream bridge speaks (the
// two share input, resize, close-stdin, output, exit and detached) — and
// commit.
#include "common/grpc_status.h"
#include "services/containerd/grpc_service.h"

namespace berth::containerd {

using container::v1::AttachContainerRequest;
using container::v1::AttachContainerResponse;
using container::v1::ExecContainerRequest;
using container::v1::ExecContainerResponse;

namespace {

// False for a second start (the only message attach has no word for).
bool ToAttach(const ExecContainerRequest& in, AttachContainerRequest* out) {
  out->Clear();
  switch (in.kind_case()) {
    case ExecContainerRequest::kInput:
      out->set_input(in.input());
      return true;
    case ExecContainerRequest::kResize:
      *out->mutable_resize() = in.resize();
      return true;
    case ExecContainerRequest::kCloseStdin:
      out->mutable_close_stdin();
      return true;
    default:
      return false;
  }
}

ExecContainerResponse FromAttach(const AttachContainerResponse& in) {
  ExecContainerResponse out;
  switch (in.kind_case()) {
    case AttachContainerResponse::kOutput:
      *out.mutable_output() = in.output();
      break;
    case AttachContainerResponse::kExit:
      *out.mutable_exit() = in.exit();
      break;
    case AttachContainerResponse::kDetached:
      out.mutable_detached();
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

grpc::Status ContainerGrpcService::ExecContainer(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<ExecContainerResponse, ExecContainerRequest>* stream) {
  ExecContainerRequest first;
  if (!stream->Read(&first)) return grpc::Status::OK;  // gone before a word
  if (!first.has_start()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message of an exec must be its start");
  }
  ClientStream client;
  client.read = [stream](AttachContainerRequest* request) {
    ExecContainerRequest message;
    while (stream->Read(&message)) {
      if (ToAttach(message, request)) return true;
    }
    return false;
  };
  client.write = [stream](const AttachContainerResponse& response) {
    return stream->Write(FromAttach(response));
  };
  client.abort_read = [context] { context->TryCancel(); };
  client.cancelled = [context] { return context->IsCancelled(); };
  auto created = [stream](const container::v1::ExecCreated& announced) {
    ExecContainerResponse response;
    *response.mutable_created() = announced;
    return stream->Write(response);
  };
  return ToGrpcStatus(supervisor_->Exec(first.start(), client, created));
}

grpc::Status ContainerGrpcService::CommitContainer(
    grpc::ServerContext*, const container::v1::CommitContainerRequest* request,
    container::v1::CommitContainerResponse* response) {
  absl::StatusOr<std::string> image_id = supervisor_->Commit(*request);
  if (!image_id.ok()) return ToGrpcStatus(image_id.status());
  response->set_image_id(*image_id);
  return grpc::Status::OK;
}

grpc::Status ContainerGrpcService::InspectExec(
    grpc::ServerContext*, const container::v1::InspectExecRequest* request,
    container::v1::InspectExecResponse* response) {
  absl::StatusOr<container::v1::ExecInfo> info =
      supervisor_->InspectExec(request->exec_id());
  if (!info.ok()) return ToGrpcStatus(info.status());
  *response->mutable_exec() = *std::move(info);
  return grpc::Status::OK;
}

}  // namespace berth::containerd
