#include "services/netd/grpc_service.h"

#include <utility>

#include "common/event_stream.h"
#include "common/fs_util.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "services/netd/bridge/netlink_bridge_driver.h"
#include "services/netd/dns_files.h"

namespace berth::netd {

absl::StatusOr<std::unique_ptr<NetworkGrpcService>> NetworkGrpcService::Create(
    std::unique_ptr<ServiceCore> core) {
  ASSIGN_OR_RETURN(NetdSettings settings, SettingsFromConfig(core->config().netd()));
  ASSIGN_OR_RETURN(std::unique_ptr<bridge::NetlinkBridgeDriver> driver,
                   bridge::NetlinkBridgeDriver::Open());
  ASSIGN_OR_RETURN(std::unique_ptr<firewall::Firewall> firewall,
                   firewall::NewNftFirewall());
  std::unique_ptr<NetworkGrpcService> service(
      new NetworkGrpcService(std::move(core), std::move(driver)));
  service->firewall_ = std::move(firewall);
  service->host_ports_ = ports::NewSocketHostPorts();
  NetworkGrpcService* raw = service.get();
  // Until the controller is open, names are not known (SERVFAIL).
  ASSIGN_OR_RETURN(
      service->dns_,
      dns::DnsServer::Start(
          [raw](const std::string& container_id, const std::string& name)
              -> std::optional<std::vector<uint32_t>> {
            NetworkController* controller = raw->controller_ready_.load();
            if (controller == nullptr) return std::nullopt;
            return controller->Resolve(container_id, name);
          },
          settings.dns_forwarding
              ? NameServers(ReadFileToString("/etc/resolv.conf", 1 << 20)
                                .value_or(""))
              : std::vector<std::string>{},
          service->core_->log()));
  ASSIGN_OR_RETURN(service->controller_,
                   NetworkController::Open(service->core_->store(),
                                           *service->driver_, *service->firewall_,
                                           *service->host_ports_, std::move(settings),
                                           service->core_->log(),
                                           service->dns_.get()));
  service->controller_ready_.store(service->controller_.get());
  return service;
}

NetworkGrpcService::~NetworkGrpcService() { dns_.reset(); }

NetworkGrpcService::NetworkGrpcService(std::unique_ptr<ServiceCore> core,
                                       std::unique_ptr<bridge::BridgeDriver> driver)
    : core_(std::move(core)), driver_(std::move(driver)) {}

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

grpc::Status NetworkGrpcService::CreateNetwork(
    grpc::ServerContext*, const network::v1::CreateNetworkRequest* request,
    network::v1::CreateNetworkResponse* response) {
  absl::StatusOr<network::v1::CreateNetworkResponse> created =
      controller_->Create(*request);
  if (!created.ok()) return ToGrpcStatus(created.status());
  *response = *std::move(created);
  return grpc::Status::OK;
}

grpc::Status NetworkGrpcService::RemoveNetwork(
    grpc::ServerContext*, const network::v1::RemoveNetworkRequest* request,
    network::v1::RemoveNetworkResponse*) {
  return ToGrpcStatus(controller_->Remove(request->network()));
}

grpc::Status NetworkGrpcService::ListNetworks(
    grpc::ServerContext*, const network::v1::ListNetworksRequest* request,
    network::v1::ListNetworksResponse* response) {
  absl::StatusOr<std::vector<network::v1::Network>> listed =
      controller_->List(request->filter());
  if (!listed.ok()) return ToGrpcStatus(listed.status());
  for (network::v1::Network& network : *listed) {
    *response->add_networks() = std::move(network);
  }
  return grpc::Status::OK;
}

grpc::Status NetworkGrpcService::InspectNetwork(
    grpc::ServerContext*, const network::v1::InspectNetworkRequest* request,
    network::v1::InspectNetworkResponse* response) {
  absl::StatusOr<network::v1::Network> network =
      controller_->Inspect(request->network());
  if (!network.ok()) return ToGrpcStatus(network.status());
  *response->mutable_network() = *std::move(network);
  return grpc::Status::OK;
}

grpc::Status NetworkGrpcService::PruneNetworks(
    grpc::ServerContext*, const network::v1::PruneNetworksRequest* request,
    network::v1::PruneNetworksResponse* response) {
  absl::StatusOr<std::vector<std::string>> deleted =
      controller_->Prune(request->filter());
  if (!deleted.ok()) return ToGrpcStatus(deleted.status());
  for (std::string& name : *deleted) response->add_deleted(std::move(name));
  return grpc::Status::OK;
}

grpc::Status NetworkGrpcService::AttachContainer(
    grpc::ServerContext*, const network::v1::AttachContainerRequest* request,
    network::v1::AttachContainerResponse* response) {
  absl::StatusOr<network::v1::AttachContainerResponse> attached =
      controller_->Attach(*request);
  if (!attached.ok()) return ToGrpcStatus(attached.status());
  *response = *std::move(attached);
  return grpc::Status::OK;
}

grpc::Status NetworkGrpcService::DetachContainer(
    grpc::ServerContext*, const network::v1::DetachContainerRequest* request,
    network::v1::DetachContainerResponse*) {
  return ToGrpcStatus(controller_->Detach(*request));
}

grpc::Status NetworkGrpcService::ConnectContainer(
    grpc::ServerContext*, const network::v1::ConnectContainerRequest* request,
    network::v1::ConnectContainerResponse* response) {
  absl::StatusOr<network::v1::ConnectContainerResponse> connected =
      controller_->Connect(*request);
  if (!connected.ok()) return ToGrpcStatus(connected.status());
  *response = *std::move(connected);
  return grpc::Status::OK;
}

grpc::Status NetworkGrpcService::DisconnectContainer(
    grpc::ServerContext*, const network::v1::DisconnectContainerRequest* request,
    network::v1::DisconnectContainerResponse*) {
  return ToGrpcStatus(controller_->Disconnect(*request));
}

grpc::Status NetworkGrpcService::ListEndpoints(
    grpc::ServerContext*, const network::v1::ListEndpointsRequest* request,
    network::v1::ListEndpointsResponse* response) {
  absl::StatusOr<network::v1::ListEndpointsResponse> listed =
      controller_->ListEndpoints(*request);
  if (!listed.ok()) return ToGrpcStatus(listed.status());
  *response = *std::move(listed);
  return grpc::Status::OK;
}

grpc::Status NetworkGrpcService::Events(
    grpc::ServerContext* context, const network::v1::EventsRequest* request,
    grpc::ServerWriter<network::v1::EventsResponse>* writer) {
  return ServeEvents(controller_->events(), context, *request, writer);
}

void NetworkGrpcService::BeginShutdown() { controller_->events().Shutdown(); }

}  // namespace berth::netd
