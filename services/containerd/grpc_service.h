// The gRPC face of containerd: unpacks requests, calls ContainerSupervisor
// and maps its status to gRPC. Holds no logic of its own.
#ifndef BERTH_SERVICES_CONTAINERD_GRPC_SERVICE_H_
#define BERTH_SERVICES_CONTAINERD_GRPC_SERVICE_H_

#include <memory>

#include "berth/container/v1/container.grpc.pb.h"
#include "common/service_adapter.h"
#include "services/containerd/container_supervisor.h"

namespace berth::containerd {

class ContainerGrpcService final
    : public container::v1::ContainerService::Service {
 public:
  // The contract this class serves.
  using Contract = container::v1::ContainerService;

  // containerd's composition root (containerd.cc): wires the supervisor
  // and what it works through from the config.
  static absl::StatusOr<std::unique_ptr<ContainerGrpcService>> Create(
      std::unique_ptr<ServiceCore> core);

  // The daemon is stopping: calls waiting for containers to exit return.
  void BeginShutdown() {
    supervisor_->BeginShutdown();
    supervisor_->events().Shutdown();  // event streams end too
  }

#define BERTH_UNARY(Name, Request, Response)                        \
  grpc::Status Name(grpc::ServerContext* context,                   \
                    const container::v1::Request* request,          \
                    container::v1::Response* response) override;
  BERTH_UNARY(Version, VersionRequest, VersionResponse)
  BERTH_UNARY(Info, InfoRequest, InfoResponse)
  BERTH_UNARY(CreateContainer, CreateContainerRequest, CreateContainerResponse)
  BERTH_UNARY(StartContainer, StartContainerRequest, StartContainerResponse)
  BERTH_UNARY(StopContainer, StopContainerRequest, StopContainerResponse)
  BERTH_UNARY(KillContainer, KillContainerRequest, KillContainerResponse)
  BERTH_UNARY(RestartContainer, RestartContainerRequest,
              RestartContainerResponse)
  BERTH_UNARY(RemoveContainer, RemoveContainerRequest, RemoveContainerResponse)
  BERTH_UNARY(WaitContainer, WaitContainerRequest, WaitContainerResponse)
  BERTH_UNARY(RenameContainer, RenameContainerRequest, RenameContainerResponse)
  BERTH_UNARY(PruneContainers, PruneContainersRequest, PruneContainersResponse)
  BERTH_UNARY(ListContainers, ListContainersRequest, ListContainersResponse)
  BERTH_UNARY(InspectContainer, InspectContainerRequest,
              InspectContainerResponse)
  BERTH_UNARY(PauseContainer, PauseContainerRequest, PauseContainerResponse)
  BERTH_UNARY(UnpauseContainer, UnpauseContainerRequest,
              UnpauseContainerResponse)
  BERTH_UNARY(UpdateContainer, UpdateContainerRequest, UpdateContainerResponse)
  BERTH_UNARY(TopContainer, TopContainerRequest, TopContainerResponse)
  BERTH_UNARY(ConnectContainerNetwork, ConnectContainerNetworkRequest,
              ConnectContainerNetworkResponse)
  BERTH_UNARY(DisconnectContainerNetwork, DisconnectContainerNetworkRequest,
              DisconnectContainerNetworkResponse)
#undef BERTH_UNARY

  grpc::Status ContainerLogs(
      grpc::ServerContext* context,
      const container::v1::ContainerLogsRequest* request,
      grpc::ServerWriter<container::v1::ContainerLogsResponse>* writer)
      override;
  grpc::Status AttachContainer(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<container::v1::AttachContainerResponse,
                               container::v1::AttachContainerRequest>* stream)
      override;
  grpc::Status CommitContainer(grpc::ServerContext* context,
                               const container::v1::CommitContainerRequest* request,
                               container::v1::CommitContainerResponse* response)
      override;
  // grpc_exec.cc
  grpc::Status ExecContainer(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<container::v1::ExecContainerResponse,
                               container::v1::ExecContainerRequest>* stream)
      override;
  grpc::Status InspectExec(grpc::ServerContext* context,
                           const container::v1::InspectExecRequest* request,
                           container::v1::InspectExecResponse* response)
      override;
  // grpc_stats.cc
  grpc::Status ContainerStats(
      grpc::ServerContext* context,
      const container::v1::ContainerStatsRequest* request,
      grpc::ServerWriter<container::v1::ContainerStatsResponse>* writer)
      override;
  // grpc_files.cc: diff, cp, export.
  grpc::Status DiffContainer(grpc::ServerContext* context,
                             const container::v1::DiffContainerRequest* request,
                             container::v1::DiffContainerResponse* response)
      override;
  grpc::Status StatContainerPath(
      grpc::ServerContext* context,
      const container::v1::StatContainerPathRequest* request,
      container::v1::StatContainerPathResponse* response) override;
  grpc::Status CopyFromContainer(
      grpc::ServerContext* context,
      const container::v1::CopyFromContainerRequest* request,
      grpc::ServerWriter<container::v1::CopyFromContainerResponse>* writer)
      override;
  grpc::Status CopyToContainer(
      grpc::ServerContext* context,
      grpc::ServerReader<container::v1::CopyToContainerRequest>* reader,
      container::v1::CopyToContainerResponse* response) override;
  grpc::Status ExportContainer(
      grpc::ServerContext* context,
      const container::v1::ExportContainerRequest* request,
      grpc::ServerWriter<container::v1::ExportContainerResponse>* writer)
      override;
  // grpc_events.cc
  grpc::Status Events(
      grpc::ServerContext* context,
      const container::v1::EventsRequest* request,
      grpc::ServerWriter<container::v1::EventsResponse>* writer) override;

 private:
  ContainerGrpcService(std::unique_ptr<ServiceCore> core,
                       std::unique_ptr<ContainerSupervisor> supervisor);

  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<ContainerSupervisor> supervisor_;
};

}  // namespace berth::containerd

#endif  // BERTH_SERVICES_CONTAINERD_GRPC_SERVICE_H_
