#include "services/containerd/grpc_service.h"

#include <limits.h>
#include <unistd.h>

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/grpc_status.h"
#include "services/containerd/cgroups/cgroups.h"
#include "common/status_macros.h"

namespace berth::containerd {
namespace {

using container::v1::ContainerService;

grpc::Status Done(const absl::Status& status) { return ToGrpcStatus(status); }

}  // namespace

ContainerGrpcService::ContainerGrpcService(
    std::unique_ptr<ServiceCore> core,
    std::unique_ptr<ContainerSupervisor> supervisor)
    : core_(std::move(core)), supervisor_(std::move(supervisor)) {}

grpc::Status ContainerGrpcService::Version(
    grpc::ServerContext*, const container::v1::VersionRequest*,
    container::v1::VersionResponse* response) {
  return AnswerVersion(response);
}

grpc::Status ContainerGrpcService::Info(grpc::ServerContext*,
                                        const container::v1::InfoRequest*,
                                        container::v1::InfoResponse* response) {
  grpc::Status status = AnswerInfo(*core_, response);
  if (!status.ok()) return status;
  absl::StatusOr<int64_t> running = supervisor_->RunningCount();
  if (!running.ok()) return ToGrpcStatus(running.status());
  types::v1::RecordCount* count = response->mutable_info()->add_records();
  count->set_kind("running");
  count->set_count(*running);
  types::v1::RecordCount* paused = response->mutable_info()->add_records();
  paused->set_kind("paused");
  paused->set_count(
      supervisor_->CountInStatus(container::v1::CONTAINER_STATUS_PAUSED));
  // What `docker info` says of the runtime, under Docker's keys.
  auto fact = [&](const std::string& key, const std::string& value) {
    types::v1::InfoFact* added = response->mutable_info()->add_facts();
    added->set_key(key);
    added->set_value(value);
  };
  fact("LoggingDriver", "json-file");
  fact("CgroupDriver", "cgroupfs");
  absl::StatusOr<std::unique_ptr<cgroups::CgroupDriver>> cgroup =
      cgroups::DetectCgroupDriver();
  if (cgroup.ok()) {
    fact("CgroupVersion", std::string(absl::StripPrefix((*cgroup)->Version(), "v")));
  }
  fact("DefaultRuntime", "berth-shim");
  fact("SecurityOptions", "name=seccomp,profile=builtin");
  absl::StatusOr<std::string> cgroupns = cgroups::DefaultCgroupnsMode();
  if (cgroupns.ok() && *cgroupns == "private") fact("SecurityOptions", "name=cgroupns");
  return grpc::Status::OK;
}

namespace {

// The client's deadline passed or it cancelled: the call is abandoned.
ContainerSupervisor::Cancelled ClientGone(grpc::ServerContext* context) {
  return [context] { return context->IsCancelled(); };
}

}  // namespace

grpc::Status ContainerGrpcService::CreateContainer(
    grpc::ServerContext* context,
    const container::v1::CreateContainerRequest* request,
    container::v1::CreateContainerResponse* response) {
  return Answer(supervisor_->Create(*request, ClientGone(context)), response);
}

grpc::Status ContainerGrpcService::StartContainer(
    grpc::ServerContext* context,
    const container::v1::StartContainerRequest* request,
    container::v1::StartContainerResponse*) {
  return Done(supervisor_->Start(request->id(), ClientGone(context)));
}

grpc::Status ContainerGrpcService::StopContainer(
    grpc::ServerContext* context,
    const container::v1::StopContainerRequest* request,
    container::v1::StopContainerResponse*) {
  std::optional<int> timeout;
  if (request->has_timeout()) timeout = request->timeout();
  return Done(supervisor_->Stop(request->id(), timeout, request->signal(),
                                ClientGone(context)));
}

grpc::Status ContainerGrpcService::KillContainer(
    grpc::ServerContext*, const container::v1::KillContainerRequest* request,
    container::v1::KillContainerResponse*) {
  return Done(supervisor_->Kill(request->id(), request->signal()));
}

grpc::Status ContainerGrpcService::RestartContainer(
    grpc::ServerContext* context,
    const container::v1::RestartContainerRequest* request,
    container::v1::RestartContainerResponse*) {
  std::optional<int> timeout;
  if (request->has_timeout()) timeout = request->timeout();
  return Done(supervisor_->Restart(request->id(), timeout, request->signal(),
                                   ClientGone(context)));
}

grpc::Status ContainerGrpcService::RemoveContainer(
    grpc::ServerContext* context,
    const container::v1::RemoveContainerRequest* request,
    container::v1::RemoveContainerResponse*) {
  return Done(supervisor_->Remove(request->id(), request->force(),
                                  ClientGone(context),
                                  request->remove_volumes()));
}

grpc::Status ContainerGrpcService::WaitContainer(
    grpc::ServerContext* context,
    const container::v1::WaitContainerRequest* request,
    container::v1::WaitContainerResponse* response) {
  return Answer(supervisor_->Wait(request->id(), request->condition(),
                                  [context] { return context->IsCancelled(); }),
                response);
}

grpc::Status ContainerGrpcService::RenameContainer(
    grpc::ServerContext*, const container::v1::RenameContainerRequest* request,
    container::v1::RenameContainerResponse*) {
  return Done(supervisor_->Rename(request->id(), request->new_name()));
}

grpc::Status ContainerGrpcService::ConnectContainerNetwork(
    grpc::ServerContext*,
    const container::v1::ConnectContainerNetworkRequest* request,
    container::v1::ConnectContainerNetworkResponse* response) {
  absl::StatusOr<types::v1::NetworkEndpoint> endpoint =
      supervisor_->ConnectNetwork(*request);
  if (!endpoint.ok()) return ToGrpcStatus(endpoint.status());
  if (!endpoint->network_id().empty()) *response->mutable_endpoint() = *endpoint;
  return grpc::Status::OK;
}

grpc::Status ContainerGrpcService::DisconnectContainerNetwork(
    grpc::ServerContext*,
    const container::v1::DisconnectContainerNetworkRequest* request,
    container::v1::DisconnectContainerNetworkResponse*) {
  return Done(supervisor_->DisconnectNetwork(*request));
}

grpc::Status ContainerGrpcService::PruneContainers(
    grpc::ServerContext*, const container::v1::PruneContainersRequest* request,
    container::v1::PruneContainersResponse* response) {
  return Answer(supervisor_->Prune(*request), response);
}

grpc::Status ContainerGrpcService::ListContainers(
    grpc::ServerContext*, const container::v1::ListContainersRequest* request,
    container::v1::ListContainersResponse* response) {
  return Answer(supervisor_->List(*request), response);
}

grpc::Status ContainerGrpcService::InspectContainer(
    grpc::ServerContext*, const container::v1::InspectContainerRequest* request,
    container::v1::InspectContainerResponse* response) {
  return Answer(supervisor_->Inspect(request->id(), request->size()),
                response->mutable_container());
}

grpc::Status ContainerGrpcService::PauseContainer(
    grpc::ServerContext*, const container::v1::PauseContainerRequest* request,
    container::v1::PauseContainerResponse*) {
  return Done(supervisor_->Pause(request->id()));
}

grpc::Status ContainerGrpcService::UnpauseContainer(
    grpc::ServerContext*, const container::v1::UnpauseContainerRequest* request,
    container::v1::UnpauseContainerResponse*) {
  return Done(supervisor_->Unpause(request->id()));
}

grpc::Status ContainerGrpcService::UpdateContainer(
    grpc::ServerContext*, const container::v1::UpdateContainerRequest* request,
    container::v1::UpdateContainerResponse* response) {
  return Answer(supervisor_->Update(*request), response);
}

grpc::Status ContainerGrpcService::TopContainer(
    grpc::ServerContext*, const container::v1::TopContainerRequest* request,
    container::v1::TopContainerResponse* response) {
  return Answer(supervisor_->Top(request->id(), request->ps_args()), response);
}

grpc::Status ContainerGrpcService::ContainerLogs(
    grpc::ServerContext* context,
    const container::v1::ContainerLogsRequest* request,
    grpc::ServerWriter<container::v1::ContainerLogsResponse>* writer) {
  absl::Status status = supervisor_->Logs(
      *request,
      [writer](const container::v1::ContainerLogsResponse& batch) {
        return writer->Write(batch);
      },
      [context] { return context->IsCancelled(); });
  if (absl::IsCancelled(status) && context->IsCancelled()) {
    return grpc::Status::OK;
  }
  return Done(status);
}

grpc::Status ContainerGrpcService::AttachContainer(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<container::v1::AttachContainerResponse,
                             container::v1::AttachContainerRequest>* stream) {
  container::v1::AttachContainerRequest first;
  if (!stream->Read(&first)) return grpc::Status::OK;  // gone before a word
  if (!first.has_start()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first message of an attach must be its start");
  }
  ClientStream client;
  client.read = [stream](container::v1::AttachContainerRequest* request) {
    return stream->Read(request);
  };
  client.write = [stream](const container::v1::AttachContainerResponse& response) {
    return stream->Write(response);
  };
  client.abort_read = [context] { context->TryCancel(); };
  client.cancelled = [context] { return context->IsCancelled(); };
  return Done(supervisor_->Attach(first.start(), client));
}

}  // namespace berth::containerd
