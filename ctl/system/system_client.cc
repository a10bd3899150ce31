#include "ctl/system/system_client.h"

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"
#include "berth/container/v1/container.grpc.pb.h"
#include "berth/image/v1/image.grpc.pb.h"
#include "berth/network/v1/network.grpc.pb.h"
#include "berth/volume/v1/volume.grpc.pb.h"
#include "ctl/cli/diagnostics.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace berth::ctl {
namespace {

struct SystemCalls {
  std::string health_name;
  std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&,
                             types::v1::VersionInfo*)>
      version;
  std::function<grpc::Status(const std::shared_ptr<grpc::Channel>&,
                             types::v1::ServiceInfo*)>
      info;
};

// Binds the Version and Info calls of one service's generated stub.
template <typename Service, typename VersionRequest, typename InfoRequest,
          typename VersionResponse, typename InfoResponse>
SystemCalls Bind() {
  SystemCalls calls;
  calls.health_name = Service::service_full_name();
  calls.version = [](const std::shared_ptr<grpc::Channel>& channel,
                     types::v1::VersionInfo* out) {
    auto stub = Service::NewStub(channel);
    VersionResponse response;
    auto context = Connections::CallContext();
    grpc::Status status =
        stub->Version(context.get(), VersionRequest(), &response);
    *out = response.version();
    return status;
  };
  calls.info = [](const std::shared_ptr<grpc::Channel>& channel,
                  types::v1::ServiceInfo* out) {
    auto stub = Service::NewStub(channel);
    InfoResponse response;
    auto context = Connections::CallContext();
    grpc::Status status = stub->Info(context.get(), InfoRequest(), &response);
    *out = response.info();
    return status;
  };
  return calls;
}

#define BERTH_BIND_SYSTEM_CALLS(pkg, Service)                           \
  Bind<pkg::v1::Service, pkg::v1::VersionRequest, pkg::v1::InfoRequest, \
       pkg::v1::VersionResponse, pkg::v1::InfoResponse>()

const SystemCalls& CallsFor(const std::string& service) {
  static const auto* calls = new std::map<std::string, SystemCalls>{
      {"imaged", BERTH_BIND_SYSTEM_CALLS(image, ImageService)},
      {"containerd", BERTH_BIND_SYSTEM_CALLS(container, ContainerService)},
      {"netd", BERTH_BIND_SYSTEM_CALLS(network, NetworkService)},
      {"volumed", BERTH_BIND_SYSTEM_CALLS(volume, VolumeService)},
  };
  return calls->at(service);
}

}  // namespace

ServiceReport QueryService(Connections& connections, const std::string& service,
                           bool with_info) {
  ServiceReport report;
  report.service = service;
  report.socket = connections.endpoints().SocketOf(service);
  const SystemCalls& calls = CallsFor(service);
  if (DiagnosticEnabled(LogLevel::kDebug)) {
    Diagnose(LogLevel::kDebug,
             absl::StrCat("asking ", service, " at unix://", report.socket,
                          " for its health, version",
                          with_info ? " and info" : ""));
  }
  std::shared_ptr<grpc::Channel> channel = connections.Channel(service);

  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest health_request;
  health_request.set_service(calls.health_name);
  grpc::health::v1::HealthCheckResponse health_response;
  auto context = Connections::CallContext();
  grpc::Status status =
      health->Check(context.get(), health_request, &health_response);
  if (!status.ok()) {
    report.status = connections.Explain(service, status);
    return report;
  }
  report.healthy = health_response.status() ==
                   grpc::health::v1::HealthCheckResponse::SERVING;

  status = calls.version(channel, &report.version);
  if (status.ok() && with_info) status = calls.info(channel, &report.info);
  report.status = connections.Explain(service, status);
  return report;
}

}  // namespace berth::ctl
