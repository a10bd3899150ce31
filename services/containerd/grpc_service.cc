#include "services/containerd/grpc_service.h"

#include <limits.h>
#include <unistd.h>

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"

namespace berth::containerd {
namespace {

using container::v1::ContainerService;

// berth-shim: configured, else beside the daemon's executable, else in PATH.
std::string FindShim(const std::string& configured) {
  if (!configured.empty()) return configured;
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
    std::string dir(exe);
    dir = dir.substr(0, dir.rfind('/'));
    const std::string beside = dir + "/berth-shim";
    if (access(beside.c_str(), X_OK) == 0) return beside;
  }
  for (const char* dir : {"/usr/local/bin", "/usr/bin", "/bin"}) {
    const std::string candidate = absl::StrCat(dir, "/berth-shim");
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "berth-shim";
}

grpc::Status Done(const absl::Status& status) { return ToGrpcStatus(status); }

}  // namespace

absl::StatusOr<std::unique_ptr<ContainerGrpcService>>
ContainerGrpcService::Create(std::unique_ptr<ServiceCore> core) {
  const config::v1::Config& config = core->config();
  SupervisorOptions options;
  options.containers_dir = core->identity().root + "/containers";
  const std::string run_root =
      config.run_root().empty() ? "/run/berth" : config.run_root();
  options.shims_dir = run_root + "/shims";
  options.shim_path = FindShim(config.runtime().shim_path());
  if (!config.runtime().cgroup_parent().empty()) {
    options.cgroup_parent = config.runtime().cgroup_parent();
  }
  if (config.runtime().has_userns_range()) {
    const config::v1::UsernsRange& range = config.runtime().userns_range();
    options.userns_range = {range.host_uid(), range.host_gid(), range.size()};
  }
  const std::string imaged_socket = config.imaged().socket().empty()
                                        ? run_root + "/imaged.sock"
                                        : config.imaged().socket();
  ASSIGN_OR_RETURN(std::unique_ptr<ContainerSupervisor> supervisor,
                   ContainerSupervisor::Open(*core, NewImagedClient(imaged_socket),
                                             std::move(options)));
  return std::unique_ptr<ContainerGrpcService>(
      new ContainerGrpcService(std::move(core), std::move(supervisor)));
}

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
  return grpc::Status::OK;
}

grpc::Status ContainerGrpcService::CreateContainer(
    grpc::ServerContext*, const container::v1::CreateContainerRequest* request,
    container::v1::CreateContainerResponse* response) {
  return Answer(supervisor_->Create(*request), response);
}

grpc::Status ContainerGrpcService::StartContainer(
    grpc::ServerContext*, const container::v1::StartContainerRequest* request,
    container::v1::StartContainerResponse*) {
  return Done(supervisor_->Start(request->id()));
}

grpc::Status ContainerGrpcService::StopContainer(
    grpc::ServerContext*, const container::v1::StopContainerRequest* request,
    container::v1::StopContainerResponse*) {
  std::optional<int> timeout;
  if (request->has_timeout()) timeout = request->timeout();
  return Done(supervisor_->Stop(request->id(), timeout, request->signal()));
}

grpc::Status ContainerGrpcService::KillContainer(
    grpc::ServerContext*, const container::v1::KillContainerRequest* request,
    container::v1::KillContainerResponse*) {
  return Done(supervisor_->Kill(request->id(), request->signal()));
}

grpc::Status ContainerGrpcService::RestartContainer(
    grpc::ServerContext*, const container::v1::RestartContainerRequest* request,
    container::v1::RestartContainerResponse*) {
  std::optional<int> timeout;
  if (request->has_timeout()) timeout = request->timeout();
  return Done(supervisor_->Restart(request->id(), timeout, request->signal()));
}

grpc::Status ContainerGrpcService::RemoveContainer(
    grpc::ServerContext*, const container::v1::RemoveContainerRequest* request,
    container::v1::RemoveContainerResponse*) {
  return Done(supervisor_->Remove(request->id(), request->force()));
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
  return Answer(supervisor_->Inspect(request->id()),
                response->mutable_container());
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

}  // namespace berth::containerd
